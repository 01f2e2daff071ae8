//go:build !unix

package main

import "os"

const haveRSS = false

// maxRSSMB is 0 where getrusage does not exist.
func maxRSSMB(*os.ProcessState) float64 { return 0 }

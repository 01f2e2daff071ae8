//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
)

// haveRSS says maxRSSMB measures something here.
const haveRSS = true

// maxRSSMB is the process's peak resident set size in MB (10^6 bytes):
// getrusage's ru_maxrss, in KiB on Linux and in bytes on macOS.
func maxRSSMB(ps *os.ProcessState) float64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return float64(ru.Maxrss) / 1e6
	}
	return float64(ru.Maxrss) * 1024 / 1e6
}

//go:build !unix

package bench

// cpuSeconds is wall time where getrusage is not available.
func cpuSeconds() float64 { return wallSeconds() }

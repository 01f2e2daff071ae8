//go:build unix

package bench

import "syscall"

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return wallSeconds()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

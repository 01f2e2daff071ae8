package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles starts a CPU profile into cpuPath (if not "") and returns the
// function that stops it and writes a heap profile into memPath (if not ""),
// so that --cpuprofile and --memprofile cover the run and not the output.
// The files are created before the run: a directory that does not exist
// fails at once, not after minutes of simulation.
func startProfiles(cpuPath, memPath string) (stop func() error, err error) {
	var cpu, mem *os.File
	if cpuPath != "" {
		if cpu, err = os.Create(cpuPath); err != nil {
			return nil, fmt.Errorf("--cpuprofile: %v", err)
		}
		if err = pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, fmt.Errorf("--cpuprofile: %v", err)
		}
	}
	if memPath != "" {
		if mem, err = os.Create(memPath); err != nil {
			if cpu != nil {
				pprof.StopCPUProfile()
				cpu.Close()
			}
			return nil, fmt.Errorf("--memprofile: %v", err)
		}
	}
	return func() error {
		var first error
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				first = fmt.Errorf("--cpuprofile: %v", err)
			}
		}
		if mem != nil {
			runtime.GC() // the heap as it is live, not the garbage of the run
			if err := pprof.WriteHeapProfile(mem); err != nil && first == nil {
				first = fmt.Errorf("--memprofile: %v", err)
			}
			if err := mem.Close(); err != nil && first == nil {
				first = fmt.Errorf("--memprofile: %v", err)
			}
		}
		return first
	}, nil
}

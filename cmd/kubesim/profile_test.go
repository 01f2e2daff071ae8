package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --cpuprofile and --memprofile write pprof files (gzipped protocol buffers);
// a file that cannot be created fails at once, naming the flag.
func TestRunProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof")
	if code, _, errs := run(t, "run", "--duration", "10s", "--cpuprofile", cpu, "--memprofile", mem); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range []string{cpu, mem} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Errorf("%s is not a pprof file (gzip): %d bytes starting %q", filepath.Base(f), len(b), b[:min(len(b), 8)])
		}
	}
	for _, flag := range []string{"--cpuprofile", "--memprofile"} {
		code, out, errs := run(t, "run", "--duration", "10s", flag, filepath.Join(dir, "missing", "x.prof"))
		if code != 1 || out != "" || !strings.Contains(errs, flag+": ") || !strings.Contains(errs, "no such file or directory") {
			t.Errorf("%s in a missing directory: exit %d, stdout %.40q, stderr %q; want exit 1 before the run, naming the flag", flag, code, out, errs)
		}
	}
}

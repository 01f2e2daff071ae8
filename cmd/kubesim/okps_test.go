package main

import (
	"regexp"
	"testing"
)

// The Services table's throughput counts the requests answered without error
// (was: every request that ended, so a Service refusing all its requests
// showed a throughput): 4 refused probes of 30 s give ok/s 0.00, 4 answered
// ones 0.13.
func TestServicesTableThroughputWithoutErrors(t *testing.T) {
	f := writeFile(t, t.TempDir(), "okps.yaml", `name: okps
duration: 30s
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=nginx --port=80
      kubectl expose deployment web
      kubectl create deployment gone --image=nginx --port=80 --replicas=0
      kubectl expose deployment gone
  - at: 10s
    run: |
      httping web -c 4
      httping gone -c 4
`)
	code, out, errs := run(t, "run", f)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, re := range []string{`(?m)^ +service +requests +ok/s +errors +p50 +p99 +max +refused`, `(?m)^ +gone +4 +0\.00 +4 `, `(?m)^ +web +4 +0\.13 +0 `} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("Services table does not match %s:\n%s", re, out)
		}
	}
}

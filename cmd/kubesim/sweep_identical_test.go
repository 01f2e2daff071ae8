package main

import (
	"strings"
	"testing"
)

// A metric whose replications all give the same value has no confidence
// interval: the table says "identical" instead of printing one of width 0, and
// a note says why.
func TestSweepIdenticalReplications(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "base.yaml", `name: base
duration: 1m
timeline:
  - at: 0s
    run: kubectl create deployment rng --image=dockercoins/rng:v0.1
`)
	st := writeFile(t, dir, "st.yaml", `name: st
base: base.yaml
seed: 1
replications: {min: 3}
metrics: [hashes, requests.sent]
`)
	code, out, errs := run(t, "sweep", st)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "identical") || strings.Contains(out, "[0, 0]") || !strings.Contains(out, "rows marked identical: every replication gave the same value") {
		t.Errorf("a metric that is 0 in every replication:\n%s", out)
	}
}

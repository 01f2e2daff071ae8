package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/metrics"
)

func TestNaturalOrder(t *testing.T) {
	got := []string{"node10", "node2", "node1", "gpu1", "node100", "node02", "node"}
	sort.Slice(got, func(i, j int) bool { return naturalLess(got[i], got[j]) })
	want := "gpu1 node node1 node2 node02 node10 node100"
	if strings.Join(got, " ") != want {
		t.Errorf("natural order %v, want %s", got, want)
	}
}

func TestWorkloadOf(t *testing.T) {
	for pod, want := range map[string]string{
		"worker-565b857ddd-5clrt": "worker", "rng-cbq8n": "rng", "my-app-7fb75c5f6b-792fb": "my-app",
		"debug": "debug", "httping-client": "httping-client",
	} {
		if got := workloadOf(pod); got != want {
			t.Errorf("workloadOf(%q) = %q, want %q", pod, got, want)
		}
	}
}

// A small cluster lists every node and, where a node has few pods, their
// names; a large one prints a bounded summary: the spread, the busiest nodes in
// natural order, counts per workload instead of names.
func TestPodsPerNodeBounded(t *testing.T) {
	small := map[string][]string{"node1": {}, "node10": {"rng-abcde"}, "node2": {"worker-565b857ddd-5clrt", "rng-cbq8n"}}
	var b bytes.Buffer
	printPodsPerNode(&b, small)
	out := b.String()
	if i, j, k := strings.Index(out, "node1 "), strings.Index(out, "node2 "), strings.Index(out, "node10 "); !(i >= 0 && i < j && j < k) {
		t.Errorf("nodes not in natural order:\n%s", out)
	}
	if !strings.Contains(out, "worker-565b857ddd-5clrt rng-cbq8n") {
		t.Errorf("a node with 2 pods should list them:\n%s", out)
	}

	big := map[string][]string{}
	for n := 1; n <= 5000; n++ {
		var pods []string
		for i := 0; i < 10+n%7; i++ {
			pods = append(pods, fmt.Sprintf("worker-565b857ddd-%05d", n*100+i))
		}
		pods = append(pods, fmt.Sprintf("rng-%05d", n))
		big[fmt.Sprintf("node%d", n)] = pods
	}
	b.Reset()
	printPodsPerNode(&b, big)
	out = b.String()
	if lines := strings.Count(out, "\n"); lines > maxNodeLines+5 {
		t.Errorf("%d lines for 5000 nodes:\n%s", lines, out)
	}
	if !strings.Contains(out, "on 5000 nodes; per node min 11, median 14, max 17") || !strings.Contains(out, "worker x16, rng x1") ||
		!strings.Contains(out, "... and 4980 more nodes") || strings.Contains(out, "worker-565b857ddd-") {
		t.Errorf("summary of 5000 nodes:\n%s", out)
	}
	if i, j := strings.Index(out, "  node6 "), strings.Index(out, "  node13 "); !(i >= 0 && i < j) {
		t.Errorf("busiest nodes not in natural order:\n%s", out)
	}
}

// Thousands of windows print as at most maxRateRows rows, each the
// time-weighted mean of the windows it groups.
func TestRateRowsBounded(t *testing.T) {
	m := &metrics.Rate{Title: "Mining speed", What: "hashes counted in redis per second, per window", Unit: "hashes"}
	for i := 0; i < 5000; i++ {
		m.Windows = append(m.Windows, metrics.RateWindow{Start: float64(i) * 0.06, End: float64(i+1) * 0.06, PerSec: float64(i % 2 * 20)})
	}
	var b bytes.Buffer
	printRate(&b, m)
	out := b.String()
	if rows := strings.Count(out, "\n") - 3; rows > maxRateRows {
		t.Errorf("%d rows for 5000 windows", rows)
	}
	if !strings.Contains(out, "84 windows of 0.06s a row") || !strings.Contains(out, "  0.00-5.04s") || !strings.Contains(out, "10.00") {
		t.Errorf("mining table:\n%s", out)
	}
}

// --window is positive and at least 1 ms, with at most MaxWindows windows in
// the run: anything finer is refused with the smallest allowed value, before
// the run (memory and output stay bounded).
func TestWindowFlagBounds(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--window", "-1s"}, "--window must be positive (at least 1ms), got -1s"},
		{[]string{"--window", "0s"}, "--window must be positive"},
		{[]string{"--window", "1ns"}, "--window: 1ns is too fine: the smallest window is 1ms"},
		{[]string{"--window", "1ms"}, "--window: 1ms gives 300000 windows in a 5m0s run, more than 5000: the smallest window for this duration is 60ms"},
		{[]string{"--duration", "1h", "--window", "100ms"}, "the smallest window for this duration is 720ms"},
	} {
		code, _, errs := run(t, append([]string{"run", "capacity"}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("run capacity %s: exit %d, %q; want exit 2 and %q", strings.Join(c.args, " "), code, errs, c.want)
		}
	}
	if code, out, errs := run(t, "run", "capacity", "--window", "60ms", "--duration", "30s"); code != 0 || !strings.Contains(out, "Mining speed") {
		t.Errorf("--window 60ms: exit %d %s", code, errs)
	}
}

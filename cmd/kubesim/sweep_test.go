package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/scenarios/study"
	"sigs.k8s.io/yaml"
)

const smallStudy = `name: small
base: capacity
seed: 3
replications: {min: 3}
warmup: 30s
metrics: [hashes_per_s, rng.latency_ms.p99]
parameters:
  grid:
    vars.rng_replicas: [1, 3]
    vars.workers: [5]
    duration: [2m]
question: {find: smallest, parameter: vars.rng_replicas, metric: hashes_per_s, op: ">=", bound: 15}
`

func writeStudyFile(t *testing.T, dir string) string {
	p := filepath.Join(dir, "small.yaml")
	if err := os.WriteFile(p, []byte(smallStudy), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A study over a real scenario: same table whatever the parallelism; the
// answer follows from the mechanism (one rng pod caps 5 workers near 10/s,
// three do not).
func TestSweepDeterministicAcrossParallelism(t *testing.T) {
	p := writeStudyFile(t, t.TempDir())
	code1, a, e1 := run(t, "sweep", p, "-j", "1", "-o", "csv")
	code2, b, e2 := run(t, "sweep", p, "-j", "2", "-o", "csv")
	if code1 != 0 || code2 != 0 {
		t.Fatalf("exit %d %d: %s %s", code1, code2, e1, e2)
	}
	if a != b {
		t.Fatalf("-j 1 and -j 2 differ:\n%s\n%s", a, b)
	}
	_, table, _ := run(t, "sweep", p, "-j", "2")
	if !strings.Contains(table, "smallest vars.rng_replicas with hashes_per_s >= 15") || !strings.Contains(table, "\n  3 with 95% confidence") {
		t.Errorf("question not answered as expected:\n%s", table)
	}
}

// Shards merged give the unsharded study's files byte for byte.
func TestSweepShardsMerge(t *testing.T) {
	dir := t.TempDir()
	p := writeStudyFile(t, dir)
	if code, _, e := run(t, "sweep", p, "--out", filepath.Join(dir, "full")); code != 0 {
		t.Fatalf("full: %s", e)
	}
	var shards []string
	for _, s := range []string{"0/2", "1/2"} {
		if code, _, e := run(t, "sweep", p, "--shard", s, "--out", filepath.Join(dir, "shards")); code != 0 {
			t.Fatalf("shard %s: %s", s, e)
		}
	}
	m, _ := filepath.Glob(filepath.Join(dir, "shards", "*.json"))
	shards = append(shards, m...)
	if len(shards) != 2 {
		t.Fatalf("shard files: %v", shards)
	}
	if code, _, e := run(t, append([]string{"merge", "--out", filepath.Join(dir, "merged")}, shards...)...); code != 0 {
		t.Fatalf("merge: %s", e)
	}
	for _, f := range []string{"table.csv", "table.json", "results.json", "study.html", "curve_hashes_per_s.png"} {
		a, _ := os.ReadFile(filepath.Join(dir, "full", f))
		b, _ := os.ReadFile(filepath.Join(dir, "merged", f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: merged shards differ from the unsharded study", f)
		}
	}
	// What --out writes is what --help says, no more and no less: every
	// file --help names, and each chart one of the kinds it names.
	for _, cmd := range []string{"sweep", "merge"} {
		_, help, _ := run(t, cmd, "--help")
		dir := filepath.Join(dir, "full")
		if cmd == "merge" {
			dir = filepath.Join(filepath.Dir(dir), "merged")
		}
		checkOutHelp(t, cmd, help, dir, []string{"table.csv", "table.json", "results.json", "study.html"}, "curve_", "points_", "heatmap_")
	}
	if _, help, _ := run(t, "sweep", "--help"); !strings.Contains(help, "shard-I-of-N.json") {
		t.Errorf("sweep --help does not name a shard's file")
	}
	if names, _ := os.ReadDir(filepath.Join(dir, "shards")); len(names) != 2 || names[0].Name() != "shard-0-of-2.json" {
		t.Errorf("--shard wrote %v, want shard-I-of-N.json only", names)
	}
	// The merged table does not claim the runs took no time (found on the
	// tour: 'Study ...: 4 points, 12 runs of shop2.yaml in 0.0 s').
	if _, table, _ := run(t, append([]string{"merge"}, shards...)...); !strings.Contains(strings.SplitN(table, "\n", 2)[0], " (merged from shards)") || strings.Contains(table, " in 0.0 s") {
		t.Errorf("merge's table begins %q", strings.SplitN(table, "\n", 2)[0])
	}
	if code, _, e := run(t, "merge", shards[0]); code != 1 || !strings.Contains(e, "shard") {
		t.Errorf("merging one shard of two: exit %d, %q", code, e)
	}
}

func TestSweepEmitJob(t *testing.T) {
	p := writeStudyFile(t, t.TempDir())
	code, out, e := run(t, "sweep", p, "--emit-job", "--image", "example.org/kubesim:1", "--shards", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	docs := strings.Split(out, "\n---\n")
	found := false
	for _, d := range docs {
		if !strings.Contains(d, "kind: Job") {
			continue
		}
		found = true
		var job struct {
			Spec struct {
				CompletionMode string `json:"completionMode"`
				Completions    int    `json:"completions"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal([]byte(d), &job); err != nil {
			t.Fatal(err)
		}
		if job.Spec.CompletionMode != "Indexed" || job.Spec.Completions != 2 {
			t.Errorf("job spec %+v", job.Spec)
		}
	}
	if !found {
		t.Fatalf("no Job in:\n%s", out)
	}
	if code, _, e := run(t, "sweep", p, "--emit-job"); code != 2 || !strings.Contains(e, "--image") {
		t.Errorf("--emit-job without --image: exit %d %q", code, e)
	}
}

func TestSweepErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte(strings.Replace(smallStudy, "vars.workers", "cluster.nodes[9].name", 1)), 0o644)
	if code, _, e := run(t, "sweep", bad); code != 1 || !strings.Contains(e, "cluster.nodes[9].name") {
		t.Errorf("bad parameter path: exit %d %q", code, e)
	}
	if code, _, e := run(t, "sweep", "no-such-study"); code != 1 || !strings.Contains(e, "unknown study") {
		t.Errorf("unknown study: exit %d %q", code, e)
	}
	if code, _, _ := run(t, "sweep"); code != 2 {
		t.Errorf("no study: exit %d", code)
	}
	for _, name := range append(study.Builtins(), "rng-replicas", "rng-placement") {
		if code, _, e := run(t, "studies", "show", name); code != 0 {
			t.Errorf("studies show %s: %s", name, e)
		}
	}
}

// checkOutHelp checks that every file in dir is named on --out's line of help
// (a chart: its prefix and "PNG and SVG"), and that every file named there was
// written.
func checkOutHelp(t *testing.T, cmd, help, dir string, files []string, chartPrefixes ...string) {
	t.Helper()
	var outLine string
	for _, l := range strings.Split(help, "\n") {
		if strings.Contains(l, "--out string") {
			outLine = l
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	written := map[string]bool{}
	for _, e := range entries {
		written[e.Name()] = true
		name := e.Name()
		ok := strings.Contains(outLine, name)
		if ext := filepath.Ext(name); ext == ".png" || ext == ".svg" {
			for _, p := range chartPrefixes {
				ok = ok || strings.HasPrefix(name, p) && strings.Contains(outLine, p) && strings.Contains(outLine, "PNG and SVG")
			}
		}
		if !ok {
			t.Errorf("%s --out wrote %s, which --help's %q does not name", cmd, name, strings.TrimSpace(outLine))
		}
	}
	for _, f := range files {
		if !strings.Contains(outLine, f) {
			t.Errorf("%s --help's --out does not name %s", cmd, f)
		}
		if !written[f] {
			t.Errorf("%s --out did not write %s", cmd, f)
		}
	}
}

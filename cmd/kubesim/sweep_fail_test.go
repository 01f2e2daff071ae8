package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// studyWith is smallStudy with its grid replaced.
func studyWith(t *testing.T, dir, name, grid string) string {
	t.Helper()
	i := strings.Index(smallStudy, "    vars.rng_replicas")
	j := strings.Index(smallStudy, "question:")
	return writeFile(t, dir, name, smallStudy[:i]+grid+smallStudy[j:])
}

// A point with a failed step, a parameter that changes nothing, or a missing
// metric fails the study by default: exit 1, naming the point, the replication
// (for what fails while running) and the step.
func TestSweepFailsLoudly(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, grid string
		extra      []string
		want       []string
	}{
		{"refused-step", "    vars.rng_replicas: [1, 3]\n    timeline[0].run: [\"kubectl scale deployment nope --replicas=1\"]\n", nil,
			[]string{"study small: point 0 (duration=1m, timeline[0].run=kubectl scale deployment nope --replicas=1, vars.rng_replicas=1) replication 0 (seed ", "step 1 (at 0s, capacity.yaml:43: kubectl scale deployment nope --replicas=1) failed: Error from server (NotFound): deployments.apps \"nope\" not found"}},
		{"bad-value", "    vars.rng_replicas: [1, 3]\n    vars.workers: [abc]\n", nil,
			[]string{"study small: point 0 (duration=1m, vars.rng_replicas=1, vars.workers=abc): capacity.yaml:47: kubectl create deployment worker --image=dockercoins/worker:v0.1 --replicas=abc: error: invalid argument \"abc\" for \"--replicas\" flag"}},
		{"undefined", "    vars.rng_replicas: [1, 3]\n    vars.nope: [1, 2]\n", nil,
			[]string{"point 0 (duration=1m, vars.nope=1, vars.rng_replicas=1): capacity.yaml: parameter vars.nope: the scenario has no variable nope (its vars: are placement, rng_replicas, workers)"}},
		{"unused-seed", "    vars.rng_replicas: [1, 3]\n    seed: [1, 2]\n", nil,
			[]string{"parameter seed changes nothing the base scenario reads", "every replication gets its own seed from the study's seed"}},
	} {
		p := studyWith(t, dir, c.name+".yaml", c.grid+"    duration: [1m]\n")
		if c.name == "refused-step" {
			// Its one step creates no Service: a Service's metric would be
			// refused before the run (TestSweepChecksMetricsFirst).
			data, _ := os.ReadFile(p)
			p = writeFile(t, dir, c.name+".yaml", strings.Replace(string(data), "metrics: [hashes_per_s, rng.latency_ms.p99]", "metrics: [hashes_per_s]", 1))
		}
		code, out, errs := run(t, append([]string{"sweep", p, "-j", "2"}, c.extra...)...)
		if code != 1 || out != "" {
			t.Errorf("%s: exit %d, stdout %q", c.name, code, out)
		}
		for _, w := range append(c.want, "--keep-going runs the other points") {
			if !strings.Contains(errs, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", c.name, w, errs)
			}
		}
	}
	// A variable the base defines but never uses.
	writeFile(t, dir, "base.yaml", "name: base\nduration: 1m\nvars: {workers: \"1\", unused: \"0\"}\ntimeline:\n  - at: 0s\n    run: kubectl create deployment worker --image=dockercoins/worker:v0.1 --replicas=${workers}\n")
	unused := writeFile(t, dir, "unused.yaml", "name: unused\nbase: base.yaml\nreplications: {min: 2}\nmetrics: [hashes]\nparameters:\n  grid:\n    vars.workers: [1, 2]\n    vars.unused: [5, 6]\n")
	if code, _, errs := run(t, "sweep", unused); code != 1 || !strings.Contains(errs, "error: study unused: point 0 (vars.unused=5, vars.workers=1): parameter vars.unused changes nothing the base scenario reads (5 gives the same scenario as 6): the scenario defines unused but never uses ${unused}") {
		t.Errorf("unused variable: exit %d %q", code, errs)
	}
	metric := writeFile(t, dir, "metric.yaml", strings.Replace(smallStudy, "rng.latency_ms.p99", "rgn.latency_ms.p99", 1))
	// A metric the base cannot report fails before any run.
	if code, _, errs := run(t, "sweep", metric); code != 1 || strings.Contains(errs, `replication`) || !strings.Contains(errs, `metric.yaml:6: metrics[1]: "rgn.latency_ms.p99": the base scenario capacity creates no Service rgn (its Services: hasher, redis, rng, webui)`) {
		t.Errorf("missing metric: exit %d %q", code, errs)
	}
}

// With --keep-going the study runs; a failed point is reported as failed in
// the table, table.csv, table.json, results.json and study.html, never
// averaged, and the exit code is still 1. Shards and merge give the same files.
func TestSweepKeepGoing(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "kg.yaml", `name: kg
base: capacity
seed: 3
replications: {min: 2}
warmup: 30s
metrics: [hashes_per_s]
parameters:
  points:
    - {vars.rng_replicas: 1, duration: 1m}
    - {vars.rng_replicas: 2, duration: 1m, "timeline[0].run": "kubectl scale deployment nope --replicas=1"}
    - {vars.rng_replicas: 3, duration: 1m}
question: {find: smallest, parameter: vars.rng_replicas, metric: hashes_per_s, op: ">=", bound: 15}
`)
	full := filepath.Join(dir, "full")
	code, out, errs := run(t, "sweep", p, "--keep-going", "--out", full)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// 3 points x 2 replications: point 1's two failed (its step is refused).
	if !strings.Contains(out, "Study kg: 3 points, 1 FAILED, 6 runs of capacity (2 failed) in ") || !strings.Contains(out, "hashes_per_s  0  FAILED") ||
		!strings.Contains(out, "undetermined with 95% confidence: point 1 (duration=1m, timeline[0].run=kubectl scale deployment nope --replicas=1, vars.rng_replicas=2) failed") {
		t.Errorf("table:\n%s", out)
	}
	if !strings.Contains(errs, "error: 1 of 3 points failed; they are reported as failed, not averaged:\n  study kg: point 1 ") {
		t.Errorf("stderr: %s", errs)
	}
	read := func(d, f string) string {
		b, err := os.ReadFile(filepath.Join(d, f))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	step := `step 1 (at 0s, capacity.yaml:43: kubectl scale deployment nope --replicas=1) failed: Error from server (NotFound): deployments.apps `
	if csv := read(full, "table.csv"); !strings.Contains(csv, ",error,identical\n") || !strings.Contains(csv, "1,1m,kubectl scale deployment nope --replicas=1,2,hashes_per_s,0,,,,,,,\"study kg: point 1 ") || !strings.Contains(csv, step) {
		t.Errorf("table.csv:\n%s", csv)
	}
	if js := read(full, "table.json"); !strings.Contains(js, `"failed_points": 1`) || !strings.Contains(js, `"error": "study kg: point 1`) || !strings.Contains(js, `"failed_point": 1`) {
		t.Errorf("table.json:\n%s", js)
	}
	if js := read(full, "results.json"); strings.Count(js, `"error": "study kg: point 1`) != 3 { // 2 replications and the point
		t.Errorf("results.json:\n%s", js)
	}
	if html := read(full, "study.html"); !strings.Contains(html, `<h2 id="failed">Failed points</h2>`) || !strings.Contains(html, `<tr class="failed"><td class="r">1</td>`) || !strings.Contains(html, "undetermined: point 1") {
		t.Errorf("study.html lacks the failed point")
	}
	shards := filepath.Join(dir, "shards")
	for _, s := range []string{"0/2", "1/2"} {
		code, _, errs := run(t, "sweep", p, "--keep-going", "--shard", s, "--out", shards)
		want := map[string]int{"0/2": 0, "1/2": 1}[s] // point 1 is in shard 1/2
		if code != want || (want == 1) != strings.Contains(errs, "1 of 1 point failed") {
			t.Errorf("shard %s: exit %d %s", s, code, errs)
		}
	}
	files, _ := filepath.Glob(filepath.Join(shards, "*.json"))
	merged := filepath.Join(dir, "merged")
	code, _, errs = run(t, append([]string{"merge", "--out", merged}, files...)...)
	if code != 1 || !strings.Contains(errs, "1 of 3 points failed") {
		t.Errorf("merge: exit %d %s", code, errs)
	}
	for _, f := range []string{"table.csv", "table.json", "results.json", "study.html"} {
		if a, b := read(full, f), read(merged, f); a != b {
			t.Errorf("%s: merged shards differ from the unsharded run", f)
		}
	}
	// Without --keep-going the shard with the failure fails and writes nothing.
	if code, _, errs := run(t, "sweep", p, "--shard", "1/2", "--out", filepath.Join(dir, "strict")); code != 1 || !strings.Contains(errs, "study kg: point 1 ") {
		t.Errorf("strict shard: exit %d %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "strict")); err == nil {
		t.Error("a failed strict shard wrote its directory")
	}
	// --emit-job passes --keep-going to the shards.
	_, job, _ := run(t, "sweep", p, "--keep-going", "--emit-job", "--image", "example.org/kubesim:1", "--shards", "2")
	if !strings.Contains(job, "- --keep-going") {
		t.Errorf("job lacks --keep-going:\n%s", job)
	}
}

// --set on sweep: a one-value parameter vars.NAME, shown in the table.
func TestSweepSet(t *testing.T) {
	p := writeStudyFile(t, t.TempDir())
	code, out, errs := run(t, "sweep", p, "--set", "placement=deployment", "-o", "csv")
	if code != 0 || !strings.HasPrefix(out, "point,duration,vars.placement,vars.rng_replicas,vars.workers,metric") || !strings.Contains(out, ",deployment,1,5,hashes_per_s,") {
		t.Errorf("exit %d %s\n%s", code, errs, out)
	}
	if code, _, errs := run(t, "sweep", p, "--set", "workers=3"); code != 1 || !strings.Contains(errs, "--set workers: the study already varies vars.workers") {
		t.Errorf("--set of a varied parameter: exit %d %q", code, errs)
	}
	// Named as the user's --set, before any point, without the --keep-going
	// hint (no point could run with it).
	if code, _, errs := run(t, "sweep", p, "--set", "nope=3"); code != 1 || !strings.Contains(errs, "--set nope=3: the scenario has no variable nope (its vars: are placement, rng_replicas, workers)") || strings.Contains(errs, "point 0") || strings.Contains(errs, "keep-going") {
		t.Errorf("--set nope: exit %d %q", code, errs)
	}
}

// validate checks study files: against their base scenario, every point.
func TestValidateStudies(t *testing.T) {
	dir := t.TempDir()
	good := writeStudyFile(t, dir)
	bad := writeFile(t, dir, "bad.yaml", strings.Replace(smallStudy, "  grid:\n    vars.rng_replicas: [1, 3]\n    vars.workers: [5]\n    duration: [2m]\n", "  points:\n    - {vars.rng_replicas: 1, vars.nope: 1}\n    - {vars.rng_replicas: x}\n", 1))
	code, out, errs := run(t, "validate", good, bad)
	if code != 1 || !strings.Contains(out, "small.yaml: valid") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	for _, w := range []string{
		"bad.yaml: point 0 (vars.nope=1, vars.rng_replicas=1): capacity.yaml: parameter vars.nope: the scenario has no variable nope",
		`bad.yaml: point 1 (vars.rng_replicas=x): capacity.yaml:48: kubectl apply -f rng-deployment.yml -f rng-service.yml: rng-deployment.yml:5: spec.replicas: expected an integer, got the string "x"`,
		"1 of 2 files invalid",
	} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
	for _, name := range builtinStudies() {
		_, y, _ := run(t, "studies", "show", name)
		f := writeFile(t, dir, name+".yaml", y)
		if code, _, errs := run(t, "validate", f); code != 0 {
			t.Errorf("built-in study %s: %s", name, errs)
		}
	}
	mmc := writeFile(t, dir, "mmc.yaml", "name: m\nbase: mmc\nreplications: {min: 2}\nmetrics: [wq_s]\nparameters:\n  points:\n    - {c: 1, rho: 0.5}\n    - {c: 1, rho: 1.5}\n    - {c: 2, rho: 0.5, vars.a: 1}\n")
	code, _, errs = run(t, "validate", mmc)
	if code != 1 || !strings.Contains(errs, "mmc.yaml: point 1 (c=1, rho=1.5): utilisation rho = lambda/(c*mu) = 1.5: the queue is unstable; want rho < 1") || !strings.Contains(errs, `mmc.yaml: point 2 (c=2, rho=0.5, vars.a=1): mmc: unknown parameter "vars.a"`) || strings.Contains(errs, "point 0") {
		t.Errorf("mmc study: exit %d %q", code, errs)
	}
	if code, _, errs := run(t, "validate", writeFile(t, dir, "nobase.yaml", strings.Replace(smallStudy, "base: capacity", "base: nothere.yaml", 1))); code != 1 || !strings.Contains(errs, `base: study base "nothere.yaml": not a built-in scenario`) {
		t.Errorf("missing base: exit %d %q", code, errs)
	}
}

// validate checks a study's metric names against what its base scenario
// reports, before anything runs: a Service no step creates, an HPA no step
// creates and a kind of metric kubesim does not give are each reported with
// the file, the line, the field and what to do; a Service a manifest or
// kubectl expose creates, an HPA kubectl autoscale creates, the workloads'
// metrics and requests.* pass.
func TestValidateStudyMetrics(t *testing.T) {
	dir := t.TempDir()
	metrics := "metrics: [hashes_per_s, rng.latency_ms.p99, rgn.latency_ms.p99, rng.latncy_ms.p99, hpa.rng.replicas, requests.sent, worker.requests]\n"
	bad := writeFile(t, dir, "metrics.yaml", strings.Replace(smallStudy, "metrics: [hashes_per_s, rng.latency_ms.p99]\n", metrics, 1))
	code, _, errs := run(t, "validate", bad)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, w := range []string{
		`metrics.yaml:6: metrics[2]: "rgn.latency_ms.p99": the base scenario capacity creates no Service rgn (its Services: hasher, redis, rng, webui), so the run would have no latency_ms.p99; fix the Service's name`,
		`metrics.yaml:6: metrics[3]: "rng.latncy_ms.p99" is not a metric kubesim reports: a Service's are SERVICE.requests|errors|`,
		`metrics.yaml:6: metrics[4]: "hpa.rng.replicas": the base scenario capacity creates no HorizontalPodAutoscaler rng (it creates none); fix the name`,
		`metrics.yaml:6: metrics[6]: "worker.requests": the base scenario capacity creates no Service worker`,
	} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
	for _, ok := range []string{"metrics[0]", "metrics[1]", "metrics[5]"} {
		if strings.Contains(errs, ok) {
			t.Errorf("%s is a metric the run reports:\n%s", ok, errs)
		}
	}

	// A base whose steps expose a Service and autoscale a Deployment.
	writeFile(t, dir, "base.yaml", `name: b
duration: 1m
vars: {replicas: 1}
timeline:
  - at: 0s
    run: kubectl create deployment web --image=nginx --replicas=${replicas}
  - at: 0s
    run: kubectl expose deployment web --port=80 --name=front
  - at: 1s
    run: kubectl autoscale deployment web --max=3
`)
	st := writeFile(t, dir, "st.yaml", `name: s
base: base.yaml
replications: {min: 2}
metrics: [front.latency_ms.p50, hpa.web.pod_hours, web.requests, hpa.front.replicas]
parameters:
  grid:
    vars.replicas: [1, 2]
`)
	code, _, errs = run(t, "validate", st)
	if code != 1 || strings.Contains(errs, "metrics[0]") || strings.Contains(errs, "metrics[1]") ||
		!strings.Contains(errs, `st.yaml:4: metrics[2]: "web.requests": the base scenario base.yaml creates no Service web (its Services: front)`) ||
		!strings.Contains(errs, `st.yaml:4: metrics[3]: "hpa.front.replicas": the base scenario base.yaml creates no HorizontalPodAutoscaler front (its HPAs: web)`) {
		t.Errorf("exit %d:\n%s", code, errs)
	}
}

// sweep checks the metric names before it runs anything (was: only validate
// did; sweep ran every replication, then failed): a typo fails at once, exit
// 1, naming the file, the line and the names there are, --keep-going or not.
// routes.SERVICE/route. and clients.NAME. must name a route a script of the
// scenario's workload calls and a client it declares (was: checked for their
// kind only).
func TestSweepChecksMetricsFirst(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "shop.yaml", `name: shop
duration: 20s
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=example/web
      kubectl expose deployment web --port 80 --type=LoadBalancer
      kubectl create deployment db --image=example/db
      kubectl expose deployment db --port 5432
workload:
  services:
    - {name: web, image: web, routes: [{name: /, service: exp(5ms), script: [{call: db/query}]}]}
    - {name: db, image: db, routes: [{name: /query, service: exp(2ms)}]}
  clients:
    - {name: shoppers, users: 2, think: exp(1s), call: web}
`)
	study := func(metrics string) string {
		return writeFile(t, dir, "st.yaml", "name: s\nbase: shop.yaml\nreplications: {min: 2, max: 2}\nmetrics: "+metrics+`
parameters:
  grid:
    duration: [10s, 20s]
`)
	}
	good := study("[web.latency_ms.p99, routes.db/query.latency_ms.p99, clients.shoppers.error_rate, routes.web/.requests]\n")
	if code, out, errs := run(t, "sweep", good, "-o", "json"); code != 0 {
		t.Fatalf("valid metrics: exit %d\n%s\n%s", code, out, errs)
	}
	bad := study("[web.latncy_ms.p99, routes.db/qeury.latency_ms.p99, clients.shopers.error_rate, routes.db/query.latency_ms.p99]\n")
	for _, args := range [][]string{{"sweep", bad}, {"sweep", bad, "--keep-going"}, {"validate", bad}} {
		code, out, errs := run(t, args...)
		if code != 1 || out != "" && args[0] == "sweep" {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
		}
		for _, w := range []string{
			`st.yaml:4: metrics[0]: "web.latncy_ms.p99" is not a metric kubesim reports: a Service's are SERVICE.requests|errors|refused|reset|timeout|app_errors|latency_ms.p50|`,
			`st.yaml:4: metrics[1]: "routes.db/qeury.latency_ms.p99": the base scenario shop.yaml's workload calls no route db/qeury (its routes: db/query`,
			`st.yaml:4: metrics[2]: "clients.shopers.error_rate": the base scenario shop.yaml's workload declares no client shopers (its clients: `,
		} {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", args, w, errs)
			}
		}
		if strings.Contains(errs, "metrics[3]") || strings.Contains(errs, "replication") {
			t.Errorf("%v: %s", args, errs)
		}
	}
	// --coarse measures no latency and no per-window figures: a study asking
	// for them is refused before any run, a count is not.
	coarse := study("[web.latency_ms.p99, routes.db/query.requests_per_s, clients.shoppers.error_rate, web.requests]\n")
	for _, args := range [][]string{{"sweep", coarse, "--coarse"}, {"sweep", coarse, "--coarse", "--keep-going"}} {
		code, out, errs := run(t, args...)
		if code != 1 || out != "" {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
		}
		for i, m := range []string{"web.latency_ms.p99", "routes.db/query.requests_per_s", "clients.shoppers.error_rate"} {
			if w := fmt.Sprintf("st.yaml:4: metrics[%d]: %q: --coarse measures no latency and no per-window figures, so no run would have this metric; drop --coarse", i, m); !strings.Contains(errs, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", args, w, errs)
			}
		}
		if strings.Contains(errs, "metrics[3]") || strings.Contains(errs, "replication") {
			t.Errorf("%v: %s", args, errs)
		}
	}
	if code, _, errs := run(t, "validate", coarse); code != 0 {
		t.Errorf("validate (no --coarse): exit %d %s", code, errs)
	}
}

// A step marked expect: error that fails is what the scenario says; one
// that succeeds fails the study point, as a failing unmarked step does.
func TestSweepExpectError(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "base.yaml", `name: base
duration: 1m
vars: {cmd: "kubectl scale deployment nope --replicas=1"}
timeline:
  - at: 0s
    run: kubectl create deployment rng --image=dockercoins/rng:v0.1
  - at: 10s
    run: ${cmd}
    expect: error
`)
	st := writeFile(t, dir, "st.yaml", `name: st
base: base.yaml
seed: 1
replications: {min: 2}
metrics: [hashes]
parameters:
  grid:
    vars.cmd: ["kubectl scale deployment nope --replicas=1", "kubectl scale deployment rng --replicas=2"]
`)
	code, out, errs := run(t, "sweep", st, "--keep-going", "-o", "csv")
	if code != 1 || !strings.Contains(out, "\n0,kubectl scale deployment nope --replicas=1,hashes,2,0,0,,,,,,true\n") ||
		!strings.Contains(out, "step 2 (at 10s, "+filepath.Join(dir, "base.yaml")+":8: kubectl scale deployment rng --replicas=2) succeeded, but the scenario says expect: error") {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
	// The built-in workshop marks its refused DaemonSet cast: a study over it runs.
	w := writeFile(t, dir, "w.yaml", "name: w\nbase: workshop\nreplications: {min: 2}\nmetrics: [hashes]\n")
	if code, _, errs := run(t, "sweep", w); code != 0 {
		t.Errorf("study over the workshop: exit %d %s", code, errs)
	}
	if code, _, errs := run(t, "validate", writeFile(t, dir, "x.yaml", "name: x\nduration: 1m\ntimeline:\n  - at: 0s\n    run: kubectl get pods\n    expect: failure\n")); code != 1 || !strings.Contains(errs, `x.yaml:6: timeline[0].expect: "failure": want error (the step is meant to fail) or success (the default)`) {
		t.Errorf("expect: failure: exit %d %q", code, errs)
	}
}

// A warm-up that removes every window of a point's run is found before any
// run: validate names the study's line, the point and the longest warm-up
// that keeps a window; sweep fails before running (or, with --keep-going,
// reports that point as failed and runs the others). A study of whole-run
// metrics only is not affected (the warm-up does not apply to them).
func TestWarmupLongerThanTheRun(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "w.yaml", `name: w
base: capacity
replications: {min: 2}
warmup: 1m
metrics: [hashes_per_s]
parameters:
  grid:
    duration: [55s, 2m]
`)
	want := "w.yaml:4: warmup: 1m0s removes every 10s window of point 0 (duration=55s): a run of 55s has 6, so hashes_per_s would have no value; give a warm-up of at most 50s, or a longer duration"
	code, out, errs := run(t, "validate", p)
	if code != 1 || out != "" || !strings.Contains(errs, want) || strings.Contains(errs, "point 1") {
		t.Errorf("validate: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, errs, want)
	}
	code, out, errs = run(t, "sweep", p)
	if code != 1 || out != "" || !strings.Contains(errs, want) || strings.Contains(errs, "replication") {
		t.Errorf("sweep: exit %d, stdout %q, stderr %q; want exit 1 before any run and %q", code, out, errs, want)
	}
	code, out, errs = run(t, "sweep", p, "--keep-going")
	if code != 1 || !strings.Contains(out, "Study w: 2 points, 1 FAILED") || !strings.Contains(errs, want) {
		t.Errorf("sweep --keep-going: exit %d\n%s\n%s", code, out, errs)
	}
	scalars := writeFile(t, dir, "s.yaml", "name: s\nbase: capacity\nreplications: {min: 2}\nwarmup: 10m\nmetrics: [hashes]\n")
	if code, _, errs := run(t, "validate", scalars); code != 0 {
		t.Errorf("a warm-up with whole-run metrics only: exit %d %s", code, errs)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"weak"

	"github.com/kubesim/kubesim/scenarios"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func jsonWithoutWall(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, s)
	}
	if _, ok := m["wall_seconds"]; !ok {
		t.Fatal("no wall_seconds field")
	}
	delete(m, "wall_seconds")
	return m
}

func TestRunJSONIsDeterministic(t *testing.T) {
	code1, a, _ := run(t, "run", "-o", "json", "--seed", "42")
	code2, b, _ := run(t, "run", "-o", "json", "--seed", "42")
	if code1 != 0 || code2 != 0 {
		t.Fatalf("exit codes %d, %d", code1, code2)
	}
	ja, jb := jsonWithoutWall(t, a), jsonWithoutWall(t, b)
	ea, _ := json.Marshal(ja)
	eb, _ := json.Marshal(jb)
	if !bytes.Equal(ea, eb) {
		t.Fatal("same seed gave different JSON")
	}
	_, c, _ := run(t, "run", "-o", "json", "--seed", "43")
	ec, _ := json.Marshal(jsonWithoutWall(t, c))
	if bytes.Equal(ea, ec) {
		t.Fatal("another seed gave identical JSON")
	}
	for _, f := range []string{"scenario", "seed", "sim_seconds", "events", "hashes", "windows", "services", "nodes"} {
		if _, ok := ja[f]; !ok {
			t.Errorf("JSON summary lacks %q", f)
		}
	}
	if ja["seed"].(float64) != 42 {
		t.Errorf("seed = %v", ja["seed"])
	}
}

func TestRunTable(t *testing.T) {
	code, out, _ := run(t, "run")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"hashes/s", "rng", "hasher", "node2", "Requests:"} {
		if !strings.Contains(out, want) {
			t.Errorf("table output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunOutWritesPlotAndSummary(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "run", "--out", dir, "--duration", "60s"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range []string{"summary.json", "throughput.png", "throughput.svg"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("missing %s: %v", f, err)
		} else if st.Size() < 500 {
			t.Errorf("%s is only %d bytes", f, st.Size())
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "throughput.png"))
	if err == nil && !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Error("throughput.png is not a PNG")
	}
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"run", "--bogus"}, 2, "unknown flag"},
		{[]string{"run", "-o", "yaml"}, 2, "output format"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"run", "no-such-scenario"}, 1, "unknown scenario"},
		{[]string{"run", "--duration", "-5s"}, 2, "duration"},
	}
	for _, c := range cases {
		code, _, errs := run(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("kubesim %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(c.args, " "), code, errs, c.code, c.msg)
		}
	}
	if code, out, _ := run(t, "--help"); code != 0 || !strings.Contains(out, "Examples") {
		t.Errorf("--help: exit %d, output %q", code, out)
	}
}

// A mining speed above 50 hashes/s still draws bars that fit a terminal, and the
// table says what one # stands for.
func TestRunTableBarsFitAtScale(t *testing.T) {
	code, yaml, _ := run(t, "scenarios", "show", "capacity")
	if code != 0 {
		t.Fatalf("scenarios show capacity: exit %d", code)
	}
	for old, new := range map[string]string{
		`workers: "10"`: `workers: "300"`, `rng_replicas: "1"`: `rng_replicas: "40"`,
		"  workers: 3\n": "  workers: 12\n", "duration: 5m": "duration: 1m",
	} {
		if !strings.Contains(yaml, old) {
			t.Fatalf("capacity scenario lacks %q", old)
		}
		yaml = strings.Replace(yaml, old, new, 1)
	}
	f := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(f, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "run", f)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "# = 5 hashes/s") { // the hasher caps mining at 200/s
		t.Errorf("no bar scale in the header:\n%s", out)
	}
	bars := 0
	for _, l := range strings.Split(out, "\n") {
		if i := strings.IndexByte(l, '#'); i >= 0 && strings.HasSuffix(l, "#") {
			bars++
			if n := len(l) - i; n > barWidth {
				t.Errorf("bar of %d characters: %s", n, l)
			}
		}
	}
	if bars == 0 {
		t.Errorf("no bars in:\n%s", out)
	}
}

func TestBarScale(t *testing.T) {
	for _, c := range []struct{ peak, per float64 }{
		{0, 1}, {9.9, 1}, {50, 1}, {50.1, 2}, {100, 2}, {101, 5}, {250, 5}, {251, 10},
		{200_000, 5000}, {math.NaN(), 1}, {math.Inf(1), 1},
	} {
		if got := barScale(c.peak); got != c.per {
			t.Errorf("barScale(%v) = %v, want %v", c.peak, got, c.per)
		}
	}
	if barLen(math.NaN()) != 0 || barLen(-3) != 0 || barLen(1e9) != barWidth || barLen(2.5) != 3 {
		t.Errorf("barLen: NaN %d, -3 %d, 1e9 %d, 2.5 %d", barLen(math.NaN()), barLen(-3), barLen(1e9), barLen(2.5))
	}
}

// A run without DockerCoins prints its Services' throughput and latency and
// nothing of DockerCoins: no mining speed in the table, no hashes in the JSON.
func TestRunWithoutDockerCoins(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "idle.yaml")
	os.WriteFile(f, []byte("name: idle\nduration: 1m\ntimeline:\n  - at: 0s\n    run: kubectl create deployment web --image=nginx\n"), 0o644)
	code, out, errs := run(t, "run", f)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out, "Mining speed") || strings.Contains(out, "hashes") {
		t.Errorf("a run without DockerCoins shows mining figures:\n%s", out)
	}
	if !strings.Contains(out, "ok/s") {
		t.Errorf("no Services table with throughput:\n%s", out)
	}
	_, js, _ := run(t, "run", f, "-o", "json")
	m := jsonWithoutWall(t, js)
	for _, k := range []string{"hashes", "hashes_computed", "windows"} {
		if _, ok := m[k]; ok {
			t.Errorf("JSON summary has %q without DockerCoins", k)
		}
	}
	for _, k := range []string{"services", "requests", "timeline"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON summary lacks %q", k)
		}
	}
}

// kubesim run --workload FILE adds a workload file's services and clients to
// the scenario, and kubesim validate checks workload files.
func TestRunWithWorkloadFile(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "app.yaml")
	os.WriteFile(sc, []byte("name: app\nduration: 1m\ntimeline:\n  - at: 0s\n    run: |\n      kubectl create deployment api --image=example/api:v1\n      kubectl expose deployment api --port 80 --type=LoadBalancer\n"), 0o644)
	wl := filepath.Join(dir, "svcs.yaml")
	os.WriteFile(wl, []byte("services:\n  - {name: api, image: api, routes: [{name: /, service: exp(10ms)}]}\nclients:\n  - {name: load, rate: 10, call: api}\n"), 0o644)
	if code, out, errs := run(t, "validate", wl); code != 0 {
		t.Fatalf("validate %s: exit %d: %s%s", wl, code, out, errs)
	}
	code, js, errs := run(t, "run", sc, "--workload", wl, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	m := jsonWithoutWall(t, js)
	api, _ := m["services"].(map[string]any)["api"].(map[string]any)
	if api == nil || api["requests"].(float64) < 400 {
		t.Errorf("api Service: %v, want about 10 requests/s for 1 min", api)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("services:\n  - {name: api, image: api, concurrency: 0}\n"), 0o644)
	if code, _, errs := run(t, "validate", bad); code != 1 || !strings.Contains(errs, "bad.yaml:2: services[0].concurrency") {
		t.Errorf("validate %s: exit %d, %q", bad, code, errs)
	}
}

// A name the scenario's workload and a --workload file both declare is
// refused before the run, naming both places (was: both ran, their figures
// summed in one row, and the first declaration served the containers).
func TestWorkloadFileNameTakenRefused(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "app.yaml")
	os.WriteFile(sc, []byte("name: app\nduration: 1m\ntimeline:\n  - at: 0s\n    run: |\n      kubectl create deployment api --image=example/api\n      kubectl expose deployment api --port 80 --type=LoadBalancer\nworkload:\n  services:\n    - {name: api, image: api}\n  clients:\n    - {name: load, users: 5, call: api}\n"), 0o644)
	wl := filepath.Join(dir, "more.yaml")
	os.WriteFile(wl, []byte("services:\n  - {name: api, image: api, routes: [{name: /, service: 5ms}]}\nclients:\n  - {name: load, rate: 50, call: api}\n  - {name: other, rate: 5, call: api}\n"), 0o644)
	code, out, errs := run(t, "run", sc, "--workload", wl)
	for _, want := range []string{
		wl + `:2: service "api" is already declared at ` + sc + `:10; names must be unique across the scenario's workload and the files added to it`,
		wl + `:4: client "load" is already declared at ` + sc + `:12;`,
	} {
		if code != 1 || !strings.Contains(errs, want) {
			t.Errorf("exit %d, stderr %q; want 1 and %q", code, errs, want)
		}
	}
	if out != "" {
		t.Errorf("a refused run printed %q", out)
	}
}

// An isotope service graph runs on its own with run --workload, and validate
// checks it.
func TestRunIsotopeGraph(t *testing.T) {
	graph := "../../workload/isotope/testdata/chain-3-services.yaml"
	code, out, errs := run(t, "run", "--workload", graph, "--duration", "10s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Scenario chain-3-services", "kubectl apply -f chain-3-services-isotope.yaml", "client-a"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, _, errs := run(t, "validate", graph); code != 0 {
		t.Errorf("validate: exit %d: %s", code, errs)
	}
}

// kubesim workloads lists the built-in workloads and isotope's examples; show
// prints each as a file kubesim validates; an unknown name lists the known.
func TestWorkloadsListAndShow(t *testing.T) {
	code, out, _ := run(t, "workloads")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"dockercoins", "online-boutique", "isotope-canonical", "isotope-tree-111-services"} {
		if !strings.Contains(out, want) {
			t.Errorf("workloads lacks %s:\n%s", want, out)
		}
	}
	dir := t.TempDir()
	for _, name := range []string{"dockercoins", "online-boutique", "isotope-canonical"} {
		code, out, errs := run(t, "workloads", "show", name)
		if code != 0 || out == "" {
			t.Fatalf("workloads show %s: exit %d: %s", name, code, errs)
		}
		f := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, vout, errs := run(t, "validate", f); code != 0 {
			t.Errorf("validate %s: exit %d: %s%s", name, code, vout, errs)
		}
	}
	if code, _, errs := run(t, "workloads", "show", "nope"); code != 1 || !strings.Contains(errs, "online-boutique") {
		t.Errorf("workloads show nope: exit %d, %q", code, errs)
	}
	if code, out, _ := run(t, "workloads", "--help"); code != 0 || !strings.Contains(out, "kubesim workloads show NAME") {
		t.Errorf("workloads --help: exit %d, %q", code, out)
	}
}

// The timeline keeps the blank line kubectl prints between the kinds of `get
// all` (and of `get ds,pods`); none is added after an output.
func TestRunTableKeepsBlankLinesOfGetAll(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "all.yaml")
	const scenario = `name: all
duration: 40s
cluster: {workers: 1}
timeline:
  - at: 1s
    run: kubectl create deployment web --image=nginx
  - at: 30s
    run: |
      kubectl get all
      kubectl get nodes
`
	if err := os.WriteFile(file, []byte(scenario), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "run", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := "           pod/web-55f645b9fd-6clp4   1/1     Running   0          28s\n\n" +
		"           NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
	if !strings.Contains(out, want) || !strings.Contains(out, "28s\n      30s  kubectl get nodes\n") {
		t.Errorf("get all's groups are not separated by one blank line as kubectl's:\n%s", out)
	}
}

// --out changes nothing the terminal shows: the table and the JSON summary
// are the same with and without it (apart from the wall-clock figures).
func TestRunOutPrintsTheSame(t *testing.T) {
	wall := regexp.MustCompile(`simulated in [0-9.]+ s|"wall_seconds": [0-9.e+-]+`)
	for _, o := range []string{"table", "json"} {
		_, plain, _ := run(t, "run", "--duration", "60s", "-o", o)
		code, with, errs := run(t, "run", "--duration", "60s", "-o", o, "--out", t.TempDir())
		if code != 0 {
			t.Fatalf("-o %s --out: exit %d: %s", o, code, errs)
		}
		if a, b := wall.ReplaceAllString(plain, ""), wall.ReplaceAllString(with, ""); a != b || len(a) < 500 {
			t.Errorf("-o %s: the output with --out differs from the one without:\n%s\n---\n%s", o, b, a)
		}
	}
}

// What --out writes holds neither the cluster nor the Recorder, so that they
// are freed before a large run's charts and CSV files are written (at 5,000
// nodes the run's peak RSS with --out went 716 -> 523 MB).
func TestOutFilesHoldNoRun(t *testing.T) {
	s, err := scenarios.Builtin("scale-workers")
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.RunWith(s, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := outOf(s, res)
	cluster, rec := weak.Make(res.Cluster), weak.Make(res.Rec)
	res = nil
	runtime.GC()
	runtime.GC()
	if cluster.Value() != nil || rec.Value() != nil {
		t.Errorf("once --out's files were taken from the run, the cluster is still live: %v, the Recorder: %v; want both freed", cluster.Value() != nil, rec.Value() != nil)
	}
	if len(o.summary) == 0 || len(o.run.Series.Services) == 0 {
		t.Errorf("--out's files are empty: %d bytes of summary, %d Services", len(o.summary), len(o.run.Series.Services))
	}
}

// A graph whose pods cannot all be scheduled never starts its load client:
// the run prints what it has, says which pods are Pending and why, and exits
// 1 (a failed run: it measured none of the load), naming the client.
func TestRunFailsWhenLoadNeverStarts(t *testing.T) {
	dir := t.TempDir()
	graph := filepath.Join(dir, "graph.yaml")
	os.WriteFile(graph, []byte("defaults: {numReplicas: 3}\nservices:\n  - {name: a, isEntrypoint: true, script: [{call: b}]}\n  - {name: b}\n"), 0o644)
	// One worker of 4 pod slots: 2 of the 6 pods stay Pending.
	sc := filepath.Join(dir, "small.yaml")
	os.WriteFile(sc, []byte("name: small\nduration: 1m\ncluster: {workers: 1, capacity: {pods: 4}}\n"), 0o644)
	code, out, errs := run(t, "run", sc, "--workload", graph)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the load never started): %s", code, errs)
	}
	if !strings.Contains(errs, "load client client-a never started") || !strings.Contains(errs, "2 pods Pending at the end") {
		t.Errorf("stderr does not say the client never started and why: %q", errs)
	}
	for _, want := range []string{"Pending pods at the end (unschedulable: the scheduler found no node for them): 2",
		"2 pods (first ", "0/2 nodes are available: 1 Too many pods, 1 node(s) had untolerated taint", "client-a: never started",
		"at 60.000 s, 1 of 2 Services had fewer ready endpoints than they need (a 1 of 3)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// A run that ends before the graph is Ready says so.
	if code, _, errs := run(t, "run", "--workload", graph, "--duration", "2s"); code != 1 || !strings.Contains(errs, "no pod is unschedulable: the graph was still rolling out when the run ended at 2s") {
		t.Errorf("graph alone for 2 s: exit %d: %q", code, errs)
	}
	// The same graph alone gets a cluster that holds it: the load runs.
	if code, out, errs := run(t, "run", "--workload", graph, "--duration", "20s"); code != 0 || strings.Contains(out, "Pending pods") || !strings.Contains(out, "client-a: started at") {
		t.Errorf("graph alone: exit %d: %s\n%s", code, errs, out)
	}
}

// A run in which no request was sent says so under Services, rather than a
// header with no rows (found on the tour: a scenario that only applies
// manifests printed the column names and nothing under them).
func TestRunWithoutRequestsSaysSo(t *testing.T) {
	p := filepath.Join(t.TempDir(), "quiet.yaml")
	if err := os.WriteFile(p, []byte("name: quiet\nduration: 10s\ntimeline:\n  - at: 0s\n    run: kubectl get pods\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, e := run(t, "run", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	want := "Services (ok/s: requests answered without error per simulated second; latency as clients see it, ms):\n  (none: no request was sent)\n"
	if !strings.Contains(out, want) {
		t.Errorf("output:\n%s\nwant it to contain:\n%s", out, want)
	}
}

// --qps paces an isotope graph's load client as fortio's -qps paces its
// connections: 100 qps on 4 connections gives 100 ok/s when the graph keeps
// up, and less when each connection's requests take longer than its share
// of the rate allows (2 connections of 50 ms requests: at most 40/s).
func TestRunIsotopeQPS(t *testing.T) {
	dir := t.TempDir()
	graph := func(sleep string) string {
		p := filepath.Join(dir, "g"+sleep+".yaml")
		src := "services:\n- name: a\n  isEntrypoint: true\n  script:\n  - call: b\n- name: b\n  script:\n  - sleep: " + sleep + "\n"
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// okRate is client-a's runs without error per second in the windows
	// from 10 s (the load starts once the graph is ready, near 4 s).
	okRate := func(args ...string) float64 {
		t.Helper()
		code, js, errs := run(t, append([]string{"run", "-o", "json", "--duration", "30s", "--window", "10s"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var sum struct {
			Clients map[string]struct {
				Windows []struct {
					Start    float64 `json:"start_s"`
					End      float64 `json:"end_s"`
					Requests int     `json:"requests"`
					Errors   int     `json:"errors"`
				} `json:"windows"`
			} `json:"clients"`
		}
		if err := json.Unmarshal([]byte(js), &sum); err != nil {
			t.Fatal(err)
		}
		ok, secs := 0, 0.0
		for _, w := range sum.Clients["client-a"].Windows {
			if w.Start >= 10 {
				ok += w.Requests - w.Errors
				secs += w.End - w.Start
			}
		}
		if secs != 20 {
			t.Fatalf("windows from 10 s cover %v s, want 20", secs)
		}
		return float64(ok) / secs
	}
	if r := okRate("--workload", graph("10ms"), "--qps", "100", "--connections", "4"); r < 98 || r > 102 {
		t.Errorf("100 qps on 4 connections, 10 ms requests: %.2f ok/s, want about 100", r)
	}
	if r := okRate("--workload", graph("50ms"), "--qps", "100", "--connections", "2"); r >= 40 || r < 30 {
		t.Errorf("100 qps on 2 connections, 50 ms requests: %.2f ok/s, want below 40 (each connection waits for its answer)", r)
	}
	// qps max (the default) on the same 2 connections goes as fast as the
	// answers come: the pacing did not lower the saturated rate.
	if r := okRate("--workload", graph("50ms"), "--connections", "2"); r >= 40 || r < 30 {
		t.Errorf("qps max on 2 connections, 50 ms requests: %.2f ok/s, want below 40", r)
	}
}

// --qps and --connections are checked before the run: usage errors (exit 2)
// that say what they want.
func TestRunIsotopeQPSInvalid(t *testing.T) {
	graph := "../../workload/isotope/testdata/chain-3-services.yaml"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--workload", graph, "--qps", "-5"}, `--qps "-5": want requests per second, a number at least 0`},
		{[]string{"--workload", graph, "--qps", "fast"}, `--qps "fast": want requests per second`},
		{[]string{"--workload", graph, "--connections", "0"}, "--connections 0: want a number of connections from 1 to 100000"},
		{[]string{"--workload", graph, "--connections", "x"}, `invalid argument "x" for "--connections"`},
		{[]string{"--qps", "100"}, "--qps and --connections set the load client of an isotope service graph, and no --workload file is one"},
	} {
		code, _, errs := run(t, append([]string{"run"}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("run %v: exit %d, stderr %q; want exit 2 and %q", c.args, code, errs, c.want)
		}
	}
}

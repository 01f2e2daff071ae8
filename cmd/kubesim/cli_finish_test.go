package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Every command and subcommand answers --help (and -h, and kubesim help CMD)
// on stdout with exit 0.
func TestHelpOfEveryCommand(t *testing.T) {
	var cases [][]string
	for _, cmd := range [][]string{{"run"}, {"scenarios"}, {"scenarios", "show"}, {"validate"}, {"sweep"}, {"merge"}, {"studies"}, {"studies", "show"}} {
		cases = append(cases, append(append([]string{}, cmd...), "--help"), append(append([]string{}, cmd...), "-h"))
	}
	for c := range commands {
		cases = append(cases, []string{"help", c})
	}
	cases = append(cases, []string{"--help"}, []string{"-h"}, []string{"help"}, []string{"help", "--help"}, []string{"help", "-h"}, []string{"help", "help"}, []string{"workloads", "show", "--help"}, []string{"scenarios", "show", "workshop", "--help"})
	for _, args := range cases {
		code, out, errs := run(t, args...)
		if code != 0 || !strings.Contains(out, "Usage:") || errs != "" {
			t.Errorf("kubesim %s: exit %d, stdout %.60q, stderr %q; want exit 0 and the usage on stdout", strings.Join(args, " "), code, out, errs)
		}
	}
	if code, _, errs := run(t, "help", "frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("help frobnicate: exit %d, %q", code, errs)
	}
	if code, _, errs := run(t); code != 2 || !strings.Contains(errs, "Usage:") {
		t.Errorf("no command: exit %d, %q", code, errs)
	}
}

// Misleading messages: a variable cycle, a negative downtime and an empty file
// are reported as what they are.
func TestMessagesSayWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	cyc := writeFile(t, dir, "cyc.yaml", "name: cyc\nduration: 1m\nvars:\n  a: \"${b}\"\n  b: \"x-${a}\"\ntimeline:\n  - at: 0s\n    run: kubectl scale deployment worker --replicas=${a}\n")
	self := writeFile(t, dir, "self.yaml", "name: self\nduration: 1m\nvars:\n  a: \"${a}\"\n")
	down := writeFile(t, dir, "down.yaml", "name: down\nduration: 1m\ntimeline:\n  - at: 0s\n    run: node reboot node3 --downtime -1m\n")
	empty := writeFile(t, dir, "empty.yaml", "")
	comments := writeFile(t, dir, "comments.yaml", "# nothing yet\n")
	emptyManifest := writeFile(t, dir, "e.yaml", "name: e\nduration: 1m\nfiles:\n  e.yml: \"# nothing\"\ntimeline:\n  - at: 0s\n    run: kubectl apply -f e.yml\n")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"validate", emptyManifest}, 1, "e.yaml:7: kubectl apply -f e.yml: e.yml is empty (or only comments): kubectl would answer: error: no objects passed to apply"},
		{[]string{"validate", cyc}, 1, "cyc.yaml:4: vars.a: variable cycle ${a} -> ${b} -> ${a}"},
		{[]string{"run", cyc}, 1, "variable cycle ${a} -> ${b} -> ${a}"},
		{[]string{"validate", self}, 1, "self.yaml:4: vars.a: variable cycle ${a} -> ${a}"},
		{[]string{"validate", down}, 1, "down.yaml:5: node reboot node3 --downtime -1m: error: invalid --downtime -1m0s: the time the node is down must be positive"},
		{[]string{"run", down}, 1, "invalid --downtime -1m0s"},
		{[]string{"validate", empty}, 1, "empty.yaml: the file is empty"},
		{[]string{"validate", comments}, 1, "comments.yaml: the file is empty (or only comments)"},
		{[]string{"run", empty}, 1, "empty.yaml: the file is empty"},
		{[]string{"sweep", empty}, 1, "empty.yaml: the file is empty"},
	} {
		code, _, errs := run(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("kubesim %s: exit %d, stderr %q; want exit %d and %q", strings.Join(c.args, " "), code, errs, c.code, c.want)
		}
	}
	// Variables may refer to variables.
	nested := writeFile(t, dir, "nested.yaml", "name: nested\ndescription: \"${b}\"\nduration: 1m\nvars:\n  a: \"3\"\n  b: \"${a} workers\"\n")
	if code, out, errs := run(t, "run", nested); code != 0 || !strings.Contains(out, "  3 workers\n") {
		t.Errorf("nested vars: exit %d %s\n%s", code, errs, out)
	}
}

// --set NAME=VALUE sets a variable of the scenario; one it does not define, or
// a setting without =, is refused.
func TestRunSet(t *testing.T) {
	code, out, errs := run(t, "run", "capacity", "--set", "workers=3", "--set", "rng_replicas=2", "--duration", "1m")
	if code != 0 || !strings.Contains(out, "worker replicas 3, rng as a deployment (replicas 2 if") {
		t.Errorf("--set: exit %d %s\n%s", code, errs, out)
	}
	code, _, errs = run(t, "run", "capacity", "--set", "nope=1")
	if code != 1 || !strings.Contains(errs, "--set nope=1: the scenario has no variable nope (its vars: are placement, rng_replicas, workers)") {
		t.Errorf("--set nope: exit %d %q", code, errs)
	}
	code, _, errs = run(t, "run", "--set", "workers=3")
	if code != 1 || !strings.Contains(errs, "no variable workers (it defines none)") {
		t.Errorf("--set on the workshop: exit %d %q", code, errs)
	}
	for _, bad := range [][]string{{"--set", "workers"}, {"--set", "=3"}, {"--set", "workers=1", "--set", "workers=2"}} {
		if code, _, errs := run(t, append([]string{"run", "capacity"}, bad...)...); code != 2 || !strings.Contains(errs, "--set") {
			t.Errorf("%v: exit %d %q", bad, code, errs)
		}
	}
}

// run checks what validate checks before running: a missing file fails at
// once, naming the file and line.
func TestRunPrechecksFiles(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "s.yaml", "name: s\nduration: 1m\ntimeline:\n  - at: 0s\n    run: kubectl apply -f missing.yml\n")
	code, out, errs := run(t, "run", p)
	if code != 1 || out != "" || !strings.Contains(errs, `s.yaml:5: kubectl apply -f missing.yml: error: the path "missing.yml" does not exist`) || !strings.Contains(errs, "kubesim validate") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, _, errs = run(t, "run", "capacity", "--set", "placement=statefulset")
	if code != 1 || !strings.Contains(errs, `the path "rng-statefulset.yml" does not exist`) {
		t.Errorf("--set placement=statefulset: exit %d %q", code, errs)
	}
}

// --duration shorter than the timeline names the steps it drops.
func TestRunDurationWarnsOfDroppedSteps(t *testing.T) {
	code, out, errs := run(t, "run", "--duration", "90s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "warning: --duration 1m30s ends the run before 12 steps of the timeline, which are not run:") ||
		!strings.Contains(errs, "    10m0s  node reboot node3 --downtime 2m\n") || strings.Contains(out, "node reboot node3") {
		t.Errorf("stderr:\n%s", errs)
	}
	if _, _, errs := run(t, "run", "--duration", "20m"); strings.Contains(errs, "warning") {
		t.Errorf("a longer run warns: %s", errs)
	}
	for _, d := range []string{"0s", "-5s"} {
		if code, _, errs := run(t, "run", "--duration", d); code != 2 || !strings.Contains(errs, "--duration must be positive") {
			t.Errorf("--duration %s: exit %d %q", d, code, errs)
		}
	}
}

// --coarse measures counters only; --seed 0 is seed 0, not the scenario's.
func TestRunCoarseAndSeedZero(t *testing.T) {
	code, out, errs := run(t, "run", "--coarse", "--seed", "0", "--duration", "1m", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if m["detailed"] != false || m["pods"] != nil || m["seed"] != 0.0 {
		t.Errorf("detailed %v, pods %v, seed %v", m["detailed"], m["pods"] != nil, m["seed"])
	}
	dir := t.TempDir()
	if code, _, errs := run(t, "run", "--coarse", "--duration", "1m", "--out", dir); code != 0 {
		t.Fatalf("--coarse --out: exit %d %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "pods.csv")); err == nil {
		t.Error("--coarse wrote the detailed pods.csv")
	}
}

func TestSweepParallelMustBePositive(t *testing.T) {
	for _, j := range []string{"0", "-1"} {
		code, _, errs := run(t, "sweep", "mmc-validation", "-j", j)
		if code != 2 || !strings.Contains(errs, "-j/--parallel "+j+": run at least 1 replication at once") {
			t.Errorf("-j %s: exit %d %q", j, code, errs)
		}
	}
}

// run warns when a step marked expect: error goes through.
func TestRunWarnsOfUnexpectedSuccess(t *testing.T) {
	p := writeFile(t, t.TempDir(), "x.yaml", "name: x\nduration: 1m\ntimeline:\n  - at: 0s\n    run: kubectl get pods\n    expect: error\n")
	code, _, errs := run(t, "run", p)
	if code != 0 || !strings.Contains(errs, "warning: step 1 (at 0s, "+p+":5: kubectl get pods) succeeded, but the scenario says expect: error") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if _, _, errs := run(t, "run", "daemonset-cast"); strings.Contains(errs, "warning") {
		t.Errorf("the built-in cast warns: %s", errs)
	}
}

// Found trying the CLI as a new user: --out naming a file fails before the
// run (not after it, with mkdir's words); a bad number in a flag says what the
// flag wants; a negative duration or a 0 window in a scenario file is one
// clear error.
func TestNewUserMistakes(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "afile", "x")
	neg := writeFile(t, dir, "neg.yaml", "name: neg\nduration: -1m\n")
	win := writeFile(t, dir, "win.yaml", "name: win\nduration: 1m\nwindow: 0s\n")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--out", file}, 1, "error: --out " + file + ": a file of that name exists; name a directory (it is created if missing)\n"},
		{[]string{"sweep", "rng-replicas", "--out", file}, 1, "error: --out " + file + ": a file of that name exists; name a directory (it is created if missing)\n"},
		{[]string{"run", "--seed", "-1"}, 2, "error: invalid argument \"-1\" for \"--seed\" flag: want a whole number, 0 or more\nSee 'kubesim run --help' for usage.\n"},
		{[]string{"sweep", "rng-replicas", "-j", "two"}, 2, "error: invalid argument \"two\" for \"-j, --parallel\" flag: want a whole number\nSee 'kubesim sweep --help' for usage.\n"},
		{[]string{"run", neg}, 1, "error: " + neg + ":2: duration: -1m: the run must last some time; give a positive duration (e.g. duration: 5m)\n"},
		{[]string{"validate", win}, 1, win + ":3: window: 0s: a window must be at least 1ms; leave window out for an automatic width\n1 of 1 file invalid\n"},
	} {
		code, out, errs := run(t, c.args...)
		if code != c.code || errs != c.want || out != "" {
			t.Errorf("kubesim %s: exit %d, stdout %.80q, stderr %q; want exit %d and stderr %q", strings.Join(c.args, " "), code, out, errs, c.code, c.want)
		}
	}
}

// --out under a file is refused before the run; a directory that does not
// exist yet is fine, and a run that fails creates none.
func TestOutDirChecked(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "afile", "x")
	under := filepath.Join(file, "out")
	if code, _, errs := run(t, "run", "--out", under); code != 1 || errs != "error: --out "+under+": "+file+" is a file, not a directory\n" {
		t.Errorf("--out under a file: exit %d %q", code, errs)
	}
	bad := writeFile(t, dir, "bad.yaml", "name: bad\nduration: 1m\ntimeline:\n  - at: 0s\n    run: kubectl frobnicate\n")
	if code, _, _ := run(t, "run", bad, "--out", filepath.Join(dir, "new")); code != 1 {
		t.Errorf("bad scenario: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); err == nil {
		t.Error("a run that failed created its --out directory")
	}
}

// Counts agree with their nouns (was: "1 problem(s)", "1 of 1 file(s)",
// "6 point(s)"); kubesim studies says what its base mmc is, and scenarios show
// mmc says where it lives (was: listed as a base, unknown as a scenario);
// validate --help names every kind of file it checks.
func TestCLIWordingAndMMC(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.yaml", "name: bad\nduration: 1m\ntimeline:\n  - at: 0s\n    run: kubectl frobnicate\n")
	code, _, errs := run(t, "run", bad)
	if code != 1 || !strings.Contains(errs, "bad.yaml: 1 problem; fix it and run again") {
		t.Errorf("run with one problem: exit %d %q", code, errs)
	}
	if code, _, errs := run(t, "validate", bad); code != 1 || !strings.HasSuffix(errs, "1 of 1 file invalid\n") {
		t.Errorf("validate: exit %d %q", code, errs)
	}
	_, out, _ := run(t, "studies")
	if !strings.Contains(out, "mmc-validation    base mmc (the M/M/c queue model, not a scenario), 6 points, metrics") || strings.Contains(out, "(s)") {
		t.Errorf("studies:\n%s", out)
	}
	if code, _, errs := run(t, "scenarios", "show", "mmc"); code != 1 || !strings.Contains(errs, "mmc, the base of the mmc-validation study, is the M/M/c queue model run by kubesim sweep, not a scenario") {
		t.Errorf("scenarios show mmc: exit %d %q", code, errs)
	}
	_, out, _ = run(t, "validate", "--help")
	for _, w := range []string{"scenario ", "manifest ", "workload ", "isotope ", "study "} {
		if !strings.Contains(out, "\n  "+w) {
			t.Errorf("validate --help does not name %q files:\n%s", w, out)
		}
	}
}

// --coarse measures no latency: the Services and Services-by-phase tables
// print "-" with a note, not 0.0; JSON has no latency_ms; services.csv leaves
// its latency cells empty.
func TestCoarsePrintsNoLatency(t *testing.T) {
	code, out, errs := run(t, "run", "--coarse", "--duration", "2m30s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, table := range []struct {
		title string
		cols  []int // the latency columns, from the end of a row
		note  string
	}{
		{"Services (", []int{5, 6, 7}, `(p50, p99, max "-": latency not measured with --coarse`},
		{"Services by phase", []int{1, 2}, `(p50, p99 "-": latency not measured with --coarse`},
	} {
		i := strings.Index(out, "\n"+table.title)
		if i < 0 {
			t.Fatalf("no %q table:\n%s", table.title, out)
		}
		block, _, _ := strings.Cut(out[i+1:], "\n\n")
		if !strings.Contains(block, table.note) {
			t.Errorf("%s: no note %q:\n%s", table.title, table.note, block)
		}
		rows := 0
		for _, line := range strings.Split(block, "\n") {
			f := strings.Fields(line)
			if len(f) < 6 || f[0] == "service" {
				continue
			}
			if _, err := strconv.ParseFloat(f[len(f)-1], 64); err != nil && f[len(f)-1] != "-" {
				continue // a phase's step
			}
			rows++
			for _, c := range table.cols {
				if v := f[len(f)-c]; v != "-" {
					t.Errorf("%s: latency %q in %q, not measured", table.title, v, line)
				}
			}
		}
		if rows == 0 {
			t.Errorf("%s: no rows:\n%s", table.title, block)
		}
	}
	code, out, errs = run(t, "run", "--coarse", "--duration", "1m", "-o", "json")
	if code != 0 {
		t.Fatalf("-o json: exit %d: %s", code, errs)
	}
	var m struct {
		Services map[string]map[string]any `json:"services"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Services) == 0 {
		t.Fatal("no services in the JSON")
	}
	for name, v := range m.Services {
		if l, ok := v["latency_ms"]; ok {
			t.Errorf("JSON: service %s has latency_ms %v, not measured", name, l)
		}
	}
	dir := t.TempDir()
	if code, _, errs := run(t, "run", "--coarse", "--duration", "1m", "--out", dir); code != 0 {
		t.Fatalf("--out: exit %d %s", code, errs)
	}
	data, err := os.ReadFile(filepath.Join(dir, "services.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		// service,requests,errors,p50_ms,...,max_ms,refused,...
		if f := strings.Split(line, ","); strings.Join(f[3:8], ",") != ",,,," {
			t.Errorf("services.csv: %q: latency cells %v, not measured", line, f[3:8])
		}
	}
}

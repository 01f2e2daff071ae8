package study

import (
	"os"
	"strings"
	"testing"
)

const rngStudy = `
name: rng-capacity
base: dockercoins
seed: 42
replications: {min: 5}
warmup: 30s
metrics: [hashes_per_s, rng.latency_ms.p99]
parameters:
  grid:
    workload.rng.placement: [Deployment, DaemonSet]
    cluster.nodes: [5, 3, 7]
    kubeproxy.mode: [iptables]
question: {find: smallest, parameter: cluster.nodes, metric: hashes_per_s, op: ">=", bound: 10}
`

func mustParse(t *testing.T, y string) *Study {
	t.Helper()
	s, err := Parse("test.yaml", []byte(y))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

func TestParseGridOrderAndDefaults(t *testing.T) {
	s := mustParse(t, rngStudy)
	if s.Replications.Max != 5 || s.Replications.Batch != 5 {
		t.Errorf("defaults: max %d batch %d, want 5 and 5", s.Replications.Max, s.Replications.Batch)
	}
	if w := s.WarmupSetting(); w.Kind != WarmupFixed || w.Period.Seconds() != 30 {
		t.Errorf("warmup %+v, want fixed 30s", w)
	}
	if got := strings.Join(s.ParameterPaths(), " "); got != "cluster.nodes kubeproxy.mode workload.rng.placement" {
		t.Errorf("paths %q", got)
	}
	var got []string
	for _, p := range s.Points() {
		got = append(got, p.String())
	}
	want := []string{
		"cluster.nodes=5, kubeproxy.mode=iptables, workload.rng.placement=Deployment",
		"cluster.nodes=5, kubeproxy.mode=iptables, workload.rng.placement=DaemonSet",
		"cluster.nodes=3, kubeproxy.mode=iptables, workload.rng.placement=Deployment",
		"cluster.nodes=3, kubeproxy.mode=iptables, workload.rng.placement=DaemonSet",
		"cluster.nodes=7, kubeproxy.mode=iptables, workload.rng.placement=Deployment",
		"cluster.nodes=7, kubeproxy.mode=iptables, workload.rng.placement=DaemonSet",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("points:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Same file, same canonical bytes and digest; a changed seed changes it.
	s2 := mustParse(t, rngStudy)
	d1, _ := s.Digest()
	d2, _ := s2.Digest()
	d3, _ := mustParse(t, strings.Replace(rngStudy, "seed: 42", "seed: 43", 1)).Digest()
	if d1 != d2 || d1 == d3 {
		t.Errorf("digests %s %s %s: want equal for the same file, different for another seed", d1, d2, d3)
	}
}

func TestParsePointsAndValueKinds(t *testing.T) {
	s := mustParse(t, `
name: pts
base: scenarios/x.yaml
replications: {min: 2}
metrics: [m]
parameters:
  points:
    - {b: "3", a: 3}
    - {a: 3, b: 3, c: true}
    - timeline[2].replicas: 10
`)
	pts := s.Points()
	if len(pts) != 3 {
		t.Fatalf("%d points", len(pts))
	}
	if pts[0].Key() != `a=3;b="3"` || pts[1].Key() != `a=3;b=3;c=true` || pts[2].Key() != `timeline[2].replicas=10` {
		t.Errorf("keys %q %q %q", pts[0].Key(), pts[1].Key(), pts[2].Key())
	}
	if v, _ := pts[0].Get("b"); v.Kind() != StringValue {
		t.Errorf("quoted \"3\" must stay a string, got kind %v", v.Kind())
	}
	if v, _ := pts[1].Get("c"); v.Kind() != BoolValue {
		t.Errorf("true must be a bool, got kind %v", v.Kind())
	}
	if n, ok := pts[2][0].Value.Int(); !ok || n != 10 {
		t.Errorf("Int() = %d, %v", n, ok)
	}
	if got := strings.Join(s.ParameterPaths(), ","); got != "a,b,c,timeline[2].replicas" {
		t.Errorf("paths %q", got)
	}
	// No parameters: one point, the base.
	s = mustParse(t, "name: one\nbase: x\nreplications: {min: 3}\nmetrics: [m]\n")
	if len(s.Points()) != 1 || len(s.Points()[0]) != 0 {
		t.Errorf("no parameters: points %v, want one empty point", s.Points())
	}
}

func TestParseErrors(t *testing.T) {
	base := "name: s\nbase: b\nreplications: {min: 3}\nmetrics: [m]\n"
	for _, c := range []struct {
		name, yaml string
		want       []string
	}{
		{"unknown top field", base + "sed: 3\n", []string{"test.yaml", `unknown field "sed"`, "seed"}},
		{"unknown nested field", "name: s\nbase: b\nreplications: {min: 3, targt: 0.1}\nmetrics: [m]\n", []string{`"replications.targt"`, "target_rel_half_width"}},
		{"unknown question field", base + "question: {find: smallest, parameter: p, metric: m, op: '<=', bound: 1, limit: 2}\n", []string{`"question.limit"`}},
		{"missing name", "base: b\nreplications: {min: 3}\nmetrics: [m]\n", []string{"name: missing"}},
		{"missing base", "name: s\nreplications: {min: 3}\nmetrics: [m]\n", []string{"base: missing"}},
		{"missing min", "name: s\nbase: b\nmetrics: [m]\n", []string{"replications.min: missing"}},
		{"min 1", "name: s\nbase: b\nreplications: {min: 1}\nmetrics: [m]\n", []string{"replications.min", "2"}},
		{"zero min", "name: s\nbase: b\nreplications: {min: 0}\nmetrics: [m]\n", []string{"replications.min: 0 is out of range; set 2 to 100000 (a confidence interval needs 2)"}},
		{"zero max", "name: s\nbase: b\nreplications: {min: 3, max: 0}\nmetrics: [m]\n", []string{"replications.max: 0 is out of range; set min (3) to 100000, or leave it out (default: min)"}},
		{"zero batch", "name: s\nbase: b\nreplications: {min: 3, batch: 0}\nmetrics: [m]\n", []string{"replications.batch: 0 is out of range; set 1 to 100000, or leave it out (default: min)"}},
		{"negative seed", "name: s\nbase: b\nseed: -1\nreplications: {min: 3}\nmetrics: [m]\n", []string{"seed: got a number -1, want a whole number >= 0"}},
		{"target without max", "name: s\nbase: b\nreplications: {min: 3, target_rel_half_width: 0.1}\nmetrics: [m]\n", []string{"replications.max: missing"}},
		{"max without target", "name: s\nbase: b\nreplications: {min: 3, max: 9}\nmetrics: [m]\n", []string{"replications.max", "target"}},
		{"max below min", "name: s\nbase: b\nreplications: {min: 5, max: 3, target_rel_half_width: 0.1}\nmetrics: [m]\n", []string{"replications.max", "between"}},
		{"target as percent", "name: s\nbase: b\nreplications: {min: 3, max: 9, target_rel_half_width: 5}\nmetrics: [m]\n", []string{"target_rel_half_width", "0.05 for 5%"}},
		{"bad target metric", "name: s\nbase: b\nreplications: {min: 3, max: 6, target_rel_half_width: 0.1, target_metrics: [x]}\nmetrics: [m]\n", []string{"target_metrics[0]", `"x"`}},
		{"wrong type", "name: s\nbase: b\nreplications: {min: three}\nmetrics: [m]\n", []string{"test.yaml", "replications.min: got a string, want a whole number"}},
		{"bad warmup", base + "warmup: soon\n", []string{"warmup", "mser5"}},
		{"no metrics", "name: s\nbase: b\nreplications: {min: 3}\n", []string{"metrics: missing"}},
		{"duplicate metric", "name: s\nbase: b\nreplications: {min: 3}\nmetrics: [m, m]\n", []string{"metrics[1]", "twice"}},
		{"grid and points", base + "parameters: {grid: {a: [1]}, points: [{a: 2}]}\n", []string{"parameters", "both"}},
		{"empty grid list", base + "parameters: {grid: {a: []}}\n", []string{"parameters.grid.a", "no values"}},
		{"repeated grid value", base + "parameters: {grid: {a: [1, 2, 1]}}\n", []string{"parameters.grid.a", "twice"}},
		{"list value", base + "parameters: {grid: {a: [[1, 2]]}}\n", []string{"parameters.grid.a[0]", "scalars"}},
		{"null value", base + "parameters: {grid: {a: [null]}}\n", []string{"parameters.grid.a[0]", "null"}},
		{"point not a map", base + "parameters: {points: [3]}\n", []string{"parameters.points[0]", "map"}},
		{"duplicate key", base + "seed: 1\nseed: 2\n", []string{"test.yaml", "seed"}},
		{"repeated point", base + "parameters: {points: [{a: 1}, {a: 1}]}\n", []string{"parameters.points[1]", "repeats parameters.points[0]"}},
		{"question metric", base + "parameters: {grid: {p: [1]}}\nquestion: {find: smallest, parameter: p, metric: x, op: '<=', bound: 1}\n", []string{"question.metric", `"x"`}},
		{"question parameter", base + "parameters: {grid: {p: [1]}}\nquestion: {find: smallest, parameter: q, metric: m, op: '<=', bound: 1}\n", []string{"question.parameter", `"q"`, "p"}},
		{"question op", base + "parameters: {grid: {p: [1]}}\nquestion: {find: smallest, parameter: p, metric: m, op: '<', bound: 1}\n", []string{"question.op"}},
		{"question bound", base + "parameters: {grid: {p: [1]}}\nquestion: {find: smallest, parameter: p, metric: m, op: '<='}\n", []string{"question.bound: missing"}},
		{"question find", base + "parameters: {grid: {p: [1]}}\nquestion: {find: best, parameter: p, metric: m, op: '<=', bound: 1}\n", []string{"question.find"}},
		{"not a map", "- 1\n- 2\n", []string{"YAML map"}},
		{"bad yaml", "name: [\n", []string{"not valid YAML"}},
		{"too many runs", "name: s\nbase: b\nreplications: {min: 2, max: 100000, target_rel_half_width: 0.1}\nmetrics: [m]\nparameters: {grid: {a: [" + nums(2000) + "]}}\n", []string{"replications.max", "2000 points x 100000"}},
		{"nan", base + "parameters: {grid: {a: [.nan]}}\n", []string{"finite"}},
		{"big grid", base + "parameters: {grid: {a: [" + nums(1001) + "], b: [" + nums(1001) + "]}}\n", []string{"more than"}},
	} {
		_, err := Parse("test.yaml", []byte(c.yaml))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
	}
}

func nums(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(itoa(i))
	}
	return b.String()
}

func itoa(i int) string { return Number(float64(i)).String() }

func TestReplicationSeed(t *testing.T) {
	a := ReplicationSeed(1, "x=1", 0)
	if a != ReplicationSeed(1, "x=1", 0) {
		t.Fatal("not a function of its inputs")
	}
	seen := map[uint64]string{}
	for _, seed := range []uint64{0, 1, 2} {
		for _, key := range []string{"", "x=1", "x=2", `x="1"`} {
			for r := 0; r < 50; r++ {
				s := ReplicationSeed(seed, key, r)
				id := key + "/" + itoa(r) + "/" + itoa(int(seed))
				if prev, dup := seen[s]; dup {
					t.Fatalf("seed collision between %s and %s", prev, id)
				}
				seen[s] = id
			}
		}
	}
}

// The example study in the package documentation must parse.
func TestDocExampleParses(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var y []string
	in := false
	for _, line := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(line, "//\tname: rng-capacity") {
			in = true
		}
		if in {
			if !strings.HasPrefix(line, "//\t") {
				break
			}
			y = append(y, strings.TrimPrefix(line, "//\t"))
		}
	}
	if len(y) < 10 {
		t.Fatalf("example not found in doc.go (%d lines)", len(y))
	}
	s, err := Parse("doc.go example", []byte(strings.Join(y, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Points()) != 6 || s.Question == nil || s.Replications.Max != 40 {
		t.Errorf("example: %d points, question %v, max %d", len(s.Points()), s.Question, s.Replications.Max)
	}
	y2 := strings.Replace(strings.Join(y, "\n"), `  grid:                       # every combination...
    cluster.nodes: [3, 5, 7]
    workload.rng.placement: [Deployment, DaemonSet]
  # points:`, `  points:`, 1)
	y2 = strings.Replace(y2, `  #   - {cluster.nodes: 3, workload.rng.replicas: 2}`, `    - {cluster.nodes: 3, workload.rng.replicas: 2}
    - {"timeline[2].replicas": 3}`, 1)
	s, err = Parse("doc.go example with points", []byte(y2))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Points()) != 2 {
		t.Errorf("points variant: %d points", len(s.Points()))
	}
}

// Errors that name a field give its line, as the scenario reader's do.
func TestParseErrorsGiveTheLine(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"name: s\nbase: b\nreplications: {min: 2}\nmetrics: [m]\nbogus: 1\n", `test.yaml:5: unknown field "bogus"`},
		{"name: s\nbase: b\nreplications:\n  min: 2\n  targt: 0.1\nmetrics: [m]\n", `test.yaml:5: unknown field "replications.targt"`},
		{"name: s\nbase: b\nreplications:\n  min: 0\nmetrics: [m]\n", "test.yaml:4: replications.min: 0 is out of range"},
		{"name: s\nbase: b\nreplications: {min: 2}\nmetrics:\n  - m\n  - m\n", `test.yaml:6: metrics[1]: "m" is listed twice`},
		{"name: s\nbase: b\nreplications: {min: 2}\nmetrics: [m]\nparameters:\n  grid:\n    vars.workers: []\n", "test.yaml:7: parameters.grid.vars.workers: "},
		{"name: s\nbase: b\nreplications: {min: 2}\nmetrics: [m]\nwarmup: soon\n", "test.yaml:5: warmup: "},
		{"name: s\nbase: b\nreplications:\n  min: 2\n   max: 4\nmetrics: [m]\n", "test.yaml:5: not valid YAML: mapping values are not allowed in this context (check the indentation here"},
	} {
		_, err := Parse("test.yaml", []byte(c.yaml))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("study:\n%s\nerror %v\nwant it to start %q", c.yaml, err, c.want)
		}
	}
}

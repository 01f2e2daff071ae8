package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/workload/dockercoins"
)

const sampleFile = `name: sample
description: two workers
seed: 7
duration: 2m
cluster:
  workers: 2
  capacity: {cpu: "4", memory: 8Gi}
config:
  workload:
    rngService: exp(100ms)
    hasherThreads: 10
  timings:
    proxyMinSync: 2s
timeline:
  - at: 0s
    run: |
      kubectl create deployment rng --image=dockercoins/rng:v0.1
      # a comment
      kubectl expose deployment rng --port 80
  - at: +30s
    run: kubectl scale deployment rng --replicas=2
`

func TestParseFile(t *testing.T) {
	s, err := ParseFile("sample.yaml", []byte(sampleFile))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "sample" || s.Seed != 7 || s.Duration != 2*time.Minute {
		t.Errorf("header: %+v", s)
	}
	if len(s.Nodes) != 3 || !s.Nodes[0].ControlPlane || s.Nodes[2].Name != "node3" || s.Nodes[1].Capacity.MilliCPU != 4000 || s.Nodes[1].Capacity.Memory != 8<<30 {
		t.Errorf("nodes: %+v", s.Nodes)
	}
	dc, _ := s.Config.WorkloadSettings("dockercoins").(dockercoins.Config)
	if dc.RNGService.Kind != "exp" || dc.HasherThreads != 10 || s.Config.Timings.ProxyMinSync != 2*time.Second {
		t.Errorf("config not applied: %+v, %+v", dc, s.Config.Timings)
	}
	if len(s.Steps) != 3 || s.Steps[2].At != 30*time.Second || s.Steps[0].Line != 17 || s.Steps[1].Line != 19 || s.Steps[2].Line != 21 {
		t.Errorf("steps: %+v", s.Steps)
	}
}

func TestParseFileErrors(t *testing.T) {
	cases := []struct{ file, want string }{
		{"name: x\nduration: 1m\nbogus: 1\n", `x.yaml:3: scenario: unknown field "bogus"`},
		{"name: x\n", "duration is required"},
		{"name: x\nduration: 1m\ntimeline:\n  - at: 2m\n    run: kubectl get pods\n", "x.yaml:4: timeline[0]: at 2m0s is after the end of the run"},
		{"name: x\nduration: 1m\ntimeline:\n  - at: soon\n    run: kubectl get pods\n", `x.yaml:4: timeline[0].at: "soon" is not a duration`},
		{"name: x\nduration: 1m\nconfig:\n  workload:\n    rngService: fast\n", "x.yaml:5: config.workload.rngService: distribution \"fast\""},
		{"name: x\nduration: 1m\nconfig:\n  workload:\n    rngSrvice: 1s\n", `x.yaml:5: config.workload: unknown field "rngSrvice"`},
		{"name: x\nduration: 1m\ncluster:\n  nodes:\n    - name: a\n      labels: {enabled: yes}\n", `x.yaml:6: cluster.nodes[0].labels.enabled: the value yes is a YAML boolean, not a string; quote it: "yes"`},
		{"name: x\nduration: 1m\ncluster:\n  nodes:\n    - name: a\n      taints: [\"k=v:Sometimes\"]\n", "x.yaml:6: cluster.nodes[0].taints: invalid taint effect"},
		{"name: [x\n", "x.yaml:1: not valid YAML: did not find expected ',' or ']'"},
	}
	for _, c := range cases {
		_, err := ParseFile("x.yaml", []byte(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("file:\n%s\nerror %v\nwant it to contain %q", c.file, err, c.want)
		}
	}
}

func TestParseFileRejectsBadTimings(t *testing.T) {
	_, err := ParseFile("x.yaml", []byte("name: x\nduration: 1m\nconfig:\n  timings:\n    nodeMonitorGracePeriod: 1ms\n"))
	if err == nil || !strings.Contains(err.Error(), "x.yaml:4: config.timings:") {
		t.Errorf("error %v", err)
	}
}

// A duration of 0 or below, and a window of 0, are refused with one message
// each that says what to write (a 0 window used to mean "automatic" silently;
// a negative duration got two messages, the first saying "0 or more").
func TestParseFileDurationAndWindowMustBePositive(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"name: x\nduration: -1m\n", "x.yaml:2: duration: -1m: the run must last some time; give a positive duration (e.g. duration: 5m)"},
		{"name: x\nduration: 0s\n", "x.yaml:2: duration: 0s: the run must last some time; give a positive duration (e.g. duration: 5m)"},
		{"name: x\nduration: 1m\nwindow: 0s\n", "x.yaml:3: window: 0s: a window must be at least 1ms; leave window out for an automatic width"},
		{"name: x\nduration: 1m\nwindow: -5s\n", "x.yaml:3: window: -5s: a window must be at least 1ms; leave window out for an automatic width"},
		{"name: x\nduration: 1m\nwindow:\n", "x.yaml:3: window: no value: a window must be at least 1ms"},
	} {
		_, err := ParseFile("x.yaml", []byte(c.file))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Count(err.Error(), "\n") > 0 {
			t.Errorf("file:\n%s\nerror %v\nwant exactly one error starting %q", c.file, err, c.want)
		}
	}
}

// A YAML syntax error names the line to fix and what to check (found on the
// tour: a step's 'run:' indented one space less than its 'at:' was reported
// as 'x.yaml: not valid YAML: line 3: did not find expected '-' indicator',
// line 3 being 'timeline:', two lines above the one to fix).
func TestParseFileSyntaxErrorNamesTheLine(t *testing.T) {
	cases := []struct{ file, want string }{
		{"name: x\nduration: 1m\ntimeline:\n  - at: 0s\n   run: kubectl get pods\n",
			"x.yaml:5: not valid YAML: did not find expected '-' indicator (check the indentation here: keys of one mapping must line up, list items start with '- ')"},
		{"name: x\nduration: 1m\ncluster:\n  workers: 3\n   capacity: {cpu: \"2\"}\n",
			"x.yaml:5: not valid YAML: mapping values are not allowed in this context (check the indentation here: keys of one mapping must line up, list items start with '- ')"},
		{"name: x\nduration: 1m\ntimeline:\n\t- at: 0s\n",
			"x.yaml:4: not valid YAML: found character that cannot start any token (a tab: YAML indents with spaces only)"},
		{"name: x\nduration: 1m\ntimeline:\n  - at: 0s\n    run: \"kubectl get pods\n",
			"x.yaml:5: not valid YAML: found unexpected end of stream"},
	}
	for _, c := range cases {
		_, err := ParseFile("x.yaml", []byte(c.file))
		if err == nil || err.Error() != c.want {
			t.Errorf("file:\n%s\nerror %v\nwant  %s", c.file, err, c.want)
		}
	}
}

// The same for a scenario's settings.
func TestParseFileDistributionCutByAComma(t *testing.T) {
	_, err := ParseFile("x.yaml", []byte("name: x\nduration: 1m\nconfig:\n  network: {crossNode: uniform(100us,300us)}\n  workload: {rngService: \"empirical(90ms,100ms,130ms)\", workerSleep: empirical(90ms,100ms,130ms)}\n"))
	want := `x.yaml:4: config.network.crossNode: a comma cut "uniform(100us,300us)": inside { } or [ ] a comma ends an unquoted value; quote it: crossNode: "uniform(100us,300us)"`
	want3 := `x.yaml:5: config.workload.workerSleep: a comma cut "empirical(90ms,100ms,130ms)": inside { } or [ ] a comma ends an unquoted value; quote it: workerSleep: "empirical(90ms,100ms,130ms)"`
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), want3) || strings.Contains(err.Error(), "unknown field") {
		t.Errorf("error %v\nwant it to contain\n%s\n%s\nand no unknown field", err, want, want3)
	}
}

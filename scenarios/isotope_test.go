package scenarios

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/workload/decl"
	"github.com/kubesim/kubesim/workload/isotope"
)

func graphRun(t *testing.T, file string, d time.Duration) *Result {
	t.Helper()
	path := "../workload/isotope/testdata/" + file
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !IsGraph(data) {
		t.Fatalf("%s is not recognised as an isotope service graph", file)
	}
	s, err := GraphScenario(path, isotope.DefaultLoad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddGraph(path, data, isotope.DefaultLoad); err != nil {
		t.Fatal(err)
	}
	s.Duration = sim.Time(d)
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unexpected) > 0 {
		t.Fatalf("steps failed: %v", res.Unexpected)
	}
	return res
}

// isotope's canonical topology runs: the Deployments and Services of its
// converter are created, fortio's 64 users call the entrypoint d, and d's
// script reaches every service: a and c concurrently, then b; c calls a then
// b. Once every pod runs, each request to d makes one to c, two to a and two
// to b.
func TestIsotopeCanonicalRuns(t *testing.T) {
	res := graphRun(t, "canonical.yaml", 15*time.Second)
	sum := res.Summary
	for _, n := range []string{"a", "b", "c", "d"} {
		v := sum.Services[n]
		if v.Requests-v.Errors < 1000 || v.LatencyMs.P50 <= 0 {
			t.Errorf("Service %s: %+v", n, v)
		}
	}
	// In the last window, every pod has long been ready.
	last := func(n string) int64 {
		w := sum.Services[n].Windows
		return w[len(w)-1].Requests
	}
	d, c, a, b := last("d"), last("c"), last("a"), last("b")
	if d == 0 || abs(c-d) > d/50+5 || abs(a-2*d) > d/25+10 || abs(b-2*d) > d/25+10 {
		t.Errorf("last window: d %d, c %d, a %d, b %d: want c = d, a = b = 2d", d, c, a, b)
	}
	if lg, ok := sum.Clients["client-d"]; !ok || lg.Requests == 0 {
		t.Errorf("no client at the entrypoint d: %v", sum.Clients)
	}
	if res.Mining() != nil {
		t.Errorf("DockerCoins figures in an isotope run")
	}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// Services in other namespaces are created there, and a call's hostname
// resolves as cluster DNS does (b.demo2.svc.cluster.local:8080).
func TestIsotopeNamespaces(t *testing.T) {
	res := graphRun(t, "chain-2-services-different-namespace.yaml", 10*time.Second)
	a, b := res.Summary.Services["demo1/a"], res.Summary.Services["demo2/b"]
	if a.Requests-a.Errors < 1000 || b.Requests < 1000 || b.Errors != 0 {
		t.Errorf("demo1/a %+v, demo2/b %+v: want a's calls to reach b in demo2", a, b)
	}
}

// tree-111-services converts to isotope's 111 Deployments of 2 replicas and
// their Services, one entrypoint, and every call resolves.
func TestIsotopeTreeConverts(t *testing.T) {
	path := "../workload/isotope/testdata/tree-111-services.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := GraphScenario(path, isotope.DefaultLoad)
	if err != nil {
		t.Fatal(err)
	}
	notes, err := s.AddGraph(path, data, isotope.DefaultLoad)
	if err != nil {
		t.Fatal(err)
	}
	m := s.Files["tree-111-services-isotope.yaml"]
	if n := strings.Count(m, "kind: Deployment"); n != 111 || strings.Count(m, "replicas: 2") != 111 || strings.Count(m, "kind: Service\n") != 111 {
		t.Errorf("%d Deployments in the generated manifest, want 111 with 2 replicas and a Service each", n)
	}
	if len(s.Workload.Services) != 111 || len(s.Workload.Clients) != 1 || s.Workload.Clients[0].Name != "client-svc-0" {
		t.Errorf("%d services, clients %+v", len(s.Workload.Services), s.Workload.Clients)
	}
	if strings.Contains(strings.Join(notes, "\n"), "size") {
		t.Errorf("notes %q: sizes are simulated", notes)
	}
	// The graph's defaults (requestSize 128, responseSize 128) reach every
	// service's answer and every call.
	for _, sv := range s.Workload.Services {
		rt := sv.Routes[0]
		if rt.ResponseSize != 128 {
			t.Errorf("service %s: response size %d, want 128", sv.Name, rt.ResponseSize)
		}
		for _, st := range rt.Script {
			for _, c := range append([]decl.Step{st}, st.Steps...) {
				if c.Kind == decl.CallStep && c.Call.Size != 128 {
					t.Errorf("service %s: call of %s of %d bytes, want 128", sv.Name, c.Call.Service, c.Call.Size)
				}
			}
		}
	}
	if p := s.Check(); len(p) > 0 {
		t.Errorf("check: %v", p)
	}
}

// What kubesim does not simulate in a service graph is refused with the line
// and what to do.
func TestIsotopeErrors(t *testing.T) {
	src := `apiVersion: v1alpha1
kind: MockServiceGraph
defaults:
  errorRate: 200%
services:
- name: a
  isEntrypoint: true
  namespace: Demo1
  script:
  - - call: b
    - - call: c
  - call: nope
  - sleep: 1 week
- name: b
  cluster: east
  replicas: 3
`
	if !IsGraph([]byte(src)) {
		t.Fatal("not recognised as a service graph")
	}
	p := ValidateData("g.yaml", []byte(src))
	got := strings.Join(p, "\n")
	for _, want := range []string{
		`g.yaml:4: defaults.errorRate: "200%": want a percentage`,
		`g.yaml:8: services[0].namespace: "Demo1" is not a valid namespace name`,
		`g.yaml:11: services.a.script[0][1]: concurrent commands cannot be nested`,
		`g.yaml:12: services.a.script[1].call: cannot call undefined service "nope"`,
		`g.yaml:13: services.a.script[2].sleep: "1 week": want a duration`,
		`g.yaml:15: services[1].cluster: "east": kubesim simulates one cluster`,
		`g.yaml:16: services[1]: unknown field "replicas" (known: `,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("errors lack %q:\n%s", want, got)
		}
	}
}

// Request and response sizes take their time at the link speed: a -> b with
// requests of 1 MiB and b's answers of 4 MiB add (1 + 4) MiB x 8 / 10 Gbit/s
// = 4.19 ms to the users' median latency (one request of each per user
// request), ten times that at 1 Gbit/s (config.network.linkGbps: 1); sizes of
// 1 KB add under a microsecond.
func TestIsotopeSizesTakeTime(t *testing.T) {
	run := func(req, resp string, gbps float64) float64 {
		t.Helper()
		g := "defaults:\n  requestSize: " + req + "\n  responseSize: 1 KB\nservices:\n- name: a\n  isEntrypoint: true\n  script:\n  - call: b\n- name: b\n  responseSize: " + resp + "\n"
		path := t.TempDir() + "/sizes.yaml"
		s, err := GraphScenario(path, isotope.DefaultLoad)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddGraph(path, []byte(g), isotope.DefaultLoad); err != nil {
			t.Fatal(err)
		}
		s.Duration = sim.Time(20 * time.Second)
		s.Config.Network.LinkGbps = gbps
		res, err := Run(s)
		if err != nil {
			t.Fatal(err)
		}
		return res.Summary.Clients["client-a"].LatencyMs.P50
	}
	small, big, slow := run("1 KB", "1 KB", 10), run("1 MiB", "4 MiB", 10), run("1 MiB", "4 MiB", 1)
	if d := big - small; d < 4.0 || d > 4.4 {
		t.Errorf("median latency %.3f ms with 1 KB messages, %.3f ms with 1 MiB requests and 4 MiB answers at 10 Gbit/s: %.3f ms more, want 4.19", small, big, d)
	}
	if d := slow - small; d < 41 || d > 43 {
		t.Errorf("at 1 Gbit/s: %.3f ms more, want 41.9", d)
	}
}

// The load starts as isotope's runner starts fortio: once every Service of
// the graph has its ready endpoints, not at 0s while the pods start (the bug:
// 64 users refused by d for 3.7 s, 237,440 refusals, then 106,377 answers
// 500 while a and c had no endpoints). Once started it goes on: an
// entrypoint left without endpoints refuses each user, who tries again 1 ms
// later.
func TestIsotopeLoadWaitsForReadyGraph(t *testing.T) {
	res := graphRun(t, "canonical.yaml", 10*time.Second)
	sum := res.Summary
	if a := sum.Requests; a.Refused != 0 || a.Failed != 0 || a.AppErrors != 0 || a.Completed == 0 {
		t.Errorf("requests %+v: want all completed, none refused or failed", a)
	}
	w := res.Declared.Waited()
	var at float64
	if len(w) != 1 || !strings.HasPrefix(w[0], "client-d: started at ") {
		t.Fatalf("Waited() = %q", w)
	}
	if _, err := fmt.Sscanf(strings.TrimPrefix(w[0], "client-d: started at "), "%f s", &at); err != nil || at < 1 || at > 9 {
		t.Fatalf("Waited() = %q: want a start between 1 and 9 s", w)
	}
	if !strings.HasSuffix(w[0], "(a 1, b 1, c 1, d 1)") {
		t.Errorf("Waited() = %q: want the Services and their endpoints named", w)
	}
	// The client's runs take a few ms: all of them fall after the start.
	cl := sum.Clients["client-d"]
	if rate := float64(cl.Requests) / (10 - at); rate < 15000 || rate > 30000 {
		t.Errorf("client-d: %d runs in the %.2f s after its start: %.0f/s, want the ~21,000/s of 64 users at ~3 ms", cl.Requests, 10-at, rate)
	}

	// Left without endpoints after the start (its selector changed), d
	// refuses at once: 64 users x 1,000 tries a second.
	path := "../workload/isotope/testdata/canonical.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseFile("unselect.yaml", []byte("name: unselect\nduration: 12s\ntimeline:\n- at: 8s\n  run: kubectl patch service d -p '{\"spec\":{\"selector\":{\"name\":\"nobody\"}}}'\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddGraph(path, data, isotope.DefaultLoad); err != nil {
		t.Fatal(err)
	}
	res, err = Run(s)
	if err != nil {
		t.Fatal(err)
	}
	d := res.Summary.Services["d"]
	if d.ErrorsByKind == nil || d.ErrorsByKind.Refused < 64*1000*2 || d.ErrorsByKind.Refused > 64*1000*4+64 {
		t.Errorf("d without endpoints from 8s of 12s: errors %+v, want 64 users x 1,000 refusals a second for 2-4 s", d.ErrorsByKind)
	}
	if a := res.Summary.Services["a"]; a.Errors != 0 {
		t.Errorf("a: %d errors, want none", a.Errors)
	}
}

// A graph run alone (GraphScenario) gets workers enough to hold its pods by
// the nodes' pod capacity; small graphs keep the default cluster, and a
// scenario's own cluster is never changed.
func TestGraphAloneClusterHoldsItsPods(t *testing.T) {
	for _, tc := range []struct {
		file  string
		nodes int
	}{{"canonical.yaml", 4}, {"tree-111-services.yaml", 4}, {"1000-svc_5000-end.yaml", 20}} {
		path := "../workload/isotope/testdata/" + tc.file
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s, err := GraphScenario(path, isotope.DefaultLoad)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddGraph(path, data, isotope.DefaultLoad); err != nil {
			t.Fatal(err)
		}
		if len(s.Nodes) != tc.nodes {
			t.Errorf("%s: %d nodes, want %d", tc.file, len(s.Nodes), tc.nodes)
		}
		if grown := strings.Contains(s.Description, "added"); grown != (tc.nodes > 4) {
			t.Errorf("%s: description %q", tc.file, s.Description)
		}
	}
	s, err := ParseFile("own.yaml", []byte("name: own\nduration: 1m\n"))
	if err != nil {
		t.Fatal(err)
	}
	path := "../workload/isotope/testdata/1000-svc_5000-end.yaml"
	data, _ := os.ReadFile(path)
	if _, err := s.AddGraph(path, data, isotope.DefaultLoad); err != nil {
		t.Fatal(err)
	}
	if len(s.Nodes) != 4 {
		t.Errorf("a scenario's cluster was changed: %d nodes", len(s.Nodes))
	}
}

// Pods the scheduler finds no node for are listed at the end of the run with
// the scheduler's message, grouped; a run where every pod fits lists none.
func TestPendingPodsReported(t *testing.T) {
	s, err := ParseFile("big.yaml", []byte(`name: big
duration: 30s
files:
  big.yaml: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: big}
    spec:
      replicas: 3
      selector: {matchLabels: {app: big}}
      template:
        metadata: {labels: {app: big}}
        spec:
          containers: [{name: c, image: nginx, resources: {requests: {cpu: "3"}}}]
timeline:
  - at: 0s
    run: |
      kubectl create deployment small --image=nginx --replicas=2
      kubectl apply -f big.yaml
`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unexpected) > 0 {
		t.Fatalf("steps failed: %v", res.Unexpected)
	}
	p := res.Pending
	if p == nil || p.Pods != 3 || len(p.Reasons) != 1 {
		t.Fatalf("pending: %+v, want the 3 pods of big", p)
	}
	r := p.Reasons[0]
	if r.Pods != 3 || !strings.HasPrefix(r.First, "big-") || !strings.Contains(r.Message, "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu.") {
		t.Errorf("reason %+v", r)
	}
	var found bool
	for _, f := range res.Summary.Extra {
		found = found || f.Key == "pending_pods"
	}
	if !found {
		t.Error("the JSON summary has no pending_pods")
	}
	s.Steps = s.Steps[:0]
	if res, err := Run(s); err != nil || res.Pending != nil {
		t.Errorf("nothing Pending: %+v, %v", res.Pending, err)
	}
}

// A workload file of services only (the clients in the scenario) is read as
// kubesim's workload format unless it is an isotope graph: a service matched
// by labels with no routes (one route / of 1 ms), or with a memory: working
// set, is valid, and a misspelt field is named with the workload format's
// fields, not isotope's; every isotope example is still a graph.
func TestServicesOnlyWorkloadFileIsNotAGraph(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"services:\n  - name: web\n    labels: {app: web}\n", ""},
		{"services:\n  - name: web\n    labels: {app: web}\n    memory: {base: 50Mi}\n", ""},
		{"services:\n  - name: web\n    concurency: 3\n", `w.yaml:3: services[0]: unknown field "concurency" (known: backlog, concurrency, image, labels, memory, name, routes)` +
			"\nw.yaml:2: services[0]: give image: (an image name) or labels: (pod labels) to say which containers it is"},
	} {
		if IsGraph([]byte(c.src)) {
			t.Errorf("%q: taken for an isotope service graph", c.src)
		}
		got := strings.Join(ValidateData("w.yaml", []byte(c.src)), "\n")
		if got != c.want {
			t.Errorf("validate %q:\n%s\nwant %q", c.src, got, c.want)
		}
	}
	for _, name := range isotope.Examples() {
		data, _ := isotope.Example(name)
		if !IsGraph(data) {
			t.Errorf("%s is not recognised as an isotope service graph", name)
		}
	}
}

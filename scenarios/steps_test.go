package scenarios

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
)

func runBuiltin(t *testing.T, name string) *Result {
	t.Helper()
	s, err := Builtin(name)
	return runParsed(t, s, err)
}

// runParsed runs s, failing the test on err or on the run's error.
func runParsed(t *testing.T, s *Scenario, err error) *Result {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// step returns the first timeline entry whose command contains cmd.
func step(t *testing.T, res *Result, cmd string) StepResult {
	t.Helper()
	for _, st := range res.Timeline {
		if strings.Contains(st.Command, cmd) {
			return st
		}
	}
	t.Fatalf("no step %q in the timeline", cmd)
	return StepResult{}
}

// minEndpoints is the fewest ready rng endpoints kube-proxy had programmed in
// [from, to) seconds, and how long it had none.
func endpointsIn(res *Result, svc string, from, to float64) (min float64, zeroFor float64) {
	pts := res.Rec.EndpointSeries()[svc]
	min = 1e9
	for i, p := range pts {
		end := to
		if i+1 < len(pts) {
			end = pts[i+1].T
		}
		a, b := max(p.T, from), min2(end, to)
		if b <= a {
			continue
		}
		if p.V < min {
			min = p.V
		}
		if p.V == 0 {
			zeroFor += b - a
		}
	}
	return min, zeroFor
}

func min2(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}

func rngErrors(res *Result) int64 { return res.Summary.Services["rng"].Errors }

// The workshop's warning: changing the Service's selector before labelling the
// pods leaves rng without endpoints (requests fail, the workers sleep 10 s);
// labelling first never does.
func TestLabelEndpointRemovalOrder(t *testing.T) {
	right := runBuiltin(t, "label-endpoint-removal")
	swapped := runBuiltin(t, "label-endpoint-removal-swapped")
	for _, r := range []*Result{right, swapped} {
		for _, st := range r.Timeline {
			if st.Error != "" {
				t.Errorf("%s: step %q failed: %s", r.Summary.Scenario, st.Command, st.Error)
			}
		}
	}
	if min, _ := endpointsIn(right, "rng", 60, right.Summary.SimSeconds); min < 3 {
		t.Errorf("right order: rng fell to %v ready endpoints", min)
	}
	if n := rngErrors(right); n != 0 {
		t.Errorf("right order: %d rng errors", n)
	}
	_, zero := endpointsIn(swapped, "rng", 60, swapped.Summary.SimSeconds)
	if zero < 25 || zero > 35 {
		t.Errorf("swapped order: rng had no endpoints for %.1f s, want about the 30 s between the two steps", zero)
	}
	if n := rngErrors(swapped); n < 10 {
		t.Errorf("swapped order: only %d rng errors while it had no endpoints", n)
	}
	// After the Deployment's pod loses enabled=yes, three DaemonSet pods remain.
	if min, _ := endpointsIn(right, "rng", 212, right.Summary.SimSeconds); min != 3 {
		t.Errorf("after removing the label: %v rng endpoints, want the 3 DaemonSet pods", min)
	}
}

// The cast: validation refuses the Deployment's YAML as a DaemonSet naming the
// fields; --validate=false creates it beside the Deployment (dropping those
// fields without a word, as fieldValidation=Ignore does); the DaemonSet skips
// the control plane; and throughput goes above the single rng pod's 10/s.
func TestDaemonSetCast(t *testing.T) {
	res := runBuiltin(t, "daemonset-cast")
	strict := step(t, res, "apply -f rng.yml")
	for _, f := range []string{`unknown field "spec.replicas"`, `unknown field "spec.strategy"`, "DaemonSet in version \"v1\" cannot be handled"} {
		if !strings.Contains(strict.Error, f) {
			t.Errorf("strict apply error %q lacks %q", strict.Error, f)
		}
	}
	loose := step(t, res, "--validate=false")
	if loose.Error != "" || loose.Output != "daemonset.apps/rng created" { // the fields dropped silently, as kubectl does
		t.Errorf("--validate=false: output %q error %q", loose.Output, loose.Error)
	}
	all := step(t, res, "get all")
	if !strings.Contains(all.Output, "deployment.apps/rng") || !strings.Contains(all.Output, "daemonset.apps/rng") {
		t.Errorf("get all does not list both rng objects:\n%s", all.Output)
	}
	c := res.Cluster
	perNode := map[string]int{}
	for _, p := range c.Pods() {
		if p.Labels["app"] == "rng" {
			perNode[p.NodeName]++
		}
	}
	if perNode["node1"] != 0 || len(c.DaemonSet("rng").Pods()) != 3 {
		t.Errorf("rng pods per node %v, DaemonSet pods %d: want 3 daemon pods, none on the control plane", perNode, len(c.DaemonSet("rng").Pods()))
	}
	last := res.Mining().Windows[len(res.Mining().Windows)-1]
	if last.HashesPerSec < 15 {
		t.Errorf("with 4 rng pods throughput is %.1f hashes/s, want well above 10", last.HashesPerSec)
	}
}

// Relabelling a pod out of its ReplicaSet's selector: the pod keeps running as
// an orphan outside the Service; the ReplicaSet replaces it.
func TestDebugPod(t *testing.T) {
	res := runBuiltin(t, "debug-pod")
	st := step(t, res, "app=rng-debug")
	if st.Error != "" {
		t.Fatalf("relabel failed: %s", st.Error)
	}
	var debug, rng []*model.Pod
	for _, p := range res.Cluster.Pods() {
		switch p.Labels["app"] {
		case "rng-debug":
			debug = append(debug, p)
		case "rng":
			rng = append(rng, p)
		}
	}
	if len(debug) != 1 || !debug[0].Running || debug[0].Owner != nil {
		t.Fatalf("debug pod: %+v", debug)
	}
	if len(rng) != 1 || !rng[0].Ready {
		t.Fatalf("replacement rng pods: %d", len(rng))
	}
	pods, _ := res.Cluster.EndpointPods(res.Cluster.Service("rng"))
	if len(pods) != 1 || pods[0] != rng[0] {
		t.Errorf("rng endpoints %v, want only the replacement", pods)
	}
}

// A node added to the cluster gets a DaemonSet pod; throughput rises.
func TestNodeAdd(t *testing.T) {
	res := runBuiltin(t, "node-add")
	if n := len(res.Cluster.DaemonSet("rng").Pods()); n != 4 {
		t.Errorf("DaemonSet pods after node5 joined: %d, want 4", n)
	}
	found := false
	for _, p := range res.Cluster.DaemonSet("rng").Pods() {
		found = found || p.NodeName == "node5"
	}
	if !found {
		t.Error("no rng pod on node5")
	}
}

// A rebooted node: its pods leave the endpoints after the grace period, the
// node comes back and its pods are restarted, not replaced.
func TestNodeReboot(t *testing.T) {
	res := runBuiltin(t, "node-reboot")
	if st := step(t, res, "node reboot"); st.Error != "" {
		t.Fatal(st.Error)
	}
	n := res.Cluster.Node("node3")
	if n == nil || !n.Ready || !n.Up {
		t.Fatalf("node3 not back: %+v", n)
	}
	restarted := 0
	for _, p := range res.Cluster.Pods() {
		if p.NodeName == "node3" && p.Restarts > 0 {
			restarted++
		}
	}
	if restarted == 0 {
		t.Error("no pod on node3 was restarted after the reboot")
	}
	a := res.Summary.Requests
	if a.Failed == 0 {
		t.Error("no request failed although node3 went down with pods serving")
	}
}

// kube-proxy's mode comes from the scenario: with IPVS round robin, four rng
// pods serve almost exactly the same number of requests; with iptables'
// random choice they do not.
func TestProxyModeBalancing(t *testing.T) {
	spread := func(mode string) (min, max int64) {
		src, _ := BuiltinSource("capacity")
		s, err := ParseFile("capacity.yaml", []byte(strings.Replace(string(src), "vars:\n", "config: {proxyMode: "+mode+"}\nvars:\n", 1)))
		if err != nil {
			t.Fatal(err)
		}
		s.Steps = append(s.Steps, Step{At: 10 * time.Second, Command: "kubectl scale deployment rng --replicas=4"})
		res, err := Run(s)
		if err != nil {
			t.Fatal(err)
		}
		min = 1 << 62
		for name, p := range res.Summary.Pods {
			if !strings.HasPrefix(name, "rng-") {
				continue
			}
			if p.Served < min {
				min = p.Served
			}
			if p.Served > max {
				max = p.Served
			}
		}
		return min, max
	}
	lo, hi := spread("ipvs-rr")
	if hi-lo > hi/20 {
		t.Errorf("ipvs-rr: rng pods served %d..%d requests, want near-equal", lo, hi)
	}
	lo2, hi2 := spread("iptables")
	if hi2-lo2 <= hi-lo {
		t.Errorf("iptables spread %d..%d is not wider than round robin's %d..%d", lo2, hi2, lo, hi)
	}
	if _, err := ParseFile("x.yaml", []byte("name: x\nduration: 1m\nconfig: {proxyMode: userspace}\n")); err == nil || !strings.Contains(err.Error(), "x.yaml:3: config.proxyMode \"userspace\"") {
		t.Errorf("bad proxy mode: %v", err)
	}
}

// noStepErrors fails on any step error except those the scenario expects.
// runText runs the scenario file text (named name in errors).
func runText(t *testing.T, name, text string) *Result {
	t.Helper()
	s, err := ParseFile(name, []byte(text))
	return runParsed(t, s, err)
}

// checkOutputs compares, for each key of want, the output of the first step
// whose command (with a newline after it) contains the key, trailing
// newlines trimmed, with want's value.
func checkOutputs(t *testing.T, res *Result, want map[string]string) {
	t.Helper()
	for cmd, w := range want {
		got := ""
		for _, st := range res.Timeline {
			if strings.Contains(st.Command+"\n", cmd) {
				got = strings.TrimRight(st.Output, "\n")
				break
			}
		}
		if got != w {
			t.Errorf("%s:\n%s\nwant\n%s", cmd, got, w)
		}
	}
}

func noStepErrors(t *testing.T, res *Result, expected ...string) {
	t.Helper()
	for _, st := range res.Timeline {
		if st.Error == "" {
			continue
		}
		ok := false
		for _, e := range expected {
			ok = ok || strings.Contains(st.Command, e)
		}
		if !ok {
			t.Errorf("%s: step %q failed: %s", res.Summary.Scenario, st.Command, st.Error)
		}
	}
}

func lastWindow(res *Result) float64 {
	return res.Mining().Windows[len(res.Mining().Windows)-1].HashesPerSec
}

// rngPerNode counts the live rng pods per node.
func rngPerNode(res *Result) map[string]int {
	m := map[string]int{}
	for _, p := range res.Cluster.Pods() {
		if p.Labels["app"] == "rng" && !p.Terminating {
			m[p.NodeName]++
		}
	}
	return m
}

func TestScaleWorkersScenario(t *testing.T) {
	res := runBuiltin(t, "scale-workers")
	noStepErrors(t, res)
	if v := lastWindow(res); v < 9.5 || v > 10.5 { // a window holds whole once-a-second counter updates
		t.Errorf("10 workers on one rng pod: %.2f hashes/s, want about 10 (rng serves 10 requests/s)", v)
	}
	if n := len(res.Cluster.Deployment("worker").ReplicaSets()[0].Pods()); n != 10 {
		t.Errorf("%d worker pods, want 10", n)
	}
}

// A Deployment of 3 rng replicas, then a DaemonSet: one rng pod per worker
// node, none on the control plane, and throughput well above one pod's 10/s.
func TestDeploymentVsDaemonSetScenario(t *testing.T) {
	res := runBuiltin(t, "deployment-vs-daemonset")
	noStepErrors(t, res)
	if res.Cluster.Deployment("rng") != nil {
		t.Error("the rng Deployment still exists")
	}
	per := rngPerNode(res)
	if len(per) != 3 || per["node1"] != 0 || per["node2"] != 1 || per["node3"] != 1 || per["node4"] != 1 {
		t.Errorf("rng pods per node %v, want one on each worker node", per)
	}
	if v := lastWindow(res); v < 20 {
		t.Errorf("with three rng pods: %.1f hashes/s", v)
	}
}

// Removing a node: its Deployment pods are replaced elsewhere, its DaemonSet
// pod is not, and mining recovers.
func TestNodeRemoveScenario(t *testing.T) {
	res := runBuiltin(t, "node-remove")
	noStepErrors(t, res)
	c := res.Cluster
	if c.Node("node2") != nil {
		t.Fatal("node2 still exists")
	}
	for _, p := range c.Pods() {
		if p.NodeName == "node2" {
			t.Errorf("pod %s still on node2", p.Name)
		}
	}
	if n := len(c.DaemonSet("rng").Pods()); n != 2 {
		t.Errorf("DaemonSet pods %d, want 2 (node3, node4)", n)
	}
	for _, d := range []string{"worker", "hasher", "redis", "webui"} {
		st := c.DeploymentStatus(c.Deployment(d))
		if st.Ready != c.Deployment(d).Replicas {
			t.Errorf("%s: %d of %d ready after the removal", d, st.Ready, c.Deployment(d).Replicas)
		}
	}
	if v := lastWindow(res); v < 15 {
		t.Errorf("mining did not recover: %.1f hashes/s", v)
	}
}

// A deleted node leaves pods per node when it leaves kubectl get nodes: its
// series (chart, node_pods.csv) ends with a NaN point at the deletion instead
// of holding its last count (0 once its pods are gone) to the end, and the
// summary lists only the nodes that remain.
func TestDeletedNodeLeavesPodsPerNode(t *testing.T) {
	res := runBuiltin(t, "node-remove")
	var node2 []metrics.Point
	for _, ns := range res.Rec.Series().NodePods {
		if ns.Name == "node2" {
			node2 = ns.Points
		}
	}
	if len(node2) < 2 {
		t.Fatalf("node2's pods over time: %v", node2)
	}
	last := node2[len(node2)-1]
	if !math.IsNaN(last.V) || last.T != 180 {
		t.Errorf("node2's series ends with %v, want a NaN point at its deletion (180 s)", last)
	}
	for _, p := range node2[:len(node2)-1] {
		if math.IsNaN(p.V) || p.V <= 0 && p.T > 0 {
			t.Errorf("node2 at %v s: %v pods before its deletion", p.T, p.V)
		}
	}
	sum := res.Rec.Summary()
	if _, ok := sum.Nodes["node2"]; ok {
		t.Error("the summary lists the deleted node2")
	}
	for name, n := range sum.Nodes {
		for _, p := range n.PodsOverTime {
			if math.IsNaN(p.V) {
				t.Errorf("%s: a NaN in pods_over_time", name)
			}
		}
	}
}

// The canary takes over: at the end the rng Service balances over the three
// canary pods only.
func TestCanaryScenario(t *testing.T) {
	res := runBuiltin(t, "canary")
	noStepErrors(t, res)
	pods, conds := res.Cluster.EndpointPods(res.Cluster.Service("rng"))
	ready := 0
	for i, p := range pods {
		if conds[i].Ready {
			ready++
			if p.Labels["track"] != "canary" {
				t.Errorf("ready endpoint %s is not a canary pod", p.Name)
			}
		}
	}
	if ready != 3 {
		t.Errorf("%d ready rng endpoints, want the 3 canary pods", ready)
	}
	if v := lastWindow(res); v < 20 {
		t.Errorf("%.1f hashes/s with three canary rng pods", v)
	}
}

// The capacity base runs with its defaults: 10 workers on one rng pod.
func TestCapacityScenario(t *testing.T) {
	res := runBuiltin(t, "capacity")
	noStepErrors(t, res)
	if v := lastWindow(res); v < 9.5 || v > 10.5 { // a window holds whole once-a-second counter updates
		t.Errorf("%.2f hashes/s, want about one rng pod's 10/s", v)
	}
}

// kubectl apply -f of a file without objects fails as kubectl does.
func TestApplyEmptyFile(t *testing.T) {
	s := &Scenario{Name: "t", Duration: time.Minute, Nodes: WorkshopNodes(), Config: DefaultConfig(),
		Files: map[string]string{"e.yml": "# nothing\n---\n"},
		Steps: []Step{{At: 0, Command: "kubectl apply -f e.yml"}, {At: time.Second, Command: "kubectl delete -f e.yml"}}}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	for i, verb := range []string{"apply", "delete"} {
		if got := res.Timeline[i].Error; got != "error: no objects passed to "+verb {
			t.Errorf("%s: error %q", res.Timeline[i].Command, got)
		}
	}
}

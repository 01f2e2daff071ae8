package scenarios

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// entryYAML: web (1 ms a request) runs on node2 behind a NodePort Service; the
// same open-loop load comes from a client pod on node3 (through the Service's
// ClusterIP), from outside through node3's node port, and from outside through
// node2's, where web runs. Deterministic: every hop takes its mean (250 us
// between nodes, 50 us within one).
const entryYAML = `name: entry
duration: 1m
config: {deterministic: true}
files:
  web.yaml: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          nodeSelector: {kubernetes.io/hostname: node2}
          containers: [{name: web, image: example/web}]
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: loadgen}
    spec:
      replicas: 1
      selector: {matchLabels: {app: loadgen}}
      template:
        metadata: {labels: {app: loadgen}}
        spec:
          nodeSelector: {kubernetes.io/hostname: node3}
          containers: [{name: loadgen, image: example/loadgen}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      type: NodePort
      selector: {app: web}
      ports: [{port: 80}]
timeline:
  - at: 0s
    run: kubectl apply -f web.yaml
workload:
  services:
    - {name: web, image: web, routes: [{name: /, service: 1ms}]}
  clients:
    - {name: in-pod, image: loadgen, rate: 10, arrival: constant, call: web, start: 20s}
    - {name: nodeport-node3, node: node3, rate: 10, arrival: constant, call: web, start: 20s}
    - {name: nodeport-node2, node: node2, rate: 10, arrival: constant, call: web, start: 20s}
`

// The same load through a NodePort shows the entry hop: a request (SYN,
// SYN-ACK, the request, the answer: four one-way trips) from a client pod on
// node3 to web on node2 takes 4 x 250 us + 1 ms = 2.0 ms; from outside
// through node3's node port each trip is a hop to node3 then one to node2:
// 4 x 500 us + 1 ms = 3.0 ms; through node2's, where web runs, the second
// hop stays on the node: 4 x 300 us + 1 ms = 2.2 ms.
func TestNodePortEntryHop(t *testing.T) {
	res := runText(t, "entry.yaml", entryYAML)
	for name, want := range map[string]float64{"in-pod": 2.0, "nodeport-node3": 3.0, "nodeport-node2": 2.2} {
		c, ok := res.Summary.Clients[name]
		if !ok {
			t.Fatalf("no client %s in %v", name, res.Summary.Clients)
		}
		if c.Requests < 350 || c.Errors != 0 {
			t.Errorf("%s: %d runs, %d errors: want about 400 without error", name, c.Requests, c.Errors)
		}
		if got := c.LatencyMs.P50; math.Abs(got-want) > 0.03 {
			t.Errorf("%s: p50 %.3f ms, want %.1f", name, got, want)
		}
	}
}

// A client outside the cluster calling a Service the scenario makes only as
// ClusterIP is refused by validate, naming the call's line and the fix.
func TestOutsideClientToClusterIPRefused(t *testing.T) {
	problems := ValidateData("shop.yaml", []byte(shopClusterIP))
	want := "shop.yaml:21: client shoppers (outside the cluster) calls web, a ClusterIP Service (shop.yaml:7: kubectl expose deployment web --port 80): no client outside the cluster can reach a ClusterIP Service; make the Service type NodePort or LoadBalancer"
	if len(problems) != 1 || !strings.HasPrefix(problems[0], want) || !strings.Contains(problems[0], "or run the client in a pod") {
		t.Fatalf("validate: %q\nwant one problem starting %q", problems, want)
	}
	// A client pointed at a node the cluster does not have.
	typo := strings.Replace(strings.Replace(shopClusterIP, "--port 80\n", "--port 80 --type=NodePort\n", 1), "{name: shoppers,", "{name: shoppers, node: nod2,", 1)
	want = "shop.yaml:21: client shoppers: node: nod2 is no node of the cluster (node1, node2, node3, node4) and no step adds it; point the client at one of them"
	if p := ValidateData("shop.yaml", []byte(typo)); len(p) != 1 || p[0] != want {
		t.Errorf("validate: %q\nwant %q", p, want)
	}
	// NodePort (or LoadBalancer) is valid; so is the same client in a pod.
	for _, ok := range []string{
		strings.Replace(shopClusterIP, "--port 80\n", "--port 80 --type=NodePort\n", 1),
		strings.Replace(shopClusterIP, "{name: shoppers,", "{name: shoppers, image: loadgen,", 1),
	} {
		if p := ValidateData("shop.yaml", []byte(ok)); len(p) != 0 {
			t.Errorf("validate: %q, want none", p)
		}
	}
}

// shopClusterIP is README's shop with web exposed as ClusterIP, as README
// had it before clients outside the cluster entered through a node.
var shopClusterIP = strings.Replace(shopYAML, " --type=LoadBalancer", "", 1)

// totalYAML: a load generator Deployment of 3 pods whose client runs USERS
// virtual users (thinking 1 s, calling web) per container or in total.
const totalYAML = `name: total
duration: 2m
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=example/web --replicas=2
      kubectl expose deployment web --port 80
      kubectl create deployment gen --image=example/loadgen --replicas=3
SCALE
workload:
  services:
    - {name: web, image: web, routes: [{name: /, service: 1ms}]}
  clients:
    - {name: gen, image: loadgen, USERS: 10, think: 1s, call: web}
`

// runsPerSecond is client name's runs per second in the windows from 60 s on.
func runsPerSecond(t *testing.T, res *Result, name string) float64 {
	t.Helper()
	c, ok := res.Summary.Clients[name]
	if !ok {
		t.Fatalf("no client %s", name)
	}
	var n int64
	var secs float64
	for _, w := range c.Windows {
		if w.Start >= 60 {
			n += w.Requests
			secs += w.End - w.Start
		}
	}
	return float64(n) / secs
}

// totalUsers: 10 over 3 load generator pods runs 4, 3 and 3 users (locust's
// master cycles through its workers, so the first ones get the remainder),
// 10 runs a second in all where users: 10 runs 10 per pod (30 a second);
// scaled to 4 pods, the 10 users are spread again, 3, 3, 2, 2, and the rate
// stays 10 a second.
func TestTotalUsersSpreadOverClientPods(t *testing.T) {
	text := func(users, scale string) string {
		return strings.NewReplacer("USERS", users, "SCALE\n", scale).Replace(totalYAML)
	}
	total := runText(t, "total.yaml", text("totalUsers", ""))
	if got := total.Declared.ContainerUsers("gen"); !slices.Equal(got, []int{4, 3, 3}) {
		t.Errorf("users per container %v, want [4 3 3]", got)
	}
	if r := runsPerSecond(t, total, "gen"); math.Abs(r-10) > 0.3 {
		t.Errorf("totalUsers: 10: %.2f runs/s, want 10 (10 users thinking 1 s)", r)
	}
	per := runText(t, "total.yaml", text("users", ""))
	if r := runsPerSecond(t, per, "gen"); math.Abs(r-30) > 0.9 {
		t.Errorf("users: 10 in 3 pods: %.2f runs/s, want 30", r)
	}
	scaled := runText(t, "total.yaml", text("totalUsers", "  - at: 30s\n    run: kubectl scale deployment gen --replicas=4\n"))
	if got := scaled.Declared.ContainerUsers("gen"); !slices.Equal(got, []int{3, 3, 2, 2}) {
		t.Errorf("after scaling to 4: users per container %v, want [3 3 2 2]", got)
	}
	if r := runsPerSecond(t, scaled, "gen"); math.Abs(r-10) > 0.3 {
		t.Errorf("totalUsers: 10 over 4 pods: %.2f runs/s, want 10", r)
	}
}

// A cluster's control plane carries kubeadm's
// node.kubernetes.io/exclude-from-external-load-balancers, so a
// LoadBalancer's load balancer never sends to it: with web on node2, the only
// worker, every request from outside enters on node2 and stays there (4 x 300
// us + 1 ms = 2.2 ms, p99 included). Before, half of them entered on node1,
// the control plane, and crossed to node2 (3.0 ms).
func TestLoadBalancerLeavesOutTheControlPlane(t *testing.T) {
	yaml := strings.Replace(entryYAML, "config: {deterministic: true}\n", "config: {deterministic: true}\ncluster: {controlPlanes: 1, workers: 1}\n", 1)
	yaml = strings.Replace(yaml, "type: NodePort", "type: LoadBalancer", 1)
	yaml = strings.Replace(yaml, "kubernetes.io/hostname: node3", "kubernetes.io/hostname: node2", 1)
	i := strings.Index(yaml, "  clients:\n")
	yaml = yaml[:i] + "  clients:\n    - {name: outside, rate: 10, arrival: constant, call: web, start: 20s}\n"
	res := runText(t, "lb.yaml", yaml)
	c, ok := res.Summary.Clients["outside"]
	if !ok {
		t.Fatalf("no client outside in %v", res.Summary.Clients)
	}
	if c.Requests < 350 || c.Errors != 0 {
		t.Errorf("%d runs, %d errors: want about 400 without error", c.Requests, c.Errors)
	}
	if p50, p99 := c.LatencyMs.P50, c.LatencyMs.P99; math.Abs(p50-2.2) > 0.03 || math.Abs(p99-2.2) > 0.03 {
		t.Errorf("p50 %.3f ms, p99 %.3f ms: want both 2.2 ms (every request entering on node2, none on the control plane)", p50, p99)
	}
}

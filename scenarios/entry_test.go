package scenarios

import (
	"math"
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

const shopClusterIP = `name: shop
duration: 2m
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=example/web --replicas=2
      kubectl expose deployment web --port 80
      kubectl create deployment db --image=example/db
      kubectl expose deployment db --port 5432
workload:
  services:
    - name: web
      image: web
      concurrency: 8
      routes:
        - {name: /, service: exp(5ms), script: [{call: db/query}]}
    - name: db
      image: db
      routes: [{name: /query, service: exp(2ms)}]
  clients:
    - {name: shoppers, users: 20, think: exp(1s), call: web}
`

package scenarios

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// The cluster-autoscaler built-in: the batch's 11 pods that do not fit
// node2 make the pool grow to 3 nodes (4 CPUs each: 4 + 4 + 3 pods), each
// Ready 60-120 s after the scale-up at the first loop after the batch (40 s);
// the batch ends at 10 min, the nodes are unneeded from the first loop after
// its pods are gone and go together 10 min later; cost is node-hours x 0.19.
func TestClusterAutoscalerBuiltin(t *testing.T) {
	for _, seed := range []uint64{1, 7} {
		s, err := Builtin("cluster-autoscaler")
		if err != nil {
			t.Fatal(err)
		}
		s.Seed = seed
		res, err := Run(s)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Unexpected) > 0 {
			t.Fatalf("seed %d: %v", seed, res.Unexpected)
		}
		a := AutoscalingOf(res.Autoscaler)
		g := a.NodeGroups[0]
		if g.Peak != 3 || g.Nodes != 0 || a.ScaleUps != 1 || a.ScaleDowns != 3 {
			t.Fatalf("seed %d: %+v", seed, a)
		}
		var up []float64
		for _, p := range g.NodesOverTime[1:] {
			if len(up) < 3 {
				up = append(up, p.T)
			}
		}
		for _, ts := range up {
			if ts < 40+60 || ts > 40+120 {
				t.Errorf("seed %d: a node joined at %v s, not 60-120 s after the scale-up at 40 s", seed, ts)
			}
		}
		last := g.NodesOverTime[len(g.NodesOverTime)-1]
		// The batch's pods are gone 30 s (their grace period) after 10 min;
		// the loop at 640 s finds the nodes unneeded; 10 min later they go.
		if last.V != 0 || last.T != 1240 {
			t.Errorf("seed %d: nodes removed at %v s, want 1,240 s (10 min after the loop that found them unneeded)", seed, last.T)
		}
		// Billed from the scale-up (40 s) to the removal: 3 x (last.T - 40) s.
		if want := 3 * (last.T - 40) / 3600; math.Abs(g.NodeHours-want) > 1e-5 {
			t.Errorf("seed %d: node-hours %v, want %v", seed, g.NodeHours, want)
		}
		if math.Abs(a.Cost-g.NodeHours*0.19) > 1e-5 {
			t.Errorf("seed %d: cost %v for %v node-hours at 0.19", seed, a.Cost, g.NodeHours)
		}
		peak := 0.0
		for _, p := range a.PendingPods {
			peak = math.Max(peak, p.V)
		}
		if peak != 11 {
			t.Errorf("seed %d: pending pods peaked at %v, want 11", seed, peak)
		}
		b, err := json.Marshal(res.Summary)
		if err != nil || !strings.Contains(string(b), `"autoscaling":{"cost":`) {
			t.Errorf("seed %d: JSON summary lacks autoscaling: %v %.300s", seed, err, b)
		}
		out := ""
		for _, st := range res.Timeline {
			out += st.Output + "\n"
		}
		for _, want := range []string{"batch   1/12", "pool-3   Ready", "web    1               N/A               1",
			// The status ConfigMap at 19 min: the three pool nodes found
			// unneeded at 640 s, to go at 1,240 s.
			"cluster-autoscaler-status   1      4m", "Name:         cluster-autoscaler-status\nNamespace:    kube-system",
			"Annotations:  cluster-autoscaler.kubernetes.io/last-updated: 2026-01-05 09:18:50 +0000 UTC",
			"  scaleDown:\n    candidates: 3\n    lastProbeTime: \"2026-01-05T09:18:50Z\"\n    lastTransitionTime: \"2026-01-05T09:10:40Z\"\n    status: CandidatesPresent",
			"Normal  ScaledUpGroup  18m   cluster-autoscaler  Scale-up: setting group pool size to 3 instead of 0 (max: 5)"} {
			if !strings.Contains(out, want) {
				t.Errorf("seed %d: timeline lacks %q:\n%s", seed, want, out)
			}
		}
	}
}

// Node groups are checked with the file, the line and what to do.
func TestNodeGroupErrors(t *testing.T) {
	for _, c := range []struct{ group, want string }{
		{"{name: a, min: 0}", "s.yaml:6: cluster.nodeGroups[0]: max is required"},
		{"{name: a, min: 3, max: 2}", "s.yaml:6: cluster.nodeGroups[0]: min (3) is above max (2)"},
		{"{name: a, max: 0}", "s.yaml:6: cluster.nodeGroups[0].max: 0 is out of range (the most nodes the autoscaler may give the group): give a value from 1 up to 100000"},
		{"{name: a, max: 2, costPerHour: -1}", "cluster.nodeGroups[0].costPerHour: -1 is out of range"},
		{"{name: a, max: 2, min: x}", `cluster.nodeGroups[0].min: "x" is not a whole number`},
		{"{name: a, max: 2, provisioningDelay: soon}", "cluster.nodeGroups[0].provisioningDelay: distribution \"soon\""},
		{"{name: a, max: 2, machine: {cpu: 0}}", "cluster.nodeGroups[0].machine.cpu: \"0\" is not a positive Kubernetes quantity"},
		{"{name: a, max: 2, size: 3}", `cluster.nodeGroups[0]: unknown field "size"`},
		{"{name: A_b, max: 2}", `cluster.nodeGroups[0].name: "A_b" is not a valid group name`},
		{"{max: 2}", "cluster.nodeGroups[0]: every node group needs a name"},
		{"{name: node, max: 2}", `cluster: node "node-1" has the name of a node of group node`},
	} {
		src := "name: s\nduration: 1m\ncluster:\n  nodes: [{name: node-1}]\n  nodeGroups:\n  - " + c.group + "\n"
		_, err := ParseFile("s.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.group, err, c.want)
		}
	}
	src := "name: s\nduration: 1m\nconfig:\n  autoscaler: {expander: cheapest}\n"
	if _, err := ParseFile("s.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(),
		`s.yaml:4: config.autoscaler.expander: "cheapest" is not an expander: want one of least-waste, most-pods, priority, random`) {
		t.Errorf("bad expander: %v", err)
	}
	src = "name: s\nduration: 1m\nconfig:\n  autoscaler: {scaleDownUtilizationThreshold: 1.5}\n"
	if _, err := ParseFile("s.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), "config.autoscaler.scaleDownUtilizationThreshold: 1.5 is out of range") {
		t.Errorf("threshold 1.5: %v", err)
	}
	src = "name: s\nduration: 1m\ncluster:\n  nodeGroups:\n  - {name: gpu, max: 3, machine: {cpu: \"8\", memory: 32Gi}, labels: {pool: gpu}, taints: [\"gpu=true:NoSchedule\"], provisioningDelay: 90s, costPerHour: 2.5, priority: 10}\n"
	s, err := ParseFile("s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	g := s.NodeGroups[0]
	if g.Max != 3 || g.Machine.MilliCPU != 8000 || g.Labels["pool"] != "gpu" || len(g.Taints) != 1 || g.CostPerHour != 2.5 || g.Priority != 10 || g.ProvisioningDelay.String() != "const(1m30s)" {
		t.Errorf("parsed %+v", g)
	}
}

// kubectl drain evicts through the eviction API: a pod whose budget allows
// no disruption is refused with the API's 429 message and retried every
// 5 s, and goes once the budget allows it (here when the first one's
// replacement, pinned to pool a, finds node2 labelled pool=a and is Ready); get and describe pdb print the budget as kubectl does.
func TestDrainRespectsPDB(t *testing.T) {
	src := `name: drain
duration: 3m
cluster:
  nodes: [{name: node1, labels: {pool: a}}, {name: node2}]
files:
  web.yaml: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          nodeSelector: {pool: a}
          containers: [{name: web, image: nginx}]
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: web}
    spec:
      maxUnavailable: 1
      selector: {matchLabels: {app: web}}
timeline:
  - at: 0s
    run: kubectl apply -f web.yaml
  - at: 60s
    run: |
      kubectl get pdb
      kubectl describe pdb web
      kubectl drain node1
  - at: 90s
    run: kubectl label node node2 pool=a
`
	s, err := ParseFile("drain.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, st := range res.Timeline {
		all = append(all, st.Command+" => "+st.Output+" ! "+st.Error)
	}
	out := strings.Join(all, "\n")
	for _, want := range []string{
		"NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE\nweb    N/A             1                 1                     60s",
		"Name:             web\nNamespace:        default\nMax unavailable:  1\nSelector:         app=web\nStatus:\n    Allowed disruptions:  1\n    Current:              2\n    Desired:              1\n    Total:                2\nEvents:                   <none>",
		"node/node1 cordoned",
		`error when evicting pods/"web-`,
		`" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`,
		"evicted (after ",
		"node/node1 drained",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("timeline lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "will retry after 5s"); n != 1 {
		t.Errorf("the refusal is printed %d times, want once:\n%s", n, out)
	}
	for _, p := range res.Cluster.Pods() {
		if p.NodeName == "node1" {
			t.Errorf("pod %s still on node1", p.Name)
		}
	}
}

// A budget lives in its namespace: get pdb -n lists it there, not in default.
func TestPDBNamespaced(t *testing.T) {
	src := `name: ns
duration: 1m
files:
  pdb.yaml: |
    apiVersion: v1
    kind: Namespace
    metadata: {name: shop}
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: cart, namespace: shop}
    spec:
      minAvailable: 50%
      selector: {matchLabels: {app: cart}}
timeline:
  - at: 0s
    run: kubectl apply -f pdb.yaml
  - at: 10s
    run: |
      kubectl get pdb -n shop
      kubectl get pdb
`
	s, err := ParseFile("ns.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	tl := res.Timeline
	if len(tl) != 3 || tl[0].Output != "namespace/shop created\npoddisruptionbudget.policy/cart created" ||
		tl[1].Output != "NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE\ncart   50%             N/A               0                     10s" ||
		tl[2].Output != "No resources found in default namespace." {
		t.Errorf("timeline %+v", tl)
	}
}

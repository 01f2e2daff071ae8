package model

import (
	"strings"
	"testing"
)

// A worker dies for good: NotReady after the grace period (50 s + up to one
// heartbeat and one monitor period), its pods lose Ready at that moment, are
// evicted 300 s later and replaced elsewhere; they stay Terminating (the
// kubelet is gone). Daemon pods are not evicted.
func TestNodeFailureTimeline(t *testing.T) {
	c := newWorkshop(t, 1, 4)
	mustDeploy(t, c, "rng", "dockercoins/rng:v0.1", 3)
	svc, _ := c.CreateService("rng", map[string]string{"app": "rng"}, 80)
	mustDaemonSet(t, c, rngDaemon("agent"))
	runFor(c, sec(100))
	n := c.Node("node3")
	var onNode []*Pod
	for _, p := range n.Pods() {
		if p.Labels["app"] == "rng" {
			onNode = append(onNode, p)
		}
	}
	if len(onNode) != 1 {
		t.Fatalf("%d rng pods on node3, want 1 (placement %s)", len(onNode), placement(c, withLabel("app", "rng")))
	}
	victim := onNode[0]
	died := c.Now()
	c.StopNode("node3")
	runFor(c, sec(1))
	if !victim.Ready || victim.Running {
		t.Fatalf("just after the crash: ready %v running %v; want the API to still say Ready", victim.Ready, victim.Running)
	}
	if got := svc.ReadyEndpoints(); got != 3 {
		t.Errorf("just after the crash kube-proxy has %d ready endpoints, want 3 (the dead pod still gets traffic)", got)
	}
	runFor(c, sec(60))
	notReady := n.NotReadyAt - died
	sinceHB := n.NotReadyAt - c.lastHeartbeat(n, died)
	t.Logf("NotReady %v after the crash, %v after the last heartbeat", notReady, sinceHB)
	g := c.Cfg.Timings
	if n.Ready || sinceHB <= g.NodeMonitorGracePeriod || sinceHB > g.NodeMonitorGracePeriod+g.NodeMonitorPeriod {
		t.Fatalf("node NotReady %v after its last heartbeat; want in (50 s, 55 s]", sinceHB)
	}
	if notReady <= g.NodeMonitorGracePeriod-g.NodeStatusUpdate || notReady > g.NodeMonitorGracePeriod+g.NodeMonitorPeriod {
		t.Fatalf("node NotReady %v after the crash; want in (40 s, 55 s]", notReady)
	}
	if victim.Ready {
		t.Errorf("pod on the dead node still Ready after the node went NotReady")
	}
	if got := svc.ReadyEndpoints(); got != 2 {
		t.Errorf("after NotReady kube-proxy has %d ready endpoints, want 2", got)
	}
	if !n.HasTaint(TaintUnreachable, NoExecute) || !n.HasTaint(TaintUnreachable, NoSchedule) {
		t.Errorf("taints %v, want unreachable NoSchedule and NoExecute", n.Taints)
	}
	runFor(c, sec(400))
	if got := victim.DeletedAt - n.NotReadyAt; got != sec(300.1) {
		t.Errorf("pod evicted %v after NotReady, want 300.1 s (tainting pass 100 ms, then tolerationSeconds)", got)
	}
	if !victim.Terminating || victim.Gone {
		t.Errorf("evicted pod on the dead node: terminating %v gone %v; want Terminating until the node returns", victim.Terminating, victim.Gone)
	}
	var repl *Pod
	for _, p := range live(c, withLabel("app", "rng")) {
		if p.CreationTimestamp >= victim.DeletedAt {
			repl = p
		}
	}
	if repl == nil || repl.NodeName == "node3" || !repl.Ready {
		t.Fatalf("no Ready replacement elsewhere; placement %s", placement(c, withLabel("app", "rng")))
	}
	t.Logf("replacement created %v and Ready %v after the eviction", repl.CreationTimestamp-victim.DeletedAt, repl.ReadyAt-victim.DeletedAt)
	if repl.ReadyAt-victim.DeletedAt > sec(5) {
		t.Errorf("replacement Ready %v after the eviction, want within 5 s", repl.ReadyAt-victim.DeletedAt)
	}
	if got := svc.ReadyEndpoints(); got != 3 {
		t.Errorf("after the replacement kube-proxy has %d ready endpoints, want 3", got)
	}
	for _, p := range n.Pods() {
		if p.ds != nil && p.Terminating {
			t.Errorf("daemon pod %s evicted", p.Name)
		}
	}
	if got := len(live(c, func(p *Pod) bool { return p.ds != nil })); got != 3 {
		t.Errorf("%d daemon pods, want 3 (the dead node's kept)", got)
	}
}

// A node rebooted for 2 minutes: NotReady during it, back Ready at the next
// monitor tick after it returns; its pods restart in place (no eviction yet)
// and are Ready after the container start.
func TestRebootBeforeEviction(t *testing.T) {
	c := newWorkshop(t, 2, 4)
	mustDeploy(t, c, "hasher", "dockercoins/hasher:v0.1", 3)
	runFor(c, sec(30))
	before := sortedNames(live(c, withLabel("app", "hasher")))
	n := c.Node("node2")
	p := n.Pods()[0]
	if err := c.RebootNode("node2", sec(120)); err != nil {
		t.Fatal(err)
	}
	back := c.Now() + sec(120)
	runFor(c, sec(200))
	if n.NotReadyAt == 0 || !n.Ready {
		t.Fatalf("node: NotReadyAt %v ready %v", n.NotReadyAt, n.Ready)
	}
	if d := n.ReadyAt - back; d <= 0 || d > c.Cfg.Timings.NodeMonitorPeriod {
		t.Errorf("node Ready %v after it came back, want within one monitor period", d)
	}
	if p.Restarts != 1 || !p.Ready || p.Terminating {
		t.Errorf("pod %s: restarts %d ready %v terminating %v", p.Name, p.Restarts, p.Ready, p.Terminating)
	}
	// Image cached on disk: ready after the container start only.
	if d := p.ReadyAt - back; d != c.Cfg.Timings.ContainerStart.Params[0] {
		t.Errorf("pod Ready %v after the node came back, want the container start (800 ms)", d)
	}
	if after := sortedNames(live(c, withLabel("app", "hasher"))); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("pods replaced: %v -> %v", before, after)
	}
}

// A reboot shorter than the grace period is never noticed by the control plane.
func TestShortRebootUnnoticed(t *testing.T) {
	c := newWorkshop(t, 3, 3)
	mustDeploy(t, c, "web", "nginx", 2)
	runFor(c, sec(30))
	n := c.Node("node2")
	c.RebootNode("node2", sec(20))
	runFor(c, sec(60))
	if n.NotReadyAt != 0 || !n.Ready || len(n.Taints) != 0 {
		t.Errorf("node NotReadyAt %v ready %v taints %v; want never NotReady", n.NotReadyAt, n.Ready, n.Taints)
	}
	for _, p := range n.Pods() {
		if p.Restarts != 1 || !p.Ready {
			t.Errorf("pod %s restarts %d ready %v", p.Name, p.Restarts, p.Ready)
		}
	}
}

// With most of a small cluster down the zone is in partial disruption: nodes
// found NotReady once 3 (and 55%) are NotReady get no NoExecute taint, so
// their pods are not evicted; once the zone recovers they are.
func TestNoEvictionInZoneDisruption(t *testing.T) {
	c := newWorkshop(t, 4, 5) // 4 workers + control plane
	mustDeploy(t, c, "web", "nginx", 8)
	runFor(c, sec(30))
	down := []string{"node2", "node3", "node4"}
	for _, n := range down {
		c.StopNode(n)
	}
	runFor(c, sec(500))
	var untainted []string
	for _, name := range down {
		n := c.Node(name)
		if n.Ready {
			t.Fatalf("%s still Ready", name)
		}
		tainted := n.HasTaint(TaintUnreachable, NoExecute)
		for _, p := range n.Pods() {
			if p.Terminating != tainted {
				t.Errorf("pod %s on %s: terminating %v, node NoExecute-tainted %v", p.Name, name, p.Terminating, tainted)
			}
		}
		if !tainted {
			untainted = append(untainted, name)
		}
	}
	if len(untainted) == 0 {
		t.Fatalf("every down node was tainted: the zone never entered partial disruption")
	}
	t.Logf("nodes spared by the disruption rule: %v", untainted)
	u := untainted[0]
	for _, name := range down {
		if name != u {
			c.StartNode(name)
		}
	}
	recovered := c.Now()
	runFor(c, sec(400))
	n := c.Node(u)
	if !n.HasTaint(TaintUnreachable, NoExecute) {
		t.Fatalf("%s not tainted after the zone recovered", u)
	}
	for _, p := range n.Pods() {
		if !p.Terminating || p.DeletedAt-recovered > sec(306) {
			t.Errorf("pod %s on %s: terminating %v, deleted %v after recovery", p.Name, u, p.Terminating, p.DeletedAt-recovered)
		}
	}
}

func TestCordonAndDrain(t *testing.T) {
	c := newWorkshop(t, 5, 4)
	mustDeploy(t, c, "web", "nginx", 6)
	mustDaemonSet(t, c, rngDaemon("agent"))
	bare, _ := c.CreatePod("bare", nil, PodSpec{Image: "nginx", NodeName: "node2"}, nil)
	runFor(c, sec(30))
	if _, err := c.Drain("node2", DrainOptions{GracePeriod: -1}); err == nil ||
		!strings.Contains(err.Error(), "--ignore-daemonsets") || !strings.Contains(err.Error(), "default/bare") {
		t.Fatalf("drain without flags: %v", err)
	}
	if !c.Node("node2").Unschedulable {
		t.Errorf("a failed drain leaves the node cordoned")
	}
	evicted, err := c.Drain("node2", DrainOptions{Force: true, IgnoreDaemonSets: true, GracePeriod: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(evicted) != 3 { // 2 web + bare
		t.Errorf("evicted %v", sortedNames(evicted))
	}
	runFor(c, sec(60))
	if got := placement(c, withLabel("app", "web")); got != "node1=0 node2=0 node3=3 node4=3" {
		t.Errorf("web after drain: %s", got)
	}
	if !bare.Gone {
		t.Errorf("bare pod not deleted")
	}
	if got := placement(c, withLabel("app", "agent")); got != "node1=0 node2=1 node3=1 node4=1" {
		t.Errorf("daemon pods after drain: %s", got)
	}
	c.Uncordon("node2")
	d := c.Deployment("web")
	c.ScaleDeployment(d, 9)
	runFor(c, sec(30))
	if got := placement(c, withLabel("app", "web")); got != "node1=0 node2=3 node3=3 node4=3" {
		t.Errorf("web after uncordon and scale to 9: %s", got)
	}
}

// Removing a node: its pods leave endpoints at once and are deleted by PodGC
// after the quarantine; the ReplicaSet replaces them.
func TestRemoveNode(t *testing.T) {
	c := newWorkshop(t, 6, 4)
	mustDeploy(t, c, "web", "nginx", 3)
	runFor(c, sec(30))
	var gone []*Pod
	gone = append(gone, c.Node("node4").Pods()...)
	if len(gone) == 0 {
		t.Fatal("no pod on node4")
	}
	removed := c.Now()
	if err := c.RemoveNode("node4"); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(1))
	for _, p := range gone {
		if p.Ready || p.Running {
			t.Errorf("pod %s of the removed node still ready/running", p.Name)
		}
	}
	runFor(c, sec(90))
	for _, p := range gone {
		if !p.Gone || p.GoneAt-removed < sec(40) || p.GoneAt-removed > sec(60) {
			t.Errorf("pod %s gone %v (at %v after removal), want 40-60 s (PodGC)", p.Name, p.Gone, p.GoneAt-removed)
		}
	}
	if got := placement(c, withLabel("app", "web")); len(live(c, withLabel("app", "web"))) != 3 {
		t.Errorf("web after removal: %s, want 3 pods", got)
	}
	if c.Node("node4") != nil {
		t.Errorf("node4 still listed")
	}
	if readyCount(live(c, withLabel("app", "web"))) != 3 {
		t.Errorf("replacements not Ready")
	}
}

// A NoExecute taint: pods that do not tolerate it are evicted at once, those
// tolerating it for N seconds after N seconds, those tolerating it forever stay.
func TestNoExecuteTolerationSeconds(t *testing.T) {
	c := newWorkshop(t, 7, 3)
	on2 := func(name string, tol []Toleration) *Pod {
		p, err := c.CreatePod(name, nil, PodSpec{Image: "a", NodeName: "node2", Tolerations: tol}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	none := on2("none", nil)
	sixty := on2("sixty", []Toleration{{Key: "maint", Operator: "Exists", Effect: NoExecute, Seconds: Seconds(60)}})
	ever := on2("forever", []Toleration{{Key: "maint", Operator: "Exists", Effect: NoExecute}})
	runFor(c, sec(10))
	tainted := c.Now()
	c.TaintNode("node2", Taint{Key: "maint", Effect: NoExecute})
	runFor(c, sec(120))
	if none.DeletedAt != tainted {
		t.Errorf("untolerating pod deleted at %v, want at the taint (%v)", none.DeletedAt, tainted)
	}
	if sixty.DeletedAt-tainted != sec(60) {
		t.Errorf("60 s toleration: deleted %v after the taint", sixty.DeletedAt-tainted)
	}
	if ever.Terminating {
		t.Errorf("pod tolerating forever was evicted")
	}
	// Removing the taint cancels a pending eviction.
	p := on2("later", []Toleration{{Key: "maint", Operator: "Exists", Effect: NoExecute, Seconds: Seconds(60)}})
	runFor(c, sec(10))
	c.UntaintNode("node2", "maint", NoExecute)
	runFor(c, sec(120))
	if p.Terminating {
		t.Errorf("eviction not cancelled by removing the taint")
	}
}

func TestNodeAPIErrors(t *testing.T) {
	c := newWorkshop(t, 1, 3)
	if _, err := c.AddNode("node2", nil, nil, workerCap); err == nil {
		t.Error("duplicate node accepted")
	}
	if err := c.StartNode("node2"); err == nil {
		t.Error("starting a running node accepted")
	}
	if err := c.UntaintNode("node2", "nope", NoSchedule); err == nil {
		t.Error("removing a missing taint accepted")
	}
	if err := c.TaintNode("node2", Taint{Key: "a", Effect: NoSchedule}); err != nil {
		t.Fatal(err)
	}
	if err := c.TaintNode("node2", Taint{Key: "a", Value: "b", Effect: NoSchedule}); err == nil {
		t.Error("duplicate taint accepted without overwrite")
	}
	if _, err := c.AddNode("bad", map[string]string{"-x": "y"}, nil, workerCap); err == nil {
		t.Error("invalid label key accepted")
	}
}

// Force deletion removes a pod stuck Terminating on a dead node.
func TestForceDeleteOnDeadNode(t *testing.T) {
	c := newWorkshop(t, 2, 3)
	p, _ := c.CreatePod("p", nil, PodSpec{Image: "a", NodeName: "node2"}, nil)
	runFor(c, sec(10))
	c.StopNode("node2")
	c.DeletePod(p)
	runFor(c, sec(60))
	if !p.Terminating || p.Gone {
		t.Fatalf("graceful delete on a dead node: terminating %v gone %v; want stuck Terminating", p.Terminating, p.Gone)
	}
	c.DeletePodGrace(p, 0) // kubectl delete --force --grace-period=0
	if !p.Gone {
		t.Errorf("force delete left the pod")
	}
}

// A reboot longer than grace + tolerationSeconds: the node's Deployment pods
// were evicted and replaced elsewhere; when it returns the kubelet finishes
// their deletion (they are gone, not restarted), while its daemon pod restarts.
func TestLongRebootAfterEviction(t *testing.T) {
	c := newWorkshop(t, 3, 4)
	mustDeploy(t, c, "web", "nginx", 3)
	ds := mustDaemonSet(t, c, rngDaemon("agent"))
	runFor(c, sec(30))
	n := c.Node("node2")
	var web, daemon []*Pod
	for _, p := range n.Pods() {
		if p.ds == ds {
			daemon = append(daemon, p)
		} else {
			web = append(web, p)
		}
	}
	if len(web) == 0 || len(daemon) != 1 {
		t.Fatalf("node2 runs %d web and %d daemon pods", len(web), len(daemon))
	}
	c.RebootNode("node2", sec(600))
	back := c.Now() + sec(600)
	runFor(c, sec(500))
	for _, p := range web {
		if !p.Terminating || p.Gone {
			t.Errorf("web pod %s during the outage: terminating %v gone %v", p.Name, p.Terminating, p.Gone)
		}
	}
	if got := len(live(c, withLabel("app", "web"))); got != 3 {
		t.Errorf("%d web pods alive elsewhere, want 3 replacements", got)
	}
	runFor(c, sec(200))
	for _, p := range web {
		if !p.Gone || p.GoneAt != back {
			t.Errorf("web pod %s: gone %v at %v, want gone when the node returned (%v)", p.Name, p.Gone, p.GoneAt, back)
		}
	}
	d := daemon[0]
	if d.Terminating || !d.Ready || d.Restarts != 1 {
		t.Errorf("daemon pod: terminating %v ready %v restarts %d; want restarted in place", d.Terminating, d.Ready, d.Restarts)
	}
	if !n.Ready || n.HasTaint(TaintUnreachable, NoExecute) {
		t.Errorf("node2 after return: ready %v taints %v", n.Ready, n.Taints)
	}
}

// The node lifecycle controller's grace period is v1.37's default,
// --node-monitor-grace-period 50 s (40 s before v1.32): a node that stops
// heartbeating is NotReady more than 50 s after its last heartbeat, at the
// first monitor pass (every 5 s) after that, never at 40-50 s.
//
// Source: kubernetes/kubernetes pkg/controller/nodelifecycle/config/v1alpha1/
// defaults.go, RecommendedDefaultNodeLifecycleControllerConfiguration, which
// kube-controller-manager's NodeLifecycleControllerOptions start from: it set
// NodeMonitorGracePeriod to 40 s until kubernetes/kubernetes#126287 ("node:
// Update Node Monitor Grace Period default duration to 50s", fixing #121793;
// release note "The default value for node-monitor-grace-period has been
// increased to 50s (earlier 40s)") made it 50 s, first released in v1.32;
// kube-controller-manager's generated flag reference reads "Default: 50s"
// from then on. No later change upstream (#127352, asking for more, was
// closed unchanged).
func TestNodeMonitorGracePeriodV137(t *testing.T) {
	if g := DefaultConfig().Timings.NodeMonitorGracePeriod; g != sec(50) {
		t.Fatalf("default node-monitor-grace-period %v, want 50s (v1.37)", g)
	}
	c := newWorkshop(t, 1, 3)
	runFor(c, sec(100))
	n := c.Node("node3")
	stopped := c.Now()
	hb := c.lastHeartbeat(n, stopped)
	if err := c.StopNode("node3"); err != nil {
		t.Fatal(err)
	}
	runFor(c, hb+sec(50)-c.Now())
	if !n.Ready {
		t.Fatalf("node3 NotReady %v after its last heartbeat, within the 50 s grace period", n.NotReadyAt-hb)
	}
	runFor(c, sec(5))
	if n.Ready {
		t.Fatalf("node3 still Ready 55 s after its last heartbeat")
	}
	if d := n.NotReadyAt - hb; d <= sec(50) || d > sec(55) {
		t.Errorf("node3 NotReady %v after its last heartbeat, want in (50 s, 55 s]", d)
	}
}

package model

import (
	"strings"
	"testing"

	"github.com/kubesim/kubesim/sim"
)

func TestDeploymentOwnsReplicaSetWithTemplateHash(t *testing.T) {
	c := newWorkshop(t, 1, 4)
	d := mustDeploy(t, c, "rng", "dockercoins/rng:v0.1", 3)
	runFor(c, sec(10))
	rss := d.ReplicaSets()
	if len(rss) != 1 {
		t.Fatalf("got %d ReplicaSets, want 1", len(rss))
	}
	rs := rss[0]
	h := rs.Template.Labels[LabelPodTemplateHash]
	if h == "" || rs.Name != "rng-"+h {
		t.Fatalf("ReplicaSet %q, template hash %q: want rng-<hash>", rs.Name, h)
	}
	if v, ok := rs.Selector.RequiresExactMatch(LabelPodTemplateHash); !ok || v != h {
		t.Errorf("ReplicaSet selector %q lacks pod-template-hash=%s", rs.Selector, h)
	}
	if rs.Owner == nil || rs.Owner.Kind != "Deployment" || rs.Owner.Name != "rng" {
		t.Errorf("ReplicaSet owner %+v", rs.Owner)
	}
	pods := live(c, withLabel("app", "rng"))
	if len(pods) != 3 || readyCount(pods) != 3 {
		t.Fatalf("%d pods, %d ready; want 3 ready", len(pods), readyCount(pods))
	}
	for _, p := range pods {
		if p.Labels[LabelPodTemplateHash] != h || p.Owner == nil || p.Owner.Name != rs.Name ||
			!strings.HasPrefix(p.Name, rs.Name+"-") || len(p.Name) != len(rs.Name)+6 {
			t.Errorf("pod %s: labels %v owner %+v", p.Name, p.Labels, p.Owner)
		}
	}
	if st := c.DeploymentStatus(d); !st.Complete || st.Available != 3 {
		t.Errorf("status %+v, want complete with 3 available", st)
	}
}

// Slow start: a ReplicaSet creates pods in batches of 1, 2, 4, 8, each batch
// one API call after the previous one.
func TestReplicaSetSlowStartBatches(t *testing.T) {
	c := newWorkshop(t, 1, 4)
	d := mustDeploy(t, c, "worker", "dockercoins/worker:v0.1", 0)
	runFor(c, sec(1))
	if err := c.ScaleDeployment(d, 12); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(5))
	byTime := map[sim.Time]int{}
	var times []sim.Time
	for _, p := range live(c, withLabel("app", "worker")) {
		if byTime[p.CreationTimestamp] == 0 {
			times = append(times, p.CreationTimestamp)
		}
		byTime[p.CreationTimestamp]++
	}
	var sizes []int
	for _, tm := range times {
		sizes = append(sizes, byTime[tm])
	}
	want := []int{1, 2, 4, 5}
	if len(sizes) != len(want) {
		t.Fatalf("batch sizes %v, want %v", sizes, want)
	}
	for i := range want {
		if sizes[i] != want[i] {
			t.Fatalf("batch sizes %v, want %v", sizes, want)
		}
	}
	// Each batch waits for the previous one: APICall (5 ms) apart.
	for i := 1; i < len(times); i++ {
		if gap := times[i] - times[i-1]; gap != 5e6 {
			t.Errorf("batch %d created %v after the previous one, want 5ms", i, gap)
		}
	}
}

// Scale-down removes the pending pod first, then pods on the node with the
// most replicas, then the newest.
func TestScaleDownVictimOrder(t *testing.T) {
	c := newWorkshop(t, 3, 3) // node2, node3
	if err := c.Cordon("node3"); err != nil {
		t.Fatal(err)
	}
	d := mustDeploy(t, c, "web", "nginx", 3) // all on node2
	runFor(c, sec(10))
	if err := c.Uncordon("node3"); err != nil {
		t.Fatal(err)
	}
	if err := c.ScaleDeployment(d, 4); err != nil { // the 4th goes to node3
		t.Fatal(err)
	}
	runFor(c, sec(10))
	if got := placement(c, withLabel("app", "web")); got != "node1=0 node2=3 node3=1" {
		t.Fatalf("placement %s", got)
	}
	onNode3 := live(c, func(p *Pod) bool { return p.Labels["app"] == "web" && p.NodeName == "node3" })[0]
	// A pod that cannot be scheduled (needs a node label nobody has): via a bare
	// template change would roll; instead make node capacity full: scale to 5
	// with node2 and node3 cordoned, so the 5th stays pending.
	c.Cordon("node2")
	c.Cordon("node3")
	c.ScaleDeployment(d, 5)
	runFor(c, sec(5))
	pending := c.PendingPods()
	if len(pending) != 1 {
		t.Fatalf("%d pending pods, want 1", len(pending))
	}
	c.ScaleDeployment(d, 4)
	runFor(c, sec(1))
	if !pending[0].Gone {
		t.Errorf("the pending pod was not the first victim")
	}
	c.ScaleDeployment(d, 2)
	runFor(c, sec(1))
	deleted := 0
	for _, p := range c.pods {
		if p.Labels["app"] == "web" && p.Terminating && !p.Gone || p.Labels["app"] == "web" && p.Gone && p.NodeName != "" {
			deleted++
			if p.NodeName != "node2" {
				t.Errorf("victim %s on %s; want node2, which has 3 replicas", p.Name, p.NodeName)
			}
		}
	}
	if deleted != 2 {
		t.Errorf("%d scheduled pods deleted, want 2", deleted)
	}
	if onNode3.Terminating {
		t.Errorf("the only pod on node3 was deleted")
	}
	if got := placement(c, withLabel("app", "web")); got != "node1=0 node2=1 node3=1" {
		t.Errorf("after scale-down: %s, want one pod per node", got)
	}
}

// A rolling update with the default 25%/25% on 4 replicas never runs more than
// 5 pods nor fewer than 3 available, and ends with every pod on the new
// template.
func TestRollingUpdateBounds(t *testing.T) {
	c := newWorkshop(t, 5, 4)
	d := mustDeploy(t, c, "hasher", "dockercoins/hasher:v0.1", 4)
	runFor(c, sec(10))
	oldRS := d.NewReplicaSet()
	start := c.Now()
	if err := c.SetImage(d, "dockercoins/hasher:v0.2"); err != nil {
		t.Fatal(err)
	}
	maxPods, minAvail := 0, 99
	var done sim.Time
	for i := 0; i < 600; i++ {
		runFor(c, sec(0.05))
		st := c.DeploymentStatus(d)
		maxPods = max(maxPods, st.Replicas)
		minAvail = min(minAvail, st.Available)
		if st.Complete && done == 0 && oldRS.Replicas == 0 {
			done = c.Now()
		}
	}
	if maxPods > 5 || minAvail < 3 {
		t.Errorf("during the rollout: up to %d pods (want <= 5), down to %d available (want >= 3)", maxPods, minAvail)
	}
	if maxPods != 5 {
		t.Errorf("maxSurge 1 was not used: at most %d pods", maxPods)
	}
	newRS := d.NewReplicaSet()
	if newRS == oldRS || newRS.Replicas != 4 || oldRS.Replicas != 0 {
		t.Fatalf("new RS %s=%d old RS %s=%d", newRS.Name, newRS.Replicas, oldRS.Name, oldRS.Replicas)
	}
	for _, p := range live(c, withLabel("app", "hasher")) {
		if p.Spec.Image != "dockercoins/hasher:v0.2" {
			t.Errorf("pod %s still runs %s", p.Name, p.Spec.Image)
		}
	}
	if done == 0 {
		t.Fatal("rollout never completed")
	}
	t.Logf("rollout of 4 replicas complete after %v", done-start)
	if newRS.Revision != oldRS.Revision+1 {
		t.Errorf("revisions %d -> %d", oldRS.Revision, newRS.Revision)
	}
}

// Recreate: no new pod exists before every old pod is gone.
func TestRecreateStrategy(t *testing.T) {
	c := newWorkshop(t, 2, 4)
	three := 3
	d, err := c.CreateDeploymentSpec(DeploymentSpec{Name: "redis", Replicas: &three,
		Template: PodTemplate{Labels: map[string]string{"app": "redis"}, Spec: PodSpec{Image: "redis:7"}},
		Strategy: DeploymentStrategy{Type: Recreate}})
	if err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(10))
	c.SetImage(d, "redis:8")
	runFor(c, sec(60))
	var lastOldGone, firstNew sim.Time
	for _, p := range c.pods {
		if p.Spec.Image == "redis:7" {
			if !p.Gone {
				t.Fatalf("old pod %s not gone", p.Name)
			}
			lastOldGone = max(lastOldGone, p.GoneAt)
		} else if firstNew == 0 || p.CreationTimestamp < firstNew {
			firstNew = p.CreationTimestamp
		}
	}
	if firstNew < lastOldGone {
		t.Errorf("new pod created at %v before the last old pod was gone at %v", firstNew, lastOldGone)
	}
	if n := len(live(c, withLabel("app", "redis"))); n != 3 {
		t.Errorf("%d pods after the rollout, want 3", n)
	}
	// The grace period (30 s: redis ignores SIGTERM) is the downtime.
	if lastOldGone-sec(10) < sec(30) {
		t.Errorf("old pods gone %v after the update, want the 30 s grace period", lastOldGone-sec(10))
	}
}

func TestRolloutRestartReplacesEveryPod(t *testing.T) {
	c := newWorkshop(t, 4, 4)
	d := mustDeploy(t, c, "webui", "dockercoins/webui:v0.1", 2)
	runFor(c, sec(10))
	before := sortedNames(live(c, withLabel("app", "webui")))
	if err := c.RolloutRestart(d); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(120))
	after := live(c, withLabel("app", "webui"))
	if len(after) != 2 || readyCount(after) != 2 {
		t.Fatalf("after restart: %d pods, %d ready", len(after), readyCount(after))
	}
	for _, p := range after {
		for _, b := range before {
			if p.Name == b {
				t.Errorf("pod %s survived the restart", b)
			}
		}
		if p.Annotations[AnnotationRestartedAt] == "" {
			t.Errorf("pod %s lacks the restartedAt annotation", p.Name)
		}
	}
	if len(d.ReplicaSets()) != 2 {
		t.Errorf("%d ReplicaSets, want old (0 replicas, kept for history) + new", len(d.ReplicaSets()))
	}
}

// kubectl label pod rng-xxx app- : the pod is released and keeps running as an
// orphan, the ReplicaSet creates a replacement; relabelling the orphan back
// makes the ReplicaSet adopt it and delete one of its pods.
func TestReleaseAndAdoptOrphan(t *testing.T) {
	c := newWorkshop(t, 9, 4)
	d := mustDeploy(t, c, "rng", "dockercoins/rng:v0.1", 1)
	svc, _ := c.CreateService("rng", map[string]string{"app": "rng"}, 80)
	debug, _ := c.CreateService("debug", map[string]string{"app": "debug"}, 80)
	runFor(c, sec(10))
	rs := d.NewReplicaSet()
	p := live(c, withLabel("app", "rng"))[0]
	orig := copyLabels(p.Labels)
	l := copyLabels(p.Labels)
	l["app"] = "debug"
	c.SetPodLabels(p, l)
	runFor(c, sec(10))
	if p.Owner != nil || p.Terminating || !p.Running || !p.Ready {
		t.Fatalf("released pod: owner %+v terminating %v running %v", p.Owner, p.Terminating, p.Running)
	}
	owned := rs.Pods()
	if len(owned) != 1 || owned[0] == p || !owned[0].Ready {
		t.Fatalf("ReplicaSet pods %v, want one Ready replacement", sortedNames(owned))
	}
	// Traffic: the rng Service now reaches only the replacement; the orphan
	// serves the debug Service.
	if pods, _ := c.EndpointPods(svc); len(pods) != 1 || pods[0] != owned[0] || svc.ReadyEndpoints() != 1 {
		t.Errorf("rng endpoints %v", sortedNames(pods))
	}
	if pods, _ := c.EndpointPods(debug); len(pods) != 1 || pods[0] != p || debug.ReadyEndpoints() != 1 {
		t.Errorf("debug endpoints %v", sortedNames(pods))
	}
	c.SetPodLabels(p, orig)
	runFor(c, sec(5))
	if p.Owner == nil || p.Owner.Name != rs.Name {
		t.Fatalf("matching orphan not adopted: owner %+v", p.Owner)
	}
	if n := len(live(c, withLabel("app", "rng"))); n != 1 {
		t.Errorf("%d rng pods after adoption, want 1 (the ReplicaSet deletes the surplus)", n)
	}
}

// Scaling during a rollout spreads the change over the ReplicaSets in
// proportion to their sizes.
func TestProportionalScaling(t *testing.T) {
	c := newWorkshop(t, 11, 4)
	ten := 10
	d, err := c.CreateDeploymentSpec(DeploymentSpec{Name: "w", Replicas: &ten,
		Template: PodTemplate{Labels: map[string]string{"app": "w"}, Spec: PodSpec{Image: "w:1"}},
		Strategy: DeploymentStrategy{MaxSurge: Int(3), MaxUnavailable: Int(2)}})
	if err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(10))
	old := d.NewReplicaSet()
	// A broken image: the new pods never get Ready... emulate with a node
	// selector nobody matches, so the rollout stalls at surge.
	tpl := d.Template.clone()
	tpl.Spec.Image = "w:2"
	tpl.Spec.NodeSelector = map[string]string{"nope": "x"}
	c.UpdateDeployment(d, tpl)
	runFor(c, sec(10))
	newRS := d.NewReplicaSet()
	// Stalled: 13 = 10 + maxSurge; old scaled to 8 (minAvailable 8).
	if old.Replicas != 8 || newRS.Replicas != 5 {
		t.Fatalf("stalled rollout: old %d new %d, want 8 and 5", old.Replicas, newRS.Replicas)
	}
	c.ScaleDeployment(d, 20)
	runFor(c, sec(1))
	// allowed 20+3=23, 10 to add: 8/13 and 5/13 of it, rounded: +6 and +4.
	if old.Replicas != 14 || newRS.Replicas != 9 {
		t.Errorf("after scaling to 20: old %d new %d, want 14 and 9", old.Replicas, newRS.Replicas)
	}
}

// kubectl rollout undo brings the previous template back: its ReplicaSet is
// scaled up again (no new ReplicaSet) and becomes the newest revision.
func TestRolloutUndo(t *testing.T) {
	c := newWorkshop(t, 12, 4)
	d := mustDeploy(t, c, "rng", "dockercoins/rng:v0.1", 2)
	runFor(c, sec(10))
	first := d.NewReplicaSet()
	c.SetImage(d, "dockercoins/rng:v0.2")
	runFor(c, sec(60))
	second := d.NewReplicaSet()
	if err := c.RolloutUndo(d, 0); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(60))
	if d.NewReplicaSet() != first || first.Replicas != 2 || second.Replicas != 0 || len(d.ReplicaSets()) != 2 {
		t.Fatalf("after undo: new %s, first=%d second=%d, %d ReplicaSets", d.NewReplicaSet().Name, first.Replicas, second.Replicas, len(d.ReplicaSets()))
	}
	if first.Revision != 3 {
		t.Errorf("rolled-back ReplicaSet has revision %d, want 3", first.Revision)
	}
	for _, p := range live(c, withLabel("app", "rng")) {
		if p.Spec.Image != "dockercoins/rng:v0.1" {
			t.Errorf("pod %s runs %s", p.Name, p.Spec.Image)
		}
	}
	if err := c.RolloutUndo(d, 7); err == nil || !strings.Contains(err.Error(), "revision 7") {
		t.Errorf("undo to a missing revision: %v", err)
	}
}

// A rollout that cannot progress (its new pods fit nowhere) reports
// ProgressDeadlineExceeded after progressDeadlineSeconds, keeping the old pods.
func TestProgressDeadline(t *testing.T) {
	c := newWorkshop(t, 13, 3)
	d := mustDeploy(t, c, "web", "nginx", 2)
	runFor(c, sec(10))
	tpl := d.Template.clone()
	tpl.Spec.NodeSelector = map[string]string{"disk": "none"}
	c.UpdateDeployment(d, tpl)
	runFor(c, sec(590))
	if st := c.DeploymentStatus(d); st.DeadlineExceeded || st.Complete {
		t.Fatalf("before the deadline: %+v", st)
	}
	runFor(c, sec(20))
	st := c.DeploymentStatus(d)
	if !st.DeadlineExceeded || st.Available < 1 {
		t.Errorf("after 600 s without progress: %+v; want DeadlineExceeded with old pods still available", st)
	}
}

// kubectl delete deployment --cascade=orphan keeps the ReplicaSet and its pods;
// creating the Deployment again adopts them instead of starting new pods.
func TestOrphanedReplicaSetAdopted(t *testing.T) {
	c := newWorkshop(t, 14, 4)
	d := mustDeploy(t, c, "web", "nginx", 3)
	runFor(c, sec(10))
	rs := d.NewReplicaSet()
	pods := sortedNames(rs.Pods())
	c.DeleteDeployment(d, false)
	runFor(c, sec(60))
	if rs.Deleted || rs.Owner != nil || len(live(c, withLabel("app", "web"))) != 3 {
		t.Fatalf("after an orphaning delete: rs deleted %v owner %+v, %d pods", rs.Deleted, rs.Owner, len(live(c, withLabel("app", "web"))))
	}
	d2 := mustDeploy(t, c, "web", "nginx", 3)
	runFor(c, sec(60))
	if d2.NewReplicaSet() != rs || len(d2.ReplicaSets()) != 1 {
		t.Fatalf("recreated Deployment did not adopt %s", rs.Name)
	}
	if got := sortedNames(live(c, withLabel("app", "web"))); strings.Join(got, ",") != strings.Join(pods, ",") {
		t.Errorf("pods %v, want the original %v", got, pods)
	}
	c.DeleteDeployment(d2, true)
	runFor(c, sec(60))
	if n := len(live(c, withLabel("app", "web"))); n != 0 || !rs.Deleted {
		t.Errorf("cascading delete left %d pods (rs deleted %v)", n, rs.Deleted)
	}
}

// Scale-down among Ready pods whose Ready times fall in the same power of two
// of their age: the lower UID goes first, whatever the restarts (upstream
// ActivePodsWithRanks: logarithmicRankDiff 0 returns UID order before the
// restart count is looked at).
func TestScaleDownEqualReadyRankUsesUID(t *testing.T) {
	c := NewCluster(sim.New(1), DefaultConfig())
	n, err := c.AddNode("node1", nil, nil, workerCap)
	if err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(sec(100))
	pod := func(name string, uid uint64, readyAgo float64, restarts int32) *Pod {
		return &Pod{ObjectMeta: ObjectMeta{Name: name, CreationTimestamp: sec(1)}, Phase: PodRunning, Ready: true, node: n, NodeName: n.Name, uid: uid,
			ReadyAt: c.Now() - sec(readyAgo), Restarts: restarts}
	}
	// 5 s and 6 s ago: both in [2^32, 2^33) ns. The higher-UID pod has more
	// restarts, which would make it the victim if restarts were compared.
	low := pod("low-uid", 10, 5, 0)
	high := pod("high-uid", 20, 6, 3)
	rs := &ReplicaSet{ObjectMeta: ObjectMeta{Name: "web"}, pods: []*Pod{high, low}}
	if got := c.scaleDownVictims(rs, 1); got[0] != low {
		t.Errorf("victim %s, want low-uid (same Ready rank: UID order, not restarts)", got[0].Name)
	}
	// Different ranks: the more recently Ready goes first, whatever the UID.
	recent := pod("recent", 30, 1, 0)
	rs.pods = []*Pod{low, recent}
	if got := c.scaleDownVictims(rs, 1); got[0] != recent {
		t.Errorf("victim %s, want recent (Ready 1 s ago against 5 s)", got[0].Name)
	}
}

// Progress for the progress deadline is counted as Kubernetes'
// DeploymentProgressing does (its unit-test table): more updated pods, fewer
// old pods, more ready or more available pods.
func TestDeploymentProgressing(t *testing.T) {
	st := func(current, updated, ready, available int) DeploymentStatus {
		return DeploymentStatus{Replicas: current, Updated: updated, Ready: ready, Available: available}
	}
	for _, tc := range []struct {
		name      string
		prev, cur DeploymentStatus
		want      bool
	}{
		{"progressing: updated pods", st(10, 4, 4, 4), st(10, 6, 4, 4), true},
		{"not progressing", st(10, 4, 4, 4), st(10, 4, 4, 4), false},
		{"progressing: old pods removed", st(10, 4, 6, 6), st(8, 4, 6, 6), true},
		{"not progressing: less new pods", st(10, 7, 3, 3), st(10, 6, 3, 3), false},
		{"progressing: less overall but more new pods", st(10, 4, 7, 7), st(8, 8, 5, 5), true},
		{"progressing: more ready pods", st(10, 10, 9, 8), st(10, 10, 10, 8), true},
		{"progressing: more available pods", st(10, 10, 10, 9), st(10, 10, 10, 10), true},
	} {
		if got := deploymentProgressing(tc.prev, tc.cur); got != tc.want {
			t.Errorf("%s: %+v -> %+v: progressing %v, want %v", tc.name, tc.prev, tc.cur, got, tc.want)
		}
	}
}

// maxUnavailable is clamped to the replicas, 0 with no replicas or Recreate
// (upstream TestMaxUnavailable's table, maxSurge 1).
func TestMaxUnavailableClamped(t *testing.T) {
	d := func(replicas int, unav *IntOrPercent) *Deployment {
		return &Deployment{Replicas: replicas, Strategy: DeploymentStrategy{Type: RollingUpdate, MaxSurge: Int(1), MaxUnavailable: unav}}
	}
	for _, tc := range []struct {
		name string
		d    *Deployment
		want int
	}{
		{"maxUnavailable less than replicas", d(10, Int(5)), 5},
		{"maxUnavailable equal replicas", d(10, Int(10)), 10},
		{"maxUnavailable greater than replicas", d(5, Int(10)), 5},
		{"maxUnavailable with replicas is 0", d(0, Int(10)), 0},
		{"maxUnavailable with Recreate deployment strategy", &Deployment{Strategy: DeploymentStrategy{Type: Recreate}}, 0},
		{"maxUnavailable less than replicas with percents", d(10, Percent(50)), 5},
		{"maxUnavailable equal replicas with percents", d(10, Percent(100)), 10},
		{"maxUnavailable greater than replicas with percents", d(5, Percent(100)), 5},
	} {
		if got := tc.d.maxUnavailable(); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// ReplicaSet names: the Deployment's name is cut so that NAME-HASH fits 253
// characters; a long hash is never cut (upstream TestGenerateReplicaSetName).
// Pods get at most 58 characters of their owner's name before the 5 random
// ones, as generateName does.
func TestLongNames(t *testing.T) {
	for _, tc := range []struct{ name, deployment, hash, want string }{
		{"short name", "my-deployment", "abcde12345", "my-deployment-abcde12345"},
		{"maximum length without truncating", strings.Repeat("a", 242), "abcde12345", strings.Repeat("a", 242) + "-abcde12345"},
		{"very long deployment name is truncated", strings.Repeat("b", 250), "abcde12345", strings.Repeat("b", 242) + "-abcde12345"},
		{"very long hash is not truncated", strings.Repeat("d", 252), strings.Repeat("h", 252), strings.Repeat("d", 252) + "-" + strings.Repeat("h", 252)},
	} {
		if got := replicaSetName(tc.deployment, tc.hash); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	c := newWorkshop(t, 1, 3)
	d, err := c.CreateDeployment(strings.Repeat("x", 250), map[string]string{"app": "web"}, PodSpec{Image: "nginx"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(5))
	rs := d.NewReplicaSet()
	if len(rs.Name) != 253 || !strings.HasPrefix(rs.Name, strings.Repeat("x", 242)+"-") {
		t.Errorf("ReplicaSet of a 250-character Deployment: %d characters %q", len(rs.Name), rs.Name)
	}
	for _, p := range rs.Pods() {
		if len(p.Name) != 63 || p.Name[:58] != rs.Name[:58] {
			t.Errorf("pod %q: want the ReplicaSet name's first 58 characters and 5 random ones", p.Name)
		}
	}
}

// Old ReplicaSets beyond revisionHistoryLimit are deleted by revision, one
// without a revision first; every old ReplicaSet counts against the limit,
// and those with replicas are kept (upstream
// TestDeploymentController_cleanupDeploymentOrder, and a case of ours: an
// active old ReplicaSet counts too).
func TestCleanupByRevision(t *testing.T) {
	type old struct {
		name     string
		replicas int
		created  float64 // seconds
		revision int     // 0: none
	}
	for i, tc := range []struct {
		old     []old
		limit   int
		deleted string
	}{
		{[]old{{"foo-1", 0, 0, 1}, {"foo-2", 0, 60, 2}}, 1, "foo-1"},
		{[]old{{"foo-1", 0, 0, 2}, {"foo-2", 0, 60, 1}}, 1, "foo-2"},
		{[]old{{"foo-1", 0, 0, 1}, {"foo-2", 0, 60, 0}}, 1, "foo-2"},
		{[]old{{"foo-1", 0, 0, 0}, {"foo-2", 0, 60, 2}}, 1, "foo-1"},
		{[]old{{"foo-1", 1, 0, 1}, {"foo-2", 0, 60, 2}, {"foo-3", 0, 120, 3}}, 1, "foo-2"},
		{[]old{{"foo-1", 1, 0, 1}, {"foo-2", 1, 60, 2}, {"foo-3", 0, 120, 3}}, 1, ""},
		{[]old{{"foo-1", 0, 0, 3}, {"foo-2", 0, 60, 1}, {"foo-3", 0, 120, 4}, {"foo-4", 0, 180, 2}}, 2, "foo-2 foo-4"},
		{[]old{{"foo-1", 0, 0, 1}, {"foo-2", 1, 60, 2}}, 1, "foo-1"},
	} {
		c := NewCluster(sim.New(1), DefaultConfig())
		d := &Deployment{ObjectMeta: ObjectMeta{Name: "foo"}, RevisionHistoryLimit: tc.limit, hash: "current"}
		var rss []*ReplicaSet
		for _, o := range tc.old {
			rs := &ReplicaSet{ObjectMeta: ObjectMeta{Name: o.name, CreationTimestamp: sec(o.created)}, Replicas: o.replicas, Revision: o.revision, deploy: d}
			rss = append(rss, rs)
			d.rs = append(d.rs, rs)
		}
		c.cleanupDeployment(d)
		var deleted []string
		for _, rs := range rss {
			if rs.Deleted {
				deleted = append(deleted, rs.Name)
			}
		}
		if got := strings.Join(deleted, " "); got != tc.deleted {
			t.Errorf("case %d: deleted %q, want %q", i, got, tc.deleted)
		}
	}
}

// maxSurge above 100% is valid for a Deployment (only maxUnavailable is
// capped); a DaemonSet caps both (ValidateRollingUpdateDeployment,
// ValidateRollingUpdateDaemonSet).
func TestStrategyPercentCaps(t *testing.T) {
	c := newWorkshop(t, 1, 3)
	two := 2
	_, err := c.CreateDeploymentSpec(DeploymentSpec{Name: "web", Replicas: &two,
		Template: PodTemplate{Labels: map[string]string{"app": "web"}, Spec: PodSpec{Image: "nginx"}},
		Strategy: DeploymentStrategy{MaxSurge: Percent(200), MaxUnavailable: Percent(0)}})
	if err != nil {
		t.Errorf("Deployment maxSurge 200%%: %v", err)
	}
	_, err = c.CreateDeploymentSpec(DeploymentSpec{Name: "api",
		Template: PodTemplate{Labels: map[string]string{"app": "api"}, Spec: PodSpec{Image: "nginx"}},
		Strategy: DeploymentStrategy{MaxUnavailable: Percent(101)}})
	if err == nil || !strings.Contains(err.Error(), "must not be greater than 100%") {
		t.Errorf("Deployment maxUnavailable 101%%: error %v", err)
	}
	spec := rngDaemon("agent")
	spec.Strategy = DaemonSetStrategy{MaxSurge: Percent(150), MaxUnavailable: Int(0)}
	if _, err := c.CreateDaemonSet(spec); err == nil || !strings.Contains(err.Error(), `maxSurge: Invalid value: "150%": must not be greater than 100%`) {
		t.Errorf("DaemonSet maxSurge 150%%: error %v", err)
	}
}

// A container's env is part of the pod template, as in Kubernetes: changing a
// variable (a load generator's USERS) gives a new pod-template-hash, so a
// re-applied Deployment rolls out;
// the last variable of a name is the one the container sees.
func TestEnvIsPartOfTheTemplateHash(t *testing.T) {
	base := PodTemplate{Labels: map[string]string{"app": "lg"}, Spec: PodSpec{Image: "loadgenerator:v1"}}
	with := func(v string) PodTemplate {
		t := base.clone()
		t.Spec.Env = []EnvVar{{Name: "USERS", Value: "1"}, {Name: "USERS", Value: v}}
		return t
	}
	if computeHash(with("10")) == computeHash(with("20")) || computeHash(with("10")) == computeHash(base) {
		t.Errorf("hashes %s (USERS=10), %s (USERS=20), %s (no env): want three", computeHash(with("10")), computeHash(with("20")), computeHash(base))
	}
	if computeHash(with("10")) != computeHash(with("10")) {
		t.Errorf("the same template hashes differently")
	}
	s := with("20").Spec
	if v, ok := s.LookupEnv("USERS"); !ok || v.Value != "20" {
		t.Errorf("LookupEnv(USERS) = %+v, %v; want the last one, 20", v, ok)
	}
	if _, ok := s.LookupEnv("RATE"); ok {
		t.Errorf("LookupEnv(RATE) found an unset variable")
	}
}

package model

import (
	"testing"
)

// Pod startup: scheduling cycle, image pull on a node that lacks the image
// (then cached), container start, readiness probe.
func TestPodStartupTimings(t *testing.T) {
	c := newWorkshop(t, 1, 2) // one worker: node2
	t0 := c.Now()
	a, _ := c.CreatePod("a", nil, PodSpec{Image: "dockercoins/rng:v0.1"}, nil)
	runFor(c, sec(10))
	tm := c.Cfg.Timings
	sched, pull, start := tm.Scheduling.Params[0], tm.ImagePull.Params[0], tm.ContainerStart.Params[0]
	if a.Scheduled-t0 != sched || a.ReadyAt-t0 != sched+pull+start || a.Started != a.ReadyAt {
		t.Errorf("first pod: scheduled %v, Ready %v; want %v and %v", a.Scheduled-t0, a.ReadyAt-t0, sched, sched+pull+start)
	}
	t1 := c.Now()
	b, _ := c.CreatePod("b", nil, PodSpec{Image: "dockercoins/rng:v0.1"}, nil)
	runFor(c, sec(10))
	if b.ReadyAt-t1 != sched+start {
		t.Errorf("second pod of a cached image Ready after %v, want %v (no pull)", b.ReadyAt-t1, sched+start)
	}
	// Readiness probe: initial delay 5 s, 3 successes 2 s apart.
	t2 := c.Now()
	p, _ := c.CreatePod("probed", nil, PodSpec{Image: "dockercoins/rng:v0.1",
		Readiness: &Probe{InitialDelay: sec(5), Period: sec(2), SuccessThreshold: 3}}, nil)
	runFor(c, sec(20))
	if want := sched + start + sec(5) + 2*sec(2); p.ReadyAt-t2 != want {
		t.Errorf("probed pod Ready after %v, want %v", p.ReadyAt-t2, want)
	}
	if p.Started-t2 != sched+start {
		t.Errorf("probed pod started after %v", p.Started-t2)
	}
}

// The kubelet pulls one image at a time; a second pod of an image being
// pulled waits for that pull instead of pulling again.
func TestImagePullsSerializedAndShared(t *testing.T) {
	c := newWorkshop(t, 1, 2)
	t0 := c.Now()
	a, _ := c.CreatePod("a", nil, PodSpec{Image: "img-a"}, nil)
	b, _ := c.CreatePod("b", nil, PodSpec{Image: "img-b"}, nil)
	a2, _ := c.CreatePod("a2", nil, PodSpec{Image: "img-a"}, nil)
	runFor(c, sec(20))
	tm := c.Cfg.Timings
	sched, pull, start := tm.Scheduling.Params[0], tm.ImagePull.Params[0], tm.ContainerStart.Params[0]
	if got := a.Started - t0; got != sched+pull+start {
		t.Errorf("a started after %v", got)
	}
	if got := b.Started - t0; got != sched+2*pull+start {
		t.Errorf("b started after %v, want after a's pull and its own (%v)", got, sched+2*pull+start)
	}
	if got := a2.Started - t0; got != sched+pull+start {
		t.Errorf("a2 started after %v, want when a's pull ended (%v)", got, sched+pull+start)
	}
}

// Deletion: the pod is a terminating endpoint that keeps running for its grace
// period (DockerCoins ignores SIGTERM), then it is gone; its replacement is
// created at the deletion.
func TestGracefulTermination(t *testing.T) {
	c := newWorkshop(t, 2, 3)
	d := mustDeploy(t, c, "hasher", "dockercoins/hasher:v0.1", 1)
	s, _ := c.CreateService("hasher", map[string]string{"app": "hasher"}, 80)
	runFor(c, sec(10))
	p := live(c, withLabel("app", "hasher"))[0]
	del := c.Now()
	c.DeletePod(p)
	runFor(c, sec(10))
	if !p.Terminating || p.Gone || !p.Running {
		t.Fatalf("during the grace period: terminating %v gone %v running %v", p.Terminating, p.Gone, p.Running)
	}
	pods, conds := c.EndpointPods(s)
	found := false
	for i, q := range pods {
		if q == p {
			found = true
			if conds[i].Ready || !conds[i].Terminating || !conds[i].Serving {
				t.Errorf("endpoint conditions of the terminating pod: %+v", conds[i])
			}
		}
	}
	if !found {
		t.Errorf("terminating pod left the endpoints before its grace period ended")
	}
	repl := d.NewReplicaSet().Pods()
	var r *Pod
	for _, q := range repl {
		if q != p {
			r = q
		}
	}
	if r == nil || r.CreationTimestamp-del != sec(0.025) {
		t.Fatalf("replacement %v: want created 25 ms (sync + API call) after the deletion", r)
	}
	runFor(c, sec(30))
	if !p.Gone || p.GoneAt-del != c.Cfg.Timings.GracePeriod {
		t.Errorf("pod gone %v at %v after deletion, want the 30 s grace period", p.Gone, p.GoneAt-del)
	}
}

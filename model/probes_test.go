package model

import (
	"fmt"
	"testing"

	"github.com/kubesim/kubesim/sim"
)

// startStops records a pod's container starts and stops.
type startStops struct {
	NopObserver
	c             *Cluster
	pod           *Pod
	starts, stops []sim.Time
}

func (o *startStops) ContainerStarted(p *Pod) {
	if p == o.pod {
		o.starts = append(o.starts, p.Started)
	}
}

func (o *startStops) ContainerStopped(p *Pod) {
	if p == o.pod {
		o.stops = append(o.stops, o.c.Now())
	}
}

// A liveness probe on a port the container does not declare fails; after
// failureThreshold failures in a row the kubelet kills the container and
// restarts it after its back-off: at once after the first exit, then 10 s,
// 20 s, 40 s ... up to 300 s (kuberuntime's doBackOff with client-go's
// Backoff).
func TestLivenessRestartsWithBackOff(t *testing.T) {
	c := newWorkshop(t, 1, 2)
	p, _ := c.CreatePod("web", nil, PodSpec{Image: "nginx", Ports: []ContainerPort{{Port: 8080}},
		Probes: &LivenessProbes{Liveness: &Probe{Handler: ProbeTCPSocket, Port: 8081, Period: sec(10), SuccessThreshold: 1, FailureThreshold: 3}}}, nil)
	o := &startStops{c: c, pod: p}
	c.Observe(o)
	runFor(c, sec(1800))
	start := c.Cfg.Timings.ContainerStart.Params[0]
	var waits []string
	for i := range o.stops {
		if i+1 >= len(o.starts) {
			break
		}
		// Each instance runs its three probes: 0 s, 10 s and 20 s after it starts.
		if ran := o.stops[i] - o.starts[i]; ran != sec(20) {
			t.Errorf("instance %d ran %v before its kill, want 20s (probes at 0, 10 and 20 s)", i, ran)
		}
		waits = append(waits, fmt.Sprint(o.starts[i+1]-o.stops[i]-start))
	}
	want := "[0s 10s 20s 40s 1m20s 2m40s 5m0s 5m0s]"
	if got := fmt.Sprint(waits[:min(len(waits), 8)]); got != want {
		t.Errorf("back-off before each restart %v, want %v", got, want)
	}
	if int(p.Restarts) != len(o.starts)-1 {
		t.Errorf("restartCount %d after %d starts", p.Restarts, len(o.starts))
	}
	if !p.CrashLoopBackOff() && !p.Running {
		t.Errorf("the container neither runs nor waits out its back-off")
	}
}

// A probe on a declared port, or in a container that declares none, passes;
// exec probes pass.
func TestProbesThatPass(t *testing.T) {
	c := newWorkshop(t, 1, 2)
	specs := map[string]PodSpec{
		"declared": {Image: "nginx", Ports: []ContainerPort{{Name: "http", Port: 8080}},
			Readiness: &Probe{Handler: ProbeHTTPGet, PortName: "http", Period: sec(10), SuccessThreshold: 1, FailureThreshold: 3}},
		"portless": {Image: "nginx", Readiness: &Probe{Handler: ProbeTCPSocket, Port: 9999, Period: sec(10), SuccessThreshold: 1, FailureThreshold: 3}},
		"exec": {Image: "nginx", Ports: []ContainerPort{{Port: 8080}},
			Probes: &LivenessProbes{Liveness: &Probe{Handler: ProbeExec, Period: sec(10), SuccessThreshold: 1, FailureThreshold: 1}}},
	}
	for _, name := range []string{"declared", "portless", "exec"} {
		p, _ := c.CreatePod(name, nil, specs[name], nil)
		runFor(c, sec(120))
		if !p.Ready || p.Restarts != 0 {
			t.Errorf("%s: ready %v, %d restarts; want ready, none", name, p.Ready, p.Restarts)
		}
	}
}

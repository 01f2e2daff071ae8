package model

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// The controllers' API client limit behaves as client-go's token bucket
// (golang.org/x/time/rate): full at start, calls beyond the burst spaced
// 1/qps apart, tokens refilled up to the burst while idle.
func TestAPIClientReserve(t *testing.T) {
	a := newAPIClient(2, 3)
	var got []sim.Time
	for i := 0; i < 5; i++ {
		got = append(got, a.reserve(0))
	}
	want := []sim.Time{0, 0, 0, 500 * sim.Time(time.Millisecond), sim.Time(time.Second)}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("grants %v, want %v", got, want)
		}
	}
	// 3 s later the 2 tokens owed are paid back and the bucket is full again.
	at := sim.Time(3 * time.Second)
	for i := 0; i < 3; i++ {
		if g := a.reserve(at); g != at {
			t.Fatalf("call %d at 3s granted at %v, want at once", i, g)
		}
	}
	if g := a.reserve(at); g != at+sim.Time(500*time.Millisecond) {
		t.Fatalf("4th call at 3s granted at %v, want 3.5s", g)
	}
}

// A ReplicaSet scaled to 500 creates its pods at kube-controller-manager's
// client rate: the first 30 (the burst) at once, then 20 a second; raising
// config.timings.kubeAPIQPS/kubeAPIBurst creates them all in one sync.
func TestReplicaSetCreationsRateLimited(t *testing.T) {
	count := func(cfg Config, after sim.Time) (int, []sim.Time) {
		c := NewCluster(sim.New(1), cfg)
		if _, err := c.AddNode("node1", nil, nil, Resources{MilliCPU: 1000, Memory: gi, Pods: 1}); err != nil {
			t.Fatal(err)
		}
		d := mustDeploy(t, c, "web", "nginx", 0)
		runFor(c, sec(1))
		if err := c.ScaleDeployment(d, 500); err != nil {
			t.Fatal(err)
		}
		runFor(c, after)
		var created []sim.Time
		for _, p := range live(c, withLabel("app", "web")) {
			created = append(created, p.CreationTimestamp)
		}
		return len(created), created
	}
	cfg := deterministicConfig()
	n, created := count(cfg, sec(10))
	// 30 + 20/s over the 10 s less the controllers' delays (sync, 5 ms calls).
	if n < 220 || n > 230 {
		t.Fatalf("%d pods created 10 s after scaling to 500 at 20 QPS burst 30, want 220-230", n)
	}
	for i := 40; i < n; i++ {
		if gap := created[i] - created[i-1]; gap != sim.Time(50*time.Millisecond) {
			t.Fatalf("pods %d and %d created %v apart, want 50ms (20 QPS)", i-1, i, gap)
		}
	}
	cfg.Timings.KubeAPIQPS, cfg.Timings.KubeAPIBurst = 1e6, 1000
	if n, _ := count(cfg, sec(1)); n != 500 {
		t.Fatalf("%d pods created 1 s after scaling to 500 with kubeAPIQPS 1e6, want 500", n)
	}
}

// Pending pods cost the endpoint index nothing: only pods that have had an IP
// are in it, and a Pending pod that is scheduled later, or a Service created
// or relabelled meanwhile, gives the same endpoints as if it had been indexed
// from its creation.
func TestPendingPodsStayOutOfEndpointIndex(t *testing.T) {
	c := NewCluster(sim.New(1), deterministicConfig())
	if _, err := c.AddNode("node1", nil, nil, Resources{MilliCPU: 4000, Memory: 4 * gi, Pods: 2}); err != nil {
		t.Fatal(err)
	}
	mustDeploy(t, c, "web", "nginx", 5)
	svc, _ := c.CreateService("web", map[string]string{"app": "web"}, 80)
	runFor(c, sec(30))
	if pods, _ := c.ep.ix.Size(); pods != 2 {
		t.Fatalf("%d pods in the endpoint index with 2 running and 3 Pending, want 2", pods)
	}
	late, _ := c.CreateService("late", map[string]string{"app": "web"}, 80)
	if _, err := c.AddNode("node2", nil, nil, Resources{MilliCPU: 4000, Memory: 4 * gi, Pods: 10}); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(30))
	for _, s := range []*Service{svc, late} {
		if pods, conds := c.EndpointPods(s); len(pods) != 5 || !conds[4].Ready {
			t.Errorf("service %s: %d endpoints (last %+v), want the 5 replicas ready", s.Name, len(pods), conds)
		}
	}
}

// newUID writes the UUID digit by digit as fmt's %08x-%04x-%04x-%04x-%012x
// did: the same string for the same draws.
func TestNewUIDFormat(t *testing.T) {
	r1, r2 := rand.New(rand.NewPCG(7, 9)), rand.New(rand.NewPCG(7, 9))
	for i := 0; i < 10000; i++ {
		got := newUID(r1)
		a, b := r2.Uint64(), r2.Uint64()
		a = a&^0xf000 | 0x4000
		b = b&^(0xc<<60) | 0x8<<60
		want := fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
		if got != want {
			t.Fatalf("draw %d: %s, want %s", i, got, want)
		}
	}
}

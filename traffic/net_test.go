package traffic_test

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/traffic"
	"github.com/kubesim/kubesim/workload"
)

// loop is a client with one request in flight at a time: each answer sends
// the next, until left is 0.
type loop struct {
	net  *traffic.Net
	svc  *model.Service
	from *model.Node
	left int
	bad  int
}

func (l *loop) RequestDone(_ *traffic.Request, o metrics.Outcome) {
	if o != metrics.OK {
		l.bad++
	}
	if l.left--; l.left > 0 {
		l.net.Send(l, 1, l.from, l.svc, traffic.RouteRoot, false, 0)
	} else {
		l.net.C.E.Stop()
	}
}

// served is a cluster of one node running a pod behind Service s whose server
// takes 1 ms per request, ready to serve.
func served(tb testing.TB) (*workload.Runtime, *loop) {
	tb.Helper()
	c := model.NewCluster(sim.New(1), model.DefaultConfig())
	rt := workload.New(c, traffic.DefaultNetwork())
	rt.Registry.Register("s", func(*model.Pod) bool { return true }, func(env *workload.Env, p *model.Pod) workload.Behaviour {
		return server{env.Net.NewServer(p, 4, 0, func(*traffic.Request) sim.Time { return time.Millisecond })}
	})
	n, err := c.AddNode("node1", nil, nil, model.Resources{MilliCPU: 2000, Memory: 4 << 30, Pods: 110})
	if err != nil {
		tb.Fatal(err)
	}
	svc, _ := c.CreateService("s", map[string]string{"app": "s"}, 80)
	if _, err := c.CreatePod("s-1", map[string]string{"app": "s"}, model.PodSpec{Image: "example/s"}, nil); err != nil {
		tb.Fatal(err)
	}
	c.E.RunUntil(30 * time.Second)
	return rt, &loop{net: rt.Net, svc: svc, from: n}
}

type server struct{ s *traffic.Server }

func (b server) Start() { b.s.Start() }
func (b server) Stop()  { b.s.Stop() }

// run sends n requests one after another and runs them to the end.
func (l *loop) run(rt *workload.Runtime, n int) {
	l.left = n
	l.net.Send(l, 1, l.from, l.svc, traffic.RouteRoot, false, 0)
	rt.C.E.RunUntil(rt.C.Now() + sim.Time(n)*time.Second)
}

// A request through a Service to a pod's server and back allocates nothing
// once the request pool exists: what allocations remain are the Recorder's
// series growing, once per second of simulated time and per window (20,000
// requests here take about 30 simulated seconds).
func TestRequestPathAllocationFree(t *testing.T) {
	rt, l := served(t)
	l.run(rt, 1000)
	const n = 20000
	allocs := testing.AllocsPerRun(1, func() { l.run(rt, n) })
	if l.bad != 0 {
		t.Fatalf("%d requests failed", l.bad)
	}
	t.Logf("%d requests: %.0f allocations", n, allocs)
	if allocs > 100 {
		t.Errorf("%d requests allocate %.0f times: more than the Recorder's bins and windows", n, allocs)
	}
}

// BenchmarkRequest is one request through the request path: connect through
// the Service (kube-proxy's pick), three hops, the server's slot, the
// response, measured by the Recorder.
func BenchmarkRequest(b *testing.B) {
	rt, l := served(b)
	l.run(rt, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	l.run(rt, b.N)
}

// timed records the round trip of its one request.
type timed struct {
	c   *model.Cluster
	rtt sim.Time
	o   metrics.Outcome
}

func (t *timed) RequestDone(r *traffic.Request, o metrics.Outcome) {
	t.rtt, t.o = t.c.Now()-r.Sent(), o
}

// A hop within a node takes the same-node latency, between nodes the
// cross-node one, by node name: a client holding a node that was removed and
// added again under its name is on the new node.
func TestHopSameOrCrossNode(t *testing.T) {
	c := model.NewCluster(sim.New(1), model.DefaultConfig())
	netCfg := traffic.Network{SameNode: sim.Const(time.Millisecond), CrossNode: sim.Const(10 * time.Millisecond), ConnectTimeout: time.Second}
	rt := workload.New(c, netCfg)
	rt.Registry.Register("s", func(*model.Pod) bool { return true }, func(env *workload.Env, p *model.Pod) workload.Behaviour {
		return server{env.Net.NewServer(p, 4, 0, func(*traffic.Request) sim.Time { return time.Millisecond })}
	})
	res := model.Resources{MilliCPU: 2000, Memory: 4 << 30, Pods: 110}
	n1, _ := c.AddNode("node1", nil, nil, res)
	n2, _ := c.AddNode("node2", nil, nil, res)
	svc, _ := c.CreateService("s", map[string]string{"app": "s"}, 80)
	spec := model.PodSpec{Image: "example/s", NodeName: "node1"}
	if _, err := c.CreatePod("s-1", map[string]string{"app": "s"}, spec, nil); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(30 * time.Second)
	send := func(from *model.Node) (sim.Time, metrics.Outcome) {
		cl := &timed{c: c}
		rt.Net.Send(cl, 1, from, svc, traffic.RouteRoot, false, 0)
		c.E.RunUntil(c.Now() + 5*time.Second)
		return cl.rtt, cl.o
	}
	// SYN, SYN-ACK, request: three hops; 1 ms of service; the response.
	if rtt, o := send(n1); o != metrics.OK || rtt != 5*time.Millisecond {
		t.Errorf("from the pod's node: %v %v, want OK in 5ms", o, rtt)
	}
	if rtt, o := send(n2); o != metrics.OK || rtt != 41*time.Millisecond {
		t.Errorf("from another node: %v %v, want OK in 41ms", o, rtt)
	}
	if rtt, o := send(nil); o != metrics.OK || rtt != 41*time.Millisecond {
		t.Errorf("from outside: %v %v, want OK in 41ms", o, rtt)
	}
	if err := c.RemoveNode("node1"); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(c.Now() + time.Minute)
	if _, err := c.AddNode("node1", nil, nil, res); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePod("s-2", map[string]string{"app": "s"}, spec, nil); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(c.Now() + 30*time.Second)
	if rtt, o := send(n1); o != metrics.OK || rtt != 5*time.Millisecond {
		t.Errorf("from the removed node1 to the new node1: %v %v, want OK in 5ms", o, rtt)
	}
	if rtt, o := send(n2); o != metrics.OK || rtt != 41*time.Millisecond {
		t.Errorf("from node2 to the new node1: %v %v, want OK in 41ms", o, rtt)
	}
}

// A ServiceRef resolves its name while the Service exists, and again once it
// was deleted: a Service created anew under the name is found, none is nil.
func TestServiceRef(t *testing.T) {
	c := model.NewCluster(sim.New(1), model.DefaultConfig())
	ref := traffic.ServiceRef{Name: "s"}
	if got := ref.Get(c); got != nil {
		t.Fatalf("no Service yet: got %v", got.Name)
	}
	s1, _ := c.CreateService("s", map[string]string{"app": "s"}, 80)
	if got := ref.Get(c); got != s1 {
		t.Fatalf("got %p, want the Service %p", got, s1)
	}
	c.DeleteService(s1)
	if got := ref.Get(c); got != nil {
		t.Fatalf("deleted: got %p, want nil", got)
	}
	s2, _ := c.CreateService("s", map[string]string{"app": "t"}, 81)
	if got := ref.Get(c); got != s2 || got == s1 {
		t.Fatalf("created again: got %p, want the new Service %p", got, s2)
	}
}

// A connection finds its pod as it is when it arrives: a stopped node
// answers nothing (the client waits its connect timeout), a node back up
// with the container not yet restarted, or a deleted pod, answers with a
// reset; a running pod serves.
func TestArriveSeesNodeAndContainer(t *testing.T) {
	c := model.NewCluster(sim.New(1), model.DefaultConfig())
	netCfg := traffic.Network{SameNode: sim.Const(time.Millisecond), CrossNode: sim.Const(10 * time.Millisecond), ConnectTimeout: time.Second}
	rt := workload.New(c, netCfg)
	rt.Registry.Register("s", func(*model.Pod) bool { return true }, func(env *workload.Env, p *model.Pod) workload.Behaviour {
		return server{env.Net.NewServer(p, 4, 0, func(*traffic.Request) sim.Time { return time.Millisecond })}
	})
	res := model.Resources{MilliCPU: 2000, Memory: 4 << 30, Pods: 110}
	if _, err := c.AddNode("node1", nil, nil, res); err != nil {
		t.Fatal(err)
	}
	svc, _ := c.CreateService("s", map[string]string{"app": "s"}, 80)
	spec := model.PodSpec{Image: "example/s", NodeName: "node1"}
	p, err := c.CreatePod("s-1", map[string]string{"app": "s"}, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(30 * time.Second)
	send := func() (sim.Time, metrics.Outcome) {
		cl := &timed{c: c}
		rt.Net.Send(cl, 1, nil, svc, traffic.RouteRoot, false, 0)
		c.E.RunUntil(c.Now() + 5*time.Second)
		return cl.rtt, cl.o
	}
	if rtt, o := send(); o != metrics.OK || rtt != 41*time.Millisecond {
		t.Errorf("running: %v %v, want OK in 41ms", o, rtt)
	}
	if err := c.StopNode("node1"); err != nil {
		t.Fatal(err)
	}
	if rtt, o := send(); o != metrics.Failed || rtt != time.Second {
		t.Errorf("node stopped: %v %v, want Failed after the 1s connect timeout", o, rtt)
	}
	if err := c.StartNode("node1"); err != nil {
		t.Fatal(err)
	}
	if rtt, o := send(); o != metrics.Refused || rtt != 40*time.Millisecond {
		t.Errorf("node back, container not restarted: %v %v, want Refused in 40ms", o, rtt)
	}
	c.E.RunUntil(c.Now() + time.Minute)
	if rtt, o := send(); o != metrics.OK || rtt != 41*time.Millisecond {
		t.Errorf("restarted: %v %v, want OK in 41ms", o, rtt)
	}
	c.DeletePodGrace(p, 0)
	if rtt, o := send(); o != metrics.Refused {
		t.Errorf("deleted: %v %v, want Refused", o, rtt)
	}
}

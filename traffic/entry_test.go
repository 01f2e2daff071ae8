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

// outcomes records each request's send time and outcome.
type outcomes struct {
	sent []sim.Time
	got  []metrics.Outcome
}

func (o *outcomes) RequestDone(r *traffic.Request, out metrics.Outcome) {
	o.sent = append(o.sent, r.Sent())
	o.got = append(o.got, out)
}

// entryCluster is 4 nodes and one pod on node2 serving in 1 ms behind Service
// web of type typ, ready to serve.
func entryCluster(t *testing.T, typ string) (*workload.Runtime, *model.Service) {
	t.Helper()
	c := model.NewCluster(sim.New(1), model.DefaultConfig())
	rt := workload.New(c, traffic.DefaultNetwork())
	rt.Registry.Register("web", func(*model.Pod) bool { return true }, func(env *workload.Env, p *model.Pod) workload.Behaviour {
		return server{env.Net.NewServer(p, 64, 0, func(*traffic.Request) sim.Time { return time.Millisecond })}
	})
	for _, name := range []string{"node1", "node2", "node3", "node4"} {
		if _, err := c.AddNode(name, nil, nil, model.Resources{MilliCPU: 2000, Memory: 4 << 30, Pods: 110}); err != nil {
			t.Fatal(err)
		}
	}
	svc, _ := c.CreateService("web", map[string]string{"app": "web"}, 80)
	svc.Type = typ
	spec := model.PodSpec{Image: "example/web", NodeSelector: map[string]string{model.LabelHostname: "node2"}}
	if _, err := c.CreatePod("web-1", map[string]string{"app": "web"}, spec, nil); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(30 * time.Second)
	return rt, svc
}

// every sends one request from outside through entry every gap from now to
// end.
func every(rt *workload.Runtime, o *outcomes, entry *traffic.Entry, svc *model.Service, gap, end sim.Time) {
	var tick sim.HandlerFunc
	tick = func(e *sim.Engine, _ int64) {
		rt.Net.SendOutside(o, 7, entry, svc, traffic.RouteRoot, false, 0, 0, 0)
		if rt.C.Now()+gap < end {
			e.After(gap, tick, 0)
		}
	}
	rt.C.E.After(0, tick, 0)
}

// A LoadBalancer Service's load balancer keeps sending new connections to a
// node that went down until its health checks find it unhealthy (GCE's for
// externalTrafficPolicy: Cluster: every 8 s, 3 failures, 1 s timeout): node3
// goes down at 60.5 s; the checks at 64, 72 and 80 s fail, so connections sent
// from 60.5 s to 81 s that the load balancer gave node3 (about a quarter) time
// out after Linux's 127 s of SYN retries, and none sent later does.
func TestLoadBalancerStopsSendingToADownNodeAfterItsHealthChecks(t *testing.T) {
	rt, svc := entryCluster(t, "LoadBalancer")
	o := &outcomes{}
	rt.C.E.After(30500*time.Millisecond, sim.HandlerFunc(func(*sim.Engine, int64) {
		if err := rt.C.StopNode("node3"); err != nil {
			t.Fatal(err)
		}
	}), 0)
	every(rt, o, &traffic.Entry{}, svc, 10*time.Millisecond, 120*time.Second)
	rt.C.E.RunUntil(300 * time.Second)
	var before, during, after, failedDuring int
	down, unhealthy := 60500*time.Millisecond, 81*time.Second
	for i, s := range o.sent {
		failed := o.got[i] != metrics.OK
		switch {
		case s < down:
			if failed {
				before++
			}
		case s < unhealthy:
			during++
			if failed {
				failedDuring++
				if o.got[i] != metrics.Failed {
					t.Fatalf("a request sent at %v ended %v: want the connect timeout's Failed", s, o.got[i])
				}
			}
		default:
			if failed {
				after++
			}
		}
	}
	if len(o.sent) != 9000 {
		t.Fatalf("%d requests ended, want 9000", len(o.sent))
	}
	if before != 0 || after != 0 {
		t.Errorf("failures before node3 went down: %d, after the load balancer's health checks found it down: %d; want 0 and 0", before, after)
	}
	if frac := float64(failedDuring) / float64(during); frac < 0.18 || frac > 0.32 {
		t.Errorf("%d of %d requests sent while node3 was down but still healthy for the load balancer failed (%.2f): want about a quarter", failedDuring, during, frac)
	}
}

// A client pointed at one node (NODE-IP:NODEPORT) gets connect timeouts once
// that node is down, whatever the Service's endpoints elsewhere; one pointed
// at another node is served throughout.
func TestNodePortClientPinnedToADeadNodeTimesOut(t *testing.T) {
	rt, svc := entryCluster(t, "NodePort")
	dead, alive := &outcomes{}, &outcomes{}
	rt.C.E.After(10*time.Second, sim.HandlerFunc(func(*sim.Engine, int64) {
		if err := rt.C.StopNode("node3"); err != nil {
			t.Fatal(err)
		}
	}), 0)
	every(rt, dead, &traffic.Entry{Node: "node3"}, svc, time.Second, 90*time.Second)
	every(rt, alive, &traffic.Entry{Node: "node4"}, svc, time.Second, 90*time.Second)
	rt.C.E.RunUntil(300 * time.Second)
	for i, s := range dead.sent {
		want := metrics.OK
		if s >= 40*time.Second {
			want = metrics.Failed
		}
		if dead.got[i] != want {
			t.Errorf("pinned to node3, sent at %v: %v, want %v", s, dead.got[i], want)
		}
	}
	for i, s := range alive.sent {
		if alive.got[i] != metrics.OK {
			t.Errorf("pinned to node4, sent at %v: %v, want OK", s, alive.got[i])
		}
	}
	// A ClusterIP Service is not reachable from outside: refused at once.
	svc.Type = "ClusterIP"
	o := &outcomes{}
	rt.Net.SendOutside(o, 7, &traffic.Entry{}, svc, traffic.RouteRoot, false, 0, 0, 0)
	start := rt.C.Now()
	rt.C.E.RunUntil(start + time.Second)
	if len(o.got) != 1 || o.got[0] != metrics.Refused || o.sent[0] != start {
		t.Errorf("outside to a ClusterIP Service: %v, want Refused at once", o.got)
	}
}

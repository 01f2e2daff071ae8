package decl_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/traffic"
	"github.com/kubesim/kubesim/workload"
	"github.com/kubesim/kubesim/workload/decl"
)

// requestRate is the open-loop rate of the request benchmarks (evenly
// spaced): one arrival every 10 ms, so advancing the clock 10 ms is one
// request.
const requestRate = 100

// requestWorkloads are the declared workloads of the request benchmarks:
// best, one call to a service without a script; realistic, a front end
// whose script calls four services in parallel, sequence, a branch and a
// loop, with a retried call that sometimes fails, a timeout, keep-alive
// and a sleep (as online-boutique's and isotope's scripts do).
var requestWorkloads = []struct{ name, yaml string }{
	{"best", `
services:
  - {name: front, image: front, routes: [{name: /, service: 1ms}]}
clients:
  - {name: load, rate: 100, arrival: constant, call: front}
`},
	{"realistic", `
services:
  - name: front
    image: front
    routes:
      - name: /
        service: exp(2ms)
        script:
          - parallel:
              - {call: a, keepAlive: true}
              - {call: b/get, retries: 2, backoff: 5ms}
          - sleep: uniform(1ms,2ms)
          - branch:
              - {p: 0.5, do: [{call: c, timeout: 50ms}]}
          - loop: 2
            do: [{call: a, keepAlive: true}]
  - {name: a, image: a, routes: [{name: /, service: exp(1ms)}]}
  - {name: b, image: b, routes: [{name: /get, service: exp(1ms), errorRate: 0.1}]}
  - {name: c, image: c, routes: [{name: /, service: "lognormal(3ms,2ms)"}]}
clients:
  - {name: load, rate: 100, arrival: constant, call: front}
`},
}

// newRequestRun is a 3-node cluster running the declared workload src, each
// service a Deployment of 2 behind its Service, warmed up for 30 s of
// simulated time.
func newRequestRun(tb testing.TB, src string) (*sim.Engine, *workload.Runtime) {
	tb.Helper()
	spec, err := decl.ParseFile("bench.yaml", []byte(src))
	if err != nil {
		tb.Fatal(err)
	}
	e := sim.New(1)
	c := model.NewCluster(e, model.DefaultConfig())
	rt := workload.New(c, traffic.DefaultNetwork())
	decl.Install(rt, spec)
	for i := 1; i <= 3; i++ {
		if _, err := c.AddNode(fmt.Sprintf("node%d", i), nil, nil, model.Resources{MilliCPU: 4000, Memory: 16 << 30, Pods: 110}); err != nil {
			tb.Fatal(err)
		}
	}
	for _, s := range spec.Services {
		if _, err := c.CreateDeployment(s.Name, map[string]string{"app": s.Name}, model.PodSpec{Image: "example/" + s.Image}, 2); err != nil {
			tb.Fatal(err)
		}
		svc, err := c.CreateService(s.Name, map[string]string{"app": s.Name}, 80)
		if err != nil {
			tb.Fatal(err)
		}
		if s.Name == "front" {
			svc.Type = "LoadBalancer" // the client outside the cluster enters through it
		}
	}
	rt.Start()
	e.RunUntil(30 * time.Second)
	if sm := rt.Rec.Summary(); sm.Requests.Completed == 0 {
		tb.Fatalf("no request completed in 30 s: %+v", sm.Requests)
	}
	return e, rt
}

// BenchmarkDeclRequest serves one request of a declared workload per op, in
// steady state (the open-loop client's next arrival and everything it calls):
// allocs/op is allocations per request (the target is 0), events/op the
// events of one request, events/s the simulator's rate.
func BenchmarkDeclRequest(b *testing.B) {
	for _, w := range requestWorkloads {
		b.Run("workload="+w.name, func(b *testing.B) {
			e, rt := newRequestRun(b, w.yaml)
			sent := rt.Rec.Summary().Requests.Sent
			ev := e.Events()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e.RunUntil(e.Now() + time.Second/requestRate)
			}
			b.StopTimer()
			events := e.Events() - ev
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
			b.ReportMetric(float64(rt.Rec.Summary().Requests.Sent-sent)/float64(b.N), "calls/op")
		})
	}
}

// Serving a declared workload's requests allocates nothing once warm: the
// runs of scripts, their steps, calls, retries and sleeps reuse their state.
func TestDeclRequestAllocatesNothing(t *testing.T) {
	for _, w := range requestWorkloads {
		t.Run(w.name, func(t *testing.T) {
			e, rt := newRequestRun(t, w.yaml)
			before := rt.Rec.Summary().Requests
			if a := testing.AllocsPerRun(500, func() {
				e.RunUntil(e.Now() + time.Second/requestRate)
			}); a != 0 {
				t.Errorf("%v allocations per request", a)
			}
			// The requests were served: the load ran while measured.
			if after := rt.Rec.Summary().Requests; after.Completed-before.Completed < 500 {
				t.Errorf("only %d requests completed in 501 arrivals", after.Completed-before.Completed)
			}
		})
	}
}

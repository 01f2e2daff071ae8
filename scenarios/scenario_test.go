package scenarios

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/workload/dockercoins"
)

// Every request sent is completed, refused, failed or still in flight, and the
// Recorder's count of in-flight requests equals the request objects actually live
// in the model (a request lost without an answer would show here).
func TestDefaultScenarioAccounting(t *testing.T) {
	s := Default()
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	a := res.Summary.Requests
	if a.Sent == 0 || a.Completed == 0 {
		t.Fatalf("no traffic: %+v", a)
	}
	if a.Sent != a.Completed+a.Refused+a.Failed+a.InFlight {
		t.Fatalf("accounting does not add up: %+v", a)
	}
	if int64(res.Net.LiveRequests()) != a.InFlight {
		t.Fatalf("recorder says %d in flight, model holds %d live requests", a.InFlight, res.Net.LiveRequests())
	}
	// Stop every client and let the system drain: nothing may stay in flight.
	c := res.Cluster
	if _, err := Apply(c, "kubectl scale deployment worker --replicas=0"); err != nil {
		t.Fatal(err)
	}
	res.dockerCoins().StopBrowser()
	c.E.RunUntil(c.Now() + 5*time.Minute)
	sum := res.Rec.Summary()
	d := sum.Requests
	if d.InFlight != 0 || res.Net.LiveRequests() != 0 {
		t.Fatalf("after draining: %d in flight, %d live requests: %+v", d.InFlight, res.Net.LiveRequests(), d)
	}
	if d.Sent != d.Completed+d.Refused+d.Failed {
		t.Fatalf("drained accounting does not add up: %+v", d)
	}
	for name, svc := range sum.Services {
		if svc.Requests == 0 {
			t.Errorf("service %s received no requests", name)
		}
	}
}

// The default scenario reproduces the workshop's observation from the services'
// mechanisms: one worker loops every ~0.3 s (0.1 s sleep, 0.1 s rng, 0.1 s
// hasher), two workers double that, and ten workers are capped by the single
// rng pod's 10 requests/s.
func TestDefaultScenarioThroughput(t *testing.T) {
	res, err := Run(Default())
	if err != nil {
		t.Fatal(err)
	}
	// The web UI's speed between the polls nearest to from and to.
	samples := res.dockerCoins().Samples()
	mean := func(from, to float64) float64 {
		var a, b *dockercoins.WebUISample
		for i := range samples {
			if a == nil && samples[i].T >= from {
				a = &samples[i]
			}
			if samples[i].T <= to {
				b = &samples[i]
			}
		}
		if a == nil || b == nil || b.T <= a.T {
			t.Fatalf("no web UI samples in [%v,%v]", from, to)
		}
		return float64(b.Hashes-a.Hashes) / (b.T - a.T)
	}
	one, two, ten := mean(20, 60), mean(80, 120), mean(140, 180)
	if one < 2.8 || one > 3.4 {
		t.Errorf("1 worker: %.2f hashes/s, want about 1/0.3 s = 3.3", one)
	}
	if two < 5.6 || two > 6.8 {
		t.Errorf("2 workers: %.2f hashes/s, want about 6.6", two)
	}
	if ten < 9.0 || ten > 10.0 {
		t.Errorf("10 workers: %.2f hashes/s, want just under rng's 10 requests/s", ten)
	}
	// While ten workers share one rng pod (3-4 minutes in), requests queue.
	w := int(200 / res.Rec.Window.Seconds())
	lat, n, _ := res.Rec.ServiceLatencyWindow("rng", w)
	if n == 0 || lat.P50 < 300 {
		t.Errorf("rng p50 %.1f ms over %d requests: with 10 workers queueing on one rng pod it should be several times its 100 ms", lat.P50, n)
	}
}

// Reporting progress runs the simulation in slices; the result must not change.
func TestProgressDoesNotChangeTheRun(t *testing.T) {
	a, err := Run(Default())
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	b, err := RunWith(Default(), Options{Progress: func(now, end time.Duration, events uint64) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if calls != int(Default().Duration/time.Second) {
		t.Errorf("progress called %d times", calls)
	}
	if a.Summary.Events != b.Summary.Events || a.Mining().Hashes != b.Mining().Hashes || a.Summary.Requests != b.Summary.Requests {
		t.Errorf("progress changed the run: %+v vs %+v", a.Summary.Requests, b.Summary.Requests)
	}
}

// A study window without a successful request has no latency and one without
// a request no error rate: NaN (no observation), not 0 that would pull the
// mean down. With detailed measurement off, the per-window figures are missing.
func TestStudyMetricsNoObservation(t *testing.T) {
	s, err := Builtin("label-endpoint-removal-swapped")
	if err != nil {
		t.Fatal(err)
	}
	s.Window = StudyWindow
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	m := StudyMetrics(res)
	lat, rate := m.Series["rng.latency_ms.p99"].Values, m.Series["rng.requests_per_s"].Values
	nan := 0
	for i, v := range lat {
		_, n, errs := res.Rec.ServiceLatencyWindow("rng", i)
		if (n == errs) != math.IsNaN(v) {
			t.Errorf("window %d: %d requests, %d errors, p99 %v", i, n, errs, v)
		}
		if math.IsNaN(v) {
			nan++
		}
		if e := m.Series["rng.error_rate"].Values[i]; (n == 0) != math.IsNaN(e) || math.IsNaN(rate[i]) {
			t.Errorf("window %d: %d requests, error rate %v, rate %v", i, n, e, rate[i])
		}
	}
	if nan == 0 {
		t.Error("no window without a successful rng request: the scenario no longer shows the gap")
	}
	c, err := Builtin("label-endpoint-removal-swapped")
	if err != nil {
		t.Fatal(err)
	}
	cres, err := RunWith(c, Options{Coarse: true})
	if err != nil {
		t.Fatal(err)
	}
	cm := StudyMetrics(cres)
	if _, ok := cm.Series["rng.latency_ms.p99"]; ok || !strings.Contains(cm.Missing["rng.latency_ms.p99"], "without --coarse") || cm.Scalars["rng.requests"] == 0 {
		t.Errorf("coarse: series %v, missing %q, requests %v", cm.Series["rng.latency_ms.p99"].Values, cm.Missing["rng.latency_ms.p99"], cm.Scalars["rng.requests"])
	}
}

// With detailed measurement off no latency is measured: the summary has none
// for Services, routes and clients (nil, not zeros), and a study's
// per-window metric of a route or client is missing with the fix, as a
// Service's is (it was missing with the list of every other metric).
func TestCoarseMeasuresNoLatency(t *testing.T) {
	s, err := Builtin("online-boutique")
	if err != nil {
		t.Fatal(err)
	}
	s.Duration = 3*time.Minute + 20*time.Second // the scale-up at 3m opens a phase
	keep := s.Steps[:0]
	for _, st := range s.Steps {
		if st.At <= s.Duration {
			keep = append(keep, st)
		}
	}
	s.Steps = keep
	res, err := RunWith(s, Options{Coarse: true})
	if err != nil {
		t.Fatal(err)
	}
	sum := res.Summary
	if len(sum.Routes) == 0 || len(sum.Clients) == 0 || sum.Services["frontend"].Requests == 0 {
		t.Fatalf("routes %d, clients %d, frontend %+v: the run measured nothing", len(sum.Routes), len(sum.Clients), sum.Services["frontend"])
	}
	for what, flows := range map[string]map[string]metrics.ServiceSummary{"service": sum.Services, "route": sum.Routes, "client": sum.Clients} {
		for name, v := range flows {
			if v.LatencyMs != nil {
				t.Errorf("%s %s: latency %+v, not measured", what, name, *v.LatencyMs)
			}
		}
	}
	ps := res.Rec.Phases(8)
	if len(ps) < 2 {
		t.Fatalf("%d phases, want 2 (split at the scale-up)", len(ps))
	}
	for _, p := range ps {
		for name, v := range p.Services {
			if v.LatencyMs != nil {
				t.Errorf("phase %v-%v: %s: latency %+v, not measured", p.Start, p.End, name, *v.LatencyMs)
			}
		}
	}
	m := StudyMetrics(res)
	for _, name := range []string{"frontend.latency_ms.p99", "clients.loadgenerator.latency_ms.p99", "routes.frontend/cart.latency_ms.p50", "clients.loadgenerator.error_rate"} {
		if _, ok := m.Series[name]; ok || !strings.Contains(m.Missing[name], "need detailed measurement: run without --coarse") {
			t.Errorf("%s: series %v, missing %q", name, m.Series[name].Values, m.Missing[name])
		}
	}
}

package model

import (
	"math"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// advance moves the cluster's clock to t.
func advance(c *Cluster, t sim.Time) {
	c.E.At(t, sim.HandlerFunc(func(*sim.Engine, int64) {}), 0)
	c.E.RunUntil(t)
}

func testCluster(t *testing.T) (*Cluster, *Service, *Pod) {
	t.Helper()
	c := NewCluster(sim.New(1), DefaultConfig())
	svc, err := c.CreateService("rng", map[string]string{"app": "rng"}, 80)
	if err != nil {
		t.Fatal(err)
	}
	p := &Pod{ID: 0, Name: "rng-a", NodeName: "node1", Spec: PodSpec{Image: "dockercoins/rng:v0.1"}}
	return c, svc, p
}

// Recording a request, a served request and a queue change allocates nothing
// once the window's histograms exist.
func TestRecordingDoesNotAllocate(t *testing.T) {
	c, svc, p := testCluster(t)
	s := &server{c: c, pod: p, slots: 1}
	c.Rec.serverStarted(s)
	advance(c, 1500*time.Millisecond)
	q := &request{c: c, svc: svc, to: p, sent: 1200 * time.Millisecond, started: 1300 * time.Millisecond, outcome: outcomeOK}
	allocs := testing.AllocsPerRun(1000, func() {
		c.Rec.requestSent(q)
		c.Rec.served(s, q)
		c.Rec.queueChanged(s)
		c.Rec.requestDone(q)
	})
	if allocs != 0 {
		t.Fatalf("recording a request allocates %.1f times", allocs)
	}
}

func near(got, want, rel float64) bool { return math.Abs(got-want) <= rel*want }

// Requests land in the window in which they complete, windows are (start, end]
// so the run's last instant is in its last window, and per-window counts add up
// to the whole run's.
func TestWindowLatency(t *testing.T) {
	c, svc, p := testCluster(t)
	done := func(at, latency sim.Time, ok bool) {
		advance(c, at)
		q := &request{c: c, svc: svc, to: p, sent: at - latency, outcome: outcomeOK}
		if !ok {
			q.outcome = outcomeFailed
		}
		c.Rec.requestDone(q)
	}
	for i := 0; i < 9; i++ {
		done(5*time.Second, 100*time.Millisecond, true)
	}
	done(5*time.Second, 3*time.Second, false)
	done(15*time.Second, time.Second, true)
	done(30*time.Second, 2*time.Second, true) // exactly at the end: last window
	sum := c.Rec.Summary()
	got := sum.Services["rng"]
	if got.Requests != 12 || got.Errors != 1 {
		t.Fatalf("requests %d errors %d, want 12 and 1", got.Requests, got.Errors)
	}
	if !near(got.LatencyMs.P50, 100, 0.002) || !near(got.LatencyMs.Max, 2000, 0.002) {
		t.Fatalf("whole run latency %+v: want p50 100 ms and max 2000 ms (0.1%%)", got.LatencyMs)
	}
	if len(got.Windows) != 3 {
		t.Fatalf("%d windows, want 3: %+v", len(got.Windows), got.Windows)
	}
	want := []struct {
		req, errs int64
		p50       float64
	}{{10, 1, 100}, {1, 0, 1000}, {1, 0, 2000}}
	var total int64
	for i, w := range got.Windows {
		if w.Requests != want[i].req || w.Errors != want[i].errs || !near(w.LatencyMs.P50, want[i].p50, 0.01) {
			t.Errorf("window %d: %+v, want %d requests, %d errors, p50 %g ms (1%%)", i, w, want[i].req, want[i].errs, want[i].p50)
		}
		total += w.Requests
	}
	if total != got.Requests {
		t.Errorf("windows hold %d requests, the run %d", total, got.Requests)
	}
	if w := got.Windows[2]; w.Start != 20 || w.End != 30 {
		t.Errorf("last window is (%g, %g], want (20, 30]", w.Start, w.End)
	}
	pod := sum.Pods["rng-a"]
	if pod.Requests != 12 || pod.Errors != 1 || !near(pod.LatencyMs.P50, 100, 0.01) {
		t.Errorf("pod: %+v, want the same requests as the Service", pod)
	}
}

// A server busy for 1 s of its 2 s life is 50 % utilised; two requests waiting
// for 0.5 s make a mean queue of 0.5 over that life, all of it in the first bin.
func TestPodLoad(t *testing.T) {
	c, _, p := testCluster(t)
	s := &server{c: c, pod: p, slots: 1}
	c.Rec.serverStarted(s)
	advance(c, 500*time.Millisecond)
	s.queue = []*request{{}, {}}
	c.Rec.queueChanged(s)
	advance(c, time.Second)
	s.queue = s.queue[:0]
	c.Rec.queueChanged(s)
	advance(c, 1500*time.Millisecond)
	c.Rec.served(s, &request{started: 500 * time.Millisecond})
	advance(c, 2*time.Second)
	got := c.Rec.Summary().Pods["rng-a"]
	if got.Served != 1 || got.BusySeconds != 1 || got.Utilisation != 0.5 || got.MaxQueue != 2 || got.MeanQueue != 0.5 {
		t.Fatalf("pod load %+v: want 1 served, 1 s busy, utilisation 0.5, max queue 2, mean queue 0.5", got)
	}
	var bins []PodBin
	for _, ps := range c.Rec.Series().Pods {
		if ps.Name == "rng-a" {
			bins = ps.Bins
		}
	}
	want := []PodBin{{Start: 0, End: 1, Utilisation: 0.5, MeanQueue: 1, MaxQueue: 2}, {Start: 1, End: 2, Served: 1, Utilisation: 0.5}}
	if len(bins) != 2 || bins[0] != want[0] || bins[1] != want[1] {
		t.Fatalf("bins %+v, want %+v", bins, want)
	}
}

// With detailed collection off the counters are still kept, and nothing else.
func TestDetailedOff(t *testing.T) {
	c, svc, p := testCluster(t)
	c.Rec.SetDetailed(false)
	advance(c, time.Second)
	c.Rec.requestDone(&request{c: c, svc: svc, to: p, sent: 0, outcome: outcomeOK})
	c.Rec.requestDone(&request{c: c, svc: svc, to: p, sent: 0, outcome: outcomeRefused})
	sum := c.Rec.Summary()
	if got := sum.Services["rng"]; got.Requests != 2 || got.Errors != 1 || got.Windows != nil {
		t.Fatalf("service %+v: want 2 requests, 1 error, no windows", got)
	}
	if sum.Pods != nil || sum.Detailed || sum.Requests.Refused != 1 {
		t.Fatalf("summary %+v: want no pods, detailed false, 1 refused", sum)
	}
}

// BenchmarkRecordRequest is the Recorder's cost for one request through a
// server: sent, queued, dequeued, served and done, with detailed collection on
// and off.
func BenchmarkRecordRequest(b *testing.B) {
	for _, detailed := range []bool{true, false} {
		name := "measure=on"
		if !detailed {
			name = "measure=off"
		}
		b.Run(name, func(b *testing.B) {
			c := NewCluster(sim.New(1), DefaultConfig())
			c.Rec.SetDetailed(detailed)
			svc, _ := c.CreateService("rng", map[string]string{"app": "rng"}, 80)
			p := &Pod{ID: 0, Name: "rng-a", NodeName: "node1", Spec: PodSpec{Image: "dockercoins/rng:v0.1"}}
			s := &server{c: c, pod: p, slots: 1}
			c.Rec.serverStarted(s)
			advance(c, 1500*time.Millisecond)
			q := &request{c: c, svc: svc, to: p, sent: 1200 * time.Millisecond, started: 1300 * time.Millisecond, outcome: outcomeOK}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.Rec.requestSent(q)
				c.Rec.queueChanged(s)
				c.Rec.queueChanged(s)
				c.Rec.served(s, q)
				c.Rec.requestDone(q)
			}
		})
	}
}

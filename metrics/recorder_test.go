package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// testC is a cluster and its Recorder.
type testC struct {
	*model.Cluster
	Rec *Recorder
}

// req is what the Recorder is told of a request.
type req struct {
	svc           *model.Service
	to            *model.Pod
	sent, started sim.Time
	outcome       Outcome
}

func (r *Recorder) requestDone(q *req) { r.RequestDone(q.svc, q.to, q.sent, q.outcome) }

// advance moves the cluster's clock to t.
func advance(c *testC, t sim.Time) {
	c.E.At(t, sim.HandlerFunc(func(*sim.Engine, int64) {}), 0)
	c.E.RunUntil(t)
}

func newTestC() *testC {
	c := model.NewCluster(sim.New(1), model.DefaultConfig())
	return &testC{Cluster: c, Rec: New(c)}
}

func testCluster(t *testing.T) (*testC, *model.Service, *model.Pod) {
	t.Helper()
	c := newTestC()
	svc, err := c.CreateService("rng", map[string]string{"app": "rng"}, 80)
	if err != nil {
		t.Fatal(err)
	}
	p := &model.Pod{ID: 0, ObjectMeta: model.ObjectMeta{Name: "rng-a"}, NodeName: "node1", Spec: model.PodSpec{Image: "dockercoins/rng:v0.1"}}
	return c, svc, p
}

// Recording a request, a served request and a queue change allocates nothing
// once the window's histograms exist.
func TestRecordingDoesNotAllocate(t *testing.T) {
	c, svc, p := testCluster(t)
	c.Rec.ServerStarted(p, 1, 0)
	advance(c, 1500*time.Millisecond)
	q := &req{svc: svc, to: p, sent: 1200 * time.Millisecond, started: 1300 * time.Millisecond, outcome: OK}
	allocs := testing.AllocsPerRun(1000, func() {
		c.Rec.RequestSent(q.svc)
		c.Rec.Served(p, q.started)
		c.Rec.QueueChanged(p, 0)
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
		q := &req{svc: svc, to: p, sent: at - latency, outcome: OK}
		if !ok {
			q.outcome = Failed
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

// A pod's latencies are counted in its histograms when its windows are read,
// whatever number of them is still pending (latStats.pend): 20 requests in
// the first window (one batch counted, 4 pending when the window closes), 3
// in the second (pending when the summary reads it), with the Service's
// figures, counted at once, as the reference.
func TestPodLatencyPendingBuckets(t *testing.T) {
	if n := histLen(winHalfMag); n > math.MaxUint16+1 {
		t.Fatalf("a window histogram has %d buckets: its indices do not fit latStats.pend's uint16", n)
	}
	c, svc, p := testCluster(t)
	for i := 0; i < 20; i++ {
		advance(c, 5*time.Second+sim.Time(i)*time.Millisecond)
		c.Rec.requestDone(&req{svc: svc, to: p, sent: c.Now() - sim.Time(i+1)*10*time.Millisecond, outcome: OK})
	}
	for i := 0; i < 3; i++ {
		advance(c, 15*time.Second+sim.Time(i)*time.Millisecond)
		c.Rec.requestDone(&req{svc: svc, to: p, sent: c.Now() - sim.Time(i+1)*time.Second, outcome: OK})
	}
	sum := c.Rec.Summary()
	s, pod := sum.Services["rng"], sum.Pods["rng-a"]
	if pod.Requests != 23 || len(pod.Windows) != 2 || pod.Windows[0].Requests != 20 || pod.Windows[1].Requests != 3 {
		t.Fatalf("pod: %d requests, windows %+v; want 23, 20 then 3", pod.Requests, pod.Windows)
	}
	for w := range 2 {
		// Both window histograms keep 2 digits: the same figures.
		if got, want := pod.Windows[w].LatencyMs, s.Windows[w].LatencyMs; got != want {
			t.Errorf("window %d: pod latency %+v, the Service's %+v", w, got, want)
		}
	}
	if got := pod.LatencyMs; !near(got.P50, 120, 0.01) || !near(got.Max, 3000, 0.01) {
		t.Errorf("pod's whole-run latency %+v, want p50 120 ms and max 3000 ms (1%%)", got)
	}
}

// A server busy for 1 s of its 2 s life is 50 % utilised; two requests waiting
// for 0.5 s make a mean queue of 0.5 over that life, all of it in the first bin.
func TestPodLoad(t *testing.T) {
	c, _, p := testCluster(t)
	c.Rec.ServerStarted(p, 1, 0)
	advance(c, 500*time.Millisecond)
	c.Rec.QueueChanged(p, 2)
	advance(c, time.Second)
	c.Rec.QueueChanged(p, 0)
	advance(c, 1500*time.Millisecond)
	c.Rec.Served(p, 500*time.Millisecond)
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
	c.Rec.requestDone(&req{svc: svc, to: p, sent: 0, outcome: OK})
	c.Rec.requestDone(&req{svc: svc, to: p, sent: 0, outcome: Refused})
	sum := c.Rec.Summary()
	if got := sum.Services["rng"]; got.Requests != 2 || got.Errors != 1 || got.Windows != nil {
		t.Fatalf("service %+v: want 2 requests, 1 error, no windows", got)
	}
	if sum.Pods != nil || sum.Detailed || sum.Requests.Refused != 1 {
		t.Fatalf("summary %+v: want no pods, detailed false, 1 refused", sum)
	}
}

// histValues are latencies in us to check the histograms with: every value up
// to 5000 (single-unit resolution and the first buckets), every power of two
// and its neighbours, the largest value, and log-uniform random values.
func histValues() []int64 {
	var vs []int64
	for v := int64(1); v <= 5000; v++ {
		vs = append(vs, v)
	}
	for p := int64(2); p <= histMaxUs; p *= 2 {
		vs = append(vs, p-1, p, p+1)
	}
	vs = append(vs, histMaxUs-1, histMaxUs)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		vs = append(vs, int64(math.Exp(rng.Float64()*math.Log(histMaxUs))))
	}
	return vs
}

// Our histogram has HdrHistogram's layout: the same number of buckets, each
// value in the same bucket, and the same bucket bounds.
func TestHistLayoutIsHdrHistogram(t *testing.T) {
	for _, c := range []struct {
		digits int
		mag    uint
	}{{windowHistDigits, winHalfMag}, {svcHistDigits, svcHalfMag}} {
		h, ref := newHist(c.digits), hdrhistogram.New(1, histMaxUs, c.digits)
		if h.halfMag != c.mag {
			t.Fatalf("%d digits: half-bucket magnitude %d, the constant says %d", c.digits, h.halfMag, c.mag)
		}
		for _, v := range histValues() {
			h.inc(histIndex(v, c.mag))
			if err := ref.RecordValue(v); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := h.dense(), ref.Export().Counts; !slices.Equal(got, want) {
			t.Fatalf("%d digits: counts differ from HdrHistogram's (%d and %d buckets)", c.digits, len(got), len(want))
		}
		bars := ref.Distribution()
		for i, n := range h.dense() {
			if n == 0 {
				continue
			}
			if lo, hi := h.bounds(i); lo != bars[i].From || hi != bars[i].To {
				t.Fatalf("%d digits: bucket %d is [%d, %d], HdrHistogram's [%d, %d]", c.digits, i, lo, hi, bars[i].From, bars[i].To)
			}
		}
	}
}

// Percentiles and CDFs are HdrHistogram's, and adding histograms is the same
// as recording all their values in one.
func TestHistPercentilesAreHdrHistogram(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ps := []float64{0.1, 25, 50, 75, 90, 99, 99.9, 99.99, 100}
	for _, n := range []int{1, 2, 3, 7, 100, 1000, 20000} {
		for _, digits := range []int{windowHistDigits, svcHistDigits} {
			mag := histHalfMag(digits)
			whole, a, b := newHist(digits), newHist(digits), newHist(digits)
			ref := hdrhistogram.New(1, histMaxUs, digits)
			for i := range n {
				// Log-normal around 20 ms, as service latencies are.
				v := min(max(int64(20000*math.Exp(rng.NormFloat64())), 1), histMaxUs)
				whole.inc(histIndex(v, mag))
				if i%3 == 0 {
					a.inc(histIndex(v, mag))
				} else {
					b.inc(histIndex(v, mag))
				}
				_ = ref.RecordValue(v)
			}
			got := make([]int64, len(ps))
			whole.percentiles(ps, got)
			if want := ref.ValueAtPercentilesSlice(ps); !slices.Equal(got, want) {
				t.Errorf("%d values, %d digits: percentiles %v, HdrHistogram's %v", n, digits, got, want)
			}
			if l, want := latency(whole), hdrLatency(ref); l != want {
				t.Errorf("%d values, %d digits: latency %+v, HdrHistogram's %+v", n, digits, l, want)
			}
			if got, want := cdf(&latStats{all: whole, cur: emptyHist(windowHistDigits)}), hdrCDF(ref); !reflect.DeepEqual(got, want) {
				t.Errorf("%d values, %d digits: CDF differs from HdrHistogram's distribution", n, digits)
			}
			a.add(b)
			if !slices.Equal(a.dense(), whole.dense()) || a.total != whole.total || a.lo != whole.lo || a.hi != whole.hi {
				t.Errorf("%d values, %d digits: the sum of two histograms is not the histogram of all the values", n, digits)
			}
			a.reset()
			if a.total != 0 || slices.ContainsFunc(a.dense(), func(c int64) bool { return c != 0 }) {
				t.Errorf("reset leaves counts")
			}
		}
	}
}

// hdrLatency is the summary's latency as computed with HdrHistogram itself.
func hdrLatency(h *hdrhistogram.Histogram) Latency {
	v := h.ValueAtPercentilesSlice(latencyPercentiles)
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return Latency{P50: ms(v[0]), P90: ms(v[1]), P99: ms(v[2]), P999: ms(v[3]), Max: ms(v[4])}
}

// hdrCDF is the CDF as computed from HdrHistogram's distribution.
func hdrCDF(h *hdrhistogram.Histogram) []CDFPoint {
	var out []CDFPoint
	var cum int64
	for _, b := range h.Distribution() {
		if b.Count == 0 {
			continue
		}
		if len(out) == 0 {
			out = append(out, CDFPoint{Ms: float64(b.From) / 1000, Fraction: 0})
		}
		cum += b.Count
		out = append(out, CDFPoint{Ms: float64(b.To) / 1000, Fraction: round6(float64(cum) / float64(h.TotalCount()))})
	}
	return out
}

// rawRequest is one request as the test sent it: the truth the Recorder's
// figures are checked against.
type rawRequest struct {
	done    sim.Time
	latency sim.Time
	pod     int // index in pods; -1: no endpoint
	ok      bool
}

// replay records reqs (sorted by done) through the Recorder's hooks, on a
// Service with three pods, and returns the Recorder at the end, 95 s (in the
// run's tenth window).
func replay(t *testing.T, reqs []rawRequest) (*Recorder, []*model.Pod) {
	t.Helper()
	c, svc, _ := testCluster(t)
	var pods []*model.Pod
	for i, name := range []string{"rng-a", "rng-b", "rng-c"} {
		pods = append(pods, &model.Pod{ID: i, ObjectMeta: model.ObjectMeta{Name: name}, NodeName: "node1", Spec: model.PodSpec{Image: "dockercoins/rng:v0.1"}})
	}
	for _, rq := range reqs {
		advance(c, rq.done)
		q := &req{svc: svc, sent: rq.done - rq.latency, outcome: OK}
		if rq.pod >= 0 {
			q.to = pods[rq.pod]
		}
		if !rq.ok {
			q.outcome = Failed
		}
		c.Rec.RequestSent(q.svc)
		c.Rec.requestDone(q)
	}
	advance(c, 95*time.Second)
	return c.Rec, pods
}

// randomRequests are n requests completing over 95 s, with latencies spread
// over five decades, 5 % failed and 2 % refused (no endpoint), and no request
// at all between 30 s and 50 s.
func randomRequests(seed uint64, n int) []rawRequest {
	rng := rand.New(rand.NewPCG(seed, 5))
	var out []rawRequest
	for range n {
		rq := rawRequest{done: sim.Time(rng.Int64N(int64(95 * time.Second))), pod: rng.IntN(3), ok: rng.Float64() >= 0.05}
		if rq.done > 30*time.Second && rq.done <= 50*time.Second {
			continue
		}
		if rng.Float64() < 0.02 {
			rq.pod, rq.ok = -1, false
		}
		rq.latency = sim.Time(math.Exp(math.Log(100e3) + rng.Float64()*math.Log(1e5))) // 100 us .. 10 s
		out = append(out, rq)
	}
	slices.SortStableFunc(out, func(a, b rawRequest) int { return int(a.done - b.done) })
	return out
}

// checkAgainstRaw checks counts exactly and percentiles to the histogram's
// precision: the reported value is the highest of the bucket holding the
// exact percentile of the recorded latencies (us, truncated), at most a
// fraction 10^-digits above it. It is also exactly what an HdrHistogram of
// that precision fed the same latencies reports.
func checkAgainstRaw(t *testing.T, what string, reqs []rawRequest, digits int, gotReq, gotErr int64, got Latency) {
	t.Helper()
	var us []int64
	var errs int64
	for _, rq := range reqs {
		if !rq.ok {
			errs++
			continue
		}
		us = append(us, max(int64(rq.latency/1000), 1))
	}
	if gotReq != int64(len(reqs)) || gotErr != errs {
		t.Errorf("%s: %d requests, %d errors; sent %d, %d failed", what, gotReq, gotErr, len(reqs), errs)
	}
	if len(us) == 0 {
		if got != (Latency{}) {
			t.Errorf("%s: latency %+v with no successful request", what, got)
		}
		return
	}
	ref := hdrhistogram.New(1, histMaxUs, digits)
	for _, v := range us {
		_ = ref.RecordValue(v)
	}
	if want := hdrLatency(ref); got != want {
		t.Errorf("%s: latency %+v, HdrHistogram's %+v", what, got, want)
	}
	slices.Sort(us)
	tol := math.Pow10(-digits)
	gotUs := []float64{got.P50, got.P90, got.P99, got.P999, got.Max}
	for k, p := range latencyPercentiles {
		exact := float64(us[percentileRank(p, int64(len(us)))-1])
		g := math.Round(gotUs[k] * 1000)
		if g < exact || g > exact*(1+tol) {
			t.Errorf("%s: p%g is %g us, the exact value %g us (allowed up to %g)", what, p, g, exact, exact*(1+tol))
		}
	}
}

// The Recorder's figures agree with a brute-force recomputation from the raw
// latencies: per Service and per pod, for the whole run (the Service's to
// 0.1 %, the pod's, summed from its windows, to 1 %) and per window (1 %).
func TestLatencyAgainstRawRequests(t *testing.T) {
	reqs := randomRequests(7, 20000)
	rec, pods := replay(t, reqs)
	sum := rec.Summary()
	svc := sum.Services["rng"]
	checkAgainstRaw(t, "service", reqs, svcHistDigits, svc.Requests, svc.Errors, *svc.LatencyMs)
	if len(svc.Windows) != 10 {
		t.Fatalf("%d windows, want 10", len(svc.Windows))
	}
	inWindow := func(w int, pod int) []rawRequest {
		var out []rawRequest
		for _, rq := range reqs {
			if slot(rq.done, 10*time.Second) == w && (pod < 0 || rq.pod == pod) {
				out = append(out, rq)
			}
		}
		return out
	}
	for w, win := range svc.Windows {
		checkAgainstRaw(t, fmt.Sprintf("service window %d", w), inWindow(w, -1), windowHistDigits, win.Requests, win.Errors, win.LatencyMs)
	}
	for i, p := range pods {
		var mine []rawRequest
		for _, rq := range reqs {
			if rq.pod == i {
				mine = append(mine, rq)
			}
		}
		ps := sum.Pods[p.Name]
		checkAgainstRaw(t, p.Name, mine, podHistDigits, ps.Requests, ps.Errors, ps.LatencyMs)
		for w, win := range ps.Windows {
			checkAgainstRaw(t, fmt.Sprintf("%s window %d", p.Name, w), inWindow(w, i), windowHistDigits, win.Requests, win.Errors, win.LatencyMs)
		}
	}
	// The Series' windows are the summary's, and its CDF ends at 1.
	for _, ss := range rec.Series().Services {
		if ss.Name != "rng" {
			continue
		}
		if !reflect.DeepEqual(ss.Windows, svc.Windows) {
			t.Errorf("series windows differ from the summary's")
		}
		if n := len(ss.CDF); n == 0 || ss.CDF[n-1].Fraction != 1 || ss.CDF[n-1].Ms != svc.LatencyMs.Max {
			t.Errorf("CDF does not end at (max %g ms, 1): %v", svc.LatencyMs.Max, ss.CDF[max(n-1, 0):])
		}
	}
}

// The same requests give the same figures, and building the summary and the
// series changes nothing (asking twice gives the same answers).
func TestRecorderDeterministic(t *testing.T) {
	run := func() (Summary, Summary, *Series) {
		rec, _ := replay(t, randomRequests(11, 5000))
		a := rec.Summary()
		s := rec.Series()
		return a, rec.Summary(), s
	}
	a1, b1, s1 := run()
	a2, b2, s2 := run()
	for _, s := range []*Summary{&a1, &b1, &a2, &b2} {
		s.WallSeconds = 0
	}
	if !reflect.DeepEqual(a1, b1) {
		t.Errorf("the second summary differs from the first")
	}
	if !reflect.DeepEqual(a1, a2) || !reflect.DeepEqual(s1, s2) {
		t.Errorf("two runs of the same requests give different figures")
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
			c := newTestC()
			c.Rec.SetDetailed(detailed)
			svc, _ := c.CreateService("rng", map[string]string{"app": "rng"}, 80)
			p := &model.Pod{ID: 0, ObjectMeta: model.ObjectMeta{Name: "rng-a"}, NodeName: "node1", Spec: model.PodSpec{Image: "dockercoins/rng:v0.1"}}
			c.Rec.ServerStarted(p, 1, 0)
			advance(c, 1500*time.Millisecond)
			q := &req{svc: svc, to: p, sent: 1200 * time.Millisecond, started: 1300 * time.Millisecond, outcome: OK}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.Rec.RequestSent(q.svc)
				c.Rec.QueueChanged(p, 1)
				c.Rec.QueueChanged(p, 0)
				c.Rec.Served(p, q.started)
				c.Rec.requestDone(q)
			}
		})
	}
}

// A histogram keeps the counts of the range of values it saw, not
// HdrHistogram's whole layout: latencies within a factor of 10 of each other
// take at most 5 powers of two of buckets, whatever their number, and adding
// or resetting keeps the counts right.
func TestHistKeepsItsRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, digits := range []int{windowHistDigits, svcHistDigits} {
		mag := histHalfMag(digits)
		h := newHist(digits)
		for range 100000 {
			h.inc(histIndex(100_000+rng.Int64N(900_000), mag)) // 100 ms to 1 s
		}
		if max := 5 << mag; len(h.counts) > max {
			t.Errorf("%d digits: %d counts kept for values 100 ms to 1 s, want at most %d (the full layout has %d)", digits, len(h.counts), max, h.n)
		}
		far := newHist(digits)
		far.inc(histIndex(3, mag))
		far.inc(histIndex(histMaxUs, mag))
		h.add(far)
		want := newHist(digits)
		want.add(far)
		if h.total != 100002 || h.dense()[histIndex(3, mag)] != 1 || h.dense()[histIndex(histMaxUs, mag)] != 1 {
			t.Errorf("%d digits: adding values outside the range kept: total %d", digits, h.total)
		}
		h.reset()
		h.add(far)
		if !slices.Equal(h.dense(), want.dense()) || h.lo != want.lo || h.hi != want.hi {
			t.Errorf("%d digits: reset and add differ from a fresh histogram", digits)
		}
	}
}

package dockercoins

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/traffic"
	"github.com/kubesim/kubesim/workload"
)

// A window's mining speed counts every hash whose counter update fell in it,
// whatever the web UI's polls: an update exactly at a window's end belongs to
// it, and the windows add up to the counter. The page's own per-poll speeds stay
// as the real page computes them, (h2-h1)/(t2-t1).
func TestWindowSpeedsCountEveryUpdate(t *testing.T) {
	c := model.NewCluster(sim.New(1), model.DefaultConfig())
	rt := workload.New(c, traffic.DefaultNetwork())
	d := Install(rt, DefaultConfig())
	d.used = true
	advance := func(at sim.Time) {
		c.E.At(at, sim.HandlerFunc(func(*sim.Engine, int64) {}), 0)
		c.E.RunUntil(at)
	}
	// Polls at 0.5, 1.5, ... s; the counter moves at 1, 2, ... s by 2 and 18 in
	// turn, as 10 workers phase-locked to the polls do: 10 hashes/s. Averaging
	// the polls inside (0, 10] (0.5 .. 9.5 s) reads 82 hashes in 9 s, 9.111/s.
	for s := sim.Time(0); s < 20; s++ {
		advance(s*time.Second + 500*time.Millisecond)
		d.webUISample(c.Now(), d.counted.Total())
		advance((s + 1) * time.Second)
		d.counted.Add(2 + 16*int64(s%2))
	}
	ws := d.WindowSpeeds()
	if len(ws) != 2 || ws[0].HashesPerSec != 10 || ws[1].HashesPerSec != 10 || ws[1].Start != 10 || ws[1].End != 20 {
		t.Fatalf("windows %+v, want 2 of 10 hashes/s", ws)
	}
	if f := d.Figures(); f.Hashes != 200 || len(f.Windows) != 2 || f.Windows[0].HashesPerSec != 10 || f.Windows[1].HashesPerSec != 10 {
		t.Fatalf("figures: %d hashes, windows %+v", f.Hashes, f.Windows)
	}
	if sum := rt.Rec.Summary(); len(sum.Extra) != 3 || sum.Extra[0].Key != "hashes" || sum.Extra[0].Value != int64(200) {
		t.Fatalf("summary extra %+v, want hashes, hashes_computed, windows", sum.Extra)
	}
	for i, p := range d.Speeds() {
		if want := []float64{2, 18}[i%2]; p.V != want {
			t.Fatalf("web UI speed %v at %v s, want %v", p.V, p.T, want)
		}
	}
}

// The web UI's polls are kept in bounded memory: a run longer than
// maxWebUISamples polls keeps every 2nd, 4th, ... poll (the first included),
// so memory does not grow with the duration; the speeds between the polls kept
// are still the counter's rate, the chart joins them (its gap widens with the
// stride) and its label says which polls are kept.
func TestWebUISamplesBounded(t *testing.T) {
	c := model.NewCluster(sim.New(1), model.DefaultConfig())
	rt := workload.New(c, traffic.DefaultNetwork())
	d := Install(rt, DefaultConfig())
	d.used = true
	polls := 3*maxWebUISamples + 7
	for i := 0; i < polls; i++ {
		d.webUISample(sim.Time(i)*sim.Time(time.Second), int64(10*i)) // 10 hashes/s
	}
	n := len(d.Samples())
	if n > maxWebUISamples || n < maxWebUISamples/4 {
		t.Fatalf("%d polls kept %d samples, want at most %d and more than a quarter of that", polls, n, maxWebUISamples)
	}
	s := d.Samples()
	stride := s[1].T - s[0].T
	if s[0].T != 0 || stride != 4 {
		t.Errorf("first samples %+v, want poll 0 kept and every 4th poll after %d polls", s[:2], polls)
	}
	for i := 1; i < n; i++ {
		if s[i].T-s[i-1].T != stride {
			t.Fatalf("samples %d and %d are %v s apart, want %v", i-1, i, s[i].T-s[i-1].T, stride)
		}
	}
	for _, p := range d.Speeds() {
		if p.V != 10 {
			t.Fatalf("speed %v at %v s, want 10", p.V, p.T)
		}
	}
	r := d.report()
	line := r.Charts[0].Lines[0]
	if line.Gap != 3*stride || line.Label != "web UI: speed shown, every 4th poll (a run this long keeps 1 in 4)" {
		t.Errorf("chart line %q, gap %v s; want the stride in the label and a gap of %v s", line.Label, line.Gap, 3*stride)
	}
	if tb := r.Tables[0]; tb.Name != "webui.csv" || len(tb.Rows) != n || tb.Rows[1][2] != 10.0 {
		t.Errorf("%s: %d rows (row 1 %v), want %d at 10 hashes/s", tb.Name, len(tb.Rows), tb.Rows[1], n)
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int64]string{2: "2nd", 4: "4th", 11: "11th", 12: "12th", 21: "21st", 32: "32nd", 112: "112th", 8192: "8192nd", 1023: "1023rd"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}

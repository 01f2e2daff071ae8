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

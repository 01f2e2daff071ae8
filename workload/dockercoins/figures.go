package dockercoins

import (
	"fmt"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/sim"
)

// WebUISample is one /json poll as the web UI page receives it.
type WebUISample struct {
	T      float64 `json:"t_s"`
	Hashes int64   `json:"hashes"`
}

// Window is one summary window: the mining speed and the true throughput.
type Window struct {
	Start        float64 `json:"start_s"`
	End          float64 `json:"end_s"`
	HashesPerSec float64 `json:"hashes_per_s"`
	// ComputedPerSec is the true throughput: hashes the workers computed in the
	// window, per second (detailed collection only).
	ComputedPerSec *float64 `json:"hashes_computed_per_s,omitempty"`
}

// ThroughputBin is the hashes the workers computed in (Start, End].
type ThroughputBin struct {
	Start, End float64
	Hashes     int64
	PerSec     float64
}

// Figures are DockerCoins' own measurements of a run.
type Figures struct {
	// Hashes is the hashes counted in redis (what the web UI reads);
	// HashesComputed the loops the workers completed.
	Hashes, HashesComputed int64
	// Windows is the mining speed per summary window.
	Windows []Window
	// WebUI is the web UI page's polls; Speeds the speed it shows after each.
	WebUI  []WebUISample
	Speeds []metrics.Point
	// Throughput is the true throughput per fine bin (detailed collection only).
	Throughput []ThroughputBin
}

// Used reports whether a DockerCoins container ran in the run.
func (d *DockerCoins) Used() bool { return d.used }

// Samples returns the web UI's polls.
func (d *DockerCoins) Samples() []WebUISample { return d.samples.Items }

// Speeds returns the web UI's instantaneous speeds: for each pair of neighbouring
// samples, (h2-h1)/(t2-t1), at t2.
func (d *DockerCoins) Speeds() []metrics.Point {
	smp := d.samples.Items
	out := make([]metrics.Point, 0, len(smp))
	for i := 1; i < len(smp); i++ {
		a, b := smp[i-1], smp[i]
		if b.T > a.T {
			out = append(out, metrics.Point{T: b.T, V: float64(b.Hashes-a.Hashes) / (b.T - a.T)})
		}
	}
	return out
}

// WindowSpeeds is the mining speed per summary window up to now: the hashes
// counted in redis (the INCRBYs of the counter the web UI reads) whose update
// fell in the window, over the window's width. Every counted hash is in exactly
// one window, so the windows' mean is the counter's true rate. (kubesim used to
// average the web UI's polls inside each window, which drops the poll interval
// straddling the window's end; with the workers' once-a-second updates
// phase-locked to the polls that was a steady bias: 10 workers on one rng pod
// read 9.111 hashes/s instead of 10, 1 worker 3.56 instead of 3.33.) The web
// UI's own instantaneous speeds, poll by poll, are Speeds. With detailed
// collection, each window also has the true throughput.
func (d *DockerCoins) WindowSpeeds() []Window {
	rec := d.env.Rec
	var out []Window
	for i, w := range rec.Windows() {
		a, b := w[0], w[1]
		win := Window{Start: a, End: b, HashesPerSec: metrics.Round3(float64(d.counted.InWindow(i)) / (b - a))}
		if rec.Detailed() {
			v := metrics.Round3(d.computed.Between(a, b) / (b - a))
			win.ComputedPerSec = &v
		}
		out = append(out, win)
	}
	return out
}

// Figures returns DockerCoins' measurements up to now.
func (d *DockerCoins) Figures() *Figures {
	f := &Figures{Hashes: d.counted.Total(), HashesComputed: d.computed.Total(), Windows: d.WindowSpeeds(),
		WebUI: d.samples.Items, Speeds: d.Speeds()}
	if rec := d.env.Rec; rec.Detailed() {
		nb := rec.NBins()
		f.Throughput = make([]ThroughputBin, 0, nb)
		for i := 0; i < nb; i++ {
			n := d.computed.InBin(i)
			a, b := rec.BinBounds(i)
			f.Throughput = append(f.Throughput, ThroughputBin{Start: a, End: b, Hashes: n, PerSec: metrics.Round6(float64(n) / (b - a))})
		}
	}
	return f
}

// summary adds DockerCoins' figures to a run's summary, if it ran.
func (d *DockerCoins) summary(s *metrics.Summary) {
	if !d.used {
		return
	}
	s.Extra = append(s.Extra, metrics.Field{Key: "hashes", Value: d.counted.Total()},
		metrics.Field{Key: "hashes_computed", Value: d.computed.Total()},
		metrics.Field{Key: "windows", Value: d.WindowSpeeds()})
}

// maxWebUISamples is the most web UI polls a run keeps (about 18 h of 1 s
// polls; every built-in scenario keeps all of its polls).
const maxWebUISamples = 1 << 16

// webUISample records an answered poll: every one while the run has made
// at most maxWebUISamples, then every 2nd, 4th, ... (the first poll
// included), so that memory does not grow with the duration. The speeds
// between the polls kept are the counter's rate over their interval.
func (d *DockerCoins) webUISample(t sim.Time, hashes int64) {
	d.samples.Add(WebUISample{T: t.Seconds(), Hashes: hashes}, maxWebUISamples+1)
}

// PollStride is how many web UI polls each kept sample stands for: 1, or
// for a run of more than maxWebUISamples polls 2, 4, ...
func (d *DockerCoins) PollStride() int64 { return d.samples.Stride() }

// report is DockerCoins' figures as every output shows them (metrics.Figures):
// the mining speed per window, its facts, its CSV files (webui.csv,
// throughput.csv, windows.csv) and its chart (throughput); nil if no
// DockerCoins container ran.
func (d *DockerCoins) report() *metrics.Figures {
	if !d.used {
		return nil
	}
	f := d.Figures()
	rate := &metrics.Rate{Title: "Mining speed", What: "hashes counted in redis per second, per window", Unit: "hashes",
		Total: f.Hashes, Metric: "hashes_per_s", Instant: f.Speeds, InstantWhat: "the speed the web UI shows"}
	var last, peak float64
	wins := make([]metrics.Step, 0, len(f.Windows))
	for _, w := range f.Windows {
		rate.Windows = append(rate.Windows, metrics.RateWindow{Start: w.Start, End: w.End, PerSec: w.HashesPerSec})
		wins = append(wins, metrics.Step{Start: w.Start, End: w.End, V: w.HashesPerSec})
		last, peak = w.HashesPerSec, max(peak, w.HashesPerSec)
	}
	lastTrue := "–"
	if n := len(f.Windows); n > 0 && f.Windows[n-1].ComputedPerSec != nil {
		lastTrue = fmt.Sprintf("%.2f hashes/s", *f.Windows[n-1].ComputedPerSec)
	}
	out := &metrics.Figures{Workload: "dockercoins", Rate: rate,
		Facts: []metrics.Fact{
			{Name: "Speed at the end", Value: fmt.Sprintf("%.2f hashes/s", last), Note: "counted in redis in the last window"},
			{Name: "True throughput at the end", Value: lastTrue, Note: "hashes computed in the last window"},
			{Name: "Peak window speed", Value: fmt.Sprintf("%.2f hashes/s", peak), Note: "counted in redis, best window"},
			{Name: "Hashes", Value: fmt.Sprintf("%d counted / %d computed", f.Hashes, f.HashesComputed), Note: "in redis / by the workers"},
		},
		Scalars: []metrics.Scalar{{Name: "hashes", Value: float64(f.Hashes)}, {Name: "hashes_computed", Value: float64(f.HashesComputed)}},
	}

	webui := metrics.Table{Name: "webui.csv", Columns: []string{"t_s", "hashes", "hashes_per_s"}}
	for i, smp := range f.WebUI {
		var speed any
		if i > 0 && smp.T > f.WebUI[i-1].T {
			speed = float64(smp.Hashes-f.WebUI[i-1].Hashes) / (smp.T - f.WebUI[i-1].T)
		}
		webui.Rows = append(webui.Rows, []any{smp.T, smp.Hashes, speed})
	}
	out.Tables = append(out.Tables, webui)
	var computed []metrics.Step
	if len(f.Throughput) > 0 {
		tp := metrics.Table{Name: "throughput.csv", Columns: []string{"start_s", "end_s", "hashes_computed", "hashes_per_s"}}
		for _, b := range f.Throughput {
			tp.Rows = append(tp.Rows, []any{b.Start, b.End, b.Hashes, b.PerSec})
			computed = append(computed, metrics.Step{Start: b.Start, End: b.End, V: float64(b.Hashes)})
		}
		out.Tables = append(out.Tables, tp)
	}
	wn := metrics.Table{Name: "windows.csv", Columns: []string{"start_s", "end_s", "hashes_per_s", "hashes_computed_per_s"}}
	for _, w := range f.Windows {
		var c any
		if w.ComputedPerSec != nil {
			c = *w.ComputedPerSec
		}
		wn.Rows = append(wn.Rows, []any{w.Start, w.End, w.HashesPerSec, c})
	}
	out.Tables = append(out.Tables, wn)

	out.Charts = []metrics.Chart{{Name: "throughput", Title: "Mining speed", YLabel: "hashes/s", Lines: []metrics.Line{
		// The page's own graph (Rickshaw) joins the readings on either side
		// of polls that got no answer (the web UI or redis down) with a
		// straight line, as if the speed had changed gradually; the chart
		// leaves the gap open: no reading was shown in it.
		{Label: webUILabel(d.PollStride()), Points: f.Speeds, Gap: 3 * float64(d.PollStride()) * d.cfg.WebUIPoll.Seconds(), Width: 0.8, Faint: true},
		{Label: fmt.Sprintf("counted in redis, per %gs window", d.env.Rec.Window.Seconds()), Steps: wins, Width: 2.5},
		{Label: "true throughput: hashes computed", Steps: computed, Counts: true, Width: 1.5, Colour: 1},
	}}}
	return out
}

// webUILabel is the chart's label of the web UI's speeds, kept from every
// stride-th poll.
func webUILabel(stride int64) string {
	if stride == 1 {
		return "web UI: speed shown after each poll"
	}
	return fmt.Sprintf("web UI: speed shown, every %s poll (a run this long keeps 1 in %d)", ordinal(stride), stride)
}

// ordinal is n as an English ordinal: 2nd, 4th, 32nd, 512th.
func ordinal(n int64) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

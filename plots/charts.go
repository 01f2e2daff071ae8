package plots

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/metrics"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette is Tableau 10: distinct, colour-blind tolerant, readable on white.
var palette = []color.RGBA{
	{0x4e, 0x79, 0xa7, 0xff}, {0xf2, 0x8e, 0x2b, 0xff}, {0xe1, 0x57, 0x59, 0xff},
	{0x76, 0xb7, 0xb2, 0xff}, {0x59, 0xa1, 0x4f, 0xff}, {0xed, 0xc9, 0x48, 0xff},
	{0xb0, 0x7a, 0xa1, 0xff}, {0xff, 0x9d, 0xa7, 0xff}, {0x9c, 0x75, 0x5f, 0xff},
	{0xba, 0xb0, 0xac, 0xff},
}

func colour(i int) color.Color { return palette[i%len(palette)] }

var grey = color.RGBA{0x70, 0x70, 0x70, 0xff}

// chart is one figure: one plot or a column of panels sharing a width.
type chart struct {
	name   string // file name without extension
	title  string // for the report
	panels []*plot.Plot
	w, h   vg.Length
}

// newPlot returns a plot with the report's common style.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = 13
	p.Title.Padding = 6
	p.X.Label.Text = x
	p.Y.Label.Text = y
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = 11
		a.Tick.Label.Font.Size = 10
	}
	p.Legend.TextStyle.Font.Size = 10
	p.Legend.Top = true
	p.Y.Tick.Marker = niceTicks{n: 8, minor: 2}
	p.Add(grid())
	return p
}

func grid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{0xe0}
	g.Horizontal.Color = color.Gray{0xe0}
	return g
}

func line(xys plotter.XYs, i int, width vg.Length, step bool) *plotter.Line {
	l := &plotter.Line{XYs: xys, LineStyle: draw.LineStyle{Color: colour(i), Width: width}}
	if step {
		l.StepStyle = plotter.PostStep
	}
	return l
}

// timeAxis sets the x axis to the run's span, with a tick every round number
// of seconds.
func timeAxis(p *plot.Plot, end float64) {
	p.X.Min, p.X.Max = 0, end
	p.X.Padding = 0
	p.X.Tick.Marker = niceTicks{n: 12, minor: 5}
}

// niceTicks labels at most n round values (1, 2, 2.5 or 5 times a power of
// ten), with unlabelled minor ticks between them.
type niceTicks struct {
	n     float64
	minor int // minor ticks per labelled interval
}

func (t niceTicks) Ticks(min, max float64) []plot.Tick {
	span := max - min
	if span <= 0 {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	step := math.Pow(10, math.Floor(math.Log10(span/t.n)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if span/(step*m) <= t.n {
			step *= m
			break
		}
	}
	var ts []plot.Tick
	first := math.Ceil(min/step-1e-9) * step
	for k := 0; ; k++ {
		v := math.Round((first+float64(k)*step)*1e9) / 1e9
		if v > max+1e-9 {
			break
		}
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		for k := 1; k < t.minor && v+step*float64(k)/float64(t.minor) <= max; k++ {
			ts = append(ts, plot.Tick{Value: v + step*float64(k)/float64(t.minor)})
		}
	}
	return ts
}

// marks draws each timeline step as a dashed vertical line with its command
// written along the top of the chart, in as many rows as needed for the labels
// not to overlap.
type marks struct {
	groups []markGroup
	style  draw.TextStyle
	rows   int // rows reserved by reserve
}

type markGroup struct {
	t     float64
	label string
}

// groupSteps merges steps at the same instant into one labelled mark.
func groupSteps(steps []Step) []markGroup {
	var out []markGroup
	for i := 0; i < len(steps); {
		j := i
		for j < len(steps) && steps[j].T == steps[i].T {
			j++
		}
		label := shortCommand(steps[i].Command)
		if steps[i].Error != "" {
			label += " (error)"
		}
		if n := j - i - 1; n > 0 {
			label += fmt.Sprintf(" (+%d more)", n)
		}
		out = append(out, markGroup{t: steps[i].T, label: fmt.Sprintf("%s  %s", fmtSeconds(steps[i].T), label)})
		i = j
	}
	return out
}

func shortCommand(c string) string {
	c = strings.TrimSpace(c)
	c = strings.TrimPrefix(c, "kubectl ")
	if len(c) > 48 {
		c = c[:47] + "…"
	}
	return c
}

func fmtSeconds(t float64) string {
	if t == math.Trunc(t) {
		return fmt.Sprintf("%.0fs", t)
	}
	return fmt.Sprintf("%.1fs", t)
}

func newMarks(steps []Step) *marks {
	m := &marks{groups: groupSteps(steps)}
	m.style = draw.TextStyle{Color: color.Gray{0x30}, Font: font.From(plot.DefaultFont, 9),
		XAlign: draw.XLeft, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
	return m
}

// maxMarkRows caps the rows of labels; beyond it labels may overlap.
const maxMarkRows = 8

// layout places each label right of its line (left of it near the right edge)
// in the first row where it overlaps no other label. xs are the lines'
// positions; it returns the labels' left edges and rows, and the rows used.
func (m *marks) layout(xs []vg.Length, minX, maxX vg.Length, maxRows int) ([]vg.Length, []int, int) {
	tx := make([]vg.Length, len(xs))
	rows := make([]int, len(xs))
	var rowEnd []vg.Length
	for i, g := range m.groups {
		w := m.style.Width(g.label)
		x := xs[i] + vg.Points(3)
		if x+w > maxX {
			x = xs[i] - vg.Points(3) - w
		}
		if x < minX {
			x = minX
		}
		r := 0
		for r < len(rowEnd) && rowEnd[r] > x {
			r++
		}
		switch {
		case r < len(rowEnd):
		case len(rowEnd) < maxRows:
			rowEnd = append(rowEnd, 0)
		default: // out of rows: the row that ends first
			r = 0
			for k := range rowEnd {
				if rowEnd[k] < rowEnd[r] {
					r = k
				}
			}
		}
		rowEnd[r] = x + w + vg.Points(8)
		tx[i], rows[i] = x, r
	}
	return tx, rows, len(rowEnd)
}

func (m *marks) rowHeight() vg.Length { return m.style.Height("0") + vg.Points(3) }

// reserve estimates, for a chart of the given size over (0, end), the rows the
// labels need, and returns the fraction of the data area's height they take.
func (m *marks) reserve(w, h vg.Length, end float64) float64 {
	if len(m.groups) == 0 || end <= 0 {
		return 0
	}
	areaW, areaH := w-vg.Points(75), h-vg.Points(80)
	xs := make([]vg.Length, len(m.groups))
	for i, g := range m.groups {
		xs[i] = vg.Length(g.t/end) * areaW
	}
	_, _, n := m.layout(xs, 0, areaW, maxMarkRows)
	m.rows = n
	return math.Min(0.6, float64(vg.Length(n)*m.rowHeight()+vg.Points(6))/float64(areaH))
}

func (m *marks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	ls := draw.LineStyle{Color: grey, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
	xs := make([]vg.Length, len(m.groups))
	for i, g := range m.groups {
		xs[i] = trX(g.t)
		c.StrokeLine2(ls, xs[i], c.Min.Y, xs[i], c.Max.Y)
	}
	maxRows := m.rows
	if maxRows == 0 {
		maxRows = 3
	}
	tx, rows, _ := m.layout(xs, c.Min.X, c.Max.X, maxRows)
	lh := m.rowHeight()
	for i, g := range m.groups {
		y := c.Max.Y - vg.Points(3) - vg.Length(rows[i])*lh
		// A white box under the label keeps it readable over the data.
		w, h := m.style.Width(g.label), m.style.Height(g.label)
		c.FillPolygon(color.NRGBA{0xff, 0xff, 0xff, 0xd8}, []vg.Point{
			{X: tx[i] - 1, Y: y + 1}, {X: tx[i] + w + 1, Y: y + 1}, {X: tx[i] + w + 1, Y: y - h - 1}, {X: tx[i] - 1, Y: y - h - 1}})
		c.FillText(m.style, vg.Point{X: tx[i], Y: y}, g.label)
	}
}

// addMarks draws the run's timeline on p, a chart of size w x h, and returns
// the fraction of the data area's height to keep free for the labels.
func addMarks(p *plot.Plot, run Run, w, h vg.Length) float64 {
	if len(run.Timeline) == 0 {
		return 0
	}
	m := newMarks(run.Timeline)
	p.Add(m)
	return m.reserve(w, h, run.Series.End)
}

// linearTop is the top of a linear axis from 0 that shows dataMax with a
// margin and leaves the top fraction free.
func linearTop(dataMax, free float64) float64 {
	if dataMax <= 0 {
		dataMax = 1
	}
	return dataMax * 1.06 / (1 - free)
}

// logTop is the same for a log axis from lo.
func logTop(lo, hi, free float64) float64 {
	l, h := math.Log(lo), math.Log(hi*1.1)
	return math.Exp(l + (h-l)/(1-free))
}

// throughputChart is hashes/s over time: the web UI's instantaneous speed, the
// true throughput per bin, and the timeline steps.
func throughputChart(run Run) (chart, error) {
	s := run.Series
	p := newPlot(run.title()+": mining speed", "simulated time (s)", "hashes/s")
	timeAxis(p, s.End)
	max := 0.0
	if len(s.Speeds) > 0 {
		xys := make(plotter.XYs, len(s.Speeds))
		for i, v := range s.Speeds {
			xys[i] = plotter.XY{X: v.T, Y: v.V}
			max = math.Max(max, v.V)
		}
		l := line(xys, 0, vg.Points(0.8), false)
		l.Color = color.NRGBA{0x4e, 0x79, 0xa7, 0x90}
		p.Add(l)
		p.Legend.Add("web UI: speed shown after each poll", l)
	}
	if ws := run.Summary.Windows; len(ws) > 0 {
		xys := make(plotter.XYs, 0, len(ws)+1)
		for _, w := range ws {
			xys = append(xys, plotter.XY{X: w.Start, Y: w.HashesPerSec})
		}
		xys = append(xys, plotter.XY{X: ws[len(ws)-1].End, Y: ws[len(ws)-1].HashesPerSec})
		l := line(xys, 0, vg.Points(2.5), true)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("counted in redis, per %gs window", s.Window), l)
	}
	if n := len(s.Throughput); n > 0 {
		// At most about 300 steps: long runs are drawn in wider bins.
		k := (n + 299) / 300
		xys := make(plotter.XYs, 0, n/k+2)
		var last float64
		for i := 0; i < n; i += k {
			j := min(i+k, n) - 1
			var hashes int64
			for _, b := range s.Throughput[i : j+1] {
				hashes += b.Hashes
			}
			a, b := s.Throughput[i].Start, s.Throughput[j].End
			last = float64(hashes) / (b - a)
			xys = append(xys, plotter.XY{X: a, Y: last})
			max = math.Max(max, last)
		}
		xys = append(xys, plotter.XY{X: s.Throughput[n-1].End, Y: last})
		l := line(xys, 1, vg.Points(1.5), true)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("true throughput: hashes computed per %gs", s.Bin*float64(k)), l)
	}
	w, h := 9*vg.Inch, 4.5*vg.Inch
	free := addMarks(p, run, w, h)
	p.Y.Min, p.Y.Max = 0, linearTop(max, free)
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), vg.Points(4)
	return chart{name: "throughput", title: "Mining speed", panels: []*plot.Plot{p}, w: w, h: h}, nil
}

var quantiles = []struct {
	name string
	get  func(metrics.Latency) float64
}{
	{"p50", func(l metrics.Latency) float64 { return l.P50 }},
	{"p90", func(l metrics.Latency) float64 { return l.P90 }},
	{"p99", func(l metrics.Latency) float64 { return l.P99 }},
	{"p99.9", func(l metrics.Latency) float64 { return l.P999 }},
	{"max", func(l metrics.Latency) float64 { return l.Max }},
}

// latencyChart is a Service's latency percentiles per window, on a log scale
// when they span more than a decade, with its error rate as a second panel
// when it had errors.
func latencyChart(run Run, svc metrics.ServiceSeries) (chart, bool) {
	s := run.Series
	lo, hi := math.Inf(1), 0.0
	for _, w := range svc.Windows {
		if w.Requests-w.Errors > 0 {
			for _, q := range quantiles {
				v := q.get(w.LatencyMs)
				if v > 0 {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
	}
	if hi == 0 {
		return chart{}, false
	}
	p := newPlot(fmt.Sprintf("%s: latency of Service %s (per %gs window)", run.title(), svc.Name, s.Window),
		"simulated time (s)", "latency (ms)")
	timeAxis(p, s.End)
	logY := hi/lo > 10
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Y.Min, p.Y.Max = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi*1.05)))
		p.Y.Label.Text = "latency (ms, log scale)"
	} else {
		p.Y.Min, p.Y.Max = 0, hi*1.25
	}
	// Drawn from max down to p50, each thinner than the last, so that equal
	// percentiles show as nested bands rather than hiding each other.
	for qi := len(quantiles) - 1; qi >= 0; qi-- {
		q := quantiles[qi]
		width := vg.Points(1.5 + 0.9*float64(qi))
		// A window without successful requests breaks the line.
		var xys plotter.XYs
		flush := func() {
			if len(xys) > 0 {
				l := line(xys, qi, width, true)
				p.Add(l)
				xys = nil
			}
		}
		for _, w := range svc.Windows {
			v := q.get(w.LatencyMs)
			if w.Requests-w.Errors == 0 || v <= 0 {
				flush()
				continue
			}
			if len(xys) > 0 && xys[len(xys)-1].X == w.Start {
				xys = xys[:len(xys)-1] // replaced by the step's left point
			}
			xys = append(xys, plotter.XY{X: w.Start, Y: v}, plotter.XY{X: w.End, Y: v})
		}
		flush()
	}
	for qi, q := range quantiles {
		p.Legend.Add(q.name, line(nil, qi, vg.Points(1.5+0.9*float64(qi)), false))
	}
	if free := addMarks(p, run, 9*vg.Inch, 4*vg.Inch); logY {
		p.Y.Max = logTop(p.Y.Min, hi, free)
	} else {
		p.Y.Max = linearTop(hi, free)
	}
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), vg.Points(4)
	return chart{name: "latency_" + fileSafe(svc.Name), title: "Latency of " + svc.Name,
		panels: []*plot.Plot{p}, w: 9 * vg.Inch, h: 4 * vg.Inch}, true
}

// cdfChart is every Service's whole-run latency CDF, on a log time axis.
func cdfChart(run Run) (chart, bool) {
	p := newPlot(run.title()+": latency CDF per Service (whole run)", "latency (ms, log scale)", "fraction of successful requests ≤ latency")
	lo, hi := math.Inf(1), 0.0
	n := 0
	for i, svc := range run.Series.Services {
		if len(svc.CDF) == 0 {
			continue
		}
		xys := make(plotter.XYs, 0, len(svc.CDF))
		for _, c := range svc.CDF {
			ms := math.Max(c.Ms, 0.001)
			xys = append(xys, plotter.XY{X: ms, Y: c.Fraction})
			lo, hi = math.Min(lo, ms), math.Max(hi, ms)
		}
		l := line(xys, i, vg.Points(2), false)
		l.StepStyle = plotter.PreStep
		p.Add(l)
		p.Legend.Add(svc.Name, l)
		n++
	}
	if n == 0 {
		return chart{}, false
	}
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.X.Min, p.X.Max = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi*1.05)))
	p.Y.Min, p.Y.Max = 0, 1.02
	p.Legend.Top, p.Legend.Left = false, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(6), vg.Points(20)
	return chart{name: "latency_cdf", title: "Latency CDFs", panels: []*plot.Plot{p}, w: 9 * vg.Inch, h: 4 * vg.Inch}, true
}

// maxLegend is how many named lines a legend lists; the rest are drawn unnamed.
const maxLegend = 12

// podLoadChart shows the load of each pod serving one app (rng, hasher, redis):
// requests served per pod, utilisation and queue length per window. Uneven
// random balancing shows as unequal bars and lines.
func podLoadChart(run Run, app string) (chart, bool) {
	s := run.Series
	var pods []metrics.PodSeries
	for _, p := range s.Pods {
		if p.Summary.App == app && len(p.Bins) > 0 {
			pods = append(pods, p)
		}
	}
	if len(pods) == 0 {
		return chart{}, false
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })

	// Panel 1: requests served per second of each pod's life, one bar per pod
	// in the colour of its lines below (the bars are the legend).
	bars := newPlot(fmt.Sprintf("%s: load per %s pod", run.title(), app),
		"requests served per second of the pod's life (total served in brackets)", "")
	names := make([]string, len(pods))
	max := 0.0
	for i, p := range pods {
		pos := len(pods) - 1 - i // first pod on top
		names[pos] = fmt.Sprintf("%s (%s)  [%d]", p.Name, p.Summary.Node, p.Summary.Served)
		vals := make(plotter.Values, len(pods))
		if p.Summary.LifeSeconds > 0 {
			vals[pos] = float64(p.Summary.Served) / p.Summary.LifeSeconds
		}
		max = math.Max(max, vals[pos])
		bc, err := plotter.NewBarChart(vals, vg.Points(14))
		if err != nil {
			return chart{}, false
		}
		bc.Horizontal = true
		bc.Color = colour(i)
		bc.LineStyle.Width = 0
		bars.Add(bc)
	}
	bars.NominalY(names...)
	bars.X.Min = 0
	bars.X.Tick.Marker = niceTicks{n: 10, minor: 2}
	bars.X.Max = math.Max(1, max*1.1)
	bars.Y.Tick.Label.Font.Size = 9
	bars.Legend = plot.NewLegend()

	// Panels 2 and 3: utilisation and queue per window, one line per pod.
	util := newPlot(fmt.Sprintf("utilisation per %s pod (busy slot-time / slots, per %gs window; colours as above)", app, s.Window), "simulated time (s)", "utilisation")
	queue := newPlot(fmt.Sprintf("requests waiting per %s pod (time-weighted mean per %gs window; colours as above)", app, s.Window), "simulated time (s)", "queue length")
	for _, p := range []*plot.Plot{util, queue} {
		timeAxis(p, s.End)
	}
	util.Y.Min, util.Y.Max = 0, 1.05
	qmax := 0.0
	for i, p := range pods {
		u, q := windowed(p.Bins, s.Window, s.End)
		for _, v := range q {
			qmax = math.Max(qmax, v.Y)
		}
		lu, lq := line(u, i, vg.Points(1.5), true), line(q, i, vg.Points(1.5), true)
		util.Add(lu)
		queue.Add(lq)
	}
	util.Y.Max = linearTop(1, addMarks(util, run, 9*vg.Inch, 3.2*vg.Inch))
	queue.Y.Min, queue.Y.Max = 0, math.Max(1, qmax*1.15)
	h := vg.Length(1.2+0.25*float64(len(pods)))*vg.Inch + 2*3.2*vg.Inch
	return chart{name: "load_" + fileSafe(app), title: "Load per " + app + " pod",
		panels: []*plot.Plot{bars, util, queue}, w: 9 * vg.Inch, h: h}, true
}

// windowed averages a pod's bins over windows (over the part of each window
// the pod's bins cover): utilisation and mean queue as step lines.
func windowed(bins []metrics.PodBin, window, end float64) (plotter.XYs, plotter.XYs) {
	var u, q plotter.XYs
	lastEnd := 0.0
	for a := 0.0; a < end-1e-9; a += window {
		b := math.Min(a+window, end)
		var busy, area, span float64
		for _, bin := range bins {
			ov := math.Min(bin.End, b) - math.Max(bin.Start, a)
			if ov <= 0 {
				continue
			}
			busy += bin.Utilisation * ov
			area += bin.MeanQueue * ov
			span += ov
		}
		if span == 0 {
			continue
		}
		// Over the part of the window the pod existed.
		u = append(u, plotter.XY{X: a, Y: busy / span})
		q = append(q, plotter.XY{X: a, Y: area / span})
		lastEnd = b
	}
	// Close the last step.
	if n := len(u); n > 0 {
		u = append(u, plotter.XY{X: lastEnd, Y: u[n-1].Y})
		q = append(q, plotter.XY{X: lastEnd, Y: q[n-1].Y})
	}
	return u, q
}

// stepsChart draws named step functions (pods per node, ready endpoints).
func stepsChart(run Run, name, title, ylabel string, series []metrics.NamedSteps) (chart, bool) {
	if len(series) == 0 {
		return chart{}, false
	}
	s := run.Series
	p := newPlot(run.title()+": "+title, "simulated time (s)", ylabel)
	if len(series) > 1 {
		p.Title.Text += " (equal counts drawn slightly apart)"
	}
	timeAxis(p, s.End)
	max := 0.0
	for i, ns := range series {
		xys := make(plotter.XYs, 0, len(ns.Points)+1)
		for _, pt := range ns.Points {
			xys = append(xys, plotter.XY{X: pt.T, Y: pt.V})
			max = math.Max(max, pt.V)
		}
		if len(xys) > 0 {
			xys = append(xys, plotter.XY{X: s.End, Y: xys[len(xys)-1].Y})
		}
		// Offset lines a little so that equal counts stay distinguishable.
		off := (float64(i) - float64(len(series)-1)/2) * 0.07
		for j := range xys {
			xys[j].Y += off
		}
		l := line(xys, i, vg.Points(2), true)
		p.Add(l)
		if i < maxLegend {
			p.Legend.Add(ns.Name, l)
		}
	}
	// Below 0, so that lines at 0 (drawn slightly apart) stay visible.
	p.Y.Min, p.Y.Max = -0.3, linearTop(max+0.5, addMarks(p, run, 9*vg.Inch, 3.6*vg.Inch))
	p.Y.Tick.Marker = integerTicks{}
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), vg.Points(4)
	return chart{name: name, title: title, panels: []*plot.Plot{p}, w: 9 * vg.Inch, h: 3.6 * vg.Inch}, true
}

// integerTicks marks whole numbers only (counts of pods and endpoints).
type integerTicks struct{}

func (integerTicks) Ticks(min, max float64) []plot.Tick {
	step := 1.0
	for (max-min)/step > 10 {
		step *= 2
	}
	var ts []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max; v += step {
		if v == 0 {
			v = 0 // not -0
		}
		ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
	}
	return ts
}

// fileSafe turns a name into a file-name fragment.
func fileSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// charts builds every chart of the run, in the report's order.
func charts(run Run) ([]chart, error) {
	var out []chart
	c, err := throughputChart(run)
	if err != nil {
		return nil, err
	}
	out = append(out, c)
	for _, svc := range run.Series.Services {
		if c, ok := latencyChart(run, svc); ok {
			out = append(out, c)
		}
	}
	if c, ok := cdfChart(run); ok {
		out = append(out, c)
	}
	for _, app := range []string{"rng", "hasher", "redis"} {
		// rng's load is always shown (its single thread is DockerCoins'
		// bottleneck); the others' only when there is a balance to see.
		if app != "rng" && servingPods(run.Series, app) < 2 {
			continue
		}
		if c, ok := podLoadChart(run, app); ok {
			out = append(out, c)
		}
	}
	if c, ok := stepsChart(run, "endpoints", "Ready endpoints per Service", "ready endpoints", run.Series.Endpoints); ok {
		out = append(out, c)
	}
	if c, ok := stepsChart(run, "pods_per_node", "Pods per node", "pods", run.Series.NodePods); ok {
		out = append(out, c)
	}
	return out, nil
}

func servingPods(s *metrics.Series, app string) int {
	n := 0
	for _, p := range s.Pods {
		if p.Summary.App == app && p.Summary.Slots > 0 {
			n++
		}
	}
	return n
}

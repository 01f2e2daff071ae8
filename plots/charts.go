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

// dashes are the line styles of the palette's second and later rounds.
var dashes = [][]vg.Length{{vg.Points(6), vg.Points(3)}, {vg.Points(1.5), vg.Points(2)}, {vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)}}

var grey = color.RGBA{0x70, 0x70, 0x70, 0xff}

// chart is one figure: one plot or a column of panels sharing a width.
type chart struct {
	name   string // file name without extension
	title  string // for the report
	panels []*plot.Plot
	w, h   vg.Length // h without the legend
	topH   vg.Length // of the first panel, when there are several
	legend legend    // drawn below the panels
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
	if i >= len(palette) {
		// The palette's colours again: dashed (then dotted), so that no two
		// lines of a chart (and its legend) look the same.
		l.Dashes = dashes[(i/len(palette)-1)%len(dashes)]
	}
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

// logRange is a log axis's span for data from lo to hi (both > 0): from the
// largest 1, 2 or 5 times a power of ten at or below lo to the smallest at or
// above hi with a 5% margin, so that data from 0.08 to 2,200 ms take 0.05 to
// 5,000 rather than whole decades, 0.01 to 10,000.
func logRange(lo, hi float64) (float64, float64) {
	step := func(x float64, up bool) float64 {
		p := math.Pow(10, math.Floor(math.Log10(x)))
		ms := []float64{1, 2, 5, 10}
		if up {
			for _, m := range ms {
				if p*m >= x*(1-1e-9) {
					return p * m
				}
			}
		}
		for i := len(ms) - 1; i >= 0; i-- {
			if p*ms[i] <= x*(1+1e-9) {
				return p * ms[i]
			}
		}
		return p
	}
	return step(lo, false), step(hi*1.05, true)
}

// logTicks marks a log axis at 1-9 times each power of ten: labelled at the
// powers of ten, and within 3 decades at 2 and 5 times them too (0.2, 0.5, 1,
// 2, 5, 10), so that an axis spanning less than a decade or two still reads;
// every mark is labelled when fewer than two would be.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max > min) {
		return plot.LogTicks{Prec: -1}.Ticks(min, max)
	}
	lo, hi := math.Floor(math.Log10(min)), math.Ceil(math.Log10(max))
	var out []plot.Tick
	labelled := 0
	for e := lo; e <= hi; e++ {
		for m := 1; m <= 9; m++ {
			v, _ := strconv.ParseFloat(strconv.Itoa(m)+"e"+strconv.Itoa(int(e)), 64)
			if v < min*(1-1e-9) || v > max*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || hi-lo <= 3 && (m == 2 || m == 5) {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
				labelled++
			}
			out = append(out, t)
		}
	}
	if labelled < 2 {
		for i := range out {
			out[i].Label = strconv.FormatFloat(out[i].Value, 'g', -1, 64)
		}
	}
	return out
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
		if v == 0 {
			v = 0 // not -0
		}
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
func groupSteps(all []Step) []markGroup {
	// A result that arrives later (httping's, ab's report, the rest of a
	// drain) is not a step of its own: its command is marked where it ran.
	steps := make([]Step, 0, len(all))
	for _, st := range all {
		if !st.Later {
			steps = append(steps, st)
		}
	}
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

// reserve lays the labels out for a chart of width w over (0, end) and makes
// room for their rows between p's title and its data area, so that they
// never cover the data.
func (m *marks) reserve(p *plot.Plot, w vg.Length, end float64) {
	if len(m.groups) == 0 || end <= 0 {
		return
	}
	// The data area is about the chart less the y axis and margins; a
	// narrower estimate errs on the side of more rows.
	areaW := w - vg.Points(90)
	xs := make([]vg.Length, len(m.groups))
	for i, g := range m.groups {
		xs[i] = vg.Length(g.t/end) * areaW
	}
	_, _, n := m.layout(xs, 0, areaW, maxMarkRows)
	m.rows = n
	p.Title.Padding += vg.Length(n)*m.rowHeight() + vg.Points(4)
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
		maxRows = 1
	}
	tx, rows, _ := m.layout(xs, c.Min.X, c.Max.X, maxRows)
	lh := m.rowHeight()
	tick := draw.LineStyle{Color: grey, Width: vg.Points(0.8)}
	for i, g := range m.groups {
		// Rows stack upwards from the top of the data area, in the room
		// reserve made under the title: row 0 is the highest.
		y := c.Max.Y + vg.Points(2) + vg.Length(maxRows-rows[i])*lh
		c.StrokeLine2(tick, xs[i], c.Max.Y, xs[i], y-lh/2)
		c.FillText(m.style, vg.Point{X: tx[i], Y: y}, g.label)
	}
}

// addMarks draws the run's timeline on p, a chart of width w: dashed lines in
// the data area, labels above it. It returns the height the labels take, for
// the chart to grow by as much.
func addMarks(p *plot.Plot, run Run, w vg.Length) vg.Length {
	if len(run.Timeline) == 0 {
		return 0
	}
	m := newMarks(run.Timeline)
	p.Add(m)
	before := p.Title.Padding
	m.reserve(p, w, run.Series.End)
	return p.Title.Padding - before
}

// linearTop is the top of a linear axis from 0 that shows dataMax with a
// margin.
func linearTop(dataMax float64) float64 {
	if dataMax <= 0 {
		dataMax = 1
	}
	return dataMax * 1.06
}

// chartW is the width of every run chart.
const chartW = 9 * vg.Inch

// workloadChart is a chart a workload describes (metrics.Chart) over
// simulated time, with the timeline steps.
func workloadChart(run Run, c metrics.Chart) chart {
	s := run.Series
	p := newPlot(run.title()+": "+strings.ToLower(c.Title), "simulated time (s)", c.YLabel)
	timeAxis(p, s.End)
	var lg legend
	top := 0.0
	for _, ln := range c.Lines {
		var xys plotter.XYs
		var segs []plotter.XYs
		label := ln.Label
		switch {
		case len(ln.Points) > 0:
			segs = pointSegments(ln.Points, ln.Gap)
		case len(ln.Steps) > 0 && ln.Counts:
			// At most about 300 steps: long runs are drawn in wider steps.
			n := len(ln.Steps)
			k := (n + 299) / 300
			xys = make(plotter.XYs, 0, n/k+2)
			var last float64
			for i := 0; i < n; i += k {
				j := min(i+k, n) - 1
				var count float64
				for _, b := range ln.Steps[i : j+1] {
					count += b.V
				}
				a, b := ln.Steps[i].Start, ln.Steps[j].End
				last = count / (b - a)
				xys = append(xys, plotter.XY{X: a, Y: last})
			}
			xys = append(xys, plotter.XY{X: ln.Steps[n-1].End, Y: last})
			label = fmt.Sprintf("%s per %gs", label, s.Bin*float64(k))
		case len(ln.Steps) > 0:
			xys = make(plotter.XYs, 0, len(ln.Steps)+1)
			for _, st := range ln.Steps {
				xys = append(xys, plotter.XY{X: st.Start, Y: st.V})
			}
			last := ln.Steps[len(ln.Steps)-1]
			xys = append(xys, plotter.XY{X: last.End, Y: last.V})
		default:
			continue
		}
		if segs == nil {
			segs = []plotter.XYs{xys}
		}
		var first *plotter.Line
		for _, xys := range segs {
			for _, xy := range xys {
				top = math.Max(top, xy.Y)
			}
			l := line(xys, ln.Colour, vg.Points(ln.Width), len(ln.Steps) > 0)
			if ln.Faint {
				c := palette[ln.Colour%len(palette)]
				l.Color = color.NRGBA{c.R, c.G, c.B, 0x90}
			}
			p.Add(l)
			if first == nil {
				first = l
			}
		}
		lg.add(label, first)
	}
	extra := addMarks(p, run, chartW)
	p.Y.Min, p.Y.Max = 0, linearTop(top)
	return chart{name: c.Name, title: c.Title, panels: []*plot.Plot{p}, w: chartW, h: 4*vg.Inch + extra, legend: lg}
}

// pointSegments are the lines through points: one, or with gap > 0 a new
// one wherever two points are more than gap seconds apart (nothing was
// measured between them: the line does not pretend to know).
func pointSegments(points []metrics.Point, gap float64) []plotter.XYs {
	var out []plotter.XYs
	cur := make(plotter.XYs, 0, len(points))
	for i, v := range points {
		if i > 0 && gap > 0 && v.T-points[i-1].T > gap {
			out = append(out, cur)
			cur = cur[len(cur):]
		}
		cur = append(cur, plotter.XY{X: v.T, Y: v.V})
	}
	return append(out, cur)
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
// when they span more than a decade. Percentiles equal in every window are
// one line, named by all of them ("p99.9 = max").
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
		p.Y.Tick.Marker = logTicks{}
		p.Y.Min, p.Y.Max = logRange(lo, hi)
		p.Y.Label.Text = "latency (ms, log scale)"
	} else {
		p.Y.Min, p.Y.Max = 0, linearTop(hi)
	}
	// Identical percentiles collapse into one line named by all of them.
	same := func(a, b int) bool {
		for _, w := range svc.Windows {
			if quantiles[a].get(w.LatencyMs) != quantiles[b].get(w.LatencyMs) {
				return false
			}
		}
		return true
	}
	var groups [][]int
	for qi := range quantiles {
		if n := len(groups); n > 0 && same(groups[n-1][0], qi) {
			groups[n-1] = append(groups[n-1], qi)
			continue
		}
		groups = append(groups, []int{qi})
	}
	var lg legend
	// Drawn from max down to p50, each thinner than the last, so that
	// percentiles equal in some windows show as nested bands rather than
	// hiding each other.
	for gi := len(groups) - 1; gi >= 0; gi-- {
		qi := groups[gi][0]
		q := quantiles[qi]
		width := vg.Points(1.5 + 0.9*float64(gi))
		// A window without successful requests breaks the line.
		var xys plotter.XYs
		flush := func() {
			if len(xys) > 0 {
				p.Add(line(xys, gi, width, true))
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
	for gi, g := range groups {
		var names []string
		for _, qi := range g {
			names = append(names, quantiles[qi].name)
		}
		lg.add(strings.Join(names, " = "), line(nil, gi, vg.Points(1.5+0.9*float64(gi)), false))
	}
	extra := addMarks(p, run, chartW)
	return chart{name: "latency_" + fileSafe(svc.Name), title: "Latency of " + svc.Name,
		panels: []*plot.Plot{p}, w: chartW, h: 3.6*vg.Inch + extra, legend: lg}, true
}

// cdfChart is every Service's whole-run latency CDF, on a log time axis.
func cdfChart(run Run) (chart, bool) {
	p := newPlot(run.title()+": latency CDF per Service (whole run)", "latency (ms, log scale)", "fraction of successful requests ≤ latency")
	lo, hi := math.Inf(1), 0.0
	var lg legend
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
		lg.add(svc.Name, l)
	}
	if len(lg) == 0 {
		return chart{}, false
	}
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks{}
	p.X.Min, p.X.Max = logRange(lo, hi)
	fractionAxis(&p.Y)
	return chart{name: "latency_cdf", title: "Latency CDFs", panels: []*plot.Plot{p}, w: chartW, h: 4 * vg.Inch, legend: lg}, true
}

// fractionAxis makes a an axis of a fraction: 0 to 1.
func fractionAxis(a *plot.Axis) {
	a.Min, a.Max = 0, 1
	a.Tick.Marker = niceTicks{n: 5, minor: 2}
}

// maxLegend is how many named lines a legend lists; the rest are drawn unnamed.
const maxLegend = 12

// maxLines is how many pods or nodes a chart draws as lines of their own;
// beyond it, a chart shows their distribution.
const maxLines = 8

// podLoadChart shows the load of the pods serving one app (a workload's
// service: DockerCoins' rng, a declared service): requests served per pod, utilisation and queue length per window.
// Up to maxLines pods each get a bar and lines of their own; more are shown
// as distributions (a histogram, percentile bands) with the busiest named.
func podLoadChart(run Run, app string) (chart, bool) {
	var pods []metrics.PodSeries
	for _, p := range run.Series.Pods {
		if p.Summary.App == app && len(p.Bins) > 0 {
			pods = append(pods, p)
		}
	}
	if len(pods) == 0 {
		return chart{}, false
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	if len(pods) > maxLines {
		return podLoadBands(run, app, pods), true
	}
	return podLoadLines(run, app, pods), true
}

// rate is requests served per second of the pod's life.
func rate(p metrics.PodSeries) float64 {
	if p.Summary.LifeSeconds <= 0 {
		return 0
	}
	return float64(p.Summary.Served) / p.Summary.LifeSeconds
}

// loadPanels are the utilisation and queue panels of a pod-load chart.
func loadPanels(run Run, app string) (util, queue *plot.Plot, extra vg.Length) {
	s := run.Series
	util = newPlot(fmt.Sprintf("utilisation per %s pod (busy slot-time / slots, per %gs window)", app, s.Window), "simulated time (s)", "utilisation")
	queue = newPlot(fmt.Sprintf("requests waiting per %s pod (time-weighted mean per %gs window)", app, s.Window), "simulated time (s)", "queue length")
	for _, p := range []*plot.Plot{util, queue} {
		timeAxis(p, s.End)
	}
	fractionAxis(&util.Y)
	// Both time panels grow by the labels' height, to stay of equal size.
	extra = 2 * addMarks(util, run, chartW)
	return util, queue, extra
}

func podLoadLines(run Run, app string, pods []metrics.PodSeries) chart {
	s := run.Series
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
		vals[pos] = rate(p)
		max = math.Max(max, vals[pos])
		bc, err := plotter.NewBarChart(vals, vg.Points(14))
		if err != nil {
			continue
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

	// Panels 2 and 3: utilisation and queue per window, one line per pod.
	util, queue, extra := loadPanels(run, app)
	util.Title.Text += "; colours as above"
	queue.Title.Text += "; colours as above"
	qmax := 0.0
	nw := windowCount(s)
	for i, p := range pods {
		u, q := windowed(p.Bins, s.Window, s.End, nw)
		ul, ql := stepXYs(u, s.Window, s.End), stepXYs(q, s.Window, s.End)
		for _, v := range q {
			if !math.IsNaN(v) {
				qmax = math.Max(qmax, v)
			}
		}
		for _, xys := range ul {
			util.Add(line(xys, i, vg.Points(1.5), true))
		}
		for _, xys := range ql {
			queue.Add(line(xys, i, vg.Points(1.5), true))
		}
	}
	queue.Y.Min, queue.Y.Max = 0, math.Max(1, qmax*1.15)
	topH := vg.Length(1.2+0.25*float64(len(pods))) * vg.Inch
	return chart{name: "load_" + fileSafe(app), title: "Load per " + app + " pod",
		panels: []*plot.Plot{bars, util, queue}, w: chartW, h: topH + 2*3*vg.Inch + extra, topH: topH}
}

// topPods is how many of the busiest pods a distribution chart names and
// draws as lines of their own.
const topPods = 3

// podLoadBands shows many pods' load as distributions: a histogram of the
// requests each served per second of its life, and per window the range,
// 10th-90th percentile band and median of their utilisation and queue, with
// the busiest pods drawn as lines of their own.
func podLoadBands(run Run, app string, pods []metrics.PodSeries) chart {
	s := run.Series
	rates := make([]float64, len(pods))
	for i, p := range pods {
		rates[i] = rate(p)
	}
	// The busiest pods by rate, ties by name.
	busiest := make([]int, len(pods))
	for i := range busiest {
		busiest[i] = i
	}
	sort.SliceStable(busiest, func(a, b int) bool { return rates[busiest[a]] > rates[busiest[b]] })
	busiest = busiest[:min(topPods, len(busiest))]
	sorted := append([]float64(nil), rates...)
	sort.Float64s(sorted)

	hist := newPlot(fmt.Sprintf("%s: load per %s pod (%d pods: min %s, median %s, max %s requests/s)", run.title(), app, len(pods),
		sig4(sorted[0]), sig4(quantile(sorted, 0.5)), sig4(sorted[len(sorted)-1])),
		"requests served per second of the pod's life", "pods")
	lo, hi := sorted[0], sorted[len(sorted)-1]
	step := niceStep((hi - lo) / 30)
	if step <= 0 {
		step = math.Max(math.Abs(hi)*0.05, 0.01)
	}
	first := math.Floor(lo/step) * step
	nb := int(math.Floor((hi-first)/step)) + 1
	bins := make([]plotter.HistogramBin, nb)
	for i := range bins {
		bins[i] = plotter.HistogramBin{Min: first + float64(i)*step, Max: first + float64(i+1)*step}
	}
	for _, r := range rates {
		i := min(max(int(math.Floor((r-first)/step)), 0), nb-1)
		bins[i].Weight++
	}
	ymax := 0.0
	for _, b := range bins {
		ymax = math.Max(ymax, b.Weight)
	}
	h := &plotter.Histogram{Bins: bins, Width: step, FillColor: bandDark,
		LineStyle: draw.LineStyle{Color: color.White, Width: vg.Points(0.5)}}
	hist.Add(h)
	hist.X.Min, hist.X.Max = first, first+float64(nb)*step
	hist.Y.Min, hist.Y.Max = 0, linearTop(ymax)
	hist.X.Tick.Marker = niceTicks{n: 10, minor: 2}

	util, queue, extra := loadPanels(run, app)
	nw := windowCount(s)
	us, qs := make([][]float64, len(pods)), make([][]float64, len(pods))
	for i, p := range pods {
		us[i], qs[i] = windowed(p.Bins, s.Window, s.End, nw)
	}
	var lg legend
	for pi, pl := range []*plot.Plot{util, queue} {
		vals := us
		if pi == 1 {
			vals = qs
		}
		b := bandsOf(vals, nw)
		top := b.add(pl, s.Window, s.End)
		for k, i := range busiest {
			for _, xys := range stepXYs(vals[i], s.Window, s.End) {
				pl.Add(line(xys, k+1, vg.Points(1.2), true))
			}
			for _, v := range vals[i] {
				if !math.IsNaN(v) {
					top = math.Max(top, v)
				}
			}
		}
		if pi == 1 {
			pl.Y.Min, pl.Y.Max = 0, math.Max(1, top*1.15)
		}
	}
	lg = bandLegend(fmt.Sprintf("all %d pods", len(pods)), "median")
	for k, i := range busiest {
		p := pods[i]
		lg.add(fmt.Sprintf("busiest #%d: %s (%s) %s requests/s", k+1, p.Name, p.Summary.Node, sig4(rates[i])),
			line(nil, k+1, vg.Points(1.2), false))
	}
	// The busiest pods are marked on the histogram too.
	for k, i := range busiest {
		l := line(plotter.XYs{{X: rates[i], Y: 0}, {X: rates[i], Y: hist.Y.Max}}, k+1, vg.Points(1.2), false)
		l.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
		hist.Add(l)
	}
	topH := 2.6 * vg.Inch
	return chart{name: "load_" + fileSafe(app), title: "Load per " + app + " pod",
		panels: []*plot.Plot{hist, util, queue}, w: chartW, h: topH + 2*3*vg.Inch + extra, topH: topH, legend: lg}
}

// windowCount is the number of summary windows of s.
func windowCount(s *metrics.Series) int {
	if s.Window <= 0 {
		return 0
	}
	return int(math.Ceil(s.End/s.Window - 1e-9))
}

// windowed averages a pod's bins over windows (over the part of each window
// the pod's bins cover): utilisation and mean queue per window, NaN for a
// window the pod's bins do not cover. It is linear in bins and windows.
func windowed(bins []metrics.PodBin, window, end float64, nw int) (u, q []float64) {
	u, q = make([]float64, nw), make([]float64, nw)
	span := make([]float64, nw)
	for _, bin := range bins {
		for w := max(int(bin.Start/window), 0); w < nw; w++ {
			a, b := float64(w)*window, math.Min(float64(w+1)*window, end)
			if a >= bin.End {
				break
			}
			ov := math.Min(bin.End, b) - math.Max(bin.Start, a)
			if ov <= 0 {
				continue
			}
			u[w] += bin.Utilisation * ov
			q[w] += bin.MeanQueue * ov
			span[w] += ov
		}
	}
	for w := range u {
		if span[w] == 0 {
			u[w], q[w] = math.NaN(), math.NaN()
			continue
		}
		u[w] /= span[w]
		q[w] /= span[w]
	}
	return u, q
}

// stepXYs turns values per window into step lines, one per run of windows
// with values (NaN breaks the line).
func stepXYs(v []float64, window, end float64) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for w, y := range v {
		if math.IsNaN(y) {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: float64(w) * window, Y: y})
		if w == len(v)-1 || math.IsNaN(v[w+1]) {
			cur = append(cur, plotter.XY{X: math.Min(float64(w+1)*window, end), Y: y})
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// quantile is the q-quantile of sorted values (nearest rank).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// niceStep is the smallest 1, 2, 2.5 or 5 times a power of ten >= x.
func niceStep(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if p*m >= x*(1-1e-9) {
			return p * m
		}
	}
	return 10 * p
}

var (
	bandLight = color.NRGBA{0x4e, 0x79, 0xa7, 0x38}
	bandDark  = color.NRGBA{0x4e, 0x79, 0xa7, 0x90}
	bandLine  = color.RGBA{0x1f, 0x3b, 0x5c, 0xff}
)

// bands is a distribution over intervals of time: at each of the points xs
// (left edges; the last interval ends at the next one or at end), the
// minimum, 10th and 90th percentile, median and maximum of the values there.
type bands struct {
	xs                     []float64
	min, p10, p50, p90, mx []float64 // NaN where no value
}

// bandsOf is the distribution per window of vals[i][w] over i (NaN: absent).
func bandsOf(vals [][]float64, nw int) bands {
	var b bands
	buf := make([]float64, 0, len(vals))
	for w := 0; w < nw; w++ {
		buf = buf[:0]
		for _, v := range vals {
			if !math.IsNaN(v[w]) {
				buf = append(buf, v[w])
			}
		}
		b.append(float64(w), buf)
	}
	return b
}

// append adds the distribution of vs (sorted in place) at x.
func (b *bands) append(x float64, vs []float64) {
	b.xs = append(b.xs, x)
	if len(vs) == 0 {
		nan := math.NaN()
		b.min, b.p10, b.p50, b.p90, b.mx = append(b.min, nan), append(b.p10, nan), append(b.p50, nan), append(b.p90, nan), append(b.mx, nan)
		return
	}
	sort.Float64s(vs)
	b.min = append(b.min, vs[0])
	b.p10 = append(b.p10, quantile(vs, 0.1))
	b.p50 = append(b.p50, quantile(vs, 0.5))
	b.p90 = append(b.p90, quantile(vs, 0.9))
	b.mx = append(b.mx, vs[len(vs)-1])
}

// add draws the bands as steps on p, xs being window indices of the given
// width, and returns the largest value drawn.
func (b bands) add(p *plot.Plot, window, end float64) float64 {
	at := func(i int) (float64, float64) {
		x1 := end
		if i+1 < len(b.xs) {
			x1 = b.xs[i+1] * window
		}
		return b.xs[i] * window, math.Min(x1, end)
	}
	return b.draw(p, at)
}

// draw draws the bands with at giving interval i's bounds.
func (b bands) draw(p *plot.Plot, at func(int) (float64, float64)) float64 {
	top := 0.0
	band := func(lo, hi []float64, c color.Color) {
		for i := 0; i < len(b.xs); {
			if math.IsNaN(lo[i]) {
				i++
				continue
			}
			j := i
			for j < len(b.xs) && !math.IsNaN(lo[j]) {
				j++
			}
			var poly plotter.XYs
			for k := i; k < j; k++ {
				x0, x1 := at(k)
				poly = append(poly, plotter.XY{X: x0, Y: hi[k]}, plotter.XY{X: x1, Y: hi[k]})
				top = math.Max(top, hi[k])
			}
			for k := j - 1; k >= i; k-- {
				x0, x1 := at(k)
				poly = append(poly, plotter.XY{X: x1, Y: lo[k]}, plotter.XY{X: x0, Y: lo[k]})
			}
			if pg, err := plotter.NewPolygon(poly); err == nil {
				pg.Color = c
				pg.LineStyle.Width = 0
				p.Add(pg)
			}
			i = j
		}
	}
	band(b.min, b.mx, bandLight)
	band(b.p10, b.p90, bandDark)
	var cur plotter.XYs
	for k := range b.xs {
		if math.IsNaN(b.p50[k]) {
			if len(cur) > 0 {
				p.Add(medianLine(cur))
				cur = nil
			}
			continue
		}
		x0, x1 := at(k)
		cur = append(cur, plotter.XY{X: x0, Y: b.p50[k]}, plotter.XY{X: x1, Y: b.p50[k]})
	}
	if len(cur) > 0 {
		p.Add(medianLine(cur))
	}
	return top
}

func medianLine(xys plotter.XYs) *plotter.Line {
	return &plotter.Line{XYs: xys, LineStyle: draw.LineStyle{Color: bandLine, Width: vg.Points(1.8)}}
}

// bandLegend names the bands of a distribution of what.
func bandLegend(what, median string) legend {
	swatch := func(c color.Color) plot.Thumbnailer {
		pg, _ := plotter.NewPolygon(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}})
		pg.Color = c
		pg.LineStyle.Width = 0
		return pg
	}
	var lg legend
	lg.add(what+": min–max", swatch(bandLight))
	lg.add("10th–90th percentile", swatch(bandLight), swatch(bandDark))
	lg.add(median, medianLine(nil))
	return lg
}

// stepGroup is a step function shared by one or more names.
type stepGroup struct {
	names  []string
	idx    []int // of the names' series
	points []metrics.Point
}

// collapse merges identical step functions, in the order of their first name.
func collapse(series []metrics.NamedSteps) []stepGroup {
	var out []stepGroup
	byKey := map[string]int{}
	var key []byte
	for si, ns := range series {
		key = key[:0]
		for _, p := range ns.Points {
			key = strconv.AppendFloat(key, p.T, 'g', -1, 64)
			key = append(key, ':')
			key = strconv.AppendFloat(key, p.V, 'g', -1, 64)
			key = append(key, ' ')
		}
		if i, ok := byKey[string(key)]; ok {
			out[i].names = append(out[i].names, ns.Name)
			out[i].idx = append(out[i].idx, si)
			continue
		}
		byKey[string(key)] = len(out)
		out = append(out, stepGroup{names: []string{ns.Name}, idx: []int{si}, points: ns.Points})
	}
	return out
}

// groupLabel names a group: up to three names, then how many more.
func groupLabel(names []string) string {
	if len(names) <= 3 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s … (%d in all)", strings.Join(names[:3], ", "), len(names))
}

// stepsChart draws named step functions (pods per node, ready endpoints):
// identical ones as one line, and more than maxLines distinct ones as their
// distribution over time.
func stepsChart(run Run, name, title, ylabel, what string, series []metrics.NamedSteps) (chart, bool) {
	return stepsChartSpread(run, name, title, ylabel, what, series, 0.07)
}

// stepsChartSpread is stepsChart with equal lines drawn spread apart by
// spread (0: exactly at their values, for measurements rather than counts).
func stepsChartSpread(run Run, name, title, ylabel, what string, series []metrics.NamedSteps, spread float64) (chart, bool) {
	if len(series) == 0 {
		return chart{}, false
	}
	s := run.Series
	series = append([]metrics.NamedSteps(nil), series...)
	sort.SliceStable(series, func(i, j int) bool { return natLess(series[i].Name, series[j].Name) })
	groups := collapse(series)
	p := newPlot(run.title()+": "+title, "simulated time (s)", ylabel)
	timeAxis(p, s.End)
	var lg legend
	max := 0.0
	lines := groups
	if len(groups) > maxLines {
		// The series furthest from the median as lines, the rest as their
		// distribution.
		var rest []metrics.NamedSteps
		lines, rest = furthest(groups, series, s.End, topLines)
		b := stepBands(rest, s.End, bandSamples)
		at := func(i int) (float64, float64) {
			if i+1 < len(b.xs) {
				return b.xs[i], b.xs[i+1]
			}
			return b.xs[i], s.End
		}
		max = b.draw(p, at)
		if len(lines) == 0 {
			p.Title.Text = fmt.Sprintf("%s: %s (distribution over %d %s)", run.title(), title, len(series), what)
			lg = bandLegend(fmt.Sprintf("%d %s", len(series), what), "median")
		} else {
			apart := ""
			if spread > 0 {
				apart = ", drawn slightly apart"
			}
			p.Title.Text = fmt.Sprintf("%s: %s (%d %s; lines: the %d furthest from the median%s)", run.title(), title, len(series), what, len(lines), apart)
			lg = bandLegend(fmt.Sprintf("the other %d %s", len(rest), what), fmt.Sprintf("median of the other %d", len(rest)))
		}
	} else if len(groups) > 1 && spread > 0 {
		p.Title.Text += " (equal counts drawn slightly apart)"
	}
	var lineLg legend
	for i, g := range lines {
		// Offset lines a little so that equal counts stay distinguishable
		// (beside a distribution, none on its median: +1, -1, +2, ...).
		off := (float64(i) - float64(len(lines)-1)/2) * spread
		if len(lines) < len(groups) {
			off = float64(i/2+1) * spread
			if i%2 == 1 {
				off = -off
			}
		}
		var first *plotter.Line
		for _, xys := range stepSegments(g.points, s.End) {
			for j := range xys {
				max = math.Max(max, xys[j].Y)
				xys[j].Y += off
			}
			l := line(xys, i, vg.Points(2), true)
			p.Add(l)
			if first == nil {
				first = l
			}
		}
		if first != nil {
			lineLg.add(groupLabel(g.names), first)
		}
	}
	lg = append(lineLg, lg...)
	extra := addMarks(p, run, chartW)
	if spread > 0 {
		// Counts: whole numbers, from below 0, so that lines at 0 (drawn
		// slightly apart) stay visible.
		p.Y.Min, p.Y.Max = -0.3, linearTop(max+0.5)
		p.Y.Tick.Marker = integerTicks{}
	} else {
		// Measurements (cores, percent): newPlot's round ticks, so that
		// 0.25 cores reads as such, from just below 0.
		p.Y.Max = linearTop(max)
		p.Y.Min = -0.02 * p.Y.Max
	}
	return chart{name: name, title: title, panels: []*plot.Plot{p}, w: chartW, h: 3.2*vg.Inch + extra, legend: lg}, true
}

// topLines is how many series a chart of more than maxLines distinct series
// draws as lines beside the distribution of the others.
const topLines = 5

// bandSamples is how many instants a distribution of step functions is
// taken at.
const bandSamples = 600

// furthest picks, of more than maxLines groups of step functions (series
// being all their members), at most k to draw as lines: those furthest from
// the median of all series, the distance being the mean of |value - median|
// over the bandSamples instants of stepBands where the group has a value (so
// that a pod's length of life does not decide, in a chart of noisy
// measurements); ties
// in natural order of the first name; a group at the median throughout is not
// picked. The lines come furthest first; rest is every series of the other
// groups.
func furthest(groups []stepGroup, series []metrics.NamedSteps, end float64, k int) (lines []stepGroup, rest []metrics.NamedSteps) {
	med := stepBands(series, end, bandSamples).p50
	type ranked struct {
		i    int
		dist float64
	}
	rs := make([]ranked, len(groups))
	for i, g := range groups {
		rs[i].i = i
		one := stepBands([]metrics.NamedSteps{{Points: g.points}}, end, bandSamples).p50
		n := 0
		for j, v := range one {
			if !math.IsNaN(v) && !math.IsNaN(med[j]) {
				rs[i].dist += math.Abs(v - med[j])
				n++
			}
		}
		if n > 0 {
			rs[i].dist /= float64(n)
		}
	}
	sort.SliceStable(rs, func(a, b int) bool {
		if rs[a].dist != rs[b].dist {
			return rs[a].dist > rs[b].dist
		}
		return natLess(groups[rs[a].i].names[0], groups[rs[b].i].names[0])
	})
	picked := make([]bool, len(series))
	for _, r := range rs {
		if len(lines) == k || r.dist == 0 {
			break
		}
		lines = append(lines, groups[r.i])
		for _, si := range groups[r.i].idx {
			picked[si] = true
		}
	}
	for si, ns := range series {
		if !picked[si] {
			rest = append(rest, ns)
		}
	}
	return lines, rest
}

// stepSegments are the lines of a step function: a NaN value ends the line
// at its time (the pod or node is gone, or has no value), a later value starts
// a new one; the last value holds until end.
func stepSegments(points []metrics.Point, end float64) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for _, pt := range points {
		if math.IsNaN(pt.V) {
			if len(cur) > 0 {
				out = append(out, append(cur, plotter.XY{X: pt.T, Y: cur[len(cur)-1].Y}))
				cur = nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: pt.T, Y: pt.V})
	}
	if len(cur) > 0 {
		out = append(out, append(cur, plotter.XY{X: end, Y: cur[len(cur)-1].Y}))
	}
	return out
}

// stepBands is the distribution of the step functions at n instants evenly
// spread over (0, end), each series counting from its first point on and
// not while its value is NaN (gone).
func stepBands(series []metrics.NamedSteps, end float64, n int) bands {
	idx := make([]int, len(series)) // of the point in effect
	buf := make([]float64, 0, len(series))
	var b bands
	for k := 0; k < n; k++ {
		t := end * float64(k) / float64(n)
		buf = buf[:0]
		for i, ns := range series {
			for idx[i] < len(ns.Points) && ns.Points[idx[i]].T <= t {
				idx[i]++
			}
			if idx[i] > 0 && !math.IsNaN(ns.Points[idx[i]-1].V) {
				buf = append(buf, ns.Points[idx[i]-1].V)
			}
		}
		b.append(t, buf)
	}
	return b
}

// natLess orders names naturally: node2 before node10.
func natLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// integerTicks marks round whole numbers only (counts of pods and endpoints).
type integerTicks struct{}

func (integerTicks) Ticks(min, max float64) []plot.Tick {
	// 1, 2 or 5 times a power of ten, for at most 10 labels.
	step := 1.0
	for k := 0; (max-min)/step > 10; k++ {
		step = []float64{1, 2, 5}[k%3] * math.Pow(10, float64(k/3))
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
	for _, f := range run.Workloads {
		for _, c := range f.Charts {
			out = append(out, workloadChart(run, c))
		}
	}
	for _, svc := range run.Series.Services {
		if c, ok := latencyChart(run, svc); ok {
			out = append(out, c)
		}
	}
	if c, ok := cdfChart(run); ok {
		out = append(out, c)
	}
	for _, app := range loadApps(run.Series) {
		if c, ok := podLoadChart(run, app); ok {
			out = append(out, c)
		}
	}
	if c, ok := stepsChart(run, "endpoints", "Ready endpoints per Service", "ready endpoints", "Services", run.Series.Endpoints); ok {
		out = append(out, c)
	}
	if c, ok := stepsChart(run, "pods_per_node", "Pods per node", "pods", "nodes", markDeleted(run.Series.NodePods)); ok {
		out = append(out, c)
	}
	out = append(out, cpuCharts(run)...)
	if c, ok := autoscalingChart(run); ok {
		out = append(out, c)
	}
	return out, nil
}

// markDeleted names each node deleted by the end (its series ends with a NaN
// point: its line stops there) "NAME (deleted at T s)" for the legend.
func markDeleted(nodes []metrics.NamedSteps) []metrics.NamedSteps {
	out := nodes
	copied := false
	for i, ns := range nodes {
		if k := len(ns.Points); k > 0 && math.IsNaN(ns.Points[k-1].V) {
			if !copied {
				out, copied = append([]metrics.NamedSteps(nil), nodes...), true
			}
			out[i].Name = fmt.Sprintf("%s (deleted at %.0f s)", ns.Name, ns.Points[k-1].T)
		}
	}
	return out
}

// maxLoadCharts is how many apps get a load chart.
const maxLoadCharts = 8

// loadApps are the apps (what runs in the pods: a workload's service) whose
// load is charted, in name order: the busiest one (the highest utilisation of
// a serving pod over its life: the bottleneck), and every app with 2 or more
// serving pods (there is a balance to see); at most maxLoadCharts, the
// busiest first.
func loadApps(s *metrics.Series) []string {
	type appLoad struct {
		name string
		pods int
		peak float64
	}
	by := map[string]*appLoad{}
	var apps []*appLoad
	for _, p := range s.Pods {
		if p.Summary.Slots == 0 || p.Summary.App == "" || len(p.Bins) == 0 {
			continue
		}
		a := by[p.Summary.App]
		if a == nil {
			a = &appLoad{name: p.Summary.App}
			by[a.name] = a
			apps = append(apps, a)
		}
		a.pods++
		a.peak = math.Max(a.peak, p.Summary.Utilisation)
	}
	sort.Slice(apps, func(i, j int) bool {
		if apps[i].peak != apps[j].peak {
			return apps[i].peak > apps[j].peak
		}
		return apps[i].name < apps[j].name
	})
	var out []string
	for i, a := range apps {
		if (i == 0 || a.pods >= 2) && len(out) < maxLoadCharts {
			out = append(out, a.name)
		}
	}
	sort.Strings(out)
	return out
}

// autoscalingChart is the cluster autoscaler's chart: each node group's Ready
// nodes and the unschedulable pods over time.
func autoscalingChart(run Run) (chart, bool) {
	if len(run.NodeGroups) == 0 {
		return chart{}, false
	}
	series := append([]metrics.NamedSteps(nil), run.NodeGroups...)
	series = append(series, metrics.NamedSteps{Name: "pending pods", Points: run.PendingPods})
	return stepsChart(run, "autoscaling", "Nodes per node group and pending pods", "nodes, pods", "series", series)
}

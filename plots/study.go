package plots

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/scenarios/study"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// This file draws a capacity-planning study's table (study.Table): capacity
// curves (a metric against a numeric parameter, one line per combination of
// the other parameters, with the 95% confidence band), heat maps of two-
// parameter sweeps and, when no parameter is numeric, dot charts with error
// bars per point.

// studyParam is what the table says about one parameter path.
type studyParam struct {
	path    string
	values  []study.Value // distinct values set by some point, in order of first appearance
	numeric bool          // every value set is a number
	missing int           // points that do not set it
}

// varies reports whether the parameter takes more than one value over the
// points (not being set counts as a value).
func (sp studyParam) varies() bool {
	n := len(sp.values)
	if sp.missing > 0 {
		n++
	}
	return n > 1
}

// sortedValues are the values numerically ascending when numeric, otherwise
// in order of first appearance.
func (sp studyParam) sortedValues() []study.Value {
	vs := append([]study.Value(nil), sp.values...)
	if sp.numeric {
		sort.SliceStable(vs, func(i, j int) bool {
			a, _ := vs[i].Float()
			b, _ := vs[j].Float()
			return a < b
		})
	}
	return vs
}

// studyPoint is one point of the table with its rows by metric.
type studyPoint struct {
	index  int
	params study.Point
	rows   map[string]study.Row
}

// studyData is the table reorganised for drawing.
type studyData struct {
	t      *study.Table
	params []studyParam
	points []studyPoint
}

func analyse(t *study.Table) studyData {
	d := studyData{t: t}
	byIndex := map[int]int{}
	for _, r := range t.Rows {
		i, ok := byIndex[r.Point]
		if !ok {
			i = len(d.points)
			byIndex[r.Point] = i
			d.points = append(d.points, studyPoint{index: r.Point, params: r.Params, rows: map[string]study.Row{}})
		}
		d.points[i].rows[r.Metric] = r
	}
	for _, path := range t.Parameters {
		sp := studyParam{path: path, numeric: true}
		for _, p := range d.points {
			v, ok := p.params.Get(path)
			if !ok {
				sp.missing++
				continue
			}
			if v.Kind() != study.NumberValue {
				sp.numeric = false
			}
			seen := false
			for _, w := range sp.values {
				if w.Equal(v) {
					seen = true
					break
				}
			}
			if !seen {
				sp.values = append(sp.values, v)
			}
		}
		if len(sp.values) == 0 {
			sp.numeric = false
		}
		d.params = append(d.params, sp)
	}
	return d
}

func (d studyData) varying() []studyParam {
	var out []studyParam
	for _, p := range d.params {
		if p.varies() {
			out = append(out, p)
		}
	}
	return out
}

// xParam is the numeric parameter of the capacity curves' x axis: the varying
// numeric parameter with the most distinct values; ties go to the question's
// parameter, then to the one set by more points, then to the first path.
func (d studyData) xParam() (studyParam, bool) {
	best, found := studyParam{}, false
	q := ""
	if d.t.Question != nil {
		q = d.t.Question.Parameter
	}
	better := func(a, b studyParam) bool {
		if len(a.values) != len(b.values) {
			return len(a.values) > len(b.values)
		}
		if (a.path == q) != (b.path == q) {
			return a.path == q
		}
		return a.missing < b.missing
	}
	for _, p := range d.varying() {
		if !p.numeric || len(p.values) < 2 {
			continue
		}
		if !found || better(p, best) {
			best, found = p, true
		}
	}
	return best, found
}

// sub is the settings of the given paths in p ("" for a path p does not set).
func sub(p study.Point, paths []string) study.Point {
	var out study.Point
	for _, q := range p {
		for _, path := range paths {
			if q.Path == path {
				out = append(out, q)
			}
		}
	}
	return out
}

func valueKey(p study.Point, path string) string {
	v, ok := p.Get(path)
	if !ok {
		return "\x00unset"
	}
	return study.Point{{Path: path, Value: v}}.Key()
}

// lineParams are the parameters that tell the curves apart: the varying ones
// other than x, less those that follow x along a curve (with the others
// fixed, their value is a function of x, as the replicas in "replicas = nodes"
// points); those are listed as following.
func (d studyData) lineParams(x string) (keep, follow []string) {
	var cands []studyParam
	for _, p := range d.varying() {
		if p.path != x {
			keep = append(keep, p.path)
			cands = append(cands, p)
		}
	}
	// Numeric parameters with many values are the likeliest to follow x
	// (replicas = nodes); categorical ones (placement) are what lines compare.
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].numeric != cands[j].numeric {
			return cands[i].numeric
		}
		return len(cands[i].values) > len(cands[j].values)
	})
	for _, c := range cands {
		var rest []string
		for _, k := range keep {
			if k != c.path {
				rest = append(rest, k)
			}
		}
		seen := map[string]string{} // rest key + x value -> value of c
		function := true
		for _, pt := range d.points {
			k := sub(pt.params, rest).Key() + "\x01" + valueKey(pt.params, x)
			v := valueKey(pt.params, c.path)
			if w, ok := seen[k]; ok && w != v {
				function = false
				break
			}
			seen[k] = v
		}
		if function {
			follow = append(follow, c.path)
			keep = rest
		}
	}
	sort.Strings(follow)
	return keep, follow
}

// curve is one line of a capacity chart: the points of one combination of the
// line parameters, x ascending.
type curve struct {
	label  string
	given  study.Point
	points []studyPoint
	xs     []float64
}

func (d studyData) curves(x studyParam) []curve {
	keep, follow := d.lineParams(x.path)
	var out []curve
	byKey := map[string]int{}
	for _, pt := range d.points {
		xv, ok := pt.params.Get(x.path)
		if !ok {
			continue
		}
		xf, _ := xv.Float()
		given := sub(pt.params, keep)
		k := given.Key()
		// A point that does not set a line parameter is its own combination.
		for _, path := range keep {
			if _, ok := pt.params.Get(path); !ok {
				k += ";" + path + " unset"
			}
		}
		i, ok := byKey[k]
		if !ok {
			i = len(out)
			byKey[k] = i
			out = append(out, curve{given: given})
		}
		out[i].points = append(out[i].points, pt)
		out[i].xs = append(out[i].xs, xf)
	}
	for ci := range out {
		c := &out[ci]
		idx := make([]int, len(c.points))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return c.xs[idx[a]] < c.xs[idx[b]] })
		pts, xs := make([]studyPoint, len(idx)), make([]float64, len(idx))
		for i, j := range idx {
			pts[i], xs[i] = c.points[j], c.xs[j]
		}
		c.points, c.xs = pts, xs
		var parts []string
		for _, path := range keep {
			if v, ok := c.points[0].params.Get(path); ok {
				parts = append(parts, path+"="+v.String())
			} else {
				parts = append(parts, path+" unset")
			}
		}
		// Parameters that follow x: their values along the line.
		for _, path := range follow {
			var vals []string
			for _, pt := range c.points {
				if v, ok := pt.params.Get(path); ok {
					vals = append(vals, v.String())
				}
			}
			if len(vals) > 0 {
				parts = append(parts, path+": "+strings.Join(vals, ", "))
			}
		}
		c.label = strings.Join(parts, "; ")
		if c.label == "" {
			c.label = "mean"
		}
	}
	return out
}

// metricUnit guesses a metric's unit from its name: hashes_per_s is hashes/s,
// anything_ms or a latency_ms quantile is ms, anything_s is s, error rates,
// utilisation and rho are fractions, p_* a probability.
func metricUnit(m string) string {
	last := m
	if i := strings.LastIndexByte(m, '.'); i >= 0 {
		last = m[i+1:]
	}
	switch {
	case strings.HasSuffix(m, "_per_s"):
		thing := strings.TrimSuffix(last, "_per_s")
		return strings.ReplaceAll(thing, "_", " ") + "/s"
	case strings.Contains(m, "latency_ms") || strings.HasSuffix(m, "_ms"):
		return "ms"
	case strings.HasSuffix(m, "_s"):
		return "s"
	case strings.HasSuffix(m, "error_rate"), strings.HasSuffix(m, "_fraction"), last == "utilisation", last == "utilization", last == "rho":
		return "fraction"
	case strings.HasPrefix(last, "p_"):
		return "probability"
	}
	return ""
}

func metricLabel(m string) string {
	if u := metricUnit(m); u != "" {
		return m + " (" + u + ")"
	}
	return m
}

// sig4 formats a value for labels: 4 significant digits, without exponent
// between 0.001 and a million.
func sig4(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 0):
		return strconv.FormatFloat(x, 'g', -1, 64)
	case x == 0:
		return "0"
	case math.Abs(x) >= 1e6 || math.Abs(x) < 1e-3:
		return strconv.FormatFloat(x, 'g', 3, 64)
	}
	digits := 3 - int(math.Floor(math.Log10(math.Abs(x))))
	if digits < 0 {
		digits = 0
	}
	s := strconv.FormatFloat(x, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// sig2 is a half-width to 2 significant digits.
func sig2(x float64) string {
	if !finite(x) || x == 0 {
		return sig4(x)
	}
	if math.Abs(x) >= 1e6 || math.Abs(x) < 1e-3 {
		return strconv.FormatFloat(x, 'g', 2, 64)
	}
	digits := 1 - int(math.Floor(math.Log10(math.Abs(x))))
	if digits < 0 {
		p := math.Pow(10, float64(-digits))
		return strconv.FormatFloat(math.Round(x/p)*p, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'f', digits, 64)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// interval is the row's confidence interval, the mean alone when it has none
// (fewer than two replications).
func interval(r study.Row) (lo, hi float64) {
	lo, hi = r.Low, r.High
	if !finite(lo) || !finite(hi) {
		lo, hi = r.Mean, r.Mean
	}
	return lo, hi
}

// valueRange is an axis range showing [lo, hi] with a margin: from just below
// 0 (so that values at 0 are not drawn on the axis) when the values are
// non-negative and 0 is not far below them.
func valueRange(lo, hi float64) (float64, float64) {
	if !finite(lo) || !finite(hi) {
		return 0, 1
	}
	if hi == lo {
		d := math.Abs(hi) * 0.1
		if d == 0 {
			d = 1
		}
		if lo >= 0 && lo-d < 0 {
			return -0.02 * (hi + d), hi + d
		}
		return lo - d, hi + d
	}
	span := hi - lo
	if lo >= 0 && lo <= 0.6*hi {
		top := hi + 0.06*span
		return -0.02 * top, top
	}
	return lo - 0.08*span, hi + 0.06*span
}

// noMinusZero labels 0 as "0", never "-0", whatever the axis' minimum.
type noMinusZero struct{ plot.Ticker }

func (t noMinusZero) Ticks(min, max float64) []plot.Tick {
	ts := t.Ticker.Ticks(min, max)
	for i := range ts {
		if ts[i].Label == "-0" {
			ts[i].Label = "0"
		}
	}
	return ts
}

// fixedTicks labels exactly the given values (a parameter's values).
type fixedTicks []plot.Tick

func (t fixedTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, tk := range t {
		if tk.Value >= min-1e-9 && tk.Value <= max+1e-9 {
			out = append(out, tk)
		}
	}
	return out
}

// errBars draws confidence intervals as bars with caps, vertical (at x, from
// lo to hi in y) or horizontal.
type errBars struct {
	at, lo, hi []float64
	horizontal bool
	style      draw.LineStyle
	cap        vg.Length
}

func (e *errBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i := range e.at {
		if e.horizontal {
			y, x0, x1 := trY(e.at[i]), trX(e.lo[i]), trX(e.hi[i])
			c.StrokeLine2(e.style, x0, y, x1, y)
			c.StrokeLine2(e.style, x0, y-e.cap, x0, y+e.cap)
			c.StrokeLine2(e.style, x1, y-e.cap, x1, y+e.cap)
			continue
		}
		x, y0, y1 := trX(e.at[i]), trY(e.lo[i]), trY(e.hi[i])
		c.StrokeLine2(e.style, x, y0, x, y1)
		c.StrokeLine2(e.style, x-e.cap, y0, x+e.cap, y0)
		c.StrokeLine2(e.style, x-e.cap, y1, x+e.cap, y1)
	}
}

// Thumbnail draws the bar in a legend.
func (e *errBars) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	c.StrokeLine2(e.style, x, c.Min.Y, x, c.Max.Y)
}

// textMarks writes labels next to data points, on a white box.
type textMarks struct {
	xs, ys []float64
	labels []string
	style  draw.TextStyle
	dx, dy vg.Length
}

func (m *textMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, l := range m.labels {
		pt := vg.Point{X: trX(m.xs[i]) + m.dx, Y: trY(m.ys[i]) + m.dy}
		w, h := m.style.Width(l), m.style.Height(l)
		x0 := pt.X + vg.Length(m.style.XAlign)*w
		y0 := pt.Y + vg.Length(m.style.YAlign)*h
		c.FillPolygon(color.NRGBA{0xff, 0xff, 0xff, 0xe0}, []vg.Point{
			{X: x0 - 2, Y: y0 - 1}, {X: x0 + w + 2, Y: y0 - 1}, {X: x0 + w + 2, Y: y0 + h + 1}, {X: x0 - 2, Y: y0 + h + 1}})
		c.FillText(m.style, pt, l)
	}
}

func labelStyle(size vg.Length, col color.Color) draw.TextStyle {
	return draw.TextStyle{Color: col, Font: font.From(plot.DefaultFont, size), Handler: plot.DefaultTextHandler}
}

func bandColour(i int) color.Color {
	c := palette[i%len(palette)]
	return color.NRGBA{c.R, c.G, c.B, 0x40}
}

var dashed = []vg.Length{vg.Points(6), vg.Points(4)}

// theoryOf is, for a simulated metric, the metric of the table that is its
// value in theory: the M/M/c runner's formulas (wq_s and wait_s against
// wq_theory_s, p_wait against p_wait_theory, lq against lq_theory,
// utilisation against rho), or by name M_theory, or NAME_theory_UNIT for
// NAME_UNIT.
func (d studyData) theoryOf(metric string) (string, bool) {
	known := map[string]string{
		study.MetricWq: study.MetricWqTheory, study.MetricWait: study.MetricWqTheory,
		study.MetricPWait: study.MetricPWaitTheory, study.MetricLq: study.MetricLqTheory,
		study.MetricUtilisation: study.MetricRho,
	}
	cands := []string{metric + "_theory"}
	if t, ok := known[metric]; ok {
		cands = append([]string{t}, cands...)
	}
	for _, u := range []string{"_ms", "_s"} {
		if strings.HasSuffix(metric, u) {
			cands = append(cands, strings.TrimSuffix(metric, u)+"_theory"+u)
		}
	}
	for _, c := range cands {
		for _, m := range d.t.Metrics {
			if m == c && m != metric {
				return m, true
			}
		}
	}
	return "", false
}

// isTheory reports whether metric is the theory of another metric of the
// table: a validation study draws it over the simulated values, not alone.
func (d studyData) isTheory(metric string) bool {
	for _, m := range d.t.Metrics {
		if t, ok := d.theoryOf(m); ok && t == metric {
			return true
		}
	}
	return false
}

// verdict compares a simulated metric with its theory at every point: a point
// passes when the theory lies inside the simulated mean's 95% confidence
// interval. About 1 point in 20 misses by chance, so the study passes when
// the misses are as few as chance makes likely (probability at least 1% of
// as many or more misses with 5% each).
type verdict struct {
	n, misses int
	p         float64 // probability of at least misses by chance
}

func (v verdict) pass() bool { return v.p >= 0.01 }

func (v verdict) String() string {
	if v.n == 0 {
		return "no point to compare"
	}
	if v.pass() {
		if v.misses == 0 {
			return fmt.Sprintf("PASS: theory inside the 95%% CI at all %d points", v.n)
		}
		return fmt.Sprintf("PASS: theory inside the 95%% CI at %d of %d points (as many misses by chance: p = %.2g)", v.n-v.misses, v.n, v.p)
	}
	return fmt.Sprintf("FAIL: theory outside the 95%% CI at %d of %d points (by chance: p = %.2g)", v.misses, v.n, v.p)
}

func (d studyData) verdict(metric, theory string) verdict {
	var v verdict
	for _, pt := range d.points {
		r, ok1 := pt.rows[metric]
		t, ok2 := pt.rows[theory]
		if !ok1 || !ok2 || !finite(r.Mean) || !finite(t.Mean) {
			continue
		}
		v.n++
		lo, hi := interval(r)
		if t.Mean < lo || t.Mean > hi {
			v.misses++
		}
	}
	// P(X >= misses) for X ~ Binomial(n, 0.05).
	v.p = 1
	if v.misses > 0 {
		below := 0.0
		for k := 0; k < v.misses; k++ {
			below += binom(v.n, k) * math.Pow(0.05, float64(k)) * math.Pow(0.95, float64(v.n-k))
		}
		v.p = math.Max(0, 1-below)
	}
	return v
}

func binom(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// isFraction reports whether a metric's values lie in [0, 1].
func isFraction(metric string) bool {
	u := metricUnit(metric)
	return u == "fraction" || u == "probability"
}

// curveKey identifies a curve's drawn values, so that identical curves are
// drawn once.
func curveKey(c curve, metric string) string {
	var b strings.Builder
	for i, pt := range c.points {
		r, ok := pt.rows[metric]
		if !ok || !finite(r.Mean) {
			continue
		}
		l, h := interval(r)
		fmt.Fprintf(&b, "%v:%v:%v:%v;", c.xs[i], r.Mean, l, h)
	}
	return b.String()
}

// capacityChart is metric against x, one line per curve with its 95% band;
// identical curves are one line named by all of them. When the table holds
// the metric's theory, each curve's theory is drawn over it (dashed, with
// hollow diamonds) and the title gives the verdict.
func capacityChart(d studyData, metric string, x studyParam, cs []curve) (chart, string, bool) {
	title := fmt.Sprintf("%s: %s vs %s (mean, 95%% CI)", d.t.Study, metric, x.path)
	theory, hasTheory := d.theoryOf(metric)
	verdictText := ""
	if hasTheory {
		v := d.verdict(metric, theory)
		verdictText = v.String()
		title = fmt.Sprintf("%s: %s vs %s, simulated (mean, 95%% CI) and theory (%s)\n%s", d.t.Study, metric, x.path, theory, verdictText)
	}
	p := newPlot(title, x.path, metricLabel(metric))
	lo, hi := math.Inf(1), math.Inf(-1)
	xmin, xmax := math.Inf(1), math.Inf(-1)
	drawn, named := 0, 0
	rising := 0.0
	var lg legend
	// Identical curves: one line, named by all.
	var groups [][]int
	byKey := map[string]int{}
	for ci, c := range cs {
		k := curveKey(c, metric)
		if k == "" {
			continue
		}
		if gi, ok := byKey[k]; ok {
			groups[gi] = append(groups[gi], ci)
			continue
		}
		byKey[k] = len(groups)
		groups = append(groups, []int{ci})
	}
	for gi, g := range groups {
		c := cs[g[0]]
		ci := gi
		var mean, band, upper, theo plotter.XYs
		for i, pt := range c.points {
			r, ok := pt.rows[metric]
			if !ok || !finite(r.Mean) {
				continue
			}
			l, h := interval(r)
			mean = append(mean, plotter.XY{X: c.xs[i], Y: r.Mean})
			band = append(band, plotter.XY{X: c.xs[i], Y: l})
			upper = append(upper, plotter.XY{X: c.xs[i], Y: h})
			lo, hi = math.Min(lo, l), math.Max(hi, h)
			xmin, xmax = math.Min(xmin, c.xs[i]), math.Max(xmax, c.xs[i])
			if t, ok := pt.rows[theory]; hasTheory && ok && finite(t.Mean) {
				theo = append(theo, plotter.XY{X: c.xs[i], Y: t.Mean})
				lo, hi = math.Min(lo, t.Mean), math.Max(hi, t.Mean)
			}
		}
		drawn++
		rising += mean[len(mean)-1].Y - mean[0].Y
		var thumbs []plot.Thumbnailer
		if len(mean) > 1 {
			for i := len(upper) - 1; i >= 0; i-- {
				band = append(band, upper[i])
			}
			poly, err := plotter.NewPolygon(band)
			if err == nil {
				poly.Color = bandColour(ci)
				poly.LineStyle.Width = 0
				p.Add(poly)
				thumbs = append(thumbs, poly)
			}
		} else {
			eb := &errBars{at: []float64{mean[0].X}, lo: []float64{band[0].Y}, hi: []float64{upper[0].Y},
				style: draw.LineStyle{Color: colour(ci), Width: vg.Points(1.5)}, cap: vg.Points(4)}
			p.Add(eb)
		}
		// Each line a little thinner than the one before, so that curves equal
		// at some points show as nested lines rather than hiding each other.
		l := line(mean, ci, vg.Points(math.Max(1, 3-0.5*float64(ci))), false)
		sc, err := plotter.NewScatter(mean)
		if err != nil {
			continue
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: colour(ci), Radius: vg.Points(math.Max(2, 4.5-0.6*float64(ci))), Shape: draw.CircleGlyph{}}
		p.Add(l, sc)
		var labels []string
		for _, k := range g {
			labels = append(labels, cs[k].label)
		}
		label := strings.Join(labels, " and ")
		if len(g) > 1 {
			label += " (identical)"
		}
		if named < maxLegend {
			if hasTheory {
				lg.add(label+": simulated", append(thumbs, l, sc)...)
			} else {
				lg.add(label, append(thumbs, l, sc)...)
			}
			named++
		}
		if len(theo) > 0 {
			tl := line(theo, ci, vg.Points(1.2), false)
			tl.Color = darker(colour(ci))
			tl.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			ts, err := plotter.NewScatter(theo)
			if err == nil {
				ts.GlyphStyle = draw.GlyphStyle{Color: darker(colour(ci)), Radius: vg.Points(5), Shape: diamondGlyph{}}
				p.Add(tl, ts)
				if named <= maxLegend {
					lg.add(label+": theory", tl, ts)
				}
			}
		}
	}
	if drawn == 0 {
		return chart{}, "", false
	}
	if drawn > named {
		lg.add(fmt.Sprintf("(%d more lines, not named here)", drawn-named))
	}
	// The question: its bound, and the values it picked.
	if q := d.t.Question; q != nil && q.Metric == metric && q.Bound != nil {
		b := *q.Bound
		lo, hi = math.Min(lo, b), math.Max(hi, b)
		bl := &plotter.Line{XYs: plotter.XYs{{X: xmin, Y: b}, {X: xmax, Y: b}},
			LineStyle: draw.LineStyle{Color: color.Gray{0x30}, Width: vg.Points(1.2), Dashes: dashed}}
		p.Add(bl)
		lg.add(fmt.Sprintf("bound: %s %s %s", metric, q.Op, sig4(b)), bl)
		if q.Parameter == x.path {
			var picks plotter.XYs
			var texts []string
			for _, a := range d.t.Answers {
				if a.WithConfidence == nil {
					continue
				}
				v, _ := a.WithConfidence.Value.Float()
				picks = append(picks, plotter.XY{X: v, Y: a.WithConfidence.Row.Mean})
				texts = append(texts, fmt.Sprintf("answer: %s", sig4(v)))
			}
			if len(picks) > 0 {
				sc, err := plotter.NewScatter(picks)
				if err == nil {
					sc.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(7), Shape: draw.RingGlyph{}}
					p.Add(sc)
					st := labelStyle(9, color.Black)
					// Above the ring, on the side the curves come from.
					st.XAlign, st.YAlign = draw.XRight, draw.YBottom
					dx := -vg.Points(6)
					if rising < 0 {
						st.XAlign, dx = draw.XLeft, vg.Points(6)
					}
					p.Add(&textMarks{xs: xsOf(picks), ys: ysOf(picks), labels: texts, style: st, dx: dx, dy: vg.Points(7)})
					lg.add(fmt.Sprintf("answer: %s %s meeting the bound with 95%% confidence", q.Find, x.path), sc)
				}
			}
		}
	}
	// The axes: x over the parameter's values, y over the intervals (0-1
	// for a fraction).
	vals := x.sortedValues()
	if len(vals) <= 15 {
		var ts fixedTicks
		for _, v := range vals {
			f, _ := v.Float()
			ts = append(ts, plot.Tick{Value: f, Label: v.String()})
		}
		p.X.Tick.Marker = ts
	} else {
		p.X.Tick.Marker = niceTicks{n: 12, minor: 2}
	}
	span := xmax - xmin
	if span == 0 {
		span = math.Max(1, math.Abs(xmax))
	}
	p.X.Min, p.X.Max = xmin-0.04*span, xmax+0.04*span
	if isFraction(metric) && lo >= 0 && hi <= 1 {
		fractionAxis(&p.Y)
	} else {
		p.Y.Min, p.Y.Max = valueRange(lo, hi)
	}
	p.Y.Tick.Marker = noMinusZero{p.Y.Tick.Marker}
	return chart{name: "curve_" + fileSafe(metric), title: fmt.Sprintf("%s vs %s", metric, x.path),
		panels: []*plot.Plot{p}, w: 9 * vg.Inch, h: 4.5 * vg.Inch, legend: lg}, verdictText, true
}

// darker is c at two thirds of its brightness.
func darker(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.RGBA{uint8(r >> 8 * 2 / 3), uint8(g >> 8 * 2 / 3), uint8(b >> 8 * 2 / 3), 0xff}
}

// diamondGlyph is a hollow diamond: a theory value.
type diamondGlyph struct{}

func (diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	ls := draw.LineStyle{Color: sty.Color, Width: vg.Points(1.5)}
	c.StrokeLines(ls, []vg.Point{{X: pt.X, Y: pt.Y + r}, {X: pt.X + r, Y: pt.Y}, {X: pt.X, Y: pt.Y - r}, {X: pt.X - r, Y: pt.Y}, {X: pt.X, Y: pt.Y + r}})
}

func xsOf(xys plotter.XYs) []float64 {
	out := make([]float64, len(xys))
	for i, p := range xys {
		out[i] = p.X
	}
	return out
}

func ysOf(xys plotter.XYs) []float64 {
	out := make([]float64, len(xys))
	for i, p := range xys {
		out[i] = p.Y
	}
	return out
}

// maxDots is how many of the highest and of the lowest points a dot chart
// shows when there are more than twice as many: its height stays readable.
const maxDots = 25

// dotChart is one row per point: the mean and its 95% interval, for studies
// with no numeric parameter to draw curves against.
func dotChart(d studyData, metric string) (chart, bool) {
	var names []string
	var means plotter.XYs
	var at, los, his []float64
	lo, hi := math.Inf(1), math.Inf(-1)
	points, shown := d.points, ""
	if len(points) > 2*maxDots {
		// The highest and lowest means only, in the table's order.
		idx := make([]int, 0, len(points))
		for i, pt := range points {
			if r, ok := pt.rows[metric]; ok && finite(r.Mean) {
				idx = append(idx, i)
			}
		}
		sort.SliceStable(idx, func(a, b int) bool { return points[idx[a]].rows[metric].Mean > points[idx[b]].rows[metric].Mean })
		if len(idx) > 2*maxDots {
			keep := append(append([]int(nil), idx[:maxDots]...), idx[len(idx)-maxDots:]...)
			sort.Ints(keep)
			var sub []studyPoint
			for _, i := range keep {
				sub = append(sub, points[i])
			}
			shown = fmt.Sprintf("; the %d highest and %d lowest of %d points", maxDots, maxDots, len(idx))
			points = sub
		}
	}
	n := len(points)
	vary := d.varying()
	for i, pt := range points {
		pos := float64(n - 1 - i) // first point on top
		var parts []string
		for _, sp := range vary {
			if v, ok := pt.params.Get(sp.path); ok {
				parts = append(parts, sp.path+"="+v.String())
			}
		}
		name := strings.Join(parts, ", ")
		if name == "" {
			name = pt.params.String()
		}
		names = append(names, name)
		r, ok := pt.rows[metric]
		if !ok || !finite(r.Mean) {
			continue
		}
		l, h := interval(r)
		means = append(means, plotter.XY{X: r.Mean, Y: pos})
		at, los, his = append(at, pos), append(los, l), append(his, h)
		lo, hi = math.Min(lo, l), math.Max(hi, h)
	}
	if len(means) == 0 {
		return chart{}, false
	}
	p := newPlot(fmt.Sprintf("%s: %s per point (mean, 95%% CI%s)", d.t.Study, metric, shown), metricLabel(metric), "")
	var lg legend
	p.Y.Tick.Marker = plot.DefaultTicks{}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	p.NominalY(names...)
	p.Y.Tick.Label.Font.Size = 9
	p.Add(&errBars{at: at, lo: los, hi: his, horizontal: true, cap: vg.Points(4),
		style: draw.LineStyle{Color: colour(0), Width: vg.Points(1.5)}})
	sc, err := plotter.NewScatter(means)
	if err != nil {
		return chart{}, false
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: colour(0), Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
	p.Add(sc)
	if q := d.t.Question; q != nil && q.Metric == metric && q.Bound != nil {
		b := *q.Bound
		lo, hi = math.Min(lo, b), math.Max(hi, b)
		bl := &plotter.Line{XYs: plotter.XYs{{X: b, Y: -0.5}, {X: b, Y: float64(n) - 0.5}},
			LineStyle: draw.LineStyle{Color: color.Gray{0x30}, Width: vg.Points(1.2), Dashes: dashed}}
		p.Add(bl)
		lg.add(fmt.Sprintf("bound: %s %s %s", metric, q.Op, sig4(b)), bl)
	}
	p.X.Min, p.X.Max = valueRange(lo, hi)
	p.X.Tick.Marker = noMinusZero{niceTicks{n: 10, minor: 2}}
	if isFraction(metric) && lo >= 0 && hi <= 1 {
		fractionAxis(&p.X)
		p.X.Tick.Marker = noMinusZero{p.X.Tick.Marker}
	}
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	h := max(3*vg.Inch, vg.Length(1.3+0.32*float64(n))*vg.Inch)
	return chart{name: "points_" + fileSafe(metric), title: metric + " per point",
		panels: []*plot.Plot{p}, w: 9 * vg.Inch, h: h, legend: lg}, true
}

// heatPalette is viridis (perceptually uniform, readable in grey and by the
// colour-blind), sampled at nine stops from low (dark blue) to high (yellow).
var heatPalette = []color.RGBA{
	{0x44, 0x01, 0x54, 0xff}, {0x47, 0x2d, 0x7b, 0xff}, {0x3b, 0x52, 0x8b, 0xff},
	{0x2c, 0x72, 0x8e, 0xff}, {0x21, 0x91, 0x8c, 0xff}, {0x28, 0xae, 0x80, 0xff},
	{0x5e, 0xc9, 0x62, 0xff}, {0xad, 0xdc, 0x30, 0xff}, {0xfd, 0xe7, 0x25, 0xff},
}

// heatColour is the palette at f in [0, 1], interpolated linearly.
func heatColour(f float64) color.RGBA {
	if !finite(f) {
		return color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	}
	f = math.Max(0, math.Min(1, f)) * float64(len(heatPalette)-1)
	i := int(f)
	if i >= len(heatPalette)-1 {
		return heatPalette[len(heatPalette)-1]
	}
	a, b, t := heatPalette[i], heatPalette[i+1], f-float64(i)
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + t*(float64(y)-float64(x)))) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// textOn is black or white, whichever reads better on c.
func textOn(c color.RGBA) color.Color {
	if 0.299*float64(c.R)+0.587*float64(c.G)+0.114*float64(c.B) > 140 {
		return color.Black
	}
	return color.White
}

// heatScale maps a metric's means to [0, 1].
// heatScale maps a mean to [0, 1] of the palette: linearly, or by its
// logarithm (log) when the means are all positive and span more than a
// decade, so that one far point does not flatten every other cell into the
// palette's first colour.
type heatScale struct {
	lo, hi float64
	log    bool
}

// logSpread is the ratio of the largest to the smallest mean above which a
// heat map's colours follow the logarithm.
const logSpread = 10

func (s heatScale) at(v float64) float64 {
	if s.hi == s.lo {
		return 0.5
	}
	if s.log {
		return math.Log(v/s.lo) / math.Log(s.hi/s.lo)
	}
	return (v - s.lo) / (s.hi - s.lo)
}

// value is the mean at fraction f of the scale (the inverse of at).
func (s heatScale) value(f float64) float64 {
	if s.log {
		return s.lo * math.Pow(s.hi/s.lo, f)
	}
	return s.lo + (s.hi-s.lo)*f
}

// heatCells draws a grid of cells at integer coordinates, each coloured by its
// mean and labelled with the mean and the half-width of its interval when they
// fit.
type heatCells struct {
	cols, rows int
	mean, hw   [][]float64 // [row][col]; NaN where no point
	scale      heatScale
}

func (h *heatCells) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	cellW := trX(0.5) - trX(-0.5) - vg.Points(4)
	cellH := trY(0.5) - trY(-0.5) - vg.Points(2)
	label := func(r, col int) (string, string) {
		m := h.mean[r][col]
		if !finite(m) {
			return "no point", ""
		}
		if !finite(h.hw[r][col]) {
			return sig4(m), ""
		}
		return sig4(m), "± " + sig2(h.hw[r][col])
	}
	// One font for every cell: the largest (up to 11 pt) at which every
	// label fits; the half-widths only if they fit too; no labels below 6 pt.
	size, subs := vg.Length(11), true
	for r := 0; r < h.rows; r++ {
		for col := 0; col < h.cols; col++ {
			l, sub := label(r, col)
			st := labelStyle(size, color.Black)
			if w := st.Width(l); w > cellW {
				size = size * cellW / w
			}
			if st := labelStyle(size, color.Black); st.Height(l) > cellH {
				size = size * cellH / st.Height(l)
			}
			small := labelStyle(size*0.78, color.Black)
			if sub != "" && (small.Width(sub) > cellW || labelStyle(size, color.Black).Height(l)+small.Height(sub)+vg.Points(2) > cellH) {
				subs = false
			}
		}
	}
	big, small := labelStyle(size, color.Black), labelStyle(size*0.78, color.Black)
	big.XAlign, big.YAlign = draw.XCenter, draw.YCenter
	small.XAlign, small.YAlign = draw.XCenter, draw.YCenter
	for r := 0; r < h.rows; r++ {
		for col := 0; col < h.cols; col++ {
			x0, x1 := trX(float64(col)-0.5), trX(float64(col)+0.5)
			y0, y1 := trY(float64(r)-0.5), trY(float64(r)+0.5)
			m := h.mean[r][col]
			fill := heatColour(math.NaN())
			if finite(m) {
				fill = heatColour(h.scale.at(m))
			}
			c.FillPolygon(fill, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			c.StrokeLines(draw.LineStyle{Color: color.White, Width: vg.Points(1.5)},
				[]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}})
			if size < 6 {
				continue
			}
			l, sub := label(r, col)
			big.Color = textOn(fill)
			small.Color = big.Color
			cx, cy := (x0+x1)/2, (y0+y1)/2
			if subs && sub != "" {
				c.FillText(big, vg.Point{X: cx, Y: cy + small.Height(sub)/2 + 1}, l)
				c.FillText(small, vg.Point{X: cx, Y: cy - big.Height(l)/2 - 1}, sub)
				continue
			}
			c.FillText(big, vg.Point{X: cx, Y: cy}, l)
		}
	}
}

// colourBar is a heat map's colour scale, drawn beside its grid and exactly
// as tall (gonum's own axis would shrink a plot to fit a long rotated label
// and leave the bar shorter than the grid): the palette from the bottom (low)
// up, ticks and their values on its right, and the label, rotated, beyond.
type colourBar struct {
	scale  heatScale
	ticks  []plot.Tick
	label  string
	labelS draw.TextStyle // the label's style (rotated when drawn)
	tickS  draw.TextStyle // the tick values'
}

const (
	colourBarW = vg.Length(16) // the bar's width
	barTickLen = vg.Length(5)  // a major tick's length (minor: half)
)

// draw draws the bar from c.Min.X, spanning rect's height (the grid's data
// area), within the canvas c.
func (b *colourBar) draw(c draw.Canvas, span vg.Rectangle) {
	x0, x1 := c.Min.X, c.Min.X+colourBarW
	y0, y1 := span.Min.Y, span.Max.Y
	at := func(f float64) vg.Length { return y0 + vg.Length(f)*(y1-y0) }
	const steps = 64
	for i := 0; i < steps; i++ {
		lo, hi := at(float64(i)/steps), at(float64(i+1)/steps)
		if i+1 < steps {
			hi += 0.5 // overlap a little: no hairline gaps
		}
		c.FillPolygon(heatColour((float64(i)+0.5)/steps), []vg.Point{{X: x0, Y: lo}, {X: x1, Y: lo}, {X: x1, Y: hi}, {X: x0, Y: hi}})
	}
	tick := draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)}
	ts := b.tickS
	ts.XAlign, ts.YAlign = draw.XLeft, draw.YCenter
	labelX := x1 + barTickLen
	for _, t := range b.ticks {
		f := b.scale.at(t.Value)
		if !(f >= -1e-9 && f <= 1+1e-9) {
			continue
		}
		y := at(math.Max(0, math.Min(1, f)))
		l := barTickLen
		if t.IsMinor() {
			l /= 2
		}
		c.StrokeLine2(tick, x1, y, x1+l, y)
		if !t.IsMinor() {
			c.FillText(ts, vg.Point{X: x1 + barTickLen + vg.Points(2), Y: y}, t.Label)
			labelX = max(labelX, x1+barTickLen+vg.Points(2)+ts.Width(t.Label))
		}
	}
	// The label, reading upwards, centred on the bar; smaller if it is
	// longer than the canvas is tall.
	ls := b.labelS
	if w, room := ls.Width(b.label), c.Max.Y-c.Min.Y; w > room {
		ls.Font.Size = ls.Font.Size * room / w
	}
	half := ls.Width(b.label) / 2
	cy := max(c.Min.Y+half, min(c.Max.Y-half, (y0+y1)/2))
	ls.Rotation = math.Pi / 2
	ls.XAlign, ls.YAlign = draw.XCenter, draw.YTop
	c.FillText(ls, vg.Point{X: labelX + vg.Points(6), Y: cy}, b.label)
}

// heatMap is the mean of metric over the grid of the two varying parameters,
// with a colour scale to its right. xp goes across, yp up.
func heatMap(d studyData, metric string, xp, yp studyParam) (studyFigure, bool) {
	xs, ys := xp.sortedValues(), yp.sortedValues()
	index := func(vals []study.Value, v study.Value) int {
		for i, w := range vals {
			if w.Equal(v) {
				return i
			}
		}
		return -1
	}
	cells := &heatCells{cols: len(xs), rows: len(ys)}
	cells.mean, cells.hw = make([][]float64, len(ys)), make([][]float64, len(ys))
	for r := range ys {
		cells.mean[r], cells.hw[r] = make([]float64, len(xs)), make([]float64, len(xs))
		for c := range xs {
			cells.mean[r][c], cells.hw[r][c] = math.NaN(), math.NaN()
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, pt := range d.points {
		xv, ok1 := pt.params.Get(xp.path)
		yv, ok2 := pt.params.Get(yp.path)
		r, ok3 := pt.rows[metric]
		if !ok1 || !ok2 || !ok3 || !finite(r.Mean) {
			continue
		}
		ci, ri := index(xs, xv), index(ys, yv)
		cells.mean[ri][ci], cells.hw[ri][ci] = r.Mean, r.HalfWidth
		if r.Identical() {
			cells.hw[ri][ci] = math.NaN() // no interval: the replications are identical
		}
		lo, hi = math.Min(lo, r.Mean), math.Max(hi, r.Mean)
	}
	if !finite(lo) {
		return studyFigure{}, false
	}
	// The scale: the means' range, or around their one value (from 0 up
	// when it is 0), which the cells then show at its colour.
	blo, bhi := lo, hi
	same := lo == hi
	if same {
		d := math.Abs(lo) * 0.05
		blo, bhi = lo-d, hi+d
		if lo == 0 {
			blo, bhi = 0, 1
		}
	}
	cells.scale = heatScale{lo: blo, hi: bhi, log: !same && lo > 0 && hi/lo > logSpread}
	names := func(vals []study.Value) []string {
		out := make([]string, len(vals))
		for i, v := range vals {
			out[i] = v.String()
		}
		return out
	}
	title := fmt.Sprintf("%s: mean %s over %s × %s", d.t.Study, metric, xp.path, yp.path)
	if same {
		title += " (the same everywhere)"
	}
	p := newPlot(title, xp.path, yp.path)
	p.Y.Tick.Marker = plot.DefaultTicks{}
	p.Add(cells)
	p.NominalX(names(xs)...)
	p.NominalY(names(ys)...)
	p.X.Min, p.X.Max = -0.5, float64(len(xs))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(ys))-0.5
	p.X.Padding, p.Y.Padding = 0, 0
	p.Legend = plot.NewLegend()

	// The colour scale: a plot whose y axis is the metric. Its title and x
	// axis are blank text of the heat map's sizes, so that the data areas
	// line up.
	barLabel := metricLabel(metric)
	if cells.scale.log {
		barLabel += ", log scale"
	}
	var marker plot.Ticker = niceTicks{n: 8, minor: 2}
	if cells.scale.log {
		marker = logTicks{}
	}
	bar := &colourBar{scale: cells.scale, ticks: marker.Ticks(blo, bhi), label: barLabel,
		labelS: p.Y.Label.TextStyle, tickS: p.Y.Tick.Label}

	// As wide as the curves, so that the report shows them at one scale.
	w := 9 * vg.Inch
	h := vg.Length(1.6+0.55*float64(len(ys))) * vg.Inch
	h = max(3.2*vg.Inch, min(9*vg.Inch, h))
	barW := 1.5 * vg.Inch
	return studyFigure{name: "heatmap_" + fileSafe(metric), title: fmt.Sprintf("Mean %s over %s and %s", metric, xp.path, yp.path),
		w: w, h: h, draw: func(dc draw.Canvas) {
			left, right := dc, dc
			left.Max.X = dc.Max.X - barW
			right.Min.X = dc.Max.X - barW
			grid := draw.Crop(left, vg.Points(2), -vg.Points(4), vg.Points(2), -vg.Points(2))
			p.Draw(grid)
			bar.draw(draw.Crop(right, vg.Points(24), -vg.Points(2), vg.Points(2), -vg.Points(2)), p.DataCanvas(grid).Rectangle)
		}}, true
}

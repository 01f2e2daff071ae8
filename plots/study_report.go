package plots

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"strings"

	"github.com/kubesim/kubesim/scenarios/study"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// StudyReportName is the study report's file name.
const StudyReportName = "study.html"

// studyFigure is one chart of a study, drawn by draw on a w x h canvas.
type studyFigure struct {
	name, title, note string
	w, h              vg.Length
	draw              func(draw.Canvas)
}

func fromChart(c chart) studyFigure {
	return studyFigure{name: c.name, title: c.title, w: c.w, h: c.height(), draw: c.draw}
}

// encode renders the figure as PNG and SVG.
func (f studyFigure) encode() (png, svg []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing chart %s: %v", f.name, r)
		}
	}()
	img := vgimg.NewWith(vgimg.UseWH(f.w, f.h), vgimg.UseDPI(pngDPI))
	f.draw(draw.New(img))
	var pb bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&pb); err != nil {
		return nil, nil, err
	}
	sv := vgsvg.New(f.w, f.h)
	f.draw(draw.New(sv))
	var sb bytes.Buffer
	if _, err := sv.WriteTo(&sb); err != nil {
		return nil, nil, err
	}
	return pb.Bytes(), sb.Bytes(), nil
}

// studyCharts builds every chart of the study, metric by metric: the capacity
// curve against the numeric parameter with the most values (or, with no
// numeric parameter, a dot chart per point), then the heat map when exactly
// two parameters vary.
func studyCharts(d studyData) []studyFigure {
	var out []studyFigure
	x, hasX := d.xParam()
	var cs []curve
	curveNote := ""
	if hasX {
		cs = d.curves(x)
		_, follow := d.lineParams(x.path)
		var notes []string
		if len(follow) > 0 {
			notes = append(notes, fmt.Sprintf("%s changes with %s along a line: its values are in the legend", strings.Join(follow, " and "), x.path))
		}
		if x.missing > 0 {
			notes = append(notes, nounCount(x.missing, "point")+" "+verbAgree(x.missing, "does", "do")+" not set "+x.path+" and "+verbAgree(x.missing, "is", "are")+" not drawn")
		}
		curveNote = strings.Join(notes, "; ")
	}
	vary := d.varying()
	for _, m := range d.t.Metrics {
		if d.isTheory(m) {
			continue // drawn over the simulated values it is the theory of
		}
		if hasX {
			if c, verdict, ok := capacityChart(d, m, x, cs); ok {
				f := fromChart(c)
				f.note = curveNote
				if verdict != "" {
					f.note = strings.TrimPrefix(f.note+"; "+verdict, "; ")
				}
				out = append(out, f)
			}
		} else if c, ok := dotChart(d, m); ok {
			out = append(out, fromChart(c))
		}
		if len(vary) == 2 {
			xp, yp := vary[0], vary[1]
			// Across: the curves' x parameter, else the one with more values.
			if (hasX && yp.path == x.path) || (!hasX && len(yp.values) > len(xp.values)) {
				xp, yp = yp, xp
			}
			if f, ok := heatMap(d, m, xp, yp); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

// WriteStudy writes the study's charts (PNG and SVG) and study.html into dir and returns the files written.
func WriteStudy(dir string, t *study.Table) ([]string, error) {
	return WriteStudyOf(dir, nil, t)
}

// WriteStudyOf is WriteStudy with the study itself, whose base scenario, seed,
// replication and warm-up settings the report then shows (the table does not
// hold them). s may be nil.
func WriteStudyOf(dir string, s *study.Study, t *study.Table) ([]string, error) {
	if t == nil {
		return nil, errors.New("plots.WriteStudy: the table is nil: pass the study's Results.Table()")
	}
	d := analyse(t)
	contents := map[string][]byte{}
	var order []string
	var figs []studyFig
	// Failed points are not drawn: the charts are those of the points that ran
	// (the report's tables list the failed ones).
	drawn := d
	if len(t.FailedPoints()) > 0 {
		ok := *t
		ok.Rows = nil
		for _, r := range t.Rows {
			if r.Error == "" {
				ok.Rows = append(ok.Rows, r)
			}
		}
		drawn = analyse(&ok)
	}
	for _, f := range studyCharts(drawn) {
		png, svg, err := f.encode()
		if err != nil {
			return nil, err
		}
		contents[f.name+".png"], contents[f.name+".svg"] = png, svg
		order = append(order, f.name+".png", f.name+".svg")
		figs = append(figs, studyFig{Name: f.name, Title: f.title, Note: f.note, PNG: pngURL(png)})
	}
	html, err := renderStudyReport(studyReportOf(d, s, figs))
	if err != nil {
		return nil, err
	}
	contents[StudyReportName] = html
	order = append(order, StudyReportName)
	return writeFiles(dir, contents, order...)
}

type studyFig struct {
	Name, Title, Note string
	PNG               template.URL
}

type studyParamRow struct {
	Path, Kind, Values string
	Varies             bool
}

type studyCell struct {
	Mean, CI string
	Pick     bool
}

type studyTableRow struct {
	Index  int
	N      string
	Params []string
	Cells  []studyCell
	Failed bool
}

type studyAnswerRow struct {
	Given, Confident, OnMean string
}

type studyFailure struct {
	Index  int
	Params string
	Error  string
}

type studyReport struct {
	Name    string
	Facts   []fact
	Params  []studyParamRow
	Metrics []string
	// MetricNotes is said under a metric's name: "identical in all
	// replications" when it is at every point (its cells then show the value
	// alone rather than repeat it).
	MetricNotes []string
	Paths       []string
	Rows        []studyTableRow
	Question    string
	Answers     []studyAnswerRow
	Figures     []studyFig
	Failed      []studyFailure
}

func studyReportOf(d studyData, s *study.Study, figs []studyFig) studyReport {
	t := d.t
	r := studyReport{Name: t.Study, Metrics: t.Metrics, Paths: t.Parameters, Figures: figs}
	if r.Name == "" {
		r.Name = "study"
	}
	for _, pt := range d.points {
		for _, m := range t.Metrics {
			if x, ok := pt.rows[m]; ok && x.Error != "" {
				r.Failed = append(r.Failed, studyFailure{Index: pt.index, Params: pt.params.String(), Error: x.Error})
				break
			}
		}
	}
	minN, maxN, runs, first := 0, 0, 0, true
	for _, pt := range d.points {
		n, failed := 0, false
		for _, row := range pt.rows {
			n = max(n, row.N)
			failed = failed || row.Error != ""
		}
		if failed {
			continue
		}
		if first || n < minN {
			first = false
			minN = n
		}
		maxN = max(maxN, n)
		runs += n
	}
	reps := fmt.Sprintf("%d per point", minN)
	if minN != maxN {
		reps = fmt.Sprintf("%d to %d per point", minN, maxN)
	}
	repNote := "as run"
	if s != nil {
		rp := s.Replications
		repNote = "fixed"
		if rp.TargetRelHalfWidth > 0 {
			on := "every metric"
			if len(rp.TargetMetrics) > 0 {
				on = strings.Join(rp.TargetMetrics, ", ")
			}
			repNote = fmt.Sprintf("min %d, max %d, until ±%s%% on %s", rp.Min, max(rp.Max, rp.Min), sig4(100*rp.TargetRelHalfWidth), on)
		}
		r.Facts = append(r.Facts,
			fact{"Base scenario", s.Base, ""},
			fact{"Seed", fmt.Sprintf("%d", s.Seed), "replication seeds derive from it"})
	}
	r.Facts = append(r.Facts,
		fact{"Points", fmt.Sprintf("%d", len(d.points)), nounCount(len(d.varying()), "parameter") + " varied"},
		fact{"Replications", reps, repNote},
		fact{"Runs", fmt.Sprintf("%d", runs), "points × replications"})
	if len(r.Failed) > 0 {
		r.Facts = append(r.Facts, fact{"Failed points", fmt.Sprintf("%d", len(r.Failed)), "reported below, never averaged"})
	}
	if s != nil {
		warm := s.Warmup
		if warm == "" {
			warm = "none"
		}
		r.Facts = append(r.Facts, fact{"Warm-up removed", warm, "from time series before averaging"})
	}
	r.Facts = append(r.Facts, fact{"Intervals", fmt.Sprintf("%g%% Student-t", study.Confidence*100), "mean ± t·sd/√n"})

	for _, sp := range d.params {
		kind := "numbers"
		if !sp.numeric {
			kind = "values"
		}
		var vals []string
		for _, v := range sp.sortedValues() {
			vals = append(vals, v.String())
		}
		if sp.missing > 0 {
			vals = append(vals, "(unset at "+nounCount(sp.missing, "point")+")")
		}
		r.Params = append(r.Params, studyParamRow{Path: sp.path, Kind: kind, Values: strings.Join(vals, ", "), Varies: sp.varies()})
	}

	picked := map[int]bool{}
	if q := t.Question; q != nil && q.Bound != nil {
		r.Question = fmt.Sprintf("The %s %s for which %s %s %s", q.Find, q.Parameter, q.Metric, q.Op, sig4(*q.Bound))
		pick := func(a study.Answer, p *study.Pick) string {
			if p == nil && a.Failed != nil {
				return fmt.Sprintf("undetermined: point %d (%s) failed", a.Failed.Point, a.Failed.Params)
			}
			if p == nil {
				return "none"
			}
			return fmt.Sprintf("%s (mean %s, CI [%s, %s], n %d)", p.Value, sig4(p.Row.Mean), sig4(p.Row.Low), sig4(p.Row.High), p.Row.N)
		}
		for _, a := range t.Answers {
			given := a.Given.String()
			if len(a.Given) == 0 {
				given = "–"
			}
			r.Answers = append(r.Answers, studyAnswerRow{Given: given, Confident: pick(a, a.WithConfidence), OnMean: pick(a, a.OnMean)})
			if a.WithConfidence != nil {
				picked[a.WithConfidence.Row.Point] = true
			}
		}
	}

	// A metric identical in every replication at every point that ran (a
	// theory value, a parameter echoed) says so once, in its header.
	columnIdentical := make([]bool, len(t.Metrics))
	for i, m := range t.Metrics {
		columnIdentical[i] = len(d.points) > 0
		for _, pt := range d.points {
			if x, ok := pt.rows[m]; ok && x.Error == "" && !x.Identical() {
				columnIdentical[i] = false
			}
		}
		note := ""
		if columnIdentical[i] {
			note = "identical in all replications at every point: no interval"
		}
		r.MetricNotes = append(r.MetricNotes, note)
	}
	for _, pt := range d.points {
		row := studyTableRow{Index: pt.index}
		n := 0
		for _, x := range pt.rows {
			n = max(n, x.N)
		}
		row.N = fmt.Sprintf("%d", n)
		for _, path := range t.Parameters {
			v, ok := pt.params.Get(path)
			if ok {
				row.Params = append(row.Params, v.String())
			} else {
				row.Params = append(row.Params, "")
			}
		}
		for mi, m := range t.Metrics {
			x, ok := pt.rows[m]
			if !ok {
				row.Cells = append(row.Cells, studyCell{Mean: "–"})
				continue
			}
			if x.Error != "" {
				row.Failed = true
				row.Cells = append(row.Cells, studyCell{Mean: "failed"})
				continue
			}
			c := studyCell{Mean: sig4(x.Mean)}
			if x.Identical() && columnIdentical[mi] {
				// said in the header
			} else if x.Identical() {
				c.CI = fmt.Sprintf("identical in all %d replications: no interval", x.N)
			} else if finite(x.HalfWidth) {
				c.Mean += " ± " + sig2(x.HalfWidth)
				c.CI = fmt.Sprintf("[%s, %s]", sig4(x.Low), sig4(x.High))
			}
			c.Pick = t.Question != nil && m == t.Question.Metric && picked[pt.index]
			row.Cells = append(row.Cells, c)
		}
		r.Rows = append(r.Rows, row)
	}
	return r
}

var studyTmpl = template.Must(template.New("study").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kubesim study: {{.Name}}</title>
<style>
` + pageCSS + `
  td .ci { display: block; font-size: 0.8em; color: #777; }
  th .ci { display: block; font-size: 0.75em; font-weight: normal; color: #777; max-width: 12em; margin-left: auto; }
  /* The results table may use the window's width, as the figures do, and
     keeps each number (mean ± half-width, interval) on one line. */
  .wide { margin: 0.5em calc(50% - min(50vw, 700px) + 8px); overflow-x: auto; }
  .wide table { margin: 0 auto; }
  table.results td { white-space: nowrap; }
  td.pick { background: #fff4cc; }
  tr.fixed td { color: #888; }
  tr.failed td { background: #fde8e8; color: #a00; }
  .question { font-size: 1.05em; border-left: 4px solid #4e79a7; padding: 0.3em 0.8em; background: #f5f8fb; }
</style>
</head>
<body>
<h1>Study {{.Name}}</h1>
<p class="small">A capacity-planning study run by <code>kubesim sweep</code>: the base scenario at every point, replicated, each metric's mean with its 95% confidence interval.</p>

<div class="facts">
{{range .Facts}}<div class="fact"><div class="n">{{.Name}}</div><div class="v">{{.Value}}</div><div class="x">{{.Note}}</div></div>
{{end}}</div>

<h2>Parameters</h2>
{{if .Params}}<table>
<tr><th>path</th><th>values</th></tr>
{{range .Params}}<tr{{if not .Varies}} class="fixed"{{end}}><td><code>{{.Path}}</code></td><td>{{.Values}}{{if not .Varies}} (fixed){{end}}</td></tr>
{{end}}</table>{{else}}<p>None: one point, the base scenario unchanged.</p>{{end}}

{{if .Question}}<h2>Question</h2>
<p class="question">{{.Question}}?</p>
<table>
<tr><th>given</th><th>with 95% confidence (whole interval meets the bound)</th><th>on the mean</th></tr>
{{range .Answers}}<tr><td>{{.Given}}</td><td>{{.Confident}}</td><td>{{.OnMean}}</td></tr>
{{end}}</table>
{{end}}

<h2>Results</h2>
<p class="small">Mean ± half-width of the 95% interval, the interval below it; n replications.{{if .Question}} Highlighted: the rows that answer the question with confidence.{{end}}</p>
<div class="wide"><table class="results">
<tr><th class="r">point</th>{{range .Paths}}<th><code>{{.}}</code></th>{{end}}{{range $i, $m := .Metrics}}<th class="r"><code>{{$m}}</code>{{with index $.MetricNotes $i}}<span class="ci">{{.}}</span>{{end}}</th>{{end}}<th class="r">n</th></tr>
{{range .Rows}}<tr{{if .Failed}} class="failed"{{end}}><td class="r">{{.Index}}</td>{{range .Params}}<td>{{.}}</td>{{end}}{{range .Cells}}<td class="r{{if .Pick}} pick{{end}}">{{.Mean}}{{if .CI}}<span class="ci">{{.CI}}</span>{{end}}</td>{{end}}<td class="r">{{.N}}</td></tr>
{{end}}</table></div>
{{if .Failed}}
<h2 id="failed">Failed points</h2>
<p class="small">These points did not run to the end (a step failed, a parameter changes nothing, a metric is missing): they are shown as failed above, left out of the charts and never averaged.</p>
<table>
<tr><th class="r">point</th><th>parameters</th><th>error</th></tr>
{{range .Failed}}<tr class="failed"><td class="r">{{.Index}}</td><td>{{.Params}}</td><td>{{.Error}}</td></tr>
{{end}}</table>
{{end}}
<h2>Charts</h2>
{{range .Figures}}<figure id="{{.Name}}"><img src="{{.PNG}}" alt="{{.Title}}"><figcaption>{{.Title}}{{if .Note}} ({{.Note}}){{end}}. Files: <a href="{{.Name}}.svg">{{.Name}}.svg</a>, <a href="{{.Name}}.png">{{.Name}}.png</a></figcaption></figure>
{{else}}<p>No chart: no metric has a finite mean.</p>
{{end}}
<p class="small">The same table is in table.csv and table.json when the study was run with <code>--out</code>. Generated by kubesim. This page is self-contained: it loads nothing from the network.</p>
</body>
</html>
`))

func renderStudyReport(d studyReport) ([]byte, error) {
	return render(studyTmpl, d, "the study report")
}

// nounCount is n and the noun, plural unless n is 1: "1 point", "3 points".
func nounCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// verbAgree is one (n is 1) or many.
func verbAgree(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

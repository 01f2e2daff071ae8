package plots_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/plots"
	"github.com/kubesim/kubesim/scenarios/study"
)

// capacityRunner is a stand-in for the DockerCoins runner with the shape of
// its results: throughput grows with rng replicas until the workers saturate,
// latency falls, a little noise from the seed.
func capacityRunner(ctx context.Context, p study.Point, seed uint64) (study.Result, error) {
	get := func(path string, def float64) float64 {
		if v, ok := p.Get(path); ok {
			if f, ok := v.Float(); ok {
				return f
			}
		}
		return def
	}
	replicas := get("vars.rng_replicas", get("cluster.workers", 3))
	workers := get("vars.workers", 10)
	noise := float64(seed%1000)/1000 - 0.5
	if v, ok := p.Get("vars.placement"); ok && v.String() == "daemonset" {
		noise += 0.3
	}
	hashes := math.Min(9.5*replicas, 3*workers) + noise
	return study.Result{Scalars: map[string]float64{
		"hashes_per_s":       hashes,
		"rng.latency_ms.p99": 800*workers/10/replicas + 20*noise,
		"rng.error_rate":     0,
	}}, nil
}

func runStudy(t testing.TB, yaml string, run study.Runner) (*study.Study, *study.Table) {
	t.Helper()
	s, err := study.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	res, err := study.Run(context.Background(), s, run, study.Options{Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := res.Table()
	if err != nil {
		t.Fatal(err)
	}
	return s, tb
}

// The shape of the built-in rng-replicas study.
const replicasStudy = `
name: rng-replicas
base: capacity
seed: 7
replications: {min: 4}
warmup: 60s
metrics: [hashes_per_s, rng.latency_ms.p99, rng.error_rate]
parameters:
  grid:
    vars.rng_replicas: [1, 2, 3, 4, 5, 6]
    vars.workers: [10, 20]
question: {find: smallest, parameter: vars.rng_replicas, metric: hashes_per_s, op: ">=", bound: 25}
`

// The shape of the built-in rng-placement study: rng replicas follow the
// workers for a Deployment and are unset for a DaemonSet.
const placementStudy = `
name: rng-placement
base: capacity
replications: {min: 3}
metrics: [hashes_per_s, rng.latency_ms.p99]
parameters:
  points:
    - {cluster.workers: 3, vars.placement: deployment, vars.rng_replicas: 3}
    - {cluster.workers: 3, vars.placement: daemonset}
    - {cluster.workers: 5, vars.placement: deployment, vars.rng_replicas: 5}
    - {cluster.workers: 5, vars.placement: daemonset}
    - {cluster.workers: 8, vars.placement: deployment, vars.rng_replicas: 8}
    - {cluster.workers: 8, vars.placement: daemonset}
`

type written struct {
	dir   string
	files map[string][]byte // base name -> bytes
	order []string
}

func writeStudy(t *testing.T, s *study.Study, tb *study.Table) written {
	t.Helper()
	w := written{dir: t.TempDir(), files: map[string][]byte{}}
	var files []string
	var err error
	if s == nil {
		files, err = plots.WriteStudy(w.dir, tb)
	} else {
		files, err = plots.WriteStudyOf(w.dir, s, tb)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w.files[filepath.Base(f)] = b
		w.order = append(w.order, filepath.Base(f))
	}
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(files) {
		t.Errorf("%d files in the directory, %d reported written", len(entries), len(files))
	}
	return w
}

// charts returns the chart names (without extension) of the given kind.
func (w written) charts(prefix string) []string {
	var out []string
	for _, f := range w.order {
		if strings.HasPrefix(f, prefix) && strings.HasSuffix(f, ".png") {
			out = append(out, strings.TrimSuffix(f, ".png"))
		}
	}
	return out
}

// svgText is the text drawn in an SVG, which must parse as XML.
func svgText(t *testing.T, name string, b []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var text strings.Builder
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s does not parse as XML: %v", name, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
		case xml.CharData:
			text.Write(tok)
			text.WriteByte('\n')
		}
	}
	if root != "svg" {
		t.Fatalf("%s: root element %q, want svg", name, root)
	}
	return text.String()
}

// checkFiles checks that every chart is a PNG of a readable size and an SVG,
// that the report embeds each PNG byte for byte and links both files, and
// that it loads nothing from the network.
func checkFiles(t *testing.T, w written) string {
	t.Helper()
	page, ok := w.files[plots.StudyReportName]
	if !ok {
		t.Fatalf("no %s among %v", plots.StudyReportName, w.order)
	}
	report := string(page)
	for _, name := range w.charts("") {
		b := w.files[name+".png"]
		if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s.png has no PNG signature", name)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s.png: %v", name, err)
		} else if cfg.Width < 600 || cfg.Height < 250 {
			t.Errorf("%s.png is %dx%d: too small to read", name, cfg.Width, cfg.Height)
		}
		svg, ok := w.files[name+".svg"]
		if !ok {
			t.Errorf("%s.png without %s.svg", name, name)
		}
		svgText(t, name+".svg", svg)
		// html/template writes "+" in attributes as "&#43;"; browsers decode it.
		if !strings.Contains(html.UnescapeString(report), "data:image/png;base64,"+base64.StdEncoding.EncodeToString(b)) {
			t.Errorf("the report does not embed %s.png", name)
		}
		for _, f := range []string{name + ".png", name + ".svg"} {
			if !strings.Contains(report, `href="`+f+`"`) {
				t.Errorf("the report does not link %s", f)
			}
		}
	}
	for _, bad := range []string{"http://", "https://", "<script", "<link"} {
		if strings.Contains(report, bad) {
			t.Errorf("the report contains %q: it must be self-contained", bad)
		}
	}
	return report
}

func TestWriteStudyCapacityCurvesAndHeatMaps(t *testing.T) {
	s, tb := runStudy(t, replicasStudy, capacityRunner)
	w := writeStudy(t, s, tb)
	report := checkFiles(t, w)

	var wantCurves, wantHeat []string
	for _, m := range tb.Metrics {
		wantCurves = append(wantCurves, "curve_"+m)
		wantHeat = append(wantHeat, "heatmap_"+m)
	}
	if got := w.charts("curve_"); fmt.Sprint(got) != fmt.Sprint(wantCurves) {
		t.Errorf("capacity curves %v, want %v", got, wantCurves)
	}
	if got := w.charts("heatmap_"); fmt.Sprint(got) != fmt.Sprint(wantHeat) {
		t.Errorf("heat maps %v, want %v (two parameters vary)", got, wantHeat)
	}
	if got := w.charts("points_"); len(got) > 0 {
		t.Errorf("dot charts %v for a study with a numeric parameter", got)
	}

	// The curve: against the parameter with the most values, one line per
	// number of workers, units on the axis, the question's bound and answers.
	text := svgText(t, "curve_hashes_per_s.svg", w.files["curve_hashes_per_s.svg"])
	for _, want := range []string{"vars.rng_replicas", "hashes_per_s (hashes/s)", "vars.workers=10", "vars.workers=20",
		"bound: hashes_per_s >= 25"} {
		if !strings.Contains(text, want) {
			t.Errorf("curve_hashes_per_s.svg does not show %q", want)
		}
	}
	if len(tb.Answers) != 2 {
		t.Fatalf("%d answers, want one per number of workers", len(tb.Answers))
	}
	for _, a := range tb.Answers {
		if a.WithConfidence == nil {
			t.Fatalf("no answer with confidence for %s: the runner should give one", a.Given)
		}
		if want := "answer: " + a.WithConfidence.Value.String(); !strings.Contains(text, want) {
			t.Errorf("curve_hashes_per_s.svg does not mark %q", want)
		}
		want := fmt.Sprintf("<td>%s</td><td>%s (mean", a.Given, a.WithConfidence.Value)
		if !strings.Contains(report, want) {
			t.Errorf("the report does not answer %s: no %q", a.Given, want)
		}
	}
	if !strings.Contains(text, "rng-replicas") {
		t.Error("the chart's title does not name the study")
	}
	lat := svgText(t, "curve_rng.latency_ms.p99.svg", w.files["curve_rng.latency_ms.p99.svg"])
	if !strings.Contains(lat, "rng.latency_ms.p99 (ms)") || strings.Contains(lat, "bound:") {
		t.Error("the latency curve should be in ms and have no bound (the question is on hashes_per_s)")
	}
	if er := svgText(t, "curve_rng.error_rate.svg", w.files["curve_rng.error_rate.svg"]); !strings.Contains(er, "rng.error_rate (fraction)") {
		t.Error("the error rate is not labelled as a fraction")
	}
	heat := svgText(t, "heatmap_hashes_per_s.svg", w.files["heatmap_hashes_per_s.svg"])
	for _, want := range []string{"vars.rng_replicas", "vars.workers", "hashes_per_s (hashes/s)"} {
		if !strings.Contains(heat, want) {
			t.Errorf("heatmap_hashes_per_s.svg does not show %q", want)
		}
	}

	// The report: the study's settings, parameters, question and every row.
	for _, want := range []string{"Study rng-replicas", "capacity", ">7<", "60s", "vars.rng_replicas", "1, 2, 3, 4, 5, 6",
		"The smallest vars.rng_replicas for which hashes_per_s &gt;= 25"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report does not show %q", want)
		}
	}
	// A metric identical at every point says so once, in its header;
	// otherwise each identical cell says so.
	intervals, identical := 0, 0
	cells, same := map[string]int{}, map[string]int{}
	for _, r := range tb.Rows {
		cells[r.Metric]++
		switch {
		case r.Identical():
			same[r.Metric]++
		case !math.IsNaN(r.HalfWidth):
			intervals++
		}
	}
	for m, n := range same {
		if n == cells[m] {
			identical++
		} else {
			identical += n
		}
	}
	if got := strings.Count(report, `<span class="ci">[`); got != intervals || got == 0 {
		t.Errorf("the results table shows %d intervals, want %d (one per point and metric with distinct replications)", got, intervals)
	}
	// A metric whose replications are all equal has no interval, and says so.
	if got := strings.Count(report, `identical in all`); got != identical {
		t.Errorf("the results table marks %d rows identical, want %d", got, identical)
	}
}

// The same table gives the same bytes, file for file.
func TestWriteStudyDeterministic(t *testing.T) {
	s, tb := runStudy(t, replicasStudy, capacityRunner)
	a, b := writeStudy(t, s, tb), writeStudy(t, s, tb)
	if fmt.Sprint(a.order) != fmt.Sprint(b.order) {
		t.Fatalf("files %v then %v", a.order, b.order)
	}
	for _, f := range a.order {
		if !bytes.Equal(a.files[f], b.files[f]) {
			t.Errorf("%s differs between two calls", f)
		}
	}
}

// A heat map needs exactly two parameters with more than one value.
func TestWriteStudyHeatMapOnlyForTwoParameters(t *testing.T) {
	cases := []struct {
		name, grid string
		heat       bool
	}{
		{"one parameter", "vars.rng_replicas: [1, 2, 3]", false},
		{"two parameters", "vars.rng_replicas: [1, 2, 3]\n    vars.workers: [10, 20]", true},
		{"two parameters, one fixed", "vars.rng_replicas: [1, 2, 3]\n    vars.workers: [10]", false},
		{"three parameters", "vars.rng_replicas: [1, 2, 3]\n    vars.workers: [10, 20]\n    vars.placement: [deployment, daemonset]", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y := fmt.Sprintf("name: h\nbase: capacity\nreplications: {min: 2}\nmetrics: [hashes_per_s]\nparameters:\n  grid:\n    %s\n", c.grid)
			_, tb := runStudy(t, y, capacityRunner)
			w := writeStudy(t, nil, tb)
			checkFiles(t, w)
			if got := len(w.charts("heatmap_")) > 0; got != c.heat {
				t.Errorf("heat map written: %v, want %v (charts %v)", got, c.heat, w.charts(""))
			}
			if len(w.charts("curve_")) != 1 {
				t.Errorf("charts %v, want one capacity curve", w.charts(""))
			}
		})
	}
}

// Parameters that follow the x parameter (replicas = workers for a
// Deployment) do not split the lines: one line per placement.
func TestWriteStudyLinePerPlacement(t *testing.T) {
	_, tb := runStudy(t, placementStudy, capacityRunner)
	w := writeStudy(t, nil, tb)
	report := checkFiles(t, w)
	if len(w.charts("heatmap_")) != 0 {
		t.Error("heat map for three varying parameters")
	}
	text := svgText(t, "curve_hashes_per_s.svg", w.files["curve_hashes_per_s.svg"])
	for _, want := range []string{"hashes_per_s vs cluster.workers", "vars.placement=deployment; vars.rng_replicas: 3, 5, 8", "vars.placement=daemonset"} {
		if !strings.Contains(text, want) {
			t.Errorf("curve_hashes_per_s.svg does not show %q", want)
		}
	}
	if n := strings.Count(text, "vars.placement="); n != 2 {
		t.Errorf("%d legend entries name a placement, want 2 (one line each)", n)
	}
	if !strings.Contains(report, "vars.rng_replicas changes with cluster.workers") {
		t.Error("the report does not say that the replicas follow the workers")
	}
	if strings.Contains(report, "not drawn") {
		t.Error("the report says points are not drawn: every point sets cluster.workers")
	}
	if !strings.Contains(report, "(unset at 3 points)") {
		t.Error("the report does not say where vars.rng_replicas is unset")
	}
}

// With no numeric parameter there is no curve: one row per point with its
// interval.
func TestWriteStudyCategoricalPoints(t *testing.T) {
	y := `
name: placements
base: capacity
replications: {min: 3}
metrics: [hashes_per_s, rng.latency_ms.p99]
parameters:
  points:
    - {vars.placement: deployment}
    - {vars.placement: daemonset}
    - {vars.placement: "static pods"}
question: {find: smallest, parameter: vars.placement, metric: rng.latency_ms.p99, op: "<=", bound: 300}
`
	_, tb := runStudy(t, y, capacityRunner)
	w := writeStudy(t, nil, tb)
	report := checkFiles(t, w)
	if got := w.charts(""); fmt.Sprint(got) != "[points_hashes_per_s points_rng.latency_ms.p99]" {
		t.Fatalf("charts %v, want one dot chart per metric", got)
	}
	text := svgText(t, "points_rng.latency_ms.p99.svg", w.files["points_rng.latency_ms.p99.svg"])
	for _, want := range []string{"vars.placement=deployment", "vars.placement=daemonset", "vars.placement=static pods",
		"rng.latency_ms.p99 (ms)", "bound: rng.latency_ms.p99 <= 300"} {
		if !strings.Contains(text, want) {
			t.Errorf("points_rng.latency_ms.p99.svg does not show %q", want)
		}
	}
	if !strings.Contains(report, "The smallest vars.placement") {
		t.Error("the report does not state the question")
	}
}

// The built-in validation study through the M/M/c runner: each simulated
// metric against c, one curve per utilisation, with its theory drawn over it
// and a pass/fail verdict; the theory metrics get no charts of their own.
func TestWriteStudyMMCValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the M/M/c validation study")
	}
	s, err := study.Builtin("mmc-validation")
	if err != nil {
		t.Fatal(err)
	}
	res, err := study.Run(context.Background(), s, study.MMCRunner(), study.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := res.Table()
	if err != nil {
		t.Fatal(err)
	}
	w := writeStudy(t, s, tb)
	report := checkFiles(t, w)
	simulated := []string{"wq_s", "wait_s", "p_wait", "utilisation"}
	var want []string
	for _, m := range simulated {
		want = append(want, "curve_"+m)
	}
	if got := w.charts("curve_"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("curves %v, want %v: one per simulated metric, none for the theory metrics", got, want)
	}
	for _, c := range w.charts("") {
		if strings.Contains(c, "theory") || strings.HasSuffix(c, "_rho") {
			t.Errorf("chart %s charts a theory metric on its own", c)
		}
	}
	text := svgText(t, "curve_wq_s.svg", w.files["curve_wq_s.svg"])
	for _, want := range []string{"wq_s vs c", "wq_s (s)", "rho=0.5", "rho=0.8", "theory (wq_theory_s)", "PASS: theory inside the 95% CI"} {
		if !strings.Contains(text, want) {
			t.Errorf("curve_wq_s.svg does not show %q", want)
		}
	}
	if !strings.Contains(report, "PASS: theory inside the 95% CI") {
		t.Errorf("the report does not give the validation verdict")
	}
	for _, want := range []string{"mmc", "mser5", fmt.Sprint(s.Seed)} {
		if !strings.Contains(report, want) {
			t.Errorf("the report does not show %q", want)
		}
	}
}

// A simulated metric far from its theory fails the validation; identical
// curves are drawn as one line named by both; a fraction's axis runs 0-1.
func TestWriteStudyValidationFails(t *testing.T) {
	run := func(ctx context.Context, p study.Point, seed uint64) (study.Result, error) {
		c, _ := p.Get("c")
		cf, _ := c.Float()
		return study.Result{Scalars: map[string]float64{"wq_s": 1.2 * cf, "wq_theory_s": cf, "error_rate": 0.1}}, nil
	}
	s, tb := runStudy(t, `
name: biased
base: x
replications: {min: 5}
metrics: [wq_s, wq_theory_s, error_rate]
parameters:
  grid:
    c: [1, 2, 4]
    k: [a, b]
`, run)
	w := writeStudy(t, s, tb)
	report := checkFiles(t, w)
	text := svgText(t, "curve_wq_s.svg", w.files["curve_wq_s.svg"])
	if !strings.Contains(text, "FAIL: theory outside the 95% CI at 6 of 6 points") || !strings.Contains(report, "FAIL:") {
		t.Errorf("a simulation 20%% off its theory is not reported as failing the validation")
	}
	if !strings.Contains(text, "k=a and k=b (identical)") {
		t.Errorf("the curves of k=a and k=b are identical but not drawn as one")
	}
	er := svgText(t, "curve_error_rate.svg", w.files["curve_error_rate.svg"])
	if !strings.Contains(er, "\n1\n") || !strings.Contains(er, "\n0.4\n") {
		t.Errorf("error_rate (a fraction) is not drawn on a 0-1 axis")
	}
}

// Bad input: a nil table is an error; a metric without a finite mean gets no
// chart but the report is still written.
func TestWriteStudyBadTables(t *testing.T) {
	if _, err := plots.WriteStudy(t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Errorf("nil table: error %v, want one saying the table is nil", err)
	}
	p := study.Point{{Path: "x", Value: study.Number(1)}}
	q := study.Point{{Path: "x", Value: study.Number(2)}}
	nan := math.NaN()
	tb := &study.Table{Study: "broken", Parameters: []string{"x"}, Metrics: []string{"m", "ok"}, Rows: []study.Row{
		{Point: 0, Params: p, Metric: "m", Summary: study.Summary{N: 2, Mean: nan, StdDev: nan, HalfWidth: nan, Low: nan, High: nan}},
		{Point: 0, Params: p, Metric: "ok", Summary: study.Summary{N: 2, Mean: 1, HalfWidth: nan, Low: nan, High: nan}},
		{Point: 1, Params: q, Metric: "m", Summary: study.Summary{N: 2, Mean: nan, StdDev: nan, HalfWidth: nan, Low: nan, High: nan}},
		{Point: 1, Params: q, Metric: "ok", Summary: study.Summary{N: 2, Mean: 2, HalfWidth: 0.5, Low: 1.5, High: 2.5}},
	}}
	w := writeStudy(t, nil, tb)
	checkFiles(t, w)
	if got := w.charts(""); fmt.Sprint(got) != "[curve_ok]" {
		t.Errorf("charts %v, want only curve_ok (m has no finite mean)", got)
	}
}

// BenchmarkWriteStudy draws the rng-replicas-shaped study: 3 curves, 3 heat
// maps (PNG and SVG) and the report.
func BenchmarkWriteStudy(b *testing.B) {
	s, tb := runStudy(b, replicasStudy, capacityRunner)
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := plots.WriteStudyOf(dir, s, tb); err != nil {
			b.Fatal(err)
		}
	}
}

// A point that does not set the curves' parameter cannot be on a curve: the
// report says so rather than dropping it silently.
func TestWriteStudyPointWithoutX(t *testing.T) {
	y := `
name: partial
base: capacity
replications: {min: 2}
metrics: [hashes_per_s]
parameters:
  points:
    - {vars.rng_replicas: 1}
    - {vars.rng_replicas: 2}
    - {vars.placement: daemonset}
`
	_, tb := runStudy(t, y, capacityRunner)
	w := writeStudy(t, nil, tb)
	report := checkFiles(t, w)
	if !strings.Contains(report, "1 point does not set vars.rng_replicas and is not drawn") {
		t.Error("the report does not say that the daemonset point is not on the curve")
	}
}

// A dot chart of many points shows the highest and lowest and says so, at a
// readable height.
func TestWriteStudyManyCategoricalPoints(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: many\nbase: x\nreplications: {min: 2}\nmetrics: [m]\nparameters:\n  points:\n")
	for i := 0; i < 120; i++ {
		fmt.Fprintf(&b, "    - {k: p%03d}\n", i)
	}
	run := func(ctx context.Context, p study.Point, seed uint64) (study.Result, error) {
		v, _ := p.Get("k")
		var i float64
		fmt.Sscanf(v.String(), "p%f", &i)
		return study.Result{Scalars: map[string]float64{"m": i + float64(seed%7)/10}}, nil
	}
	_, tb := runStudy(t, b.String(), run)
	w := writeStudy(t, nil, tb)
	text := svgText(t, "points_m.svg", w.files["points_m.svg"])
	if !strings.Contains(text, "the 25 highest and 25 lowest of 120 points") || !strings.Contains(text, "k=p119") || !strings.Contains(text, "k=p000") || strings.Contains(text, "k=p060") {
		t.Errorf("the dot chart of 120 points does not show just the 25 highest and lowest")
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(w.files["points_m.png"]))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Height > 3000 {
		t.Errorf("points_m.png is %d px tall", cfg.Height)
	}
}

// One far point (a 35 s p99 where the others are tens of ms) must not flatten
// every other cell into the palette's first colour: the heat map then colours
// by the logarithm and says so on its colour scale; a narrow spread stays linear.
func TestWriteStudyHeatMapLogScale(t *testing.T) {
	farRunner := func(ctx context.Context, p study.Point, seed uint64) (study.Result, error) {
		r, _ := capacityRunner(ctx, p, seed)
		lat := 40.0
		if v, ok := p.Get("vars.rng_replicas"); ok && v.String() == "1" {
			if w, ok := p.Get("vars.workers"); ok && w.String() == "20" {
				lat = 35000
			}
		}
		r.Scalars["rng.latency_ms.p99"] = lat * (1 + float64(seed%7)/100)
		return r, nil
	}
	y := "name: h\nbase: capacity\nreplications: {min: 2}\nmetrics: [hashes_per_s, rng.latency_ms.p99]\nparameters:\n  grid:\n    vars.rng_replicas: [1, 2, 3]\n    vars.workers: [10, 20]\n"
	_, tb := runStudy(t, y, farRunner)
	w := writeStudy(t, nil, tb)
	lat := svgText(t, "heatmap_rng.latency_ms.p99.svg", w.files["heatmap_rng.latency_ms.p99.svg"])
	if !strings.Contains(lat, "(ms), log scale") {
		t.Errorf("the p99 heat map spans 40 ms to 35 s but is not on a log colour scale: %q", lat)
	}
	if h := svgText(t, "heatmap_hashes_per_s.svg", w.files["heatmap_hashes_per_s.svg"]); strings.Contains(h, "log scale") {
		t.Errorf("hashes_per_s spans less than a decade: its heat map should stay linear: %q", h)
	}
}

// A heat map's colour bar spans its grid, top to bottom, on a linear or a
// log scale: gonum's axis made room for its rotated label as if centred at
// the arithmetic middle of the range, which a log axis puts near its top, and
// shrank the bar (boutique-capacity's p99 bar ended a third of the grid below
// its top).
func TestWriteStudyHeatMapColourBarSpansGrid(t *testing.T) {
	longRunner := func(ctx context.Context, p study.Point, seed uint64) (study.Result, error) {
		r, _ := capacityRunner(ctx, p, seed)
		// 40 ms to 35 s: a log colour scale, whose label gonum placed at
		// the arithmetic middle of the range, near the bar's top.
		lat := 40.0
		if v, ok := p.Get("vars.rng_replicas"); ok && v.String() == "1" {
			if w, ok := p.Get("vars.workers"); ok && w.String() == "20" {
				lat = 35000
			}
		}
		r.Scalars["frontend.latency_ms.p99"] = lat * (1 + float64(seed%7)/100)
		return r, nil
	}
	y := "name: h\nbase: capacity\nreplications: {min: 2}\nmetrics: [frontend.latency_ms.p99, hashes_per_s]\nparameters:\n  grid:\n    vars.rng_replicas: [1, 2, 3]\n    vars.workers: [10, 20]\n"
	_, tb := runStudy(t, y, longRunner)
	w := writeStudy(t, nil, tb)
	for _, name := range []string{"heatmap_frontend.latency_ms.p99.png", "heatmap_hashes_per_s.png"} {
		img, err := png.Decode(bytes.NewReader(w.files[name]))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b := img.Bounds()
		// The rows holding a coloured pixel (the palette's colours; text,
		// ticks and lines are grey) left of 80% of the width (the grid) and
		// in the last sixth (the bar).
		span := func(x0, x1 int) (top, bottom int) {
			top, bottom = -1, -1
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := x0; x < x1; x++ {
					r, g, bl, _ := img.At(x, y).RGBA()
					if max(r, g, bl)-min(r, g, bl) > 40<<8 {
						if top < 0 {
							top = y
						}
						bottom = y
						break
					}
				}
			}
			return top, bottom
		}
		gt, gb := span(b.Min.X, b.Min.X+b.Dx()*8/10)
		bt, bb := span(b.Max.X-b.Dx()/6, b.Max.X)
		if gt < 0 || bt < 0 {
			t.Fatalf("%s: no grid (rows %d-%d) or no colour bar (rows %d-%d) found", name, gt, gb, bt, bb)
		}
		if abs(gt-bt) > 3 || abs(gb-bb) > 3 {
			t.Errorf("%s: the colour bar spans rows %d-%d, the grid %d-%d: it should be as tall as the grid", name, bt, bb, gt, gb)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

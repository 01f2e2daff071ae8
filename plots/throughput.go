package plots

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/kubesim/kubesim/metrics"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Mark is a labelled instant on a chart's time axis (a timeline step).
//
// Deprecated: fill Run.Timeline instead.
type Mark struct {
	T     float64
	Label string
}

// Step is one timeline step as the charts and the report show it.
type Step struct {
	T       float64 // simulated seconds
	Command string
	Output  string
	Error   string
	// Later marks the result of an earlier step that arrived at T (httping's
	// probes, ab's report): listed in the report, not marked on the charts.
	Later bool
}

// Run is what the charts, the CSV files and the report are made from.
type Run struct {
	// Title is the scenario's name; Description says what it shows.
	Title       string
	Description string
	// Summary is the run's summary (WallSeconds filled).
	Summary metrics.Summary
	// Timeline is every step with its time and result, in order.
	Timeline []Step
	// Series is the Recorder's time series: the run's Recorder.Series() after the run.
	Series *metrics.Series
	// Workloads are the workloads' own figures (Recorder.Figures: DockerCoins'
	// mining speed), drawn, tabled and reported before the generic ones; a
	// run without DockerCoins has none of its.
	Workloads []*metrics.Figures
	// Events are the cluster's Events at the end (the report lists the
	// Warning ones: events.go).
	Events []Event
	// NodeGroups is each node group's Ready nodes over time and PendingPods
	// the unschedulable pods, with a cluster autoscaler (the autoscaling
	// chart); nil without node groups.
	NodeGroups  []metrics.NamedSteps
	PendingPods []metrics.Point
	// HPAReplicas and HPAUtilization are each HPA's replicas and measured
	// utilization at its syncs; NodeCPU and PodCPU each node's and pod's CPU
	// in cores (the CPU charts, plots/cpu.go); nil without HPAs or
	// metrics-server.
	HPAReplicas, HPAUtilization, NodeCPU, PodCPU []metrics.NamedSteps
	// HPAMetrics is each HPA's first metric against its target, when that
	// is a Value or AverageValue target (chart hpa_metric_NAME).
	HPAMetrics []metrics.TargetSteps

	// Marks are what the charts marked before Timeline existed; they are used
	// only when Timeline is nil.
	Marks []Mark
}

func (r Run) title() string {
	if r.Title == "" {
		return "kubesim"
	}
	return r.Title
}

// withDefaults fills Series and Timeline from the older fields.
func (r Run) withDefaults() Run {
	if r.Series == nil {
		r.Series = &metrics.Series{End: r.Summary.SimSeconds, Window: 10, Bin: 1}
		for _, f := range r.Workloads {
			if f.Rate != nil && len(f.Rate.Windows) > 0 {
				r.Series.Window = f.Rate.Windows[0].End - f.Rate.Windows[0].Start
				break
			}
		}
	}
	if r.Timeline == nil {
		for _, m := range r.Marks {
			r.Timeline = append(r.Timeline, Step{T: m.T, Command: m.Label})
		}
	}
	return r
}

// pngDPI is the resolution of the PNG files: sharp on high-density screens,
// still small.
const pngDPI = 150

// height is the chart's full height: its panels and the legend below them.
func (c chart) height() vg.Length { return c.h + c.legend.height(c.w) }

// draw renders the chart's panels stacked vertically on dc, and the legend in
// a strip below them; the first panel of several (a bar chart or histogram,
// for pod load) has height topH, the others share the rest and their time
// axes line up (all of them when topH is 0).
func (c chart) draw(dc draw.Canvas) {
	if lh := c.legend.height(c.w); lh > 0 {
		strip := dc
		strip.Max.Y = dc.Min.Y + lh
		c.legend.draw(strip)
		dc.Min.Y += lh
	}
	// gonum/plot makes room for a y label as if it were centred at the
	// arithmetic middle of the axis's range, which on a log axis lies near
	// its top: the panel then lost a strip above its data (65 px of
	// online-boutique's latency_frontend). The label is set aside (a blank
	// of the same height keeps its place) and drawn centred on the data.
	labels := make([]string, len(c.panels))
	for i, p := range c.panels {
		if _, ok := p.Y.Scale.(plot.LogScale); ok && p.Y.Label.Text != "" {
			labels[i], p.Y.Label.Text = p.Y.Label.Text, " "
		}
	}
	defer func() {
		for i, p := range c.panels {
			if labels[i] != "" {
				p.Y.Label.Text = labels[i]
			}
		}
	}()
	drawPanel := func(i int, cv draw.Canvas) {
		p := c.panels[i]
		p.Draw(cv)
		if labels[i] == "" {
			return
		}
		sty := p.Y.Label.TextStyle
		x := cv.Min.X + sty.Height(labels[i]) - sty.FontExtents().Descent
		sty.Rotation += math.Pi / 2
		data := p.DataCanvas(cv)
		cv.FillText(sty, vg.Point{X: x, Y: data.Center().Y}, labels[i])
	}
	if len(c.panels) == 1 {
		drawPanel(0, draw.Crop(dc, vg.Points(2), -vg.Points(6), vg.Points(2), -vg.Points(2)))
		return
	}
	// topH 0: every panel the same height, their axes lined up.
	rest, below := dc, c.panels
	if c.topH > 0 {
		top := dc
		top.Min.Y = dc.Max.Y - c.topH
		drawPanel(0, draw.Crop(top, vg.Points(4), -vg.Points(6), vg.Points(4), -vg.Points(4)))
		rest.Max.Y = top.Min.Y
		below = c.panels[1:]
	}
	col := make([][]*plot.Plot, len(below))
	for i, p := range below {
		col[i] = []*plot.Plot{p}
	}
	t := draw.Tiles{Rows: len(col), Cols: 1, PadY: vg.Points(8), PadLeft: vg.Points(4), PadRight: vg.Points(6), PadBottom: vg.Points(4)}
	first := len(c.panels) - len(below)
	for i, cv := range plot.Align(col, t, rest) {
		drawPanel(first+i, cv[0])
	}
}

// encode renders the chart as PNG and SVG.
func (c chart) encode() (png, svg []byte, err error) {
	defer func() {
		// gonum/plot panics on impossible axes (e.g. a log axis over 0); report
		// it as an error naming the chart rather than crashing the run.
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing chart %s: %v", c.name, r)
		}
	}()
	h := c.height()
	img := vgimg.NewWith(vgimg.UseWH(c.w, h), vgimg.UseDPI(pngDPI))
	c.draw(draw.New(img))
	var pb bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&pb); err != nil {
		return nil, nil, err
	}
	sv := vgsvg.New(c.w, h)
	c.draw(draw.New(sv))
	var sb bytes.Buffer
	if _, err := sv.WriteTo(&sb); err != nil {
		return nil, nil, err
	}
	return pb.Bytes(), sb.Bytes(), nil
}

// save writes DIR/NAME.png and DIR/NAME.svg.
func (c chart) save(dir string) ([]string, error) {
	png, svg, err := c.encode()
	if err != nil {
		return nil, err
	}
	return writeFiles(dir, map[string][]byte{c.name + ".png": png, c.name + ".svg": svg}, c.name+".png", c.name+".svg")
}

// writeFiles writes the named contents in the given order.
func writeFiles(dir string, contents map[string][]byte, order ...string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating output directory: %w", err)
	}
	var files []string
	for _, name := range order {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, contents[name], 0o644); err != nil {
			return files, fmt.Errorf("writing %s: %w", f, err)
		}
		files = append(files, f)
	}
	return files, nil
}

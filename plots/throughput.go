package plots

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kubesim/kubesim/model"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Mark is a labelled instant on a chart's time axis (a timeline step).
type Mark struct {
	T     float64
	Label string
}

// Run is what the charts are drawn from.
type Run struct {
	Title   string
	Summary model.Summary
	Speeds  []model.Point // the web UI's instantaneous speed
	Marks   []Mark
}

// Throughput writes the hashes/s chart as DIR/NAME.png and DIR/NAME.svg.
func Throughput(run Run, dir, name string) ([]string, error) {
	p := plot.New()
	p.Title.Text = run.Title + ": mining speed"
	p.X.Label.Text = "simulated time (s)"
	p.Y.Label.Text = "hashes/s (web UI)"
	pts := make(plotter.XYs, len(run.Speeds))
	for i, s := range run.Speeds {
		pts[i].X, pts[i].Y = s.T, s.V
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	p.Add(line, plotter.NewGrid())
	p.Legend.Add("instantaneous speed", line)
	p.X.Min = 0
	p.Y.Min = 0
	return save(p, dir, name, 9*vg.Inch, 4.5*vg.Inch)
}

func save(p *plot.Plot, dir, name string, w, h vg.Length) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for _, ext := range []string{".png", ".svg"} {
		f := filepath.Join(dir, name+ext)
		if err := p.Save(w, h, f); err != nil {
			return files, fmt.Errorf("writing %s: %w", f, err)
		}
		files = append(files, f)
	}
	return files, nil
}

package plots

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ReportName is the HTML report's file name.
const ReportName = "report.html"

// WriteAll writes every chart (PNG and SVG), every CSV file and the HTML report
// of run into dir, creating it if needed, and returns the files written in
// order. run.Series must be set (the run's Recorder.Series() after the run).
func WriteAll(dir string, run Run) ([]string, error) {
	if run.Series == nil {
		return nil, errors.New("plots.WriteAll: run.Series is nil: set it to the cluster's Rec.Series() after the run")
	}
	run = run.withDefaults()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating output directory: %w", err)
	}
	cs, err := charts(run)
	if err != nil {
		return nil, err
	}
	var files []string
	write := func(name string, b []byte) error {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, b, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", f, err)
		}
		files = append(files, f)
		return nil
	}
	// Each chart is written as soon as it is drawn; only its PNG is kept, for
	// the report.
	var figs []figure
	for i, c := range cs {
		png, svg, err := c.encode()
		cs[i] = chart{} // its plots can go
		if err != nil {
			return files, err
		}
		if err := write(c.name+".png", png); err != nil {
			return files, err
		}
		if err := write(c.name+".svg", svg); err != nil {
			return files, err
		}
		figs = append(figs, figure{Name: c.name, Title: c.title, PNG: pngURL(png)})
	}
	data, err := writeCSVs(dir, run)
	for _, name := range data {
		files = append(files, filepath.Join(dir, name))
	}
	if err != nil {
		return files, err
	}
	html, err := renderReport(reportOf(run, figs, data))
	if err != nil {
		return files, err
	}
	return files, write(ReportName, html)
}

package plots

import (
	"errors"
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
	cs, err := charts(run)
	if err != nil {
		return nil, err
	}
	contents := map[string][]byte{}
	var order []string
	var figs []figure
	for _, c := range cs {
		png, svg, err := c.encode()
		if err != nil {
			return nil, err
		}
		contents[c.name+".png"], contents[c.name+".svg"] = png, svg
		order = append(order, c.name+".png", c.name+".svg")
		figs = append(figs, figure{Name: c.name, Title: c.title, PNG: pngURL(png)})
	}
	var data []string
	for _, t := range csvTables(run) {
		contents[t.name] = t.bytes()
		order = append(order, t.name)
		data = append(data, t.name)
	}
	html, err := renderReport(reportOf(run, figs, data))
	if err != nil {
		return nil, err
	}
	contents[ReportName] = html
	order = append(order, ReportName)
	files, err := writeFiles(dir, contents, order...)
	if err != nil {
		return files, err
	}
	return files, nil
}

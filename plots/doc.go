// Package plots owns what a run shows a person: charts (gonum/plot, PNG and SVG),
// the HTML report and the CSV files, made from a run's measurements.
package plots

// Package plots owns what a run shows a person: charts (gonum/plot, PNG and SVG),
// the self-contained HTML report and the CSV files, made from a run's
// measurements (metrics.Summary and metrics.Series), and the progress bar of long
// runs. WriteAll writes them all; README.md documents every file.
package plots

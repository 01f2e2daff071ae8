// Package bench holds benchmarks that span packages: the selector and endpoint
// core against Kubernetes' own implementation, and whole-simulation throughput.
// Its only code outside _test files is the scenario files of the runs at
// scale (BusyYAML, MillionYAML), shared with the scale table's command,
// bench/scaletable.
package bench

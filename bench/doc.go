// Package bench holds benchmarks that span packages: the selector and endpoint
// core against Kubernetes' own implementation, and whole-simulation throughput.
// It has no code of its own outside _test files.
package bench

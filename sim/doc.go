// Package sim owns kubesim's discrete-event engine: the virtual clock, the event
// list with deterministic ordering (time, then insertion sequence), timers that can
// be cancelled, and the seeded random streams and distributions every model
// component draws from. It knows nothing about Kubernetes.
package sim

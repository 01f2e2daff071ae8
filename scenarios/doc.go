// Package scenarios owns what a user asks kubesim to simulate: scenario files, the
// built-in scenarios, Kubernetes manifests read into the model, and the timeline of
// kubectl-style steps applied at simulated times.
package scenarios

// Package labels owns Kubernetes label sets and label selectors as the simulator
// uses them: parsing the kubectl / k8s.io/apimachinery selector string grammar,
// converting metav1.LabelSelector and Service map selectors, validating label keys
// and values with Kubernetes' rules, and matching compiled selectors against
// compiled label sets without allocating.
//
// Accepted and rejected selector strings, match results and the canonical String()
// form are the same as k8s.io/apimachinery/pkg/labels (checked by a differential
// test and a fuzz target); the implementation is our own.
//
// Compilation interns keys and values to small integers (ID) so that a match is a
// few integer comparisons on small arrays. Interning is goroutine-safe and happens
// only when a selector is parsed or a label set is compiled, never while matching.
// An owner that recompiles one label set again and again (the endpoint index, per
// pod) uses Owned, which reuses its storage and the IDs of the labels that stay.
// MatchesMap matches a plain map without compiling it: one map lookup per
// requirement tested, in an order that rejects soonest.
// IDs depend on the order in which strings were first seen, so they never decide any
// order or output visible to users: label sets and requirements are ordered by their
// key strings.
//
// Nil and empty selectors differ by source, as in Kubernetes:
//   - the empty selector string and an empty metav1.LabelSelector match everything;
//   - a nil *metav1.LabelSelector matches nothing;
//   - a Service's map selector that is nil or empty selects no pods (its endpoints
//     are managed by hand): use ServiceSelector. SelectorFromMap follows
//     apimachinery's SelectorFromSet instead, where nil and empty match everything.
package labels

// Package endpoints owns the endpoint index: for every Service, the pods its
// selector matches, with their EndpointSlice conditions, maintained incrementally
// as pods and Services change, and the notifications that carry each change to
// subscribers (kube-proxy in the model).
//
// # Semantics (from the EndpointSlice controller)
//
// A pod is an endpoint of a Service when the Service's selector matches its
// labels, it has an IP, and it has not Succeeded or Failed. Its conditions:
// serving is the pod's Ready condition, terminating is whether deletion has
// started, ready is serving and not terminating (see PodState.Conditions).
// Terminating pods stay listed until they are deleted. A Service with a nil (or
// Nothing) selector has no endpoints here: in Kubernetes its endpoints are
// managed by hand. publishNotReadyAddresses is not modelled.
//
// # Identifiers
//
// The caller (the model) keeps its own object tables and gives pods and Services
// dense non-negative integer ids (PodID, ServiceID). The index keeps slices
// indexed by id, so ids should be reused rather than grow without bound.
//
// # How a change finds the Services it affects
//
// Kubernetes' controller lists every Service of the namespace for each pod event
// and matches its selector. The index does not scan Services. It keeps:
//
//   - for each label pair key=value (interned ids from package labels): the pods
//     that carry it (a posting list) and the Services registered under it;
//   - for each key: its pairs, the number of pods carrying it, and the Services
//     registered under the key alone;
//   - a scan list of Services whose selector has no positive requirement.
//
// Every Service is registered under one of its positive requirements, one a
// matching pod must satisfy by carrying a key: an =, == or in requirement under
// each of its key=value pairs, an exists, gt or lt requirement under its key. The
// index picks the requirement whose pairs (or key) the fewest pods carry when the
// Service is set; on a tie, key=value over key-only, then the one with the fewest
// Services already registered there (so that app=X,tier=Y goes under app=X even
// before any pod exists, because many Services share tier=Y), then the first by
// key. Selectors with only !=, notin or !key requirements, and the empty
// selector, go on the scan list; Nothing is not registered. The choice is made
// once, when the selector is set: it affects speed only, never results.
//
// Because a pod has one value per key and a Service is registered under one key,
// each Service is offered at most once per pod: the candidates of a pod are the
// Services registered under its pairs, under its keys, and on the scan list.
// Each candidate is verified with labels.Selector.Matches.
//
// SetPod updates the pod's posting lists (only the pairs that changed), then
// compares the candidates that match now with the Services the pod was an
// endpoint of (kept per pod), and commits the difference. A change of state
// alone (Ready, termination) that keeps the pod eligible only rewrites the
// conditions of its current memberships. SetService lists the pods of the
// pairs (or key) the selector is registered under, or every pod for a scan-list
// selector, and compares them with the Service's current endpoints.
//
// Membership is kept on both sides: each Service has a dense slice of its pods,
// each pod a small slice of (Service, position) pairs, so adding or removing an
// endpoint is O(1) plus a scan of one pod's few memberships. Per-operation marks
// (epoch-stamped arrays indexed by id) make the set differences allocation-free.
//
// # Costs
//
// SetPod is O(labels + candidates + changes) and does not allocate once the
// tables have grown (new label pairs, a Service's first members and the like
// grow slices and maps). SetPodMap, which the model calls on every pod change,
// takes the pod's label map instead of a compiled set: the index keeps one
// compiled set per pod id (labels.Owned) and recompiles it in place, reusing the
// interned ids of labels that stay, so that the compile does not allocate
// either; a change that keeps the labels (readiness, IP, termination: most of
// them) costs one map lookup per label to see that, and no compile. At 150,000 pods and 10,000 Services with realistic
// selectors a label change that flips four memberships matches about four
// selectors (see bench.BenchmarkEndpointUpdate). A selector on the scan list
// costs one Matches on every pod change, so such selectors should stay few (as
// they are in practice).
//
// # Order and determinism
//
// Nothing visible depends on map iteration order or on interned ids. Endpoints
// lists a Service's endpoints by PodID and Services a pod's Services by
// ServiceID. The changes of one operation are delivered to subscribers in
// ServiceID order (pod operations) or PodID order (Service operations), after
// the index has been updated, synchronously, so that the model can schedule their
// arrival at kube-proxy after the modelled propagation delay.
package endpoints

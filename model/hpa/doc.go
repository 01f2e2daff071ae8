// Package hpa is the horizontal pod autoscaler controller of
// kube-controller-manager (pkg/controller/podautoscaler, v1.37), written
// from its rules: every HPA is reconciled when created and then every 15 s
// (SyncPeriod).
//
// # Semantics
//
// The replica calculator (Calculator) groups the target's pods as
// groupPods does: deleted and failed pods are ignored; pending ones are
// unready; those without a metric are missing; for CPU, a pod within its
// CPU initialization period (5 min after its start) counts only if Ready
// and its metric's window began after it became Ready, and after that
// period an unready pod is left out only if it never was Ready (its Ready
// condition changed within 30 s, InitialReadinessDelay, of its start).
// The usage ratio is the ready pods' usage over their requests (truncated
// to a whole percent, as the controller does) divided by the target; a
// ratio within 0.1 of 1 (Tolerance) changes nothing; otherwise the desired
// replicas are ceil(ratio x ready pods). With missing metrics or unready
// pods on a scale-up, it recomputes with missing pods at 0 (scale-up) or
// at max(100%, target) of their request (scale-down) and unready pods at 0,
// and keeps the current count if that reverses the direction or falls
// within the tolerance. A pod without a request of the resource stops the
// metric: `missing request for cpu in container C of Pod P`.
//
// Several metrics: each proposes a count, the largest wins; invalid
// metrics stop scaling if all are invalid or if the valid ones would scale
// down. Then the count is normalised: without spec.behavior, by the
// highest recommendation of the last 5 minutes (downscale stabilization)
// and a scale-up of at most max(2 x current, 4); with a behavior, by the
// stabilization windows (the lowest recommendation of the scale-up window
// and the highest of the scale-down window bound the current count) and
// the policies (Pods or Percent per period, counting the scale events of
// the period; selectPolicy Max, Min or Disabled); then min and max. The
// conditions AbleToScale, ScalingActive and ScalingLimited and the events
// (SuccessfulRescale, FailedGetResourceMetric, FailedComputeMetricsReplicas,
// FailedGetScale) carry the controller's reasons and messages.
//
// Metrics come through Source: the resource metrics API (metrics-server)
// for Resource metrics, the custom and external metrics APIs for Pods,
// Object and External metrics. The package does not measure anything.
//
// Not modelled: per-HPA tolerances (behavior.scaleUp/scaleDown.tolerance),
// ContainerResource metrics, scale targets other than Deployments,
// pod-level resources, several containers with only some requests (kubesim
// keeps a pod's requests summed: only a pod without any request is missing
// one).
//
// # Costs and determinism
//
// A reconcile lists the cluster's pods (O(pods)) and keeps at most one
// recommendation and scale event per sync within the windows. No random
// draws: the same run gives the same decisions.
package hpa

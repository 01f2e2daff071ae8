package kubectl

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Messages the runner prints when it applies a command, worded as kubectl
// words them. Errors are *RefusalError so callers can tell a refusal (the step
// fails as it would in a terminal) from a bug.

// NotFound: Error from server (NotFound): deployments.apps "rng" not found
func NotFound(r Resource, name string) error {
	return refusal("Error from server (NotFound): %s %q not found", r.Qualified(), name)
}

// AlreadyExists: Error from server (AlreadyExists): deployments.apps "rng" already exists
// (kubectl create -f / expose). For create deployment use CreateAlreadyExists.
func AlreadyExists(r Resource, name string) error {
	return refusal("Error from server (AlreadyExists): %s %q already exists", r.Qualified(), name)
}

// CreateAlreadyExists: error: failed to create deployment: deployments.apps "rng" already exists
func CreateAlreadyExists(r Resource, name string) error {
	return refusal("error: failed to create %s: %s %q already exists", strings.ToLower(r.Kind()), r.Qualified(), name)
}

// LabelOverwrite: error: 'enabled' already has a value (yes), and --overwrite is false
func LabelOverwrite(key, value string) error {
	return refusal("error: '%s' already has a value (%s), and --overwrite is false", key, value)
}

// AnnotationOverwrite: error: --overwrite is false but found the following
// declared annotation(s): 'a' already has a value (b)
func AnnotationOverwrite(existing []KeyValue) error {
	parts := make([]string, len(existing))
	for i, kv := range existing {
		parts[i] = fmt.Sprintf("'%s' already has a value (%s)", kv.Key, kv.Value)
	}
	return refusal("error: --overwrite is false but found the following declared annotation(s): %s", strings.Join(parts, "; "))
}

// NoResourcesFound is what `kubectl get` prints (on stderr, exit status 0)
// when nothing matches: "No resources found in default namespace." or, for
// cluster-scoped resources or -A, "No resources found".
func NoResourcesFound(namespace string) string {
	if namespace == "" {
		return "No resources found"
	}
	return fmt.Sprintf("No resources found in %s namespace.", namespace)
}

// Done is the success line of a mutating command: "deployment.apps/rng
// scaled", "pod/rng-x labeled", "node/node1 cordoned"... what is kubectl's
// past participle: created, configured, unchanged, deleted, scaled, labeled,
// not labeled, annotated, patched, "patched (no change)", exposed, restarted,
// "selector updated", "image updated", tainted, untainted, cordoned,
// "already cordoned", uncordoned, "already uncordoned", drained, evicted.
func Done(r Resource, name, what string) string {
	return r.Ref(name) + " " + what
}

// Deleted is kubectl delete's line: the kind in lower case with its group, as
// kubectl's delete printer writes it (deployment.apps "rng" deleted, pod
// "rng-x" deleted), then, for a namespaced object (kubectl >= 1.31), "from
// default namespace".
func Deleted(r Resource, name, namespace string) string {
	kind := strings.ToLower(r.GroupKind())
	if i := strings.IndexByte(kind, '.'); i >= 0 {
		kind = strings.ToLower(r.Kind()) + kind[i:]
	}
	s := fmt.Sprintf("%s %q deleted", kind, name)
	if namespace != "" && r.Namespaced() {
		s += " from " + namespace + " namespace"
	}
	return s
}

// DrainRefused is kubectl drain's refusal when pods block the drain (after
// the node was cordoned): daemonPods need --ignore-daemonsets, unmanaged pods
// (no controller) need --force. Pods are "namespace/name".
func DrainRefused(node string, daemonPods, unmanagedPods []string) error {
	var errs []string
	if len(unmanagedPods) > 0 {
		errs = append(errs, "cannot delete Pods that declare no controller (use --force to override): "+joinSorted(unmanagedPods))
	}
	if len(daemonPods) > 0 {
		errs = append(errs, "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): "+joinSorted(daemonPods))
	}
	agg := strings.Join(errs, ", ")
	if len(errs) > 1 {
		agg = "[" + agg + "]"
	}
	return refusal("error: unable to drain node %q due to error: %s, continuing command...\nThere are pending nodes to be drained:\n %s\n%s",
		node, agg, node, strings.Join(errs, "\n"))
}

// DrainIgnoringDaemonSets is the warning drain --ignore-daemonsets prints.
func DrainIgnoringDaemonSets(daemonPods []string) string {
	return "Warning: ignoring DaemonSet-managed Pods: " + joinSorted(daemonPods)
}

// Evicting is drain's line per pod: evicting pod default/rng-x
func Evicting(namespace, pod string) string {
	return fmt.Sprintf("evicting pod %s/%s", namespace, pod)
}

// TaintExists: error: node node1 already has dedicated taint(s) with same
// effect(s) and --overwrite is false
func TaintExists(node, key string) error {
	return refusal("error: node %s already has %s taint(s) with same effect(s) and --overwrite is false", node, key)
}

// TaintNotFound: error: taint "dedicated:NoSchedule" not found
func TaintNotFound(t TaintSpec) error {
	return refusal("error: taint %q not found", t.String())
}

// ExposeNoPort: error: couldn't find port via --port flag or introspection
func ExposeNoPort() error {
	return refusal("error: couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples")
}

// ExposeNoSelector: error: couldn't retrieve selectors via --selector flag or
// introspection: the pod has no labels and cannot be exposed
func ExposeNoSelector(detail string) error {
	return refusal("error: couldn't retrieve selectors via --selector flag or introspection: %s\nSee 'kubectl expose -h' for help and examples", detail)
}

// RestartNotSupported: error: pods "x" restarting is not supported
func RestartNotSupported(r Resource, name string) error {
	return refusal("error: %s %q restarting is not supported", r.Qualified(), name)
}

// RolloutWaiting and RolloutDone are `kubectl rollout status` lines for a
// Deployment.
func RolloutWaiting(name string, updated, replicas int32) string {
	return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated...", name, updated, replicas)
}

// RolloutWaitingAvailable is printed while updated replicas become available.
func RolloutWaitingAvailable(name string, available, updated int32) string {
	return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d of %d updated replicas are available...", name, available, updated)
}

// RolloutWaitingTermination is printed while old replicas terminate.
func RolloutWaitingTermination(name string, old int32) string {
	return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d old replicas are pending termination...", name, old)
}

// RolloutDeadlineExceeded: error: deployment "web" exceeded its progress
// deadline (rollout status of a Deployment whose Progressing condition says
// ProgressDeadlineExceeded).
func RolloutDeadlineExceeded(name string) error {
	return refusal("error: deployment %q exceeded its progress deadline", name)
}

// WaitTimedOut: error: timed out waiting for the condition (rollout status
// --timeout).
func WaitTimedOut() error {
	return refusal("error: timed out waiting for the condition")
}

// RolloutDone: deployment "rng" successfully rolled out
func RolloutDone(name string) string {
	return fmt.Sprintf("deployment %q successfully rolled out", name)
}

// DaemonSetRolloutWaiting and DaemonSetRolloutDone are the DaemonSet forms.
func DaemonSetRolloutWaiting(name string, updated, desired int32) string {
	return fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d out of %d new pods have been updated...", name, updated, desired)
}

// DaemonSetRolloutDone: daemon set "rng" successfully rolled out
func DaemonSetRolloutDone(name string) string {
	return fmt.Sprintf("daemon set %q successfully rolled out", name)
}

// SelectorImmutable is the API server's refusal of a changed Deployment,
// ReplicaSet or DaemonSet selector (apps/v1 selectors are immutable).
func SelectorImmutable(r Resource, name string, selector string) error {
	return refusal("The %s %q is invalid: spec.selector: Invalid value: %s: field is immutable", r.Kind(), name, selector)
}

func joinSorted(xs []string) string {
	s := append([]string(nil), xs...)
	sort.Strings(s)
	return strings.Join(s, ", ")
}

// ShortDuration formats a simulated time as Go formats durations, without trailing
// zero units (4m0s -> 4m, 1m30s stays).
func ShortDuration(t sim.Time) string {
	str := time.Duration(t).String()
	if strings.HasSuffix(str, "m0s") {
		str = strings.TrimSuffix(str, "0s")
	}
	if strings.HasSuffix(str, "h0m") {
		str = strings.TrimSuffix(str, "0m")
	}
	return str
}

package manifest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Unapplied lists the fields in which want (an object a patch or edit asked
// for, starting from before) differs from got (the same object read back from the model once the
// change was applied): the parts of the change kubesim did not simulate. Both
// are compared as the API server prints them (SetPrintDefaults), status and
// server-populated metadata left out; a field want leaves out is the
// server's to fill (a default, an allocated nodePort). Paths are JSON field paths with list
// indices, e.g. "spec.template.spec.containers[0].command", sorted.
//
// Only the fields the change made are listed: those where want differs
// from before, the object the change started from (a field the model never
// keeps, such as a probe's httpGet, is not listed at every later patch).
func Unapplied(want, got, before runtime.Object) []string {
	a, b := printedMap(want), printedMap(got)
	var missed, changed []string
	diffValues(a, b, "", &missed)
	diffValues(a, printedMap(before), "", &changed)
	var out []string
	for _, m := range missed {
		for _, c := range changed {
			if m == c || strings.HasPrefix(m, c+".") || strings.HasPrefix(m, c+"[") || strings.HasPrefix(c, m+".") || strings.HasPrefix(c, m+"[") {
				out = append(out, m)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// serverFields are metadata fields the API server sets.
var serverFields = []string{"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"}

func printedMap(obj runtime.Object) map[string]any {
	obj = obj.DeepCopyObject()
	SetPrintDefaults(obj)
	if sv, ok := obj.(*corev1.Service); ok && sv.Spec.Type != corev1.ServiceTypeNodePort && sv.Spec.Type != corev1.ServiceTypeLoadBalancer {
		// A Service leaving NodePort or LoadBalancer loses its nodePorts
		// and externalTrafficPolicy (the API server's
		// dropTypeDependentFields).
		sv.Spec.ExternalTrafficPolicy = ""
		for i := range sv.Spec.Ports {
			sv.Spec.Ports[i].NodePort = 0
		}
	}
	if n, ok := obj.(*corev1.Node); ok {
		// The unschedulable taint follows spec.unschedulable (compared
		// itself): the node lifecycle controller adds and removes it.
		var ts []corev1.Taint
		for _, t := range n.Spec.Taints {
			if t.Key != corev1.TaintNodeUnschedulable {
				ts = append(ts, t)
			}
		}
		n.Spec.Taints = ts
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		for _, f := range serverFields {
			delete(md, f)
		}
	}
	return m
}

func diffValues(a, b any, path string, out *[]string) {
	if a == nil {
		return // left out of want: the server's default or allocation (a nodePort, a clusterIP)
	}
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		for k := range keys {
			diffValues(av[k], bv[k], joinField(path, k), out)
		}
		return
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			break
		}
		for i := range av {
			diffValues(av[i], bv[i], fmt.Sprintf("%s[%d]", path, i), out)
		}
		return
	}
	if !reflect.DeepEqual(a, b) && !(isEmptyJSON(a) && isEmptyJSON(b)) {
		*out = append(*out, path)
	}
}

// isEmptyJSON: nil, an empty map or an empty list (printed alike, omitted).
func isEmptyJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

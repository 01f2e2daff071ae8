package kubectl

import (
	"github.com/kubesim/kubesim/scenarios/manifest"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// threeWayApplied is the object kubectl apply makes of o, a manifest object,
// over the existing object of its name (manifest.ApplyThreeWay): the live
// object, less what the last apply gave and the file no longer does, with
// the file's fields. What kubectl scale, patch, edit, label or annotate set
// and neither the file nor the last apply has is kept. Without a live object
// (or for a kind patch cannot start from) it is o's own object.
func (x *Executor) threeWayApplied(o manifest.Object, source string) (runtime.Object, error) {
	r, ok := ResourceForKind(o.Kind)
	if !ok || o.Raw == nil {
		return o.Obj, nil
	}
	t := Target{Resource: r, Name: o.Name}
	live := x.apiObject(t)
	if live == nil {
		return o.Obj, nil
	}
	var last []byte
	if m := r.Object(x.c, x.ns, o.Name); m != nil {
		last = []byte(x.lastApplied[m])
	}
	obj, err := manifest.ApplyThreeWay(live, last, o.Raw, source)
	if err != nil {
		return nil, err
	}
	// No labels or annotations left is "none", which apply sets (a nil
	// map leaves the object's own).
	if m, ok := obj.(metav1.Object); ok {
		if m.GetLabels() == nil {
			m.SetLabels(map[string]string{})
		}
		if m.GetAnnotations() == nil {
			m.SetAnnotations(map[string]string{})
		}
	}
	return obj, nil
}

package kubectl

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// mergeAppliedMeta gives obj, about to be applied over an existing object,
// the labels and annotations kubectl apply's three-way merge computes from
// the last applied configuration, the live object and the file: a key the
// last apply gave and the file no longer has is removed, a key of the file
// is set, and a key set on the live object otherwise (kubectl label,
// annotate) is kept. Without a live object obj is left as it is.
func (x *Executor) mergeAppliedMeta(obj runtime.Object) {
	meta, ok := obj.(metav1.Object)
	kind, known := apiKind(obj)
	if !ok || !known || kind.get == nil {
		return
	}
	live := kind.get(x.c, x.ns, meta.GetName())
	if live == nil {
		return
	}
	var last struct {
		Metadata struct {
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
	}
	if v, ok := x.lastApplied[live]; ok {
		_ = json.Unmarshal([]byte(v), &last) // written by LastApplied: valid JSON
	}
	lm := live.Meta()
	meta.SetLabels(threeWay(last.Metadata.Labels, lm.Labels, meta.GetLabels()))
	meta.SetAnnotations(threeWay(last.Metadata.Annotations, lm.Annotations, meta.GetAnnotations()))
}

// threeWay is kubectl apply's merge of one string map: live, less the keys of
// last that file leaves out, with file's entries. The result is never nil
// (an empty map says "none", which apply sets).
func threeWay(last, live, file map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range live {
		if _, had := last[k]; had {
			if _, has := file[k]; !has {
				continue
			}
		}
		out[k] = v
	}
	for k, v := range file {
		out[k] = v
	}
	return out
}

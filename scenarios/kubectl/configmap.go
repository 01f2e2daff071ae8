package kubectl

import (
	"sort"
	"strconv"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios/manifest"
	"github.com/kubesim/kubesim/sim"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConfigMaps are v1 ConfigMaps: applied from manifests, and the cluster
// autoscaler's kube-system/cluster-autoscaler-status.
const ConfigMaps Resource = "configmaps"

// applyConfigMap creates or updates a ConfigMap (apply, create -f, patch,
// edit).
func (x *Executor) applyConfigMap(o *corev1.ConfigMap, verb applyVerb) (string, error) {
	spec := model.ConfigMapSpec{Name: o.Name, Namespace: x.ns, Labels: o.Labels, Annotations: o.Annotations,
		Data: o.Data, BinaryData: o.BinaryData, Immutable: o.Immutable != nil && *o.Immutable}
	cm := x.c.ConfigMapIn(x.ns, o.Name)
	if cm == nil {
		if _, err := x.c.CreateConfigMap(spec); err != nil {
			return "", invalid("ConfigMap", o.Name, err)
		}
		return Done(ConfigMaps, o.Name, verb(true, true)), nil
	}
	changed := false
	same := manifest.SameMap(spec.Data, cm.Data) && sameBinary(spec.BinaryData, cm.BinaryData) && spec.Immutable == cm.Immutable
	if !same {
		spec.Annotations = nil // applyMeta's
		if err := x.c.UpdateConfigMap(cm, spec); err != nil {
			return "", invalid("ConfigMap", o.Name, err)
		}
		changed = true
	}
	if err := x.applyMeta(cm, o.ObjectMeta, &changed); err != nil {
		return "", invalid("ConfigMap", o.Name, err)
	}
	return Done(ConfigMaps, o.Name, verb(false, changed)), nil
}

func sameBinary(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || string(w) != string(v) {
			return false
		}
	}
	return true
}

// configMapObject is cm as the API server returns a v1 ConfigMap.
func (x *Executor) configMapObject(_ *printer, cm *model.ConfigMap) *corev1.ConfigMap {
	return apiConfigMap(x.c, cm)
}

func apiConfigMap(c *model.Cluster, cm *model.ConfigMap) *corev1.ConfigMap {
	out := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: manifest.APIMeta(c, &cm.ObjectMeta), Data: cm.Data, BinaryData: cm.BinaryData}
	if cm.Immutable {
		t := true
		out.Immutable = &t
	}
	return out
}

// configMapRow is get configmaps' NAME DATA AGE: DATA counts the keys of
// data and binaryData.
func (p *printer) configMapRow(cm *model.ConfigMap) (row, wide []string) {
	return []string{cm.Name, strconv.Itoa(len(cm.Data) + len(cm.BinaryData)), p.age(cm.CreationTimestamp)}, nil
}

// describeConfigMap is kubectl describe configmap (its ConfigMapDescriber):
// each data key, a "----" rule and its value; binaryData keys with their
// size; the events (the cluster autoscaler's on its status ConfigMap).
func (p *printer) describeConfigMap(w *DescribeWriter, cm *model.ConfigMap) {
	w.write(0, "Name:\t%s\n", cm.Name)
	w.write(0, "Namespace:\t%s\n", cm.Namespace)
	w.multiline(0, "Labels", sortedPairs(cm.Labels, "="))
	w.multiline(0, "Annotations", sortedPairs(cm.Annotations, ": "))
	w.write(0, "\nData\n====\n")
	for _, k := range sortedKeys(cm.Data) {
		w.write(0, "%s:\n----\n", k)
		w.write(0, "%s\n", cm.Data[k])
	}
	w.write(0, "\nBinaryData\n====\n")
	bk := make([]string, 0, len(cm.BinaryData))
	for k := range cm.BinaryData {
		bk = append(bk, k)
	}
	sort.Strings(bk)
	for _, k := range bk {
		w.write(0, "%s: %d bytes\n", k, len(cm.BinaryData[k]))
	}
	w.write(0, "\n")
	p.describeEvents(w, model.ObjectRef{Kind: "ConfigMap", Namespace: cm.Namespace, Name: cm.Name, UID: cm.UID})
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func deleteConfigMap(c *model.Cluster, cm *model.ConfigMap, _ sim.Time) error {
	c.DeleteConfigMap(cm)
	return nil
}

package manifest

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubesim/kubesim/model"
)

// An explicit `cpu: 0` request reaches the scheduler as a request (its
// 100m/200Mi scoring defaults are for missing requests); a container without
// one leaves it missing. Preferred node affinity terms are kept with their
// weights.
func TestPodSpecExplicitZeroAndPreferredAffinity(t *testing.T) {
	zero := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("0")}
	ps := ModelPodSpec(corev1.PodSpec{Containers: []corev1.Container{{Name: "a", Image: "i", Resources: corev1.ResourceRequirements{Requests: zero}}}})
	if ps.ExplicitZero != (model.RequestFlags{CPU: true}) {
		t.Errorf("cpu: 0 gives %+v, want an explicit zero CPU request only", ps.ExplicitZero)
	}
	ps = ModelPodSpec(corev1.PodSpec{Containers: []corev1.Container{{Name: "a", Image: "i", Resources: corev1.ResourceRequirements{Requests: zero}}, {Name: "b", Image: "j"}}})
	if ps.ExplicitZero.CPU {
		t.Error("a container without a CPU request: the request is missing, not zero")
	}
	ps = ModelPodSpec(corev1.PodSpec{Containers: []corev1.Container{{Name: "a", Image: "i"}}, Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{{Weight: 7, Preference: corev1.NodeSelectorTerm{
			MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "disk", Operator: corev1.NodeSelectorOpIn, Values: []string{"ssd"}}}}}}}}})
	if a := ps.Affinity; a == nil || len(a.Terms) != 0 || len(a.Preferred) != 1 || a.Preferred[0].Weight != 7 || a.Preferred[0].Term.MatchExpressions[0].Key != "disk" {
		t.Errorf("preferred affinity converted to %+v", a)
	}
}

package scenarios

import (
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubesim/kubesim/model/hpa"
)

// HPAObject is the HPA named name in namespace ns as an autoscaling/v2
// HorizontalPodAutoscaler (metadata and spec, the API server's defaults
// included), the object kubectl patch and edit start from; nil if none.
func (a *autoscaling) HPAObject(ns, name string) runtime.Object {
	h := a.ctl.GetIn(ns, name)
	if h == nil {
		return nil
	}
	out := &autoscalingv2.HorizontalPodAutoscaler{TypeMeta: metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: metav1.ObjectMeta{Name: h.Name, Namespace: h.NamespaceName(), CreationTimestamp: metav1.NewTime(a.c.WallClock(h.Created))},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: h.TargetKind, Name: h.TargetName},
			MinReplicas:    &h.Min, MaxReplicas: h.Max}}
	for _, m := range h.Metrics {
		out.Spec.Metrics = append(out.Spec.Metrics, apiMetric(m))
	}
	if b := h.Behavior; b != nil {
		out.Spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleUp: apiRules(b.ScaleUp), ScaleDown: apiRules(b.ScaleDown)}
	}
	return out
}

// hpaPrinted is HPAObject with the status the controller keeps
// (replicas, the metrics it could read, conditions, the last scale time),
// for get -o yaml|json|jsonpath|custom-columns.
func (a *autoscaling) hpaPrinted(h *hpa.HPA) runtime.Object {
	out := a.HPAObject(h.NamespaceName(), h.Name).(*autoscalingv2.HorizontalPodAutoscaler)
	st := &out.Status
	st.CurrentReplicas, st.DesiredReplicas = h.Status.CurrentReplicas, h.Status.DesiredReplicas
	if h.Status.Scaled {
		t := metav1.NewTime(a.c.WallClock(h.Status.LastScaleTime))
		st.LastScaleTime = &t
	}
	for i, m := range h.Metrics {
		if i >= len(h.Status.CurrentMetrics) || !h.Status.CurrentMetrics[i].Known {
			continue
		}
		cur := h.Status.CurrentMetrics[i]
		var v autoscalingv2.MetricValueStatus
		switch m.TargetType {
		case string(autoscalingv2.UtilizationMetricType):
			u := cur.Utilization
			v.AverageUtilization = &u
			v.AverageValue = resource.NewMilliQuantity(cur.AverageValue, resource.DecimalSI)
		case string(autoscalingv2.AverageValueMetricType):
			v.AverageValue = resource.NewMilliQuantity(cur.AverageValue, resource.DecimalSI)
		default:
			v.Value = resource.NewMilliQuantity(cur.Value, resource.DecimalSI)
		}
		spec := apiMetric(m)
		ms := autoscalingv2.MetricStatus{Type: spec.Type}
		switch spec.Type {
		case autoscalingv2.ResourceMetricSourceType:
			ms.Resource = &autoscalingv2.ResourceMetricStatus{Name: spec.Resource.Name, Current: v}
		case autoscalingv2.PodsMetricSourceType:
			ms.Pods = &autoscalingv2.PodsMetricStatus{Metric: spec.Pods.Metric, Current: v}
		case autoscalingv2.ObjectMetricSourceType:
			ms.Object = &autoscalingv2.ObjectMetricStatus{Metric: spec.Object.Metric, DescribedObject: spec.Object.DescribedObject, Current: v}
		default:
			ms.External = &autoscalingv2.ExternalMetricStatus{Metric: spec.External.Metric, Current: v}
		}
		st.CurrentMetrics = append(st.CurrentMetrics, ms)
	}
	for _, c := range h.Status.Conditions {
		st.Conditions = append(st.Conditions, autoscalingv2.HorizontalPodAutoscalerCondition{Type: autoscalingv2.HorizontalPodAutoscalerConditionType(c.Type),
			Status: corev1.ConditionStatus(c.Status), Reason: c.Reason, Message: c.Message, LastTransitionTime: metav1.NewTime(a.c.WallClock(c.LastTransition))})
	}
	return out
}

// apiMetric is metricSpec's inverse.
func apiMetric(m hpa.MetricSpec) autoscalingv2.MetricSpec {
	t := autoscalingv2.MetricTarget{Type: autoscalingv2.MetricTargetType(m.TargetType)}
	switch t.Type {
	case autoscalingv2.UtilizationMetricType:
		u := m.Utilization
		t.AverageUtilization = &u
	case autoscalingv2.AverageValueMetricType:
		t.AverageValue = resource.NewMilliQuantity(m.AverageValue, resource.DecimalSI)
	case autoscalingv2.ValueMetricType:
		t.Value = resource.NewMilliQuantity(m.Value, resource.DecimalSI)
	}
	id := autoscalingv2.MetricIdentifier{Name: m.Name}
	switch m.Type {
	case hpa.Resource:
		return autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceName(m.Resource), Target: t}}
	case hpa.PodsType:
		return autoscalingv2.MetricSpec{Type: autoscalingv2.PodsMetricSourceType, Pods: &autoscalingv2.PodsMetricSource{Metric: id, Target: t}}
	case hpa.Object:
		return autoscalingv2.MetricSpec{Type: autoscalingv2.ObjectMetricSourceType, Object: &autoscalingv2.ObjectMetricSource{
			DescribedObject: autoscalingv2.CrossVersionObjectReference{Kind: m.ObjectKind, Name: m.ObjectName}, Metric: id, Target: t}}
	}
	return autoscalingv2.MetricSpec{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricSource{Metric: id, Target: t}}
}

// apiRules is rules' inverse.
func apiRules(r hpa.Rules) *autoscalingv2.HPAScalingRules {
	w := r.StabilizationWindowSeconds
	sp := autoscalingv2.ScalingPolicySelect(r.SelectPolicy)
	out := &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: &w, SelectPolicy: &sp}
	for _, p := range r.Policies {
		out.Policies = append(out.Policies, autoscalingv2.HPAScalingPolicy{Type: autoscalingv2.HPAScalingPolicyType(p.Type), Value: p.Value, PeriodSeconds: p.PeriodSeconds})
	}
	return out
}

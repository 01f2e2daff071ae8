package manifest

// HorizontalPodAutoscalers between the API (autoscaling/v1 and v2) and the
// model (model/hpa): HPASpec from the API, APIHPA and APIHPAStatus back.

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hpa"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// HPASpec is the model's spec of an autoscaling/v1 or v2
// HorizontalPodAutoscaler, with the API server's defaults (min 1; cpu at 80%
// if no metric is given) and its validation of the replica bounds; the error
// names the field.
func HPASpec(obj runtime.Object) (hpa.Spec, error) {
	var s hpa.Spec
	switch o := obj.(type) {
	case *autoscalingv1.HorizontalPodAutoscaler:
		s = hpa.Spec{TargetKind: o.Spec.ScaleTargetRef.Kind, TargetName: o.Spec.ScaleTargetRef.Name, Max: o.Spec.MaxReplicas, Min: 1, APIVersion: "autoscaling/v1"}
		if o.Spec.MinReplicas != nil {
			s.Min = *o.Spec.MinReplicas
		}
		pct := int32(80)
		if o.Spec.TargetCPUUtilizationPercentage != nil {
			pct = *o.Spec.TargetCPUUtilizationPercentage
		}
		s.Metrics = []hpa.MetricSpec{{Type: hpa.Resource, Resource: "cpu", TargetType: hpa.Utilization, Utilization: pct}}
	case *autoscalingv2.HorizontalPodAutoscaler:
		s = hpa.Spec{TargetKind: o.Spec.ScaleTargetRef.Kind, TargetName: o.Spec.ScaleTargetRef.Name, Max: o.Spec.MaxReplicas, Min: 1, APIVersion: "autoscaling/v2"}
		if o.Spec.MinReplicas != nil {
			s.Min = *o.Spec.MinReplicas
		}
		for i, m := range o.Spec.Metrics {
			ms, err := metricSpec(m)
			if err != nil {
				return s, fmt.Errorf("spec.metrics[%d]: %v", i, err)
			}
			s.Metrics = append(s.Metrics, ms)
		}
		if len(s.Metrics) == 0 {
			s.Metrics = []hpa.MetricSpec{{Type: hpa.Resource, Resource: "cpu", TargetType: hpa.Utilization, Utilization: 80}}
		}
		if b := o.Spec.Behavior; b != nil {
			s.Behavior = &hpa.Behavior{ScaleUp: rules(b.ScaleUp, hpa.DefaultScaleUp()), ScaleDown: rules(b.ScaleDown, hpa.DefaultScaleDown())}
		}
	default:
		return s, fmt.Errorf("kubesim cannot convert a %T to a HorizontalPodAutoscaler", obj)
	}
	if s.Max < 1 {
		return s, fmt.Errorf("spec.maxReplicas: Invalid value: %d: must be greater than or equal to 1", s.Max)
	}
	if s.Min > s.Max {
		return s, fmt.Errorf("spec.maxReplicas: Invalid value: %d: must be greater than or equal to `minReplicas`", s.Max)
	}
	if s.Min < 1 {
		return s, fmt.Errorf("spec.minReplicas: Invalid value: %d: must be greater than or equal to 1", s.Min)
	}
	return s, nil
}

// rules is HPAScalingRules with GenerateHPAScale*Rules' defaults.
func rules(r *autoscalingv2.HPAScalingRules, def hpa.Rules) hpa.Rules {
	if r == nil {
		return def
	}
	out := def
	if r.StabilizationWindowSeconds != nil {
		out.StabilizationWindowSeconds = *r.StabilizationWindowSeconds
	}
	if r.SelectPolicy != nil {
		out.SelectPolicy = string(*r.SelectPolicy)
	}
	if len(r.Policies) > 0 {
		out.Policies = nil
		for _, p := range r.Policies {
			out.Policies = append(out.Policies, hpa.Policy{Type: hpa.PolicyType(p.Type), Value: p.Value, PeriodSeconds: p.PeriodSeconds})
		}
	}
	return out
}

func metricSpec(m autoscalingv2.MetricSpec) (hpa.MetricSpec, error) {
	var out hpa.MetricSpec
	var t autoscalingv2.MetricTarget
	switch m.Type {
	case autoscalingv2.ResourceMetricSourceType:
		if m.Resource == nil {
			return out, fmt.Errorf("resource: Required value: must populate information for the given metric source")
		}
		if m.Resource.Name != corev1.ResourceCPU && m.Resource.Name != corev1.ResourceMemory {
			return out, fmt.Errorf("resource.name: Unsupported value: %q: kubesim measures cpu and memory", m.Resource.Name)
		}
		out = hpa.MetricSpec{Type: hpa.Resource, Resource: string(m.Resource.Name)}
		t = m.Resource.Target
	case autoscalingv2.PodsMetricSourceType:
		if m.Pods == nil {
			return out, fmt.Errorf("pods: Required value: must populate information for the given metric source")
		}
		out = hpa.MetricSpec{Type: hpa.PodsType, Name: m.Pods.Metric.Name}
		t = m.Pods.Target
	case autoscalingv2.ObjectMetricSourceType:
		if m.Object == nil {
			return out, fmt.Errorf("object: Required value: must populate information for the given metric source")
		}
		out = hpa.MetricSpec{Type: hpa.Object, Name: m.Object.Metric.Name, ObjectKind: m.Object.DescribedObject.Kind, ObjectName: m.Object.DescribedObject.Name}
		t = m.Object.Target
	case autoscalingv2.ExternalMetricSourceType:
		if m.External == nil {
			return out, fmt.Errorf("external: Required value: must populate information for the given metric source")
		}
		out = hpa.MetricSpec{Type: hpa.External, Name: m.External.Metric.Name}
		t = m.External.Target
	default:
		return out, fmt.Errorf("type: Unsupported value: %q: kubesim reads Resource, Pods, Object and External metrics", m.Type)
	}
	out.TargetType = string(t.Type)
	switch t.Type {
	case autoscalingv2.UtilizationMetricType:
		if out.Type != hpa.Resource || t.AverageUtilization == nil {
			return out, fmt.Errorf("target.averageUtilization: Required value: must be set for a Utilization target of a resource metric")
		}
		out.Utilization = *t.AverageUtilization
	case autoscalingv2.AverageValueMetricType:
		if t.AverageValue == nil {
			return out, fmt.Errorf("target.averageValue: Required value: must be set for an AverageValue target")
		}
		out.AverageValue = t.AverageValue.MilliValue()
	case autoscalingv2.ValueMetricType:
		if t.Value == nil {
			return out, fmt.Errorf("target.value: Required value: must be set for a Value target")
		}
		out.Value = t.Value.MilliValue()
	default:
		return out, fmt.Errorf("target.type: Unsupported value: %q: supported values: \"AverageValue\", \"Utilization\", \"Value\"", t.Type)
	}
	return out, nil
}

// APIHPA is h as an autoscaling/v2 HorizontalPodAutoscaler (metadata and
// spec, the API server's defaults included, no status), for patch and edit.
func APIHPA(c *model.Cluster, h *hpa.HPA) *autoscalingv2.HorizontalPodAutoscaler {
	out := &autoscalingv2.HorizontalPodAutoscaler{TypeMeta: metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: APIMeta(c, &h.ObjectMeta),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: h.TargetKind, Name: h.TargetName},
			MinReplicas:    ptr(h.Min), MaxReplicas: h.Max}}
	for _, m := range h.Metrics {
		out.Spec.Metrics = append(out.Spec.Metrics, apiMetric(m))
	}
	if b := h.Behavior; b != nil {
		out.Spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleUp: apiRules(b.ScaleUp), ScaleDown: apiRules(b.ScaleDown)}
	}
	return out
}

// APIHPAStatus is the status the controller keeps for h (replicas, the
// metrics it could read, conditions, the last scale time), for get -o
// yaml|json|jsonpath|custom-columns.
func APIHPAStatus(c *model.Cluster, h *hpa.HPA) autoscalingv2.HorizontalPodAutoscalerStatus {
	var st autoscalingv2.HorizontalPodAutoscalerStatus
	st.CurrentReplicas, st.DesiredReplicas = h.Status.CurrentReplicas, h.Status.DesiredReplicas
	if h.Status.Scaled {
		t := metav1.NewTime(c.WallClock(h.Status.LastScaleTime))
		st.LastScaleTime = &t
	}
	for i, m := range h.Metrics {
		cur := h.CurrentMetric(i)
		if !cur.Known {
			continue
		}
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
	for _, cond := range h.Status.Conditions {
		st.Conditions = append(st.Conditions, autoscalingv2.HorizontalPodAutoscalerCondition{Type: autoscalingv2.HorizontalPodAutoscalerConditionType(cond.Type),
			Status: corev1.ConditionStatus(cond.Status), Reason: cond.Reason, Message: cond.Message, LastTransitionTime: metav1.NewTime(c.WallClock(cond.LastTransition))})
	}
	return st
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

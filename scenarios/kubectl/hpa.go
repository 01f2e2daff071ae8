package kubectl

// HorizontalPodAutoscalers: kept by the run's HPA controller (model/hpa),
// which the cluster finds (hpa.ControllerOf); printed, applied, patched,
// labelled and deleted through the kinds table as every kind is.

import (
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hpa"
	"github.com/kubesim/kubesim/scenarios/manifest"
	"github.com/kubesim/kubesim/sim"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// HPAs is horizontalpodautoscalers (autoscaling).
const HPAs Resource = "horizontalpodautoscalers"

// applyHPA creates or updates an HPA from an autoscaling/v1 or v2 object
// (apply, create -f, patch, edit).
func (x *Executor) applyHPA(obj runtime.Object, verb applyVerb) (string, error) {
	m := obj.(metav1.Object)
	name := m.GetName()
	s, err := manifest.HPASpec(obj)
	if err != nil {
		return "", fmt.Errorf("The HorizontalPodAutoscaler %q is invalid: %v", name, err)
	}
	if x.auto == nil {
		return "", fmt.Errorf("error: this cluster has no HPA controller")
	}
	h, created, changed, err := x.auto.ApplyHPA(x.ns, name, m.GetLabels(), m.GetAnnotations(), s)
	if err != nil {
		return "", err
	}
	if !created {
		if err := x.applyMeta(h, metav1.ObjectMeta{Labels: m.GetLabels(), Annotations: m.GetAnnotations()}, &changed); err != nil {
			return "", invalid("HorizontalPodAutoscaler", name, err)
		}
	}
	return Done(HPAs, name, verb(created, changed)), nil
}

func deleteHPA(c *model.Cluster, h *hpa.HPA, _ sim.Time) error {
	return hpa.ControllerOf(c).DeleteIn(h.Namespace, h.Name)
}

// hpaObject is h as the API server returns an autoscaling/v2
// HorizontalPodAutoscaler, status included.
func (x *Executor) hpaObject(_ *printer, h *hpa.HPA) *autoscalingv2.HorizontalPodAutoscaler {
	out := manifest.APIHPA(x.c, h)
	out.Status = manifest.APIHPAStatus(x.c, h)
	return out
}

// hpaRow is get hpa's NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE.
func (p *printer) hpaRow(h *hpa.HPA) (row, wide []string) {
	return []string{h.Name, h.TargetKind + "/" + h.TargetName, HPATargets(h), fmt.Sprint(h.Min), fmt.Sprint(h.Max),
		fmt.Sprint(h.Status.CurrentReplicas), p.age(h.CreationTimestamp)}, nil
}

// HPATargets is TARGETS of `get hpa`: "cpu: 45%/80%", "cpu: <unknown>/80%".
func HPATargets(h *hpa.HPA) string {
	var parts []string
	for i, m := range h.Metrics {
		st := h.CurrentMetric(i)
		cur := "<unknown>"
		switch {
		case m.Type == hpa.Resource && m.TargetType == hpa.Utilization:
			if st.Known {
				cur = fmt.Sprintf("%d%%", st.Utilization)
			}
			parts = append(parts, fmt.Sprintf("%s: %s/%d%%", m.Resource, cur, m.Utilization))
		case m.Type == hpa.Resource:
			if st.Known {
				cur = quantity(m.Resource, st.AverageValue)
			}
			parts = append(parts, fmt.Sprintf("%s: %s/%s", m.Resource, cur, quantity(m.Resource, m.AverageValue)))
		case m.TargetType == hpa.Value:
			if st.Known {
				cur = milliString(st.Value)
			}
			parts = append(parts, fmt.Sprintf("%s/%s", cur, milliString(m.Value)))
		case m.Type == hpa.PodsType:
			if st.Known {
				cur = milliString(st.AverageValue)
			}
			parts = append(parts, fmt.Sprintf("%s/%s", cur, milliString(m.AverageValue)))
		default: // Object or External, AverageValue
			if st.Known {
				cur = milliString(st.AverageValue)
			}
			parts = append(parts, fmt.Sprintf("%s/%s (avg)", cur, milliString(m.AverageValue)))
		}
	}
	if len(parts) > 2 {
		return strings.Join(parts[:2], ", ") + fmt.Sprintf(" + %d more...", len(parts)-2)
	}
	return strings.Join(parts, ", ")
}

// describeHPA is kubectl describe hpa (its HorizontalPodAutoscalerDescriber).
func (p *printer) describeHPA(w *DescribeWriter, h *hpa.HPA) {
	w.write(0, "Name:\t%s\n", h.Name)
	w.write(0, "Namespace:\t%s\n", h.NamespaceName())
	w.multiline(0, "Labels", sortedPairs(h.Labels, "="))
	w.multiline(0, "Annotations", sortedPairs(h.Annotations, ": "))
	w.write(0, "CreationTimestamp:\t%s\n", WallClock(p.c, h.CreationTimestamp))
	w.write(0, "Reference:\t%s/%s\n", h.TargetKind, h.TargetName)
	w.write(0, "Metrics:\t( current / target )\n")
	for i, m := range h.Metrics {
		st := h.CurrentMetric(i)
		cur := "<unknown>"
		switch {
		case m.Type == hpa.Resource && m.TargetType == hpa.Utilization:
			if st.Known {
				cur = fmt.Sprintf("%d%% (%s)", st.Utilization, quantity(m.Resource, st.AverageValue))
			}
			w.write(1, "resource %s on pods  (as a percentage of request):\t%s / %d%%\n", m.Resource, cur, m.Utilization)
		case m.Type == hpa.Resource:
			if st.Known {
				cur = quantity(m.Resource, st.AverageValue)
			}
			w.write(1, "resource %s on pods:\t%s / %s\n", m.Resource, cur, quantity(m.Resource, m.AverageValue))
		case m.Type == hpa.PodsType:
			if st.Known {
				cur = milliString(st.AverageValue)
			}
			w.write(1, "\"%s\" on pods:\t%s / %s\n", m.Name, cur, milliString(m.AverageValue))
		case m.Type == hpa.Object:
			w.write(1, "\"%s\" on %s/%s ", m.Name, m.ObjectKind, m.ObjectName)
			cur, target := valueTarget(&m, st)
			w.write(0, "%s:\t%s / %s\n", target, cur, milliTarget(&m))
		default:
			cur, target := valueTarget(&m, st)
			w.write(1, "%q %s:\t%s / %s\n", m.Name, target, cur, milliTarget(&m))
		}
	}
	w.write(0, "Min replicas:\t%d\n", h.Min)
	w.write(0, "Max replicas:\t%d\n", h.Max)
	if b := h.Behavior; b != nil {
		w.write(0, "Behavior:\n")
		for _, d := range []struct {
			name string
			r    hpa.Rules
		}{{"Scale Up", b.ScaleUp}, {"Scale Down", b.ScaleDown}} {
			w.write(1, "%s:\n", d.name)
			w.write(2, "Stabilization Window: %d seconds\n", d.r.StabilizationWindowSeconds)
			if len(d.r.Policies) > 0 {
				w.write(2, "Select Policy: %s\n", d.r.SelectPolicy)
				w.write(2, "Policies:\n")
				for _, pol := range d.r.Policies {
					w.write(3, "- Type: %s\tValue: %d\tPeriod: %d seconds\n", pol.Type, pol.Value, pol.PeriodSeconds)
				}
			}
		}
	}
	w.write(0, "%s pods:\t%d current / %d desired\n", h.TargetKind, h.Status.CurrentReplicas, h.Status.DesiredReplicas)
	if len(h.Status.Conditions) > 0 {
		w.write(0, "Conditions:\n")
		w.write(1, "Type\tStatus\tReason\tMessage\n")
		w.write(1, "----\t------\t------\t-------\n")
		for _, c := range h.Status.Conditions {
			w.write(1, "%s\t%s\t%s\t%s\n", c.Type, c.Status, c.Reason, c.Message)
		}
	}
	p.describeEvents(w, h.Ref())
}

// valueTarget is describe's current value of an Object or External metric
// and its "(target value)" or "(target average value)".
func valueTarget(m *hpa.MetricSpec, st hpa.MetricStatus) (cur, target string) {
	cur = "<unknown>"
	if m.TargetType == hpa.AverageValue {
		if st.Known {
			cur = milliString(st.AverageValue)
		}
		return cur, "(target average value)"
	}
	if st.Known {
		cur = milliString(st.Value)
	}
	return cur, "(target value)"
}

// milliTarget is an Object or External metric's target quantity.
func milliTarget(m *hpa.MetricSpec) string {
	if m.TargetType == hpa.AverageValue {
		return milliString(m.AverageValue)
	}
	return milliString(m.Value)
}

// quantity prints a resource amount in milli-units as kubectl does.
func quantity(resource string, milli int64) string {
	if resource == "memory" {
		return MemoryString(milli / 1000)
	}
	return milliString(milli)
}

// milliString prints milli-units as a DecimalSI resource.Quantity does:
// 100m, 1500m, 2, 20k.
func milliString(m int64) string {
	if m%1000 != 0 {
		return fmt.Sprintf("%dm", m)
	}
	v, i := m/1000, 0
	for v != 0 && v%1000 == 0 && i < 6 {
		v /= 1000
		i++
	}
	return fmt.Sprint(v) + []string{"", "k", "M", "G", "T", "P", "E"}[i]
}

package hpa

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Defaults of kube-controller-manager's HPA flags.
const (
	// Tolerance is --horizontal-pod-autoscaler-tolerance: a usage ratio
	// within 10% of 1 changes nothing.
	Tolerance = 0.1
	// CPUInitializationPeriod is --horizontal-pod-autoscaler-cpu-initialization-period.
	CPUInitializationPeriod = 5 * time.Minute
	// InitialReadinessDelay is --horizontal-pod-autoscaler-initial-readiness-delay.
	InitialReadinessDelay = 30 * time.Second
	// SyncPeriod is --horizontal-pod-autoscaler-sync-period.
	SyncPeriod = 15 * time.Second
	// DownscaleStabilization is --horizontal-pod-autoscaler-downscale-stabilization.
	DownscaleStabilization = 5 * time.Minute
)

// PodSample is what the replica calculator knows of one pod of the target:
// its state and the metric the metrics API returned for it.
type PodSample struct {
	Name     string
	Phase    model.PodPhase
	Deleting bool
	// Ready is the Ready condition; HasReady whether the pod has the
	// condition yet, ReadyTransition its lastTransitionTime.
	Ready, HasReady bool
	ReadyTransition sim.Time
	// Start is status.startTime (HasStart: set).
	Start    sim.Time
	HasStart bool
	// Request is the pod's request of the metric's resource (milli-units);
	// MissingRequest the name of a container that has none ("" if all do).
	Request        int64
	MissingRequest string
	// Metric is the pod's value (milli-units) if HasMetric, measured over
	// Window up to Timestamp.
	Metric            int64
	HasMetric         bool
	Timestamp, Window sim.Time
}

// Calculator is the controller's replica calculator (replica_calculator.go).
type Calculator struct {
	Tolerance               float64
	CPUInitializationPeriod sim.Time
	InitialReadinessDelay   sim.Time
}

// DefaultCalculator has kube-controller-manager's defaults.
func DefaultCalculator() Calculator {
	return Calculator{Tolerance: Tolerance, CPUInitializationPeriod: CPUInitializationPeriod, InitialReadinessDelay: InitialReadinessDelay}
}

// pod groups of groupPods.
const (
	grpReady = iota
	grpUnready
	grpMissing
	grpIgnored
)

// group sorts a pod as groupPods does: deleted or failed pods are ignored;
// pending ones unready; those without a metric missing; for CPU, a pod
// still in its initialisation period is unready if not Ready or if its
// metric does not cover a full window since it became Ready, and after it
// if not Ready and it never was (its condition changed within the initial
// readiness delay of its start).
func (c Calculator) group(now sim.Time, p *PodSample, cpu bool) int {
	if p.Deleting || p.Phase == model.PodFailed {
		return grpIgnored
	}
	if p.Phase == model.PodPending {
		return grpUnready
	}
	if !p.HasMetric {
		return grpMissing
	}
	if cpu {
		unready := false
		if !p.HasReady || !p.HasStart {
			unready = true
		} else if p.Start+c.CPUInitializationPeriod > now {
			unready = !p.Ready || p.Timestamp < p.ReadyTransition+p.Window
		} else {
			unready = !p.Ready && p.Start+c.InitialReadinessDelay > p.ReadyTransition
		}
		if unready {
			return grpUnready
		}
	}
	return grpReady
}

// errNoMetrics is what the controller says with no metric of a ready pod.
var errNoMetrics = errors.New("did not receive metrics for targeted pods (pods might be unready)")

// ResourceUtilization is GetResourceReplicas: the replicas for a target
// utilization (percent of the request) of a resource, with the current
// utilization (percent, truncated as the controller does) and the average
// raw value. cpu turns on the CPU readiness rules.
func (c Calculator) ResourceUtilization(now sim.Time, current int32, target int32, resource string, pods []PodSample) (replicas int32, utilization int32, raw int64, err error) {
	if len(pods) == 0 {
		return 0, 0, 0, errors.New("no pods returned by selector while calculating replica count")
	}
	cpu := resource == "cpu"
	grp := make([]int, len(pods))
	ready, unready, missing, withMetric := 0, 0, 0, 0
	for i := range pods {
		grp[i] = c.group(now, &pods[i], cpu)
		switch grp[i] {
		case grpReady:
			ready++
			withMetric++
		case grpUnready:
			unready++
		case grpMissing:
			missing++
		}
	}
	if withMetric == 0 {
		return 0, 0, 0, errNoMetrics
	}
	for i := range pods {
		if p := &pods[i]; p.MissingRequest != "" || p.Request == 0 {
			name := p.MissingRequest
			return 0, 0, 0, fmt.Errorf("missing request for %s in container %s of Pod %s", resource, name, p.Name)
		}
	}
	ratio := func(value func(i int) (int64, bool)) (float64, int32, int64) {
		var sum, req int64
		n := 0
		for i := range pods {
			v, ok := value(i)
			if !ok {
				continue
			}
			sum += v
			req += pods[i].Request
			n++
		}
		u := int32(sum * 100 / req)
		return float64(u) / float64(target), u, sum / int64(n)
	}
	usage, util, rawAvg := ratio(func(i int) (int64, bool) { return pods[i].Metric, grp[i] == grpReady })
	scaleUpWithUnready := unready > 0 && usage > 1
	if !scaleUpWithUnready && missing == 0 {
		if math.Abs(1-usage) <= c.Tolerance {
			return current, util, rawAvg, nil
		}
		return int32(math.Ceil(usage * float64(ready))), util, rawAvg, nil
	}
	fallback := int64(max(100, target))
	n := 0
	newUsage, _, _ := ratio(func(i int) (int64, bool) {
		switch grp[i] {
		case grpReady:
			n++
			return pods[i].Metric, true
		case grpMissing:
			if usage < 1 {
				n++
				return pods[i].Request * fallback / 100, true
			} else if usage > 1 {
				n++
				return 0, true
			}
		case grpUnready:
			if scaleUpWithUnready {
				n++
				return 0, true
			}
		}
		return 0, false
	})
	if math.Abs(1-newUsage) <= c.Tolerance || (usage < 1 && newUsage > 1) || (usage > 1 && newUsage < 1) {
		return current, util, rawAvg, nil
	}
	r := int32(math.Ceil(newUsage * float64(n)))
	if (newUsage < 1 && r > current) || (newUsage > 1 && r < current) {
		return current, util, rawAvg, nil
	}
	return r, util, rawAvg, nil
}

// AverageValue is calcPlainMetricReplicas: the replicas for a target
// average value per pod (milli-units) of a resource (AverageValue) or of a
// Pods metric, with the current average.
func (c Calculator) AverageValue(now sim.Time, current int32, target int64, resource string, pods []PodSample) (replicas int32, usage int64, err error) {
	if len(pods) == 0 {
		return 0, 0, errors.New("no pods returned by selector while calculating replica count")
	}
	cpu := resource == "cpu"
	grp := make([]int, len(pods))
	ready, unready, missing := 0, 0, 0
	for i := range pods {
		grp[i] = c.group(now, &pods[i], cpu)
		switch grp[i] {
		case grpReady:
			ready++
		case grpUnready:
			unready++
		case grpMissing:
			missing++
		}
	}
	if ready == 0 {
		return 0, 0, errNoMetrics
	}
	avg := func(value func(i int) (int64, bool)) (float64, int64, int) {
		var sum int64
		n := 0
		for i := range pods {
			if v, ok := value(i); ok {
				sum += v
				n++
			}
		}
		u := sum / int64(n)
		return float64(u) / float64(target), u, n
	}
	ratio, cur, _ := avg(func(i int) (int64, bool) { return pods[i].Metric, grp[i] == grpReady })
	scaleUpWithUnready := unready > 0 && ratio > 1
	if !scaleUpWithUnready && missing == 0 {
		if math.Abs(1-ratio) <= c.Tolerance {
			return current, cur, nil
		}
		return int32(math.Ceil(ratio * float64(ready))), cur, nil
	}
	newRatio, _, n := avg(func(i int) (int64, bool) {
		switch grp[i] {
		case grpReady:
			return pods[i].Metric, true
		case grpMissing:
			if ratio < 1 {
				return target, true
			}
			return 0, true
		case grpUnready:
			if scaleUpWithUnready {
				return 0, true
			}
		}
		return 0, false
	})
	if math.Abs(1-newRatio) <= c.Tolerance || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1) {
		return current, cur, nil
	}
	return int32(math.Ceil(newRatio * float64(n))), cur, nil
}

// ObjectValue is GetObjectMetricReplicas and GetExternalMetricReplicas for
// a Value target: the usage ratio times the ready pods (scale from 0 to
// ceil(ratio)).
func (c Calculator) ObjectValue(current int32, value, target int64, readyPods int) int32 {
	ratio := float64(value) / float64(target)
	if current == 0 {
		return int32(math.Ceil(ratio))
	}
	if math.Abs(1-ratio) <= c.Tolerance {
		return current
	}
	return int32(math.Ceil(ratio * float64(readyPods)))
}

// ObjectAverage is GetObjectPerPodMetricReplicas and
// GetExternalPerPodMetricReplicas: an AverageValue target of an object or
// external metric, against the status replicas; usage is the value per pod.
func (c Calculator) ObjectAverage(statusReplicas int32, value, target int64) (replicas int32, usage int64) {
	replicas = statusReplicas
	ratio := float64(value) / (float64(target) * float64(replicas))
	if math.Abs(1-ratio) > c.Tolerance {
		replicas = int32(math.Ceil(float64(value) / float64(target)))
	}
	return replicas, int64(math.Ceil(float64(value) / float64(statusReplicas)))
}

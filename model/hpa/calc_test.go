package hpa

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// The cases of upstream's replica_calculator_test.go (v1.37), with its
// testing settings: 2 min CPU initialization period, 10 s initial readiness
// delay. A "cool" pod started 10 min ago and has been Ready since; a "hot"
// one started 1 min ago and its latest metric window (30 s) began before it
// became Ready.
var testCalc = Calculator{Tolerance: 0.1, CPUInitializationPeriod: 2 * time.Minute, InitialReadinessDelay: 10 * time.Second}

const testNow = sim.Time(time.Hour)

type pod struct {
	level    int64 // -1: no metric
	unready  bool
	hot      bool
	phase    model.PodPhase
	deleting bool
	request  int64 // 0: 1000m
}

func samples(pods []pod) []PodSample {
	var out []PodSample
	for i, p := range pods {
		s := PodSample{Name: fmt.Sprintf("test-pod-%d", i), Phase: model.PodRunning, Ready: !p.unready, HasReady: true, HasStart: true,
			Start: testNow - 10*time.Minute, ReadyTransition: testNow - 9*time.Minute,
			Request: 1000, Metric: p.level, HasMetric: p.level >= 0, Timestamp: testNow, Window: 30 * time.Second,
			Deleting: p.deleting}
		if p.phase != "" {
			s.Phase = p.phase
		}
		if p.request != 0 {
			s.Request = p.request
		}
		if p.hot {
			s.Start = testNow - time.Minute
			s.ReadyTransition = testNow - 20*time.Second // less than a window before the sample
		}
		if p.unready && !p.hot {
			// Unready since it started: it never was Ready.
			s.ReadyTransition = s.Start
		}
		out = append(out, s)
	}
	return out
}

func levels(l ...int64) []pod {
	out := make([]pod, len(l))
	for i, v := range l {
		out[i] = pod{level: v}
	}
	return out
}

func TestResourceReplicasUpstreamCases(t *testing.T) {
	for _, c := range []struct {
		name     string
		current  int32
		target   int32
		pods     []pod
		want     int32
		wantUtil int32
	}{
		{"ScaleUp", 3, 30, levels(300, 500, 700), 5, 50},
		{"ScaleUpUnreadyLessScale", 3, 30, []pod{{level: 300, unready: true}, {level: 500}, {level: 700}}, 4, 60},
		{"ScaleUpHotCpuLessScale", 3, 30, []pod{{level: 300, hot: true}, {level: 500}, {level: 700}}, 4, 60},
		{"ScaleUpUnreadyNoScale", 3, 30, []pod{{level: 400}, {level: 500, unready: true}, {level: 700, unready: true}}, 3, 40},
		{"ScaleHotCpuNoScale", 3, 30, []pod{{level: 400}, {level: 500, unready: true, hot: true}, {level: 700, unready: true, hot: true}}, 3, 40},
		{"ScaleUpIgnoresFailedPods", 2, 30, []pod{{level: 500}, {level: 700}, {level: -1, unready: true, phase: model.PodFailed}, {level: -1, unready: true, phase: model.PodFailed}}, 4, 60},
		{"ScaleUpIgnoresDeletionPods", 2, 30, []pod{{level: 500}, {level: 700}, {level: -1, unready: true, deleting: true}, {level: -1, unready: true, deleting: true}}, 4, 60},
		{"ScaleDown", 5, 50, levels(100, 300, 500, 250, 250), 3, 28},
		{"ScaleDownIncludeUnreadyPods", 5, 50, []pod{{level: 100}, {level: 300}, {level: 500}, {level: 250, unready: true}, {level: 250, unready: true}}, 2, 30},
		{"ScaleDownExcludeUnscheduledPods", 5, 50, []pod{{level: 100}, {level: -1, unready: true, phase: model.PodPending}, {level: -1, unready: true, phase: model.PodPending}, {level: -1, unready: true, phase: model.PodPending}, {level: -1, unready: true, phase: model.PodPending}}, 1, 10},
		{"ScaleDownIgnoreHotCpuPods", 5, 50, []pod{{level: 100}, {level: 300}, {level: 500}, {level: 250, hot: true}, {level: 250, hot: true}}, 2, 30},
		{"ScaleDownIgnoresFailedPods", 5, 50, append(levels(100, 300, 500, 250, 250), pod{level: -1, unready: true, phase: model.PodFailed}, pod{level: -1, unready: true, phase: model.PodFailed}), 3, 28},
		{"Tolerance", 3, 100, []pod{{level: 1010, request: 900}, {level: 1070, request: 1000}, {level: 1110, request: 1100}}, 3, 106},
		{"MissingMetrics", 4, 100, levels(400, 95, -1, -1), 3, 24},
		{"ScaleUpMissingMetricsUnreadyNoScale", 3, 30, []pod{{level: 400}, {level: -1, unready: true}, {level: 700, unready: true}}, 3, 40},
		// Missing metrics: on a scale-up they count as 0, on a scale-down as
		// 100% of the request (or the target if above 100%).
		{"MissingMetricsScaleUp", 4, 50, levels(1000, 1000, -1, -1), 4, 100},
		{"MissingMetricsScaleDownTargetOver100", 4, 300, levels(1000, 1000, -1, -1), 3, 100},
		{"ScaleToZeroMetricsMinusOne", 3, 50, levels(0, 0, 0), 0, 0},
		{"DuringRollingUpdateWithMaxSurge", 2, 50, levels(100, 100, -1), 2, 10},
	} {
		got, util, _, err := testCalc.ResourceUtilization(testNow, c.current, c.target, "cpu", samples(c.pods))
		if err != nil || got != c.want || util != c.wantUtil {
			t.Errorf("%s: %d replicas at %d%% (%v), want %d at %d%%", c.name, got, util, err, c.want, c.wantUtil)
		}
	}
}

// A pod without a CPU request stops the HPA with the controller's words.
func TestMissingRequest(t *testing.T) {
	s := samples(levels(500, 500))
	s[1].Request, s[1].MissingRequest = 0, "busyhttp"
	_, _, _, err := testCalc.ResourceUtilization(testNow, 2, 80, "cpu", s)
	if err == nil || err.Error() != "missing request for cpu in container busyhttp of Pod test-pod-1" {
		t.Errorf("error %v", err)
	}
	// No metric of any ready pod.
	_, _, _, err = testCalc.ResourceUtilization(testNow, 2, 80, "cpu", samples([]pod{{level: 100, unready: true}}))
	if err == nil || !strings.Contains(err.Error(), "did not receive metrics") {
		t.Errorf("unready only: error %v", err)
	}
}

// Pods metrics (AverageValue): upstream's CM cases.
func TestAverageValueUpstreamCases(t *testing.T) {
	for _, c := range []struct {
		name    string
		current int32
		target  int64
		pods    []pod
		want    int32
		wantAvg int64
	}{
		{"ScaleUpCM", 3, 15000, levels(20000, 10000, 30000), 4, 20000},
		{"ScaleUpCMUnreadyHotCpuNoLessScale", 3, 15000, []pod{{level: 50000}, {level: 10000}, {level: 30000, unready: true, hot: true}}, 6, 30000},
		{"ScaleUpCMUnreadyHotCpuScaleWouldScaleDown", 3, 15000, []pod{{level: 50000, unready: true, hot: true}, {level: 15000}, {level: 30000, unready: true, hot: true}}, 7, 31666},
		{"ScaleDownCM", 5, 20000, levels(12000, 12000, 12000, 12000, 12000), 3, 12000},
	} {
		// Pods metrics have no CPU readiness rules: unready pods count.
		got, avg, err := testCalc.AverageValue(testNow, c.current, c.target, "", samples(c.pods))
		if err != nil || got != c.want || avg != c.wantAvg {
			t.Errorf("%s: %d replicas, average %d (%v); want %d, %d", c.name, got, avg, err, c.want, c.wantAvg)
		}
	}
}

// Object and External metrics: upstream's cases.
func TestObjectUpstreamCases(t *testing.T) {
	if got := testCalc.ObjectValue(3, 20000, 15000, 3); got != 4 {
		t.Errorf("ScaleUpCMObject: %d, want 4", got)
	}
	if got := testCalc.ObjectValue(3, 50000, 10000, 1); got != 5 {
		t.Errorf("ScaleUpCMObjectIgnoresUnreadyPods: %d, want 5", got)
	}
	if got := testCalc.ObjectValue(3, 8600, 4400, 1); got != 2 {
		t.Errorf("ScaleUpCMExternalIgnoresUnreadyPods: %d, want 2", got)
	}
	if got := testCalc.ObjectValue(5, 12000, 20000, 5); got != 3 {
		t.Errorf("ScaleDownCMObject: %d, want 3", got)
	}
	if got := testCalc.ObjectValue(5, 8600, 14334, 5); got != 3 {
		t.Errorf("ScaleDownCMExternal: %d, want 3", got)
	}
	if r, u := testCalc.ObjectAverage(3, 20000, 5000); r != 4 || u != 6667 {
		t.Errorf("ScaleUpCMPerPodObject: %d, %d; want 4, 6667", r, u)
	}
	if r, u := testCalc.ObjectAverage(3, 8600, 2150); r != 4 || u != 2867 {
		t.Errorf("ScaleUpPerPodCMExternal: %d, %d; want 4, 2867", r, u)
	}
	if r, u := testCalc.ObjectAverage(5, 6000, 2000); r != 3 || u != 1200 {
		t.Errorf("ScaleDownPerPodCMObject: %d, %d; want 3, 1200", r, u)
	}
	if got := testCalc.ObjectValue(0, 8600, 4400, 0); got != 2 {
		t.Errorf("from zero: %d, want ceil(8600/4400) = 2", got)
	}
}

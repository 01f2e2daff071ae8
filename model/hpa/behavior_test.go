package hpa

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

const sec = sim.Time(time.Second)

// Without behavior: a scale-up is at most max(2 x current, 4), within max;
// min applies; a scale-down takes the highest recommendation of the last
// 5 minutes.
func TestNormalizeWithoutBehavior(t *testing.T) {
	for _, c := range []struct {
		current, desired, min, max int32
		want                       int32
		limited                    bool
		reason                     string
	}{
		{3, 10, 1, 20, 6, true, "ScaleUpLimit"},
		{1, 10, 1, 20, 4, true, "ScaleUpLimit"},
		{3, 10, 1, 5, 5, true, "TooManyReplicas"},
		{3, 0, 2, 10, 2, true, "TooFewReplicas"},
		{3, 4, 1, 10, 4, false, "DesiredWithinRange"},
	} {
		var h history
		got, _, limited, limit := h.normalize(0, c.current, c.desired, c.min, c.max)
		if got != c.want || limited != c.limited || limit[0] != c.reason {
			t.Errorf("%d -> %d (min %d max %d): %d limited %v %s, want %d %v %s", c.current, c.desired, c.min, c.max, got, limited, limit[0], c.want, c.limited, c.reason)
		}
	}
	// Stabilization: recommendations 10 at 0 s and 5 at 60 s; at 120 s a
	// recommendation of 2 gives 10; at 301 s (10 is older than 300 s) 5; at
	// 361 s 2.
	var h history
	h.normalize(0, 10, 10, 1, 20)
	h.normalize(60*sec, 10, 5, 1, 20)
	if got, able, _, _ := h.normalize(120*sec, 10, 2, 1, 20); got != 10 || able[0] != "ScaleDownStabilized" {
		t.Errorf("at 120 s: %d (%s), want 10 ScaleDownStabilized", got, able[0])
	}
	if got, _, _, _ := h.normalize(301*sec, 10, 2, 1, 20); got != 5 {
		t.Errorf("at 301 s: %d, want 5", got)
	}
	if got, _, _, _ := h.normalize(361*sec, 5, 2, 1, 20); got != 2 {
		t.Errorf("at 361 s: %d, want 2", got)
	}
}

func defaultBehavior() *Behavior {
	return &Behavior{ScaleUp: DefaultScaleUp(), ScaleDown: DefaultScaleDown()}
}

// With the default behavior: up by max(+4, +100%) per 15 s, counting the
// scale-ups of the last 15 s; down after 300 s of stabilization, by up to
// 100% per 15 s.
func TestNormalizeDefaultBehavior(t *testing.T) {
	b := defaultBehavior()
	var h history
	// 1 -> 10: max(1+4, 2x1) = 5.
	got, _, limited, limit := h.normalizeWithBehavior(0, b, 1, 10, 1, 20)
	if got != 5 || !limited || limit[0] != "ScaleUpLimit" {
		t.Fatalf("1 -> 10: %d %v %s, want 5 ScaleUpLimit", got, limited, limit[0])
	}
	h.storeScaleEvent(0, b, 1, 5)
	// 5 s later, still in the 15 s period that started at 1 replica: 5 again.
	if got, _, _, _ := h.normalizeWithBehavior(5*sec, b, 5, 10, 1, 20); got != 5 {
		t.Errorf("5 s later: %d, want 5 (the period's limit from 1 replica is 5)", got)
	}
	// 15 s later the event has left the period: max(5+4, 10) = 10.
	if got, _, _, _ := h.normalizeWithBehavior(15*sec, b, 5, 10, 1, 20); got != 10 {
		t.Errorf("15 s later: %d, want 10", got)
	}
	h.storeScaleEvent(15*sec, b, 5, 10)
	// Down to 2: the highest recommendation of the last 300 s (10) holds.
	got, able, _, _ := h.normalizeWithBehavior(100*sec, b, 10, 2, 1, 20)
	if got != 10 || able[0] != "ScaleDownStabilized" {
		t.Errorf("at 100 s, 10 -> 2: %d (%s), want 10 ScaleDownStabilized", got, able[0])
	}
	// After 300 s of recommendations of 2 it goes (100% per 15 s allows it).
	for s := sim.Time(115); s <= 415; s += 15 {
		got, _, _, _ = h.normalizeWithBehavior(s*sec, b, 10, 2, 1, 20)
	}
	if got != 2 {
		t.Errorf("after 300 s of 2: %d, want 2", got)
	}
}

// Policies: selectPolicy Min takes the smallest change, Disabled none;
// scale-down by percent rounds down the replicas kept (int32 of the
// product), a Pods policy per period.
func TestPolicies(t *testing.T) {
	var h history
	b := &Behavior{ScaleUp: Rules{SelectPolicy: SelectMin, Policies: []Policy{{Pods, 4, 60}, {Percent, 100, 60}}},
		ScaleDown: Rules{SelectPolicy: SelectMax, Policies: []Policy{{Percent, 50, 60}, {Pods, 1, 60}}}}
	if got, _, _, _ := h.normalizeWithBehavior(0, b, 10, 30, 1, 100); got != 14 {
		t.Errorf("Min of +4 and +100%% from 10: %d, want 14", got)
	}
	// Scale-down Max change: min(10 x 0.5, 10 - 1) = 5.
	if got, _, _, _ := h.normalizeWithBehavior(0, b, 10, 1, 1, 100); got != 5 {
		t.Errorf("Max of -50%% and -1 from 10: %d, want 5", got)
	}
	// 7 x 0.5 = 3.5 -> 3 kept.
	var h2 history
	if got, _, _, _ := h2.normalizeWithBehavior(0, b, 7, 1, 1, 100); got != 3 {
		t.Errorf("-50%% from 7: %d, want 3", got)
	}
	// After a scale-down of 5 within the period, a scale-up starts from 10.
	h.storeScaleEvent(0, b, 10, 5)
	if got, _, _, _ := h.normalizeWithBehavior(30*sec, b, 5, 30, 1, 100); got != 14 {
		t.Errorf("scale-up 30 s after 10 -> 5: %d, want 14 (period start 10, +4)", got)
	}
	d := &Behavior{ScaleUp: Rules{SelectPolicy: SelectDisabled, Policies: []Policy{{Pods, 4, 60}}}, ScaleDown: DefaultScaleDown()}
	var h3 history
	if got, _, limited, limit := h3.normalizeWithBehavior(0, d, 3, 10, 1, 100); got != 3 || !limited || limit[0] != "ScaleUpLimit" {
		t.Errorf("Disabled scale-up: %d %v %s, want 3 ScaleUpLimit", got, limited, limit[0])
	}
	// A scale-up stabilization window takes the lowest recent recommendation.
	w := &Behavior{ScaleUp: Rules{StabilizationWindowSeconds: 60, SelectPolicy: SelectMax, Policies: []Policy{{Percent, 900, 15}}}, ScaleDown: DefaultScaleDown()}
	var h4 history
	h4.normalizeWithBehavior(0, w, 2, 3, 1, 100)
	if got, able, _, _ := h4.normalizeWithBehavior(30*sec, w, 2, 8, 1, 100); got != 3 || able[0] != "ScaleUpStabilized" {
		t.Errorf("scale-up window: %d (%s), want 3 ScaleUpStabilized", got, able[0])
	}
}

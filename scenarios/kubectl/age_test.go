package kubectl

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"
)

// The AGE column follows kubectl's rules exactly: apimachinery's HumanDuration
// is the baseline, over every second of the first day and a spread beyond.
func TestHumanDurationMatchesKubectl(t *testing.T) {
	check := func(d time.Duration) {
		if got, want := humanDuration(d), duration.HumanDuration(d); got != want {
			t.Fatalf("humanDuration(%v) = %q, kubectl prints %q", d, got, want)
		}
	}
	for s := -5; s < 24*3600; s++ {
		check(time.Duration(s) * time.Second)
	}
	for d := 24 * time.Hour; d < 20*365*24*time.Hour; d += 7*time.Hour + 13*time.Minute {
		check(d)
	}
	for _, s := range []string{"45s", "3m12s", "5m", "2d3h"} {
		found := false
		for _, d := range []time.Duration{45 * time.Second, 192 * time.Second, 5 * time.Minute, 51 * time.Hour} {
			found = found || humanDuration(d) == s
		}
		if !found {
			t.Errorf("no duration printed as %q", s)
		}
	}
}

package scenarios

import (
	"math"
	"strings"
	"testing"
)

// capacityWith runs the capacity scenario with the given number of workers
// (one rng pod, 10 s windows).
func capacityWith(t *testing.T, workers string) *Result {
	t.Helper()
	src, _ := BuiltinSource("capacity")
	s, err := ParseFile("capacity.yaml", []byte(strings.Replace(string(src), `workers: "10"`, `workers: "`+workers+`"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	s.Window = StudyWindow
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	noStepErrors(t, res)
	return res
}

// The summary's windows, and the study metric built from them, read the true
// mining rate: 10 workers on one rng pod mine 10 hashes/s (rng serves one 0.1 s
// request at a time), one worker about 1/0.3 s (0.1 s sleep, 0.1 s rng, 0.1 s
// hasher, plus connection set-up and network). Averaging the web UI's polls
// inside each window read 9.111 and 3.56.
func TestWindowSpeedsAreUnbiased(t *testing.T) {
	for _, tc := range []struct {
		workers string
		want    float64
		tol     float64 // relative
	}{
		{"10", 10, 0.005},
		{"1", 1 / 0.3, 0.015}, // each loop also waits ~1 ms per hop
	} {
		res := capacityWith(t, tc.workers)
		ws := res.Mining().Windows
		var speed, computed float64
		kept := ws[3:] // after the 30 s warm-up
		for _, w := range kept {
			speed += w.HashesPerSec
			computed += *w.ComputedPerSec
			if tc.workers == "10" && math.Abs(w.HashesPerSec-10) > 0.05 {
				t.Errorf("10 workers: window (%g, %g] reads %.3f hashes/s, want 10.00 within 0.5%%", w.Start, w.End, w.HashesPerSec)
			}
		}
		speed /= float64(len(kept))
		computed /= float64(len(kept))
		if !near(speed, tc.want, tc.tol) || !near(speed, computed, 0.005) {
			t.Errorf("%s workers: windows' mean %.3f hashes/s, want %.3f within %g%% and the true throughput %.3f within 0.5%%", tc.workers, speed, tc.want, 100*tc.tol, computed)
		}
		series := StudyMetrics(res).Series["hashes_per_s"].Values
		if len(series) != len(ws) {
			t.Fatalf("%s workers: study series has %d values for %d windows", tc.workers, len(series), len(ws))
		}
		for i, v := range series {
			if v != ws[i].HashesPerSec {
				t.Errorf("%s workers: study metric hashes_per_s[%d] = %v, summary window %v", tc.workers, i, v, ws[i].HashesPerSec)
			}
		}
	}
}

func near(got, want, rel float64) bool { return math.Abs(got-want) <= rel*want }

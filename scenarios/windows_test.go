package scenarios

import (
	"math"
	"strings"
	"testing"
	"time"
)

// capacityWith runs the capacity scenario with the given number of workers
// (one rng pod, 10 s windows), with deterministic timings or the defaults.
func capacityWith(t *testing.T, workers string, deterministic bool, seed uint64) *Result {
	t.Helper()
	src, _ := BuiltinSource("capacity")
	y := strings.Replace(string(src), `workers: "10"`, `workers: "`+workers+`"`, 1)
	if deterministic {
		y = strings.Replace(y, "\ncluster:", "\nconfig: {deterministic: true}\ncluster:", 1)
	}
	s, err := ParseFile("capacity.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if s.Config.Deterministic != deterministic {
		t.Fatalf("config.deterministic: %v, want %v", s.Config.Deterministic, deterministic)
	}
	s.Window, s.Seed = StudyWindow, seed
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	noStepErrors(t, res)
	return res
}

// The summary's windows, and the study metric built from them, read the true
// mining rate: 10 workers on one rng pod mine 10 hashes/s (rng serves one 0.1 s
// request at a time, plus 0.2 ms of Werkzeug), one worker about 1/0.3 s (0.1 s
// sleep, 0.1 s rng, 0.1 s hasher, plus connection set-up and network).
// Averaging the web UI's polls inside each window read 9.111 and 3.56. With
// deterministic timings every window of 10 workers reads 10.00; with the
// default spread, their mean does.
func TestWindowSpeedsAreUnbiased(t *testing.T) {
	for _, tc := range []struct {
		workers       string
		deterministic bool
		want          float64
		tol           float64 // relative
	}{
		{"10", true, 10, 0.005},
		{"10", false, 10, 0.005},
		{"1", true, 1 / 0.3, 0.02}, // each loop also waits ~1-2 ms on connections and server work
		{"1", false, 1 / 0.3, 0.02},
	} {
		res := capacityWith(t, tc.workers, tc.deterministic, 1)
		ws := res.Mining().Windows
		var speed, computed float64
		kept := ws[3:] // after the 30 s warm-up
		for _, w := range kept {
			speed += w.HashesPerSec
			computed += *w.ComputedPerSec
			// A window holds whole hashes: 1 in 100 is its resolution.
			if tc.workers == "10" && tc.deterministic && math.Abs(w.HashesPerSec-10) > 0.1+0.05 {
				t.Errorf("10 workers: window (%g, %g] reads %.3f hashes/s, want 10.00 within one hash and 0.5%%", w.Start, w.End, w.HashesPerSec)
			}
		}
		speed /= float64(len(kept))
		computed /= float64(len(kept))
		if !near(speed, tc.want, tc.tol) || !near(speed, computed, 0.005) {
			t.Errorf("%s workers (deterministic %v): windows' mean %.3f hashes/s, want %.3f within %g%% and the true throughput %.3f within 0.5%%", tc.workers, tc.deterministic, speed, tc.want, 100*tc.tol, computed)
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

// The default timings vary as their mechanisms do: two seeds give different
// runs, and requests of the same kind take different times.
func TestDefaultTimingsVary(t *testing.T) {
	a, b := capacityWith(t, "10", false, 1), capacityWith(t, "10", false, 2)
	if a.Summary.Services["rng"].LatencyMs == b.Summary.Services["rng"].LatencyMs {
		t.Errorf("seeds 1 and 2 give the same rng latency %+v: the default timings do not vary", a.Summary.Services["rng"].LatencyMs)
	}
	lat := a.Summary.Services["hasher"].LatencyMs
	if lat.P50 == lat.P99 {
		t.Errorf("hasher latency p50 = p99 = %v ms: every request took the same time", lat.P50)
	}
}

// A scenario's window is at least 1 ms and gives at most MaxWindows windows:
// the file's error names the field, its line and the smallest allowed value;
// Run refuses the same for a scenario built in Go.
func TestWindowBounds(t *testing.T) {
	src := "name: w\nduration: 5m\nwindow: %s\n"
	for w, want := range map[string]string{
		"1ns":  "w.yaml:3: window: 1ns is too fine: the smallest window is 1ms",
		"10ms": "w.yaml:3: window: 10ms gives 30000 windows in a 5m0s run, more than 5000: the smallest window for this duration is 60ms",
		"-1s":  "w.yaml:3: window: -1s: a window must be at least 1ms",
		"0s":   "w.yaml:3: window: 0s: a window must be at least 1ms; leave window out for an automatic width",
	} {
		_, err := ParseFile("w.yaml", []byte(strings.Replace(src, "%s", w, 1)))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("window: %s: %v, want %q", w, err, want)
		}
	}
	if s, err := ParseFile("w.yaml", []byte(strings.Replace(src, "%s", "60ms", 1))); err != nil || s.Window != 60*time.Millisecond {
		t.Errorf("window: 60ms: %v", err)
	}
	s, _ := Builtin("capacity")
	s.Window = time.Millisecond
	if _, err := Run(s); err == nil || !strings.Contains(err.Error(), "window 1ms gives 300000 windows") {
		t.Errorf("Run with a 1 ms window over 5 minutes: %v", err)
	}
	if got := SmallestWindow(16 * time.Minute); got != 192*time.Millisecond {
		t.Errorf("SmallestWindow(16m) = %v, want 192ms", got)
	}
}

// The fine bins widen with the run, so that a long run keeps at most MaxBins
// of them per series (memory independent of the duration), and never exceed a
// window.
func TestAutoBin(t *testing.T) {
	for _, c := range []struct{ d, w, want time.Duration }{
		{5 * time.Minute, 10 * time.Second, time.Second},
		{16 * time.Minute, time.Minute, time.Second},
		{time.Hour, 2 * time.Minute, 5 * time.Second},
		{24 * time.Hour, AutoWindow(24 * time.Hour), 100 * time.Second},
		{time.Hour, 100 * time.Millisecond * 8, 800 * time.Millisecond},
		{time.Minute, 60 * time.Millisecond, 60 * time.Millisecond},
	} {
		if got := AutoBin(c.d, c.w); got != c.want {
			t.Errorf("AutoBin(%v, %v) = %v, want %v", c.d, c.w, got, c.want)
		}
	}
	src, _ := BuiltinSource("capacity")
	s, err := ParseFile("capacity.yaml", []byte(strings.Replace(string(src), "duration: 5m", "duration: 1h", 1)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	ser := res.Rec.Series()
	if tp := res.Mining().Throughput; ser.Bin != 5 || len(tp) != 720 {
		t.Errorf("a 1 h run: %d bins of %g s, want 720 of 5 s", len(tp), ser.Bin)
	}
	for _, p := range ser.Pods {
		if len(p.Bins) > MaxBins {
			t.Errorf("pod %s: %d bins", p.Name, len(p.Bins))
		}
	}
	ws := res.Mining().Windows
	if w := ws[len(ws)-1]; w.ComputedPerSec == nil || !near(*w.ComputedPerSec, 10, 0.02) {
		t.Errorf("last window's true throughput: %+v", w)
	}
}

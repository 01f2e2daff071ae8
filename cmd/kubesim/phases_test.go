package main

import (
	"strconv"
	"strings"
	"testing"
)

// phaseRows are the rows of the terminal's "Services by phase" table for
// service: phase -> [requests, ok/s, errors, p50, p99].
func phaseRows(t *testing.T, out, service string) map[string][5]float64 {
	t.Helper()
	i := strings.Index(out, "\nServices by phase")
	if i < 0 {
		t.Fatalf("no Services by phase section:\n%s", out)
	}
	sec := out[i+1:]
	if j := strings.Index(sec, "\n\n"); j >= 0 {
		sec = sec[:j]
	}
	rows := map[string][5]float64{}
	in := false
	for _, l := range strings.Split(sec, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 7:
			in = f[0] == service
			f = f[1:]
		case len(f) == 6 && in:
		default:
			continue
		}
		if !in {
			continue
		}
		var v [5]float64
		for k := range v {
			x, err := strconv.ParseFloat(f[k+1], 64)
			if err != nil {
				t.Fatalf("row %q: %v", l, err)
			}
			v[k] = x
		}
		rows[f[0]] = v
	}
	return rows
}

// online-boutique's terminal summary shows the frontend's response to the
// scale steps: more load after the loadgenerator's scale-up at 3m (and a
// far higher p99: one frontend pod saturated), then after the frontend's
// scale-up to 3 pods at 6m, more requests answered and a lower p99.
func TestPhasesRespondToScaling(t *testing.T) {
	code, out, errs := run(t, "run", "online-boutique")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"  0s-3m0s        kubectl apply -f online-boutique.yaml\n",
		"  3m0s-6m0s      kubectl scale deployment loadgenerator --replicas=30\n",
		"  6m0s-9m0s      kubectl scale deployment frontend --replicas=3\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no phase line %q in:\n%s", want, out)
		}
	}
	fe := phaseRows(t, out, "frontend")
	before, loaded, scaled := fe["0s-3m0s"], fe["3m0s-6m0s"], fe["6m0s-9m0s"]
	if len(fe) != 3 {
		t.Fatalf("frontend phases %v, want 0s-3m0s, 3m0s-6m0s, 6m0s-9m0s", fe)
	}
	if !(loaded[1] > 10*before[1]) || !(loaded[4] > 10*before[4]) {
		t.Errorf("after the loadgenerator's scale-up: ok/s %.2f -> %.2f, p99 %.1f -> %.1f ms; want both more than 10 times higher", before[1], loaded[1], before[4], loaded[4])
	}
	if !(scaled[1] > loaded[1]) || !(scaled[4] < loaded[4]/2) || !(scaled[3] < loaded[3]/5) {
		t.Errorf("after the frontend's scale-up: ok/s %.2f -> %.2f, p50 %.1f -> %.1f, p99 %.1f -> %.1f ms; want more ok/s, p99 halved, p50 a fifth", loaded[1], scaled[1], loaded[3], scaled[3], loaded[4], scaled[4])
	}
	// The phases add up to the whole run's requests and errors.
	if n, e := before[0]+loaded[0]+scaled[0], before[2]+loaded[2]+scaled[2]; !strings.Contains(out, "frontend     "+strconv.Itoa(int(n))+"  ") || e != 45 {
		t.Errorf("frontend's phases: %v requests, %v errors; not the Services table's (27978, 45)", n, e)
	}
}

// A run with more boundaries than the table's bound merges its shortest
// phase into its shorter neighbour, and says so; a run whose only steps are
// at 0 s prints no phases.
func TestPhasesBounded(t *testing.T) {
	_, out, _ := run(t, "run", "workshop")
	if !strings.Contains(out, "  2m0s-4m5s      kubectl scale deployment worker --replicas=10 (and the phase from 4m0s, merged: at most 8 phases)\n") {
		t.Errorf("no merged phase in:\n%s", out)
	}
	if n := len(phaseRows(t, out, "rng")); n != maxPhases {
		t.Errorf("rng has %d phases, want %d", n, maxPhases)
	}
	_, out, _ = run(t, "run", "hpa-daily", "--duration", "2m")
	if strings.Contains(out, "Services by phase") {
		t.Errorf("phases printed for a run whose steps are all at 0s:\n%s", out)
	}
}

package study

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

// erlangCDirect is the textbook form, as an independent reference:
// C = (a^c/c! * 1/(1-rho)) / (sum_{k<c} a^k/k! + a^c/c! * 1/(1-rho)).
func erlangCDirect(c int, a float64) float64 {
	rho := a / float64(c)
	term, sum := 1.0, 0.0
	for k := 0; k < c; k++ {
		sum += term
		term *= a / float64(k+1)
	}
	last := term / (1 - rho)
	return last / (sum + last)
}

func TestErlangC(t *testing.T) {
	// M/M/1: the probability of waiting is rho; Wq = rho/(mu - lambda).
	if got := ErlangC(1, 0.8); !near(got, 0.8, 1e-12) {
		t.Errorf("C(1, 0.8) = %v, want 0.8", got)
	}
	if got := (MMC{C: 1, Lambda: 0.8, Mu: 1}).WaitTheory(); !near(got, 4, 1e-12) {
		t.Errorf("M/M/1 rho 0.8 Wq = %v, want 4", got)
	}
	// M/M/2: C = 2 rho^2 / (1 + rho); rho = 0.5 gives 1/3, Wq = (1/3)/(2-1).
	if got := ErlangC(2, 1); !near(got, 1.0/3, 1e-12) {
		t.Errorf("C(2, 1) = %v, want 1/3", got)
	}
	if got := (MMC{C: 2, Lambda: 1.6, Mu: 1}).WaitTheory(); !near(got, 2*0.64/1.8/0.4, 1e-12) {
		t.Errorf("M/M/2 rho 0.8 Wq = %v, want %v", got, 2*0.64/1.8/0.4)
	}
	for _, c := range []int{1, 2, 3, 4, 10, 50} {
		for _, rho := range []float64{0.1, 0.5, 0.8, 0.95} {
			a := rho * float64(c)
			if got, want := ErlangC(c, a), erlangCDirect(c, a); !near(got, want, 1e-10) {
				t.Errorf("C(%d, %v) = %v, direct formula %v", c, a, got, want)
			}
		}
	}
}

// accepted is the validation criterion: theory inside the 95% interval, or
// within 5% of the simulated mean.
func accepted(r Row, theory float64) bool {
	return r.Low <= theory && theory <= r.High || math.Abs(r.Mean-theory) <= 0.05*math.Abs(r.Mean)
}

func TestMMCValidationStudy(t *testing.T) {
	s, err := Builtin("mmc-validation")
	if err != nil {
		t.Fatal(err)
	}
	run, ok := RunnerForBase(s.Base)
	if !ok {
		t.Fatalf("no runner for base %q", s.Base)
	}
	res, err := Run(context.Background(), s, run, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := res.Table()
	if err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	tb.WriteCSV(&csv)
	t.Logf("mmc-validation table:\n%s", csv.String())
	if len(s.Points()) != 6 {
		t.Fatalf("%d points, want c in {1,2,4} x rho in {0.5,0.8}", len(s.Points()))
	}
	rows := map[string]Row{}
	for _, r := range tb.Rows {
		rows[r.Params.String()+"/"+r.Metric] = r
	}
	for _, p := range s.Points() {
		m, err := MMCFromPoint(p)
		if err != nil {
			t.Fatal(err)
		}
		k := p.String() + "/"
		wq, pw, rho := m.WaitTheory(), ErlangC(m.C, m.Lambda/m.Mu), m.Lambda/(float64(m.C)*m.Mu)
		if got := rows[k+MetricWqTheory].Mean; !near(got, wq, 1e-12) {
			t.Fatalf("%s: reported theory %v, want %v", p, got, wq)
		}
		for _, c := range []struct {
			metric string
			theory float64
		}{{MetricWq, wq}, {MetricWait, wq}, {MetricPWait, pw}, {MetricUtilisation, rho}} {
			r := rows[k+c.metric]
			if r.N != 10 || !accepted(r, c.theory) {
				t.Errorf("%s: %s = %v, 95%% CI [%v, %v] (n %d); theory %v is outside and more than 5%% away",
					p, c.metric, r.Mean, r.Low, r.High, r.N, c.theory)
			}
		}
		// Negative control: the criterion rejects the waiting time of a queue
		// with 10% more load, so it can tell a wrong model from a right one.
		wrong := MMC{C: m.C, Lambda: 1.1 * m.Lambda, Mu: m.Mu}.WaitTheory()
		if accepted(rows[k+MetricWq], wrong) {
			t.Errorf("%s: the criterion also accepts Wq = %v of a 10%% heavier load", p, wrong)
		}
	}
}

func TestMMCDeterministicAndParallelismIndependent(t *testing.T) {
	y, _ := BuiltinYAML("mmc-validation")
	short := strings.Replace(string(y), "rho: [0.5, 0.8]", "rho: [0.5, 0.8]\n    horizon: [\"2000s\"]", 1)
	s := mustParse(t, short)
	var out [][]byte
	for _, par := range []int{1, 2, 1} {
		res, err := Run(context.Background(), s, MMCRunner(), Options{Parallelism: par})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		res.WriteJSON(&b)
		out = append(out, b.Bytes())
	}
	if !bytes.Equal(out[0], out[1]) || !bytes.Equal(out[0], out[2]) {
		t.Fatal("M/M/c results differ between runs or parallelism")
	}
	a, _ := MMC{C: 2, Lambda: 1, Mu: 1, Horizon: 1000 * time.Second, Period: 100 * time.Second}.Run(context.Background(), 1)
	b, _ := MMC{C: 2, Lambda: 1, Mu: 1, Horizon: 1000 * time.Second, Period: 100 * time.Second}.Run(context.Background(), 2)
	// Arrivals and departures at about lambda = 1/s each, plus one tick per
	// period: about 2000 + 10 events.
	if ev := a.Scalars[MetricEvents]; ev < 1800 || ev > 2200 {
		t.Errorf("%v events in 1000 s at lambda = 1/s, want about 2010", ev)
	}
	if len(a.Series[MetricLq].Values) != 10 || a.Series[MetricLq].Values[3] == b.Series[MetricLq].Values[3] {
		t.Error("different seeds should give different samples (and 10 samples per 1000s at 100s)")
	}
}

func TestMMCPointErrors(t *testing.T) {
	for _, c := range []struct {
		p    Point
		want string
	}{
		{Point{{"rho", Number(0.5)}}, "c (number of servers) is not set"},
		{Point{{"c", Number(1.5)}, {"rho", Number(0.5)}}, "whole number"},
		{Point{{"c", Number(2)}}, "set rho"},
		{Point{{"c", Number(2)}, {"lambda", Number(1)}, {"rho", Number(0.5)}}, "not both"},
		{Point{{"c", Number(2)}, {"rho", Number(1)}}, "unstable"},
		{Point{{"c", Number(2)}, {"rho", String("high")}}, "must be a number"},
		{Point{{"c", Number(2)}, {"rho", Number(0.5)}, {"horizon", Number(10)}}, "duration string"},
		{Point{{"c", Number(2)}, {"rho", Number(0.5)}, {"period", String("1h")}, {"horizon", String("1h")}}, "two periods"},
		{Point{{"c", Number(2)}, {"servers", Number(3)}}, `unknown parameter "servers"`},
	} {
		_, err := MMCFromPoint(c.p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.p, err, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (MMC{C: 1, Lambda: 0.5, Mu: 1, Horizon: DefaultMMCHorizon, Period: DefaultMMCPeriod}).Run(ctx, 1); err != context.Canceled {
		t.Errorf("cancelled run: %v", err)
	}
	if _, err := Builtin("nope"); err == nil || !strings.Contains(err.Error(), "mmc-validation") {
		t.Errorf("unknown built-in: %v", err)
	}
}

package study

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// fakeRunner is a deterministic stand-in for a scenario run: metric "m" is
// 10*x + sd(x)*N(0,1) where x is the point's "x" and sd(x) = x, metric "s" is a
// series with a warm-up transient of 40 samples at level 100 and then N(x, 1)
// noise. It spins a little so that replications overlap in time.
func fakeRunner(calls *atomic.Int64) Runner {
	return func(ctx context.Context, p Point, seed uint64) (Result, error) {
		if calls != nil {
			calls.Add(1)
		}
		x := 1.0
		if v, ok := p.Get("x"); ok {
			x, _ = v.Float()
		}
		r := sim.NewStream(seed, "fake")
		ser := make([]float64, 200)
		for i := range ser {
			ser[i] = x + r.NormFloat64()
			if i < 40 {
				ser[i] = 100
			}
		}
		return Result{
			Scalars: map[string]float64{"m": 10*x + x*r.NormFloat64()},
			Series:  map[string]Series{"s": {Period: time.Second, Values: ser}},
		}, nil
	}
}

const fakeStudy = `
name: fake
base: fake
seed: 7
replications: {min: 4, max: 40, batch: 3, target_rel_half_width: 0.05, target_metrics: [m]}
warmup: mser5
metrics: [m, s]
parameters:
  grid:
    x: [0.1, 1, 3, 5]
    y: [a, b]
question: {find: smallest, parameter: x, metric: m, op: ">=", bound: 9}
`

func runBytes(t *testing.T, s *Study, par int, sh Shard) (*Results, []byte) {
	t.Helper()
	r, err := Run(context.Background(), s, fakeRunner(nil), Options{Parallelism: par, Shard: sh})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return r, b.Bytes()
}

func tableBytes(t *testing.T, r *Results) (csv, js []byte) {
	t.Helper()
	tb, err := r.Table()
	if err != nil {
		t.Fatal(err)
	}
	var c, j bytes.Buffer
	if err := tb.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	if err := tb.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	return c.Bytes(), j.Bytes()
}

func TestRunIdenticalForAnyParallelism(t *testing.T) {
	s := mustParse(t, fakeStudy)
	r1, b1 := runBytes(t, s, 1, Shard{})
	c1, j1 := tableBytes(t, r1)
	for _, par := range []int{0, 2, 7, 64} {
		r, b := runBytes(t, s, par, Shard{})
		c, j := tableBytes(t, r)
		if !bytes.Equal(b, b1) || !bytes.Equal(c, c1) || !bytes.Equal(j, j1) {
			t.Fatalf("parallelism %d: results differ from parallelism 1", par)
		}
	}
}

func TestSequentialStopping(t *testing.T) {
	s := mustParse(t, fakeStudy)
	r, _ := runBytes(t, s, 3, Shard{})
	for _, pr := range r.Results {
		n := len(pr.Replications)
		if n < 4 || n > 40 || (n-4)%3 != 0 {
			t.Errorf("point %d: %d replications; want min 4 plus batches of 3, at most 40", pr.Index, n)
		}
		x, _ := pr.Point.Get("x")
		xs := pr.values(0)
		rel := Summarise(xs).RelHalfWidth()
		prev := Summarise(xs[:max(n-3, 2)]).RelHalfWidth()
		switch {
		case n < 40 && rel > 0.05:
			t.Errorf("point %d (%s): stopped at %d with rel half-width %v > target", pr.Index, pr.Point, n, rel)
		case n > 4 && prev <= 0.05:
			t.Errorf("point %d: the target was already met at %d, yet it ran %d", pr.Index, n-3, n)
		}
		// Relative noise is 10% of the mean for every x, so all points need
		// more than min replications but reach the target before max.
		if f, _ := x.Float(); n == 4 || n == 40 {
			t.Errorf("point x=%v ran %d replications; the 10%% noise should need between 4 and 40", f, n)
		}
	}
	// Without a target, exactly min replications.
	s2 := mustParse(t, strings.Replace(fakeStudy, "replications: {min: 4, max: 40, batch: 3, target_rel_half_width: 0.05, target_metrics: [m]}", "replications: {min: 4}", 1))
	r2, _ := runBytes(t, s2, 3, Shard{})
	for _, pr := range r2.Results {
		if len(pr.Replications) != 4 {
			t.Errorf("no target: point %d ran %d replications, want 4", pr.Index, len(pr.Replications))
		}
	}
}

func TestWarmupRemovalOnSeries(t *testing.T) {
	for _, c := range []struct {
		warmup    string
		truncated int
	}{{"mser5", 40}, {"40s", 40}, {"none", 0}} {
		s := mustParse(t, strings.Replace(fakeStudy, "warmup: mser5", "warmup: "+c.warmup, 1))
		r, _ := runBytes(t, s, 2, Shard{})
		for _, pr := range r.Results {
			for _, rep := range pr.Replications {
				if rep.Truncated[0] != -1 {
					t.Fatalf("scalar metric m: truncated %d, want -1", rep.Truncated[0])
				}
				if c.warmup == "mser5" && (rep.Truncated[1] < 40 || rep.Truncated[1] > 100) || c.warmup != "mser5" && rep.Truncated[1] != c.truncated {
					t.Fatalf("warmup %s: removed %d samples, want %d (mser5: the 40-sample transient, at most half the series)", c.warmup, rep.Truncated[1], c.truncated)
				}
			}
			x, _ := pr.Point.Get("x")
			xf, _ := x.Float()
			got := Summarise(pr.values(1)).Mean
			want := xf
			if c.warmup == "none" {
				want = (40*100 + 160*xf) / 200
			}
			if math.Abs(got-want) > 0.1 {
				t.Errorf("warmup %s, x=%v: series metric mean %v, want about %v", c.warmup, xf, got, want)
			}
		}
	}
}

func TestRunErrors(t *testing.T) {
	s := mustParse(t, fakeStudy)
	ctx := context.Background()
	missing := func(ctx context.Context, p Point, seed uint64) (Result, error) {
		return Result{Scalars: map[string]float64{"other": 1, "m": 2}}, nil
	}
	_, err := Run(ctx, s, missing, Options{Parallelism: 2})
	if err == nil || !strings.Contains(err.Error(), `no metric "s"`) || !strings.Contains(err.Error(), "m, other") {
		t.Errorf("missing metric: %v", err)
	}
	var calls atomic.Int64
	failing := func(ctx context.Context, p Point, seed uint64) (Result, error) {
		if calls.Add(1) == 3 {
			return Result{}, errors.New("scenario exploded")
		}
		return fakeRunner(nil)(ctx, p, seed)
	}
	_, err = Run(ctx, s, failing, Options{Parallelism: 2})
	if err == nil || !strings.Contains(err.Error(), "scenario exploded") || !strings.Contains(err.Error(), "seed") {
		t.Errorf("runner error: %v", err)
	}
	panicky := func(ctx context.Context, p Point, seed uint64) (Result, error) { panic("boom") }
	_, err = Run(ctx, s, panicky, Options{Parallelism: 2})
	if err == nil || !strings.Contains(err.Error(), "panicked: boom") {
		t.Errorf("runner panic: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	var n atomic.Int64
	slow := func(ctx context.Context, p Point, seed uint64) (Result, error) {
		if n.Add(1) == 3 {
			cancel()
		}
		<-ctx.Done()
		return Result{}, ctx.Err()
	}
	_, err = Run(cctx, s, slow, Options{Parallelism: 4})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v, want context.Canceled", err)
	}
	if n.Load() > 8 {
		t.Errorf("cancelled run kept starting replications: %d", n.Load())
	}
	shortSeries := func(ctx context.Context, p Point, seed uint64) (Result, error) {
		return Result{Scalars: map[string]float64{"m": 1}, Series: map[string]Series{"s": {Period: time.Second, Values: []float64{1, 2}}}}, nil
	}
	s2 := mustParse(t, strings.Replace(fakeStudy, "warmup: mser5", "warmup: 1m", 1))
	if _, err = Run(ctx, s2, shortSeries, Options{}); err == nil || !strings.Contains(err.Error(), "removes all 2 samples") {
		t.Errorf("warm-up longer than the run: %v", err)
	}
	if _, err = Run(ctx, s, nil, Options{}); err == nil {
		t.Error("nil runner: no error")
	}
	if _, err = Run(ctx, s, fakeRunner(nil), Options{Shard: Shard{I: 3, N: 2}}); err == nil {
		t.Error("shard 3/2: no error")
	}
}

func TestProgress(t *testing.T) {
	s := mustParse(t, fakeStudy)
	var got []Progress
	r, err := Run(context.Background(), s, fakeRunner(nil), Options{Parallelism: 3, Progress: func(p Progress) { got = append(got, p) }})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, pr := range r.Results {
		total += len(pr.Replications)
	}
	if len(got) != total {
		t.Fatalf("%d progress calls for %d replications", len(got), total)
	}
	for i, p := range got {
		if p.Done != i+1 || p.Total < p.Done || p.Total > p.Max || p.Max != 8*40 || p.ETA < 0 {
			t.Fatalf("progress %d: %+v", i, p)
		}
	}
	if last := got[len(got)-1]; last.Done != total || last.Total != total || last.ETA != 0 {
		t.Errorf("last progress %+v, want done = total = %d and no time left", last, total)
	}
	var buf bytes.Buffer
	bar := ProgressBar(&buf, time.Hour)
	bar(Progress{Done: 1, Total: 4, Max: 4, ETA: 3 * time.Second})
	bar(Progress{Done: 2, Total: 4, Max: 4}) // throttled
	bar(Progress{Done: 4, Total: 4, Max: 4, Elapsed: time.Second})
	out := buf.String()
	if !strings.Contains(out, "1/4 replications  25% ETA 3s") || strings.Contains(out, "2/4") || !strings.HasSuffix(out, "\n") || !strings.Contains(out, "4/4 replications 100% in 1s") {
		t.Errorf("progress bar output %q", out)
	}
}

func ExampleRun() {
	s, _ := Parse("example.yaml", []byte(`
name: example
base: fake
replications: {min: 3}
metrics: [m]
parameters: {grid: {x: [1, 2]}}
`))
	r, _ := Run(context.Background(), s, func(ctx context.Context, p Point, seed uint64) (Result, error) {
		x, _ := p.Get("x")
		f, _ := x.Float()
		return Result{Scalars: map[string]float64{"m": 2 * f}}, nil
	}, Options{})
	tb, _ := r.Table()
	var b bytes.Buffer
	tb.WriteCSV(&b)
	fmt.Print(b.String())
	// Output:
	// point,x,metric,n,mean,stddev,half_width,ci_low,ci_high,rel_half_width,error,identical
	// 0,1,m,3,2,0,,,,,,true
	// 1,2,m,3,4,0,,,,,,true
}

package study

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// failingRunner is fakeRunner, except that point x=3 fails at replication 1
// and later ones (a refused step, say), and x=5 does not report metric s.
func failingRunner() Runner {
	ok := fakeRunner(nil)
	return func(ctx context.Context, p Point, seed uint64) (Result, error) {
		x, _ := p.Get("x")
		f, _ := x.Float()
		r, err := ok(ctx, p, seed)
		switch {
		case f == 3 && seed != ReplicationSeed(7, p.Key(), 0):
			return Result{}, errors.New("step 2 (at 1m: kubectl scale deployment nope) failed:\nError from server (NotFound)")
		case f == 5:
			delete(r.Series, "s")
		}
		return r, err
	}
}

// Without KeepGoing the first failure stops the study and names the point and
// the replication; with it, the failed points are reported, never averaged,
// and the results are the same for any parallelism.
func TestKeepGoingReportsFailedPoints(t *testing.T) {
	s := mustParse(t, strings.Replace(fakeStudy, "bound: 9", "bound: 25", 1))
	if _, err := Run(context.Background(), s, failingRunner(), Options{Parallelism: 3}); err == nil ||
		!strings.Contains(err.Error(), "study fake: point ") || !strings.Contains(err.Error(), "replication ") {
		t.Fatalf("without keep-going: %v", err)
	}
	var first []byte
	for _, par := range []int{1, 3, 16} {
		r, err := Run(context.Background(), s, failingRunner(), Options{Parallelism: par, KeepGoing: true})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := r.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b.Bytes()
		} else if !bytes.Equal(first, b.Bytes()) {
			t.Fatalf("parallelism %d: results differ", par)
		}
		failed := r.Failed()
		if len(failed) != 4 { // x=3 and x=5, for y=a and y=b
			t.Fatalf("%d failed points, want 4", len(failed))
		}
		for _, pr := range failed {
			x, _ := pr.Point.Get("x")
			f, _ := x.Float()
			want := "replication 1 (seed "
			if f == 5 {
				want = `replication 0 (seed `
			}
			if !strings.Contains(pr.Error, want) || strings.Contains(pr.Error, "\n") {
				t.Errorf("point %s: error %q, want one line naming %q", pr.Point, pr.Error, want)
			}
			if len(pr.Replications) != 4 {
				t.Errorf("failed point %s ran %d replications; a failed point gets no more than min", pr.Point, len(pr.Replications))
			}
		}
		tb, err := r.Table()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range tb.Rows {
			x, _ := row.Params.Get("x")
			f, _ := x.Float()
			if bad := f == 3 || f == 5; bad != (row.Error != "") || bad && (row.N != 0 || !math.IsNaN(row.Mean)) {
				t.Errorf("row %s %s: n %d mean %v error %q", row.Params, row.Metric, row.N, row.Mean, row.Error)
			}
		}
		// smallest x with m >= 25: x=0.1 and 1 fall short (means 1 and 10),
		// x=3 failed: the answer is undetermined, not x=5 (which failed too)
		// nor none.
		for _, a := range tb.Answers {
			if a.Failed == nil || a.WithConfidence != nil || a.OnMean != nil {
				t.Errorf("answer %s", a)
			}
			if !strings.Contains(a.String(), "undetermined with 95% confidence (point ") || !strings.Contains(a.String(), "undetermined on the mean (point ") {
				t.Errorf("answer %q", a)
			}
		}
		var c, j bytes.Buffer
		tb.WriteCSV(&c)
		tb.WriteJSON(&j)
		if !strings.Contains(c.String(), `,m,0,,,,,,,"study fake: point `) || !strings.Contains(j.String(), `"failed_points": 4`) || !strings.Contains(j.String(), `"failed_point": `) {
			t.Errorf("CSV:\n%s\nJSON:\n%s", c.String(), j.String())
		}
		// The results file reads back, failures included, and merges.
		back, err := ReadResults("r.json", bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if len(back.Failed()) != 4 {
			t.Errorf("read back %d failed points", len(back.Failed()))
		}
	}
	// A damaged file whose point error does not match its replications is refused.
	bad := strings.Replace(string(first), `"error": "study fake: point 2`, `"error": "edited: point 2`, 1)
	if _, err := ReadResults("r.json", strings.NewReader(bad)); err == nil {
		t.Error("an edited failure was accepted")
	}
}

// Sharded with KeepGoing, merged: the same results as one run.
func TestKeepGoingShardsMerge(t *testing.T) {
	s := mustParse(t, fakeStudy)
	full, err := Run(context.Background(), s, failingRunner(), Options{KeepGoing: true})
	if err != nil {
		t.Fatal(err)
	}
	var parts []*Results
	for i := 0; i < 3; i++ {
		r, err := Run(context.Background(), s, failingRunner(), Options{KeepGoing: true, Shard: Shard{I: i, N: 3}})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, roundTrip(t, r))
	}
	m, err := Merge(parts...)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	full.WriteJSON(&a)
	m.WriteJSON(&b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("merged shards differ from the unsharded run")
	}
}

// A series sample of NaN is a window without an observation: warm-up removal
// and the mean skip it; a series with none left is a missing metric.
func TestNaNSamplesAreNoObservation(t *testing.T) {
	nan := math.NaN()
	ser := Series{Period: time.Second, Values: []float64{nan, 100, 100, 100, 100, 100, nan, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}
	tr, err := Truncate(Warmup{Kind: WarmupMSER5}, ser)
	if err != nil {
		t.Fatal(err)
	}
	if tr != 7 || mean(ser.Values[tr:]) != 1 {
		t.Errorf("truncated %d (mean %v), want 7 (the first observation after the transient) and mean 1", tr, mean(ser.Values[tr:]))
	}
	if !math.IsNaN(mean([]float64{nan, nan})) {
		t.Error("mean of no observation is not NaN")
	}
	s := mustParse(t, strings.Replace(fakeStudy, "warmup: mser5", "warmup: 2s", 1))
	_, err = Run(context.Background(), s, func(ctx context.Context, p Point, seed uint64) (Result, error) {
		return Result{Scalars: map[string]float64{"m": 1}, Series: map[string]Series{"s": {Period: time.Second, Values: []float64{1, 1, nan, nan}}}}, nil
	}, Options{})
	if err == nil || !strings.Contains(err.Error(), "metric s has no value: none of the 2 windows kept after warm-up has an observation") {
		t.Errorf("all-NaN series: %v", err)
	}
	_, err = Run(context.Background(), s, func(ctx context.Context, p Point, seed uint64) (Result, error) {
		return Result{Scalars: map[string]float64{"m": 1}, Missing: map[string]string{"s": "needs detailed measurement"}}, nil
	}, Options{})
	if err == nil || !strings.Contains(err.Error(), `the run has no metric "s": needs detailed measurement`) {
		t.Errorf("missing metric: %v", err)
	}
}

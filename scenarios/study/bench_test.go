package study

import (
	"context"
	"testing"
	"time"
)

// BenchmarkMMCReplication runs one M/M/2 replication at rho 0.8 per op, for two
// horizons: allocations must not grow with the number of events (the hot path
// does not allocate; only the per-run sample slices, streams and engine do).
func BenchmarkMMCReplication(b *testing.B) {
	for _, h := range []time.Duration{2000 * time.Second, 20000 * time.Second} {
		b.Run("horizon="+h.String(), func(b *testing.B) {
			m := MMC{C: 2, Lambda: 1.6, Mu: 1, Horizon: h, Period: 100 * time.Second}
			b.ReportAllocs()
			var events float64
			seed := uint64(0)
			for b.Loop() {
				seed++
				res, err := m.Run(context.Background(), seed)
				if err != nil {
					b.Fatal(err)
				}
				events += res.Scalars[MetricEvents]
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/events, "ns/event")
		})
	}
}

// BenchmarkExecutorOverhead compares Run (parallelism 1) with a plain loop
// calling the same trivial runner: the difference is the executor's cost per
// replication (channels, seed derivation, metric reduction).
func BenchmarkExecutorOverhead(b *testing.B) {
	s, err := Parse("bench", []byte("name: b\nbase: b\nreplications: {min: 100}\nmetrics: [m]\nparameters: {grid: {x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}}\n"))
	if err != nil {
		b.Fatal(err)
	}
	res := Result{Scalars: map[string]float64{"m": 1}}
	run := func(ctx context.Context, p Point, seed uint64) (Result, error) { return res, nil }
	jobs := float64(len(s.Points()) * 100)
	b.Run("loop", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, p := range s.Points() {
				for r := 0; r < 100; r++ {
					if _, err := run(context.Background(), p, uint64(r)); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(jobs*float64(b.N)), "ns/replication")
	})
	for _, par := range []int{1, 2} {
		b.Run("run/parallelism="+string(rune('0'+par)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Run(context.Background(), s, run, Options{Parallelism: par}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(jobs*float64(b.N)), "ns/replication")
		})
	}
}

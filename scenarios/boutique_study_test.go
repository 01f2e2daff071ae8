package scenarios

import (
	"context"
	"math"
	"testing"

	"github.com/kubesim/kubesim/scenarios/study"
)

// The built-in study boutique-capacity runs Online Boutique at a steady load:
// every point applies to the base (no scale-up at 3m or 6m: the load and the
// replicas are the point's from start to end). At 300 users one frontend is
// saturated (its 200m CPU limit: about 75 requests/s at most, the p99 in
// hundreds of ms) while two frontends (and two recommendationservices) serve
// what the users ask, about 300 x 0.27 = 80 requests/s (each user a task of
// 1.47 requests on average every 5.5 s), with a p99 several times lower.
func TestBoutiqueCapacityStudy(t *testing.T) {
	y, ok := BuiltinStudyYAML("boutique-capacity")
	if !ok {
		t.Fatal("no built-in study boutique-capacity")
	}
	st, err := study.Parse("boutique-capacity.yaml", y)
	if err != nil {
		t.Fatal(err)
	}
	run, err := StudyRunner(st) // checks every point against the base
	if err != nil {
		t.Fatal(err)
	}
	point := func(users, replicas float64) study.Point {
		for _, p := range st.Points() {
			u, _ := p.Get("vars.users")
			r, _ := p.Get("vars.frontend_replicas")
			if uf, _ := u.Float(); uf == users {
				if rf, _ := r.Float(); rf == replicas {
					return p
				}
			}
		}
		t.Fatalf("no point users=%v frontend_replicas=%v", users, replicas)
		return nil
	}
	// The mean of a series after the study's 60 s warm-up.
	mean := func(r study.Result, m string) float64 {
		s := r.Series[m]
		var sum float64
		var n int
		for _, v := range s.Values[6:] {
			if !math.IsNaN(v) {
				sum += v
				n++
			}
		}
		return sum / float64(n)
	}
	one, err := run(context.Background(), point(300, 1), 1)
	if err != nil {
		t.Fatal(err)
	}
	two, err := run(context.Background(), point(300, 2), 1)
	if err != nil {
		t.Fatal(err)
	}
	r1, r2 := mean(one, "frontend.requests_per_s"), mean(two, "frontend.requests_per_s")
	p1, p2 := mean(one, "frontend.latency_ms.p99"), mean(two, "frontend.latency_ms.p99")
	if r2 < 72 || r2 > 88 || r1 > 78 {
		t.Errorf("frontend requests/s at 300 users: %.1f with 1 frontend, %.1f with 2; want about 80 with 2 and at most about 75 with 1", r1, r2)
	}
	if p1 < 3*p2 || p1 < 200 {
		t.Errorf("frontend p99 at 300 users: %.0f ms with 1 frontend, %.0f ms with 2; want the first saturated and several times the second", p1, p2)
	}
}

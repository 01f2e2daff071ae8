package kubeproxy

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model/endpoints"
	"github.com/kubesim/kubesim/sim"
)

var (
	ready       = endpoints.Conditions{Member: true, Ready: true, Serving: true}
	notReady    = endpoints.Conditions{Member: true}
	termServing = endpoints.Conditions{Member: true, Serving: true, Terminating: true}
	termDead    = endpoints.Conditions{Member: true, Terminating: true}
)

var allModes = []Config{
	{Mode: ModeIPTables},
	{Mode: ModeNFTables},
	{Mode: ModeIPVS, Scheduler: SchedulerRoundRobin},
	{Mode: ModeIPVS, Scheduler: SchedulerLeastConnections},
}

func modeName(c Config) string {
	if c.Scheduler != "" {
		return c.Mode + "-" + c.Scheduler
	}
	return c.Mode
}

func newTable(t *testing.T, cfg Config) *Table {
	t.Helper()
	tb, err := NewTable(cfg, sim.NewStreamPCG(1, "kube-proxy/test"))
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string // substring of the error, "" for valid
	}{
		{Config{}, ""},
		{Config{Mode: "iptables"}, ""},
		{Config{Mode: "nftables"}, ""},
		{Config{Mode: "ipvs"}, ""},
		{Config{Mode: "ipvs", Scheduler: "lc"}, ""},
		{Config{Mode: "userspace"}, `unknown proxy mode "userspace"`},
		{Config{Mode: "ipvs", Scheduler: "wlc"}, `unknown IPVS scheduler "wlc"`},
		{Config{Mode: "iptables", Scheduler: "rr"}, `only valid with mode "ipvs"`},
	} {
		err := tc.cfg.Validate()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%+v: unexpected error %v", tc.cfg, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want it to mention %q", tc.cfg, err, tc.want)
		}
	}
	if _, err := NewTable(Config{Mode: ModeIPTables}, nil); err == nil || !strings.Contains(err.Error(), "random stream") {
		t.Errorf("iptables without a random stream: error %v, want one asking for a stream", err)
	}
	if _, err := NewTable(Config{Mode: ModeIPVS}, nil); err != nil {
		t.Errorf("ipvs without a random stream: %v", err)
	}
	tb := newTable(t, Config{})
	for _, a := range []Affinity{{ClientIP: true, Timeout: -time.Second}, {ClientIP: true, Timeout: 86401 * time.Second}, {Timeout: time.Second}} {
		if err := tb.SetAffinity(a); err == nil {
			t.Errorf("SetAffinity(%+v): no error", a)
		}
	}
}

// TestFallback checks which endpoints receive connections, in every mode.
func TestFallback(t *testing.T) {
	type ep struct {
		pod  endpoints.PodID
		cond endpoints.Conditions
	}
	cases := []struct {
		name string
		eps  []ep
		want []endpoints.PodID // pods that get connections; nil: refused
	}{
		{"empty", nil, nil},
		{"ready only", []ep{{1, ready}, {2, ready}}, []endpoints.PodID{1, 2}},
		{"ready beats terminating", []ep{{1, ready}, {2, termServing}, {3, notReady}}, []endpoints.PodID{1}},
		{"fallback to serving terminating", []ep{{2, termServing}, {3, notReady}, {4, termDead}, {5, termServing}}, []endpoints.PodID{2, 5}},
		{"not ready only: refused", []ep{{3, notReady}}, nil},
		{"terminating not serving: refused", []ep{{4, termDead}}, nil},
		{"removed endpoint", []ep{{1, ready}, {2, ready}, {1, endpoints.Conditions{}}}, []endpoints.PodID{2}},
		{"ready turns terminating", []ep{{1, ready}, {1, termServing}, {2, notReady}}, []endpoints.PodID{1}},
	}
	for _, cfg := range allModes {
		for _, tc := range cases {
			t.Run(modeName(cfg)+"/"+tc.name, func(t *testing.T) {
				tb := newTable(t, cfg)
				for _, e := range tc.eps {
					tb.Set(e.pod, e.cond)
				}
				var got []endpoints.PodID
				for i := range 200 {
					pod, ok := tb.Pick(ClientID(i), 0)
					if !ok {
						break
					}
					if !slices.Contains(got, pod) {
						got = append(got, pod)
					}
					if i%2 == 1 {
						tb.Release(pod)
					}
				}
				slices.Sort(got)
				if !slices.Equal(got, tc.want) {
					t.Errorf("picked %v, want %v", got, tc.want)
				}
			})
		}
	}
}

func TestRandomIsUniform(t *testing.T) {
	for _, mode := range []string{ModeIPTables, ModeNFTables} {
		tb := newTable(t, Config{Mode: mode})
		const n, picks = 5, 50000
		for p := range n {
			tb.Set(endpoints.PodID(10+p), ready)
		}
		tb.Set(99, termServing) // never used while ready endpoints exist
		var count [n]int
		for i := range picks {
			pod, ok := tb.Pick(ClientID(i), 0)
			if !ok || pod < 10 || pod >= 10+n {
				t.Fatalf("%s: picked %d %v", mode, pod, ok)
			}
			count[pod-10]++
		}
		// chi-square with 4 degrees of freedom: P(X > 18.5) < 0.001
		chi := 0.0
		for _, c := range count {
			d := float64(c) - picks/n
			chi += d * d / (picks / n)
		}
		if chi > 18.5 {
			t.Errorf("%s: counts %v are not uniform (chi-square %.1f)", mode, count, chi)
		}
	}
}

func TestRandomIsDeterministic(t *testing.T) {
	run := func() []endpoints.PodID {
		tb := newTable(t, Config{Mode: ModeIPTables})
		for p := range 7 {
			tb.Set(endpoints.PodID(p), ready)
		}
		var out []endpoints.PodID
		for i := range 100 {
			pod, _ := tb.Pick(ClientID(i), 0)
			out = append(out, pod)
		}
		return out
	}
	if a, b := run(), run(); !slices.Equal(a, b) {
		t.Errorf("same seed, different picks:\n%v\n%v", a, b)
	}
}

func TestRoundRobin(t *testing.T) {
	tb := newTable(t, Config{Mode: ModeIPVS})
	for _, p := range []endpoints.PodID{3, 1, 2} {
		tb.Set(p, ready)
	}
	var got []endpoints.PodID
	for range 7 {
		pod, _ := tb.Pick(0, 0)
		got = append(got, pod)
	}
	if want := []endpoints.PodID{3, 1, 2, 3, 1, 2, 3}; !slices.Equal(got, want) {
		t.Errorf("rr picks %v, want %v", got, want)
	}
	// Removing an endpoint keeps every remaining one in the rotation.
	tb.Delete(1)
	seen := map[endpoints.PodID]int{}
	for range 6 {
		pod, _ := tb.Pick(0, 0)
		seen[pod]++
	}
	if len(seen) != 2 || seen[2] != 3 || seen[3] != 3 {
		t.Errorf("after removing pod 1, six rr picks gave %v, want pods 2 and 3 three times each", seen)
	}
}

// TestRandomOperations drives a table in each mode with random picks, releases
// and endpoint changes and checks every pick against a brute-force oracle: the
// pool in use (ready, else serving+terminating), the minimum count for lc, the
// rotation for rr, and every pod's connection count.
func TestRandomOperations(t *testing.T) {
	for _, cfg := range allModes {
		t.Run(modeName(cfg), func(t *testing.T) { randomOperations(t, cfg) })
	}
}

func randomOperations(t *testing.T, cfg Config) {
	tb := newTable(t, cfg)
	rng := sim.NewStream(7, "lb-oracle")
	lc := cfg.Scheduler == SchedulerLeastConnections
	rr := cfg.Mode == ModeIPVS && !lc
	var run []endpoints.PodID // rr: picks since the last endpoint change
	conns := map[endpoints.PodID]int{}
	cond := map[endpoints.PodID]endpoints.Conditions{}
	conds := []endpoints.Conditions{ready, ready, ready, termServing, notReady, {}}
	for step := range 20000 {
		switch r := rng.IntN(10); {
		case r < 5:
			pod, ok := tb.Pick(0, 0)
			// oracle: the pool in use and its minimum count
			var pool []endpoints.PodID
			for p, c := range cond {
				if c.Ready {
					pool = append(pool, p)
				}
			}
			if len(pool) == 0 {
				for p, c := range cond {
					if c.Serving && c.Terminating {
						pool = append(pool, p)
					}
				}
			}
			if len(pool) == 0 {
				if ok {
					t.Fatalf("step %d: picked %d from no usable endpoint", step, pod)
				}
				continue
			}
			minC := conns[pool[0]]
			for _, p := range pool {
				minC = min(minC, conns[p])
			}
			if !ok || !slices.Contains(pool, pod) || lc && conns[pod] != minC {
				t.Fatalf("step %d: picked %d (ok=%v, %d conns), want a pod of %v with %d conns", step, pod, ok, conns[pod], pool, minC)
			}
			conns[pod]++
			if rr {
				if len(run) < len(pool) && slices.Contains(run, pod) {
					t.Fatalf("step %d: rr picked %d twice within %d picks of a pool of %d (%v)", step, pod, len(run)+1, len(pool), run)
				}
				if len(run) == len(pool) {
					run = run[:0]
				}
				run = append(run, pod)
			}
		case r < 8:
			p := endpoints.PodID(rng.IntN(12))
			if conns[p] > 0 {
				conns[p]--
			}
			tb.Release(p)
		default:
			p := endpoints.PodID(rng.IntN(12))
			c := conds[rng.IntN(len(conds))]
			tb.Set(p, c)
			run = run[:0]
			if c.Member {
				cond[p] = c
			} else {
				delete(cond, p)
			}
		}
		for p := range endpoints.PodID(12) {
			if got := tb.Conns(p); got != conns[p] {
				t.Fatalf("step %d: pod %d has %d conns, want %d", step, p, got, conns[p])
			}
		}
	}
}

func TestLeastConnectionsSpreadsLoad(t *testing.T) {
	tb2 := newTable(t, Config{Mode: ModeIPVS, Scheduler: SchedulerLeastConnections})
	tb2.Set(1, ready)
	for range 3 {
		tb2.Pick(0, 0)
	}
	tb2.Set(2, ready) // new endpoint with no connections takes the next three
	for i := range 3 {
		if pod, _ := tb2.Pick(0, 0); pod != 2 {
			t.Errorf("pick %d after pod 2 joined went to %d, want 2 (0 conns vs 3)", i, pod)
		}
	}
	if pod, _ := tb2.Pick(0, 0); pod != 1 {
		t.Errorf("tie at 3 conns went to %d, want 1 (waited longest)", pod)
	}
}

func TestAffinity(t *testing.T) {
	for _, cfg := range allModes {
		t.Run(modeName(cfg), func(t *testing.T) {
			tb := newTable(t, cfg)
			if err := tb.SetAffinity(Affinity{ClientIP: true, Timeout: 10 * time.Second}); err != nil {
				t.Fatal(err)
			}
			for p := range 8 {
				tb.Set(endpoints.PodID(p), ready)
			}
			first := map[ClientID]endpoints.PodID{}
			for c := range ClientID(20) {
				first[c], _ = tb.Pick(c, 0)
			}
			// Each connection within the timeout of the previous one sticks,
			// and restarts the timeout: at 9 s, 18 s, 27 s.
			for _, now := range []sim.Time{9 * time.Second, 18 * time.Second, 27 * time.Second} {
				for c := range ClientID(20) {
					if pod, _ := tb.Pick(c, now); pod != first[c] {
						t.Fatalf("client %d at %v went to %d, want %d (affinity)", c, now, pod, first[c])
					}
				}
			}
			// 10 s after the last connection the affinity has expired: the
			// clients are balanced afresh and do not all stay.
			moved := 0
			for c := range ClientID(20) {
				if pod, _ := tb.Pick(c, 37*time.Second); pod != first[c] {
					moved++
				}
			}
			if moved == 0 {
				t.Errorf("after the timeout no client moved; affinity did not expire")
			}
			// An endpoint that stops being ready loses its clients.
			pod, _ := tb.Pick(100, 40*time.Second)
			tb.Set(pod, termServing)
			if again, _ := tb.Pick(100, 41*time.Second); again == pod {
				t.Errorf("client stayed on endpoint %d after it started terminating", pod)
			}
		})
	}
}

func TestAffinityDefaultTimeout(t *testing.T) {
	tb := newTable(t, Config{Mode: ModeIPVS})
	if err := tb.SetAffinity(Affinity{ClientIP: true}); err != nil {
		t.Fatal(err)
	}
	for p := range 4 {
		tb.Set(endpoints.PodID(p), ready)
	}
	first, _ := tb.Pick(1, 0)
	if pod, _ := tb.Pick(1, DefaultAffinityTimeout-time.Nanosecond); pod != first {
		t.Errorf("just before 10800 s: went to %d, want %d", pod, first)
	}
	if pod, _ := tb.Pick(1, 2*DefaultAffinityTimeout); pod == first {
		t.Errorf("long after the timeout rr still sent the client to %d", pod)
	}
}

func TestAffinityTableIsReaped(t *testing.T) {
	tb := newTable(t, Config{Mode: ModeIPTables})
	if err := tb.SetAffinity(Affinity{ClientIP: true, Timeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	tb.Set(1, ready)
	for i := range 100000 {
		tb.Pick(ClientID(i), sim.Time(i)*time.Millisecond)
	}
	if n := len(tb.aff); n > 4000 {
		t.Errorf("affinity table holds %d clients; with 1000 new clients per second and a 1 s timeout it should stay near 2000", n)
	}
}

func TestConnectionsOutliveEndpoint(t *testing.T) {
	for _, cfg := range allModes {
		t.Run(modeName(cfg), func(t *testing.T) {
			tb := newTable(t, cfg)
			tb.Set(1, ready)
			tb.Set(2, ready)
			for range 10 {
				tb.Pick(0, 0)
			}
			c1 := tb.Conns(1)
			tb.Delete(1)
			if got := tb.Conns(1); got != c1 {
				t.Errorf("after removal pod 1 has %d conns, want %d (open connections stay)", got, c1)
			}
			if c1 > 0 {
				tb.Release(1)
			}
			tb.Set(1, ready)
			if got, want := tb.Conns(1), max(c1-1, 0); got != want {
				t.Errorf("back as an endpoint pod 1 has %d conns, want %d", got, want)
			}
			for range 10 {
				tb.Release(1)
			}
			if got := tb.Conns(1); got != 0 {
				t.Errorf("extra releases left %d conns", got)
			}
		})
	}
}

func TestReplace(t *testing.T) {
	tb := newTable(t, Config{Mode: ModeIPVS})
	for p := range 5 {
		tb.Set(endpoints.PodID(p), ready)
	}
	tb.Replace([]endpoints.Endpoint{{Pod: 3, Conditions: ready}, {Pod: 7, Conditions: ready}, {Pod: 8, Conditions: termServing}})
	if r, f := tb.Len(); r != 2 || f != 1 {
		t.Errorf("after Replace: %d ready, %d fallback, want 2 and 1", r, f)
	}
	seen := map[endpoints.PodID]bool{}
	for range 4 {
		pod, _ := tb.Pick(0, 0)
		seen[pod] = true
	}
	if len(seen) != 2 || !seen[3] || !seen[7] {
		t.Errorf("after Replace picks went to %v, want pods 3 and 7", seen)
	}
}

func TestPickDoesNotAllocate(t *testing.T) {
	for _, cfg := range allModes {
		for _, aff := range []bool{false, true} {
			tb := newTable(t, cfg)
			if aff {
				tb.SetAffinity(Affinity{ClientIP: true})
			}
			for p := range 100 {
				tb.Set(endpoints.PodID(p), ready)
			}
			var i int
			pick := func() {
				pod, _ := tb.Pick(ClientID(i%50), sim.Time(i))
				i++
				tb.Release(pod)
			}
			for range 1000 { // warm up: affinity table and lc buckets reach their size
				pick()
			}
			if a := testing.AllocsPerRun(1000, pick); a != 0 {
				t.Errorf("%s affinity=%v: %v allocs per Pick+Release", modeName(cfg), aff, a)
			}
		}
	}
}

func TestProxier(t *testing.T) {
	if _, err := NewProxier(Config{Mode: "ipvs", Scheduler: "sh"}, nil); err == nil {
		t.Error("NewProxier accepted scheduler sh")
	}
	p, err := NewProxier(Config{Mode: ModeIPVS}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Pick(3, 0, 0); ok {
		t.Error("unknown service accepted a connection")
	}
	var sub endpoints.Subscriber = p
	sub.EndpointChanged(3, 10, endpoints.Conditions{}, ready)
	sub.EndpointChanged(3, 11, endpoints.Conditions{}, notReady)
	sub.EndpointChanged(2, 12, endpoints.Conditions{}, ready)
	for i := range 3 {
		if pod, ok := p.Pick(3, 0, 0); !ok || pod != 10 {
			t.Errorf("pick %d of service 3: %d %v, want 10", i, pod, ok)
		}
	}
	sub.EndpointChanged(3, 10, ready, endpoints.Conditions{})
	if pod, ok := p.Pick(3, 0, 0); ok {
		t.Errorf("service 3 without ready endpoints sent a connection to %d", pod)
	}
	if err := p.SetAffinity(-1, Affinity{}); err == nil {
		t.Error("SetAffinity accepted a negative id")
	}
	p.DeleteService(2)
	if _, ok := p.Pick(2, 0, 0); ok {
		t.Error("deleted service accepted a connection")
	}
}

func TestPending(t *testing.T) {
	px, err := NewProxier(Config{Mode: ModeIPVS}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var q Pending
	if _, ok := q.Next(); ok {
		t.Error("empty queue has a next change")
	}
	q.Add(1*time.Second, 0, 1, ready)
	q.Add(2*time.Second, 0, 2, ready)
	q.Add(2*time.Second, 0, 1, endpoints.Conditions{})
	q.Add(5*time.Second, 0, 3, ready)
	if n := q.ApplyDue(px, 500*time.Millisecond); n != 0 {
		t.Errorf("applied %d changes before any was due", n)
	}
	if _, ok := px.Pick(0, 0, 0); ok {
		t.Error("connection accepted before the first endpoint arrived")
	}
	q.ApplyDue(px, time.Second)
	if pod, _ := px.Pick(0, 0, 0); pod != 1 {
		t.Errorf("at 1 s picked %d, want 1", pod)
	}
	if n := q.ApplyDue(px, 3*time.Second); n != 2 {
		t.Errorf("at 3 s applied %d changes, want 2", n)
	}
	for range 3 {
		if pod, _ := px.Pick(0, 0, 0); pod != 2 {
			t.Errorf("at 3 s picked %d, want 2 (pod 1 removed)", pod)
		}
	}
	if at, ok := q.Next(); !ok || at != 5*time.Second || q.Len() != 1 {
		t.Errorf("Next = %v %v, Len %d; want 5s true 1", at, ok, q.Len())
	}
	q.ApplyDue(px, time.Hour)
	if q.Len() != 0 {
		t.Errorf("%d changes left", q.Len())
	}
}

// ReleaseConn releases what Release would, also when the connection's entry
// was freed and taken by another pod meanwhile.
func TestReleaseConn(t *testing.T) {
	for _, cfg := range []Config{{}, {Mode: ModeIPVS, Scheduler: SchedulerLeastConnections}} {
		tb := newTable(t, cfg)
		tb.Set(1, ready)
		pod, c, ok := tb.PickConn(0, 0)
		if !ok || pod != 1 {
			t.Fatalf("%s: PickConn = %d, %v; want pod 1", modeName(cfg), pod, ok)
		}
		// Pod 1 leaves; its entry stays while the connection is open.
		tb.Delete(1)
		tb.ReleaseConn(1, c)
		if n := tb.Conns(1); n != 0 {
			t.Fatalf("%s: pod 1 has %d connections after ReleaseConn, want 0", modeName(cfg), n)
		}
		// Pod 2 takes the freed entry; a stale release of pod 1 leaves it alone.
		tb.Set(2, ready)
		if _, c2, _ := tb.PickConn(0, 0); c2 != c {
			t.Logf("%s: pod 2 got entry %d, not the freed %d", modeName(cfg), c2, c)
		}
		tb.ReleaseConn(1, c)
		if n := tb.Conns(2); n != 1 {
			t.Fatalf("%s: pod 2 has %d connections after a stale release of pod 1, want 1", modeName(cfg), n)
		}
		tb.ReleaseConn(2, c)
		if n := tb.Conns(2); n != 0 {
			t.Fatalf("%s: pod 2 has %d connections after its release, want 0", modeName(cfg), n)
		}
	}
}

package cpu

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

const ms = time.Millisecond

// record keeps when each job ended.
type record struct{ at map[int64]sim.Time }

func (r *record) Handle(e *sim.Engine, arg int64) { r.at[arg] = e.Now() }

func newRecord() *record { return &record{at: map[int64]sim.Time{}} }

// runAt starts job arg of work on c at time t.
func runAt(e *sim.Engine, c *Container, t, work sim.Time, h sim.Handler, arg int64) {
	e.At(t, sim.HandlerFunc(func(*sim.Engine, int64) { c.Run(work, h, arg) }), 0)
}

// A 250m limit is a quota of 25 ms per 100 ms period: 100 ms of work runs
// 25 ms in each of four periods.
func TestThrottlingStretchesServiceTime(t *testing.T) {
	e := sim.New(1)
	n := NewNode(e, 2000)
	c := n.NewContainer(250, 250, 1)
	r := newRecord()
	runAt(e, c, 0, 100*ms, r, 1)
	e.Run()
	if got := r.at[1]; got != 325*ms {
		t.Errorf("100 ms of work under a 250m limit, from the start of a period: done at %v, want 325ms (3 throttled periods + 25 ms)", got)
	}
	periods, throttled, tt := c.Throttling()
	if periods != 4 || throttled != 3 || tt != 225*ms {
		t.Errorf("cpu.stat: nr_periods %d nr_throttled %d throttled_time %v, want 4, 3, 225ms", periods, throttled, tt)
	}
	if u := c.Used(); u != 100*ms {
		t.Errorf("usage %v, want 100ms", u)
	}

	// Arriving in the middle of a period: 25 ms then, and 25 ms at the start of
	// each of the next three.
	e = sim.New(1)
	n = NewNode(e, 2000)
	c = n.NewContainer(250, 250, 1)
	r = newRecord()
	runAt(e, c, 50*ms, 100*ms, r, 1)
	e.Run()
	if got := r.at[1]; got != 325*ms {
		t.Errorf("arriving at 50 ms: done at %v, want 325ms", got)
	}
	// Arriving at 90 ms: 10 ms left in the period, then 25+25+25, and 15 ms.
	e = sim.New(1)
	n = NewNode(e, 2000)
	c = n.NewContainer(250, 250, 1)
	r = newRecord()
	runAt(e, c, 90*ms, 100*ms, r, 1)
	e.Run()
	if got := r.at[1]; got != 415*ms {
		t.Errorf("arriving at 90 ms: done at %v, want 415ms", got)
	}
}

// Two jobs in a container with a 500m limit and two threads share its 50 ms
// quota: each runs 25 ms per period.
func TestQuotaSharedByThreads(t *testing.T) {
	e := sim.New(1)
	n := NewNode(e, 4000)
	c := n.NewContainer(500, 500, 2)
	r := newRecord()
	runAt(e, c, 0, 50*ms, r, 1)
	runAt(e, c, 0, 50*ms, r, 2)
	e.Run()
	// Each period: both run at one core for 25 ms (50 ms of quota used).
	if r.at[1] != 125*ms || r.at[2] != 125*ms {
		t.Errorf("done at %v and %v, want 125ms for both", r.at[1], r.at[2])
	}
}

// On a contended 1-core node, CPU requests of 1000m and 250m weigh 1024 and
// 256 shares: rates 0.8 and 0.2 while both run.
func TestSharesOnContendedNode(t *testing.T) {
	e := sim.New(1)
	n := NewNode(e, 1000)
	a := n.NewContainer(1000, 0, 1)
	b := n.NewContainer(250, 0, 1)
	r := newRecord()
	runAt(e, a, 0, time.Second, r, 1)
	runAt(e, b, 0, time.Second, r, 2)
	e.Run()
	// a: 1 s at 0.8 -> 1.25 s; b has done 0.25 s by then, 0.75 s left alone.
	if r.at[1] != 1250*ms || r.at[2] != 2000*ms {
		t.Errorf("done at %v and %v, want 1.25s and 2s", r.at[1], r.at[2])
	}
	if ua, ub := a.Used(), b.Used(); ua != time.Second || ub != time.Second {
		t.Errorf("usage %v and %v, want 1s each", ua, ub)
	}
}

// A best-effort container weighs 2 shares against 1024: it gets 2/1026 of
// the core while the other runs, all of it afterwards.
func TestBestEffortGetsWhatIsLeft(t *testing.T) {
	e := sim.New(1)
	n := NewNode(e, 1000)
	a := n.NewContainer(1000, 0, 1)
	be := n.NewContainer(0, 0, 1)
	r := newRecord()
	runAt(e, a, 0, time.Second, r, 1)
	runAt(e, be, 0, time.Second, r, 2)
	e.Run()
	wantA := 1026 * time.Second / 1024 // 1 s at 1024/1026
	if d := r.at[1] - wantA; d < -time.Microsecond || d > time.Microsecond {
		t.Errorf("guaranteed container done at %v, want %v", r.at[1], wantA)
	}
	if r.at[2] != 2*time.Second {
		t.Errorf("best effort done at %v, want 2s (the core is never idle)", r.at[2])
	}
}

// Water-filling: on a 2-core node, a heavy container with one job can use
// one core only; the other container gets the rest even with a small weight.
func TestThreadCapLeavesRestToOthers(t *testing.T) {
	e := sim.New(1)
	n := NewNode(e, 2000)
	a := n.NewContainer(2000, 0, 1)
	b := n.NewContainer(100, 0, 4)
	r := newRecord()
	runAt(e, a, 0, time.Second, r, 1)
	for i := int64(0); i < 3; i++ {
		runAt(e, b, 0, 3*time.Second, r, 10+i)
	}
	e.Run()
	// a: 1 core, done at 1 s. b: 1 core for its 3 jobs (1/3 each) until 1 s,
	// then 2 cores (2/3 each): 3 - 1/3 = 8/3 s left each at 2/3: 4 s more.
	if r.at[1] != time.Second {
		t.Errorf("one job done at %v, want 1s (one thread, one core)", r.at[1])
	}
	for i := int64(0); i < 3; i++ {
		if r.at[10+i] != 5*time.Second {
			t.Errorf("job %d done at %v, want 5s", i, r.at[10+i])
		}
	}
}

// Processor sharing: Poisson arrivals at rate lambda of exponential work of
// mean 1/mu on one core, every job running at once: the mean response time of
// M/M/1-PS is 1/(mu - lambda).
func TestProcessorSharingMM1(t *testing.T) {
	for _, rho := range []float64{0.5, 0.8} {
		e := sim.New(7)
		rng := e.Stream("test")
		n := NewNode(e, 1000)
		c := n.NewContainer(1000, 0, 0)
		const jobs = 200000
		mean := float64(time.Second) / 10 // 1/mu = 100 ms
		lambda := rho / mean              // per ns
		sent := make([]sim.Time, jobs)
		var sum float64
		done := 0
		h := sim.HandlerFunc(func(e *sim.Engine, arg int64) {
			sum += float64(e.Now() - sent[arg])
			done++
		})
		var arrive func(i int64)
		arrive = func(i int64) {
			sent[i] = e.Now()
			c.Run(sim.Time(rng.ExpFloat64()*mean), h, i)
			if i+1 < jobs {
				e.After(sim.Time(rng.ExpFloat64()/lambda), sim.HandlerFunc(func(*sim.Engine, int64) { arrive(i + 1) }), 0)
			}
		}
		arrive(0)
		e.Run()
		got := sum / float64(done) / 1e9
		want := mean / (1 - rho) / 1e9 // 1/(mu-lambda)
		if done != jobs || math.Abs(got-want)/want > 0.05 {
			t.Errorf("rho %.1f: %d jobs, mean response %.4f s, want %.4f s (M/M/1-PS) within 5%%", rho, done, got, want)
		}
		if busy := float64(c.Used()) / float64(e.Now()); math.Abs(busy-rho) > 0.02 {
			t.Errorf("rho %.1f: utilisation %.3f", rho, busy)
		}
	}
}

// Processor sharing on a contended node: two containers with equal CPU
// requests on one core, each with Poisson arrivals at lambda/2, share the
// core by their shares (half each while both are busy, all of it for the one
// that is) and their jobs within. The discipline is work-conserving and
// blind to job sizes, so with exponential work the number of jobs in the
// system is that of M/M/1 and the mean response time, in each container by
// symmetry, is 1/(mu - lambda).
func TestProcessorSharingMM1ContendedNode(t *testing.T) {
	for _, rho := range []float64{0.5, 0.8} {
		e := sim.New(11)
		n := NewNode(e, 1000)
		cs := [2]*Container{n.NewContainer(500, 0, 0), n.NewContainer(500, 0, 0)}
		const jobs = 100000 // per container
		mean := float64(time.Second) / 10
		lambda := rho / mean / 2 // per container, per ns
		var sum [2]float64
		var done [2]int
		for k := range cs {
			k := k
			rng := e.Stream(fmt.Sprintf("test-%d", k))
			sent := make([]sim.Time, jobs)
			h := sim.HandlerFunc(func(e *sim.Engine, arg int64) {
				sum[k] += float64(e.Now() - sent[arg])
				done[k]++
			})
			var arrive func(i int64)
			arrive = func(i int64) {
				sent[i] = e.Now()
				cs[k].Run(sim.Time(rng.ExpFloat64()*mean), h, i)
				if i+1 < jobs {
					e.After(sim.Time(rng.ExpFloat64()/lambda), sim.HandlerFunc(func(*sim.Engine, int64) { arrive(i + 1) }), 0)
				}
			}
			arrive(0)
		}
		e.Run()
		want := mean / (1 - rho) / 1e9
		for k := range cs {
			got := sum[k] / float64(done[k]) / 1e9
			t.Logf("rho %.1f, container %d: mean response %.4f s, M/M/1-PS %.4f s", rho, k, got, want)
			if done[k] != jobs || math.Abs(got-want)/want > 0.06 {
				t.Errorf("rho %.1f, container %d: %d jobs, mean response %.4f s, want %.4f s (M/M/1-PS) within 6%%", rho, k, done[k], got, want)
			}
		}
		if busy := float64(cs[0].Used()+cs[1].Used()) / float64(e.Now()); math.Abs(busy-rho) > 0.02 {
			t.Errorf("rho %.1f: node utilisation %.3f", rho, busy)
		}
	}
}

// A stopped container's jobs never finish, and its node forgets it.
func TestStopDropsJobs(t *testing.T) {
	e := sim.New(1)
	n := NewNode(e, 1000)
	c := n.NewContainer(0, 0, 0)
	r := newRecord()
	runAt(e, c, 0, time.Second, r, 1)
	e.At(500*ms, sim.HandlerFunc(func(*sim.Engine, int64) { c.Stop() }), 0)
	e.Run()
	if len(r.at) != 0 || c.Used() != 500*ms || len(n.busy) != 0 {
		t.Errorf("after Stop: done %v, used %v, busy %d", r.at, c.Used(), len(n.busy))
	}
}

type nop struct{ n int }

func (h *nop) Handle(*sim.Engine, int64) { h.n++ }

// BenchmarkRun is one job of 1 ms on a node where two other containers are
// busy: no allocation once the pool is warm.
func BenchmarkRun(b *testing.B) {
	e := sim.New(1)
	n := NewNode(e, 2000)
	c := n.NewContainer(500, 1000, 4)
	o1 := n.NewContainer(250, 0, 0)
	o2 := n.NewContainer(0, 0, 0)
	h := &nop{}
	o1.Run(time.Duration(1<<62), h, 0)
	o2.Run(time.Duration(1<<62), h, 0)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.Run(time.Millisecond, h, 1)
		e.RunUntil(e.Now() + 5*time.Millisecond)
	}
}

func TestRunAllocatesNothing(t *testing.T) {
	t.Run("alone", func(t *testing.T) { testRunAllocatesNothing(t, false) })
	// Contended: two other containers keep the node busy, so every job
	// start and end shares the node again (shares, quota, water-filling).
	t.Run("contended", func(t *testing.T) { testRunAllocatesNothing(t, true) })
}

func testRunAllocatesNothing(t *testing.T, contended bool) {
	e := sim.New(1)
	n := NewNode(e, 2000)
	c := n.NewContainer(500, 1000, 4)
	h := &nop{}
	if contended {
		n.NewContainer(250, 0, 0).Run(time.Duration(1<<62), h, 0)
		n.NewContainer(0, 0, 0).Run(time.Duration(1<<62), h, 0)
	}
	// Warm up the pool and the engine's event buckets.
	for i := 0; i < 100000; i++ {
		c.Run(time.Millisecond, h, 1)
		e.RunUntil(e.Now() + 5*time.Millisecond)
	}
	if a := testing.AllocsPerRun(1000, func() {
		c.Run(time.Millisecond, h, 1)
		e.RunUntil(e.Now() + 5*time.Millisecond)
	}); a != 0 {
		t.Errorf("%v allocations per job", a)
	}
}

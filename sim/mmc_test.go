package sim

import (
	"math"
	"testing"
	"time"
)

// station is an M/M/c-style queue built on the engine, for tests: customers arrive
// with inter-arrival times from arrive, wait in FIFO order for one of c servers and
// are served for a time from serve. It records the mean response time (wait plus
// service) of the customers that finish after the first skip.
type station struct {
	arrive, serve Dist
	c             int
	skip          int

	busy     int
	waiting  []Time // arrival times of queued customers, from head
	head     int
	started  int // customers that entered service
	finished int
	sumResp  float64
	nResp    int
}

const (
	evArrival int64 = -1
	// a departure's arg is the arrival time of the customer leaving (>= 0)
)

func (s *station) Handle(e *Engine, arg int64) {
	if arg == evArrival {
		e.After(s.arrive.Sample(), s, evArrival)
		if s.busy < s.c {
			s.startService(e, e.Now())
			return
		}
		if s.head > 1024 && 2*s.head > len(s.waiting) {
			s.waiting = s.waiting[:copy(s.waiting, s.waiting[s.head:])]
			s.head = 0
		}
		s.waiting = append(s.waiting, e.Now())
		return
	}
	s.finished++
	if s.finished > s.skip {
		s.sumResp += (e.Now() - Time(arg)).Seconds()
		s.nResp++
	}
	s.busy--
	if s.head < len(s.waiting) {
		a := s.waiting[s.head]
		s.head++
		s.startService(e, a)
	}
}

func (s *station) startService(e *Engine, arrived Time) {
	s.busy++
	s.started++
	e.After(s.serve.Sample(), s, int64(arrived))
}

func (s *station) meanResponse() float64 { return s.sumResp / float64(s.nResp) }

// runStation runs an M/M/c station with arrival rate lambda and service rate mu
// (per second) until n customers (after skip) have finished.
func runStation(seed uint64, lambda, mu float64, c, skip, n int) *station {
	e := New(seed)
	s := &station{
		arrive: Exp(Time(float64(time.Second) / lambda)).New(e.Stream("arrivals")),
		serve:  Exp(Time(float64(time.Second) / mu)).New(e.Stream("service")),
		c:      c,
		skip:   skip,
	}
	e.At(0, s, evArrival)
	for s.nResp < n {
		e.RunUntil(e.Now() + 1000*time.Second)
	}
	return s
}

// TestMM1ResponseTime checks the engine and the exponential distribution against
// queueing theory: an M/M/1 queue's mean response time is 1/(mu - lambda).
func TestMM1ResponseTime(t *testing.T) {
	const mu = 10.0 // per second: mean service 100ms
	for _, rho := range []float64{0.5, 0.8} {
		lambda := rho * mu
		s := runStation(7, lambda, mu, 1, 10_000, 2_000_000)
		want := 1 / (mu - lambda)
		got := s.meanResponse()
		if math.Abs(got-want)/want > 0.05 {
			t.Errorf("rho %.1f: mean response %.4fs, want %.4fs within 5%%", rho, got, want)
		} else {
			t.Logf("rho %.1f: mean response %.4fs, theory %.4fs (%+.2f%%)", rho, got, want, 100*(got-want)/want)
		}
	}
}

// TestMM2ResponseTime does the same for two servers, against the Erlang C formula,
// which exercises several events pending per station.
func TestMM2ResponseTime(t *testing.T) {
	const mu, c = 10.0, 2
	lambda := 0.7 * c * mu
	a := lambda / mu
	rho := a / c
	// Erlang C: probability that an arrival waits.
	sum := 0.0
	for k := 0; k < c; k++ {
		sum += math.Pow(a, float64(k)) / float64(factorial(k))
	}
	top := math.Pow(a, c) / float64(factorial(c)) / (1 - rho)
	pw := top / (sum + top)
	want := pw/(c*mu-lambda) + 1/mu
	s := runStation(11, lambda, mu, c, 10_000, 1_000_000)
	got := s.meanResponse()
	if math.Abs(got-want)/want > 0.05 {
		t.Errorf("M/M/2 at rho 0.7: mean response %.4fs, want %.4fs within 5%%", got, want)
	} else {
		t.Logf("M/M/2 at rho 0.7: mean response %.4fs, theory %.4fs (%+.2f%%)", got, want, 100*(got-want)/want)
	}
}

func factorial(n int) int {
	f := 1
	for i := 2; i <= n; i++ {
		f *= i
	}
	return f
}

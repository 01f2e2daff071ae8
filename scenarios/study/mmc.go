package study

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// MMCBase is the Base of studies run on the built-in M/M/c queue rather than on
// a scenario; RunnerForBase returns MMCRunner for it.
const MMCBase = "mmc"

// MMC is an M/M/c queue: Poisson arrivals at rate Lambda (per second), C servers
// with exponential service times of rate Mu (per second), one FIFO queue without
// limit. It runs on the sim engine from an empty system for Horizon and samples
// its metrics every Period.
type MMC struct {
	C       int
	Lambda  float64
	Mu      float64
	Horizon time.Duration
	Period  time.Duration
}

// MMC defaults for parameters a point does not set.
const (
	DefaultMMCHorizon = 50000 * time.Second
	DefaultMMCPeriod  = 100 * time.Second
)

// Check reports a configuration the queue cannot run or theory cannot describe.
func (m MMC) Check() error {
	switch {
	case m.C < 1 || m.C > 100_000:
		return fmt.Errorf("c = %d servers: want 1 to 100000", m.C)
	case !(m.Lambda > 0) || math.IsInf(m.Lambda, 0):
		return fmt.Errorf("arrival rate %v: want a positive rate per second", m.Lambda)
	case !(m.Mu > 0) || math.IsInf(m.Mu, 0):
		return fmt.Errorf("service rate mu = %v: want a positive rate per second", m.Mu)
	case m.Lambda >= float64(m.C)*m.Mu:
		return fmt.Errorf("utilisation rho = lambda/(c*mu) = %v: the queue is unstable; want rho < 1", m.Lambda/(float64(m.C)*m.Mu))
	case m.Period <= 0 || m.Horizon < 2*m.Period:
		return fmt.Errorf("horizon %v and period %v: want a positive period and a horizon of at least two periods", m.Horizon, m.Period)
	case m.Horizon/m.Period > 10_000_000:
		return fmt.Errorf("horizon %v / period %v gives too many samples; lengthen the period", m.Horizon, m.Period)
	}
	return nil
}

// ErlangC is the probability that an arrival waits in an M/M/c queue with c
// servers and offered load a = lambda/mu (a < c): the Erlang C formula, computed
// through the Erlang B recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)),
// then C = c B(c) / (c - a (1 - B(c))).
func ErlangC(c int, a float64) float64 {
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return float64(c) * b / (float64(c) - a*(1-b))
}

// WaitTheory is the M/M/c mean waiting time in queue, in seconds:
// Wq = C(c, a) / (c mu - lambda).
func (m MMC) WaitTheory() float64 {
	return ErlangC(m.C, m.Lambda/m.Mu) / (float64(m.C)*m.Mu - m.Lambda)
}

// MMC metric names. Series are sampled every Period; the *_theory ones are
// scalars from queueing theory, constant across replications.
const (
	// MetricWq is Lq/lambda per period (Little's law), in seconds.
	MetricWq = "wq_s"
	// MetricWait is the total wait, in seconds, of the customers who entered
	// service in the period, divided by lambda*Period: customers enter service
	// at rate lambda in steady state, so its expectation is the mean wait
	// itself. (The plain per-period mean wait is biased low: congested periods,
	// with long waits, weigh no more than quiet ones. It came out 3-5% below
	// Erlang C when tried.)
	MetricWait = "wait_s"
	// MetricLq is the time-average number of customers waiting.
	MetricLq = "lq"
	// MetricPWait is the number of arrivals that found every server busy,
	// divided by lambda*Period (an unbiased estimate of the Erlang C
	// probability).
	MetricPWait = "p_wait"
	// MetricUtilisation is the time-average fraction of busy servers.
	MetricUtilisation = "utilisation"

	MetricWqTheory    = "wq_theory_s"
	MetricPWaitTheory = "p_wait_theory"
	MetricLqTheory    = "lq_theory"
	MetricRho         = "rho"
	// MetricEvents is the number of engine events the replication handled.
	MetricEvents = "events"
)

// Run simulates one replication with the given seed.
func (m MMC) Run(ctx context.Context, seed uint64) (Result, error) {
	if err := m.Check(); err != nil {
		return Result{}, err
	}
	e := sim.New(seed)
	k := int(m.Horizon / m.Period)
	q := &mmcQueue{
		ctx: ctx, m: m,
		arr: e.Stream("mmc/arrivals"), svc: e.Stream("mmc/service"),
		period: m.Period, ring: make([]sim.Time, 64),
		lq: make([]float64, 0, k), util: make([]float64, 0, k), wq: make([]float64, 0, k),
		wait: make([]float64, 0, k), pwait: make([]float64, 0, k),
	}
	e.After(q.exp(q.arr, m.Lambda), q, evArrival)
	e.At(m.Period, q, evTick)
	e.RunUntil(sim.Time(k) * m.Period)
	if q.err != nil {
		return Result{}, q.err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	a := m.Lambda / m.Mu
	wq := m.WaitTheory()
	ser := func(v []float64) Series { return Series{Period: m.Period, Values: v} }
	return Result{
		Scalars: map[string]float64{
			MetricWqTheory:    wq,
			MetricPWaitTheory: ErlangC(m.C, a),
			MetricLqTheory:    m.Lambda * wq,
			MetricRho:         a / float64(m.C),
			MetricEvents:      float64(e.Events()),
		},
		Series: map[string]Series{
			MetricWq: ser(q.wq), MetricWait: ser(q.wait), MetricLq: ser(q.lq),
			MetricPWait: ser(q.pwait), MetricUtilisation: ser(q.util),
		},
	}, nil
}

const (
	evArrival int64 = iota
	evDeparture
	evTick
)

// mmcQueue is the state of one run. It is the handler of all its events, so the
// event loop does not allocate: the only allocations are the sample slices and
// the FIFO ring's growth.
type mmcQueue struct {
	ctx    context.Context
	err    error
	m      MMC
	arr    *rand.Rand
	svc    *rand.Rand
	period sim.Time

	busy, queued int
	ring         []sim.Time // arrival times of waiting customers, FIFO
	head         int

	last               sim.Time
	qArea, busyArea    float64 // integrals over the current period, count*ns
	waitSum            float64 // seconds, customers entering service this period
	started, waitedArr int

	lq, util, wq, wait, pwait []float64
}

func (q *mmcQueue) exp(r *rand.Rand, rate float64) sim.Time {
	return sim.Time(r.ExpFloat64() / rate * 1e9)
}

func (q *mmcQueue) advance(now sim.Time) {
	dt := float64(now - q.last)
	q.qArea += float64(q.queued) * dt
	q.busyArea += float64(q.busy) * dt
	q.last = now
}

func (q *mmcQueue) Handle(e *sim.Engine, arg int64) {
	now := e.Now()
	q.advance(now)
	switch arg {
	case evArrival:
		if q.busy < q.m.C {
			q.busy++
			q.started++
			e.After(q.exp(q.svc, q.m.Mu), q, evDeparture)
		} else {
			q.push(now)
			q.waitedArr++
		}
		e.After(q.exp(q.arr, q.m.Lambda), q, evArrival)
	case evDeparture:
		if q.queued > 0 {
			t0 := q.pop()
			q.waitSum += (now - t0).Seconds()
			q.started++
			e.After(q.exp(q.svc, q.m.Mu), q, evDeparture)
		} else {
			q.busy--
		}
	case evTick:
		p := float64(q.period)
		lq := q.qArea / p
		q.lq = append(q.lq, lq)
		q.util = append(q.util, q.busyArea/(p*float64(q.m.C)))
		q.wq = append(q.wq, lq/q.m.Lambda)
		q.pwait = append(q.pwait, float64(q.waitedArr)/(q.m.Lambda*q.period.Seconds()))
		q.wait = append(q.wait, q.waitSum/(q.m.Lambda*q.period.Seconds()))
		q.qArea, q.busyArea, q.waitSum, q.started, q.waitedArr = 0, 0, 0, 0, 0
		if err := q.ctx.Err(); err != nil {
			q.err = err
			e.Stop()
			return
		}
		e.After(q.period, q, evTick)
	}
}

func (q *mmcQueue) push(t sim.Time) {
	if q.queued == len(q.ring) {
		r := make([]sim.Time, 2*len(q.ring))
		n := copy(r, q.ring[q.head:])
		copy(r[n:], q.ring[:q.head])
		q.ring, q.head = r, 0
	}
	q.ring[(q.head+q.queued)%len(q.ring)] = t
	q.queued++
}

func (q *mmcQueue) pop() sim.Time {
	t := q.ring[q.head]
	q.head = (q.head + 1) % len(q.ring)
	q.queued--
	return t
}

// MMCRunner runs points on the M/M/c queue. A point sets c (servers, required),
// either rho (utilisation, 0 < rho < 1) or lambda (arrivals per second), and
// optionally mu (services per second, default 1), horizon and period (durations
// as strings, default 50000s and 100s). Any other parameter is an error.
func MMCRunner() Runner {
	return func(ctx context.Context, p Point, seed uint64) (Result, error) {
		m, err := MMCFromPoint(p)
		if err != nil {
			return Result{}, err
		}
		return m.Run(ctx, seed)
	}
}

// MMCFromPoint reads an MMC configuration from a point (see MMCRunner).
func MMCFromPoint(p Point) (MMC, error) {
	m := MMC{Mu: 1, Horizon: DefaultMMCHorizon, Period: DefaultMMCPeriod}
	var rho, lambda float64
	var haveC, haveRho, haveLambda bool
	num := func(q Param) (float64, error) {
		f, ok := q.Value.Float()
		if !ok {
			return 0, fmt.Errorf("mmc: parameter %s = %s must be a number", q.Path, q.Value)
		}
		return f, nil
	}
	dur := func(q Param) (time.Duration, error) {
		s, ok := q.Value.Str()
		if !ok {
			return 0, fmt.Errorf("mmc: parameter %s = %s must be a duration string such as \"100s\"", q.Path, q.Value)
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("mmc: parameter %s = %q is not a duration (e.g. 100s)", q.Path, s)
		}
		return d, nil
	}
	var err error
	for _, q := range p {
		switch q.Path {
		case "c":
			c, ok := q.Value.Int()
			if !ok {
				return m, fmt.Errorf("mmc: parameter c = %s must be a whole number of servers", q.Value)
			}
			m.C, haveC = c, true
		case "rho":
			rho, err = num(q)
			haveRho = true
		case "lambda":
			lambda, err = num(q)
			haveLambda = true
		case "mu":
			m.Mu, err = num(q)
		case "horizon":
			m.Horizon, err = dur(q)
		case "period":
			m.Period, err = dur(q)
		default:
			return m, fmt.Errorf("mmc: unknown parameter %q; the M/M/c queue takes c, rho or lambda, mu, horizon, period", q.Path)
		}
		if err != nil {
			return m, err
		}
	}
	if !haveC {
		return m, fmt.Errorf("mmc: parameter c (number of servers) is not set")
	}
	switch {
	case haveRho && haveLambda:
		return m, fmt.Errorf("mmc: set rho or lambda, not both")
	case haveRho:
		m.Lambda = rho * float64(m.C) * m.Mu
	case haveLambda:
		m.Lambda = lambda
	default:
		return m, fmt.Errorf("mmc: set rho (utilisation) or lambda (arrival rate)")
	}
	return m, m.Check()
}

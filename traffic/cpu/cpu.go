package cpu

import (
	"math"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Period is the CFS bandwidth period the kubelet sets (cpu.cfs_period_us,
// 100 ms).
const Period = 100 * time.Millisecond

// eps is the work (core-nanoseconds) below which a job counts as done: rates
// are float64 and completion times are rounded up to the nanosecond.
const eps = 1e-3

// Shares is cpu.shares for a CPU request in millicores (the kubelet's
// MilliCPUToShares): request x 1024 / 1000, at least 2 (also for no request).
func Shares(milliCPU int64) int64 {
	s := milliCPU * 1024 / 1000
	if s < 2 {
		s = 2
	}
	return s
}

// Node is the CPU of one node.
type Node struct {
	e        *sim.Engine
	capacity float64 // cores
	used     float64 // core-ns used by its containers so far
	busy     []*Container
	last     sim.Time
	timer    sim.Timer
	free     *Job
	order    []*Container // scratch of recompute
	done     []*Job       // scratch of handle
}

// NewNode returns the CPU of a node of milliCPU millicores.
func NewNode(e *sim.Engine, milliCPU int64) *Node {
	return &Node{e: e, capacity: float64(milliCPU) / 1000, last: e.Now()}
}

// Container is one container's cgroup on a node.
type Container struct {
	n       *Node
	weight  float64
	quota   float64 // core-ns per period; 0: no limit
	threads int
	origin  sim.Time // start of the period grid
	jobs    []*Job
	rate    float64 // cores, now
	used    float64 // core-ns consumed so far
	period  int64   // index of the current period
	pUsed   float64 // core-ns used in the current period
	// throttled: the quota of the current period is used up.
	throttled bool
	busyIdx   int // index in n.busy; -1: not busy
	stopped   bool

	nrPeriods, nrThrottled int64
	throttledTime          sim.Time
	throttledSince         sim.Time
}

// Job is one job's work in progress.
type Job struct {
	c         *Container
	remaining float64 // core-ns
	h         sim.Handler
	arg       int64
	next      *Job
}

// NewContainer returns the cgroup of a container started now, with a CPU
// request and a limit in millicores (0: none) and at most threads jobs running
// at once (0: no limit beyond its jobs).
func (n *Node) NewContainer(requestMilli, limitMilli int64, threads int) *Container {
	c := &Container{n: n, weight: float64(Shares(requestMilli)), threads: threads,
		origin: n.e.Now(), busyIdx: -1, period: -1}
	if limitMilli > 0 {
		c.quota = float64(limitMilli) / 1000 * float64(Period)
	}
	return c
}

// Used is the CPU time the container has used up to now (cpuacct.usage,
// cgroup v2 cpu.stat usage_usec), in core-nanoseconds.
func (c *Container) Used() sim.Time {
	n := c.n
	u := c.used
	if c.rate > 0 {
		u += c.rate * float64(n.e.Now()-n.last)
	}
	return sim.Time(u)
}

// Used is the CPU time the node's containers have used up to now.
func (n *Node) Used() sim.Time {
	u := n.used
	dt := float64(n.e.Now() - n.last)
	for _, c := range n.busy {
		u += c.rate * dt
	}
	return sim.Time(u)
}

// Throttling is cpu.stat's nr_periods (periods in which the container was
// busy), nr_throttled (periods in which it ran out of quota) and
// throttled_time so far.
func (c *Container) Throttling() (periods, throttled int64, throttledTime sim.Time) {
	t := c.throttledTime
	if c.throttled {
		t += c.n.e.Now() - c.throttledSince
	}
	return c.nrPeriods, c.nrThrottled, t
}

// Jobs is the number of jobs the container is running.
func (c *Container) Jobs() int { return len(c.jobs) }

// Run starts a job of work core-time in c; h.Handle(e, arg) is called when it
// is done. It allocates nothing once the node's pool of jobs is warm.
func (c *Container) Run(work sim.Time, h sim.Handler, arg int64) {
	n := c.n
	if c.stopped {
		return
	}
	n.advance()
	j := n.free
	if j != nil {
		n.free = j.next
	} else {
		j = &Job{}
	}
	*j = Job{c: c, remaining: float64(work), h: h, arg: arg}
	if work <= 0 {
		j.remaining = 0
	}
	if c.busyIdx < 0 {
		c.roll(n.e.Now())
		c.busyIdx = len(n.busy)
		n.busy = append(n.busy, c)
	}
	c.jobs = append(c.jobs, j)
	n.reschedule()
}

// Stop drops the container's jobs without calling their handlers (the
// container stopped).
func (c *Container) Stop() {
	n := c.n
	n.advance()
	c.stopped = true
	for _, j := range c.jobs {
		n.release(j)
	}
	c.jobs = c.jobs[:0]
	if c.busyIdx >= 0 {
		n.unbusy(c)
	}
	n.reschedule()
}

func (n *Node) release(j *Job) {
	*j = Job{next: n.free}
	n.free = j
}

func (n *Node) unbusy(c *Container) {
	if c.throttled {
		c.throttledTime += n.e.Now() - c.throttledSince
		c.throttled = false
	}
	i := c.busyIdx
	copy(n.busy[i:], n.busy[i+1:])
	n.busy[len(n.busy)-1] = nil
	n.busy = n.busy[:len(n.busy)-1]
	for k := i; k < len(n.busy); k++ {
		n.busy[k].busyIdx = k
	}
	c.busyIdx = -1
	c.rate = 0
}

// roll moves c to the period containing t (a new period has its full quota).
func (c *Container) roll(t sim.Time) {
	if c.quota == 0 {
		return
	}
	p := int64((t - c.origin) / Period)
	if p == c.period {
		return
	}
	c.period, c.pUsed = p, 0
	c.nrPeriods++
	if c.throttled {
		c.throttled = false
		c.throttledTime += t - c.throttledSince
	}
}

// advance runs every busy container's jobs at their rates up to now.
func (n *Node) advance() {
	now := n.e.Now()
	dt := float64(now - n.last)
	n.last = now
	if dt <= 0 {
		return
	}
	for _, c := range n.busy {
		if c.rate == 0 {
			continue
		}
		w := c.rate * dt
		n.used += w
		c.used += w
		c.pUsed += w
		per := w / float64(len(c.jobs))
		for _, j := range c.jobs {
			j.remaining -= per
		}
	}
}

// Handle is the node's timer: a job ends, a quota runs out or a period
// begins.
func (n *Node) Handle(e *sim.Engine, _ int64) {
	n.timer = sim.Timer{}
	n.advance()
	now := e.Now()
	done := n.done[:0]
	for i := 0; i < len(n.busy); i++ {
		c := n.busy[i]
		c.roll(now)
		k := 0
		for _, j := range c.jobs {
			if j.remaining <= eps {
				done = append(done, j)
				continue
			}
			c.jobs[k] = j
			k++
		}
		for x := k; x < len(c.jobs); x++ {
			c.jobs[x] = nil
		}
		c.jobs = c.jobs[:k]
		if c.quota > 0 && !c.throttled && c.pUsed >= c.quota-eps && len(c.jobs) > 0 {
			c.throttled = true
			c.throttledSince = now
			c.nrThrottled++
		}
		if len(c.jobs) == 0 {
			n.unbusy(c)
			i--
		}
	}
	n.done = done
	n.reschedule()
	for i, j := range done {
		h, arg := j.h, j.arg
		n.release(j)
		done[i] = nil
		h.Handle(e, arg)
	}
}

// reschedule recomputes the rates and sets the node's timer to the next
// change.
func (n *Node) reschedule() {
	n.rates()
	now := n.e.Now()
	next := sim.Time(math.MaxInt64)
	for _, c := range n.busy {
		if c.quota > 0 {
			b := c.origin + sim.Time(c.period+1)*Period
			if b <= now {
				b = now
			}
			next = min(next, b)
		}
		if c.rate == 0 {
			continue
		}
		if c.quota > 0 {
			next = min(next, now+ceil((c.quota-c.pUsed)/c.rate))
		}
		per := c.rate / float64(len(c.jobs))
		for _, j := range c.jobs {
			next = min(next, now+ceil(j.remaining/per))
		}
	}
	if n.timer != (sim.Timer{}) {
		n.e.Cancel(n.timer)
		n.timer = sim.Timer{}
	}
	if next != sim.Time(math.MaxInt64) {
		n.timer = n.e.At(next, n, 0)
	}
}

func ceil(ns float64) sim.Time {
	if ns <= 0 {
		return 0
	}
	if ns > 1<<61 {
		return 1 << 61 // centuries: never, in a run
	}
	return sim.Time(math.Ceil(ns - 1e-6))
}

// rates is the weighted max-min fair share of the node's cores.
func (n *Node) rates() {
	o := n.order[:0]
	for _, c := range n.busy {
		c.rate = 0
		if c.throttled || len(c.jobs) == 0 {
			continue
		}
		o = append(o, c)
	}
	// Insertion sort by cap/weight (stable: ties keep the busy order).
	for i := 1; i < len(o); i++ {
		for k := i; k > 0 && o[k].cap()/o[k].weight < o[k-1].cap()/o[k-1].weight; k-- {
			o[k], o[k-1] = o[k-1], o[k]
		}
	}
	left, w := n.capacity, 0.0
	for _, c := range o {
		w += c.weight
	}
	for _, c := range o {
		share := left * c.weight / w
		if cp := c.cap(); cp <= share {
			c.rate = cp
		} else {
			c.rate = share
		}
		left -= c.rate
		w -= c.weight
	}
	for i := range o {
		o[i] = nil
	}
	n.order = o[:0]
}

// cap is the most cores c can use now: one per job, at most its threads.
func (c *Container) cap() float64 {
	k := len(c.jobs)
	if c.threads > 0 && k > c.threads {
		k = c.threads
	}
	return float64(k)
}

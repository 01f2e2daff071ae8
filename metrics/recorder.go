package metrics

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"unsafe"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Outcome is how a request ended.
type Outcome uint8

// Request outcomes. Refused: no endpoint, or a reset from a pod that does not
// run; Failed: the connection timed out (a node that does not answer, or an
// accept queue that stayed full through the SYN retries); Timeout: the client
// gave up after its own timeout; AppError: the server answered with an error;
// Reset: the pod's server stopped while it held the request. The accounting
// counts the last four as failed.
const (
	OK Outcome = iota
	Refused
	Failed
	Timeout
	AppError
	Reset
	nOutcomes
)

// ErrorKinds are errors by kind, as a client sees them: refused (no endpoint,
// or a reset answering the connection: ECONNREFUSED), reset (the server went
// away holding the request: ECONNRESET), timeout (the connection timed out, or
// the client gave up after its own timeout) and app_error (the server answered
// with an error).
type ErrorKinds struct {
	Refused  int64 `json:"refused,omitempty"`
	Reset    int64 `json:"reset,omitempty"`
	Timeout  int64 `json:"timeout,omitempty"`
	AppError int64 `json:"app_error,omitempty"`
}

// errorKinds is l's errors by kind (nil without errors).
func (l *latStats) errorKinds() *ErrorKinds {
	if l.errors == 0 {
		return nil
	}
	k := &l.kinds
	return &ErrorKinds{Refused: k[Refused], Reset: k[Reset], Timeout: k[Failed] + k[Timeout], AppError: k[AppError]}
}

// Recorder collects a run's measurements as the simulation produces them. It
// never schedules events, so measuring does not change what is simulated.
//
// It always keeps the counters (requests, errors, the workloads' own named
// counters, endpoints and pods per node over time). With detailed collection on (the
// default), it also keeps latency histograms per Service and per pod, for the
// whole run and per time window, the true throughput per bin, and per serving
// pod the requests served, busy time and queue length per bin.
type Recorder struct {
	c *model.Cluster
	// AppOf names what runs in a pod (the summary's app; "" for nothing known).
	AppOf func(p *model.Pod) string
	// Window is the width of the time windows of the summary (default 10 s). Set
	// it before the run starts.
	Window sim.Time
	// Bin is the width of the fine time bins of the series (true throughput, pod
	// load and queues; default 1 s). Set it before the run starts.
	Bin sim.Time

	detailed bool
	// Slot caches (Bin and Window must not change once the run started).
	binSlot, winSlot slotCache
	// openWin is the open window: every Service's and pod's earlier windows are
	// closed.
	openWin int

	// counters are the workloads' own named counts, in registration order;
	// onSummary add the workloads' own figures to the summary.
	counters  []*Counter
	flows     []*Flow // routes and clients, in registration order
	onSummary []func(*Summary)
	// sources are the workloads' own figures (figures.go).
	sources    []Source
	services   map[string]*svcStats
	svcByID    []*svcStats
	svcOrder   []string
	pods       []*PodStats // by Pod.ID; nil for pods that never served nor were asked
	endpoints  map[string][]Point
	nodePods   map[string][]Point
	sent, done int64
	refused    int64
	failed     int64
	timedOut   int64
	appErrors  int64
	flights    []*flight // by Service.ID, when little is on
	little     bool
	marks      []phaseMark // phases.go
}

// Point is one sample of a step function over simulated time.
type Point struct {
	T float64 `json:"t_s"`
	V float64 `json:"v"`
}

// latStats is what clients saw of one Service or one pod: counts and latency,
// for the whole run and per window. The current window's histogram is reset and
// reused when a request completes in a later window, so recording never
// allocates except when a window closes.
//
// A Service's whole-run histogram (3 digits) is recorded request by request. A
// pod's (2 digits, as its windows) is the sum of its windows' histograms, added
// when a window closes: the same counts, for one update per request fewer.
type latStats struct {
	// The fields a successful request to a pod reads and updates come first,
	// in one cache line (PodStats keeps it after its own hot line): the
	// counts, all (nil until the first request) and the open window's
	// pending buckets.
	requests, curReq int64
	all              *hist
	// pend holds the open window's buckets of a pod's latest successful
	// requests, npend of them, not yet counted in cur: a request writes its
	// bucket here, in the line it already loads, and the counts (a few KB
	// per pod, out of the cache when a run has thousands of pods) are
	// updated pendN at a time, their loads overlapping. Whatever reads cur
	// adds them first (flushPend). Services and flows count in cur at once.
	pend           [pendN]uint16
	npend          uint8
	cur            hist // the open window (valid once all is set)
	errors, curErr int64
	curWin         int
	kinds          [nOutcomes]int64 // errors by outcome
	wins           []WindowLatency  // closed windows, by index
	digits         int              // of all
	// pbuf holds pending buckets moved out of pend, pendBuf at most (a
	// pod's, allocated at its first full pend): pend is copied here, one
	// sequential write, and counted in cur when pbuf is full, so that cur's
	// counts are loaded once for pendBuf requests, not for every pendN.
	pbuf []uint16
}

type svcStats struct {
	name string
	latStats
	// okLatency is the sum of the latencies of the successful requests (a
	// service mesh's request-duration counter, for the custom metrics API).
	okLatency sim.Time
}

// PodStats is one pod's measurements: as a destination of requests
// (client-side latency) and, if it runs a server, its load. A server keeps
// its pod's (Recorder.ServerStarted) so that the request path reaches them
// without a lookup; the same pod's servers share them.
//
// What the request path updates is kept in the struct itself, first, so that
// a request touches two adjacent cache lines of one object: the open bin's
// figures (cbin: Served and QueueChanged) and the queue's state in the first,
// the open window's counts and pending histogram buckets (latStats' first
// fields: RequestDone) in the second. The struct is 384 bytes, a size class
// of Go's allocator whose objects start on 128-byte boundaries (the checks at
// the end of this file fail to compile if a field changes its size: _ pads
// it; 352 is a class of its own, not aligned).
type PodStats struct {
	// cb is the open bin and cbin its figures not yet added to bins: bin k's
	// figures are bins[k] plus cbin if k == cb (flushBin adds them).
	cb       int
	cbin     loadBin
	qLast    int
	qT       sim.Time
	maxQueue int
	r        *Recorder
	latStats
	pod     *model.Pod
	started sim.Time // first time a server started in the pod
	hasSrv  bool
	slots   int
	bins    []loadBin
}

// loadBin is a server's load in one bin: 24 bytes (a count of requests
// served in one bin by one pod fits 32 bits: it would take 2^32 events).
type loadBin struct {
	busy   sim.Time // slot-time busy
	qArea  sim.Time // queue length times time
	served uint32
	qMax   int32
}

// Histograms: microseconds from 1 us to 1 hour. Services' whole-run
// histograms keep 3 significant digits (0.1 % resolution); pods' and every
// per-window histogram keep 2 (1 %): there can be many pods, and a window's
// histogram is read and reset when the window closes, at a cost that grows with
// its size.
const (
	histMaxUs        = 3_600_000_000
	svcHistDigits    = 3
	podHistDigits    = 2
	windowHistDigits = 2
)

// hist is a latency histogram with HdrHistogram's bucket layout (lowest
// discernible value 1 us, highest trackable histMaxUs, the given significant
// digits), so its percentiles and buckets are HdrHistogram's. It is our own so
// that recording is an index computation and an increment, and so that two
// histograms of the same layout add up over the range of buckets they use.
//
// It keeps the counts of the range of buckets it has seen, grown by whole
// powers of two of values (2^halfMag buckets): latencies of one pod or Service
// span a few of them, so a pod's histogram takes a few KB instead of the 26 KB
// of HdrHistogram's full layout (3,328 counts at 2 digits).
type hist struct {
	counts  []int64 // buckets base .. base+len(counts)-1
	base    int
	total   int64
	lo, hi  int  // lowest and highest index with a count; lo > hi when empty
	halfMag uint // log2 of half the sub-buckets per bucket
	n       int  // buckets of the full layout (histLen)
}

// histLen is the number of counts HdrHistogram keeps for values 1..histMaxUs
// with half-bucket magnitude halfMag.
func histLen(halfMag uint) int {
	buckets := 1
	for v := int64(1) << (halfMag + 1); v <= histMaxUs; v <<= 1 {
		buckets++
	}
	return (buckets + 1) << halfMag
}

// histHalfMag is HdrHistogram's half-bucket magnitude for d significant digits:
// single-unit resolution up to 2*10^d, in a power-of-two number of sub-buckets.
func histHalfMag(d int) uint {
	m := uint(0)
	for v := 2 * int64(math.Pow10(d)); int64(1)<<m < v; m++ {
	}
	return m - 1
}

func newHist(digits int) *hist {
	h := emptyHist(digits)
	return &h
}

func emptyHist(digits int) hist {
	m := histHalfMag(digits)
	return hist{lo: math.MaxInt, hi: -1, halfMag: m, n: histLen(m)}
}

// dense is the counts of every bucket of the full layout.
func (h *hist) dense() []int64 {
	out := make([]int64, h.n)
	copy(out[h.base:], h.counts)
	return out
}

// cover grows the counts kept to hold buckets lo..hi, in whole groups of
// 2^halfMag buckets.
//
//go:noinline
func (h *hist) cover(lo, hi int) {
	if len(h.counts) > 0 {
		lo, hi = min(lo, h.base), max(hi, h.base+len(h.counts)-1)
	}
	g := 1 << h.halfMag
	lo, hi = lo&^(g-1), min(hi|(g-1), h.n-1)
	c := make([]int64, hi-lo+1)
	if len(h.counts) > 0 {
		copy(c[h.base-lo:], h.counts)
	}
	h.counts, h.base = c, lo
}

// The half-bucket magnitudes of the histograms: histHalfMag(windowHistDigits)
// and histHalfMag(svcHistDigits), as constants so that histIndex compiles to a
// few instructions.
const (
	winHalfMag = 7
	svcHalfMag = 10
)

// histIndex is the bucket of value v, 1 <= v <= histMaxUs, in a histogram of
// half-bucket magnitude m: b is the power of two above the first bucket's
// range, and v>>b its sub-bucket.
func histIndex(v int64, m uint) int {
	b := uint(63-bits.LeadingZeros64(uint64(v)|(1<<(m+1)-1))) - m
	return int(b<<m) + int(v>>(b&63))
}

// bounds are the lowest and highest values of bucket i.
func (h *hist) bounds(i int) (int64, int64) {
	half := 1 << h.halfMag
	b := i>>h.halfMag - 1
	sub := i&(half-1) + half
	if b < 0 {
		sub -= half
		b = 0
	}
	lo := int64(sub) << uint(b)
	return lo, lo + 1<<uint(b) - 1
}

// inc counts one value in bucket i.
func (h *hist) inc(i int) {
	j := i - h.base
	if uint(j) >= uint(len(h.counts)) {
		h.cover(i, i)
		j = i - h.base
	}
	h.counts[j]++
	h.total++
	if i < h.lo {
		h.lo = i
	}
	if i > h.hi {
		h.hi = i
	}
}

// add adds o's counts to h's; both have the same layout.
func (h *hist) add(o *hist) {
	if o.total == 0 {
		return
	}
	if o.lo < h.base || o.hi >= h.base+len(h.counts) {
		h.cover(o.lo, o.hi)
	}
	c := h.counts[o.lo-h.base : o.hi-h.base+1]
	for i, n := range o.counts[o.lo-o.base : o.hi-o.base+1] {
		c[i] += n
	}
	h.total += o.total
	h.lo, h.hi = min(h.lo, o.lo), max(h.hi, o.hi)
}

func (h *hist) reset() {
	if h.total > 0 {
		clear(h.counts[h.lo-h.base : h.hi-h.base+1])
	}
	h.total, h.lo, h.hi = 0, math.MaxInt, -1
}

func (h *hist) clone() *hist {
	c := *h
	c.counts = append([]int64(nil), h.counts...)
	return &c
}

// percentileRank is the number of values at or below percentile p of n
// values, 1..n, rounded as HdrHistogram does.
func percentileRank(p float64, n int64) int64 {
	rank := p/100*float64(n) + 0.5
	if !(rank >= 1) {
		return 1
	}
	if rank >= float64(n) {
		return n
	}
	return int64(rank)
}

// percentiles sets v[k] to the highest value of the bucket holding percentile
// ps[k] (ascending, above 0), as HdrHistogram's ValueAtPercentile does.
func (h *hist) percentiles(ps []float64, v []int64) {
	k := 0
	var cum int64
	next := percentileRank(ps[0], h.total)
	for i := h.lo; i <= h.hi; i++ {
		cum += h.counts[i-h.base]
		for cum >= next {
			_, v[k] = h.bounds(i)
			if k++; k == len(ps) {
				return
			}
			next = percentileRank(ps[k], h.total)
		}
	}
}

// New returns the Recorder of cluster c; it follows c as an observer.
func New(c *model.Cluster) *Recorder {
	r := &Recorder{c: c, Window: 10e9, Bin: 1e9, detailed: true, services: map[string]*svcStats{},
		endpoints: map[string][]Point{}, nodePods: map[string][]Point{},
		AppOf: func(*model.Pod) string { return "" }}
	c.Observe(r)
	return r
}

// ContainerStarted and ContainerStopped: the Recorder learns of servers from
// the request path (ServerStarted).
func (r *Recorder) ContainerStarted(*model.Pod) {}
func (r *Recorder) ContainerStopped(*model.Pod) {}

// SetDetailed turns detailed collection on or off (see Recorder). Call it before
// the run starts; the counters are kept either way.
func (r *Recorder) SetDetailed(on bool) { r.detailed = on }

// Detailed reports whether detailed collection is on.
func (r *Recorder) Detailed() bool { return r.detailed }

func (r *Recorder) now() float64 { return r.c.Now().Seconds() }

// NoService names the Services table's row of the requests sent to a name
// that no Service had when they were sent (cluster DNS answers "no such
// host"; kubesim counts them as refused at once). The Routes table names the
// calls that used it.
const NoService = "(no such Service)"

// newSvc is the slow path of a Service's stats, kept out of line (as the other slow paths of the
// hooks) so that the hooks' hot paths stay short.
//
//go:noinline
func (r *Recorder) newSvc(s *model.Service) *svcStats {
	name := NoService
	if s != nil {
		name = s.Key()
	}
	st := r.services[name]
	if st == nil {
		st = &svcStats{name: name, latStats: latStats{digits: svcHistDigits}}
		r.services[name] = st
		r.svcOrder = append(r.svcOrder, name)
	}
	if s != nil {
		for len(r.svcByID) <= s.ID {
			r.svcByID = append(r.svcByID, nil)
		}
		r.svcByID[s.ID] = st
	}
	return st
}

func (r *Recorder) podStat(p *model.Pod) *PodStats {
	if p.ID < len(r.pods) {
		if ps := r.pods[p.ID]; ps != nil {
			return ps
		}
	}
	return r.newPodStat(p)
}

func (r *Recorder) newPodStat(p *model.Pod) *PodStats {
	for len(r.pods) <= p.ID {
		r.pods = append(r.pods, nil)
	}
	ps := &PodStats{r: r, cb: -1, pod: p, latStats: latStats{digits: podHistDigits}}
	r.pods[p.ID] = ps
	return ps
}

// RequestSent counts a request sent.
func (r *Recorder) RequestSent(svc *model.Service) {
	r.sent++
	if r.little && svc != nil {
		f := r.flightOf(svc)
		now := r.c.Now()
		f.area += f.n * int64(now-f.last)
		f.last = now
		f.n++
		f.openSent += int64(now)
	}
}

// flight is what is in flight through one Service (as clients see it), for
// Little's law: the time-integral of the requests in flight, and the sum of
// the latencies of those that ended.
type flight struct {
	name     string
	n        int64    // in flight now
	last     sim.Time // of the last change of n
	area     int64    // requests x ns
	latSum   int64    // ns, of the requests that ended
	done     int64
	openSent int64 // sum of the send times of those in flight, ns
}

func (r *Recorder) flightOf(svc *model.Service) *flight {
	if svc.ID < len(r.flights) {
		if f := r.flights[svc.ID]; f != nil {
			return f
		}
	}
	return r.newFlight(svc)
}

//go:noinline
func (r *Recorder) newFlight(svc *model.Service) *flight {
	for len(r.flights) <= svc.ID {
		r.flights = append(r.flights, nil)
	}
	f := &flight{name: svc.Key()}
	r.flights[svc.ID] = f
	return f
}

// LittleFigures are one Service's figures for Little's law over the run so
// far (T seconds): MeanInFlight is the time-average number of requests in
// flight (sent, not yet answered), L; Throughput the requests that ended per
// second, lambda; MeanLatency their mean latency in seconds, W (errors
// included); Residual the time the requests still in flight have spent so far,
// over T. L = lambda W + Residual holds exactly.
type LittleFigures struct {
	MeanInFlight, Throughput, MeanLatency, Residual float64
	InFlight                                        int64
}

// TrackLittle turns on (before the run starts) the figures of Little: the
// requests in flight per Service over time. Off by default: it costs about 2.5%
// of a run's instructions.
func (r *Recorder) TrackLittle() { r.little = true }

// Little returns every Service's LittleFigures (TrackLittle must be on), by Service name (a Service
// deleted and created again under its name is a second entry, "NAME#ID").
func (r *Recorder) Little() map[string]LittleFigures {
	now := r.c.Now()
	T := now.Seconds()
	out := map[string]LittleFigures{}
	for id, f := range r.flights {
		if f == nil || T <= 0 {
			continue
		}
		area := f.area + f.n*int64(now-f.last)
		lf := LittleFigures{MeanInFlight: float64(area) / 1e9 / T, Throughput: float64(f.done) / T, InFlight: f.n,
			Residual: float64(f.n*int64(now)-f.openSent) / 1e9 / T}
		if f.done > 0 {
			lf.MeanLatency = float64(f.latSum) / 1e9 / float64(f.done)
		}
		name := f.name
		if _, dup := out[name]; dup {
			name = fmt.Sprintf("%s#%d", name, id)
		}
		out[name] = lf
	}
	return out
}

// RequestDone records a request sent at `sent` through svc to pod `to` (nil:
// no endpoint) that ended now with outcome.
func (r *Recorder) RequestDone(svc *model.Service, to *model.Pod, sent sim.Time, outcome Outcome) {
	r.RequestDoneAt(svc, to, nil, sent, outcome)
}

// RequestDoneAt is RequestDone with to's PodStats, if the caller has them
// (the server's, from ServerStarted; nil: looked up).
func (r *Recorder) RequestDoneAt(svc *model.Service, to *model.Pod, ps *PodStats, sent sim.Time, outcome Outcome) {
	r.done++
	if r.little && svc != nil {
		f := r.flightOf(svc)
		now := r.c.Now()
		f.area += f.n * int64(now-f.last)
		f.last = now
		f.n--
		f.done++
		f.latSum += int64(now - sent)
		f.openSent -= int64(sent)
	}
	switch outcome {
	case OK:
	case Refused:
		r.refused++
	default:
		r.failed++
		if outcome == Timeout || outcome == AppError {
			r.kinds(outcome)
		}
	}
	var s *svcStats
	if sv := svc; sv != nil && sv.ID < len(r.svcByID) {
		s = r.svcByID[sv.ID] // nil the first time
	}
	if s == nil {
		s = r.newSvc(svc)
	}
	if !r.detailed {
		s.requests++
		if outcome != OK {
			s.errors++
			s.kinds[outcome]++
		} else {
			s.okLatency += r.c.Now() - sent
		}
		return
	}
	// One flat path: the window check is global, the histogram updates inline.
	now := r.c.Now()
	if w := r.winSlot.of(now, r.Window); w > r.openWin {
		r.turnWindow(w)
	}
	if s.all == nil {
		s.open(r.openWin)
	}
	if to == nil {
		ps = nil
	} else if ps == nil {
		ps = r.podStat(to)
	}
	if ps != nil && ps.all == nil {
		ps.open(r.openWin)
	}
	s.requests++
	s.curReq++
	if outcome != OK {
		s.errors++
		s.curErr++
		s.kinds[outcome]++
		if ps != nil {
			ps.requests++
			ps.curReq++
			ps.errors++
			ps.curErr++
		}
		return
	}
	s.okLatency += now - sent
	us := int64((now - sent) / 1000)
	if us < 1 {
		us = 1
	}
	if us > histMaxUs {
		us = histMaxUs
	}
	i2 := histIndex(us, winHalfMag)
	s.cur.inc(i2)
	s.all.inc(histIndex(us, svcHalfMag))
	if ps != nil {
		ps.requests++
		ps.curReq++
		ps.pend[ps.npend] = uint16(i2)
		if ps.npend++; ps.npend == pendN {
			ps.spillPend()
		}
	}
}

// pendN is the number of buckets latStats.pend holds; pendBuf the number
// pbuf holds (1 KB).
const (
	pendN   = 16
	pendBuf = 512
)

// spillPend moves the full pend to pbuf, and counts pbuf when it is full.
//
//go:noinline
func (l *latStats) spillPend() {
	if l.pbuf == nil {
		l.pbuf = make([]uint16, 0, pendBuf)
	}
	l.pbuf = append(l.pbuf, l.pend[:l.npend]...)
	l.npend = 0
	if len(l.pbuf)+pendN > cap(l.pbuf) {
		l.flushPend()
	}
}

// flushPend counts the pending buckets in the open window's histogram.
func (l *latStats) flushPend() {
	for _, i := range l.pbuf {
		l.cur.inc(int(i))
	}
	l.pbuf = l.pbuf[:0]
	for _, i := range l.pend[:l.npend] {
		l.cur.inc(int(i))
	}
	l.npend = 0
}

// ServiceTotals is what completed through Service svc so far (a service
// mesh's counters): requests (successful or not), errors, and the summed
// latency of the successful ones. ok is false if none completed.
func (r *Recorder) ServiceTotals(svc *model.Service) (requests, errors int64, okLatency sim.Time, ok bool) {
	if svc == nil || svc.ID >= len(r.svcByID) || r.svcByID[svc.ID] == nil {
		return 0, 0, 0, false
	}
	s := r.svcByID[svc.ID]
	return s.requests, s.errors, s.okLatency, true
}

// kinds counts the failures of the kinds only declared workloads produce.
//
//go:noinline
func (r *Recorder) kinds(o Outcome) {
	if o == Timeout {
		r.timedOut++
	} else {
		r.appErrors++
	}
}

// open allocates l's histograms at its first request, in window w.
//
//go:noinline
func (l *latStats) open(w int) {
	l.all, l.cur = newHist(l.digits), emptyHist(windowHistDigits)
	l.curWin = w
}

// turnWindow closes the open window of every Service and pod: w opens.
func (r *Recorder) turnWindow(w int) {
	r.openWin = w
	for _, name := range r.svcOrder {
		if st := r.services[name]; st.all != nil {
			st.closeWindow(r.Window, w)
		}
	}
	for _, ps := range r.pods {
		if ps != nil && ps.all != nil {
			ps.closeWindow(r.Window, w)
		}
	}
	for _, f := range r.flows {
		if f.all != nil {
			f.closeWindow(r.Window, w)
		}
	}
}

// allFromWindows says whether l's whole-run histogram is the sum of its
// windows' (rather than recorded request by request).
func (l *latStats) allFromWindows() bool { return l.digits == windowHistDigits }

// whole is l's whole-run histogram, the open window included.
func (l *latStats) whole() *hist {
	l.flushPend()
	if l.all == nil || !l.allFromWindows() || l.cur.total == 0 {
		return l.all
	}
	h := l.all.clone()
	h.add(&l.cur)
	return h
}

// closeWindow closes the open window and the empty ones before w; w opens.
func (l *latStats) closeWindow(width sim.Time, w int) {
	for len(l.wins) < l.curWin {
		l.wins = append(l.wins, emptyWindow(width, len(l.wins)))
	}
	l.wins = append(l.wins, l.openWindow(width))
	if l.allFromWindows() {
		l.all.add(&l.cur)
	}
	l.cur.reset()
	l.curWin, l.curReq, l.curErr = w, 0, 0
}

func (l *latStats) openWindow(width sim.Time) WindowLatency {
	l.flushPend()
	wl := emptyWindow(width, l.curWin)
	wl.Requests, wl.Errors, wl.LatencyMs = l.curReq, l.curErr, latency(&l.cur)
	return wl
}

func emptyWindow(width sim.Time, i int) WindowLatency {
	return WindowLatency{Start: round6((sim.Time(i) * width).Seconds()), End: round6((sim.Time(i+1) * width).Seconds())}
}

// windows returns n windows: the closed ones, the open one, and empty ones.
func (l *latStats) windows(width sim.Time, n int) []WindowLatency {
	out := make([]WindowLatency, 0, n)
	for i := 0; i < n; i++ {
		switch {
		case i < len(l.wins):
			out = append(out, l.wins[i])
		case i == l.curWin && l.all != nil:
			out = append(out, l.openWindow(width))
		default:
			out = append(out, emptyWindow(width, i))
		}
	}
	if n > 0 {
		out[n-1].End = math.Min(out[n-1].End, round6(width.Seconds()*float64(n)))
	}
	return out
}

// QueueChanged records that pod p's server has `queued` requests waiting.
func (r *Recorder) QueueChanged(p *model.Pod, queued int) {
	if !r.detailed {
		return
	}
	r.podStat(p).QueueChanged(queued)
}

// QueueChanged records that the pod's server has `queued` requests waiting.
func (ps *PodStats) QueueChanged(queued int) {
	r := ps.r
	if !r.detailed {
		return
	}
	now := r.c.Now()
	if i := r.binSlot.of(now, r.Bin); i != ps.cb {
		ps.openBin(i)
	}
	if ps.qLast > 0 && now > ps.qT {
		if ps.qT >= r.binSlot.start {
			// Since the last change, all in this bin.
			ps.cbin.qArea += sim.Time(ps.qLast) * (now - ps.qT)
		} else {
			r.spread(ps, spreadQueue, ps.qT, now, sim.Time(ps.qLast))
		}
	}
	ps.qT = now
	q := queued
	ps.qLast = q
	if q > ps.maxQueue {
		ps.maxQueue = q
	}
	if int32(q) > ps.cbin.qMax {
		ps.cbin.qMax = int32(q)
	}
}

// advanceQueue adds the queue-length area from the last change to now.
func (r *Recorder) advanceQueue(ps *PodStats) {
	now := r.c.Now()
	if i := r.binSlot.of(now, r.Bin); i != ps.cb {
		ps.openBin(i)
	}
	if ps.qLast > 0 && now > ps.qT {
		r.spread(ps, spreadQueue, ps.qT, now, sim.Time(ps.qLast))
	}
	ps.qT = now
}

// slot is the index of the window or bin of width w holding instant t. Windows
// are (start, end]: what happens exactly at the end of a run is in its last
// window, and instant 0 is in the first.
func slot(t, w sim.Time) int {
	if t <= 0 {
		return 0
	}
	return int((t - 1) / w)
}

// slotCache remembers the last slot asked and its bounds: time only moves
// forward, so the slot of an instant is mostly the last one, and two
// comparisons cost less than a division.
type slotCache struct {
	lo, hi sim.Time // the last slot asked holds (lo, hi]; empty at first
	start  sim.Time // its start
	i      int
}

func (sc *slotCache) of(t, w sim.Time) int {
	if t > sc.lo && t <= sc.hi {
		return sc.i
	}
	return sc.miss(t, w)
}

//go:noinline
func (sc *slotCache) miss(t, w sim.Time) int {
	i := slot(t, w)
	sc.i, sc.start, sc.lo, sc.hi = i, sim.Time(i)*w, sim.Time(i)*w, sim.Time(i+1)*w
	if i == 0 {
		sc.lo = math.MinInt64 // slot 0 holds instant 0 and, as slot does, anything before
	}
	return i
}

// openBin makes bin i (the bin of now) ps's open bin: the figures of the one
// it had go to bins.
//
//go:noinline
func (ps *PodStats) openBin(i int) {
	ps.flushBin()
	ps.cb = i
}

// flushBin moves the open bin's figures to bins, as the open bin closes.
// bins[cb] is zero until then (spread writes only to closed bins; readers
// add cbin themselves: bin), so it is stored, not added to: the store does
// not wait for the line it writes, where an addition would.
func (ps *PodStats) flushBin() {
	if ps.cb < 0 {
		return
	}
	if ps.cb >= len(ps.bins) {
		ps.growBins(ps.cb)
	}
	ps.bins[ps.cb] = ps.cbin
	ps.cbin = loadBin{}
}

// bin is bin i's figures, the open bin's included; ok is false for a bin
// never kept (its figures are zero).
func (ps *PodStats) bin(i int) (b loadBin, ok bool) {
	if i < len(ps.bins) {
		b, ok = ps.bins[i], true
	}
	if i == ps.cb {
		return ps.cbin, true
	}
	return b, ok
}

//go:noinline
func (ps *PodStats) growBins(i int) {
	if i >= cap(ps.bins) {
		// By 64 bins (1.5 KB), not by doubling: every serving pod has its
		// bins, and at most 1,000 of them.
		ps.bins = slices.Grow(ps.bins, (i+64)&^63-len(ps.bins))
	}
	// Up to the capacity, so that the next bins do not call growBins: bins
	// past the open one are zero, as readers take the missing ones to be.
	ps.bins = ps.bins[:cap(ps.bins)]
}

// What spread adds to.
const (
	spreadBusy = iota
	spreadQueue
)

// spread adds weight times the time of [from, to) to the busy time or queue
// area of the bins it overlaps; to is now, in the open bin ps.cb.
func (r *Recorder) spread(ps *PodStats, what int, from, to sim.Time, weight sim.Time) {
	for i := int(from / r.Bin); from < to; i++ {
		end := sim.Time(i+1) * r.Bin
		if end > to {
			end = to
		}
		b := &ps.cbin
		if i != ps.cb {
			if i >= len(ps.bins) {
				ps.growBins(i)
			}
			b = &ps.bins[i]
		}
		if what == spreadBusy {
			b.busy += weight * (end - from)
		} else {
			b.qArea += weight * (end - from)
		}
		from = end
	}
}

// Served records that pod p's server finished a request it started serving at
// `started`.
func (r *Recorder) Served(p *model.Pod, started sim.Time) {
	if !r.detailed {
		return
	}
	r.podStat(p).Served(started)
}

// Served records that the pod's server finished a request it started serving
// at `started`.
func (ps *PodStats) Served(started sim.Time) {
	r := ps.r
	if !r.detailed {
		return
	}
	now := r.c.Now()
	if i := r.binSlot.of(now, r.Bin); i != ps.cb {
		ps.openBin(i)
	}
	ps.cbin.served++
	if started >= r.binSlot.start {
		// Served within this bin.
		ps.cbin.busy += now - started
	} else {
		r.spread(ps, spreadBusy, started, now, 1)
	}
}

// ServerStarted records that a server with `slots` slots and `queued`
// requests waiting started in pod p. It returns the pod's PodStats, for the
// server to record its load with (and RequestDoneAt, its requests).
func (r *Recorder) ServerStarted(p *model.Pod, slots, queued int) *PodStats {
	ps := r.podStat(p)
	if !ps.hasSrv {
		ps.hasSrv, ps.started = true, r.c.Now()
	}
	ps.slots = slots
	if r.detailed {
		r.advanceQueue(ps)
		ps.qLast = queued
	}
	return ps
}

// EndpointsChanged records s's ready endpoints (an observer of the cluster).
func (r *Recorder) EndpointsChanged(s *model.Service) {
	k := s.Key()
	r.endpoints[k] = appendStep(r.endpoints[k], r.now(), float64(s.ReadyEndpoints()))
}

// PodChanged (an observer of the cluster): a pod leaving its node changes the
// node's count.
func (r *Recorder) PodChanged(p *model.Pod) {
	if p.NodeName == "" {
		return
	}
	// The pod's own node while it is the one under its name (a bound pod's
	// NodeName is its node's), else as named.
	n := p.Node()
	if n == nil || n.Removed {
		n = r.c.LookupNode(p.NodeName)
	}
	if n != nil {
		r.NodeChanged(n)
	}
}

// NodeChanged records n's live pods (an observer of the cluster); a deleted
// node's series ends with a NaN point at its deletion (it is no longer in
// kubectl get nodes: the chart stops drawing it rather than showing it at 0
// to the end; a node added again under its name starts a new line).
func (r *Recorder) NodeChanged(n *model.Node) {
	s := r.nodePods[n.Name]
	if n.Removed {
		if k := len(s); k > 0 && !math.IsNaN(s[k-1].V) {
			r.nodePods[n.Name] = append(s, Point{T: r.now(), V: math.NaN()})
		}
		return
	}
	live := len(n.Pods()) // the node's pods that are not gone
	r.nodePods[n.Name] = appendStep(s, r.now(), float64(live))
}

// sinceLastGone is a node's pod series from its last deletion on (the series
// of the node object that exists now, without NaN points: JSON has none).
func sinceLastGone(s []Point) []Point {
	for i := len(s) - 1; i >= 0; i-- {
		if math.IsNaN(s[i].V) {
			return s[i+1:]
		}
	}
	return s
}

func appendStep(s []Point, t, v float64) []Point {
	if n := len(s); n > 0 && s[n-1].V == v {
		return s
	}
	if n := len(s); n > 0 && s[n-1].T == t {
		s[n-1].V = v
		// Collapse a change undone at the same instant.
		if n > 1 && s[n-2].V == v {
			s = s[:n-1]
		}
		return s
	}
	return append(s, Point{T: t, V: v})
}

// Latency is a latency distribution's percentiles, in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
}

// WindowLatency is what clients saw of a Service or pod in one time window:
// requests completed in the window, errors among them, and the latency of the
// successful ones.
type WindowLatency struct {
	Start     float64 `json:"start_s"`
	End       float64 `json:"end_s"`
	Requests  int64   `json:"requests"`
	Errors    int64   `json:"errors"`
	LatencyMs Latency `json:"latency_ms"`
}

// ServiceSummary is what clients saw of one Service.
type ServiceSummary struct {
	Requests int64 `json:"requests"`
	Errors   int64 `json:"errors"`
	// ErrorsByKind is Errors by kind (only when there are errors).
	ErrorsByKind *ErrorKinds `json:"errors_by_kind,omitempty"`
	// LatencyMs is the successful requests' latency; nil (absent from JSON)
	// when it was not measured: with detailed collection off (--coarse).
	LatencyMs *Latency `json:"latency_ms,omitempty"`
	// Windows is the same per time window (detailed collection only).
	Windows []WindowLatency `json:"windows,omitempty"`
}

// NodeSummary is a node at the end of the run.
type NodeSummary struct {
	Pods []string `json:"pods"`
	// PodsOverTime is the number of live pods bound to the node, as a step
	// function of time.
	PodsOverTime []Point `json:"pods_over_time,omitempty"`
}

// PodSummary is one pod that received requests or ran a server (detailed
// collection only).
type PodSummary struct {
	Node string `json:"node"`
	App  string `json:"app"`
	// Requests, Errors and LatencyMs are as the clients of the pod saw them.
	Requests  int64           `json:"requests"`
	Errors    int64           `json:"errors"`
	LatencyMs Latency         `json:"latency_ms"`
	Windows   []WindowLatency `json:"windows,omitempty"`
	// Served is the requests the pod's server completed; BusySeconds the
	// slot-time it spent serving them; LifeSeconds how long the server existed
	// in the run (from its first start to the pod's deletion or the end);
	// Utilisation is BusySeconds over slots times LifeSeconds.
	Slots       int     `json:"slots"`
	LifeSeconds float64 `json:"life_s"`
	Served      int64   `json:"served"`
	BusySeconds float64 `json:"busy_s"`
	Utilisation float64 `json:"utilisation"`
	// MaxQueue and MeanQueue are the requests waiting for a slot: the largest
	// number, and the time-weighted mean over the server's lifetime.
	MaxQueue  int     `json:"max_queue"`
	MeanQueue float64 `json:"mean_queue"`
}

// Accounting checks that every request is accounted for.
type Accounting struct {
	Sent      int64 `json:"sent"`
	Completed int64 `json:"completed"`
	Refused   int64 `json:"refused"`
	Failed    int64 `json:"failed"`
	InFlight  int64 `json:"in_flight"`
	// TimedOut and AppErrors are, of the failed, those the client gave up on
	// after its own timeout and those the server answered with an error.
	TimedOut  int64 `json:"timed_out,omitempty"`
	AppErrors int64 `json:"app_errors,omitempty"`
}

// Summary is the machine-readable result of a run. Field names are stable; see
// README.md ("JSON summary") for their meaning.
type Summary struct {
	Scenario    string  `json:"scenario"`
	Seed        uint64  `json:"seed"`
	SimSeconds  float64 `json:"sim_seconds"`
	WallSeconds float64 `json:"wall_seconds"`
	Events      uint64  `json:"events"`
	Detailed    bool    `json:"detailed"`
	// Extra is the workloads' own figures (DockerCoins: hashes, windows), in
	// order; JSON puts them after detailed.
	Extra    []Field                   `json:"-"`
	Services map[string]ServiceSummary `json:"services"`
	// Routes are the declared routes that were called, as their callers saw
	// them (every try), by SERVICE/route; Clients the declared clients' runs
	// of their scripts, from start to end (the first failure's kind).
	Routes  map[string]ServiceSummary `json:"routes,omitempty"`
	Clients map[string]ServiceSummary `json:"clients,omitempty"`
	Nodes   map[string]NodeSummary    `json:"nodes"`
	Pods    map[string]PodSummary     `json:"pods,omitempty"`
	// ReadyEndpoints is, per Service, the number of ready endpoints kube-proxy
	// balances over, as a step function of time.
	ReadyEndpoints map[string][]Point `json:"ready_endpoints,omitempty"`
	Requests       Accounting         `json:"requests"`
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }
func round3(v float64) float64 { return math.Round(v*1e3) / 1e3 }

// latencyPercentiles are the summary's percentiles; 100 is the maximum.
var latencyPercentiles = []float64{50, 90, 99, 99.9, 100}

func latency(h *hist) Latency {
	if h == nil || h.total == 0 {
		return Latency{}
	}
	// HdrHistogram reports the highest value equivalent to the bucket: ms, to
	// 1 us.
	var v [5]int64
	h.percentiles(latencyPercentiles, v[:])
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return Latency{P50: ms(v[0]), P90: ms(v[1]), P99: ms(v[2]), P999: ms(v[3]), Max: ms(v[4])}
}

// ServiceLatencyWindow returns a service's latency and counts in window w.
func (r *Recorder) ServiceLatencyWindow(name string, w int) (Latency, int64, int64) {
	s := r.services[name]
	if s == nil || s.all == nil {
		return Latency{}, 0, 0
	}
	ws := s.windows(r.Window, w+1)
	return ws[w].LatencyMs, ws[w].Requests, ws[w].Errors
}

// nWindows is the number of summary windows up to now.
func (r *Recorder) nWindows() int {
	now := r.c.Now()
	n := int(now / r.Window)
	if sim.Time(n)*r.Window < now {
		n++
	}
	return n
}

// Summary builds the run's summary at the current simulated time.
func (r *Recorder) Summary() Summary {
	c := r.c
	end := c.Now().Seconds()
	s := Summary{
		Seed:       c.E.Seed(),
		SimSeconds: end,
		Events:     c.E.Events(),
		Detailed:   r.detailed,
		Services:   map[string]ServiceSummary{},
		Nodes:      map[string]NodeSummary{},
		Requests: Accounting{Sent: r.sent, Completed: r.done - r.refused - r.failed,
			Refused: r.refused, Failed: r.failed, InFlight: r.sent - r.done, TimedOut: r.timedOut, AppErrors: r.appErrors},
	}
	n := r.nWindows()
	for _, name := range r.svcOrder {
		st := r.services[name]
		s.Services[name] = r.flowSummary(&st.latStats, n)
	}
	for _, f := range r.flows {
		if f.client {
			if s.Clients == nil {
				s.Clients = map[string]ServiceSummary{}
			}
			s.Clients[f.name] = r.flowSummary(&f.latStats, n)
		} else if f.requests > 0 {
			if s.Routes == nil {
				s.Routes = map[string]ServiceSummary{}
			}
			s.Routes[f.name] = r.flowSummary(&f.latStats, n)
		}
	}
	if len(r.endpoints) > 0 {
		s.ReadyEndpoints = r.endpoints
	}
	for node, pods := range c.PodsPerNode() {
		s.Nodes[node] = NodeSummary{Pods: pods, PodsOverTime: sinceLastGone(r.nodePods[node])}
	}
	if r.detailed {
		s.Pods = map[string]PodSummary{}
		for _, ps := range r.pods {
			if ps != nil {
				s.Pods[ps.pod.Name] = r.podSummary(ps, n)
			}
		}
	}
	for _, f := range r.onSummary {
		f(&s)
	}
	return s
}

// flowSummary is what clients saw of a Service, route or client's runs, with
// n windows.
func (r *Recorder) flowSummary(l *latStats, n int) ServiceSummary {
	ss := ServiceSummary{Requests: l.requests, Errors: l.errors, ErrorsByKind: l.errorKinds()}
	if r.detailed {
		lat := latency(l.whole())
		ss.LatencyMs = &lat
	}
	if r.detailed && l.all != nil {
		ss.Windows = l.windows(r.Window, n)
	}
	return ss
}

// lifetime is the span of the run during which ps's server existed.
func (r *Recorder) lifetime(ps *PodStats) sim.Time {
	if !ps.hasSrv {
		return 0
	}
	end := r.c.Now()
	if ps.pod.Gone && ps.pod.DeletedAt > ps.started && ps.pod.DeletedAt < end {
		end = ps.pod.DeletedAt
	}
	return end - ps.started
}

func (r *Recorder) podSummary(ps *PodStats, n int) PodSummary {
	r.advanceQueue(ps)
	// The bins add up to the whole run: each request served is counted in the
	// bin it ended in, and its busy time spread over the bins it spans.
	served, busy, area := int64(ps.cbin.served), ps.cbin.busy, ps.cbin.qArea
	for _, b := range ps.bins {
		served += int64(b.served)
		busy += b.busy
		area += b.qArea
	}
	out := PodSummary{Node: ps.pod.NodeName, App: r.AppOf(ps.pod),
		Requests: ps.requests, Errors: ps.errors, LatencyMs: latency(ps.whole()),
		Slots: ps.slots, Served: served, BusySeconds: round6(busy.Seconds()), MaxQueue: ps.maxQueue}
	if ps.all != nil {
		out.Windows = ps.windows(r.Window, n)
	}
	life := r.lifetime(ps).Seconds()
	out.LifeSeconds = round6(life)
	if life > 0 && ps.slots > 0 {
		out.Utilisation = round6(busy.Seconds() / (float64(ps.slots) * life))
		out.MeanQueue = round6(area.Seconds() / life)
	}
	return out
}

// EndpointSeries returns each Service's ready endpoints over time.
func (r *Recorder) EndpointSeries() map[string][]Point { return r.endpoints }

// NodePodSeries returns each node's pod count over time.
func (r *Recorder) NodePodSeries() map[string][]Point { return r.nodePods }

// PodStats stays 384 bytes, its request path's fields in the first 128 (see
// PodStats).
var _ [384 - unsafe.Sizeof(PodStats{})]byte
var _ [unsafe.Sizeof(PodStats{}) - 384]byte
var _ [128 - unsafe.Offsetof(PodStats{}.latStats) - unsafe.Offsetof(latStats{}.cur)]byte

package study

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Runner runs one replication of the base scenario with the point's parameters
// applied, seeded with seed, and returns its metrics. It is called from several
// goroutines at once and must not share mutable state between calls. It should
// return early with ctx.Err() when ctx is cancelled.
type Runner func(ctx context.Context, p Point, seed uint64) (Result, error)

// Result is what one replication measured. A metric is looked up first in Series
// (its replication value is then the mean of the samples left after warm-up
// removal), then in Scalars (used as given: a runner reporting a scalar computed
// over the whole run is responsible for its own warm-up, see Study.WarmupSetting).
type Result struct {
	Scalars map[string]float64
	Series  map[string]Series
	// Missing says why a metric the run knows of has no value in this run (for
	// example per-window latency when detailed measurement was off); asking for
	// it fails the replication with that reason.
	Missing map[string]string
}

// Series is a metric sampled at a fixed period: Values[i] describes the interval
// [i*Period, (i+1)*Period) of simulated time (or the instant i*Period). A NaN
// value means the interval has no observation (a latency percentile of a window
// without a successful request): warm-up removal and the mean skip it, and a
// series with no observation left is a missing metric.
type Series struct {
	Period time.Duration
	Values []float64
}

// Progress reports how far a run is. Done replications of Total planned have
// finished; Total grows when sequential stopping adds batches, up to Max. ETA is
// Elapsed*(Total-Done)/Done (0 until the first replication finishes).
type Progress struct {
	Done, Total, Max int
	Elapsed, ETA     time.Duration
}

// Options control Run.
type Options struct {
	// Parallelism is the number of replications run at once (default GOMAXPROCS).
	// Results do not depend on it.
	Parallelism int
	// Shard selects the points to run (zero value: all of them).
	Shard Shard
	// Progress, if set, is called after each replication from a single goroutine.
	Progress func(Progress)
	// KeepGoing records a failed replication (its runner's error, a missing
	// metric) in its point, which is then reported as failed and never
	// averaged, and goes on with the other points. Without it the first
	// failure stops the study and Run returns it.
	KeepGoing bool
}

// Replication is the outcome of one replication: its seed, the value of each
// study metric (in Study.Metrics order) and, per metric, the number of leading
// series samples removed as warm-up (-1 when the metric was a scalar). A failed
// replication (Options.KeepGoing) has Error and no values.
type Replication struct {
	Seed      uint64  `json:"seed"`
	Values    []Float `json:"values"`
	Truncated []int   `json:"truncated"`
	Error     string  `json:"error,omitempty"`
}

// PointResult holds the replications of one point, in replication order. Error
// is set when a replication failed (Options.KeepGoing): the error of the
// first failed replication, naming it. A failed point gets no more
// replications and is never averaged.
type PointResult struct {
	Index        int           `json:"index"`
	Point        Point         `json:"point"`
	Replications []Replication `json:"replications"`
	Error        string        `json:"error,omitempty"`
}

// Failed lists the points that failed, by index.
func (r *Results) Failed() []PointResult {
	var out []PointResult
	for _, pr := range r.Results {
		if pr.Error != "" {
			out = append(out, pr)
		}
	}
	return out
}

type job struct {
	pi  int // index into the run's point list
	r   int
	seq int             // dispatch order
	ctx context.Context // cancelled when an earlier job fails
}

type jobDone struct {
	job
	rep Replication
	err error
}

// Run runs the study's points selected by o.Shard on a pool of o.Parallelism
// goroutines and returns the raw results. Each point runs
// Replications.Min replications, then, while the target relative half-width is
// not met, Replications.Batch more, up to Max; the decision looks only at the
// values of replications 0..n-1, so the results are the same for any
// parallelism. On error or cancellation Run stops handing out work, waits for
// running replications and returns the error.
func Run(ctx context.Context, s *Study, run Runner, o Options) (*Results, error) {
	if run == nil {
		return nil, errors.New("study: no runner")
	}
	if s.points == nil {
		if err := s.Validate(); err != nil {
			return nil, err
		}
	}
	if err := o.Shard.check(); err != nil {
		return nil, err
	}
	res, err := newResults(s, o.Shard)
	if err != nil {
		return nil, err
	}
	par := o.Parallelism
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	rp := s.Replications
	type state struct {
		planned, done int
	}
	states := make([]state, len(res.Results))
	var queue jobQueue
	keys := make([]string, len(res.Results))
	indices := make([]int, len(res.Results))
	points := make([]Point, len(res.Results))
	total := 0
	for i := range res.Results {
		keys[i] = res.Results[i].Point.Key()
		indices[i], points[i] = res.Results[i].Index, res.Results[i].Point
		res.Results[i].Replications = make([]Replication, rp.Min)
		states[i].planned = rp.Min
		total += rp.Min
		queue.push(i, 0, rp.Min)
	}
	maxTotal := len(res.Results) * rp.Max
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan job)
	done := make(chan jobDone)
	if par > maxTotal {
		par = maxTotal
	}
	for w := 0; w < par; w++ {
		go func() {
			for j := range jobs {
				// Only the immutable index and point are read here; the
				// coordinator owns the Replications slices.
				rep, err := runOne(j.ctx, s, run, indices[j.pi], points[j.pi], keys[j.pi], j.r)
				done <- jobDone{job: j, rep: rep, err: err}
			}
		}()
	}
	start := time.Now()
	finished, inflight := 0, 0
	var firstErr error
	// Without KeepGoing, a failure stops the dispatch and cancels the jobs
	// dispatched after it; the jobs before it run to the end, and the error
	// reported is that of the earliest failed job: the same whatever the
	// parallelism.
	failed, failedSeq := error(nil), -1
	type jobCtx struct {
		ctx    context.Context
		cancel context.CancelFunc
	}
	cancels := map[int]jobCtx{} // by seq: the jobs in flight, and the next one
	seq := 0
	ctxDone := ctx.Done()
	for queue.len() > 0 || inflight > 0 {
		var send chan job
		var next job
		if queue.len() > 0 && firstErr == nil && failed == nil {
			send, next = jobs, queue.peek()
			jc, ok := cancels[seq]
			if !ok {
				jc.ctx, jc.cancel = context.WithCancel(ctx)
				cancels[seq] = jc
			}
			next.seq, next.ctx = seq, jc.ctx
		}
		if send == nil && inflight == 0 {
			break
		}
		select {
		case send <- next:
			queue.pop()
			inflight++
			seq++
		case d := <-done:
			inflight--
			cancels[d.seq].cancel()
			delete(cancels, d.seq)
			if d.err != nil && !o.KeepGoing && ctx.Err() == nil {
				if !errors.Is(d.err, context.Canceled) && (failed == nil || d.seq < failedSeq) {
					failed, failedSeq = d.err, d.seq
					for k, c := range cancels {
						if k > d.seq {
							c.cancel()
						}
					}
				}
				continue
			}
			if d.err != nil && ctx.Err() != nil {
				if firstErr == nil {
					firstErr = d.err
				}
				continue
			}
			if firstErr != nil || failed != nil {
				continue
			}
			if d.err != nil {
				// On one line, for the CSV cell and the report.
				d.rep = Replication{Seed: d.rep.Seed, Error: strings.Join(strings.Fields(strings.ReplaceAll(d.err.Error(), "\n", " ; ")), " ")}
			}
			res.Results[d.pi].Replications[d.r] = d.rep
			finished++
			st := &states[d.pi]
			st.done++
			if st.done == st.planned {
				// A point with a failed replication gets no more: the
				// replications that ran are the same whatever the parallelism.
				more := 0
				if failedRep(res.Results[d.pi].Replications) < 0 {
					more = moreReplications(s, res.Results[d.pi].Replications)
				}
				if more > 0 {
					pr := &res.Results[d.pi]
					pr.Replications = append(pr.Replications, make([]Replication, more)...)
					queue.push(d.pi, st.planned, st.planned+more)
					st.planned += more
					total += more
				}
			}
			if o.Progress != nil {
				el := time.Since(start)
				p := Progress{Done: finished, Total: total, Max: maxTotal, Elapsed: el}
				p.ETA = time.Duration(float64(el) * float64(total-finished) / float64(finished))
				o.Progress(p)
			}
		case <-ctxDone:
			if firstErr == nil {
				firstErr = fmt.Errorf("study %s: %w", s.Name, ctx.Err())
			}
			ctxDone = nil
		}
	}
	for _, c := range cancels {
		c.cancel()
	}
	close(jobs)
	if failed != nil {
		return nil, failed
	}
	if firstErr != nil {
		return nil, firstErr
	}
	for i := range res.Results {
		pr := &res.Results[i]
		if r := failedRep(pr.Replications); r >= 0 {
			pr.Error = pr.Replications[r].Error
		}
	}
	return res, nil
}

// failedRep is the index of the first failed replication, or -1.
func failedRep(reps []Replication) int {
	for i, r := range reps {
		if r.Error != "" {
			return i
		}
	}
	return -1
}

// jobQueue is a FIFO of replication ranges [r, end) of points, so that a large
// study does not materialise one entry per replication.
type jobQueue struct {
	ranges []jobRange
	head   int
	n      int
}

type jobRange struct{ pi, r, end int }

func (q *jobQueue) push(pi, r, end int) {
	if r < end {
		q.ranges = append(q.ranges, jobRange{pi, r, end})
		q.n += end - r
	}
}

func (q *jobQueue) len() int { return q.n }

func (q *jobQueue) peek() job {
	h := q.ranges[q.head]
	return job{pi: h.pi, r: h.r}
}

func (q *jobQueue) pop() {
	h := &q.ranges[q.head]
	h.r++
	q.n--
	if h.r == h.end {
		q.head++
		if q.head == len(q.ranges) {
			q.ranges, q.head = q.ranges[:0], 0
		}
	}
}

// moreReplications returns how many replications to add to a point that has
// finished reps, per the sequential stopping rule: 0 once Max is reached or when
// every target metric's relative half-width is at most the target.
func moreReplications(s *Study, reps []Replication) int {
	rp := s.Replications
	n := len(reps)
	if n >= rp.Max || rp.TargetRelHalfWidth <= 0 {
		return 0
	}
	targets := rp.TargetMetrics
	if len(targets) == 0 {
		targets = s.Metrics
	}
	x := make([]float64, n)
	for _, m := range targets {
		mi := s.metricIndex(m)
		for r := range reps {
			x[r] = float64(reps[r].Values[mi])
		}
		if !(Summarise(x).RelHalfWidth() <= rp.TargetRelHalfWidth) {
			return min(rp.Batch, rp.Max-n)
		}
	}
	return 0
}

func (s *Study) metricIndex(m string) int {
	for i, n := range s.Metrics {
		if n == m {
			return i
		}
	}
	return -1
}

// runOne runs one replication and reduces its Result to the study's metrics.
// A panicking runner becomes an error.
func runOne(ctx context.Context, s *Study, run Runner, index int, p Point, key string, r int) (rep Replication, err error) {
	seed := ReplicationSeed(s.Seed, key, r)
	where := func() string {
		return fmt.Sprintf("study %s: point %d (%s) replication %d (seed %d)", s.Name, index, p, r, seed)
	}
	defer func() {
		if v := recover(); v != nil {
			if e, ok := v.(error); ok && errors.Is(e, context.Canceled) {
				err = fmt.Errorf("%s: %w", where(), e) // cancelled, not failed
				return
			}
			err = fmt.Errorf("%s: runner panicked: %v", where(), v)
		}
	}()
	rep.Seed = seed
	res, err := run(ctx, p, seed)
	if err != nil {
		return rep, fmt.Errorf("%s: %w", where(), err)
	}
	rep = Replication{Seed: seed, Values: make([]Float, len(s.Metrics)), Truncated: make([]int, len(s.Metrics))}
	for i, m := range s.Metrics {
		if why, ok := res.Missing[m]; ok {
			return rep, fmt.Errorf("%s: the run has no metric %q: %s", where(), m, why)
		}
		if ser, ok := res.Series[m]; ok {
			t, err := Truncate(s.warmup, ser)
			if err != nil {
				return rep, fmt.Errorf("%s: metric %s: %v", where(), m, err)
			}
			v := mean(ser.Values[t:])
			if math.IsNaN(v) {
				return rep, fmt.Errorf("%s: metric %s has no value: none of the %d windows kept after warm-up has an observation (a latency needs a successful request in the window)", where(), m, len(ser.Values)-t)
			}
			rep.Values[i], rep.Truncated[i] = Float(v), t
			continue
		}
		if v, ok := res.Scalars[m]; ok {
			rep.Values[i], rep.Truncated[i] = Float(v), -1
			continue
		}
		return rep, fmt.Errorf("%s: the run has no metric %q; it reports %s: fix the study's metrics", where(), m, describeMetrics(res))
	}
	return rep, nil
}

func describeMetrics(r Result) string {
	var names []string
	for k := range r.Scalars {
		names = append(names, k)
	}
	for k := range r.Series {
		if _, dup := r.Scalars[k]; !dup {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return "no metrics"
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// values returns the replication values of metric index mi.
func (pr *PointResult) values(mi int) []float64 {
	x := make([]float64, len(pr.Replications))
	for r, rep := range pr.Replications {
		if mi < len(rep.Values) {
			x[r] = float64(rep.Values[mi])
		} else {
			x[r] = math.NaN()
		}
	}
	return x
}

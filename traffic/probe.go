package traffic

import (
	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// prober is httping: GET / through a Service every interval, count times.
type prober struct {
	n        *Net
	svc      *model.Service
	from     *model.Node
	count    int
	interval sim.Time
	sent     int
	rtts     []sim.Time
	failed   []bool
	done     int
	report   func(rtts []sim.Time, failed []bool)
}

// HTTPing sends count `GET /` requests through Service s, one every interval,
// from the first node (httping run on the control plane, as in the workshop),
// each on a new connection. report gets each round-trip time (and whether it
// failed) once all have answered.
func (n *Net) HTTPing(s *model.Service, count int, interval sim.Time, report func(rtts []sim.Time, failed []bool)) {
	var from *model.Node
	if nodes := n.C.Nodes(); len(nodes) > 0 {
		from = nodes[0]
	}
	p := &prober{n: n, svc: s, from: from, count: count, interval: interval, report: report,
		rtts: make([]sim.Time, count), failed: make([]bool, count)}
	n.C.E.After(0, p, 0)
}

func (p *prober) Handle(_ *sim.Engine, _ int64) {
	if p.sent >= p.count {
		return
	}
	p.n.Send(p, 0, p.from, p.svc, RouteRoot, false, int64(p.sent))
	p.sent++
	if p.sent < p.count {
		p.n.C.E.After(p.interval, p, 0)
	}
}

func (p *prober) RequestDone(r *Request, outcome metrics.Outcome) {
	i := int(r.Val)
	p.rtts[i] = p.n.C.Now() - r.sent
	p.failed[i] = outcome != metrics.OK
	p.done++
	if p.done == p.count && p.report != nil {
		p.report(p.rtts, p.failed)
	}
}

package kubeproxy

import (
	"github.com/kubesim/kubesim/model/endpoints"
	"github.com/kubesim/kubesim/sim"
)

// Change is one endpoint change on its way to a kube-proxy: from At on, the
// proxy may apply it.
type Change struct {
	At   sim.Time
	Svc  endpoints.ServiceID
	Pod  endpoints.PodID
	Cond endpoints.Conditions
}

// Pending holds endpoint changes between the endpoint index and one kube-proxy,
// in the order they happened, so that the model can apply them when the
// modelled propagation delay has passed and kube-proxy next syncs. Changes must
// be added in non-decreasing At order (the index reports them as they happen, and
// a constant delay keeps the order). It does not allocate once its buffer has
// grown to the largest backlog.
type Pending struct {
	q    []Change
	head int
}

// Add queues a change that becomes due at at.
func (p *Pending) Add(at sim.Time, svc endpoints.ServiceID, pod endpoints.PodID, c endpoints.Conditions) {
	if p.head > 0 && p.head == len(p.q) {
		p.q, p.head = p.q[:0], 0
	}
	p.q = append(p.q, Change{At: at, Svc: svc, Pod: pod, Cond: c})
}

// Len returns the number of queued changes.
func (p *Pending) Len() int { return len(p.q) - p.head }

// Next returns when the oldest queued change becomes due, and false if none is
// queued.
func (p *Pending) Next() (sim.Time, bool) {
	if p.head == len(p.q) {
		return 0, false
	}
	return p.q[p.head].At, true
}

// ApplyDue applies to px, in order, every queued change due at or before now,
// and returns how many it applied (a kube-proxy sync).
func (p *Pending) ApplyDue(px *Proxier, now sim.Time) int {
	n := 0
	for p.head < len(p.q) && p.q[p.head].At <= now {
		c := &p.q[p.head]
		if t := px.Table(c.Svc); t != nil {
			t.Set(c.Pod, c.Cond)
		}
		p.head++
		n++
	}
	if p.head == len(p.q) {
		p.q, p.head = p.q[:0], 0
	} else if p.head > len(p.q)/2 && p.head > 64 {
		k := copy(p.q, p.q[p.head:])
		p.q, p.head = p.q[:k], 0
	}
	return n
}

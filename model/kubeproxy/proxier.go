package kubeproxy

import (
	"fmt"
	"math/rand/v2"

	"github.com/kubesim/kubesim/model/endpoints"
	"github.com/kubesim/kubesim/sim"
)

// Proxier is one kube-proxy: a Table per Service, all in the same mode and
// sharing one random stream.
type Proxier struct {
	cfg    Config
	rng    *rand.PCG
	tables []*Table // by ServiceID; nil when the Service is unknown
}

// NewProxier returns a kube-proxy with no Services. rng is used by the random
// modes (iptables, nftables); it may be nil for IPVS.
func NewProxier(cfg Config, rng *rand.PCG) (*Proxier, error) {
	if _, err := NewTable(cfg, rng); err != nil {
		return nil, err
	}
	return &Proxier{cfg: cfg, rng: rng}, nil
}

// Table returns the Service's table, creating an empty one (no session affinity)
// if the Service is new. It returns nil for a negative id.
func (p *Proxier) Table(svc endpoints.ServiceID) *Table {
	if svc < 0 {
		return nil
	}
	for int(svc) >= len(p.tables) {
		p.tables = append(p.tables, nil)
	}
	if p.tables[svc] == nil {
		t, _ := NewTable(p.cfg, p.rng) // the config was validated by NewProxier
		p.tables[svc] = t
	}
	return p.tables[svc]
}

// SetAffinity sets the Service's session affinity.
func (p *Proxier) SetAffinity(svc endpoints.ServiceID, a Affinity) error {
	if svc < 0 {
		return fmt.Errorf("kube-proxy: service id %d is negative; ids are dense non-negative integers", svc)
	}
	return p.Table(svc).SetAffinity(a)
}

// DeleteService forgets the Service's table.
func (p *Proxier) DeleteService(svc endpoints.ServiceID) {
	if svc >= 0 && int(svc) < len(p.tables) {
		p.tables[svc] = nil
	}
}

// EndpointChanged applies one change from the endpoint index (it implements
// endpoints.Subscriber, for a model that applies changes without delay; a model
// with propagation delays calls it when the delay has passed).
func (p *Proxier) EndpointChanged(svc endpoints.ServiceID, pod endpoints.PodID, _, new endpoints.Conditions) {
	if t := p.Table(svc); t != nil {
		t.Set(pod, new)
	}
}

// Pick chooses the endpoint of svc for a new connection (see Table.Pick). ok is
// false (connection refused) for an unknown Service.
func (p *Proxier) Pick(svc endpoints.ServiceID, client ClientID, now sim.Time) (endpoints.PodID, bool) {
	if svc < 0 || int(svc) >= len(p.tables) || p.tables[svc] == nil {
		return 0, false
	}
	return p.tables[svc].Pick(client, now)
}

// Release records that a connection of svc to pod has closed.
func (p *Proxier) Release(svc endpoints.ServiceID, pod endpoints.PodID) {
	if svc >= 0 && int(svc) < len(p.tables) && p.tables[svc] != nil {
		p.tables[svc].Release(pod)
	}
}

// PickConn is Pick, with the connection's place in the Service's table for
// ReleaseConn.
func (p *Proxier) PickConn(svc endpoints.ServiceID, client ClientID, now sim.Time) (endpoints.PodID, Conn, bool) {
	if svc < 0 || int(svc) >= len(p.tables) || p.tables[svc] == nil {
		return 0, 0, false
	}
	return p.tables[svc].PickConn(client, now)
}

// ReleaseConn is Release of a connection PickConn counted at c.
func (p *Proxier) ReleaseConn(svc endpoints.ServiceID, pod endpoints.PodID, c Conn) {
	if svc >= 0 && int(svc) < len(p.tables) && p.tables[svc] != nil {
		p.tables[svc].ReleaseConn(pod, c)
	}
}

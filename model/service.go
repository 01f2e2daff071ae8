package model

import (
	"fmt"
	"sort"

	"github.com/kubesim/kubesim/sim"
)

// ServiceMeta is the part of a Service object the data path does not use, kept
// so that kubectl steps see the object they created.
type ServiceMeta struct {
	Type            string // ClusterIP (default), NodePort, LoadBalancer
	Labels          map[string]string
	Annotations     map[string]string
	TargetPort      string
	NodePort        int
	SessionAffinity string // None or ClientIP
	CreatedAt       sim.Time
}

// EndpointConditions are an EndpointSlice endpoint's conditions.
type EndpointConditions struct {
	Ready, Serving, Terminating bool
}

// endpointConditions is the endpoint p would have, and whether p is an endpoint
// at all (terminal and IP-less pods are left out).
func endpointConditions(p *Pod) (EndpointConditions, bool) {
	if p.Gone || !p.HasIP || p.Phase == PodSucceeded || p.Phase == PodFailed {
		return EndpointConditions{}, false
	}
	serving := p.Ready
	return EndpointConditions{Ready: serving && !p.Terminating, Serving: serving, Terminating: p.Terminating}, true
}

// proxyTable is kube-proxy's programmed view of one Service: what new connections
// are balanced over.
type proxyTable struct {
	members  map[int]EndpointConditions // the EndpointSlice controller's view
	ready    []*Pod                     // programmed: ready endpoints
	fallback []*Pod                     // programmed: serving and terminating
	lastSync sim.Time
	synced   bool
	pending  bool
}

// CreateService creates a Service with a map selector (nil selects nothing).
func (c *Cluster) CreateService(name string, selector map[string]string, port int) (*Service, error) {
	if c.Service(name) != nil {
		return nil, fmt.Errorf(`services %q already exists`, name)
	}
	s := &Service{ID: len(c.services), Name: name, Selector: copyLabels(selector), Port: port}
	s.Type, s.SessionAffinity, s.CreatedAt = "ClusterIP", "None", c.Now()
	s.proxy.members = map[int]EndpointConditions{}
	c.services = append(c.services, s)
	c.svcByName[name] = s
	for _, p := range c.pods {
		c.syncEndpoint(s, p)
	}
	return s, nil
}

// SetServiceSelector replaces the Service's selector (kubectl set selector, edit).
func (c *Cluster) SetServiceSelector(s *Service, selector map[string]string) {
	s.Selector = copyLabels(selector)
	for _, p := range c.pods {
		c.syncEndpoint(s, p)
	}
}

// DeleteService deletes the Service: its endpoints go, and new connections to
// its name fail.
func (c *Cluster) DeleteService(s *Service) {
	if s.Deleted {
		return
	}
	s.Deleted = true
	for id := range s.proxy.members {
		delete(s.proxy.members, id)
	}
	c.scheduleProxySync(s)
}

// syncEndpoint updates s's membership for p.
func (c *Cluster) syncEndpoint(s *Service, p *Pod) {
	cond, ok := endpointConditions(p)
	if ok {
		ok = s.Selector != nil && len(s.Selector) > 0 && mapSelectorMatches(s.Selector, p.Labels)
	}
	old, was := s.proxy.members[p.ID]
	if ok == was && old == cond {
		return
	}
	if ok {
		s.proxy.members[p.ID] = cond
	} else {
		delete(s.proxy.members, p.ID)
	}
	c.scheduleProxySync(s)
}

// scheduleProxySync programs the data path for s after the endpoint propagation
// delay, at most once per kube-proxy minSyncPeriod.
func (c *Cluster) scheduleProxySync(s *Service) {
	t := &s.proxy
	if t.pending {
		return
	}
	t.pending = true
	at := c.Now() + c.d.endpointProp.Sample()
	if next := t.lastSync + c.Cfg.Timings.ProxyMinSync; t.synced && at < next {
		at = next
	}
	c.E.At(at, sim.HandlerFunc(func(*sim.Engine, int64) { c.proxySync(s) }), 0)
}

func (c *Cluster) proxySync(s *Service) {
	t := &s.proxy
	t.pending, t.synced, t.lastSync = false, true, c.Now()
	ids := make([]int, 0, len(t.members))
	for id := range t.members {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	t.ready, t.fallback = t.ready[:0], t.fallback[:0]
	for _, id := range ids {
		cond := t.members[id]
		switch {
		case cond.Ready:
			t.ready = append(t.ready, c.pods[id])
		case cond.Serving && cond.Terminating:
			t.fallback = append(t.fallback, c.pods[id])
		}
	}
	c.Rec.endpointsChanged(s)
}

// ReadyEndpoints is the number of ready endpoints kube-proxy has programmed for s.
func (s *Service) ReadyEndpoints() int { return len(s.proxy.ready) }

// EndpointPods returns the pods in s's endpoints with their conditions, by pod ID
// (the EndpointSlice controller's view, before propagation).
func (c *Cluster) EndpointPods(s *Service) ([]*Pod, []EndpointConditions) {
	ids := make([]int, 0, len(s.proxy.members))
	for id := range s.proxy.members {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	pods := make([]*Pod, len(ids))
	conds := make([]EndpointConditions, len(ids))
	for i, id := range ids {
		pods[i], conds[i] = c.pods[id], s.proxy.members[id]
	}
	return pods, conds
}

// pick chooses the endpoint of a new connection to s as kube-proxy does: uniformly
// among ready endpoints; among serving terminating ones only if none is ready;
// nil (connection refused) if there is none.
func (c *Cluster) pick(s *Service, r interface{ IntN(int) int }) *Pod {
	t := &s.proxy
	if n := len(t.ready); n > 0 {
		return t.ready[r.IntN(n)]
	}
	if n := len(t.fallback); n > 0 {
		return t.fallback[r.IntN(n)]
	}
	return nil
}

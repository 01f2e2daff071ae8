package model

import "github.com/kubesim/kubesim/sim"

// Observer is told what happens in the cluster, as it happens: the hook through
// which the layers above (the request path, workloads, measurements) follow the
// cluster without the cluster knowing them. Observers must not change the
// cluster from these calls except by scheduling events; they are called in the
// order they were added.
type Observer interface {
	// PodChanged: p changed (created, bound, labels, Ready, IP, phase,
	// termination, gone).
	PodChanged(p *Pod)
	// NodeChanged: the pods bound to n, or n itself (added, removed, up, down),
	// changed.
	NodeChanged(n *Node)
	// EndpointsChanged: kube-proxy reprogrammed s (its ready endpoints may have
	// changed).
	EndpointsChanged(s *Service)
	// ContainerStarted: p's container started (first start or restart); p.Running
	// is set.
	ContainerStarted(p *Pod)
	// ContainerStopped: p's container stopped (killed, deleted, its node died);
	// p.Running is still set during the call.
	ContainerStopped(p *Pod)
}

// NopObserver ignores everything; embed it to implement part of Observer.
type NopObserver struct{}

func (NopObserver) PodChanged(*Pod)           {}
func (NopObserver) NodeChanged(*Node)         {}
func (NopObserver) EndpointsChanged(*Service) {}
func (NopObserver) ContainerStarted(*Pod)     {}
func (NopObserver) ContainerStopped(*Pod)     {}

// Observe adds o to the cluster's observers.
func (c *Cluster) Observe(o Observer) { c.observers = append(c.observers, o) }

func (c *Cluster) nodeChanged(n *Node) {
	if _, ok := c.nodeAdded[n.Name]; !ok {
		c.nodeAdded[n.Name] = c.Now()
	}
	for _, o := range c.observers {
		o.NodeChanged(n)
	}
}

// NodeAddedAt is when a node named name was first added to the cluster (a node
// removed and added again under the same name keeps the first time).
func (c *Cluster) NodeAddedAt(name string) (sim.Time, bool) {
	t, ok := c.nodeAdded[name]
	return t, ok
}

// NodeNamesEverAdded lists the name of every node ever added, removed or not.
func (c *Cluster) NodeNamesEverAdded() []string {
	out := make([]string, 0, len(c.nodeAdded))
	for n := range c.nodeAdded {
		out = append(out, n)
	}
	return out
}

// LookupNode returns the node last added under name, even if it was removed
// since (nil if none ever was).
func (c *Cluster) LookupNode(name string) *Node { return c.nodeByName[name] }

func (c *Cluster) endpointsChanged(s *Service) {
	for _, o := range c.observers {
		o.EndpointsChanged(s)
	}
}

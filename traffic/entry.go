package traffic

import (
	"time"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/kubeproxy"
	"github.com/kubesim/kubesim/sim"
)

// How a client outside the cluster reaches a Service, as Kubernetes routes
// it (externalTrafficPolicy: Cluster, the default):
//
//   - NodePort: the client connects to NODE-IP:NODEPORT of one node (the
//     node a load generator's URL names: Entry.Node, by default the first
//     node, as httping and ab run from it); kube-proxy on that node forwards
//     the connection to an endpoint anywhere in the cluster. A client
//     pointed at a node that is down gets its SYNs unanswered: the connect
//     timeout.
//   - LoadBalancer: a cloud load balancer (passthrough, as GCE's and AWS'
//     network load balancers) spreads connections over the nodes, each
//     connection to one of the nodes its health checks find healthy, at
//     random (a hash of the connection's 5-tuple); kube-proxy on that node
//     forwards it as for a NodePort.
//   - ClusterIP (or any other type): not reachable from outside; the name
//     does not resolve outside cluster DNS, so the call is refused at once.
//     validate refuses such a client where the scenario shows the Service's
//     type.
//
// Each one-way trip is then two hops: the client to the entry node (a
// cross-node hop: the client is on the same LAN), and the entry node to the
// endpoint's pod (a same-node hop when kube-proxy picked a pod on the entry
// node, a cross-node one otherwise). The load balancer adds no latency of its
// own (a passthrough load balancer forwards packets; its microseconds are not
// modelled), and answers go back the same way (kube-proxy SNATs the
// connection to the entry node).
//
// The load balancer's health checks are GCE's for externalTrafficPolicy:
// Cluster (cloud-provider-gcp, gce_loadbalancer_external.go: the shared node
// health check on kube-proxy's /healthz, every 8 s, 1 s timeout, healthy
// after 1 success, unhealthy after 3 failures: "3 * 8 = 24 seconds before
// the LB will steer traffic away"). The checks run every LBCheckInterval
// from t = 0; a node that goes down keeps receiving new connections until
// the LBUnhealthyThreshold-th failed check after it went down has timed out
// (17-25 s later), and those connections time out as any to a dead node; a
// node that comes back (or is added) receives them from its first check
// after that (0-8 s). A removed node leaves at once (the service controller
// drops deleted nodes from the backend pool), and nodes labelled
// node.kubernetes.io/exclude-from-external-load-balancers are never in it.
// When no node is healthy, the load balancer sends to every node of the
// pool, as GCE and AWS network load balancers do ("fail open").

// LabelExcludeFromLB keeps a node out of load balancers' backend pools
// (kubeadm labels its control-plane nodes so, and so do kubesim's:
// scenarios.ControlPlaneNode).
const LabelExcludeFromLB = "node.kubernetes.io/exclude-from-external-load-balancers"

// Entry is where a client outside the cluster sends its connections.
type Entry struct {
	// Node is the node a NodePort Service is reached on ("": the first
	// node).
	Node string
	node *model.Node
}

// pinned is the node e points at: Node, or the first node not removed; nil
// if there is none.
func (e *Entry) pinned(c *model.Cluster) *model.Node {
	if e.node != nil && !e.node.Removed {
		return e.node
	}
	e.node = nil
	if e.Node != "" {
		e.node = c.Node(e.Node)
		return e.node
	}
	for i := 0; i < c.NodeSlots(); i++ {
		if n := c.NodeAt(i); !n.Removed {
			e.node = n
			return n
		}
	}
	return nil
}

// lbHealthy is whether the load balancer's health checks find node nd
// healthy at now (nd is in the pool: not removed, not excluded).
func (n *Net) lbHealthy(nd *model.Node, now sim.Time) bool {
	iv := n.Cfg.LBCheckInterval
	if iv <= 0 {
		return nd.Up
	}
	first := (nd.UpChangedAt + iv - 1) / iv * iv // the first check at or after the change
	if nd.Up {
		return now >= first+sim.Time(n.Cfg.LBHealthyThreshold-1)*iv
	}
	return now < first+sim.Time(n.Cfg.LBUnhealthyThreshold-1)*iv+n.Cfg.LBCheckTimeout
}

func lbPool(nd *model.Node) bool {
	if nd.Removed {
		return false
	}
	_, excluded := nd.Labels[LabelExcludeFromLB]
	return !excluded
}

// lbPick is the node the load balancer sends a new connection to: one of the
// healthy nodes of its pool at random, or of the whole pool when none is
// healthy; nil when the pool is empty.
func (n *Net) lbPick() *model.Node {
	c := n.C
	now := c.Now()
	if n.lbRand == nil {
		n.lbRand = c.E.Stream("traffic/loadbalancer")
	}
	slots := c.NodeSlots()
	// A few random draws find a healthy node at once in the usual case; a
	// scan counts them otherwise.
	for try := 0; try < 4 && slots > 0; try++ {
		nd := c.NodeAt(n.lbRand.IntN(slots))
		if lbPool(nd) && n.lbHealthy(nd, now) {
			return nd
		}
	}
	healthy, pool := 0, 0
	for i := 0; i < slots; i++ {
		if nd := c.NodeAt(i); lbPool(nd) {
			pool++
			if n.lbHealthy(nd, now) {
				healthy++
			}
		}
	}
	if pool == 0 {
		return nil
	}
	want, k := healthy, 0
	if healthy == 0 {
		want = pool // fail open
	}
	k = n.lbRand.IntN(want)
	for i := 0; i < slots; i++ {
		nd := c.NodeAt(i)
		if !lbPool(nd) || (healthy > 0 && !n.lbHealthy(nd, now)) {
			continue
		}
		if k == 0 {
			return nd
		}
		k--
	}
	return nil
}

// DefaultLBChecks are GCE's health checks of a load balancer's nodes for
// externalTrafficPolicy: Cluster: every 8 s, 1 s timeout, healthy after one
// success, unhealthy after three failures.
const (
	DefaultLBCheckInterval      = 8 * time.Second
	DefaultLBCheckTimeout       = time.Second
	DefaultLBHealthyThreshold   = 1
	DefaultLBUnhealthyThreshold = 3
)

// SendOutside is SendSized from a client outside the cluster through entry
// (see Entry): a NodePort Service through entry's node, a LoadBalancer one
// through the node its load balancer picks, then kube-proxy on that node; a
// Service of another type is refused at once (it is not reachable from
// outside).
func (n *Net) SendOutside(cl Caller, client kubeproxy.ClientID, entry *Entry, svc *model.Service, route Route, keepAlive bool, val int64, timeout sim.Time, reqBytes int64) {
	var node *model.Node
	reachable := false
	if svc != nil && !svc.Deleted {
		switch svc.Type {
		case "NodePort":
			node, reachable = entry.pinned(n.C), true
		case "LoadBalancer":
			node, reachable = n.lbPick(), true
		}
	}
	if !reachable || node == nil {
		// No such name outside the cluster (or no node to enter by): refused
		// at once, as send does for a Service without endpoints.
		n.send(cl, client, nil, svc, route, keepAlive, val, reqBytes, nil, true)
	} else {
		n.send(cl, client, nil, svc, route, keepAlive, val, reqBytes, node, false)
	}
	if timeout > 0 {
		r := n.last
		r.timeout = n.C.E.After(timeout, r, evTimeout)
	}
}

// enterDead is a connection sent to an entry node that is down: nothing
// answers its SYNs, and the client gives up after its connect timeout.
func (n *Net) enterDead(r *Request) {
	r.outcome = metrics.Failed
	r.toID = 0
	r.timer = n.C.E.After(n.Cfg.ConnectTimeout, r, evResponse)
}

package traffic

import (
	"math/rand/v2"
	"time"
	"unsafe"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/kubeproxy"
	"github.com/kubesim/kubesim/sim"
)

// Network is the latency of one network hop and how long a connect waits.
type Network struct {
	SameNode  sim.DistSpec
	CrossNode sim.DistSpec
	// ConnectTimeout is how long a client waits for a connection to a pod on a
	// node that does not answer (Linux: SYN retries, about 127 s).
	ConnectTimeout sim.Time
	// LinkGbps is the link speed, in Gbit/s, at which a message's bytes (a
	// request's or a response's size) are sent: each one-way message takes
	// size x 8 / speed on top of its hop's latency (0: sizes take no time).
	LinkGbps float64
	// LBCheckInterval, LBCheckTimeout, LBHealthyThreshold and
	// LBUnhealthyThreshold are a LoadBalancer Service's health checks of its
	// nodes (entry.go): how often, how long a check waits, and how many
	// successes (failures) in a row make a node healthy (unhealthy).
	LBCheckInterval, LBCheckTimeout          sim.Time
	LBHealthyThreshold, LBUnhealthyThreshold int
}

// DefaultNetwork is a LAN: 50 us within a node (veth, bridge and the kernel's
// stack), 250 us between nodes on average, Linux's 127 s of SYN retries. A
// hop's latency varies: data-centre measurements find one-way latencies
// right-skewed, with a p99 about five times the median (Pingmesh, SIGCOMM 2015:
// round trips of a few hundred microseconds at the median, over a millisecond
// at p99). Both hops are lognormal with a coefficient of variation of 0.8
// (p99/p50 = 5.1): lognormal(50us,40us) and lognormal(250us,200us).
//
// Messages are sent at 10 Gbit/s, the network bandwidth of the cloud's
// general-purpose VMs of 2-16 vCPUs ("up to 10 Gbps" on AWS m5/m6i, 10 Gbps
// egress for GCE n2 with up to 8 vCPUs): 1 KiB takes 0.8 us, 1 MiB 0.84 ms.
// The same speed applies within a node (a veth copy is faster, but no figure
// is better sourced). Not modelled: links shared by concurrent messages (no
// contention: each message has the whole link), TCP slow start, MTU framing.
func DefaultNetwork() Network {
	us := time.Microsecond
	return Network{
		SameNode:       sim.Lognormal(50*us, 40*us),
		CrossNode:      sim.Lognormal(250*us, 200*us),
		ConnectTimeout: 127 * time.Second,
		LinkGbps:       10,

		LBCheckInterval:      DefaultLBCheckInterval,
		LBCheckTimeout:       DefaultLBCheckTimeout,
		LBHealthyThreshold:   DefaultLBHealthyThreshold,
		LBUnhealthyThreshold: DefaultLBUnhealthyThreshold,
	}
}

// Net is the request path of one cluster.
type Net struct {
	C   *model.Cluster
	Rec *metrics.Recorder
	Cfg Network

	sameNode, crossNode sim.Dist
	// hops are the one-way hops by Request.where: from another node, from
	// the same node, and from outside the cluster: the entry hop to a node
	// (crossNode), then the node's hop to the pod (crossNode, or sameNode
	// when the pod runs on the entry node).
	hops       [4]sim.Dist
	free       *Request
	live       int
	liveProbes int // of live, the kubelet's probes (SendProbe)
	nextID     uint64
	last       *Request   // the last one sent
	servers    []*Server  // listening, by Pod.ID
	lbRand     *rand.Rand // load balancers' picks (entry.go)
}

// New returns the request path of cluster c, measured by rec.
func New(c *model.Cluster, rec *metrics.Recorder, cfg Network) *Net {
	e := c.E
	n := &Net{C: c, Rec: rec, Cfg: cfg,
		sameNode:  e.Dist("dist/net-same-node", cfg.SameNode),
		crossNode: e.Dist("dist/net-cross-node", cfg.CrossNode)}
	n.hops = [4]sim.Dist{n.crossNode, n.sameNode,
		&twoHops{n.crossNode, n.crossNode}, &twoHops{n.crossNode, n.sameNode}}
	return n
}

// Route is what a request asks of its server; a workload numbers its own
// routes from 1.
type Route uint16

// RouteRoot is `GET /` (what httping sends).
const RouteRoot Route = 0

// Caller receives the outcome of its requests.
type Caller interface {
	RequestDone(r *Request, outcome metrics.Outcome)
}

// Events of a request (the arg of Handle).
const (
	evArrive   = iota // the connection reaches the server pod
	evServed          // the server finished the request
	evResponse        // the response (or the error) reaches the client
	evTimeout         // the client's own timeout
)

// Async is what a server's handler returns to keep a request in service until
// it calls Server.Finish.
const Async sim.Time = -1

// Request is one request, from a client pod (or from outside) through a
// Service to an endpoint picked by kube-proxy. Requests are pooled: a Request
// is valid only until its Caller's RequestDone returns.
//
// A Request is 128 bytes, Go's size class of 128-byte-aligned objects: its two
// cache lines are one adjacent pair, the first holding what every event of the
// request reads (requests live for the round trip, so each event finds it out
// of the cache; the free list reuses the one just answered first).
type Request struct {
	n *Net
	// Route is what the request asks.
	Route Route
	// KeepAlive: sent on an open connection (one hop) rather than a new one.
	KeepAlive bool
	outcome   metrics.Outcome
	// where is where the client is, as the index of its hop in Net.hops:
	// hopLocal, the client and the pod are on the same node (sameNode, which
	// does not change while the request lives: a pod stays on the node it was
	// bound to); hopOutside, from a client outside the cluster through an
	// entry node (SendOutside): each one-way trip is a cross-node hop to that
	// node, then the hop to the pod (hopLocal when it runs on the entry node).
	where uint8
	// abandoned: the client's timeout fired, the client has its answer and
	// the response will be dropped.
	abandoned bool
	synTries  uint8
	srv       *Server
	// toID is to's ID and conn its connection in kube-proxy's table (Release
	// with neither a pod nor a map lookup).
	toID    int32
	conn    kubeproxy.Conn
	sent    sim.Time
	started sim.Time
	timer   sim.Timer
	to      *model.Pod

	svc    *model.Service
	client Caller
	// Val is a value the request carries (a workload's argument, or the
	// answer its server sets).
	Val int64
	// ResponseBytes is the size of the answer: its server's handler sets it
	// (0: no time to send it beyond the hop's latency).
	ResponseBytes int64
	next          *Request // the free list's, or the server's accept queue's
	id            uint64
	// timeout is the client's timer (SendTimeout).
	timeout sim.Timer
}

// ID is unique among every request of the run: a request object is reused
// after its response, under a new ID.
func (r *Request) ID() uint64 { return r.id }

// Sent is when the request was sent.
func (r *Request) Sent() sim.Time { return r.sent }

// To is the pod kube-proxy sent the request to (nil: no endpoint).
func (r *Request) To() *model.Pod { return r.to }

func (n *Net) newRequest() *Request {
	n.live++
	r := n.free
	if r != nil {
		n.free = r.next
		r.next = nil // the rest was zeroed by freeRequest
	} else {
		r = &Request{}
	}
	r.n = n
	n.nextID++
	r.id = n.nextID
	return r
}

func (n *Net) freeRequest(r *Request) {
	n.live--
	if r.isProbe() {
		n.liveProbes--
	}
	*r = Request{next: n.free}
	n.free = r
}

// LiveRequests is the number of requests in the system: sent and not yet
// answered, wherever they are (network, accept queue, in service, SYN retry).
// It is counted apart from the Recorder, to check its accounting.
func (n *Net) LiveRequests() int { return n.live - n.liveProbes }

// hop is the one-way network latency of r between its client's node and its
// pod's (hopLocal: the same node); from outside the cluster (hopOutside),
// the entry hop to a node comes first. One interface call site and no branch
// keep it within the inliner's budget (two calls cost 127 of its 80): it
// inlines into its callers on the request path.
func (n *Net) hop(r *Request) sim.Time { return n.hops[r.where&3].Sample() }

// Request.where's bits.
const (
	hopLocal   = 1
	hopOutside = 2
)

// twoHops is a hop of a then a hop of b: the same draws, from the same
// streams in the same order, as sampling a then b.
type twoHops struct{ a, b sim.Dist }

func (t *twoHops) Sample() sim.Time {
	h := t.a.Sample()
	return h + t.b.Sample()
}

func (t *twoHops) Mean() sim.Time { return t.a.Mean() + t.b.Mean() }

// sameNode reports whether pod p runs on node n (p.NodeName == n.Name). A
// bound pod's NodeName is its node's name, and two nodes that exist have
// different names, so the pointers decide unless one of the nodes was removed.
// The answer for a bound pod does not change: its node and names stay, and a
// node that differs from p's while both exist has another name.
func sameNode(n *model.Node, p *model.Pod) bool {
	pn := p.Node()
	if pn == n {
		return true
	}
	if pn != nil && !pn.Removed && !n.Removed {
		return false
	}
	return n.Name == p.NodeName
}

// nodeOf is c.LookupNode(p.NodeName): the pod's own node when it is still the
// one under its name, without a map lookup.
func nodeOf(c *model.Cluster, p *model.Pod) *model.Node {
	if n := p.Node(); n != nil && !n.Removed && n.Name == p.NodeName {
		return n
	}
	return c.LookupNode(p.NodeName)
}

// ClientOf is the client identity kube-proxy's ClientIP affinity sees for
// connections from pod p (its pod IP); 0 is a client outside the cluster.
func ClientOf(p *model.Pod) kubeproxy.ClientID { return kubeproxy.ClientID(p.ID + 1) }

// Send sends a request for route with value val from a pod on node `from` (nil:
// outside the cluster) to Service svc: on a new connection (SYN, SYN-ACK, then
// the request: three one-way hops) or, keepAlive, on an open one (one hop).
// The outcome reaches cl.RequestDone exactly once.
func (n *Net) Send(cl Caller, client kubeproxy.ClientID, from *model.Node, svc *model.Service, route Route, keepAlive bool, val int64) {
	n.send(cl, client, from, svc, route, keepAlive, val, 0, nil, false)
}

// transfer is how long sending bytes takes at the link speed.
func (n *Net) transfer(bytes int64) sim.Time {
	if bytes <= 0 || n.Cfg.LinkGbps <= 0 {
		return 0
	}
	return sim.Time(float64(bytes) * 8 / n.Cfg.LinkGbps) // 1 Gbit/s is a bit per ns
}

// send sends a request from a pod on node from (nil: from a client in the
// cluster on no simulated node); from outside the cluster through node entry
// when it is not nil (from is then nil); refused at once when refuse is set.
func (n *Net) send(cl Caller, client kubeproxy.ClientID, from *model.Node, svc *model.Service, route Route, keepAlive bool, val, reqBytes int64, entry *model.Node, refuse bool) {
	r := n.newRequest()
	n.last = r
	r.Route, r.KeepAlive, r.svc, r.client, r.Val, r.sent = route, keepAlive, svc, cl, val, n.C.Now()
	n.Rec.RequestSent(svc)
	if entry != nil {
		r.where = hopOutside
		if !entry.Up {
			n.enterDead(r)
			return
		}
		from = entry // kube-proxy on the entry node picks, and forwards from it
	}
	var to *model.Pod
	var toNode *model.Node
	var nodesKept bool
	if svc != nil && !svc.Deleted && !refuse {
		var toID int
		to, toID, toNode, nodesKept, r.conn = n.C.PickEndpoint(svc, client)
		r.toID = int32(toID)
	}
	if to == nil {
		// No endpoint: kube-proxy rejects the connection at once.
		r.outcome = metrics.Refused
		r.toID = 0
		r.timer = n.C.E.After(0, r, evResponse)
		return
	}
	r.to = to
	// sameNode without loading the pod or either node: the pod's node is
	// from PickEndpoint, and while no node was removed two different nodes
	// are on different machines (sameNode's answer for two nodes not
	// removed).
	if from != nil && (toNode == from || ((toNode == nil || !nodesKept) && sameNode(from, to))) {
		r.where |= hopLocal
	}
	h := n.hop(r)
	if !keepAlive {
		h *= 3
	}
	r.timer = n.C.E.After(h+n.transfer(reqBytes), r, evArrive)
}

// stats is the PodStats of r's pod if a server of the pod took it (nil:
// none did, the Recorder looks them up).
func (r *Request) stats() *metrics.PodStats {
	if r.srv != nil {
		return r.srv.stats
	}
	return nil
}

// Handle advances the request through its events.
func (r *Request) Handle(e *sim.Engine, ev int64) {
	n := r.n
	switch ev {
	case evArrive:
		n.arrive(r)
	case evServed:
		r.srv.finish(r)
	case evResponse:
		probe := r.isProbe()
		if r.to != nil && !probe {
			n.C.ReleaseConn(r.svc, int(r.toID), r.conn)
		}
		if r.abandoned {
			n.freeRequest(r)
			return
		}
		if r.timeout != (sim.Timer{}) {
			n.C.E.Cancel(r.timeout)
		}
		if !probe {
			n.Rec.RequestDoneAt(r.svc, r.to, r.stats(), r.sent, r.outcome)
		}
		if r.client != nil {
			r.client.RequestDone(r, r.outcome)
		}
		n.freeRequest(r)
	case evTimeout:
		// The client gives up; the request goes on where it is, and its
		// response will be dropped.
		r.abandoned = true
		if !r.isProbe() {
			n.Rec.RequestDoneAt(r.svc, r.to, r.stats(), r.sent, metrics.Timeout)
		}
		if r.client != nil {
			r.client.RequestDone(r, metrics.Timeout)
		}
	}
}

// SendTimeout is Send with a client timeout: if no answer came back within
// timeout, the client gets metrics.Timeout (and the late answer is dropped).
func (n *Net) SendTimeout(cl Caller, client kubeproxy.ClientID, from *model.Node, svc *model.Service, route Route, keepAlive bool, val int64, timeout sim.Time) {
	n.SendSized(cl, client, from, svc, route, keepAlive, val, timeout, 0)
}

// SendSized is SendTimeout with a request of reqBytes: its transfer at the
// link speed delays its arrival (as the response's ResponseBytes delay the
// answer).
func (n *Net) SendSized(cl Caller, client kubeproxy.ClientID, from *model.Node, svc *model.Service, route Route, keepAlive bool, val int64, timeout sim.Time, reqBytes int64) {
	n.send(cl, client, from, svc, route, keepAlive, val, reqBytes, nil, false)
	if timeout > 0 {
		r := n.last
		r.timeout = n.C.E.After(timeout, r, evTimeout)
	}
}

// SendProbe sends the kubelet's HTTP probe for route to pod p, from p's own
// node, on a new connection, with a client timeout: it waits in p's server's
// accept queue and is served as route like any request, but is not counted
// as a request of any Service (the pod's server counts it as served). The
// outcome reaches cl.RequestDone once.
func (n *Net) SendProbe(cl Caller, p *model.Pod, route Route, timeout sim.Time) {
	r := n.newRequest()
	n.liveProbes++
	r.Route, r.client, r.sent = route, cl, n.C.Now()
	r.to, r.toID, r.where = p, int32(p.ID), hopLocal
	r.timer = n.C.E.After(3*n.hop(r), r, evArrive)
	if timeout > 0 {
		r.timeout = n.C.E.After(timeout, r, evTimeout)
	}
}

// isProbe says whether r is a kubelet's probe (SendProbe): a request sent
// to a pod through no Service.
func (r *Request) isProbe() bool { return r.svc == nil && r.to != nil }

// arrive delivers r to its endpoint pod.
func (n *Net) arrive(r *Request) {
	var srv *Server
	if int(r.toID) < len(n.servers) {
		srv = n.servers[r.toID]
	}
	// The pod's and its node's state, from the cluster's arrays by pod ID
	// (the pod itself is not loaded); when they cannot tell, from the pod.
	up, running, ok := n.C.EndpointState(int(r.toID))
	if !ok {
		p := r.to
		node := nodeOf(n.C, p)
		up = node != nil && node.Up
		running = !p.Gone && p.Running
	}
	switch {
	case !up:
		// Nothing answers the SYN: the client gives up after its connect timeout.
		r.outcome = metrics.Failed
		wait := n.Cfg.ConnectTimeout - (n.C.Now() - r.sent)
		if wait < 0 {
			wait = 0
		}
		r.timer = n.C.E.After(wait, r, evResponse)
	case !running || srv == nil:
		// The node answers with a reset.
		n.respond(r, metrics.Refused)
	default:
		srv.accept(r)
	}
}

// respond sends the response (or error) of r back to its client.
func (n *Net) respond(r *Request, outcome metrics.Outcome) {
	r.outcome = outcome
	r.timer = n.C.E.After(n.hop(r), r, evResponse)
}

// answer sends the server's answer of r: the hop, plus its ResponseBytes at
// the link speed.
func (n *Net) answer(r *Request, outcome metrics.Outcome) {
	r.outcome = outcome
	r.timer = n.C.E.After(n.hop(r)+n.transfer(r.ResponseBytes), r, evResponse)
}

// Server is a pod's request-serving model: `slots` requests in service at once,
// the rest waiting in FIFO order, at most `backlog` of them (0: unbounded). A
// connection that finds the accept queue full has its SYN dropped and is retried
// by the client's kernel after 1, 2, 4, ... s, as Linux does.
//
// What a request touches is kept in the Server itself where it can be: a
// single-slot server's busy list is busy1 (no array elsewhere to load), and
// the accept queue is a list linked through the requests' next.
type Server struct {
	// What accept and finish read first, in the first of the Server's two
	// cache lines (128 bytes, a size class of 128-byte-aligned objects).
	n        *Net
	busy     []*Request
	busy1    [1]*Request // busy's array when slots is 1
	slots    int32
	backlog  int32
	qHead    *Request // the accept queue: oldest first, linked by next
	qTail    *Request
	qLen     int32
	hasMem   bool
	handle   func(r *Request) sim.Time // returns the service time, applies effects
	stats    *metrics.PodStats         // the pod's measurements (from Start on)
	served   int64
	busyTime sim.Time // slot-time spent serving
	pod      *model.Pod
	// memBase and memPerRequest are the container's memory model (bytes),
	// if hasMem: its working set is memBase plus memPerRequest for each
	// request it holds (served or waiting).
	memBase, memPerRequest int64
}

// SetMemory gives the server's container a working set: base bytes, and
// perRequest more for each request it holds (WorkingSet).
func (s *Server) SetMemory(base, perRequest int64) {
	s.memBase, s.memPerRequest, s.hasMem = base, perRequest, true
}

// WorkingSet is pod p's memory working set now (bytes), as the kubelet's
// cAdvisor would report it; ok is false for a pod without a listening
// server or without a memory model (SetMemory).
func (n *Net) WorkingSet(p *model.Pod) (bytes int64, ok bool) {
	if p.ID >= len(n.servers) || n.servers[p.ID] == nil || !n.servers[p.ID].hasMem {
		return 0, false
	}
	s := n.servers[p.ID]
	return s.memBase + s.memPerRequest*int64(len(s.busy)+s.queued()), true
}

// NewServer returns a server for pod p that serves slots requests at once and
// queues at most backlog more (0: unbounded); handle returns a request's
// service time (and may set its Val). It serves once started.
func (n *Net) NewServer(p *model.Pod, slots, backlog int, handle func(r *Request) sim.Time) *Server {
	s := &Server{n: n, pod: p, slots: int32(slots), backlog: int32(backlog), handle: handle}
	if slots <= len(s.busy1) {
		s.busy = s.busy1[:0]
	}
	return s
}

// Start makes the server listen: requests sent to its pod reach it.
func (s *Server) Start() {
	n := s.n
	for len(n.servers) <= s.pod.ID {
		n.servers = append(n.servers, nil)
	}
	n.servers[s.pod.ID] = s
	s.stats = n.Rec.ServerStarted(s.pod, int(s.slots), s.queued())
}

// Stop fails every request the server holds (its container stopped); its pod
// answers new connections with a reset.
func (s *Server) Stop() {
	s.kill()
	if s.n.servers[s.pod.ID] == s {
		s.n.servers[s.pod.ID] = nil
	}
}

func (s *Server) queued() int { return int(s.qLen) }

// Serving reports whether a server listens in pod p's container.
func (n *Net) Serving(p *model.Pod) bool { return p.ID < len(n.servers) && n.servers[p.ID] != nil }

// Served is the number of requests the server of pod p completed since its
// container started (ok false: p runs no server).
func (n *Net) Served(p *model.Pod) (served int64, ok bool) {
	if p.ID >= len(n.servers) || n.servers[p.ID] == nil {
		return 0, false
	}
	return n.servers[p.ID].served, true
}

// QueueLen is the number of requests waiting (not in service).
func (s *Server) QueueLen() int { return s.queued() }

func (s *Server) accept(r *Request) {
	r.srv = s
	if len(s.busy) < int(s.slots) {
		s.begin(r)
		return
	}
	if s.backlog > 0 && s.queued() >= int(s.backlog) {
		if r.synTries >= 6 {
			s.n.respond(r, metrics.Failed)
			return
		}
		backoff := time.Second << r.synTries
		r.synTries++
		r.timer = s.n.C.E.After(backoff, r, evArrive)
		return
	}
	if s.qTail == nil {
		s.qHead = r
	} else {
		s.qTail.next = r
	}
	s.qTail = r
	s.qLen++
	s.stats.QueueChanged(s.queued())
}

func (s *Server) begin(r *Request) {
	r.started = s.n.C.Now()
	s.busy = append(s.busy, r)
	if d := s.handle(r); d != Async {
		r.timer = s.n.C.E.After(d, r, evServed)
	}
}

// Finish ends the service of request r that the handler kept (Async) with
// outcome (metrics.OK or metrics.AppError). A request the server no longer
// holds (it was killed, or r has been reused) is ignored: call it with the ID
// r had when the handler got it.
func (s *Server) Finish(r *Request, id uint64, outcome metrics.Outcome) {
	if r.id != id || r.srv != s {
		return
	}
	for _, b := range s.busy {
		if b == r {
			s.finishWith(r, outcome)
			return
		}
	}
}

func (s *Server) finish(r *Request) { s.finishWith(r, metrics.OK) }

func (s *Server) finishWith(r *Request, outcome metrics.Outcome) {
	for i, b := range s.busy {
		if b == r {
			last := len(s.busy) - 1
			s.busy[i] = s.busy[last]
			s.busy[last] = nil
			s.busy = s.busy[:last]
			break
		}
	}
	s.served++
	s.busyTime += s.n.C.Now() - r.started
	s.stats.Served(r.started)
	s.n.answer(r, outcome)
	if next := s.qHead; next != nil {
		s.qHead, next.next = next.next, nil
		if s.qHead == nil {
			s.qTail = nil
		}
		s.qLen--
		s.stats.QueueChanged(s.queued())
		s.begin(next)
	}
}

// kill fails every request the server holds: their connections are reset.
func (s *Server) kill() {
	for _, r := range s.busy {
		s.n.C.E.Cancel(r.timer)
		s.busyTime += s.n.C.Now() - r.started
		s.n.respond(r, metrics.Reset)
	}
	s.busy = s.busy[:0]
	for r := s.qHead; r != nil; {
		next := r.next
		r.next = nil
		s.n.respond(r, metrics.Reset)
		r = next
	}
	s.qHead, s.qTail, s.qLen = nil, nil, 0
	s.n.Rec.QueueChanged(s.pod, s.queued())
}

// ServiceRef is a Service named in a client's code ("rng", "redis"): Get
// resolves it as the client's DNS lookup does on every connection, but keeps
// the answer while that Service exists, since no other Service can have its
// name meanwhile; a deleted Service is looked up again (and a missing one on
// every call). It saves a string-keyed map lookup per request.
type ServiceRef struct {
	Name string
	s    *model.Service
}

// Get is c.Service(r.Name), the Service of the default namespace.
func (r *ServiceRef) Get(c *model.Cluster) *model.Service {
	if r.s == nil || r.s.Deleted {
		r.s = c.Service(r.Name)
	}
	return r.s
}

// GetIn is the cluster DNS answer for a client in namespace ns
// (model.Cluster.ResolveService): the kept Service for the default
// namespace, a lookup without allocation for another.
func (r *ServiceRef) GetIn(c *model.Cluster, ns string) *model.Service {
	if ns == model.DefaultNamespace || ns == "" {
		return r.Get(c)
	}
	return c.ResolveService(ns, r.Name)
}

// A Request and a Server stay 128 bytes (see Request and Server).
var _ [128 - unsafe.Sizeof(Request{})]byte
var _ [unsafe.Sizeof(Request{}) - 128]byte
var _ [128 - unsafe.Sizeof(Server{})]byte
var _ [unsafe.Sizeof(Server{}) - 128]byte

package model

import (
	"time"

	"github.com/kubesim/kubesim/model/kubeproxy"
	"github.com/kubesim/kubesim/sim"
)

// dataPath is the state of the request data path kept in the Cluster.
type dataPath struct {
	liveReqs int
	browser  *browser
	ep       endpointsPath
}

// reqKind is what a request asks of its server.
type reqKind uint8

const (
	reqRNG       reqKind = iota // GET rng /32
	reqRNGRoot                  // GET rng / (httping)
	reqHash                     // POST hasher /
	reqHashRoot                 // GET hasher /
	reqRedisIncr                // INCRBY hashes n
	reqRedisHSet                // HSET wallet h b
	reqRedisGet                 // GET hashes + HLEN wallet (the web UI's /json)
)

// Request outcomes.
const (
	outcomeOK = iota
	outcomeRefused
	outcomeFailed
)

// caller receives the outcome of its requests.
type caller interface {
	requestDone(r *request, outcome int)
}

// Events of a request (the arg of Handle).
const (
	evArrive   = iota // the connection reaches the server pod
	evServed          // the server finished the request
	evResponse        // the response (or the error) reaches the client
)

// request is one HTTP or Redis request on a new connection, from a client pod (or
// from outside) through a Service to an endpoint picked by kube-proxy. Requests
// are pooled: no allocation per request.
type request struct {
	c        *Cluster
	kind     reqKind
	svc      *Service
	from     *Node // client's node; nil for a client outside the cluster
	to       *Pod
	client   caller
	sent     sim.Time
	arrived  sim.Time
	started  sim.Time
	timer    sim.Timer
	synTries int
	outcome  int
	val      int64
	srv      *server
	next     *request
}

func (c *Cluster) newRequest() *request {
	c.liveReqs++
	r := c.freeReqs
	if r != nil {
		c.freeReqs = r.next
		*r = request{}
	} else {
		r = &request{}
	}
	r.c = c
	return r
}

func (c *Cluster) freeRequest(r *request) {
	c.liveReqs--
	*r = request{next: c.freeReqs}
	c.freeReqs = r
}

// LiveRequests is the number of request objects in the system: sent and not yet
// answered, wherever they are (network, accept queue, in service, SYN retry).
// It is counted apart from the Recorder, to check its accounting.
func (c *Cluster) LiveRequests() int { return c.liveReqs }

// hop is the one-way network latency between two nodes (from may be nil: outside).
func (c *Cluster) hop(from *Node, to string) sim.Time {
	if from != nil && from.Name == to {
		return c.d.sameNode.Sample()
	}
	return c.d.crossNode.Sample()
}

// send opens a connection from a pod on node `from` to Service svc and sends a
// request. The outcome reaches cl.requestDone exactly once.
func (c *Cluster) send(cl caller, client kubeproxy.ClientID, from *Node, svc *Service, kind reqKind, val int64) {
	r := c.newRequest()
	r.kind, r.svc, r.from, r.client, r.val, r.sent = kind, svc, from, cl, val, c.Now()
	c.Rec.requestSent(r)
	var to *Pod
	if svc != nil && !svc.Deleted {
		to = c.pick(svc, client)
	}
	if to == nil {
		// No endpoint: kube-proxy rejects the connection at once.
		r.outcome = outcomeRefused
		r.timer = c.E.After(0, r, evResponse)
		return
	}
	r.to = to
	// A new TCP connection: SYN, SYN-ACK, then the request: three one-way hops.
	// Redis clients keep their connection open: one hop.
	h := c.hop(from, to.NodeName)
	if kind < reqRedisIncr {
		h *= 3
	}
	r.timer = c.E.After(h, r, evArrive)
}

// Handle advances the request through its events.
func (r *request) Handle(e *sim.Engine, ev int64) {
	c := r.c
	switch ev {
	case evArrive:
		c.arrive(r)
	case evServed:
		r.srv.finish(r)
	case evResponse:
		if r.to != nil {
			c.release(r.svc, r.to)
		}
		c.Rec.requestDone(r)
		if r.client != nil {
			r.client.requestDone(r, r.outcome)
		}
		c.freeRequest(r)
	}
}

// arrive delivers r to its endpoint pod.
func (c *Cluster) arrive(r *request) {
	p := r.to
	n := c.nodeByName[p.NodeName]
	switch {
	case n == nil || !n.Up:
		// Nothing answers the SYN: the client gives up after its connect timeout.
		r.outcome = outcomeFailed
		wait := c.Cfg.Network.ConnectTimeout - (c.Now() - r.sent)
		if wait < 0 {
			wait = 0
		}
		r.timer = c.E.After(wait, r, evResponse)
	case p.Gone || !p.Running || p.app == nil || p.app.server() == nil:
		// The node answers with a reset.
		c.respond(r, outcomeRefused)
	default:
		p.app.server().accept(r)
	}
}

// respond sends the response (or error) of r back to its client.
func (c *Cluster) respond(r *request, outcome int) {
	r.outcome = outcome
	var to string
	if r.to != nil {
		to = r.to.NodeName
	}
	r.timer = c.E.After(c.hop(r.from, to), r, evResponse)
}

// server is a pod's request-serving model: `slots` requests in service at once,
// the rest waiting in FIFO order, at most `backlog` of them (0: unbounded). A
// connection that finds the accept queue full has its SYN dropped and is retried
// by the client's kernel after 1, 2, 4, ... s, as Linux does.
type server struct {
	c       *Cluster
	pod     *Pod
	slots   int
	backlog int
	busy    []*request
	queue   []*request // FIFO ring
	head    int
	handle  func(r *request) sim.Time // returns the service time, applies effects

	served   int64
	busyTime sim.Time // slot-time spent serving
}

func (s *server) queued() int { return len(s.queue) - s.head }

// QueueLen is the number of requests waiting (not in service).
func (s *server) QueueLen() int { return s.queued() }

func (s *server) accept(r *request) {
	r.arrived = s.c.Now()
	r.srv = s
	if len(s.busy) < s.slots {
		s.begin(r)
		return
	}
	if s.backlog > 0 && s.queued() >= s.backlog {
		if r.synTries >= 6 {
			s.c.respond(r, outcomeFailed)
			return
		}
		backoff := time.Second << r.synTries
		r.synTries++
		r.timer = s.c.E.After(backoff, r, evArrive)
		return
	}
	if s.head > 0 && s.head == len(s.queue) {
		s.queue, s.head = s.queue[:0], 0
	}
	s.queue = append(s.queue, r)
	s.c.Rec.queueChanged(s)
}

func (s *server) begin(r *request) {
	r.started = s.c.Now()
	s.busy = append(s.busy, r)
	r.timer = s.c.E.After(s.handle(r), r, evServed)
}

func (s *server) finish(r *request) {
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
	s.busyTime += s.c.Now() - r.started
	s.c.Rec.served(s, r)
	s.c.respond(r, outcomeOK)
	if s.queued() > 0 {
		next := s.queue[s.head]
		s.queue[s.head] = nil
		s.head++
		s.c.Rec.queueChanged(s)
		s.begin(next)
	}
}

// kill fails every request the server holds (its container stopped).
func (s *server) kill() {
	for _, r := range s.busy {
		s.c.E.Cancel(r.timer)
		s.busyTime += s.c.Now() - r.started
		s.c.respond(r, outcomeFailed)
	}
	s.busy = s.busy[:0]
	for _, r := range s.queue[s.head:] {
		s.c.respond(r, outcomeFailed)
	}
	s.queue, s.head = s.queue[:0], 0
	s.c.Rec.queueChanged(s)
}

// Package decl runs declared workloads: services described in a scenario's
// workload: section (or a workload file), matched to containers by image or by
// pod labels, each a server with a concurrency, an accept backlog and routes
// whose requests take a service time, may fail, and run a script of sleeps and
// calls to other Services; and clients, closed-loop virtual users or open-loop
// arrivals, that enter through a Service. A container nothing declares serves
// as a fast echo server (Echo) on its declared containerPorts and on the
// targetPort of the Services that select its pod (once one does).
package decl

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Spec is a declared workload.
type Spec struct {
	Services []Service
	Clients  []Client
	// Echo is how containers nothing declares serve (if they declare ports or
	// a Service selects them).
	Echo Echo
}

// Echo is the server of containers without a declared behaviour.
type Echo struct {
	Service     sim.DistSpec
	Concurrency int
	Backlog     int
}

// DefaultEcho is the echo server assumed for containers nothing declares:
// 1 ms per request, 16 at once, an accept backlog of 128.
func DefaultEcho() Echo {
	return Echo{Service: sim.Const(time.Millisecond), Concurrency: 16, Backlog: 128}
}

// Service is the behaviour of the containers it matches.
type Service struct {
	Name string
	// Image matches containers by image name (any registry, path and tag:
	// example/shop:v2 and registry.io/x/shop are both "shop"); Labels by pod
	// labels (all of them). One of them is set; with both, both must match.
	Image  string
	Labels map[string]string
	// Concurrency is how many requests are served at once (threads, workers);
	// Backlog how many more wait in the accept queue (0: no limit) before
	// connections are refused (their SYNs dropped and retried).
	Concurrency int
	Backlog     int
	// Routes: a request for a route the service does not have is served by the
	// first one.
	Routes []Route
	// Memory, if set, is the container's memory working set: Base bytes,
	// and PerRequest more for each request it holds (served or waiting in
	// its backlog). metrics-server reports it, so `kubectl top` and an
	// HPA's memory Resource metric read it.
	Memory *Memory
	// File and Line are where the service is declared.
	File string
	Line int
}

// Memory is a container's memory model (bytes).
type Memory struct {
	Base, PerRequest int64
}

// Route is what serving one kind of request takes.
type Route struct {
	Name string
	// CPU, if HasCPU, is the CPU work of a request (core-time: 1s is one
	// core busy for a second when nothing else runs), done first, on one
	// thread, in the CPU model (traffic/cpu: the pod's request, limit and its
	// node's contention decide how long it takes).
	CPU    sim.DistSpec
	HasCPU bool
	// Service is the service time (in a concurrency slot) before the script,
	// after the CPU work: time spent waiting, not computing.
	Service sim.DistSpec
	// ErrorRate is the probability that the answer is an application error.
	ErrorRate float64
	// Script runs after the service time, still holding the slot.
	Script []Step
	// ResponseSize is the size of the answer in bytes: sent at the network's
	// link speed (traffic.Network.LinkGbps) on top of the hop.
	ResponseSize int64
}

// Step is one step of a script.
type Step struct {
	Kind StepKind
	// Sleep is the time a sleep step takes.
	Sleep sim.DistSpec
	// Call is the call of a call step.
	Call Call
	// Steps are the steps of a group: run at once (parallel; it ends when all
	// did) or the body of a loop.
	Steps []Step
	// Times is how many times a loop runs its body.
	Times int
	// Branches of a branch step: one is taken with its probability (none with
	// the rest).
	Branches []Branch
	Line     int
}

// StepKind is what a step does.
type StepKind uint8

// Step kinds.
const (
	Sleep StepKind = iota
	CallStep
	Parallel
	Branching
	Loop
)

// Branch is one branch of a probabilistic choice.
type Branch struct {
	P     float64
	Steps []Step
}

// Call is a request to a Service.
type Call struct {
	// Service is the Service's name, as cluster DNS resolves it (NAME,
	// NAME.default, NAME.default.svc, NAME.default.svc.cluster.local).
	Service string
	// Route is the route asked for ("" the first).
	Route string
	// Timeout is the client's timeout (0: none); Retries how many times a
	// failed call is tried again, after Backoff doubled at each retry with
	// full jitter (uniform between 0 and that).
	Timeout sim.Time
	Retries int
	Backoff sim.Time
	// KeepAlive: the call goes on an open connection (one network hop) rather
	// than a new one (SYN, SYN-ACK, request: three).
	KeepAlive bool
	// Size is the size of the request in bytes: sent at the network's link
	// speed on top of the hop.
	Size int64
}

// Client is load entering the cluster through Services.
type Client struct {
	Name string
	// Users > 0: a closed loop of Users virtual users, each thinking for
	// Think, then running the script, again and again. With OnStart, a user
	// first runs OnStart once, then the script at once, then thinks between
	// runs (as a locust user runs on_start, its first task, then waits
	// between tasks).
	Users int
	Think sim.DistSpec
	// QPS > 0 paces the Users closed-loop users as fortio paces its
	// connections (-qps QPS -c Users): together they aim at QPS runs a
	// second, each user at QPS/Users, its k-th run (from 0) starting at its
	// first run's start plus k*Users/QPS, or as soon as its previous run
	// ends when that is later: a user is still a closed loop, so a slow
	// server lowers the achieved rate, and a user behind its schedule runs
	// back to back until it has caught up (fortio's default; -nocatchup is
	// not modelled). Think is then not used. Set by Go code (isotope's
	// load client), not read from workload files.
	QPS float64
	// OnStart is a script each closed-loop virtual user runs once when it
	// starts (a login, a first page). Its calls are measured per route and
	// Service as any; it is not a run of the client's script (clients' runs
	// count Script only), and a failure does not stop the user.
	OnStart []Step
	// Otherwise an open loop: runs of the script start at Rate per second
	// (Schedule, if set, changes it over time), Poisson (exponential gaps) or
	// evenly spaced (Constant).
	Rate     float64
	Schedule []RatePoint
	// Sine, if set, is the rate instead: a daily (or any period's) cycle.
	Sine *Sine
	// Ramp: the rate moves linearly between the schedule's points instead of
	// stepping.
	Ramp     bool
	Constant bool
	// Start is when the client starts.
	Start sim.Time
	// WaitReady, if set, holds a client outside the cluster back from Start
	// until each of these Services has at least its number of ready
	// endpoints (isotope's runner starts fortio once the graph's Deployments
	// have rolled out and their pods are Ready). Set by Go code (isotope),
	// not read from workload files.
	WaitReady []ReadyService
	// Node is the node a client outside the cluster is pointed at to reach
	// NodePort Services (NODE-IP:NODEPORT; "": the first node). A
	// LoadBalancer Service's load balancer picks the node of each
	// connection itself (traffic.Entry).
	Node string
	// InCluster: the client runs in the cluster on a machine kubesim does
	// not simulate (isotope's fortio pod on its own client node): it reaches
	// ClusterIP Services, each hop a cross-node one. Set by Go code
	// (isotope), not read from workload files.
	InCluster bool
	// Image and Labels, if set, put the client in the containers they match
	// (as a service's): each such container runs Users virtual users from
	// its pod's node, started SpawnRate per second (0: all at once), and
	// stopped with it. Otherwise the client is outside the cluster.
	Image     string
	Labels    map[string]string
	SpawnRate float64
	// TotalUsers: Users is the total of the client's virtual users over
	// all its containers, not per container (as a locust master with
	// workers runs -u users in total): spread as its dispatcher spreads
	// them, again whenever a container starts or stops.
	TotalUsers bool
	// UsersEnv and SpawnRateEnv, if set, name variables of the container's
	// env that, set and not empty, give Users and SpawnRate for that
	// container instead (Users and SpawnRate are then the defaults, as a
	// shell's ${USERS:-10}): the load generator's knobs in its manifest.
	UsersEnv, SpawnRateEnv string
	Script                 []Step
	// File and Line are where the client is declared.
	File string
	Line int
}

// ReadyService is a Service (a name as a call resolves it from outside the
// cluster: NAME or NAME.NAMESPACE) and how many ready endpoints it needs.
type ReadyService struct {
	Service   string
	Endpoints int
}

// InPods says whether the client runs in containers (Image or Labels).
func (c *Client) InPods() bool { return c.Image != "" || len(c.Labels) > 0 }

// Sine is an open-loop rate of Mean + Amplitude x sin(2 pi t / Period), t the
// simulated time (Amplitude <= Mean: the rate never goes below 0).
type Sine struct {
	Mean, Amplitude float64
	Period          sim.Time
}

// RatePoint is the open-loop rate from At on.
type RatePoint struct {
	At   sim.Time
	Rate float64
}

// UsesCPU reports whether a route declares CPU work.
func (s *Spec) UsesCPU() bool {
	for i := range s.Services {
		for j := range s.Services[i].Routes {
			if s.Services[i].Routes[j].HasCPU {
				return true
			}
		}
	}
	return false
}

package model

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Timings are the control-plane and kubelet delays the model applies. Defaults
// follow Kubernetes' defaults and SLOs; every one can be set from a scenario.
type Timings struct {
	// ControllerSync is how long a controller takes to act on a change it watches
	// (watch delivery plus reconcile).
	ControllerSync sim.DistSpec
	// Scheduling is the time from a pod's creation (or a retry) to its binding.
	Scheduling sim.DistSpec
	// ImagePull is the pull time of an image not yet on the node; pulls are cached
	// per node and image.
	ImagePull sim.DistSpec
	// ContainerStart is from binding (or end of pull) to the container running.
	ContainerStart sim.DistSpec
	// EndpointPropagation is from a pod change to the EndpointSlice update reaching
	// kube-proxy.
	EndpointPropagation sim.DistSpec
	// ProxyMinSync is kube-proxy's minSyncPeriod: it reprograms the data path at
	// most once per this period.
	ProxyMinSync sim.Time
	// GracePeriod is terminationGracePeriodSeconds when the pod spec sets none.
	GracePeriod sim.Time
}

// Network is the latency of one network hop.
type Network struct {
	SameNode  sim.DistSpec
	CrossNode sim.DistSpec
	// ConnectTimeout is how long a client waits for a connection to a pod on a
	// node that does not answer (Linux: SYN retries, about 127 s).
	ConnectTimeout sim.Time
}

// Workload holds the DockerCoins service timings, from the real services'
// mechanisms (see shared/reference/dockercoins.md).
type Workload struct {
	WorkerSleep      sim.DistSpec // sleep at the top of every worker loop (0.1 s)
	WorkerErrorSleep sim.Time     // sleep after an error (10 s)
	RNGService       sim.DistSpec // GET /<n>: sleep 0.1 s
	RNGBacklog       int          // listen backlog of the single-threaded server (128)
	RNGRootService   sim.DistSpec // GET /: no sleep
	HasherService    sim.DistSpec // POST /: sleep 0.1 s
	HasherThreads    int          // thin's thread pool (20)
	RedisService     sim.DistSpec // one command, sub-millisecond
	WebUIPoll        sim.Time     // browser poll period (1 s)
	CoinProbability  float64      // a hash starting with '0': 1/16
}

// Config is everything the model needs besides the objects themselves.
type Config struct {
	Timings  Timings
	Network  Network
	Workload Workload
	// ProxyMode is the kube-proxy mode: iptables, nftables (uniform random),
	// ipvs-rr or ipvs-lc.
	ProxyMode string
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	ms := time.Millisecond
	return Config{
		Timings: Timings{
			ControllerSync:      sim.Const(20 * ms),
			Scheduling:          sim.Const(30 * ms),
			ImagePull:           sim.Const(3 * time.Second),
			ContainerStart:      sim.Const(800 * ms),
			EndpointPropagation: sim.Const(50 * ms),
			ProxyMinSync:        time.Second,
			GracePeriod:         30 * time.Second,
		},
		Network: Network{
			SameNode:       sim.Const(50 * time.Microsecond),
			CrossNode:      sim.Const(250 * time.Microsecond),
			ConnectTimeout: 127 * time.Second,
		},
		Workload: Workload{
			WorkerSleep:      sim.Const(100 * ms),
			WorkerErrorSleep: 10 * time.Second,
			RNGService:       sim.Const(100 * ms),
			RNGBacklog:       128,
			RNGRootService:   sim.Const(200 * time.Microsecond),
			HasherService:    sim.Const(100 * ms),
			HasherThreads:    20,
			RedisService:     sim.Const(100 * time.Microsecond),
			WebUIPoll:        time.Second,
			CoinProbability:  1.0 / 16,
		},
		ProxyMode: "iptables",
	}
}

package model

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Timings are the control-plane and kubelet delays the model applies. Defaults
// follow Kubernetes' defaults and SLOs; every one can be set from a scenario.
//
//	field                     default (mean)   Kubernetes source
//	ControllerSync            20 ms            informer watch delivery + workqueue + reconcile (ms in a small cluster)
//	APICall                   5 ms             one API write (create/delete) of a controller; slow-start batches wait for it
//	Scheduling                10 ms            one scheduling cycle incl. the binding call; cycles are sequential
//	ImagePull                 3 s              pull of a small image; kubelet serializeImagePulls=true: one pull at a time per node,
//	                                           then cached per node and image (imagePullPolicy IfNotPresent)
//	ContainerStart            800 ms           sandbox + container start; pod startup SLO p99 <= 5 s excluding image pull
//	EndpointPropagation       50 ms            EndpointSlice controller (batch period 0) + watch to kube-proxy
//	ProxyMinSync              1 s       kube-proxy --iptables-min-sync-period / minSyncPeriod
//	GracePeriod               30 s      terminationGracePeriodSeconds default
//	NodeStatusUpdate          10 s      kubelet node lease renew interval (nodeLeaseDurationSeconds 40 x 0.25)
//	NodeMonitorPeriod         5 s       kube-controller-manager --node-monitor-period
//	NodeMonitorGracePeriod    50 s      --node-monitor-grace-period (50 s since v1.32, kubernetes#126287; 40 s before)
//	DefaultTolerationSeconds  300 s     admission plugin DefaultTolerationSeconds (not-ready/unreachable NoExecute)
//	NodeEvictionRate          0.1/s     --node-eviction-rate: nodes NoExecute-tainted per second in a healthy zone
//	PodGCQuarantine           40 s      PodGC: pods bound to a deleted node are deleted after this quarantine,
//	PodGCPeriod               20 s      checked every gcCheckPeriod
//	KubeAPIQPS                20/s      kube-controller-manager --kube-api-qps: each controller's API client
//	KubeAPIBurst              30        --kube-api-burst (pkg/controller/apis/config/v1alpha1 defaults)
//
// The six delays vary from one action to the next: each is a chain of API
// round trips, etcd writes, watch deliveries and queueing behind other work
// (for a pull, registry and network transfer), whose latencies are
// right-skewed (Kubernetes reports its SLIs as percentiles for their tails).
// Each is drawn from a lognormal distribution with the mean above and a
// coefficient of variation of 0.5 (ContainerStart 0.25, ImagePull 0.33):
// lognormal(20ms,10ms), lognormal(5ms,2.5ms), lognormal(10ms,5ms),
// lognormal(3s,1s), lognormal(800ms,200ms), lognormal(50ms,25ms). The
// coefficients are estimates from the mechanisms, not measurements. A constant
// ("20ms") removes the spread of one; sim.UseMeans(&cfg) (a scenario's
// config.deterministic) removes all of it.
//
// A readiness probe's defaults are Kubernetes' too (initialDelaySeconds 0,
// periodSeconds 10, successThreshold 1, failureThreshold 3); a pod without a
// probe is Ready as soon as its container runs.
type Timings struct {
	// ControllerSync is how long a controller takes to act on a change it watches
	// (watch delivery plus reconcile).
	ControllerSync sim.DistSpec
	// APICall is the latency of one API write by a controller. ReplicaSet and
	// DaemonSet controllers create pods in slow-start batches of 1, 2, 4, ...,
	// each batch waiting for the previous one.
	APICall sim.DistSpec
	// Scheduling is the time the scheduler spends on one pod (a scheduling cycle
	// and its binding). Pods are scheduled one after another, each decision seeing
	// the previous bindings.
	Scheduling sim.DistSpec
	// ImagePull is the pull time of an image not yet on the node; pulls are cached
	// per node and image, and a node pulls one image at a time.
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
	// NodeStatusUpdate is the kubelet's heartbeat (node lease renewal) period.
	NodeStatusUpdate sim.Time
	// NodeMonitorPeriod is how often the node lifecycle controller checks nodes.
	NodeMonitorPeriod sim.Time
	// NodeMonitorGracePeriod is how long a node may go without a heartbeat
	// before it is marked NotReady (Unknown).
	NodeMonitorGracePeriod sim.Time
	// DefaultTolerationSeconds is the tolerationSeconds given to pods for the
	// not-ready and unreachable NoExecute taints.
	DefaultTolerationSeconds sim.Time
	// NodeEvictionRate is how many nodes per second the node lifecycle
	// controller NoExecute-taints in a healthy zone. A zone whose nodes are all
	// NotReady is in full disruption and gets no eviction taints; one with at least
	// 3 and 55% NotReady is in partial disruption: 0.01/s in a cluster above 50
	// nodes, none in a smaller one.
	NodeEvictionRate float64
	// PodGCQuarantine and PodGCPeriod: PodGC deletes the pods of a deleted node
	// once the node has been gone for the quarantine, on its periodic check.
	PodGCQuarantine sim.Time
	PodGCPeriod     sim.Time
	// KubeAPIQPS and KubeAPIBurst are kube-controller-manager's client rate
	// limit (--kube-api-qps, --kube-api-burst): every controller has its own
	// API client with a token bucket of KubeAPIBurst tokens refilled at
	// KubeAPIQPS per second, and each call waits for a token (client-go's
	// tokenBucketRateLimiter). The ReplicaSet and DaemonSet controllers'
	// pod creations take a token each, so a large scale-up creates about
	// KubeAPIQPS pods per second once the burst is spent, as in a real
	// cluster; clusters built for huge scale-ups raise both. Deletions,
	// status updates and events take none in the model.
	KubeAPIQPS   float64
	KubeAPIBurst int
}

// withDefaults fills unset (zero) fields from DefaultConfig, so that a Config
// written before a field existed keeps working.
func (t Timings) withDefaults() Timings {
	d := DefaultConfig().Timings
	if t.ControllerSync.Kind == "" {
		t.ControllerSync = d.ControllerSync
	}
	if t.APICall.Kind == "" {
		t.APICall = d.APICall
	}
	if t.Scheduling.Kind == "" {
		t.Scheduling = d.Scheduling
	}
	if t.ImagePull.Kind == "" {
		t.ImagePull = d.ImagePull
	}
	if t.ContainerStart.Kind == "" {
		t.ContainerStart = d.ContainerStart
	}
	if t.EndpointPropagation.Kind == "" {
		t.EndpointPropagation = d.EndpointPropagation
	}
	// Periods must be positive for the model to run; a negative one is reported
	// by Validate and replaced by the default here rather than crash.
	for _, f := range []struct{ v, d *sim.Time }{
		{&t.NodeStatusUpdate, &d.NodeStatusUpdate}, {&t.NodeMonitorPeriod, &d.NodeMonitorPeriod},
		{&t.PodGCPeriod, &d.PodGCPeriod},
	} {
		if *f.v < 0 {
			*f.v = *f.d
		}
	}
	for _, f := range []struct{ v, d *sim.Time }{
		{&t.GracePeriod, &d.GracePeriod}, {&t.NodeStatusUpdate, &d.NodeStatusUpdate},
		{&t.NodeMonitorPeriod, &d.NodeMonitorPeriod}, {&t.NodeMonitorGracePeriod, &d.NodeMonitorGracePeriod},
		{&t.DefaultTolerationSeconds, &d.DefaultTolerationSeconds},
		{&t.PodGCQuarantine, &d.PodGCQuarantine}, {&t.PodGCPeriod, &d.PodGCPeriod},
	} {
		if *f.v == 0 {
			*f.v = *f.d
		}
	}
	if t.NodeEvictionRate == 0 {
		t.NodeEvictionRate = d.NodeEvictionRate
	}
	if t.KubeAPIQPS <= 0 {
		t.KubeAPIQPS = d.KubeAPIQPS
	}
	if t.KubeAPIBurst <= 0 {
		t.KubeAPIBurst = d.KubeAPIBurst
	}
	return t
}

// Validate reports the first timing that cannot be used, naming the field.
func (t Timings) Validate() error {
	for _, f := range []struct {
		name string
		v    sim.Time
	}{
		{"ProxyMinSync", t.ProxyMinSync}, {"GracePeriod", t.GracePeriod},
		{"NodeStatusUpdate", t.NodeStatusUpdate}, {"NodeMonitorPeriod", t.NodeMonitorPeriod},
		{"NodeMonitorGracePeriod", t.NodeMonitorGracePeriod},
		{"DefaultTolerationSeconds", t.DefaultTolerationSeconds},
		{"PodGCQuarantine", t.PodGCQuarantine}, {"PodGCPeriod", t.PodGCPeriod},
	} {
		if f.v < 0 {
			return fmt.Errorf("timings: %s is %v; it must not be negative", f.name, f.v)
		}
	}
	if t.NodeEvictionRate < 0 {
		return fmt.Errorf("timings: NodeEvictionRate is %g; it must not be negative (nodes per second)", t.NodeEvictionRate)
	}
	if t.KubeAPIQPS < 0 {
		return fmt.Errorf("timings: KubeAPIQPS is %g; it must not be negative (API calls per second)", t.KubeAPIQPS)
	}
	if t.KubeAPIBurst < 0 {
		return fmt.Errorf("timings: KubeAPIBurst is %d; it must not be negative (API calls)", t.KubeAPIBurst)
	}
	return nil
}

// Config is everything the cluster model needs besides the objects themselves
// (the request path and the workloads have their own: traffic.Network and each
// workload's settings).
type Config struct {
	Timings Timings
	// ProxyMode is the kube-proxy mode: iptables, nftables (uniform random),
	// ipvs-rr or ipvs-lc.
	ProxyMode string
	// ImageSize is the size in bytes the kubelets report for every image, read
	// by the scheduler's ImageLocality score (0: 100 MiB, the order of the
	// DockerCoins images; negative: sizes unknown, the score is then 0).
	ImageSize int64
	// Start is the wall-clock time of simulated time 0 (zero: DefaultStart):
	// creation timestamps, describe's times and the restartedAt annotation
	// read as in a cluster.
	Start time.Time
}

// DefaultStart is the wall-clock start of a scenario that sets none:
// Monday 5 January 2026, 09:00:00 UTC.
var DefaultStart = time.Date(2026, time.January, 5, 9, 0, 0, 0, time.UTC)

// DefaultImageSize is the image size the nodes report when Config.ImageSize
// is 0.
const DefaultImageSize = 100 << 20

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	ms := time.Millisecond
	return Config{
		Timings: Timings{
			ControllerSync:           sim.Lognormal(20*ms, 10*ms),
			APICall:                  sim.Lognormal(5*ms, 2500*time.Microsecond),
			Scheduling:               sim.Lognormal(10*ms, 5*ms),
			ImagePull:                sim.Lognormal(3*time.Second, time.Second),
			ContainerStart:           sim.Lognormal(800*ms, 200*ms),
			EndpointPropagation:      sim.Lognormal(50*ms, 25*ms),
			ProxyMinSync:             time.Second,
			GracePeriod:              30 * time.Second,
			NodeStatusUpdate:         10 * time.Second,
			NodeMonitorPeriod:        5 * time.Second,
			NodeMonitorGracePeriod:   50 * time.Second,
			DefaultTolerationSeconds: 300 * time.Second,
			NodeEvictionRate:         0.1,
			PodGCQuarantine:          40 * time.Second,
			PodGCPeriod:              20 * time.Second,
			KubeAPIQPS:               20,
			KubeAPIBurst:             30,
		},
		ProxyMode: "iptables",
	}
}

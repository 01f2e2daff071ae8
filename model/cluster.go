package model

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"
	"unsafe"

	"github.com/kubesim/kubesim/sim"
)

// nodeImage is an image of a node (ImageLocality's index of its name, as
// Cluster.imageID gives it) and when its pull ends (cached once <= now).
type nodeImage struct {
	id imageID
	at sim.Time
}

// imageID numbers the image names of a cluster in the order they are first
// pulled, so that a node's images are compared without hashing their names.
type imageID int32

// imageAt is when n's pull of image id ends (ok false: n has no such image).
func (n *Node) imageAt(id imageID) (at sim.Time, ok bool) {
	for _, im := range n.images {
		if im.id == id {
			return im.at, true
		}
	}
	return 0, false
}

// Node is a cluster node.
//
// The fields the scheduler's filters and scores read on every node they look
// at come first: Removed, Unschedulable, Taints, Capacity, the bound pods'
// requests and the images (pointer and length) are in the object's first two
// cache lines. A Node is 360 bytes, in Go's 384-byte size class, whose objects
// start on 128-byte boundaries (352 would be a class of its own, not aligned:
// pad it if fields go), so that filtering a node loads one pair of adjacent
// lines (issue 15, scheduling 50,000 pods on 5,000 nodes).
type Node struct {
	// Removed is true once the node object is deleted.
	Removed       bool
	Unschedulable bool
	// Up is false while the machine is down (removed or rebooting).
	Up bool
	// Ready is the node's Ready condition as the control plane sees it.
	Ready bool
	// zoneReady: the node is counted as Ready in its zone count (zone);
	// zoneLabelled: the node has a topology.kubernetes.io/zone label
	// (counted in the scheduler's zoneLabelled).
	zoneReady, zoneLabelled bool
	Taints                  []Taint
	Capacity                Resources
	seq                     int // creation order

	req, nonzero Resources   // requests of the bound pods: actual, and with defaults for scoring
	images       []nodeImage // the images pulled or being pulled, in the order their pulls started

	ObjectMeta
	// NotReadyAt is when the node lifecycle controller last marked the node
	// NotReady (Unknown); ReadyAt when it last saw it Ready again.
	NotReadyAt, ReadyAt sim.Time
	// UpChangedAt is when the machine was added, or last went down or came
	// back up (what a load balancer's health checks follow).
	UpChangedAt sim.Time

	pullFreeAt   sim.Time  // the kubelet pulls one image at a time
	pods         []*Pod    // pods bound here, in binding order
	hbBase       sim.Time  // time of the kubelet's first heartbeat since it last started
	hbPhase      sim.Time  // offset of its heartbeats within the status update period
	monitorTimer sim.Timer // the node lifecycle controller's pending transition
	gcTimer      sim.Timer
	// zone is the zone count the node is counted in (nil: not counted).
	zone *zoneCount
	// treeZone is the zone the scheduler's node tree files the node under.
	treeZone string
	boots    int // times the machine came back up (the Rebooted event's boot id)
}

// Pods returns the pods bound to the node that are not gone, in binding order.
func (n *Node) Pods() []*Pod { return n.pods }

// Allocated is the sum of the requests of the pods bound to the node (pods
// without requests count as zero, as in the scheduler's fit filter).
func (n *Node) Allocated() Resources { return n.req }

// HasTaint reports whether the node has a taint with key and effect.
func (n *Node) HasTaint(key string, effect TaintEffect) bool {
	for _, t := range n.Taints {
		if t.Key == key && t.Effect == effect {
			return true
		}
	}
	return false
}

// Pod is a pod. Pods are never reused: a deleted pod stays in the cluster's table
// with Gone set, so that measurements can refer to it.
type Pod struct {
	ID int
	// ObjectMeta's Owner is the controller ownerReference (nil for an
	// orphan); CreationTimestamp is when the pod object was created.
	ObjectMeta
	Spec     PodSpec
	NodeName string
	Phase    PodPhase
	// HasIP is true once the pod sandbox exists on its node.
	HasIP bool
	// Running is true while the container runs.
	Running bool
	// Ready is the pod's Ready condition.
	Ready bool
	// Terminating is true from deletion until the pod is gone.
	Terminating bool
	// Gone is true once the pod object no longer exists.
	Gone bool

	queued  bool // in the scheduler's queues
	indexed bool // known to the endpoint index (from its first IP to gone)

	Scheduled  sim.Time
	Started    sim.Time
	ReadyAt    sim.Time
	DeletedAt  sim.Time
	GoneAt     sim.Time
	Restarts   int32  // restartCount, as Kubernetes' int32
	generation uint32 // bumped on every container (re)start, to invalidate old timers
	nameNext   int32  // ID+1 of the next pod in its podNameIndex chain (0: none)

	node      *Node
	rs        *ReplicaSet
	ds        *DaemonSet
	uid       uint64            // random, the last tie-break of scale-down
	ixLabels  map[string]string // the labels the endpoint index has (indexLabels)
	later     *podTimers        // deletion and eviction timers (timers)
	countedIn *ReplicaSet       // the ReplicaSet whose per-node count (on p.node) includes the pod
	sq        schedQueueInfo    // the scheduler queue's record of it
	count     podCount          // what the pod adds to its ReplicaSet's status counts
	daemon    *daemonPodIndex   // its place in its DaemonSet's per-node index (daemonIndex)
	// Pod is kept at 576 bytes or less (TestPodSize): a million pods pay
	// for every word (at 512 or less Go would drop its type header too).
}

// podTimers are the timers of a pod's deletion and taint eviction, allocated
// at the first (most pods have neither).
type podTimers struct {
	graceTimer sim.Timer
	evictTimer sim.Timer
	evictAt    sim.Time      // when the scheduled taint eviction fires (0: none)
	evictSince sim.Time      // when it was scheduled
	run        *containerRun // the kubelet's probes and restarts, once a probe failed
	// deleteGrace is the grace period of the deletion that made the pod
	// Terminating (the delete's --grace-period, else the pod's own).
	deleteGrace sim.Time
}

// timers returns p's podTimers, made at first use.
func (p *Pod) timers() *podTimers {
	if p.later == nil {
		p.later = &podTimers{}
	}
	return p.later
}

// DeletionGrace is the grace period of p's deletion, as the API server keeps it
// in metadata.deletionGracePeriodSeconds (deletionTimestamp is the deletion's
// time plus it): the delete's --grace-period if it gave one, else the pod's
// terminationGracePeriodSeconds. It is the pod's own before any deletion.
func (p *Pod) DeletionGrace() sim.Time {
	if p.later != nil && p.Terminating && p.later.deleteGrace > 0 {
		return p.later.deleteGrace
	}
	return p.Spec.GracePeriod
}

// evictAt is when p's scheduled taint eviction fires (0: none).
func (p *Pod) evictAt() sim.Time {
	if p.later == nil {
		return 0
	}
	return p.later.evictAt
}

// daemonIndex is p's record in its DaemonSet's per-node index, made at first
// use (only daemon pods have one).
func (p *Pod) daemonIndex() *daemonPodIndex {
	if p.daemon == nil {
		p.daemon = &daemonPodIndex{}
	}
	return p.daemon
}

// Node returns the node the pod is bound to, or nil.
func (p *Pod) Node() *Node { return p.node }

// IsDaemon reports whether a DaemonSet owns the pod.
func (p *Pod) IsDaemon() bool { return p.ds != nil }

// ReplicaSet returns the ReplicaSet owning the pod, or nil.
func (p *Pod) ReplicaSet() *ReplicaSet { return p.rs }

// DaemonSet returns the DaemonSet owning the pod, or nil.
func (p *Pod) DaemonSet() *DaemonSet { return p.ds }

// effectiveRequests is what the pod asks of its node for the fit filter.
func (p *Pod) effectiveRequests() Resources {
	r := p.Spec.Requests
	r.Pods = 1
	return r
}

// Scheduler defaults for pods without requests (DefaultMilliCPURequest,
// DefaultMemoryRequest), used when scoring.
const (
	defaultMilliCPURequest = 100
	defaultMemoryRequest   = 200 << 20
)

// nonzeroRequests is the pod's requests with the scheduler's defaults for a
// missing CPU or memory request (an explicit 0 stays 0), used by the
// LeastAllocated score.
func (p *Pod) nonzeroRequests() Resources {
	r := p.effectiveRequests()
	if r.MilliCPU == 0 && !p.Spec.ExplicitZero.CPU {
		r.MilliCPU = defaultMilliCPURequest
	}
	if r.Memory == 0 && !p.Spec.ExplicitZero.Memory {
		r.Memory = defaultMemoryRequest
	}
	return r
}

// deletionCost is the controller.kubernetes.io/pod-deletion-cost annotation.
func (p *Pod) deletionCost() int64 {
	v, ok := p.Annotations[AnnotationDeletionCost]
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0
	}
	return n
}

// Service is a v1 Service with a map selector. A nil selector selects no pods.
type Service struct {
	ID int
	ObjectMeta
	Selector    map[string]string
	Port        int
	Deleted     bool
	ServiceMeta // the rest of the Service object (service.go)

	proxy proxyTable
	key   string // Key()
	// epRV and epChanged are the resourceVersion and the time of the last
	// write of the Service's Endpoints and EndpointSlices (EndpointsMeta).
	epRV      int64
	epChanged sim.Time
	// epUser and sliceUser (by slice index) are what users wrote on the
	// Endpoints and EndpointSlices (endpointsmeta.go).
	epUser    EndpointsUserMeta
	sliceUser map[int]*EndpointsUserMeta
}

// Cluster is the simulated cluster: the API objects, the controllers acting on
// them, endpoints and kube-proxy. All of it runs on one sim.Engine. It knows
// nothing of what runs in the containers nor of measurements: the layers
// above follow it through Observe.
//
// What kubectl does maps onto its methods, each acting at the current simulated
// time (the controllers then react after their own delays, see Timings):
//
//	Deployments   CreateDeployment, CreateDeploymentSpec, ScaleDeployment,
//	              UpdateDeployment (template -> rollout), SetImage,
//	              SetDeploymentStrategy, RolloutRestart, RolloutUndo,
//	              DeleteDeployment, DeploymentStatus, Deployment(s)
//	ReplicaSets   CreateReplicaSet, ScaleReplicaSet, DeleteReplicaSet, ReplicaSet(s)
//	DaemonSets    CreateDaemonSet, UpdateDaemonSet, DeleteDaemonSet, DaemonSet(s)
//	Pods          CreatePod, DeletePod, DeletePodGrace, SetPodLabels (release /
//	              adoption), SetPodAnnotations, Pod(s), PendingPods; owners via
//	              Pod.Owner, Pod.ReplicaSet, Pod.DaemonSet, ReplicaSet.Deployment
//	Namespaces    CreateNamespace, DeleteNamespace, Namespace(s); every
//	              namespaced kind has NAME lookups in default and NameIn(ns,
//	              name) ones (PodIn, ServiceIn, ...); ResolveService is
//	              cluster DNS (namespace.go)
//	Metadata      ObjectMeta in every kind; SetLabels, SetAnnotations (meta.go)
//	Nodes         AddNode, RemoveNode, RebootNode, StopNode, StartNode, Cordon,
//	              Uncordon, Drain, TaintNode, UntaintNode, SetNodeLabels, Node(s)
//
// Errors name the object and the field, as the API server or kubectl would.
type Cluster struct {
	E   *sim.Engine
	Cfg Config

	nodes      []*Node
	nodeByName map[string]*Node
	pods       []*Pod
	// podLocs is where each pod runs, by pod ID: its node (p.node) and
	// whether its container runs (p.Running && !p.Gone); nodesUp is each
	// node's Up, by seq; nodesRemoved counts RemoveNode calls. The request
	// path reads them without loading the pod or its node (PickEndpoint,
	// EndpointState).
	podLocs      []podLoc
	nodesUp      []bool
	nodesRemoved int
	podNames     podNameIndex
	podSlab      []Pod  // where new pods are allocated (newPod)
	strs         []byte // where pods' names and UIDs are written (keepString)
	services     []*Service
	svcByName    map[nsName]*Service
	// apiSvc is the API server's kubernetes Service (apiservice.go), nil
	// while deleted; apiSvcGen counts its creations.
	apiSvc      *Service
	apiSvcGen   int
	nodePorts   map[int]*Service // allocated node ports
	deployments []*Deployment
	deployByNm  map[nsName]*Deployment
	replicasets []*ReplicaSet
	rsByName    map[nsName]*ReplicaSet
	daemonsets  []*DaemonSet
	dsByName    map[nsName]*DaemonSet
	namespaces  []*Namespace
	nsByName    map[string]*Namespace
	pdbs        []*PodDisruptionBudget
	configMaps  []*ConfigMap

	nameRand  *rand.Rand
	lbRand    *rand.PCG
	ep        endpointsPath
	schedRand *rand.Rand

	uidRand *rand.Rand
	// defaultTolSecs is the tolerationSeconds every pod's default
	// not-ready/unreachable tolerations point to.
	defaultTolSecs *int64
	hbRand         *rand.Rand
	metaRand       *rand.Rand // object UIDs
	rv             int64      // the write counter behind resource versions

	d     dists
	sched schedulerState
	// rsClient and dsClient are the ReplicaSet and DaemonSet controllers'
	// API clients (their rate limits).
	rsClient, dsClient apiClient
	nlc                nodeLifecycleState
	// observers follow the cluster (Observe); nodeAdded is when each node
	// name was first added.
	observers []Observer
	// listening and podIP are the workload layer's and kubectl's answers
	// for the probes (SetListening, SetPodIPs).
	listening func(p *Pod) bool
	podIP     func(p *Pod) string
	probeReqs ProbeRequests
	nodeAdded map[string]sim.Time
	// events receives the cluster's Events (events.go); nil: none are built.
	events EventSink
	// addons are the controllers that keep objects of kinds the model does
	// not (SetAddon), by key.
	addons map[string]any
}

type dists struct {
	controllerSync, scheduling, imagePull, containerStart, endpointProp sim.Dist
	apiCall                                                             sim.Dist
}

// NewCluster returns an empty cluster on engine e.
func NewCluster(e *sim.Engine, cfg Config) *Cluster {
	cfg.Timings = cfg.Timings.withDefaults()
	if cfg.Start.IsZero() {
		cfg.Start = DefaultStart
	}
	c := &Cluster{
		E: e, Cfg: cfg,
		nodeByName: map[string]*Node{}, podNames: podNameIndex{ids: map[uint64]int32{}},
		svcByName: map[nsName]*Service{}, deployByNm: map[nsName]*Deployment{},
		rsByName: map[nsName]*ReplicaSet{}, dsByName: map[nsName]*DaemonSet{},
		nsByName:  map[string]*Namespace{},
		nameRand:  e.Stream("names"),
		schedRand: e.Stream("scheduler"),
		lbRand:    sim.NewStreamPCG(e.Seed(), "kube-proxy"),
		uidRand:   e.Stream("pod-uid"),
		hbRand:    e.Stream("node-heartbeat"),
		metaRand:  e.Stream("object-uid"),
		nodeAdded: map[string]sim.Time{},
	}
	c.sched.c = c
	bind := func(name string, s sim.DistSpec) sim.Dist { return e.Dist("dist/"+name, s) }
	t := cfg.Timings
	c.d = dists{
		controllerSync: bind("controller-sync", t.ControllerSync),
		scheduling:     bind("scheduling", t.Scheduling),
		imagePull:      bind("image-pull", t.ImagePull),
		containerStart: bind("container-start", t.ContainerStart),
		endpointProp:   bind("endpoint-propagation", t.EndpointPropagation),
		apiCall:        bind("api-call", t.APICall),
	}
	c.rsClient = newAPIClient(t.KubeAPIQPS, t.KubeAPIBurst)
	c.dsClient = newAPIClient(t.KubeAPIQPS, t.KubeAPIBurst)
	c.initEndpoints()
	c.initNamespaces()
	c.createAPIServerService()
	return c
}

// Now is the simulated time.
func (c *Cluster) Now() sim.Time { return c.E.Now() }

// WallClock is the wall-clock time of simulated time t (Config.Start + t), in UTC.
func (c *Cluster) WallClock(t sim.Time) time.Time { return c.Cfg.Start.UTC().Add(t) }

// Nodes returns every node that has not been removed, in creation order.
func (c *Cluster) Nodes() []*Node {
	out := make([]*Node, 0, len(c.nodes))
	for _, n := range c.nodes {
		if !n.Removed {
			out = append(out, n)
		}
	}
	return out
}

// NodeSlots is the number of nodes ever added: NodeAt's indexes, removed
// nodes included.
func (c *Cluster) NodeSlots() int { return len(c.nodes) }

// NodeAt is the i-th node ever added (0 <= i < NodeSlots), removed or not,
// without allocating as Nodes does.
func (c *Cluster) NodeAt(i int) *Node { return c.nodes[i] }

// Node returns the node named name, or nil.
func (c *Cluster) Node(name string) *Node {
	n := c.nodeByName[name]
	if n == nil || n.Removed {
		return nil
	}
	return n
}

// Pods returns every pod that exists (not gone), in creation order.
func (c *Cluster) Pods() []*Pod {
	out := make([]*Pod, 0, len(c.pods))
	for _, p := range c.pods {
		if !p.Gone {
			out = append(out, p)
		}
	}
	return out
}

// AllPods returns every pod ever created, gone or not, indexed by Pod.ID.
func (c *Cluster) AllPods() []*Pod { return c.pods }

// Pod returns the existing pod named name in the default namespace, or nil.
func (c *Cluster) Pod(name string) *Pod { return c.PodIn(DefaultNamespace, name) }

// PodIn returns the existing pod named name in namespace ns, or nil.
func (c *Cluster) PodIn(ns, name string) *Pod {
	p := c.podNames.get(c.pods, ns, name)
	if p == nil || p.Gone {
		return nil
	}
	return p
}

// Services returns the Services that exist, in creation order.
func (c *Cluster) Services() []*Service {
	out := make([]*Service, 0, len(c.services))
	for _, s := range c.services {
		if !s.Deleted {
			out = append(out, s)
		}
	}
	return out
}

// Service returns the Service named name in the default namespace, or nil.
func (c *Cluster) Service(name string) *Service { return c.ServiceIn(DefaultNamespace, name) }

// ServiceIn returns the Service named name in namespace ns, or nil.
func (c *Cluster) ServiceIn(ns, name string) *Service {
	s := c.svcByName[nsName{ns, name}]
	if s == nil || s.Deleted {
		return nil
	}
	return s
}

// randSuffix returns a suffix in Kubernetes' generateName alphabet.
func (c *Cluster) randSuffix(n int) string {
	return string(c.appendRandSuffix(nil, n))
}

// appendRandSuffix appends n random characters of the generateName alphabet.
func (c *Cluster) appendRandSuffix(b []byte, n int) []byte {
	for range n {
		b = append(b, nameAlphabet[c.nameRand.IntN(len(nameAlphabet))])
	}
	return b
}

// CreatePod creates a pod object as `kubectl run` or apply would; the scheduler
// places it (or, with spec.nodeName set, the kubelet of that node runs it). name
// may end in "-" to have a random suffix generated (generateName). owner must be
// nil: pods get an owner only from a controller (a matching orphan is adopted).
func (c *Cluster) CreatePod(name string, labels map[string]string, spec PodSpec, owner *OwnerRef) (*Pod, error) {
	return c.CreatePodIn(DefaultNamespace, name, labels, spec, owner)
}

// CreatePodIn is CreatePod in namespace ns, which must exist and not be
// terminating.
func (c *Cluster) CreatePodIn(ns, name string, labels map[string]string, spec PodSpec, owner *OwnerRef) (*Pod, error) {
	if err := c.canCreateIn(ns); err != nil {
		return nil, err
	}
	if owner != nil {
		return nil, fmt.Errorf("pod %q: ownerReferences are set by controllers; create the pod without an owner and a matching ReplicaSet or DaemonSet adopts it", name)
	}
	if name == "" {
		return nil, fmt.Errorf("pod: a name is required")
	}
	if len(name) > 0 && name[len(name)-1] != '-' && c.PodIn(ns, name) != nil {
		return nil, fmt.Errorf("pods %q already exists", name)
	}
	if spec.Image == "" {
		return nil, fmt.Errorf("pod %q: spec.containers[0].image: Required value", name)
	}
	p := c.newPod(ns, name, c.newPodShared(ns, labels, nil, spec, nil), nil, nil)
	c.offerOrphan(p)
	return p, nil
}

// maxGeneratedNameLength is the longest prefix generateName keeps
// (apiserver's SimpleNameGenerator: 63 - 5 random characters).
const maxGeneratedNameLength = 58

// podShared is the part of a pod object that the pods a controller creates
// share: labels, annotations, spec (with the API server's defaults and
// admission's tolerations) and ownerReference. Nothing changes these in place
// (SetPodLabels and SetPodAnnotations replace a pod's maps; a controller's
// template is replaced, never edited), so one copy serves every pod of a
// ReplicaSet: a pod costs no map or slice of its own.
type podShared struct {
	labels, ixLabels, annotations map[string]string
	spec                          PodSpec
	owner                         *OwnerRef
	// The configuration it was made with (cached copies are remade if it
	// changes).
	grace   sim.Time
	tolSecs time.Duration
}

// newPodShared makes the shared part of pods of namespace ns from a template:
// copies of the maps and the spec, spec.terminationGracePeriodSeconds
// defaulted, and the DefaultTolerationSeconds admission plugin applied.
func (c *Cluster) newPodShared(ns string, labels, annotations map[string]string, spec PodSpec, owner *OwnerRef) *podShared {
	if spec.GracePeriod == 0 {
		spec.GracePeriod = c.Cfg.Timings.GracePeriod
	}
	spec = spec.clone()
	c.addDefaultTolerations(&spec)
	l := copyLabels(labels)
	if l == nil {
		l = map[string]string{}
	}
	return &podShared{labels: l, ixLabels: indexLabels(ns, l), annotations: copyLabels(annotations),
		spec: spec, owner: owner, grace: c.Cfg.Timings.GracePeriod, tolSecs: c.Cfg.Timings.DefaultTolerationSeconds}
}

// podSharedOf is rs's shared pod data, made at its first pod.
func (c *Cluster) podSharedOf(rs *ReplicaSet) *podShared {
	if sh := rs.podShared; sh != nil && sh.grace == c.Cfg.Timings.GracePeriod && sh.tolSecs == c.Cfg.Timings.DefaultTolerationSeconds {
		return sh
	}
	t := rs.Template
	rs.podShared = c.newPodShared(rs.Namespace, t.Labels, t.Annotations, t.Spec, &OwnerRef{Kind: "ReplicaSet", Name: rs.Name})
	rs.podNamePrefix = rs.Name + "-"
	return rs.podShared
}

// generateNamePrefix is the prefix generateName keeps: the API server cuts
// it to 58 characters so that with 5 random ones the name fits 63.
func generateNamePrefix(name string) string {
	if len(name) > maxGeneratedNameLength {
		return name[:maxGeneratedNameLength]
	}
	return name
}

// newPod creates the pod object, owned by rs or ds if set, from sh (its
// labels, annotations, spec and owner, shared): the store, then the
// scheduler queue. A name ending in "-" gets a random suffix (generateName).
func (c *Cluster) newPod(ns, name string, sh *podShared, rs *ReplicaSet, ds *DaemonSet) *Pod {
	if name[len(name)-1] == '-' {
		name = generateNamePrefix(name)
		var buf [maxGeneratedNameLength + 5]byte
		for {
			b := append(buf[:0], name...)
			b = c.appendRandSuffix(b, 5)
			if q := c.podNames.get(c.pods, ns, unsafe.String(&b[0], len(b))); q == nil || q.Gone {
				name = c.keepString(b)
				break
			}
		}
	}
	p := c.allocPod()
	p.ID, p.ObjectMeta = len(c.pods), c.newMeta(name, ns, nil, nil)
	p.Spec, p.Phase, p.uid = sh.spec, PodPending, c.uidRand.Uint64()
	p.Labels, p.Annotations, p.ixLabels, p.Owner = sh.labels, sh.annotations, sh.ixLabels, sh.owner
	switch {
	case rs != nil:
		p.rs = rs
		rs.pods = append(rs.pods, p)
	case ds != nil:
		p.ds = ds
		ds.pods = append(ds.pods, p)
	}
	c.pods = append(c.pods, p)
	c.podNames.add(c.pods, p)
	c.podChanged(p)
	c.enqueuePod(p)
	return p
}

// addDefaultTolerations is the DefaultTolerationSeconds admission plugin: a pod
// that does not tolerate the not-ready / unreachable NoExecute taints gets
// tolerations for them with tolerationSeconds 300.
// The tolerations' seconds are one value shared by every pod (tolerations are
// never changed in place), and the slice grows once: a pod costs one
// allocation here.
func (c *Cluster) addDefaultTolerations(s *PodSpec) {
	var missing [2]string
	n := 0
	for _, key := range []string{TaintNotReady, TaintUnreachable} {
		if !tolerates(s.Tolerations, Taint{Key: key, Effect: NoExecute}) {
			missing[n] = key
			n++
		}
	}
	if n == 0 {
		return
	}
	secs := int64(c.Cfg.Timings.DefaultTolerationSeconds / time.Second)
	if c.defaultTolSecs == nil || *c.defaultTolSecs != secs {
		c.defaultTolSecs = Seconds(secs)
	}
	if cap(s.Tolerations)-len(s.Tolerations) < n {
		s.Tolerations = append(make([]Toleration, 0, len(s.Tolerations)+n), s.Tolerations...)
	}
	for _, key := range missing[:n] {
		s.Tolerations = append(s.Tolerations, Toleration{Key: key, Operator: "Exists", Effect: NoExecute, Seconds: c.defaultTolSecs})
	}
}

// podChanged tells the endpoint machinery, the controllers and observers that p
// changed (labels, Ready, IP, phase, termination).
func (c *Cluster) podChanged(p *Pod) {
	recount(p)
	countPod(p, c.Now())
	c.syncPodEndpoints(p)
	c.notifyOwner(p)
	for _, o := range c.observers {
		o.PodChanged(p)
	}
}

// recount keeps ReplicaSet.onNode, the per-node count of the ReplicaSet's
// bound, non-terminating pods (the scheduler's PodsWithOwnerRef), in step with
// the pod.
func recount(p *Pod) {
	if rs := p.countedIn; rs != nil {
		rs.onNode[p.node.seq]-- // a pod's node never changes once bound
		p.countedIn = nil
	}
	if rs, n := p.rs, p.node; rs != nil && n != nil && !p.Terminating && !p.Gone {
		if len(rs.onNode) <= n.seq {
			rs.onNode = append(rs.onNode, make([]int32, n.seq+1-len(rs.onNode))...)
		}
		rs.onNode[n.seq]++
		p.countedIn = rs
	}
}

// notifyOwner queues a sync of the pod's controller (and of the Deployment above
// a ReplicaSet), as their pod informers do.
func (c *Cluster) notifyOwner(p *Pod) {
	switch {
	case p.rs != nil:
		c.enqueueReplicaSet(p.rs)
		if p.rs.deploy != nil {
			c.enqueueDeployment(p.rs.deploy)
		}
	case p.ds != nil:
		c.daemonPodChanged(p)
	}
}

// SetPodLabels replaces the pod's labels (kubectl label). A pod whose labels stop
// matching its controller's selector is released at the controller's next sync
// and keeps running as an orphan; an orphan that matches a controller is adopted.
func (c *Cluster) SetPodLabels(p *Pod, labels map[string]string) {
	if p.Gone {
		return
	}
	p.Labels = copyLabels(labels)
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	p.ixLabels = indexLabels(p.Namespace, p.Labels)
	c.touch(&p.ObjectMeta)
	c.podChanged(p)
	switch {
	case p.rs != nil:
		p.rs.relabelled = append(p.rs.relabelled, p)
	case p.ds != nil:
		p.ds.relabelled = append(p.ds.relabelled, p)
	default:
		c.offerOrphan(p)
	}
}

// SetPodAnnotations replaces the pod's annotations (kubectl annotate), e.g. the
// pod-deletion-cost.
func (c *Cluster) SetPodAnnotations(p *Pod, annotations map[string]string) {
	p.Annotations = copyLabels(annotations)
	c.touch(&p.ObjectMeta)
}

// offerOrphan queues p for adoption by every controller whose selector matches
// it; the first to sync claims it.
func (c *Cluster) offerOrphan(p *Pod) {
	if p.Owner != nil || p.Gone || p.Terminating {
		return
	}
	for _, rs := range c.replicasets {
		if !rs.Deleted && rs.Namespace == p.Namespace && rs.Selector.MatchesMap(p.Labels) {
			rs.adoptQ = append(rs.adoptQ, p)
			c.enqueueReplicaSet(rs)
		}
	}
	for _, ds := range c.daemonsets {
		if !ds.Deleted && ds.Namespace == p.Namespace && ds.Selector.MatchesMap(p.Labels) {
			ds.adoptQ = append(ds.adoptQ, p)
			c.enqueueDaemonSet(ds)
		}
	}
}

// DeletePod starts graceful termination of p with its own grace period
// (kubectl delete pod).
func (c *Cluster) DeletePod(p *Pod) { c.DeletePodGrace(p, -1) }

// DeletePodGrace deletes p with the given grace period (negative: the pod's
// terminationGracePeriodSeconds; 0: kubectl delete --grace-period=0 --force,
// the object is removed at once even if its node is down). The pod becomes a
// terminating endpoint; after the grace period its container is killed and it
// is gone. Every container serves until it is killed: the model tells its
// behaviour nothing at SIGTERM (as DockerCoins' services, PID 1 without a
// handler, ignore it; a server that drains on SIGTERM is not modelled). A pod whose node is down stays Terminating until the
// node comes back or is removed, as the kubelet must confirm the deletion.
func (c *Cluster) DeletePodGrace(p *Pod, grace sim.Time) {
	if p.Gone {
		return
	}
	if p.Terminating {
		if grace == 0 {
			c.removePod(p) // a forced delete of a pod stuck Terminating
		}
		return
	}
	if grace < 0 {
		grace = p.Spec.GracePeriod
	}
	p.Terminating = true
	p.DeletedAt = c.Now()
	at := p.DeletedAt
	p.DeletionTimestamp = &at
	if t := p.later; t != nil {
		c.E.Cancel(t.evictTimer) // the eviction stays recorded as scheduled
	}
	n := p.node
	switch {
	case n == nil || grace == 0:
		c.removePod(p) // never scheduled, or forced: deleted at once
		return
	case !n.Up:
		p.timers().deleteGrace = grace
		c.podChanged(p) // the kubelet will finish it when the node returns
		return
	case !p.Running:
		c.removePod(p)
		return
	}
	c.eventKilling(p)
	p.timers().deleteGrace = grace
	c.podChanged(p)
	p.timers().graceTimer = c.E.After(grace, sim.HandlerFunc(func(*sim.Engine, int64) { c.removePod(p) }), 0)
}

// removePod makes p gone at once: its container stops (requests it holds fail),
// it leaves its node, its controller and every endpoint.
func (c *Cluster) removePod(p *Pod) {
	if p.Gone {
		return
	}
	c.stopContainer(p)
	if t := p.later; t != nil {
		c.E.Cancel(t.evictTimer)
		c.E.Cancel(t.graceTimer)
	}
	p.Gone, p.Terminating, p.Ready, p.HasIP = true, true, false, false
	c.setPodLoc(p)
	p.GoneAt = c.Now()
	if p.DeletedAt == 0 {
		p.DeletedAt = c.Now()
	}
	if n := p.node; n != nil {
		for i, q := range n.pods {
			if q == p {
				n.pods = append(n.pods[:i], n.pods[i+1:]...)
				break
			}
		}
		n.req = n.req.Sub(p.effectiveRequests())
		n.nonzero = n.nonzero.Sub(p.nonzeroRequests())
		c.nodeChanged(n)
	}
	c.podChanged(p)
	if ns := c.nsByName[p.Namespace]; ns != nil && ns.Phase == NamespaceTerminating {
		defer c.finalizeNamespace(ns)
	}
	switch {
	case p.rs != nil:
		p.rs.pods = removePodFrom(p.rs.pods, p)
	case p.ds != nil:
		p.ds.pods = removePodFrom(p.ds.pods, p)
	}
	// Capacity was freed: pods waiting for it are tried again.
	if p.node != nil {
		c.schedEvent(evPodDeleted)
	}
}

func removePodFrom(ps []*Pod, p *Pod) []*Pod {
	for i, q := range ps {
		if q == p {
			copy(ps[i:], ps[i+1:])
			ps[len(ps)-1] = nil
			return ps[:len(ps)-1]
		}
	}
	return ps
}

// Deployments returns the Deployments that exist, in creation order.
func (c *Cluster) Deployments() []*Deployment {
	out := []*Deployment{}
	for _, d := range c.deployments {
		if !d.Deleted {
			out = append(out, d)
		}
	}
	return out
}

// Deployment returns the Deployment named name in the default namespace, or nil.
func (c *Cluster) Deployment(name string) *Deployment {
	return c.DeploymentIn(DefaultNamespace, name)
}

// DeploymentIn returns the Deployment named name in namespace ns, or nil.
func (c *Cluster) DeploymentIn(ns, name string) *Deployment {
	d := c.deployByNm[nsName{ns, name}]
	if d == nil || d.Deleted {
		return nil
	}
	return d
}

// PodsPerNode lists the live pods bound to each node, sorted, for reports.
func (c *Cluster) PodsPerNode() map[string][]string {
	out := map[string][]string{}
	for _, n := range c.Nodes() {
		names := []string{}
		for _, p := range n.pods {
			if !p.Gone {
				names = append(names, p.Name)
			}
		}
		sort.Strings(names)
		out[n.Name] = names
	}
	return out
}

// The scheduler's fields of a Node stay in its first 128 bytes (images' pointer
// and length: its capacity may be past them), and a Node in the 384-byte size
// class (see Node).
var _ [128 - unsafe.Offsetof(Node{}.images) - 16]byte
var _ [384 - unsafe.Sizeof(Node{})]byte
var _ [unsafe.Sizeof(Node{}) - 353]byte

package model

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/kubesim/kubesim/sim"
)

// Node is a cluster node.
type Node struct {
	Name          string
	Labels        map[string]string
	Taints        []Taint
	Capacity      Resources
	Unschedulable bool
	// Up is false while the machine is down (removed or rebooting).
	Up bool
	// Ready is the node's Ready condition as the control plane sees it.
	Ready bool
	// Removed is true once the node object is deleted.
	Removed bool

	images map[string]bool // images pulled on this node
	pods   []*Pod          // pods bound here, in binding order
}

// Pods returns the pods bound to the node that are not gone, in binding order.
func (n *Node) Pods() []*Pod { return n.pods }

// Allocated is the sum of the requests of the pods bound to the node.
func (n *Node) Allocated() Resources {
	var r Resources
	for _, p := range n.pods {
		r = r.Add(p.effectiveRequests())
	}
	return r
}

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
	ID        int
	Name      string
	Namespace string
	Labels    map[string]string
	Owner     *OwnerRef
	Spec      PodSpec
	NodeName  string
	Phase     PodPhase
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

	Created    sim.Time
	Scheduled  sim.Time
	Started    sim.Time
	ReadyAt    sim.Time
	DeletedAt  sim.Time
	Restarts   int
	generation int // bumped on every container (re)start, to invalidate old timers

	app app // the workload model running in the pod's container, if any
}

func (p *Pod) effectiveRequests() Resources {
	r := p.Spec.Requests
	r.Pods = 1
	return r
}

// Service is a v1 Service with a map selector. A nil selector selects no pods.
type Service struct {
	ID       int
	Name     string
	Selector map[string]string
	Port     int
	Deleted  bool

	proxy proxyTable
}

// Cluster is the simulated cluster: the API objects, the controllers acting on
// them, and the data path between pods. All of it runs on one sim.Engine.
type Cluster struct {
	E   *sim.Engine
	Cfg Config
	Rec *Recorder

	nodes       []*Node
	nodeByName  map[string]*Node
	pods        []*Pod
	podByName   map[string]*Pod
	services    []*Service
	svcByName   map[string]*Service
	deployments []*Deployment
	deployByNm  map[string]*Deployment

	nameRand  *rand.Rand
	lbRand    *rand.Rand
	freeReqs  *request
	dataPath  // the lead's data-path state (net.go)
	schedRand *rand.Rand

	d            dists
	schedPending bool
	// Observers are told about pod changes (for measurements).
	podObservers []func(p *Pod)
}

type dists struct {
	controllerSync, scheduling, imagePull, containerStart, endpointProp sim.Dist
	sameNode, crossNode                                                 sim.Dist
	workerSleep, rng, rngRoot, hasher, redis                            sim.Dist
}

// NewCluster returns an empty cluster on engine e.
func NewCluster(e *sim.Engine, cfg Config) *Cluster {
	c := &Cluster{
		E: e, Cfg: cfg,
		nodeByName: map[string]*Node{}, podByName: map[string]*Pod{},
		svcByName: map[string]*Service{}, deployByNm: map[string]*Deployment{},
		nameRand:  e.Stream("names"),
		schedRand: e.Stream("scheduler"),
		lbRand:    e.Stream("kube-proxy"),
	}
	bind := func(name string, s sim.DistSpec) sim.Dist { return s.New(e.Stream("dist/" + name)) }
	t, n, w := cfg.Timings, cfg.Network, cfg.Workload
	c.d = dists{
		controllerSync: bind("controller-sync", t.ControllerSync),
		scheduling:     bind("scheduling", t.Scheduling),
		imagePull:      bind("image-pull", t.ImagePull),
		containerStart: bind("container-start", t.ContainerStart),
		endpointProp:   bind("endpoint-propagation", t.EndpointPropagation),
		sameNode:       bind("net-same-node", n.SameNode),
		crossNode:      bind("net-cross-node", n.CrossNode),
		workerSleep:    bind("worker-sleep", w.WorkerSleep),
		rng:            bind("rng", w.RNGService),
		rngRoot:        bind("rng-root", w.RNGRootService),
		hasher:         bind("hasher", w.HasherService),
		redis:          bind("redis", w.RedisService),
	}
	c.Rec = newRecorder(c)
	return c
}

// Now is the simulated time.
func (c *Cluster) Now() sim.Time { return c.E.Now() }

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

// Pod returns the existing pod named name, or nil.
func (c *Cluster) Pod(name string) *Pod {
	p := c.podByName[name]
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

// Service returns the Service named name, or nil.
func (c *Cluster) Service(name string) *Service {
	s := c.svcByName[name]
	if s == nil || s.Deleted {
		return nil
	}
	return s
}

// AddNode adds a ready node. Its hostname label is set.
func (c *Cluster) AddNode(name string, labels map[string]string, taints []Taint, capacity Resources) (*Node, error) {
	if c.Node(name) != nil {
		return nil, fmt.Errorf("nodes %q already exists", name)
	}
	l := copyLabels(labels)
	if l == nil {
		l = map[string]string{}
	}
	l[LabelHostname] = name
	if capacity.Pods == 0 {
		capacity.Pods = 110
	}
	n := &Node{Name: name, Labels: l, Taints: append([]Taint(nil), taints...), Capacity: capacity,
		Up: true, Ready: true, images: map[string]bool{}}
	for i := range n.Taints {
		n.Taints[i].Added = c.Now()
	}
	c.nodes = append(c.nodes, n)
	c.nodeByName[name] = n
	c.Rec.nodeChanged(n)
	c.kickScheduler()
	return n, nil
}

// randSuffix returns a suffix in Kubernetes' generateName alphabet.
func (c *Cluster) randSuffix(n int) string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[c.nameRand.IntN(len(alphabet))]
	}
	return string(b)
}

// CreatePod creates a pod object; the scheduler places it. name may end in "-" to
// have a random suffix generated.
func (c *Cluster) CreatePod(name string, labels map[string]string, spec PodSpec, owner *OwnerRef) (*Pod, error) {
	if len(name) > 0 && name[len(name)-1] == '-' {
		for {
			cand := name + c.randSuffix(5)
			if c.podByName[cand] == nil {
				name = cand
				break
			}
		}
	} else if c.Pod(name) != nil {
		return nil, fmt.Errorf("pods %q already exists", name)
	}
	if spec.GracePeriod == 0 {
		spec.GracePeriod = c.Cfg.Timings.GracePeriod
	}
	p := &Pod{ID: len(c.pods), Name: name, Namespace: "default", Labels: copyLabels(labels), Owner: owner,
		Spec: spec, Phase: PodPending, Created: c.Now()}
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	c.pods = append(c.pods, p)
	c.podByName[name] = p
	c.podChanged(p)
	c.kickScheduler()
	return p, nil
}

// podChanged tells the endpoint machinery and observers that p changed.
func (c *Cluster) podChanged(p *Pod) {
	for _, s := range c.services {
		if !s.Deleted {
			c.syncEndpoint(s, p)
		}
	}
	for _, f := range c.podObservers {
		f(p)
	}
}

// SetPodLabels replaces the pod's labels.
func (c *Cluster) SetPodLabels(p *Pod, labels map[string]string) {
	p.Labels = copyLabels(labels)
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	c.podChanged(p)
	c.controllersPodRelabelled(p)
}

// DeletePod starts graceful termination of p: the pod becomes a terminating
// endpoint, and after its grace period its container is killed and it is gone.
// The workload models of DockerCoins ignore SIGTERM (they run as PID 1 without a
// handler), so they keep serving until killed.
func (c *Cluster) DeletePod(p *Pod) {
	if p.Gone || p.Terminating {
		return
	}
	p.Terminating = true
	p.DeletedAt = c.Now()
	if !p.Running || p.NodeName == "" {
		c.removePod(p)
		return
	}
	c.podChanged(p)
	c.controllersPodDeleted(p)
	c.E.After(p.Spec.GracePeriod, sim.HandlerFunc(func(*sim.Engine, int64) { c.removePod(p) }), 0)
}

// removePod makes p gone at once: its container stops (requests it holds fail),
// it leaves its node and every endpoint.
func (c *Cluster) removePod(p *Pod) {
	if p.Gone {
		return
	}
	wasTerminating := p.Terminating && p.DeletedAt < c.Now()
	c.stopContainer(p)
	p.Gone, p.Terminating, p.Ready, p.HasIP = true, true, false, false
	if p.DeletedAt == 0 {
		p.DeletedAt = c.Now()
	}
	if n := c.nodeByName[p.NodeName]; n != nil {
		for i, q := range n.pods {
			if q == p {
				n.pods = append(n.pods[:i], n.pods[i+1:]...)
				break
			}
		}
	}
	c.podChanged(p)
	if !wasTerminating {
		c.controllersPodDeleted(p)
	}
	c.kickScheduler()
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

// Deployment returns the Deployment named name, or nil.
func (c *Cluster) Deployment(name string) *Deployment {
	d := c.deployByNm[name]
	if d == nil || d.Deleted {
		return nil
	}
	return d
}

// podsOnNode counts the live pods bound to each node, for reports.
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

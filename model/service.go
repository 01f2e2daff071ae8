package model

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/model/endpoints"
	"github.com/kubesim/kubesim/model/kubeproxy"
	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/sim"
)

// ServiceMeta is the part of a Service object the data path does not use, kept
// so that kubectl steps see the object they created.
type ServiceMeta struct {
	Type string // ClusterIP (default), NodePort, LoadBalancer
	// Ports are the Service's ports, in spec order (Service.Port is the first
	// one's port). Connections in kubesim go to the Service, whatever the
	// port: the ports decide what kubectl shows, and node ports are allocated.
	Ports           []ServicePort
	SessionAffinity string // None or ClientIP
	// SessionAffinityTimeout is sessionAffinityConfig.clientIP.timeoutSeconds
	// with ClientIP (10800 s when not given), 0 without.
	SessionAffinityTimeout sim.Time
}

// ServicePort is one port of a Service.
type ServicePort struct {
	Name     string
	Protocol string // TCP (default), UDP or SCTP
	Port     int
	// TargetPort is a port number or the name of a container port ("" is Port).
	TargetPort string
	// NodePort is the port on every node for a NodePort or LoadBalancer
	// Service: given, or allocated from NodePortMin-NodePortMax.
	NodePort int
}

// Target returns the port's targetPort as given, Port when unset.
func (p ServicePort) Target() string {
	if p.TargetPort == "" {
		return strconv.Itoa(p.Port)
	}
	return p.TargetPort
}

// The API server's default --service-node-port-range.
const (
	NodePortMin = 30000
	NodePortMax = 32767
)

// FieldErrors are the API server's field errors for an object, in field order.
type FieldErrors []string

func (e FieldErrors) Error() string {
	if len(e) == 1 {
		return e[0]
	}
	return "\n* " + strings.Join(e, "\n* ")
}

func needsNodePorts(typ string) bool { return typ == "NodePort" || typ == "LoadBalancer" }

// SetServicePorts sets the Service's type and ports as the API server stores
// them. For a NodePort or LoadBalancer Service a given node port must be in
// the range and not used by another Service; a port without one keeps the
// node port it had (matched by port number and protocol) or gets a free one.
// A ClusterIP Service may not set node ports, and releases those it had. On
// error nothing changes; the error is FieldErrors with the API server's
// words.
func (c *Cluster) SetServicePorts(s *Service, typ string, ports []ServicePort) error {
	if typ == "" {
		typ = "ClusterIP"
	}
	ports, err := c.servicePorts(s, typ, ports)
	if err != nil {
		return err
	}
	if c.nodePorts == nil {
		c.nodePorts = map[int]*Service{}
	}
	for _, old := range s.Ports {
		if old.NodePort != 0 && c.nodePorts[old.NodePort] == s {
			delete(c.nodePorts, old.NodePort)
		}
	}
	for _, p := range ports {
		if p.NodePort != 0 {
			c.nodePorts[p.NodePort] = s
		}
	}
	s.Type, s.Ports = typ, ports
	s.Port = 0
	if len(ports) > 0 {
		s.Port = ports[0].Port
	}
	c.serviceSynced(s, false)
	return nil
}

// CheckServicePorts reports what SetServicePorts would refuse for a new
// Service of that name, without changing anything.
func (c *Cluster) CheckServicePorts(name, typ string, ports []ServicePort) error {
	if typ == "" {
		typ = "ClusterIP"
	}
	_, err := c.servicePorts(&Service{ObjectMeta: ObjectMeta{Name: name}}, typ, ports)
	return err
}

// servicePorts checks ports for s and fills in their node ports.
func (c *Cluster) servicePorts(s *Service, typ string, ports []ServicePort) ([]ServicePort, error) {
	ports = append([]ServicePort(nil), ports...)
	if !needsNodePorts(typ) && needsNodePorts(s.Type) {
		// A type change that leaves the node ports as they were drops them
		// (the API server's dropTypeDependentFields), so that a patch or
		// edit of the type alone succeeds.
		same := true
		for _, p := range ports {
			if p.NodePort != 0 && (c.nodePorts[p.NodePort] != s) {
				same = false
			}
		}
		if same {
			for i := range ports {
				ports[i].NodePort = 0
			}
		}
	}
	var errs FieldErrors
	mine := map[int]bool{} // node ports claimed by this update
	for i := range ports {
		p := &ports[i]
		if p.Protocol == "" {
			p.Protocol = "TCP"
		}
		f := fmt.Sprintf("spec.ports[%d].nodePort", i)
		if p.NodePort == 0 {
			continue
		}
		switch {
		case !needsNodePorts(typ):
			errs = append(errs, fmt.Sprintf("%s: Forbidden: may not be used when `type` is '%s'", f, typ))
		case p.NodePort < NodePortMin || p.NodePort > NodePortMax:
			errs = append(errs, fmt.Sprintf("%s: Invalid value: %d: provided port is not in the valid range. The range of valid ports is %d-%d", f, p.NodePort, NodePortMin, NodePortMax))
		case c.nodePorts[p.NodePort] != nil && c.nodePorts[p.NodePort] != s, mine[p.NodePort]:
			errs = append(errs, fmt.Sprintf("%s: Invalid value: %d: provided port is already allocated", f, p.NodePort))
		default:
			mine[p.NodePort] = true
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if needsNodePorts(typ) {
		for i := range ports {
			p := &ports[i]
			if p.NodePort != 0 {
				continue
			}
			for _, old := range s.Ports {
				if old.NodePort != 0 && old.Port == p.Port && old.Protocol == p.Protocol && !mine[old.NodePort] {
					p.NodePort = old.NodePort
					break
				}
			}
			if p.NodePort == 0 {
				p.NodePort = c.freeNodePort(s, mine)
				if p.NodePort == 0 {
					return nil, FieldErrors{fmt.Sprintf("spec.ports[%d].nodePort: Internal error: range is full", i)}
				}
			}
			mine[p.NodePort] = true
		}
	}
	return ports, nil
}

// freeNodePort picks a free node port for s. The API server picks one at
// random; kubesim starts from a port derived from the Service's name and takes
// the next free one, so that runs are reproducible and independent of other
// random draws.
func (c *Cluster) freeNodePort(s *Service, taken map[int]bool) int {
	h := fnv.New32a()
	h.Write([]byte(s.Name))
	size := NodePortMax - NodePortMin + 1
	start := int(h.Sum32() % uint32(size))
	for i := 0; i < size; i++ {
		p := NodePortMin + (start+i)%size
		if !taken[p] && (c.nodePorts[p] == nil || c.nodePorts[p] == s) {
			return p
		}
	}
	return 0
}

// EndpointConditions are an EndpointSlice endpoint's conditions.
type EndpointConditions struct {
	Ready, Serving, Terminating bool
}

// proxyTable is the per-Service state of the data path kept in the Service.
type proxyTable struct {
	// dirty is set when a change for the Service reached kube-proxy and the
	// Recorder has not yet seen the Service's new ready count.
	dirty bool
	// ready is the number of ready endpoints programmed at the last sync.
	ready int
}

// endpointsPath is the EndpointSlice controller (the endpoint index) and one
// kube-proxy for the whole cluster. The index reports each membership or
// condition change synchronously; the change is queued and reaches kube-proxy
// after EndpointPropagation; kube-proxy applies what has arrived at most once
// per ProxyMinSync (its minSyncPeriod), all Services at once, as its sync loop
// does.
type endpointsPath struct {
	ix       *endpoints.Index
	px       *kubeproxy.Proxier
	queue    []kubeproxy.Change // changes on their way to kube-proxy, in time order
	head     int
	lastDue  sim.Time // keeps queued changes in time order
	lastSync sim.Time
	synced   bool
	timer    sim.Timer
	timerAt  sim.Time
	dirty    []*Service
	syncH    sim.Handler
}

// proxyConfig maps the scenario's kube-proxy mode to kube-proxy's settings.
func proxyConfig(mode string) (kubeproxy.Config, error) {
	switch mode {
	case "", "iptables":
		return kubeproxy.Config{Mode: kubeproxy.ModeIPTables}, nil
	case "nftables":
		return kubeproxy.Config{Mode: kubeproxy.ModeNFTables}, nil
	case "ipvs", "ipvs-rr":
		return kubeproxy.Config{Mode: kubeproxy.ModeIPVS, Scheduler: kubeproxy.SchedulerRoundRobin}, nil
	case "ipvs-lc":
		return kubeproxy.Config{Mode: kubeproxy.ModeIPVS, Scheduler: kubeproxy.SchedulerLeastConnections}, nil
	}
	return kubeproxy.Config{}, fmt.Errorf("proxyMode %q: want iptables, nftables, ipvs (round robin), ipvs-rr or ipvs-lc", mode)
}

// ValidateProxyMode reports whether mode is a kube-proxy mode kubesim models.
func ValidateProxyMode(mode string) error {
	_, err := proxyConfig(mode)
	return err
}

func (c *Cluster) initEndpoints() {
	cfg, err := proxyConfig(c.Cfg.ProxyMode)
	if err != nil {
		cfg = kubeproxy.Config{Mode: kubeproxy.ModeIPTables}
	}
	ep := &c.ep
	ep.ix = endpoints.NewIndex()
	ep.px, _ = kubeproxy.NewProxier(cfg, c.lbRand)
	ep.ix.Subscribe(endpoints.SubscriberFunc(c.endpointChanged))
	ep.syncH = sim.HandlerFunc(func(*sim.Engine, int64) { c.proxySync() })
}

// endpointChanged receives the index's changes and queues them for kube-proxy.
func (c *Cluster) endpointChanged(svc endpoints.ServiceID, pod endpoints.PodID, _, new endpoints.Conditions) {
	c.endpointsWritten(c.services[svc])
	ep := &c.ep
	due := c.Now() + c.d.endpointProp.Sample()
	if due < ep.lastDue {
		due = ep.lastDue
	}
	ep.lastDue = due
	if ep.head > 0 && ep.head == len(ep.queue) {
		ep.queue, ep.head = ep.queue[:0], 0
	}
	ep.queue = append(ep.queue, kubeproxy.Change{At: due, Svc: svc, Pod: pod, Cond: new})
	c.scheduleProxySync()
}

// scheduleProxySync makes sure kube-proxy syncs when the oldest queued change
// has arrived, but not sooner than ProxyMinSync after its last sync.
func (c *Cluster) scheduleProxySync() {
	ep := &c.ep
	if ep.head == len(ep.queue) {
		return
	}
	next := ep.queue[ep.head].At
	if earliest := ep.lastSync + c.Cfg.Timings.ProxyMinSync; ep.synced && next < earliest {
		next = earliest
	}
	if next < c.Now() {
		next = c.Now()
	}
	if c.E.Cancel(ep.timer) && ep.timerAt <= next {
		ep.timer = c.E.At(ep.timerAt, ep.syncH, 0)
		return
	}
	ep.timer, ep.timerAt = c.E.At(next, ep.syncH, 0), next
}

// proxySync is one kube-proxy sync: every change that has arrived is programmed.
func (c *Cluster) proxySync() {
	ep := &c.ep
	ep.timer = sim.Timer{}
	for ep.head < len(ep.queue) && ep.queue[ep.head].At <= c.Now() {
		ch := ep.queue[ep.head]
		ep.head++
		ep.px.Table(ch.Svc).Set(ch.Pod, ch.Cond)
		if s := c.services[ch.Svc]; !s.proxy.dirty {
			s.proxy.dirty = true
			ep.dirty = append(ep.dirty, s)
		}
	}
	ep.lastSync, ep.synced = c.Now(), true
	for _, s := range ep.dirty {
		s.proxy.dirty = false
		s.proxy.ready, _ = ep.px.Table(endpoints.ServiceID(s.ID)).Len()
		c.endpointsChanged(s)
	}
	ep.dirty = ep.dirty[:0]
	c.scheduleProxySync()
}

// syncPodEndpoints tells the endpoint index about p's labels and state. A pod
// is given to the index once it has an IP: before that it is no endpoint of any
// Service (the EndpointSlice controller skips pods without an IP), so a Pending
// pod costs the index nothing (a million Pending replicas would otherwise
// compile and post a million label sets).
func (c *Cluster) syncPodEndpoints(p *Pod) {
	id := endpoints.PodID(p.ID)
	var err error
	switch {
	case !p.indexed && (p.Gone || !p.HasIP):
		return
	case p.Gone:
		err = c.ep.ix.DeletePod(id)
		p.indexed = false
	default:
		p.indexed = true
		err = c.ep.ix.SetPodMap(id, p.ixLabels, endpoints.PodState{HasIP: p.HasIP,
			Terminal: p.Phase == PodSucceeded || p.Phase == PodFailed, Ready: p.Ready, Terminating: p.Terminating})
	}
	if err != nil {
		panic("model: endpoint index: " + err.Error())
	}
}

// Key names the Service in reports: its name in the default namespace,
// NAMESPACE/NAME in another (so that rainbow's three color Services are
// measured apart).
func (s *Service) Key() string {
	if s.key == "" {
		return s.Name
	}
	return s.key
}

// CreateService creates a Service with a map selector (nil or empty selects no
// pods: its endpoints would be managed by hand).
func (c *Cluster) CreateService(name string, selector map[string]string, port int) (*Service, error) {
	return c.CreateServiceIn(DefaultNamespace, name, selector, port)
}

// CreateServiceIn is CreateService in namespace ns, which must exist and not
// be terminating. Its selector selects pods of ns only.
func (c *Cluster) CreateServiceIn(ns, name string, selector map[string]string, port int) (*Service, error) {
	if err := c.canCreateIn(ns); err != nil {
		return nil, err
	}
	if c.ServiceIn(ns, name) != nil || (ns == DefaultNamespace && name == APIServerServiceName && c.apiSvc != nil) {
		return nil, fmt.Errorf(`services %q already exists`, name)
	}
	s := &Service{ID: len(c.services), ObjectMeta: c.newMeta(name, ns, nil, nil), Selector: copyLabels(selector), Port: port}
	s.Type, s.SessionAffinity = "ClusterIP", "None"
	if port > 0 {
		s.Ports = []ServicePort{{Protocol: "TCP", Port: port}}
	}
	c.services = append(c.services, s)
	c.svcByName[nsName{ns, name}] = s
	c.endpointsWritten(s)
	s.key = name
	if ns != DefaultNamespace {
		s.key = ns + "/" + name
	}
	c.ep.px.Table(endpoints.ServiceID(s.ID))
	c.setIndexSelector(s)
	return s, nil
}

// MaxEndpointsPerSlice is the EndpointSlice controller's default
// --max-endpoints-per-slice: a Service's endpoints fill slices of 100.
const MaxEndpointsPerSlice = 100

// endpointsWritten records a write of s's Endpoints and EndpointSlices by
// their controllers: at the Service's creation (they are created, empty or
// not) and at each change of its endpoints. The Endpoints and each slice
// (100 endpoints each) are writes of their own, with their own
// resourceVersions.
func (c *Cluster) endpointsWritten(s *Service) {
	k := int64(1)
	if n := c.ep.ix.Len(endpoints.ServiceID(s.ID)); n > MaxEndpointsPerSlice {
		k = int64((n + MaxEndpointsPerSlice - 1) / MaxEndpointsPerSlice)
	}
	c.rv += 1 + k
	s.epRV, s.epChanged = c.rv-k, c.Now()
	s.dropUserLabels(int(k))
}

// EndpointsMeta returns the resourceVersion of the Service's Endpoints (the
// cluster's write counter at their last write: it changes when the endpoints
// change; its slice i has resourceVersion+1+i) and the simulated time of the change that
// triggered that write (their endpoints.kubernetes.io/last-change-trigger-time:
// the Service's creation, or the pod change).
func (s *Service) EndpointsMeta() (resourceVersion int64, lastChange sim.Time) {
	return s.epRV, s.epChanged
}

func (c *Cluster) setIndexSelector(s *Service) {
	if err := c.ep.ix.SetService(endpoints.ServiceID(s.ID), labels.ServiceSelector(indexLabels(s.Namespace, s.Selector))); err != nil {
		panic("model: endpoint index: " + err.Error())
	}
}

// SetServiceSelector replaces the Service's selector (kubectl set selector, edit).
func (c *Cluster) SetServiceSelector(s *Service, selector map[string]string) {
	s.Selector = copyLabels(selector)
	c.setIndexSelector(s)
	c.serviceSynced(s, false)
}

// DefaultSessionAffinityTimeout is sessionAffinityConfig.clientIP's default
// timeoutSeconds (10800).
const DefaultSessionAffinityTimeout = sim.Time(10800e9)

// SetSessionAffinity sets the Service's sessionAffinity: "None" or "ClientIP"
// with a timeout (0: Kubernetes' default, 10800 s).
func (c *Cluster) SetSessionAffinity(s *Service, affinity string, timeout sim.Time) error {
	a := kubeproxy.Affinity{Timeout: timeout}
	switch affinity {
	case "", "None":
		affinity = "None"
	case "ClientIP":
		a.ClientIP = true
	default:
		return fmt.Errorf(`spec.sessionAffinity: Unsupported value: %q: supported values: "ClientIP", "None"`, affinity)
	}
	if err := c.ep.px.SetAffinity(endpoints.ServiceID(s.ID), a); err != nil {
		return err
	}
	s.SessionAffinity = affinity
	s.SessionAffinityTimeout = 0
	if a.ClientIP {
		s.SessionAffinityTimeout = timeout
		if timeout == 0 {
			s.SessionAffinityTimeout = DefaultSessionAffinityTimeout
		}
	}
	c.serviceSynced(s, false)
	return nil
}

// DeleteService deletes the Service: its endpoints go, and new connections to
// its name fail.
func (c *Cluster) DeleteService(s *Service) {
	if s.IsAPIServer() {
		c.deleteAPIServerService(s)
		return
	}
	if s.Deleted {
		return
	}
	if s.Namespace == DefaultNamespace && s.Name == APIServerServiceName {
		c.recreateAPIServerService() // a user's kubernetes Service
	}
	s.Deleted = true
	for _, p := range s.Ports {
		if p.NodePort != 0 && c.nodePorts[p.NodePort] == s {
			delete(c.nodePorts, p.NodePort)
		}
	}
	if err := c.ep.ix.DeleteService(endpoints.ServiceID(s.ID)); err != nil {
		panic("model: endpoint index: " + err.Error())
	}
}

// ReadyEndpoints is the number of ready endpoints kube-proxy has programmed for s.
func (s *Service) ReadyEndpoints() int { return s.proxy.ready }

// EndpointPods returns the pods in s's endpoints with their conditions, by pod ID
// (the EndpointSlice controller's view, before propagation).
func (c *Cluster) EndpointPods(s *Service) ([]*Pod, []EndpointConditions) {
	eps := c.ep.ix.Endpoints(endpoints.ServiceID(s.ID), nil)
	pods := make([]*Pod, len(eps))
	conds := make([]EndpointConditions, len(eps))
	for i, e := range eps {
		pods[i] = c.pods[e.Pod]
		conds[i] = EndpointConditions{Ready: e.Conditions.Ready, Serving: e.Conditions.Serving, Terminating: e.Conditions.Terminating}
	}
	return pods, conds
}

// Pick chooses the endpoint of a new connection from client to s as kube-proxy
// does (see package kubeproxy): nil means connection refused.
func (c *Cluster) Pick(s *Service, client kubeproxy.ClientID) *Pod {
	id, ok := c.ep.px.Pick(endpoints.ServiceID(s.ID), client, c.Now())
	if !ok {
		return nil
	}
	return c.pods[id]
}

// PickConn is Pick, with the connection's place in kube-proxy's table (for
// ReleaseConn, which then needs no lookup).
func (c *Cluster) PickConn(s *Service, client kubeproxy.ClientID) (*Pod, kubeproxy.Conn) {
	id, conn, ok := c.ep.px.PickConn(endpoints.ServiceID(s.ID), client, c.Now())
	if !ok {
		return nil, 0
	}
	return c.pods[id], conn
}

// PickEndpoint is PickConn that also gives the pod's ID and the node it is
// bound to (nil: not bound), read from arrays by pod ID without loading the
// pod (the request path's cache miss). nodesKept is true while no node was
// ever removed: then two different nodes are different nodes (no pod can be
// bound to a removed node whose name a new node took).
func (c *Cluster) PickEndpoint(s *Service, client kubeproxy.ClientID) (p *Pod, id int, node *Node, nodesKept bool, conn kubeproxy.Conn) {
	pid, conn, ok := c.ep.px.PickConn(endpoints.ServiceID(s.ID), client, c.Now())
	if !ok {
		return nil, 0, nil, false, 0
	}
	id = int(pid)
	if id < len(c.podLocs) {
		node = c.podLocs[id].node
	}
	return c.pods[id], id, node, c.nodesRemoved == 0, conn
}

// podLoc is where a pod runs, for the request path (Cluster.podLocs).
type podLoc struct {
	node *Node
	seq  int32 // node.seq
	live bool  // p.Running && !p.Gone
}

// setPodLoc updates p's podLoc after a change of p.node, p.Running or
// p.Gone.
func (c *Cluster) setPodLoc(p *Pod) {
	for len(c.podLocs) <= p.ID {
		c.podLocs = append(c.podLocs, podLoc{})
	}
	l := podLoc{node: p.node, live: p.Running && !p.Gone}
	if p.node != nil {
		l.seq = int32(p.node.seq)
	}
	c.podLocs[p.ID] = l
}

// EndpointState is what a connection to the pod of ID id finds, read without
// loading the pod or its node: its node is up (the node the pod is bound
// to), and its container runs (p.Running && !p.Gone). ok is false when that
// cannot be told this way (a node was removed in this run, so the pod's
// node may be one under its name, or the pod is not bound): then look at
// the pod.
func (c *Cluster) EndpointState(id int) (nodeUp, running, ok bool) {
	if c.nodesRemoved != 0 || id >= len(c.podLocs) {
		return false, false, false
	}
	l := c.podLocs[id]
	if l.node == nil || int(l.seq) >= len(c.nodesUp) {
		return false, false, false
	}
	return c.nodesUp[l.seq], l.live, true
}

// ReleaseConn is Release of a connection PickConn returned, to the pod of ID
// pod.
func (c *Cluster) ReleaseConn(s *Service, pod int, conn kubeproxy.Conn) {
	c.ep.px.ReleaseConn(endpoints.ServiceID(s.ID), endpoints.PodID(pod), conn)
}

// Release tells kube-proxy that a connection to pod through s has closed
// (least-connections balancing counts open connections).
func (c *Cluster) Release(s *Service, p *Pod) {
	c.ep.px.Release(endpoints.ServiceID(s.ID), endpoints.PodID(p.ID))
}

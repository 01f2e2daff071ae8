package model

import (
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Events: what the controllers, the scheduler, the kubelets and the node
// lifecycle controller report as core/v1 Events, with Kubernetes v1.37's
// reasons, types, sources and messages. The cluster hands each one to an
// EventSink (RecordEvents); without one nothing is built, so a cluster that
// nobody watches pays one nil check per control-plane action. Events are
// control-plane only: no request of the workloads ever makes one.
//
// Sources and messages (upstream's wording):
//
//	replicaset-controller  SuccessfulCreate "Created pod: NAME", SuccessfulDelete "Deleted pod: NAME"
//	daemonset-controller   the same, on the DaemonSet
//	deployment-controller  ScalingReplicaSet "Scaled up|down replica set RS from A to B"
//	default-scheduler      Scheduled "Successfully assigned NS/POD to NODE";
//	                       FailedScheduling "0/4 nodes are available: 1 node(s) had untolerated
//	                       taint {k: v}, 3 Insufficient cpu. preemption: 0/4 nodes are available: ..."
//	kubelet                Pulling, Pulled, Created, Started, Killing, Unhealthy, BackOff (per
//	                       container, fieldPath spec.containers{NAME}: probes.go); Starting, NodeHas*, NodeAllocatableEnforced,
//	                       Rebooted, NodeReady, NodeNotSchedulable, NodeSchedulable on its node
//	node-controller        RegisteredNode, RemovingNode, NodeNotReady (node, and Warning on each
//	                       of its pods that loses Ready: "Node is not ready")
//	taint-eviction-controller  TaintManagerEviction "Marking for deletion Pod NS/POD",
//	                       "Cancelling deletion of Pod NS/POD"

// Event types.
const (
	EventNormal  = "Normal"
	EventWarning = "Warning"
)

// Event sources (the reporting components).
const (
	SourceReplicaSet   = "replicaset-controller"
	SourceDaemonSet    = "daemonset-controller"
	SourceDeployment   = "deployment-controller"
	SourceScheduler    = "default-scheduler"
	SourceKubelet      = "kubelet"
	SourceNode         = "node-controller"
	SourceTaintEvictor = "taint-eviction-controller"
)

// ObjectRef is an event's involvedObject.
type ObjectRef struct {
	Kind, Namespace, Name string
	// UID tells apart objects that had the same name at different times.
	// Node events use the node's name as their UID, as Kubernetes does.
	UID string
	// FieldPath is the part of the object, e.g. "spec.containers{rng}".
	FieldPath string
}

// Event is one core/v1 Event: an occurrence, or several aggregated (Count).
type Event struct {
	Object  ObjectRef
	Type    string // EventNormal or EventWarning
	Reason  string
	Message string
	Source  string // the reporting component
	Host    string // the node, for the kubelet's events
	// Boot is which run of the reporting kubelet recorded the event (its
	// node's boots): a restarted kubelet's recorder starts with an empty
	// cache, so its events never count into those of its previous run.
	Boot int
	// First and Last are firstTimestamp and lastTimestamp; Count is how many
	// occurrences the event stands for.
	First, Last sim.Time
	Count       int
	// Seq is the order in which events were created.
	Seq int
	// combined is set while the EventLog keeps Message without the
	// "(combined from similar events): " prefix, which it adds when the
	// event is read (EventLog.Events): a million pods of one ReplicaSet
	// replace a combined SuccessfulCreate's message a million times.
	combined bool
}

// EventSink receives every event the cluster emits, with e.First == e.Last
// the time it happened (the simulated time, or a moment before it for the
// kubelet's Pulled event, recorded when the container starts) and Count 1.
// It must not change the cluster.
type EventSink interface {
	RecordEvent(e Event)
}

// RecordEvents makes the cluster hand its events to s (nil: stop).
func (c *Cluster) RecordEvents(s EventSink) { c.events = s }

// recording reports whether events are wanted (messages are built only then).
func (c *Cluster) recording() bool { return c.events != nil }

func (c *Cluster) emit(obj ObjectRef, typ, reason, msg, source, host string) {
	c.emitAt(c.Now(), obj, typ, reason, msg, source, host)
}

// emitAt records an event that happened at now (at or before the simulated
// time).
func (c *Cluster) emitAt(now sim.Time, obj ObjectRef, typ, reason, msg, source, host string) {
	if c.events == nil {
		return
	}
	boot := 0
	if host != "" {
		if n := c.nodeByName[host]; n != nil {
			boot = n.boots
		}
	}
	c.events.RecordEvent(Event{Object: obj, Type: typ, Reason: reason, Message: msg, Source: source,
		Host: host, Boot: boot, First: now, Last: now, Count: 1})
}

// PodRef, NodeRef, ... are the involvedObject of events about an object.
func PodRef(p *Pod) ObjectRef { return metaRef("Pod", &p.ObjectMeta) }

func NodeRef(n *Node) ObjectRef { return ObjectRef{Kind: "Node", Name: n.Name, UID: n.Name} }

func DeploymentRef(d *Deployment) ObjectRef { return metaRef("Deployment", &d.ObjectMeta) }

func ReplicaSetRef(rs *ReplicaSet) ObjectRef { return metaRef("ReplicaSet", &rs.ObjectMeta) }

func DaemonSetRef(ds *DaemonSet) ObjectRef { return metaRef("DaemonSet", &ds.ObjectMeta) }

func metaRef(kind string, m *ObjectMeta) ObjectRef {
	return ObjectRef{Kind: kind, Namespace: m.Namespace, Name: m.Name, UID: m.UID}
}

// ContainerName is the name of the container running image: its base name
// without tag or digest, as `kubectl create deployment` names it
// ("dockercoins/rng:v0.1" -> "rng").
func ContainerName(image string) string {
	name := path.Base(image)
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	return name
}

// ContainerName is the name of the spec's (first) container: the name the
// manifest gave it, else the image's as `kubectl create deployment` names it.
func (s *PodSpec) ContainerName() string {
	if s.Container != "" {
		return s.Container
	}
	return ContainerName(s.Image)
}

// containerRef is the kubelet's involvedObject for p's container: the pod,
// with the container's name (not its image) in the field path.
func containerRef(p *Pod) ObjectRef {
	r := PodRef(p)
	r.FieldPath = "spec.containers{" + p.Spec.ContainerName() + "}"
	return r
}

// podKey is klog.KObj's "namespace/name".
func podKey(p *Pod) string { return p.Namespace + "/" + p.Name }

// ---- the controllers ----

func (c *Cluster) eventPodCreated(owner ObjectRef, source string, p *Pod) {
	if c.recording() {
		c.emit(owner, EventNormal, "SuccessfulCreate", "Created pod: "+p.Name, source, "")
	}
}

func (c *Cluster) eventPodDeleted(owner ObjectRef, source string, p *Pod) {
	if c.recording() {
		c.emit(owner, EventNormal, "SuccessfulDelete", "Deleted pod: "+p.Name, source, "")
	}
}

// eventScaled is the Deployment controller's ScalingReplicaSet.
func (c *Cluster) eventScaled(d *Deployment, rs *ReplicaSet, from, to int) {
	if !c.recording() || d == nil {
		return
	}
	op := "up"
	if to < from {
		op = "down"
	}
	c.emit(DeploymentRef(d), EventNormal, "ScalingReplicaSet",
		"Scaled "+op+" replica set "+rs.Name+" from "+strconv.Itoa(from)+" to "+strconv.Itoa(to), SourceDeployment, "")
}

// ---- the scheduler ----

func (c *Cluster) eventScheduled(p *Pod, n *Node) {
	if c.recording() {
		c.emit(PodRef(p), EventNormal, "Scheduled", "Successfully assigned "+podKey(p)+" to "+n.Name, SourceScheduler, "")
	}
}

func (c *Cluster) eventFailedScheduling(p *Pod) {
	if c.recording() {
		c.emit(PodRef(p), EventWarning, "FailedScheduling", c.sched.fw.fitError(p), SourceScheduler, "")
	}
}

// ---- the kubelet ----

// eventPulling reports the kubelet's image pull for p: already present, or
// Pulling.
func (c *Cluster) eventPulling(p *Pod, n *Node, present bool) {
	if !c.recording() {
		return
	}
	img := p.Spec.Image
	if present {
		c.emit(containerRef(p), EventNormal, "Pulled", "Container image \""+img+"\" already present on machine and can be accessed by the pod", SourceKubelet, n.Name)
		return
	}
	c.emit(containerRef(p), EventNormal, "Pulling", "Pulling image \""+img+"\"", SourceKubelet, n.Name)
}

// eventPulled is the Pulled event of a pull asked for at asked, begun by the
// node's serial puller at pullStart and ended at ready: the pull's own time
// and the time including the wait in the puller's queue. It is recorded when
// the container starts (so that the pull costs the simulation no event of its
// own), with the pull's end as its time.
func (c *Cluster) eventPulled(p *Pod, n *Node, pullStart, asked, ready sim.Time) {
	if !c.recording() {
		return
	}
	size := c.Cfg.ImageSize
	if size <= 0 {
		size = DefaultImageSize
	}
	pull := time.Duration(ready - max(pullStart, asked)).Truncate(time.Millisecond)
	total := time.Duration(ready - asked).Truncate(time.Millisecond)
	c.emitAt(ready, containerRef(p), EventNormal, "Pulled", "Successfully pulled image \""+p.Spec.Image+"\" in "+pull.String()+
		" ("+total.String()+" including waiting). Image size: "+strconv.FormatInt(size, 10)+" bytes.", SourceKubelet, n.Name)
}

func (c *Cluster) eventContainerStarted(p *Pod) {
	if !c.recording() {
		return
	}
	ref, host := containerRef(p), p.NodeName
	c.emit(ref, EventNormal, "Created", "Container created", SourceKubelet, host)
	c.emit(ref, EventNormal, "Started", "Container started", SourceKubelet, host)
}

func (c *Cluster) eventKilling(p *Pod) {
	if c.recording() {
		c.emit(containerRef(p), EventNormal, "Killing", "Stopping container "+p.Spec.ContainerName(), SourceKubelet, p.NodeName)
	}
}

// eventKubeletStarted is what a kubelet reports on its node when it starts
// (the node added, or back from a reboot), and the node lifecycle
// controller's RegisteredNode for a new node.
func (c *Cluster) eventKubeletStarted(n *Node, registered, rebooted bool) {
	if !c.recording() {
		return
	}
	ref := NodeRef(n)
	k := func(typ, reason, msg string) { c.emit(ref, typ, reason, msg, SourceKubelet, n.Name) }
	k(EventNormal, "Starting", "Starting kubelet.")
	for _, s := range [...]string{"NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID"} {
		k(EventNormal, s, "Node "+n.Name+" status is now: "+s)
	}
	k(EventNormal, "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods")
	if rebooted {
		k(EventWarning, "Rebooted", "Node "+n.Name+" has been rebooted, boot id: "+bootID(n.Name, n.boots))
	}
	if registered {
		c.emit(ref, EventNormal, "RegisteredNode", "Node "+n.Name+" event: Registered Node "+n.Name+" in Controller", SourceNode, "")
	}
	k(EventNormal, "NodeReady", "Node "+n.Name+" status is now: NodeReady")
}

// bootID is a stable, UUID-shaped boot id for a node's nth boot (drawn from
// no random stream, so recording events changes no other draw).
func bootID(name string, n int) string {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h = (h ^ uint64(name[i])) * 1099511628211
	}
	h2 := (h ^ uint64(n)) * 1099511628211
	h3 := (h2 ^ 0x9e3779b97f4a7c15) * 1099511628211
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 36)
	for i, x := range [...]uint64{h2, h3} {
		for j := 0; j < 16; j++ {
			pos := i*16 + j
			if pos == 8 || pos == 12 || pos == 16 || pos == 20 {
				b = append(b, '-')
			}
			b = append(b, hex[(x>>(60-4*j))&15])
		}
	}
	return string(b)
}

func (c *Cluster) eventNodeStatus(n *Node, status, source string) {
	if c.recording() {
		host := ""
		if source == SourceKubelet {
			host = n.Name
		}
		c.emit(NodeRef(n), EventNormal, status, "Node "+n.Name+" status is now: "+status, source, host)
	}
}

func (c *Cluster) eventNodeRemoved(n *Node) {
	if c.recording() {
		c.emit(NodeRef(n), EventNormal, "RemovingNode", "Node "+n.Name+" event: Removing Node "+n.Name+" from Controller", SourceNode, "")
	}
}

// eventPodNodeNotReady is MarkPodsNotReady's event on a pod that lost Ready.
func (c *Cluster) eventPodNodeNotReady(p *Pod) {
	if c.recording() {
		c.emit(PodRef(p), EventWarning, "NodeNotReady", "Node is not ready", SourceNode, "")
	}
}

func (c *Cluster) eventTaintEviction(p *Pod, cancel bool) {
	if !c.recording() {
		return
	}
	msg := "Marking for deletion Pod " + podKey(p)
	if cancel {
		msg = "Cancelling deletion of Pod " + podKey(p)
	}
	c.emit(PodRef(p), EventNormal, "TaintManagerEviction", msg, SourceTaintEvictor, "")
}

// fitError is kube-scheduler's FitError message for a pod that fits no node,
// built as the scheduler builds it: each node's rejection reasons counted
// ("N reason", sorted as strings, joined by ", "), then the default
// preemption plugin's own verdict over the same nodes. kubesim's pods all
// have the same priority, so preemption finds no victims: a node that failed
// only for resources says "No preemption victims found for incoming pod", any
// other "Preemption is not helpful for scheduling". It runs the filters once
// more, only when an event is wanted.
func (f *framework) fitError(p *Pod) string {
	all := f.h.schedNodes()
	if len(all) == 0 {
		return "no nodes available to schedule pods"
	}
	st := f.newCycle(p)
	nodes := f.candidates(st, p)
	reasons := map[string]int{}
	victimless := 0 // nodes where preemption might help
	for _, n := range nodes {
		rs, resolvable := f.nodeReasons(st, p, n)
		for _, r := range rs {
			reasons[r]++
		}
		if resolvable {
			victimless++
		}
	}
	if absent := len(all) - len(nodes); absent > 0 {
		reasons["node(s) didn't satisfy plugin(s) [NodeAffinity]"] += absent
	}
	total := strconv.Itoa(len(all))
	msg := "0/" + total + " nodes are available: " + histogram(reasons) + "."
	pre := map[string]int{}
	if victimless > 0 {
		pre["No preemption victims found for incoming pod"] = victimless
	}
	if rest := len(all) - victimless; rest > 0 {
		pre["Preemption is not helpful for scheduling"] = rest
	}
	return msg + " preemption: 0/" + total + " nodes are available: " + histogram(pre) + "."
}

// nodeReasons is every reason the first failing filter gives for n, and
// whether that filter's verdict is one preemption could change
// (NodeResourcesFit's Unschedulable, not UnschedulableAndUnresolvable).
func (f *framework) nodeReasons(st *cycleState, p *Pod, n *Node) ([]string, bool) {
	for _, pl := range f.filters {
		r := pl.filter(st, p, n)
		if r == "" {
			continue
		}
		switch pl.(type) {
		case nodeResourcesFitPlugin:
			return fitReasons(st.rq, n), true
		case nodePortsPlugin:
			return []string{r}, true // Unschedulable: evicting the port's holder would help
		case taintTolerationPlugin:
			for _, t := range n.Taints {
				if (t.Effect == NoSchedule || t.Effect == NoExecute) && !tolerates(p.Spec.Tolerations, t) {
					return []string{"node(s) had untolerated taint {" + t.Key + ": " + t.Value + "}"}, false
				}
			}
		}
		return []string{r}, false
	}
	return nil, false
}

// fitReasons is every resource NodeResourcesFit finds short on n (its
// fitsRequest collects them all).
func fitReasons(r Resources, n *Node) []string {
	free := n.Capacity.Sub(n.req)
	var out []string
	if r.Pods > free.Pods {
		out = append(out, "Too many pods")
	}
	if r.MilliCPU > 0 && r.MilliCPU > free.MilliCPU {
		out = append(out, "Insufficient cpu")
	}
	if r.Memory > 0 && r.Memory > free.Memory {
		out = append(out, "Insufficient memory")
	}
	return out
}

// histogram is "COUNT reason" for each reason, sorted as strings (so "10 x"
// comes before "2 y", as upstream's sort.Strings puts it), joined by ", ".
func histogram(m map[string]int) string {
	parts := make([]string, 0, len(m))
	for r, n := range m {
		parts = append(parts, strconv.Itoa(n)+" "+r)
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// EventSink returns what RecordEvents set (nil if nothing).
func (c *Cluster) EventSink() EventSink { return c.events }

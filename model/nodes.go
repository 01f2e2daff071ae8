package model

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/sim"
)

// nodeLifecycleState is the node lifecycle controller's NoExecute tainting:
// one rate-limited queue per zone (token bucket, burst 1), as its
// zoneNoExecuteTainter, and whether the whole cluster is in full disruption.
type nodeLifecycleState struct {
	zones   map[string]*zoneTainter
	keys    []string // zone keys in the order they appeared, for a deterministic pass
	allFull bool     // every zone fully disrupted: "master disruption mode"
	timer   sim.Timer
	timerAt sim.Time

	// counts holds each zone's Ready and NotReady nodes, kept up to date as
	// nodes are added, removed, relabelled or change their Ready condition,
	// so that a transition costs O(1) instead of a walk of every node.
	counts map[string]*zoneCount
	// counted is the number of zones with a counted node, full the number
	// of those with no Ready node.
	counted, full int
}

// zoneCount is the number of Ready and NotReady nodes of one zone that the
// controller's zone states count.
type zoneCount struct {
	ready, notReady int
}

func (z *zoneCount) health() zoneHealth {
	r, nr := z.ready, z.notReady
	switch {
	case nr == 0:
		return zoneNormal
	case r == 0:
		return zoneFullDisruption
	case nr > 2 && float64(nr)/float64(nr+r) >= unhealthyZoneThreshold:
		return zonePartialDisruption
	}
	return zoneNormal
}

// zoneTainter is one zone's queue of NotReady nodes waiting for their NoExecute
// taint, and the earliest time its rate limiter lets the next one through.
type zoneTainter struct {
	queue     []*Node
	nextTaint sim.Time
}

// Node labels the node lifecycle controller reads.
const (
	// LabelExcludeDisruption leaves a node out of its zone's disruption state
	// (node.kubernetes.io/exclude-disruption; any value).
	LabelExcludeDisruption = "node.kubernetes.io/exclude-disruption"
	LabelRegion            = "topology.kubernetes.io/region"
	labelZoneBeta          = "failure-domain.beta.kubernetes.io/zone"
	labelRegionBeta        = "failure-domain.beta.kubernetes.io/region"
	// largeClusterThreshold is --large-cluster-size-threshold: a zone of at
	// most this many nodes stops tainting in partial disruption.
	largeClusterThreshold = 50
	// secondaryEvictionRate is --secondary-node-eviction-rate (nodes/s), the
	// rate of a larger zone in partial disruption.
	secondaryEvictionRate = 0.01
	// unhealthyZoneThreshold is --unhealthy-zone-threshold.
	unhealthyZoneThreshold = 0.55
)

// AddNode adds a Ready node (kubeadm join). Its hostname label is set. Its
// kubelet heartbeats every NodeStatusUpdate from now, at a phase drawn from the
// seeded "node-heartbeat" stream.
func (c *Cluster) AddNode(name string, lbls map[string]string, taints []Taint, capacity Resources) (*Node, error) {
	if name == "" {
		return nil, fmt.Errorf("node: a name is required")
	}
	if c.Node(name) != nil {
		return nil, fmt.Errorf("nodes %q already exists", name)
	}
	if capacity.MilliCPU < 0 || capacity.Memory < 0 || capacity.Pods < 0 {
		return nil, fmt.Errorf("node %q: capacity %+v must not be negative", name, capacity)
	}
	if err := labels.ValidateLabels(lbls); err != nil {
		return nil, fmt.Errorf("node %q: labels: %v", name, err)
	}
	for _, t := range taints {
		if err := validateTaint(t); err != nil {
			return nil, fmt.Errorf("node %q: %v", name, err)
		}
	}
	l := registeredLabels(name, lbls)
	if capacity.Pods == 0 {
		capacity.Pods = 110
	}
	now := c.Now()
	n := &Node{ObjectMeta: c.newMeta(name, "", l, nil), Taints: append([]Taint(nil), taints...), Capacity: capacity,
		Up: true, Ready: true, ReadyAt: now, UpChangedAt: now, seq: len(c.nodes),
		hbBase: now, hbPhase: sim.Time(c.hbRand.Int64N(int64(c.Cfg.Timings.NodeStatusUpdate)))}
	for i := range n.Taints {
		n.Taints[i].Added = now
	}
	c.nodes = append(c.nodes, n)
	c.nodesUp = append(c.nodesUp, true)
	c.nodeByName[name] = n
	c.eventKubeletStarted(n, true, false)
	c.treeAdd(n)
	c.nodeChanged(n)
	c.schedNodeEvent(evNodeAdd, n)
	c.daemonNodeChanged(n, true)
	c.handleDisruption(n)
	return n, nil
}

func validateTaint(t Taint) error {
	switch t.Effect {
	case NoSchedule, PreferNoSchedule, NoExecute:
	default:
		return fmt.Errorf("taint %q: effect %q: want NoSchedule, PreferNoSchedule or NoExecute", t.Key, t.Effect)
	}
	if err := labels.ValidateKey(t.Key); err != nil {
		return fmt.Errorf("taint key %q: %v", t.Key, err)
	}
	if t.Value != "" {
		if err := labels.ValidateValue(t.Value); err != nil {
			return fmt.Errorf("taint %q value %q: %v", t.Key, t.Value, err)
		}
	}
	return nil
}

func (c *Cluster) mustNode(name string) (*Node, error) {
	n := c.Node(name)
	if n == nil {
		return nil, fmt.Errorf(`nodes %q not found`, name)
	}
	return n, nil
}

// RemoveNode deletes the node (kubectl delete node, the machine gone with it).
// Its containers stop at once and its pods leave endpoints (the EndpointSlice
// controller skips pods of a missing node); PodGC deletes the pods after its
// quarantine, and their controllers replace them.
func (c *Cluster) RemoveNode(name string) error {
	n, err := c.mustNode(name)
	if err != nil {
		return err
	}
	n.Removed, n.Up, n.Ready = true, false, false
	c.nodesRemoved++
	c.nodesUp[n.seq] = false
	c.eventNodeRemoved(n)
	c.treeRemove(n)
	for _, im := range n.images {
		c.imageRemoved(c.sched.imageNames[im.id])
	}
	c.E.Cancel(n.monitorTimer)
	c.nlcDequeue(n)
	for _, p := range n.pods {
		c.killContainer(p)
		if p.later != nil {
			c.E.Cancel(p.later.evictTimer)
			p.later.evictAt = 0
		}
		if p.Ready {
			p.Ready = false
			c.podChanged(p)
		}
	}
	t := &c.Cfg.Timings
	at := c.Now() + t.PodGCQuarantine
	if t.PodGCPeriod > 0 {
		at = (at + t.PodGCPeriod - 1) / t.PodGCPeriod * t.PodGCPeriod
	}
	n.gcTimer = c.E.At(at, sim.HandlerFunc(func(*sim.Engine, int64) {
		for _, p := range append([]*Pod(nil), n.pods...) {
			c.removePod(p)
		}
	}), 0)
	c.nodeChanged(n)
	c.daemonNodeChanged(n, true)
	c.handleDisruption(n)
	return nil
}

// RebootNode takes the machine down for downtime, then brings it back: its
// kubelet restarts the containers of the pods still bound to it.
func (c *Cluster) RebootNode(name string, downtime sim.Time) error {
	if downtime < 0 {
		return fmt.Errorf("reboot of node %q: downtime %v must not be negative", name, downtime)
	}
	if err := c.StopNode(name); err != nil {
		return err
	}
	n := c.nodeByName[name]
	c.E.After(downtime, sim.HandlerFunc(func(*sim.Engine, int64) {
		if c.nodeByName[name] == n && !n.Removed {
			c.nodeUp(n)
		}
	}), 0)
	return nil
}

// StopNode powers the machine off (it stays off until StartNode).
func (c *Cluster) StopNode(name string) error {
	n, err := c.mustNode(name)
	if err != nil {
		return err
	}
	if !n.Up {
		return fmt.Errorf("node %q is already down", name)
	}
	c.nodeDown(n)
	return nil
}

// StartNode powers a stopped machine on.
func (c *Cluster) StartNode(name string) error {
	n, err := c.mustNode(name)
	if err != nil {
		return err
	}
	if n.Up {
		return fmt.Errorf("node %q is already up", name)
	}
	c.nodeUp(n)
	return nil
}

// lastHeartbeat is the time of the node's last heartbeat at or before t.
func (c *Cluster) lastHeartbeat(n *Node, t sim.Time) sim.Time {
	first := n.hbBase + n.hbPhase
	if t < first {
		return n.hbBase
	}
	period := c.Cfg.Timings.NodeStatusUpdate
	return first + (t-first)/period*period
}

// nextMonitorTick is the node lifecycle controller's first check strictly after t.
func (c *Cluster) nextMonitorTick(t sim.Time) sim.Time {
	mp := c.Cfg.Timings.NodeMonitorPeriod
	return (t/mp + 1) * mp
}

// nodeDown: the machine stops. Its containers die (requests they hold fail)
// but the API still shows the pods Ready until the node lifecycle controller
// finds the node's heartbeat older than the grace period.
func (c *Cluster) nodeDown(n *Node) {
	n.Up = false
	c.nodesUp[n.seq] = false
	now := c.Now()
	n.UpChangedAt = now
	for _, p := range n.pods {
		c.killContainer(p)
	}
	kept := n.images[:0]
	for _, im := range n.images {
		if im.at > now {
			c.imageRemoved(c.sched.imageNames[im.id]) // an interrupted pull
		} else {
			kept = append(kept, im)
		}
	}
	clear(n.images[len(kept):])
	n.images = kept
	n.pullFreeAt = now
	if n.Ready {
		deadline := c.lastHeartbeat(n, now) + c.Cfg.Timings.NodeMonitorGracePeriod
		c.E.Cancel(n.monitorTimer)
		n.monitorTimer = c.E.At(c.nextMonitorTick(deadline), sim.HandlerFunc(func(*sim.Engine, int64) {
			c.nodeNotReady(n)
		}), 0)
	}
	c.nodeChanged(n)
}

// nodeNotReady: the node lifecycle controller marks the node Unknown: its pods
// lose Ready (and leave endpoints), it gets the unreachable NoSchedule taint,
// and is queued for the unreachable NoExecute taint.
func (c *Cluster) nodeNotReady(n *Node) {
	if n.Removed || !n.Ready {
		return
	}
	n.Ready = false
	n.NotReadyAt = c.Now()
	c.eventNodeStatus(n, "NodeNotReady", SourceNode)
	c.addTaint(n, Taint{Key: TaintUnreachable, Effect: NoSchedule})
	for _, p := range n.pods {
		if p.Ready {
			p.Ready = false
			c.eventPodNodeNotReady(p)
			c.podChanged(p)
		}
	}
	c.nlcEnqueue(n)
	c.handleDisruption(n)
	c.scheduleTaintPass(c.Now() + nodeEvictionPeriod)
	c.nodeChanged(n)
	c.daemonNodeChanged(n, true)
}

// nodeUp: the machine is back; the kubelet heartbeats again, finishes the
// deletion of the pods deleted while it was away, and restarts the containers
// of the others.
func (c *Cluster) nodeUp(n *Node) {
	n.Up = true
	c.nodesUp[n.seq] = true
	now := c.Now()
	n.UpChangedAt = now
	n.hbBase = now
	n.boots++
	c.eventKubeletStarted(n, false, true)
	for _, p := range append([]*Pod(nil), n.pods...) {
		if p.Terminating {
			c.removePod(p)
			continue
		}
		if p.Started > 0 {
			p.Restarts++
		}
		c.cancelRestart(p)
		p.HasIP = false
		if p.Ready {
			p.Ready = false
		}
		c.podChanged(p)
		c.startPod(p)
	}
	if n.Ready {
		// Back before the grace period ran out: the control plane never noticed.
		c.E.Cancel(n.monitorTimer)
	} else {
		c.E.Cancel(n.monitorTimer)
		n.monitorTimer = c.E.At(c.nextMonitorTick(now), sim.HandlerFunc(func(*sim.Engine, int64) {
			c.nodeReady(n)
		}), 0)
	}
	c.nodeChanged(n)
}

// nodeReady: the node lifecycle controller sees the node Ready again and removes
// the not-ready / unreachable taints; pending evictions are cancelled.
func (c *Cluster) nodeReady(n *Node) {
	if n.Removed || !n.Up || n.Ready {
		return
	}
	n.Ready = true
	n.ReadyAt = c.Now()
	c.nlcDequeue(n)
	kept := n.Taints[:0]
	for _, t := range n.Taints {
		if t.Key != TaintUnreachable && t.Key != TaintNotReady {
			kept = append(kept, t)
		}
	}
	n.Taints = kept
	c.taintManagerNode(n)
	c.schedNodeEvent(evNodeTaintRemoved, n)
	c.daemonNodeChanged(n, true)
	c.handleDisruption(n)
	c.scheduleTaintPass(c.Now() + nodeEvictionPeriod)
	c.nodeChanged(n)
}

// zoneKey is the zone the node lifecycle controller files a node under: its
// region and zone labels (the beta failure-domain labels when the stable ones
// are missing), "" for a node with neither.
func zoneKey(n *Node) string {
	region, ok := n.Labels[LabelRegion]
	if !ok {
		region = n.Labels[labelRegionBeta]
	}
	zone, ok := n.Labels[LabelZone]
	if !ok {
		zone = n.Labels[labelZoneBeta]
	}
	if region == "" && zone == "" {
		return ""
	}
	return region + ":\x00:" + zone
}

func (c *Cluster) nlcZone(key string) *zoneTainter {
	z := c.nlc.zones[key]
	if z == nil {
		if c.nlc.zones == nil {
			c.nlc.zones = map[string]*zoneTainter{}
		}
		z = &zoneTainter{}
		c.nlc.zones[key] = z
		c.nlc.keys = append(c.nlc.keys, key)
	}
	return z
}

// nlcEnqueue queues the NotReady node for its NoExecute taint (once).
func (c *Cluster) nlcEnqueue(n *Node) {
	z := c.nlcZone(zoneKey(n))
	for _, x := range z.queue {
		if x == n {
			return
		}
	}
	z.queue = append(z.queue, n)
}

func (c *Cluster) nlcDequeue(n *Node) {
	for _, key := range c.nlc.keys {
		z := c.nlc.zones[key]
		q := z.queue[:0]
		for _, x := range z.queue {
			if x != n {
				q = append(q, x)
			}
		}
		z.queue = q
	}
}

type zoneHealth int

const (
	zoneNormal zoneHealth = iota
	zonePartialDisruption
	zoneFullDisruption
)

// recountZone brings n's contribution to the zone counts up to date with its
// Ready condition, labels and removal, as the node lifecycle controller's
// monitor pass sees them: removed nodes and those labelled
// node.kubernetes.io/exclude-disruption are not counted. A zone is fully
// disrupted with no Ready node, partially disrupted with more than 2 and at
// least 55% NotReady nodes.
func (c *Cluster) recountZone(n *Node) {
	l := &c.nlc
	if z := n.zone; z != nil {
		l.zoneTally(z, -1)
		if n.zoneReady {
			z.ready--
		} else {
			z.notReady--
		}
		l.zoneTally(z, +1)
		n.zone = nil
	}
	if n.Removed {
		return
	}
	if _, excluded := n.Labels[LabelExcludeDisruption]; excluded {
		return
	}
	k := zoneKey(n)
	z := l.counts[k]
	if z == nil {
		if l.counts == nil {
			l.counts = map[string]*zoneCount{}
		}
		z = &zoneCount{}
		l.counts[k] = z
	}
	l.zoneTally(z, -1)
	if n.Ready {
		z.ready++
	} else {
		z.notReady++
	}
	l.zoneTally(z, +1)
	n.zone, n.zoneReady = z, n.Ready
}

// zoneTally adds (sign +1) or takes away (-1) zone z's part in the numbers of
// counted and fully disrupted zones.
func (l *nodeLifecycleState) zoneTally(z *zoneCount, sign int) {
	if z.ready+z.notReady == 0 {
		return
	}
	l.counted += sign
	if z.ready == 0 {
		l.full += sign
	}
}

// allZonesFullyDisrupted reports whether every zone with a counted node is in
// full disruption (the controller then assumes its own connectivity is at
// fault and stops all tainting).
func (c *Cluster) allZonesFullyDisrupted() bool {
	return c.nlc.counted > 0 && c.nlc.full == c.nlc.counted
}

// zoneEvictionRate is the rate at which NotReady nodes of zone key are
// NoExecute-tainted, as the controller sets each zone's limiter: none while
// every zone is fully disrupted; otherwise NodeEvictionRate in a normal zone
// and in a fully disrupted one (HealthyQPSFunc), and in partial disruption
// 0.01/s in a zone of more than 50 nodes, none in a smaller one
// (ReducedQPSFunc). A zone whose nodes are all excluded from disruption checks
// keeps the normal rate.
func (c *Cluster) zoneEvictionRate(key string) float64 {
	if c.allZonesFullyDisrupted() {
		return 0
	}
	if z := c.nlc.counts[key]; z != nil && z.health() == zonePartialDisruption {
		if z.ready+z.notReady > largeClusterThreshold {
			return secondaryEvictionRate
		}
		return 0
	}
	return c.Cfg.Timings.NodeEvictionRate
}

// handleDisruption follows the cluster into and out of "master disruption
// mode" (every zone fully disrupted). Entering it, the controller removes the
// not-ready and unreachable NoExecute taints from every node, so the taint
// eviction controller cancels the pending evictions; the NotReady nodes wait
// in their queues until some node is Ready again. n is the node whose
// condition, labels or existence changed.
func (c *Cluster) handleDisruption(n *Node) {
	c.recountZone(n)
	all := c.allZonesFullyDisrupted()
	if all == c.nlc.allFull {
		return
	}
	c.nlc.allFull = all
	if !all {
		c.scheduleTaintPass(c.Now())
		return
	}
	for _, n := range c.nodes {
		if n.Removed {
			continue
		}
		if c.removeTaints(n, TaintUnreachable, NoExecute)+c.removeTaints(n, TaintNotReady, NoExecute) > 0 {
			c.taintManagerNode(n)
		}
		if !n.Ready {
			c.nlcEnqueue(n)
		}
	}
}

// nodeEvictionPeriod is how often the node lifecycle controller runs its
// NoExecute tainting pass (a constant in Kubernetes). Zone states are updated
// at the end of each monitor pass, so nodes found NotReady in the same pass are
// counted before any of them is tainted.
const nodeEvictionPeriod = 100 * time.Millisecond

// scheduleTaintPass runs a tainting pass at t (or earlier if one is due).
func (c *Cluster) scheduleTaintPass(t sim.Time) {
	if c.nlc.timerAt != 0 && c.nlc.timerAt <= t {
		return
	}
	c.E.Cancel(c.nlc.timer)
	c.nlc.timerAt = t
	c.nlc.timer = c.E.At(t, sim.HandlerFunc(func(*sim.Engine, int64) {
		c.nlc.timerAt = 0
		c.processTaintQueue()
	}), 0)
}

// processTaintQueue NoExecute-taints queued NotReady nodes, each zone within
// its own rate limit.
func (c *Cluster) processTaintQueue() {
	now := c.Now()
	for _, key := range c.nlc.keys {
		z := c.nlc.zones[key]
		for len(z.queue) > 0 {
			rate := c.zoneEvictionRate(key)
			if rate <= 0 {
				break // waits for the zone to recover (re-checked on node transitions)
			}
			if now < z.nextTaint {
				c.scheduleTaintPass(z.nextTaint)
				break
			}
			n := z.queue[0]
			z.queue = z.queue[1:]
			z.nextTaint = now + sim.Time(1e9/rate)
			c.addTaint(n, Taint{Key: TaintUnreachable, Effect: NoExecute})
			c.taintManagerNode(n)
		}
	}
}

func (c *Cluster) addTaint(n *Node, t Taint) {
	if n.HasTaint(t.Key, t.Effect) {
		return
	}
	t.Added = c.Now()
	n.Taints = append(n.Taints, t)
	c.daemonNodeChanged(n, false)
}

// taintManagerNode re-evaluates the NoExecute evictions of every pod on n.
func (c *Cluster) taintManagerNode(n *Node) {
	for _, p := range append([]*Pod(nil), n.pods...) {
		c.taintManagerPod(p)
	}
}

// taintManagerPod is the taint eviction controller for one pod: a pod that does
// not tolerate a NoExecute taint of its node is deleted at once; one that
// tolerates them all for a limited time is deleted when the shortest
// tolerationSeconds runs out, counted from when its eviction was first
// scheduled; one that tolerates them forever stays.
func (c *Cluster) taintManagerPod(p *Pod) {
	n := p.node
	if n == nil || p.Gone || p.Terminating {
		return
	}
	var minSecs int64 = -1
	any := false
	for _, t := range n.Taints {
		if t.Effect != NoExecute {
			continue
		}
		any = true
		var used *Toleration
		for i := range p.Spec.Tolerations {
			if p.Spec.Tolerations[i].Tolerates(t) {
				used = &p.Spec.Tolerations[i]
				break
			}
		}
		if used == nil {
			c.cancelEviction(p)
			c.eventTaintEviction(p, false)
			c.DeletePod(p)
			return
		}
		if used.Seconds != nil {
			s := max(*used.Seconds, 0)
			if minSecs < 0 || s < minSecs {
				minSecs = s
			}
		}
	}
	if !any || minSecs < 0 {
		c.cancelEviction(p)
		return
	}
	at := c.Now() + sim.Time(minSecs)*1e9
	if p.evictAt() != 0 && p.later.evictSince < c.Now() {
		// An eviction scheduled before now stands as it is: a second taint
		// (or a changed toleration) neither brings it forward nor puts it
		// off, as the taint eviction controller keeps its queued work.
		return
	}
	c.cancelEviction(p)
	t := p.timers()
	t.evictAt, t.evictSince = at, c.Now()
	t.evictTimer = c.E.At(at, sim.HandlerFunc(func(*sim.Engine, int64) {
		t.evictAt = 0
		c.eventTaintEviction(p, false)
		c.DeletePod(p)
	}), 0)
}

func (c *Cluster) cancelEviction(p *Pod) {
	if p.evictAt() != 0 {
		c.E.Cancel(p.later.evictTimer)
		p.later.evictAt = 0
		c.eventTaintEviction(p, true)
	}
}

// Cordon marks the node unschedulable (kubectl cordon); the node lifecycle
// controller adds the unschedulable NoSchedule taint. Running pods stay.
func (c *Cluster) Cordon(name string) error {
	n, err := c.mustNode(name)
	if err != nil {
		return err
	}
	if !n.Unschedulable {
		c.eventNodeStatus(n, "NodeNotSchedulable", SourceKubelet)
	}
	n.Unschedulable = true
	c.addTaint(n, Taint{Key: TaintUnschedulable, Effect: NoSchedule})
	c.daemonNodeChanged(n, true)
	return nil
}

// Uncordon makes the node schedulable again.
func (c *Cluster) Uncordon(name string) error {
	n, err := c.mustNode(name)
	if err != nil {
		return err
	}
	was := n.Unschedulable
	if was {
		c.eventNodeStatus(n, "NodeSchedulable", SourceKubelet)
	}
	n.Unschedulable = false
	if c.removeTaints(n, TaintUnschedulable, NoSchedule) > 0 || was {
		c.schedNodeEvent(evNodeUncordon, n)
	}
	c.daemonNodeChanged(n, true)
	return nil
}

func (c *Cluster) removeTaints(n *Node, key string, effect TaintEffect) int {
	kept := n.Taints[:0]
	removed := 0
	for _, t := range n.Taints {
		if t.Key == key && (effect == "" || t.Effect == effect) {
			removed++
			continue
		}
		kept = append(kept, t)
	}
	n.Taints = kept
	c.daemonNodeChanged(n, false)
	return removed
}

// DrainOptions are kubectl drain's flags.
type DrainOptions struct {
	Force            bool // delete pods no controller manages
	IgnoreDaemonSets bool // leave DaemonSet pods (else drain refuses)
	// GracePeriod is kubectl drain --grace-period: negative (kubectl's default,
	// -1) gives each pod its own terminationGracePeriodSeconds, 0 deletes at
	// once, a positive value overrides.
	GracePeriod sim.Time
}

// Drain cordons the node and evicts its pods as kubectl drain does, returning
// the evicted pods. DaemonSet pods make it fail unless IgnoreDaemonSets (then
// they stay); pods without a controller make it fail unless Force. On failure
// the node stays cordoned and nothing is evicted.
func (c *Cluster) Drain(name string, o DrainOptions) ([]*Pod, error) {
	n, err := c.mustNode(name)
	if err != nil {
		return nil, err
	}
	if err := c.Cordon(name); err != nil {
		return nil, err
	}
	var evict []*Pod
	var daemon, unmanaged []string
	for _, p := range n.pods {
		if p.Gone || p.Terminating {
			continue
		}
		switch {
		case p.ds != nil:
			if !o.IgnoreDaemonSets {
				daemon = append(daemon, p.Namespace+"/"+p.Name)
			}
		case p.Owner == nil && !o.Force:
			unmanaged = append(unmanaged, p.Namespace+"/"+p.Name)
		default:
			evict = append(evict, p)
		}
	}
	var errs []string
	if len(daemon) > 0 {
		sort.Strings(daemon)
		errs = append(errs, "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): "+strings.Join(daemon, ", "))
	}
	if len(unmanaged) > 0 {
		sort.Strings(unmanaged)
		errs = append(errs, "cannot delete Pods that declare no controller (use --force to override): "+strings.Join(unmanaged, ", "))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("unable to drain node %q due to error: [%s]", name, strings.Join(errs, ", "))
	}
	for _, p := range evict {
		c.DeletePodGrace(p, o.GracePeriod)
	}
	return evict, nil
}

// TaintNode adds a taint (kubectl taint nodes NAME key=value:Effect). A taint
// with the same key and effect must be removed first (kubectl without
// --overwrite). A NoExecute taint evicts the pods that do not tolerate it.
func (c *Cluster) TaintNode(name string, t Taint) error {
	n, err := c.mustNode(name)
	if err != nil {
		return err
	}
	if err := validateTaint(t); err != nil {
		return err
	}
	if n.HasTaint(t.Key, t.Effect) {
		return fmt.Errorf("node %s already has %s taint(s) with same effect(s) and --overwrite is false", name, t.Key)
	}
	c.addTaint(n, t)
	if t.Effect == NoExecute {
		c.taintManagerNode(n)
	}
	c.daemonNodeChanged(n, true)
	return nil
}

// UntaintNode removes the taints with key and effect ("" for every effect), as
// kubectl taint nodes NAME key:Effect- does.
func (c *Cluster) UntaintNode(name, key string, effect TaintEffect) error {
	n, err := c.mustNode(name)
	if err != nil {
		return err
	}
	if c.removeTaints(n, key, effect) == 0 {
		return fmt.Errorf("taint %q not found", key+":"+string(effect))
	}
	if key == TaintUnschedulable {
		n.Unschedulable = false
	}
	c.taintManagerNode(n)
	c.schedNodeEvent(evNodeTaintRemoved|evNodeUncordon, n)
	c.daemonNodeChanged(n, true)
	return nil
}

// SetNodeLabels replaces the node's labels (kubectl label node); the hostname
// label stays. Running pods are not affected (IgnoredDuringExecution), except
// daemon pods whose node no longer matches their DaemonSet.
func (c *Cluster) SetNodeLabels(name string, lbls map[string]string) error {
	n, err := c.mustNode(name)
	if err != nil {
		return err
	}
	if err := labels.ValidateLabels(lbls); err != nil {
		return fmt.Errorf("node %q: %v", name, err)
	}
	l := copyLabels(lbls)
	if l == nil {
		l = map[string]string{}
	}
	l[LabelHostname] = name
	n.Labels = l
	c.touch(&n.ObjectMeta)
	c.treeRelabel(n)
	c.schedNodeEvent(evNodeLabels, n)
	c.daemonNodeChanged(n, true)
	c.handleDisruption(n)
	return nil
}

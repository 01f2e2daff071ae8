package model

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/sim"
)

// nodeLifecycleState is the node lifecycle controller's rate limiter of
// NoExecute tainting (token bucket, burst 1).
type nodeLifecycleState struct {
	queue     []*Node // NotReady nodes waiting for their NoExecute taint
	nextTaint sim.Time
	timer     sim.Timer
	timerAt   sim.Time
}

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
	l := copyLabels(lbls)
	if l == nil {
		l = map[string]string{}
	}
	l[LabelHostname] = name
	if capacity.Pods == 0 {
		capacity.Pods = 110
	}
	now := c.Now()
	n := &Node{Name: name, Labels: l, Taints: append([]Taint(nil), taints...), Capacity: capacity,
		Up: true, Ready: true, ReadyAt: now, images: map[string]sim.Time{}, seq: len(c.nodes),
		hbBase: now, hbPhase: sim.Time(c.hbRand.Int64N(int64(c.Cfg.Timings.NodeStatusUpdate)))}
	for i := range n.Taints {
		n.Taints[i].Added = now
	}
	c.nodes = append(c.nodes, n)
	c.nodeByName[name] = n
	c.Rec.nodeChanged(n)
	c.moveAllToActive()
	c.enqueueAllDaemonSets()
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
	c.E.Cancel(n.monitorTimer)
	c.nlcDequeue(n)
	for _, p := range n.pods {
		c.killContainer(p)
		c.E.Cancel(p.evictTimer)
		p.evictAt = 0
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
	c.Rec.nodeChanged(n)
	c.enqueueAllDaemonSets()
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
	now := c.Now()
	for _, p := range n.pods {
		c.killContainer(p)
	}
	for img, at := range n.images {
		if at > now {
			delete(n.images, img) // an interrupted pull
		}
	}
	n.pullFreeAt = now
	if n.Ready {
		deadline := c.lastHeartbeat(n, now) + c.Cfg.Timings.NodeMonitorGracePeriod
		c.E.Cancel(n.monitorTimer)
		n.monitorTimer = c.E.At(c.nextMonitorTick(deadline), sim.HandlerFunc(func(*sim.Engine, int64) {
			c.nodeNotReady(n)
		}), 0)
	}
	c.Rec.nodeChanged(n)
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
	c.addTaint(n, Taint{Key: TaintUnreachable, Effect: NoSchedule})
	for _, p := range n.pods {
		if p.Ready {
			p.Ready = false
			c.podChanged(p)
		}
	}
	c.nlc.queue = append(c.nlc.queue, n)
	c.scheduleTaintPass(c.Now() + nodeEvictionPeriod)
	c.Rec.nodeChanged(n)
	c.enqueueAllDaemonSets()
}

// nodeUp: the machine is back; the kubelet heartbeats again, finishes the
// deletion of the pods deleted while it was away, and restarts the containers
// of the others.
func (c *Cluster) nodeUp(n *Node) {
	n.Up = true
	now := c.Now()
	n.hbBase = now
	for _, p := range append([]*Pod(nil), n.pods...) {
		if p.Terminating {
			c.removePod(p)
			continue
		}
		if p.Started > 0 {
			p.Restarts++
		}
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
	c.Rec.nodeChanged(n)
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
	c.moveAllToActive()
	c.enqueueAllDaemonSets()
	c.scheduleTaintPass(c.Now() + nodeEvictionPeriod)
	c.Rec.nodeChanged(n)
}

func (c *Cluster) nlcDequeue(n *Node) {
	q := c.nlc.queue[:0]
	for _, x := range c.nlc.queue {
		if x != n {
			q = append(q, x)
		}
	}
	c.nlc.queue = q
}

// zoneEvictionRate is the rate at which nodes of n's zone are NoExecute-tainted:
// NodeEvictionRate when the zone is healthy, none in full disruption (no Ready
// node), and in partial disruption (> 2 and >= 55% NotReady) 0.01/s above 50
// nodes, none below.
func (c *Cluster) zoneEvictionRate(n *Node) float64 {
	zone := n.Labels[LabelZone]
	ready, notReady, all := 0, 0, 0
	for _, m := range c.nodes {
		if m.Removed {
			continue
		}
		all++
		if m.Labels[LabelZone] != zone {
			continue
		}
		if m.Ready {
			ready++
		} else {
			notReady++
		}
	}
	switch {
	case ready == 0 && notReady > 0:
		return 0
	case notReady > 2 && float64(notReady)/float64(notReady+ready) >= 0.55:
		if all > 50 {
			return 0.01
		}
		return 0
	}
	return c.Cfg.Timings.NodeEvictionRate
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

// processTaintQueue NoExecute-taints queued NotReady nodes within the rate
// limit of their zone.
func (c *Cluster) processTaintQueue() {
	for len(c.nlc.queue) > 0 {
		n := c.nlc.queue[0]
		rate := c.zoneEvictionRate(n)
		if rate <= 0 {
			return // waits for the zone to recover (re-checked on node transitions)
		}
		now := c.Now()
		if now < c.nlc.nextTaint {
			c.scheduleTaintPass(c.nlc.nextTaint)
			return
		}
		c.nlc.queue = c.nlc.queue[1:]
		c.nlc.nextTaint = now + sim.Time(1e9/rate)
		c.addTaint(n, Taint{Key: TaintUnreachable, Effect: NoExecute})
		c.taintManagerNode(n)
	}
}

func (c *Cluster) addTaint(n *Node, t Taint) {
	if n.HasTaint(t.Key, t.Effect) {
		return
	}
	t.Added = c.Now()
	n.Taints = append(n.Taints, t)
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
// tolerationSeconds runs out; one that tolerates them forever stays.
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
	if p.evictAt != 0 && p.evictAt <= at {
		return // an earlier eviction is already scheduled
	}
	c.cancelEviction(p)
	p.evictAt = at
	p.evictTimer = c.E.At(at, sim.HandlerFunc(func(*sim.Engine, int64) {
		p.evictAt = 0
		c.DeletePod(p)
	}), 0)
}

func (c *Cluster) cancelEviction(p *Pod) {
	if p.evictAt != 0 {
		c.E.Cancel(p.evictTimer)
		p.evictAt = 0
	}
}

// Cordon marks the node unschedulable (kubectl cordon); the node lifecycle
// controller adds the unschedulable NoSchedule taint. Running pods stay.
func (c *Cluster) Cordon(name string) error {
	n, err := c.mustNode(name)
	if err != nil {
		return err
	}
	n.Unschedulable = true
	c.addTaint(n, Taint{Key: TaintUnschedulable, Effect: NoSchedule})
	c.enqueueAllDaemonSets()
	return nil
}

// Uncordon makes the node schedulable again.
func (c *Cluster) Uncordon(name string) error {
	n, err := c.mustNode(name)
	if err != nil {
		return err
	}
	n.Unschedulable = false
	c.removeTaints(n, TaintUnschedulable, NoSchedule)
	c.moveAllToActive()
	c.enqueueAllDaemonSets()
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
	c.enqueueAllDaemonSets()
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
	c.moveAllToActive()
	c.enqueueAllDaemonSets()
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
	c.moveAllToActive()
	c.enqueueAllDaemonSets()
	return nil
}

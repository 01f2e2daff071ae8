package autoscaler

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// NodeGroup is a group of identical nodes the autoscaler may add and remove
// (a cloud provider's node pool or auto scaling group).
type NodeGroup struct {
	Name string
	// Machine is each node's capacity (allocatable).
	Machine model.Resources
	Labels  map[string]string
	Taints  []model.Taint
	// Min and Max bound the group's size; the group starts with Min nodes.
	Min, Max int
	// ProvisioningDelay is the time from scale-up to the node being Ready.
	ProvisioningDelay sim.DistSpec
	// CostPerHour is the price of one node for an hour.
	CostPerHour float64
	// Priority is the priority expander's value for the group (higher wins).
	Priority int
}

// Expanders.
const (
	LeastWaste = "least-waste"
	MostPods   = "most-pods"
	Priority   = "priority"
	Random     = "random"
)

// Expanders lists the expanders, for messages.
var Expanders = []string{LeastWaste, MostPods, Priority, Random}

// Config is the autoscaler's flags. Zero values mean cluster-autoscaler's
// defaults (see withDefaults): a zero threshold or time cannot be asked for.
type Config struct {
	// Expander is --expander: least-waste (default), most-pods, priority, random.
	Expander string
	// ScanInterval is --scan-interval (10 s).
	ScanInterval sim.Time
	// ScaleDownUnneededTime is --scale-down-unneeded-time (10 min).
	ScaleDownUnneededTime sim.Time
	// ScaleDownDelayAfterAdd is --scale-down-delay-after-add (10 min).
	ScaleDownDelayAfterAdd sim.Time
	// ScaleDownDelayAfterDelete is --scale-down-delay-after-delete (0: the scan interval).
	ScaleDownDelayAfterDelete sim.Time
	// ScaleDownDelayAfterFailure is --scale-down-delay-after-failure (3 min).
	ScaleDownDelayAfterFailure sim.Time
	// ScaleDownUtilizationThreshold is --scale-down-utilization-threshold (0.5).
	ScaleDownUtilizationThreshold float64
	// MaxNodesTotal is --max-nodes-total (0: no limit).
	MaxNodesTotal int
	// MaxGracefulTermination is --max-graceful-termination-sec (10 min).
	MaxGracefulTermination sim.Time
	// ScaleDownDisabled is --scale-down-enabled=false.
	ScaleDownDisabled bool
}

// DefaultConfig is cluster-autoscaler's defaults.
func DefaultConfig() Config {
	return Config{
		Expander:                      LeastWaste,
		ScanInterval:                  10 * time.Second,
		ScaleDownUnneededTime:         10 * time.Minute,
		ScaleDownDelayAfterAdd:        10 * time.Minute,
		ScaleDownDelayAfterFailure:    3 * time.Minute,
		ScaleDownUtilizationThreshold: 0.5,
		MaxGracefulTermination:        10 * time.Minute,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Expander == "" {
		c.Expander = d.Expander
	}
	if c.ScanInterval <= 0 {
		c.ScanInterval = d.ScanInterval
	}
	if c.ScaleDownDelayAfterDelete <= 0 {
		c.ScaleDownDelayAfterDelete = c.ScanInterval
	}
	if c.ScaleDownUnneededTime <= 0 {
		c.ScaleDownUnneededTime = d.ScaleDownUnneededTime
	}
	if c.ScaleDownDelayAfterAdd <= 0 {
		c.ScaleDownDelayAfterAdd = d.ScaleDownDelayAfterAdd
	}
	if c.ScaleDownDelayAfterFailure <= 0 {
		c.ScaleDownDelayAfterFailure = d.ScaleDownDelayAfterFailure
	}
	if c.ScaleDownUtilizationThreshold <= 0 {
		c.ScaleDownUtilizationThreshold = d.ScaleDownUtilizationThreshold
	}
	if c.MaxGracefulTermination <= 0 {
		c.MaxGracefulTermination = d.MaxGracefulTermination
	}
	return c
}

// Validate reports a bad setting, naming its field.
func (c Config) Validate() error {
	ok := false
	for _, e := range Expanders {
		ok = ok || c.Expander == e
	}
	if c.Expander != "" && !ok {
		return fmt.Errorf("expander: %q is not an expander: want one of %s", c.Expander, strings.Join(Expanders, ", "))
	}
	return nil
}

// Validate reports what is wrong with the group, naming the field.
func (g NodeGroup) Validate() error {
	switch {
	case g.Name == "":
		return fmt.Errorf("name: every node group needs a name")
	case g.Min < 0:
		return fmt.Errorf("min: %d is negative", g.Min)
	case g.Max < 1:
		return fmt.Errorf("max: %d: a group needs a max of at least 1", g.Max)
	case g.Min > g.Max:
		return fmt.Errorf("min (%d) is above max (%d)", g.Min, g.Max)
	case g.Machine.MilliCPU <= 0 || g.Machine.Memory <= 0:
		return fmt.Errorf("machine: cpu and memory are required (e.g. machine: {cpu: \"4\", memory: 16Gi})")
	case g.CostPerHour < 0:
		return fmt.Errorf("costPerHour: %v is negative", g.CostPerHour)
	}
	return g.ProvisioningDelay.Validate()
}

// Event is an event the autoscaler recorded, aggregated as kubectl shows
// events: Count times between First and Last.
type Event struct {
	Type        string // Normal or Warning
	Reason      string
	Object      string // pod/NAME, node/NAME or configmap/cluster-autoscaler-status
	Message     string
	Count       int
	First, Last sim.Time
}

// Point is a value from a time on (a step function).
type Point struct {
	T sim.Time
	V int
}

// group is a NodeGroup at run time.
type group struct {
	NodeGroup
	delay    sim.Dist
	nodes    []*model.Node // registered, in order
	upcoming int           // launched, not yet Ready
	seq      int           // nodes named so far
	launched map[string]sim.Time
	billed   sim.Time // node-time of deleted nodes
	peak     int
	series   []Point // registered nodes over time
}

func (g *group) target() int { return len(g.nodes) + g.upcoming }

// Autoscaler is a running cluster autoscaler.
type Autoscaler struct {
	c      *model.Cluster
	cfg    Config
	groups []*group
	rnd    *rand.Rand

	lastScaleUp, lastDelete, lastFail sim.Time
	scaledUpEver                      bool
	unneeded                          map[*model.Node]sim.Time
	deleting                          map[*model.Node]bool
	groupOf                           map[*model.Node]*group

	events  []*Event
	evIndex map[string]*Event
	pending []Point // unschedulable pods over time
	status  string

	// The status ConfigMap (status.go): its UID's stream, its UID, and when
	// each of its conditions last changed.
	statusRand *rand.Rand
	statusUID  string
	trans      transitions
}

// New returns an autoscaler for c with the given groups. Start adds the
// groups' min nodes and starts the loop.
func New(c *model.Cluster, cfg Config, groups []NodeGroup) (*Autoscaler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &Autoscaler{c: c, cfg: cfg.withDefaults(), rnd: c.E.Stream("cluster-autoscaler"),
		unneeded: map[*model.Node]sim.Time{}, deleting: map[*model.Node]bool{}, groupOf: map[*model.Node]*group{},
		evIndex: map[string]*Event{}, trans: transitions{}}
	seen := map[string]bool{}
	for _, ng := range groups {
		if err := ng.Validate(); err != nil {
			return nil, fmt.Errorf("node group %q: %v", ng.Name, err)
		}
		if seen[ng.Name] {
			return nil, fmt.Errorf("node group %q is declared twice", ng.Name)
		}
		seen[ng.Name] = true
		a.groups = append(a.groups, &group{NodeGroup: ng, delay: ng.ProvisioningDelay.New(c.E.Stream("cluster-autoscaler/" + ng.Name)),
			launched: map[string]sim.Time{}})
	}
	return a, nil
}

// Start adds each group's min nodes (Ready at once) and schedules the loop
// every scan interval.
func (a *Autoscaler) Start() error {
	for _, g := range a.groups {
		for i := 0; i < g.Min; i++ {
			name := a.nextName(g)
			g.launched[name] = a.c.Now()
			if err := a.register(g, name); err != nil {
				return err
			}
		}
		a.recordNodes(g)
	}
	a.writeStatus(false)
	a.c.E.After(a.cfg.ScanInterval, sim.HandlerFunc(a.tick), 0)
	return nil
}

func (a *Autoscaler) tick(e *sim.Engine, _ int64) {
	a.RunOnce()
	e.After(a.cfg.ScanInterval, sim.HandlerFunc(a.tick), 0)
}

func (a *Autoscaler) nextName(g *group) string {
	g.seq++
	return fmt.Sprintf("%s-%d", g.Name, g.seq)
}

func (a *Autoscaler) register(g *group, name string) error {
	n, err := a.c.AddNode(name, g.Labels, g.Taints, g.Machine)
	if err != nil {
		return fmt.Errorf("node group %q: %v", g.Name, err)
	}
	g.nodes = append(g.nodes, n)
	a.groupOf[n] = g
	return nil
}

func (a *Autoscaler) recordNodes(g *group) {
	n := len(g.nodes)
	g.peak = max(g.peak, n)
	if k := len(g.series); k > 0 && g.series[k-1].V == n {
		return
	}
	if k := len(g.series); k > 0 && g.series[k-1].T == a.c.Now() {
		g.series[k-1].V = n
		return
	}
	g.series = append(g.series, Point{a.c.Now(), n})
}

// statusRef is the cluster-autoscaler-status configmap, which the
// autoscaler's group-level events are about.
var statusRef = model.ObjectRef{Kind: "ConfigMap", Namespace: "kube-system", Name: "cluster-autoscaler-status"}

// event records an event about obj, aggregated in the autoscaler's own list
// and handed to the cluster's event sink (source cluster-autoscaler).
func (a *Autoscaler) event(typ, reason string, obj model.ObjectRef, msg string) {
	if obj == statusRef {
		obj.UID = a.statusUID
	}
	a.c.Emit(obj, typ, reason, msg, Source)
	object := strings.ToLower(obj.Kind) + "/" + obj.Name
	key := typ + "\x00" + reason + "\x00" + object + "\x00" + msg
	now := a.c.Now()
	if ev := a.evIndex[key]; ev != nil {
		ev.Count++
		ev.Last = now
		return
	}
	ev := &Event{Type: typ, Reason: reason, Object: object, Message: msg, Count: 1, First: now, Last: now}
	a.evIndex[key] = ev
	a.events = append(a.events, ev)
}

// Source is the autoscaler's events' source component.
const Source = "cluster-autoscaler"

// RunOnce is one iteration of the loop (normally every scan interval).
func (a *Autoscaler) RunOnce() {
	for _, g := range a.groups {
		kept := g.nodes[:0]
		for _, n := range g.nodes {
			if !n.Removed {
				kept = append(kept, n)
			} else {
				a.forget(g, n)
			}
		}
		g.nodes = kept
		a.recordNodes(g)
	}
	scaledUp := a.scaleUp()
	if !a.cfg.ScaleDownDisabled {
		a.scaleDown(scaledUp)
	}
	a.writeStatus(true)
}

// forget bills a node that is gone.
func (a *Autoscaler) forget(g *group, n *model.Node) {
	if t, ok := g.launched[n.Name]; ok {
		g.billed += a.c.Now() - t
		delete(g.launched, n.Name)
	}
	delete(a.unneeded, n)
	delete(a.deleting, n)
	delete(a.groupOf, n)
}

// simNode is a node in a simulation: a real node or a template, with the
// requests placed on it so far.
type simNode struct {
	n     *model.Node
	extra model.Resources
	pods  int
	// placed is the pods the simulation put here (their host ports are
	// taken on the node).
	placed []*model.Pod
	off    bool // not a place for pods (a node being emptied in the simulation)
}

// liveNodes is the nodes pods may go to: existing, not being deleted.
func (a *Autoscaler) liveNodes() []*simNode {
	var out []*simNode
	for _, n := range a.c.Nodes() {
		if n.Up && n.Ready && !a.deleting[n] {
			out = append(out, &simNode{n: n})
		}
	}
	return out
}

func (a *Autoscaler) template(g *group) (*model.Node, model.Resources) {
	t := model.TemplateNode(g.Name+"-template", g.Labels, g.Taints, g.Machine)
	return t, a.c.DaemonPodRequests(t)
}

// firstFit places p on the first node of nodes it fits, adding its requests
// there; false if none.
func firstFit(p *model.Pod, nodes []*simNode) bool { return place(p, nodes) != nil }

// place is firstFit returning the node p went to (nil if none); nodes that
// are off are skipped.
func place(p *model.Pod, nodes []*simNode) *simNode {
	for _, s := range nodes {
		if !s.off && model.PodFits(p, s.n, s.extra, s.placed...) == "" {
			s.extra = s.extra.Add(p.Requests())
			s.pods++
			s.placed = append(s.placed, p)
			return s
		}
	}
	return nil
}

// Option is a way to scale up: NodeCount nodes of Group would take Pods.
type Option struct {
	Group     string
	NodeCount int
	Pods      []*model.Pod
	// machine is the group's node capacity (least-waste's denominator).
	machine  model.Resources
	priority int
}

func (a *Autoscaler) unschedulable() []*model.Pod {
	var out []*model.Pod
	for _, p := range a.c.Pods() {
		// DaemonSet pods are left out (FilterOutDaemonSetPodListProcessor).
		if p.Unschedulable() && !p.IsDaemon() {
			out = append(out, p)
		}
	}
	return out
}

func (a *Autoscaler) totalNodes() int {
	n := len(a.c.Nodes())
	for _, g := range a.groups {
		n += g.upcoming
	}
	return n
}

// scaleUp runs the scale-up half of the loop; true if a group grew.
func (a *Autoscaler) scaleUp() bool {
	pods := a.unschedulable()
	// filterOutSchedulable: pods that fit on existing nodes or on nodes on
	// their way need no new node.
	nodes := a.liveNodes()
	for _, g := range a.groups {
		t, ds := a.template(g)
		for i := 0; i < g.upcoming; i++ {
			nodes = append(nodes, &simNode{n: t, extra: ds})
		}
	}
	a.recordPending(len(pods))
	var rest []*model.Pod
	for _, p := range pods {
		if !firstFit(p, nodes) {
			rest = append(rest, p)
		}
	}
	if len(rest) == 0 {
		return false
	}
	var options []Option
	reasons := map[*model.Pod][]string{}
	room := -1
	if a.cfg.MaxNodesTotal > 0 {
		room = max(a.cfg.MaxNodesTotal-a.totalNodes(), 0)
	}
	for _, g := range a.groups {
		limit := g.Max - g.target()
		if room >= 0 {
			limit = min(limit, room)
		}
		t, ds := a.template(g)
		o := estimate(g.Name, t, ds, rest, limit, reasons)
		if o.NodeCount > 0 {
			o.machine, o.priority = g.Machine, g.Priority
			options = append(options, o)
		}
	}
	helped := map[*model.Pod]bool{}
	if len(options) == 0 {
		for _, p := range rest {
			a.event("Normal", "NotTriggerScaleUp", model.PodRef(p), "pod didn't trigger scale-up: "+summarise(reasons[p]))
		}
		a.status = fmt.Sprintf("ScaleUp: NoActivity (%d unschedulable pods fit no node group)", len(rest))
		return false
	}
	best := a.expand(options)
	var g *group
	for _, x := range a.groups {
		if x.Name == best.Group {
			g = x
		}
	}
	from := g.target()
	to := from + best.NodeCount
	now := a.c.Now()
	for i := 0; i < best.NodeCount; i++ {
		name := a.nextName(g)
		g.launched[name] = now
		g.upcoming++
		delay := g.delay.Sample()
		a.c.E.After(delay, sim.HandlerFunc(func(*sim.Engine, int64) {
			g.upcoming--
			if err := a.register(g, name); err != nil {
				a.event("Warning", "FailedToScaleUpGroup", statusRef, err.Error())
				delete(g.launched, name)
				return
			}
			a.recordNodes(g)
		}), 0)
	}
	a.event("Normal", "ScaledUpGroup", statusRef,
		fmt.Sprintf("Scale-up: setting group %s size to %d instead of %d (max: %d)", g.Name, to, from, g.Max))
	msg := fmt.Sprintf("pod triggered scale-up: [{%s %d->%d (max: %d)}]", g.Name, from, to, g.Max)
	for _, p := range best.Pods {
		helped[p] = true
		a.event("Normal", "TriggeredScaleUp", model.PodRef(p), msg)
	}
	for _, p := range rest {
		if !helped[p] {
			a.event("Normal", "NotTriggerScaleUp", model.PodRef(p), "pod didn't trigger scale-up: "+summarise(reasons[p]))
		}
	}
	a.lastScaleUp, a.scaledUpEver = now, true
	a.status = fmt.Sprintf("ScaleUp: InProgress (group %s %d->%d)", g.Name, from, to)
	return true
}

func (a *Autoscaler) recordPending(n int) {
	if k := len(a.pending); k > 0 && a.pending[k-1].V == n {
		return
	}
	a.pending = append(a.pending, Point{a.c.Now(), n})
}

// summarise counts reasons as NotTriggerScaleUp does: "1 Insufficient cpu, 2
// max node group size reached".
func summarise(rs []string) string {
	if len(rs) == 0 {
		return "no node group to scale"
	}
	count := map[string]int{}
	var order []string
	for _, r := range rs {
		if count[r] == 0 {
			order = append(order, r)
		}
		count[r]++
	}
	sort.Strings(order)
	parts := make([]string, len(order))
	for i, r := range order {
		parts[i] = fmt.Sprintf("%d %s", count[r], r)
	}
	return strings.Join(parts, ", ")
}

// estimate is the binpacking estimator for one group: the pods, largest first
// (CPU and memory as fractions of the template's), go first fit onto new
// template nodes, at most limit of them. Pods that fit no empty template have
// the reason added to reasons.
func estimate(name string, t *model.Node, ds model.Resources, pods []*model.Pod, limit int, reasons map[*model.Pod][]string) Option {
	o := Option{Group: name}
	score := func(p *model.Pod) float64 {
		r := p.Requests()
		return float64(r.MilliCPU)/float64(t.Capacity.MilliCPU) + float64(r.Memory)/float64(t.Capacity.Memory)
	}
	sorted := append([]*model.Pod(nil), pods...)
	sort.SliceStable(sorted, func(i, j int) bool { return score(sorted[i]) > score(sorted[j]) })
	var nodes []*simNode
	for _, p := range sorted {
		if firstFit(p, nodes) {
			o.Pods = append(o.Pods, p)
			continue
		}
		if r := model.PodFits(p, t, ds); r != "" {
			reasons[p] = append(reasons[p], r)
			continue
		}
		if len(nodes) >= limit {
			reasons[p] = append(reasons[p], "max node group size reached")
			continue
		}
		s := &simNode{n: t, extra: ds}
		nodes = append(nodes, s)
		firstFit(p, nodes[len(nodes)-1:])
		o.Pods = append(o.Pods, p)
	}
	o.NodeCount = len(nodes)
	return o
}

// expand picks the option the expander prefers; ties are broken at random
// (cluster-autoscaler's fallback to the random expander).
func (a *Autoscaler) expand(options []Option) Option {
	best := BestOptions(a.cfg.Expander, options)
	if len(best) == 1 {
		return best[0]
	}
	return best[a.rnd.IntN(len(best))]
}

// BestOptions is the expander's choice: the options it ranks best (more than
// one on a tie; every option for random).
func BestOptions(expander string, options []Option) []Option {
	var best []Option
	var bestScore float64
	for _, o := range options {
		var s float64
		switch expander {
		case LeastWaste, "":
			s = -Waste(o)
		case MostPods:
			s = float64(len(o.Pods))
		case Priority:
			s = float64(o.priority)
		default:
			return options
		}
		switch {
		case best == nil || s > bestScore:
			best, bestScore = []Option{o}, s
		case s == bestScore:
			best = append(best, o)
		}
	}
	return best
}

// Waste is least-waste's score of an option: the fraction of the new nodes'
// CPU left idle by the pods plus the fraction of their memory left idle.
func Waste(o Option) float64 {
	var cpu, mem int64
	for _, p := range o.Pods {
		r := p.Requests()
		cpu += r.MilliCPU
		mem += r.Memory
	}
	availCPU := o.machine.MilliCPU * int64(o.NodeCount)
	availMem := o.machine.Memory * int64(o.NodeCount)
	return float64(availCPU-cpu)/float64(availCPU) + float64(availMem-mem)/float64(availMem)
}

// NewOption is an option for tests and tools: count nodes of a machine
// taking pods, with the priority expander's value.
func NewOption(group string, machine model.Resources, count int, pods []*model.Pod, priority int) Option {
	return Option{Group: group, NodeCount: count, Pods: pods, machine: machine, priority: priority}
}

// GroupStatus is a node group at the current time.
type GroupStatus struct {
	Name     string
	Min, Max int
	// Ready is the group's registered nodes; Upcoming those launched and not
	// yet Ready; Peak the most registered at once.
	Ready, Upcoming, Peak int
	// NodeHours is the billed node-time so far; Cost NodeHours x CostPerHour.
	NodeHours, CostPerHour, Cost float64
	// Nodes is the registered nodes over time.
	Nodes []Point
}

// Groups returns every group's status now, in declaration order.
func (a *Autoscaler) Groups() []GroupStatus {
	now := a.c.Now()
	out := make([]GroupStatus, 0, len(a.groups))
	for _, g := range a.groups {
		billed := g.billed
		for _, t := range g.launched {
			billed += now - t
		}
		h := billed.Hours()
		out = append(out, GroupStatus{Name: g.Name, Min: g.Min, Max: g.Max, Ready: len(g.nodes), Upcoming: g.upcoming,
			Peak: g.peak, NodeHours: h, CostPerHour: g.CostPerHour, Cost: h * g.CostPerHour,
			Nodes: append([]Point(nil), g.series...)})
	}
	return out
}

// Pending is the unschedulable pods (DaemonSet pods aside) over time, as
// each loop saw them.
func (a *Autoscaler) Pending() []Point { return append([]Point(nil), a.pending...) }

// Events returns the recorded events, in order of first occurrence.
func (a *Autoscaler) Events() []Event {
	out := make([]Event, len(a.events))
	for i, e := range a.events {
		out[i] = *e
	}
	return out
}

// Unneeded returns the nodes found unneeded, with since when, in node order.
func (a *Autoscaler) Unneeded() map[string]sim.Time {
	out := map[string]sim.Time{}
	for n, t := range a.unneeded {
		out[n.Name] = t
	}
	return out
}

// GroupOf returns the name of the group a node belongs to ("" if none).
func (a *Autoscaler) GroupOf(n *model.Node) string {
	if g := a.groupOf[n]; g != nil {
		return g.Name
	}
	return ""
}

// LastActivity is the last scale-up or scale-down status line.
func (a *Autoscaler) LastActivity() string { return a.status }

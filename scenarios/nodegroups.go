package scenarios

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model/autoscaler"
	"github.com/kubesim/kubesim/sim"
	"go.yaml.in/yaml/v3"
)

// MaxGroupNodes bounds a node group's max (and so what the autoscaler may
// add): the same bound as a scenario's nodes.
const MaxGroupNodes = MaxNodes

// nodeGroupRanges is the range of every numeric field of a node group, as
// settingRanges is for config: (TestNodeGroupRanges keeps it complete).
var nodeGroupRanges = map[string]settingRange{
	"min":         {Min: 0, Max: MaxGroupNodes, Why: "the nodes the group keeps (it starts with them)"},
	"max":         {Min: 1, Max: MaxGroupNodes, Why: "the most nodes the autoscaler may give the group"},
	"costPerHour": {Min: 0, Max: 1e6, Why: "the price of one node for an hour"},
	"priority":    {Min: math.MinInt32, Max: math.MaxInt32, Why: "the priority expander's value (higher wins)"},
}

// nodeGroupFields are the fields of a node group, in the order the README
// lists them.
var nodeGroupFields = []string{"name", "machine", "min", "max", "labels", "taints", "provisioningDelay", "costPerHour", "priority"}

// DefaultProvisioningDelay is a node group's provisioning delay when it sets
// none: a cloud VM is Ready one to two minutes after it is asked for (the
// cluster autoscaler FAQ's "usually 1-2 minutes" for scale-up on GCE/AWS).
const DefaultProvisioningDelay = "uniform(60s,120s)"

// groupName is a DNS-1123 label short enough to name nodes NAME-N.
var groupName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,48}[a-z0-9])?$`)

// nodeGroups reads cluster.nodeGroups.
func (p *fileParser) nodeGroups(n *yaml.Node) []autoscaler.NodeGroup {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "cluster.nodeGroups: want a list of node groups, each with %s", strings.Join(nodeGroupFields, ", "))
		return nil
	}
	var out []autoscaler.NodeGroup
	seen := map[string]bool{}
	for i, gn := range n.Content {
		where := fmt.Sprintf("cluster.nodeGroups[%d]", i)
		g := autoscaler.NodeGroup{Machine: DefaultNodeCapacity}
		g.ProvisioningDelay, _ = sim.ParseDist(DefaultProvisioningDelay)
		haveMax := false
		p.fields(gn, where, nodeGroupFields, func(k string, v *yaml.Node) {
			switch k {
			case "name":
				g.Name = p.str(v, where+".name")
				if !groupName.MatchString(g.Name) {
					p.errorf(v, "%s.name: %q is not a valid group name: it names the nodes (NAME-1, NAME-2, ...) and their label; use lower-case letters, digits and '-'", where, g.Name)
				}
			case "machine":
				g.Machine = p.capacity(v, where+".machine", DefaultNodeCapacity)
			case "min":
				g.Min = int(p.groupNumber(v, where, k))
			case "max":
				g.Max, haveMax = int(p.groupNumber(v, where, k)), true
			case "labels":
				g.Labels = p.stringMap(v, where+".labels")
			case "taints":
				if v.Kind != yaml.SequenceNode {
					p.errorf(v, "%s.taints: want a list such as [\"dedicated=batch:NoSchedule\"]", where)
					return
				}
				for _, t := range v.Content {
					taint, err := ParseTaint(p.str(t, where+".taints"))
					if err != nil {
						p.errorf(t, "%s.taints: %v", where, err)
						continue
					}
					g.Taints = append(g.Taints, taint)
				}
			case "provisioningDelay":
				d, err := sim.ParseDist(p.str(v, where+".provisioningDelay"))
				if err != nil {
					p.errorf(v, "%s.provisioningDelay: %v", where, err)
					return
				}
				g.ProvisioningDelay = d
			case "costPerHour":
				g.CostPerHour = p.groupNumber(v, where, k)
			case "priority":
				g.Priority = int(p.groupNumber(v, where, k))
			}
		})
		if g.Name == "" {
			p.errorf(gn, "%s: every node group needs a name", where)
			continue
		}
		if !haveMax {
			p.errorf(gn, "%s: max is required: the most nodes the autoscaler may give group %s (e.g. max: 10)", where, g.Name)
		}
		if haveMax && g.Min > g.Max {
			p.errorf(gn, "%s: min (%d) is above max (%d); give a min at most max", where, g.Min, g.Max)
		}
		if seen[g.Name] {
			p.errorf(gn, "%s: node group %q is declared twice; give each group its own name", where, g.Name)
		}
		seen[g.Name] = true
		out = append(out, g)
	}
	return out
}

// groupNumber reads a numeric field of a node group and checks its range.
func (p *fileParser) groupNumber(v *yaml.Node, where, k string) float64 {
	r := nodeGroupRanges[k]
	s := p.str(v, where+"."+k)
	var x float64
	var err error
	if k == "costPerHour" {
		x, err = strconv.ParseFloat(s, 64)
	} else {
		var i int64
		i, err = strconv.ParseInt(s, 10, 64)
		x = float64(i)
	}
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		kind := "a whole number"
		if k == "costPerHour" {
			kind = "a number"
		}
		p.errorf(v, "%s.%s: %q is not %s", where, k, s, kind)
		return 0
	}
	if x < r.Min || x > r.Max {
		p.errorf(v, "%s.%s: %s is out of range (%s): give a value from %s up to %s", where, k, s, r.Why,
			strconv.FormatFloat(r.Min, 'f', -1, 64), strconv.FormatFloat(r.Max, 'f', -1, 64))
		return 0
	}
	return x
}

// checkNodeGroups reports node group names that clash with the cluster's
// nodes (the groups' nodes are named GROUP-1, GROUP-2, ...).
func (p *fileParser) checkNodeGroups(n *yaml.Node, groups []autoscaler.NodeGroup, nodes []NodeSpec) {
	for _, g := range groups {
		for _, ns := range nodes {
			if rest, ok := strings.CutPrefix(ns.Name, g.Name+"-"); ok {
				if _, err := strconv.Atoi(rest); err == nil {
					p.errorf(n, "cluster: node %q has the name of a node of group %s (its nodes are %s-1, %s-2, ...); rename the node or the group", ns.Name, g.Name, g.Name, g.Name)
				}
			}
		}
	}
}

// clusterNodeGroups finds cluster.nodeGroups in the cluster section.
func clusterNodeGroups(cluster *yaml.Node) *yaml.Node {
	if cluster == nil || cluster.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(cluster.Content); i += 2 {
		if cluster.Content[i].Value == "nodeGroups" {
			return cluster.Content[i+1]
		}
	}
	return nil
}

// startAutoscaler starts the cluster autoscaler of a scenario with node
// groups (with Deterministic, each provisioning delay is its mean).
func startAutoscaler(res *Result, s *Scenario, cfg Config) error {
	if len(s.NodeGroups) == 0 {
		return nil
	}
	groups := append([]autoscaler.NodeGroup(nil), s.NodeGroups...)
	if cfg.Deterministic {
		for i := range groups {
			groups[i].ProvisioningDelay = groups[i].ProvisioningDelay.Deterministic()
		}
	}
	a, err := autoscaler.New(res.Cluster, cfg.Autoscaler, groups)
	if err != nil {
		return fmt.Errorf("scenario %q: %v", s.Name, err)
	}
	if err := a.Start(); err != nil {
		return fmt.Errorf("scenario %q: %v", s.Name, err)
	}
	res.Autoscaler = a
	return nil
}

// AutoscalingSummary is the cluster autoscaler's part of the summary (JSON
// "autoscaling").
type AutoscalingSummary struct {
	// Cost is the run's node cost: every group's node-hours times its price.
	Cost       float64            `json:"cost"`
	NodeHours  float64            `json:"node_hours"`
	NodeGroups []NodeGroupSummary `json:"node_groups"`
	// PendingPods is the unschedulable pods (DaemonSet pods aside), as each
	// autoscaler loop saw them (a step function, one point per change).
	PendingPods []metrics.Point `json:"pending_pods"`
	// ScaleUps and ScaleDowns count the groups grown and the nodes removed.
	ScaleUps   int `json:"scale_ups"`
	ScaleDowns int `json:"scale_downs"`
}

// NodeGroupSummary is one node group over the run.
type NodeGroupSummary struct {
	Name        string  `json:"name"`
	Min         int     `json:"min"`
	Max         int     `json:"max"`
	Nodes       int     `json:"nodes"`
	Peak        int     `json:"peak"`
	NodeHours   float64 `json:"node_hours"`
	CostPerHour float64 `json:"cost_per_hour"`
	Cost        float64 `json:"cost"`
	// NodesOverTime is the group's Ready nodes (a step function).
	NodesOverTime []metrics.Point `json:"nodes_over_time"`
}

// AutoscalingOf summarises the autoscaler now.
func AutoscalingOf(a *autoscaler.Autoscaler) AutoscalingSummary {
	var s AutoscalingSummary
	for _, g := range a.Groups() {
		gs := NodeGroupSummary{Name: g.Name, Min: g.Min, Max: g.Max, Nodes: g.Ready, Peak: g.Peak,
			NodeHours: metrics.Round6(g.NodeHours), CostPerHour: g.CostPerHour, Cost: metrics.Round6(g.Cost)}
		for _, p := range g.Nodes {
			gs.NodesOverTime = append(gs.NodesOverTime, metrics.Point{T: metrics.Round3(p.T.Seconds()), V: float64(p.V)})
		}
		s.NodeHours += g.NodeHours
		s.Cost += g.Cost
		s.NodeGroups = append(s.NodeGroups, gs)
	}
	s.NodeHours, s.Cost = metrics.Round6(s.NodeHours), metrics.Round6(s.Cost)
	for _, p := range a.Pending() {
		s.PendingPods = append(s.PendingPods, metrics.Point{T: metrics.Round3(p.T.Seconds()), V: float64(p.V)})
	}
	for _, e := range a.Events() {
		switch {
		case e.Reason == "ScaledUpGroup":
			s.ScaleUps += e.Count
		case (e.Reason == "ScaleDown" || e.Reason == "ScaleDownEmpty") && strings.HasPrefix(e.Object, "configmap/"):
			s.ScaleDowns += e.Count
		}
	}
	return s
}

package cpu

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Cluster is the CPU of a cluster's nodes and the cgroups of its pods'
// containers, created as containers that use CPU start. It is what usage is
// measured from (kubelet's cAdvisor counters, read by metrics-server).
type Cluster struct {
	c     *model.Cluster
	nodes map[string]*Node
	pods  []podCPU // by Pod.ID
}

// podCPU is one pod's CPU: its current container and the usage of the
// containers it ran before (restarts).
type podCPU struct {
	pod   *model.Pod
	cur   *Container
	prior sim.Time
}

// NewCluster returns the CPU of cluster c.
func NewCluster(c *model.Cluster) *Cluster {
	return &Cluster{c: c, nodes: map[string]*Node{}}
}

// Node is the CPU of the node named name (created with the node's
// capacity).
func (cl *Cluster) Node(name string) *Node {
	n := cl.nodes[name]
	cap := int64(0)
	if mn := cl.c.LookupNode(name); mn != nil {
		cap = mn.Capacity.MilliCPU
	}
	if n == nil {
		n = NewNode(cl.c.E, cap)
		cl.nodes[name] = n
	} else if cap > 0 && float64(cap)/1000 != n.capacity {
		n.advance()
		n.capacity = float64(cap) / 1000
		n.reschedule()
	}
	return n
}

// Start returns the cgroup of pod p's container, started now on p's node
// with p's CPU request and limit and at most threads jobs at once (0: no
// limit). A container started before for p is stopped (a restart).
func (cl *Cluster) Start(p *model.Pod, threads int) *Container {
	for len(cl.pods) <= p.ID {
		cl.pods = append(cl.pods, podCPU{})
	}
	pc := &cl.pods[p.ID]
	if pc.pod != p {
		*pc = podCPU{pod: p}
	}
	if pc.cur != nil {
		pc.cur.Stop()
		pc.prior += pc.cur.Used()
	}
	pc.cur = cl.Node(p.NodeName).NewContainer(p.Spec.Requests.MilliCPU, p.Spec.Limits.MilliCPU, threads)
	return pc.cur
}

// PodUsed is the CPU time pod p's containers have used so far (0: none that
// uses CPU).
func (cl *Cluster) PodUsed(p *model.Pod) sim.Time {
	if p.ID >= len(cl.pods) || cl.pods[p.ID].pod != p {
		return 0
	}
	pc := &cl.pods[p.ID]
	u := pc.prior
	if pc.cur != nil {
		u += pc.cur.Used()
	}
	return u
}

// NodeUsed is the CPU time the containers on node name have used so far.
func (cl *Cluster) NodeUsed(name string) sim.Time {
	n := cl.nodes[name]
	if n == nil {
		return 0
	}
	return n.Used()
}

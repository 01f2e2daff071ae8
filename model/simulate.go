package model

// What-if questions about scheduling, for the cluster autoscaler: would a pod
// pass the scheduler's filters on a node that does not exist yet (a node
// group's template), or on an existing node with more pods placed on it? They
// run the default profile's filter plugins, as the autoscaler's
// PredicateChecker runs kube-scheduler's, and change nothing.

// TemplateNode returns a node that is not part of any cluster: a node group's
// template, for PodFits. Its labels are a new node's (hostname name, the
// kubelet's OS and architecture labels) and lbls; extra holds the requests
// of the pods already placed on it in a simulation (DaemonSet pods, pods
// packed by the autoscaler's estimator).
func TemplateNode(name string, lbls map[string]string, taints []Taint, capacity Resources) *Node {
	l := registeredLabels(name, lbls) // as the node would register
	if capacity.Pods == 0 {
		capacity.Pods = 110
	}
	return &Node{ObjectMeta: ObjectMeta{Name: name, Labels: l}, Taints: append([]Taint(nil), taints...), Capacity: capacity, Up: true, Ready: true}
}

// simFilters are the default profile's filters (see newDefaultFramework).
var simFilters = []filterPlugin{nodeUnschedulablePlugin{}, nodeNamePlugin{}, nodeAffinityPlugin{}, taintTolerationPlugin{}, nodePortsPlugin{}, nodeResourcesFitPlugin{}}

// PodFits reports whether p passes the scheduler's filters on n as if the
// requests extra were already placed on n, and the pods placed (for their host
// ports), besides n's bound pods. n may be a TemplateNode. It returns the
// first failing filter's reason ("" if it fits).
func PodFits(p *Pod, n *Node, extra Resources, placed ...*Pod) string {
	st := newCycleState(p)
	m := *n
	m.req = n.req.Add(extra)
	if st.hostPorts && len(placed) > 0 {
		m.pods = append(append([]*Pod(nil), n.pods...), placed...)
	}
	for _, f := range simFilters {
		if r := f.filter(&st, p, &m); r != "" {
			return r
		}
	}
	return ""
}

// Requests is what the pod asks of a node: its CPU and memory requests and one
// pod slot (the fit filter's view).
func (p *Pod) Requests() Resources { return p.effectiveRequests() }

// Unschedulable reports whether the scheduler tried p and found no node for it
// (its PodScheduled condition is False with reason Unschedulable): the pods
// the cluster autoscaler acts on.
func (p *Pod) Unschedulable() bool {
	return !p.Gone && !p.Terminating && p.node == nil && p.queued && p.sq.attempts > 0
}

// DaemonPodRequests is what the DaemonSets that would run a pod on n request
// there: the autoscaler adds it to a node group's template.
func (c *Cluster) DaemonPodRequests(n *Node) Resources {
	var r Resources
	for _, ds := range c.daemonsets {
		if ds.Deleted || !ds.ShouldRun(n) {
			continue
		}
		req := ds.Template.Spec.Requests
		req.Pods = 1
		r = r.Add(req)
	}
	return r
}

// Emit hands an event from a component outside the model (the cluster
// autoscaler) to the cluster's event sink, as the cluster's own events are
// (nothing happens without a sink).
func (c *Cluster) Emit(obj ObjectRef, typ, reason, msg, source string) {
	c.emit(obj, typ, reason, msg, source, "")
}

// SchedulingFailure is the scheduler's message for a pod it finds no node
// for, as FailedScheduling reports it ("0/4 nodes are available: ..."), on
// the cluster as it is now.
func (c *Cluster) SchedulingFailure(p *Pod) string { return c.sched.fw.fitError(p) }

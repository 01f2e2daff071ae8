package model

// pickNode chooses a node for p, or nil if none fits. Filters: node up and
// schedulable, pinned node name, nodeSelector, taints, resources. Score: least
// allocated CPU and memory, plus fewer pods of the same owner (soft spread); ties
// broken at random from the scheduler's seeded stream.
func (c *Cluster) pickNode(p *Pod) *Node {
	var best []*Node
	bestScore := -1.0
	for _, n := range c.nodes {
		if !c.fits(p, n) {
			continue
		}
		s := c.score(p, n)
		switch {
		case s > bestScore+1e-9:
			best, bestScore = append(best[:0], n), s
		case s > bestScore-1e-9:
			best = append(best, n)
		}
	}
	if len(best) == 0 {
		return nil
	}
	return best[c.schedRand.IntN(len(best))]
}

func (c *Cluster) fits(p *Pod, n *Node) bool {
	if n.Removed || !n.Ready || n.Unschedulable && !tolerates(p.Spec.Tolerations, Taint{Key: TaintUnschedulable, Effect: NoSchedule}) {
		return false
	}
	if p.Spec.NodeName != "" && p.Spec.NodeName != n.Name {
		return false
	}
	for k, v := range p.Spec.NodeSelector {
		if got, ok := n.Labels[k]; !ok || got != v {
			return false
		}
	}
	for _, t := range n.Taints {
		if (t.Effect == NoSchedule || t.Effect == NoExecute) && !tolerates(p.Spec.Tolerations, t) {
			return false
		}
	}
	return n.Capacity.Sub(n.Allocated()).Fits(p.effectiveRequests())
}

func tolerates(ts []Toleration, taint Taint) bool {
	for _, t := range ts {
		if t.Tolerates(taint) {
			return true
		}
	}
	return false
}

func (c *Cluster) score(p *Pod, n *Node) float64 {
	alloc := n.Allocated().Add(p.effectiveRequests())
	free := 0.0
	if n.Capacity.MilliCPU > 0 {
		free += float64(n.Capacity.MilliCPU-alloc.MilliCPU) / float64(n.Capacity.MilliCPU)
	}
	if n.Capacity.Memory > 0 {
		free += float64(n.Capacity.Memory-alloc.Memory) / float64(n.Capacity.Memory)
	}
	same := 0
	if p.Owner != nil {
		for _, q := range n.pods {
			if !q.Gone && q.Owner != nil && *q.Owner == *p.Owner {
				same++
			}
		}
	}
	return 50*free - 10*float64(same)
}

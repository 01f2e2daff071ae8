package scenarios

import (
	"sort"

	"github.com/kubesim/kubesim/model"
)

// PendingPods are the pods still Pending at the end of a run because the
// scheduler found no node for them (PodScheduled False, Unschedulable),
// grouped by the scheduler's message.
type PendingPods struct {
	Pods    int             `json:"pods"`
	Reasons []PendingReason `json:"reasons"`
}

// PendingReason is one FailedScheduling message and the pods it holds back:
// how many, and the first of them by name (NAMESPACE/NAME outside default).
type PendingReason struct {
	Pods    int    `json:"pods"`
	First   string `json:"first"`
	Message string `json:"message"`
}

// pendingPods is what holds c's unschedulable pods back at the end of a run
// (nil: none), the reasons with the most pods first. The scheduler's message
// is computed on the cluster as it is at the end, once per ReplicaSet (its
// pods ask the same of a node).
func pendingPods(c *model.Cluster) *PendingPods {
	type group struct {
		pods  int
		first string
	}
	byMsg := map[string]*group{}
	perRS := map[string]string{}
	total := 0
	for _, p := range c.Pods() {
		if !p.Unschedulable() {
			continue
		}
		total++
		var msg string
		if o := p.Owner; o != nil && o.Kind == "ReplicaSet" {
			k := p.Namespace + "/" + o.Name
			m, ok := perRS[k]
			if !ok {
				m = c.SchedulingFailure(p)
				perRS[k] = m
			}
			msg = m
		} else {
			msg = c.SchedulingFailure(p)
		}
		name := p.Name
		if p.Namespace != "" && p.Namespace != "default" {
			name = p.Namespace + "/" + p.Name
		}
		g := byMsg[msg]
		if g == nil {
			g = &group{first: name}
			byMsg[msg] = g
		}
		g.pods++
		if name < g.first {
			g.first = name
		}
	}
	if total == 0 {
		return nil
	}
	out := &PendingPods{Pods: total}
	for m, g := range byMsg {
		out.Reasons = append(out.Reasons, PendingReason{Pods: g.pods, First: g.first, Message: m})
	}
	sort.Slice(out.Reasons, func(i, j int) bool {
		a, b := out.Reasons[i], out.Reasons[j]
		if a.Pods != b.Pods {
			return a.Pods > b.Pods
		}
		return a.Message < b.Message
	})
	return out
}

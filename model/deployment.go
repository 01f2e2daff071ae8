package model

import (
	"fmt"
	"hash/fnv"
	"sort"

	"github.com/kubesim/kubesim/sim"
)

// Deployment is an apps/v1 Deployment: it keeps Replicas pods of its template.
type Deployment struct {
	Name     string
	Selector map[string]string
	Labels   map[string]string // template labels
	Spec     PodSpec
	Replicas int
	Deleted  bool

	hash string
	// syncing is true while a reconcile is scheduled.
	syncing bool
}

// templateHash is the pod-template-hash: a stable hash of the template.
func templateHash(labels map[string]string, spec PodSpec) string {
	h := fnv.New32a()
	for _, k := range sortedKeys(labels) {
		fmt.Fprintf(h, "%s=%s,", k, labels[k])
	}
	fmt.Fprintf(h, "%s|%v", spec.Image, spec.Requests)
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	v := h.Sum32()
	b := make([]byte, 10)
	for i := range b {
		b[i] = alphabet[v%uint32(len(alphabet))]
		v = v/uint32(len(alphabet)) + uint32(i)*2654435761
	}
	return string(b)
}

// CreateDeployment creates a Deployment (as `kubectl create deployment` or apply).
func (c *Cluster) CreateDeployment(name string, labels map[string]string, spec PodSpec, replicas int) (*Deployment, error) {
	if c.Deployment(name) != nil {
		return nil, fmt.Errorf(`deployments.apps %q already exists`, name)
	}
	if replicas < 0 {
		return nil, fmt.Errorf("deployment %q: replicas must be >= 0, got %d", name, replicas)
	}
	d := &Deployment{Name: name, Selector: copyLabels(labels), Labels: copyLabels(labels), Spec: spec, Replicas: replicas}
	d.hash = templateHash(labels, spec)
	c.deployments = append(c.deployments, d)
	c.deployByNm[name] = d
	c.syncDeployment(d)
	return d, nil
}

// ScaleDeployment sets the Deployment's replicas.
func (c *Cluster) ScaleDeployment(d *Deployment, replicas int) error {
	if replicas < 0 {
		return fmt.Errorf("deployment %q: replicas must be >= 0, got %d", d.Name, replicas)
	}
	d.Replicas = replicas
	c.syncDeployment(d)
	return nil
}

func (d *Deployment) owner() OwnerRef {
	return OwnerRef{Kind: "ReplicaSet", Name: d.Name + "-" + d.hash}
}

// syncDeployment schedules a reconcile after the controller's reaction time.
func (c *Cluster) syncDeployment(d *Deployment) {
	if d.syncing {
		return
	}
	d.syncing = true
	c.E.After(c.d.controllerSync.Sample(), sim.HandlerFunc(func(*sim.Engine, int64) {
		d.syncing = false
		c.reconcileDeployment(d)
	}), 0)
}

func (c *Cluster) ownedPods(o OwnerRef) []*Pod {
	var out []*Pod
	for _, p := range c.pods {
		if !p.Gone && !p.Terminating && p.Owner != nil && *p.Owner == o {
			out = append(out, p)
		}
	}
	return out
}

func (c *Cluster) reconcileDeployment(d *Deployment) {
	if d.Deleted {
		return
	}
	o := d.owner()
	pods := c.ownedPods(o)
	switch diff := d.Replicas - len(pods); {
	case diff > 0:
		labels := copyLabels(d.Labels)
		if labels == nil {
			labels = map[string]string{}
		}
		labels[LabelPodTemplateHash] = d.hash
		for i := 0; i < diff; i++ {
			c.CreatePod(o.Name+"-", labels, d.Spec, &o)
		}
	case diff < 0:
		// Victims: unscheduled first, then not ready, then newest.
		sort.SliceStable(pods, func(i, j int) bool {
			a, b := pods[i], pods[j]
			if (a.NodeName == "") != (b.NodeName == "") {
				return a.NodeName == ""
			}
			if a.Ready != b.Ready {
				return !a.Ready
			}
			return a.Created > b.Created
		})
		for _, p := range pods[:-diff] {
			c.DeletePod(p)
		}
	}
}

// controllersPodDeleted tells the owner of p that p is going away.
func (c *Cluster) controllersPodDeleted(p *Pod) {
	if p.Owner == nil {
		return
	}
	for _, d := range c.deployments {
		if !d.Deleted && d.owner() == *p.Owner {
			c.syncDeployment(d)
		}
	}
}

// controllersPodRelabelled releases p from its owner if its labels no longer
// match the owner's selector: the pod keeps running as an orphan and the owner
// creates a replacement.
func (c *Cluster) controllersPodRelabelled(p *Pod) {
	if p.Owner == nil {
		return
	}
	for _, d := range c.deployments {
		if d.Deleted || d.owner() != *p.Owner {
			continue
		}
		sel := copyLabels(d.Selector)
		sel[LabelPodTemplateHash] = d.hash
		if !mapSelectorMatches(sel, p.Labels) {
			p.Owner = nil
			c.syncDeployment(d)
		}
	}
}

func mapSelectorMatches(sel, labels map[string]string) bool {
	for k, v := range sel {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

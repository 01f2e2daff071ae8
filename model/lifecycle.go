package model

import (
	"github.com/kubesim/kubesim/sim"
)

// kickScheduler schedules a scheduling pass soon, once.
func (c *Cluster) kickScheduler() {
	if c.schedPending {
		return
	}
	c.schedPending = true
	c.E.After(c.d.scheduling.Sample(), sim.HandlerFunc(func(*sim.Engine, int64) {
		c.schedPending = false
		c.schedulePending()
	}), 0)
}

// schedulePending binds every pending, unbound pod it can, in creation order.
// Each decision sees the previous bindings.
func (c *Cluster) schedulePending() {
	for _, p := range c.pods {
		if p.Gone || p.Terminating || p.NodeName != "" {
			continue
		}
		if n := c.pickNode(p); n != nil {
			c.bind(p, n)
		}
	}
}

// bind places p on n and starts its sandbox and container.
func (c *Cluster) bind(p *Pod, n *Node) {
	p.NodeName = n.Name
	p.Scheduled = c.Now()
	n.pods = append(n.pods, p)
	c.Rec.nodeChanged(n)
	c.startPod(p)
}

// startPod runs the kubelet's start sequence on the pod's node: pull the image if
// the node does not have it, start the container, then readiness.
func (c *Cluster) startPod(p *Pod) {
	n := c.nodeByName[p.NodeName]
	if n == nil || !n.Up {
		return
	}
	p.HasIP = true
	c.podChanged(p)
	gen := p.generation
	delay := c.d.containerStart.Sample()
	if !n.images[p.Spec.Image] {
		delay += c.d.imagePull.Sample()
	}
	c.E.After(delay, sim.HandlerFunc(func(*sim.Engine, int64) {
		if p.Gone || p.generation != gen || !n.Up {
			return
		}
		n.images[p.Spec.Image] = true
		c.containerStarted(p)
	}), 0)
}

func (c *Cluster) containerStarted(p *Pod) {
	p.Running = true
	p.Phase = PodRunning
	p.Started = c.Now()
	p.app = c.newApp(p)
	if p.app != nil {
		p.app.start()
	}
	gen := p.generation
	var readyIn sim.Time
	if pr := p.Spec.Readiness; pr != nil {
		// The first probe runs after the initial delay; Ready after
		// SuccessThreshold consecutive successes, one period apart.
		readyIn = pr.InitialDelay
		if pr.SuccessThreshold > 1 {
			readyIn += sim.Time(pr.SuccessThreshold-1) * pr.Period
		}
	}
	c.E.After(readyIn, sim.HandlerFunc(func(*sim.Engine, int64) {
		if p.Gone || p.generation != gen || !p.Running {
			return
		}
		p.Ready = true
		p.ReadyAt = c.Now()
		c.podChanged(p)
	}), 0)
	c.podChanged(p)
}

// stopContainer kills the pod's container: the app stops and every request it
// holds fails. The pod object stays (a restart may follow).
func (c *Cluster) stopContainer(p *Pod) {
	p.generation++
	if p.app != nil {
		p.app.stop()
		p.app = nil
	}
	wasReady := p.Ready
	p.Running, p.Ready = false, false
	if wasReady {
		c.podChanged(p)
	}
}

package model

import (
	"github.com/kubesim/kubesim/sim"
)

// bind places p on n (the scheduler's binding, or spec.nodeName) and hands it to
// the node's kubelet.
func (c *Cluster) bind(p *Pod, n *Node) {
	p.NodeName = n.Name
	p.node = n
	c.setPodLoc(p)
	p.Scheduled = c.Now()
	n.pods = append(n.pods, p)
	n.req = n.req.Add(p.effectiveRequests())
	n.nonzero = n.nonzero.Add(p.nonzeroRequests())
	recount(p)
	c.nodeChanged(n)
	c.taintManagerPod(p)
	c.notifyOwner(p)
	c.startPod(p)
}

// startPod runs the kubelet's start sequence on the pod's node: the sandbox
// (the pod gets its IP), the image pull if the node does not have the image
// (one pull at a time per node; a pull in progress is waited for), then the
// container start and the readiness probe.
func (c *Cluster) startPod(p *Pod) {
	n := p.node
	if n == nil || !n.Up || p.Gone || p.Terminating {
		return
	}
	p.HasIP = true
	c.podChanged(p)
	now := c.Now()
	ready := now
	// pullStart is when the node's (serial) puller starts this pod's pull,
	// -1 when the image is present.
	pullStart := sim.Time(-1)
	img := c.imageID(p.Spec.Image)
	if at, ok := n.imageAt(img); ok {
		ready = max(at, now) // cached, or being pulled
		if at > now {
			pullStart = at // queued behind the pull in progress, then instant
		}
	} else {
		start := max(now, n.pullFreeAt)
		ready = start + c.d.imagePull.Sample()
		n.pullFreeAt = ready
		n.images = append(n.images, nodeImage{id: img, at: ready})
		c.imageAdded(p.Spec.Image)
		pullStart = start
	}
	c.eventPulling(p, n, pullStart < 0)
	gen := p.generation
	c.E.At(ready+c.d.containerStart.Sample(), sim.HandlerFunc(func(*sim.Engine, int64) {
		if p.Gone || p.generation != gen || !n.Up || p.Terminating {
			return
		}
		if pullStart >= 0 {
			c.eventPulled(p, n, pullStart, now, ready)
		}
		c.containerStarted(p)
	}), 0)
}

func (c *Cluster) containerStarted(p *Pod) {
	p.Running = true
	c.setPodLoc(p)
	p.Phase = PodRunning
	p.Started = c.Now()
	c.eventContainerStarted(p)
	for _, o := range c.observers {
		o.ContainerStarted(p)
	}
	readyByTimer, after := c.startProbes(p)
	if readyByTimer {
		c.readyAfter(p, after+readyDelay(p))
	}
	c.podChanged(p)
}

// readyDelay is how long after its probes start a container whose readiness
// probe succeeds is Ready: the first probe runs after the initial delay, and
// Ready after SuccessThreshold consecutive successes, one period apart (0
// without a probe).
func readyDelay(p *Pod) sim.Time {
	pr := p.Spec.Readiness
	if pr == nil {
		return 0
	}
	period := pr.Period
	if period == 0 {
		period = 10e9
	}
	readyIn := pr.InitialDelay
	if pr.SuccessThreshold > 1 {
		readyIn += sim.Time(pr.SuccessThreshold-1) * period
	}
	return readyIn
}

// readyAfter makes p's running container Ready after d.
func (c *Cluster) readyAfter(p *Pod, d sim.Time) {
	gen := p.generation
	c.E.After(d, sim.HandlerFunc(func(*sim.Engine, int64) {
		if p.Gone || p.generation != gen || !p.Running {
			return
		}
		p.Ready = true
		p.ReadyAt = c.Now()
		c.podChanged(p)
	}), 0)
}

// stopContainer kills the pod's container: what runs in it stops (observers
// are told; every request it holds fails). The pod object stays (a restart may follow).
func (c *Cluster) stopContainer(p *Pod) {
	c.killContainer(p)
	if p.Ready {
		p.Ready = false
		c.podChanged(p)
	}
}

// killContainer stops the container without telling the API server: what
// happens when its node dies. The pod stays Ready in the API (and in endpoints)
// until the node lifecycle controller notices.
func (c *Cluster) killContainer(p *Pod) {
	p.generation++
	if p.Running {
		for _, o := range c.observers {
			o.ContainerStopped(p)
		}
	}
	p.Running = false
	c.setPodLoc(p)
}

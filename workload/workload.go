// Package workload gives containers their behaviour. The cluster model runs
// containers without knowing what is in them; a Runtime follows the cluster
// (model.Observer) and, when a container starts, asks its Registry which
// behaviour the container runs (matched by image or pod labels), starts it,
// and stops it with the container. A behaviour serves requests through the
// request path (package traffic: traffic.Server) and may run client loops
// (traffic.Net.Send); a workload registers its own named metrics with the
// Recorder (package metrics).
package workload

import (
	"strings"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/traffic"
	"github.com/kubesim/kubesim/traffic/cpu"
)

// Behaviour is what runs in one container, from its start to its stop.
type Behaviour interface {
	// Start is called when the container starts (a restart gets a new
	// Behaviour).
	Start()
	// Stop is called when the container stops: requests it holds fail, its
	// timers are cancelled.
	Stop()
}

// Factory makes the behaviour of pod p's container.
type Factory func(env *Env, p *model.Pod) Behaviour

// Env is what a behaviour works with: the cluster, the request path, the
// Recorder and the nodes' CPU.
type Env struct {
	C   *model.Cluster
	Net *traffic.Net
	Rec *metrics.Recorder
	CPU *cpu.Cluster
}

// entry is one registered behaviour.
type entry struct {
	name  string
	match func(p *model.Pod) bool
	f     Factory
	// beside: registered with RegisterBeside (it runs beside the
	// container's own behaviour).
	beside bool
}

// Registry maps containers to behaviours. A container's own behaviour (it
// names the pod's app and says whether the container serves) is the first
// entry registered with Register that accepts the pod; failing that, the
// first registered with RegisterBeside; failing that, the fallback (if it
// accepts the pod). Every other entry registered with RegisterBeside that
// accepts the pod runs beside it.
type Registry struct {
	entries  []entry
	fallback *entry
}

// SetFallback sets the behaviour of the pods no entry matches.
func (r *Registry) SetFallback(name string, match func(p *model.Pod) bool, f Factory) {
	r.fallback = &entry{name: name, match: match, f: f}
}

// Register adds a behaviour named name (the summary's app of the pods that
// run it) for the pods match accepts. f may be nil: the container is known by
// name but does nothing (it refuses connections).
func (r *Registry) Register(name string, match func(p *model.Pod) bool, f Factory) {
	r.entries = append(r.entries, entry{name: name, match: match, f: f})
}

// RegisterBeside is Register for a behaviour that runs in every container it
// matches, beside the container's own behaviour (a client in containers: a
// container runs every client declared for it, beside the service that
// serves in it).
func (r *Registry) RegisterBeside(name string, match func(p *model.Pod) bool, f Factory) {
	r.entries = append(r.entries, entry{name: name, match: match, f: f, beside: true})
}

// Lookup returns the name and factory of the behaviour of p ("", nil: none).
func (r *Registry) Lookup(p *model.Pod) (string, Factory) {
	if i := r.own(p); i >= 0 {
		return r.entries[i].name, r.entries[i].f
	}
	if e := r.fallback; e != nil && e.match(p) {
		return e.name, e.f
	}
	return "", nil
}

// own is the index of the entry of p's own behaviour (-1: none).
func (r *Registry) own(p *model.Pod) int {
	beside := -1
	for i := range r.entries {
		if e := &r.entries[i]; e.match(p) {
			if !e.beside {
				return i
			}
			if beside < 0 {
				beside = i
			}
		}
	}
	return beside
}

// Runtime runs the behaviours of a cluster's containers.
type Runtime struct {
	Env
	Registry Registry
	running  []Behaviour // by Pod.ID
	onStart  []func()
	// ProbeRoute, if set, is the route of pod p's workload that an httpGet
	// probe of path gets (ok false: none; the probe is not sent as a request).
	ProbeRoute func(p *model.Pod, path string) (r traffic.Route, ok bool)
}

// New returns the runtime of cluster c with its Recorder and request path
// (network settings net); the Recorder names a pod's app after its behaviour.
func New(c *model.Cluster, net traffic.Network) *Runtime {
	rec := metrics.New(c)
	rt := &Runtime{Env: Env{C: c, Net: traffic.New(c, rec, net), Rec: rec, CPU: cpu.NewCluster(c)}}
	rec.AppOf = func(p *model.Pod) string { name, _ := rt.Registry.Lookup(p); return name }
	c.Observe(rt)
	c.SetListening(rt.listening)
	c.SetProbeRequests(probeRequests{rt})
	return rt
}

// probeRequests sends the httpGet probes whose path a container's workload
// serves as a route (ProbeRoute) as requests to its server.
type probeRequests struct{ rt *Runtime }

func (pq probeRequests) ServesProbe(p *model.Pod, pr *model.Probe) bool {
	if pq.rt.ProbeRoute == nil || !pq.rt.Net.Serving(p) {
		return false
	}
	_, ok := pq.rt.ProbeRoute(p, pr.Path)
	return ok
}

func (pq probeRequests) SendProbe(p *model.Pod, pr *model.Probe, done func(model.ProbeResult)) {
	route, _ := pq.rt.ProbeRoute(p, pr.Path)
	pq.rt.Net.SendProbe(probeCaller(done), p, route, pr.Timeout)
}

// probeCaller hands a probe's outcome to the kubelet.
type probeCaller func(model.ProbeResult)

func (f probeCaller) RequestDone(_ *traffic.Request, outcome metrics.Outcome) {
	switch outcome {
	case metrics.OK:
		f(model.ProbeOK)
	case metrics.Timeout:
		f(model.ProbeTimeout)
	case metrics.AppError:
		f(model.ProbeStatus)
	default:
		f(model.ProbeRefused)
	}
}

// listening is what the kubelet's probes find in p's container: a container
// whose behaviour serves listens (its server started with it); one known to
// serve nothing (a client, or a name registered without a behaviour)
// refuses connections; one nothing describes is taken to listen.
func (rt *Runtime) listening(p *model.Pod) bool {
	name, f := rt.Registry.Lookup(p)
	if name == "" {
		return true
	}
	return f != nil && rt.Net.Serving(p)
}

// OnStart adds f to what Start runs (clients outside the cluster, such as a
// browser polling a page).
func (rt *Runtime) OnStart(f func()) { rt.onStart = append(rt.onStart, f) }

// Start runs the OnStart functions, in order; call it once the run is set up.
func (rt *Runtime) Start() {
	for _, f := range rt.onStart {
		f()
	}
}

// ContainerStarted starts the behaviour of p's container, if it has one,
// and the behaviours registered to run beside it that match p.
func (rt *Runtime) ContainerStarted(p *model.Pod) {
	r := &rt.Registry
	var f Factory
	own := r.own(p)
	if own >= 0 {
		f = r.entries[own].f
	} else if e := r.fallback; e != nil && e.match(p) {
		f = e.f
	}
	var b Behaviour
	if f != nil {
		b = f(&rt.Env, p)
	}
	for i := 0; own >= 0 && i < len(r.entries); i++ {
		if e := &r.entries[i]; i != own && e.beside && e.f != nil && e.match(p) {
			b = together(b, e.f(&rt.Env, p))
		}
	}
	if b == nil {
		return
	}
	for len(rt.running) <= p.ID {
		rt.running = append(rt.running, nil)
	}
	rt.running[p.ID] = b
	b.Start()
}

// several is the behaviours of one container, started and stopped in order.
type several []Behaviour

func (s several) Start() {
	for _, b := range s {
		b.Start()
	}
}

func (s several) Stop() {
	for _, b := range s {
		b.Stop()
	}
}

// together is b and c run in one container (either may be nil).
func together(b, c Behaviour) Behaviour {
	switch {
	case c == nil:
		return b
	case b == nil:
		return c
	}
	if s, ok := b.(several); ok {
		return append(s, c)
	}
	return several{b, c}
}

// ContainerStopped stops the behaviour of p's container.
func (rt *Runtime) ContainerStopped(p *model.Pod) {
	if p.ID >= len(rt.running) {
		return
	}
	if b := rt.running[p.ID]; b != nil {
		rt.running[p.ID] = nil
		b.Stop()
	}
}

// PodChanged, NodeChanged, EndpointsChanged: nothing to do.
func (rt *Runtime) PodChanged(*model.Pod)           {}
func (rt *Runtime) NodeChanged(*model.Node)         {}
func (rt *Runtime) EndpointsChanged(*model.Service) {}

// ImageName is the name of an image without its registry, path, tag or
// digest: docker.io/dockercoins/rng:v0.1 -> rng.
func ImageName(image string) string {
	name := image
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	return name
}

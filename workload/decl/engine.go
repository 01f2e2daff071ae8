package decl

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/kubeproxy"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/traffic"
	"github.com/kubesim/kubesim/traffic/cpu"
	"github.com/kubesim/kubesim/workload"
)

// Engine runs a declared workload in a runtime.
type Engine struct {
	env  *workload.Env
	spec Spec
	// routes interns route names: a request carries its route's number.
	routes map[string]traffic.Route
	rng    *rand.Rand
	echo   sim.Dist
	// assumed is, by image, the pods that got the echo default.
	assumed map[string]*assumedImage
	// flows measures each call of the scripts by its route (SERVICE/route);
	// sleeps is each sleep step's time, drawn from rng.
	flows  map[*Call]*metrics.Flow
	sleeps map[*Step]sim.Dist
	// runs and tasks are the pools of script runs and their tasks.
	runs  []*run
	tasks []*task
	// envNotes is what clients in containers read from their env, by line.
	envNotes map[string]*assumedImage
	// waiter holds the clients waiting for their WaitReady Services; waited
	// is when those that waited started.
	waiter *readyWaiter
	waited []waitedClient
	// portless are the running containers nothing declares that have no
	// containerPorts: each serves as an echo server once a Service selects it
	// (on the Service's targetPort, as a real server listens on its port
	// whatever the pod declares); late are those serving so, by pod ID, and
	// echoed marks the pods that did (their app is "echo").
	portless []*model.Pod
	late     map[int]workload.Behaviour
	echoed   map[int]bool
	// inPods are the runners of the clients in containers, by name.
	inPods map[string]*client
}

type waitedClient struct {
	cl *Client
	at sim.Time
}

type assumedImage struct {
	first string
	n     int
}

// Install registers spec's services with rt (before any other registered
// later, after those registered before), the echo default for containers
// nothing declares, and starts spec's clients when rt starts.
func Install(rt *workload.Runtime, spec Spec) *Engine {
	e := &Engine{env: &rt.Env, spec: spec, routes: map[string]traffic.Route{},
		rng: rt.C.E.Stream("decl"), assumed: map[string]*assumedImage{}, envNotes: map[string]*assumedImage{}, flows: map[*Call]*metrics.Flow{}, sleeps: map[*Step]sim.Dist{}}
	if e.spec.Echo.Concurrency == 0 {
		e.spec.Echo = DefaultEcho()
	}
	e.echo = rt.C.E.Dist("decl/echo", e.spec.Echo.Service)
	byName := map[string]*service{}
	for i := range e.spec.Services {
		s := &e.spec.Services[i]
		sv := &service{e: e, spec: s}
		for j := range s.Routes {
			sv.routes = append(sv.routes, rt.C.E.Dist("decl/"+s.Name+"/"+s.Routes[j].Name, s.Routes[j].Service))
			var cd sim.Dist
			if s.Routes[j].HasCPU {
				cd = rt.C.E.Dist("decl/"+s.Name+"/"+s.Routes[j].Name+"/cpu", s.Routes[j].CPU)
				sv.usesCPU = true
			}
			sv.cpu = append(sv.cpu, cd)
			sv.routeNums = append(sv.routeNums, e.route(s.Routes[j].Name))
		}
		rt.Registry.Register(s.Name, sv.matches, sv.new)
		byName[s.Name] = sv
		for j := range s.Routes {
			e.measure(s.Routes[j].Script)
		}
	}
	for i := range e.spec.Clients {
		cl := &e.spec.Clients[i]
		e.measure(cl.Script)
		e.measure(cl.OnStart)
		if cl.InPods() {
			c := e.newClient(i)
			if e.inPods == nil {
				e.inPods = map[string]*client{}
			}
			e.inPods[cl.Name] = c
			rt.Registry.RegisterBeside(cl.Name, func(p *model.Pod) bool { return matches(cl.Image, cl.Labels, p) }, c.inPod)
		}
	}
	rt.ProbeRoute = func(p *model.Pod, path string) (traffic.Route, bool) {
		// An httpGet probe whose path is a declared route of the
		// container's service is served as that route.
		name, _ := rt.Registry.Lookup(p)
		sv := byName[name]
		if sv == nil {
			return 0, false
		}
		r, ok := traffic.RouteRoot, true
		if key := strings.TrimPrefix(path, "/"); key != "" {
			r, ok = e.routes[key]
		}
		if ok && slices.Contains(sv.routeNums, r) {
			return r, true
		}
		return 0, false
	}
	rt.Registry.SetFallback("echo", func(p *model.Pod) bool { return len(p.Spec.Ports) > 0 || e.echoed[p.ID] }, e.newEcho)
	e.late, e.echoed = map[int]workload.Behaviour{}, map[int]bool{}
	rt.C.Observe(portlessWatch{e: e, rt: rt})
	rt.OnStart(e.start)
	rt.Rec.OnSummary(func(s *metrics.Summary) {
		if a := e.Assumed(); len(a) > 0 {
			s.Extra = append(s.Extra, metrics.Field{Key: "assumed", Value: a})
		}
		if a := e.FromEnv(); len(a) > 0 {
			s.Extra = append(s.Extra, metrics.Field{Key: "clients_from_env", Value: a})
		}
		if a := e.Waited(); len(a) > 0 {
			s.Extra = append(s.Extra, metrics.Field{Key: "clients_waited", Value: a})
		}
	})
	return e
}

// measure gives every call of steps the flow of its route, and every sleep
// its distribution.
func (e *Engine) measure(steps []Step) {
	for i := range steps {
		st := &steps[i]
		switch st.Kind {
		case CallStep:
			e.flows[&st.Call] = e.env.Rec.Route(RouteKey(st.Call.Service, st.Call.Route))
		case Sleep:
			e.sleeps[st] = st.Sleep.New(e.rng)
		}
		e.measure(st.Steps)
		for j := range st.Branches {
			e.measure(st.Branches[j].Steps)
		}
	}
}

// RouteKey names the route of a call in the summary: SERVICE/route, the
// Service as cluster DNS names it without its namespace and domain.
func RouteKey(service, route string) string {
	return shortName(service) + "/" + strings.TrimPrefix(route, "/")
}

// route is the number of a route name (0, traffic.RouteRoot, for "" and "/").
func (e *Engine) route(name string) traffic.Route {
	// A route is named with or without its leading slash: a call to
	// cart/AddItem asks for route AddItem (and /AddItem).
	name = strings.TrimPrefix(name, "/")
	if name == "" {
		return traffic.RouteRoot
	}
	r, ok := e.routes[name]
	if !ok {
		r = traffic.Route(len(e.routes) + 1)
		e.routes[name] = r
	}
	return r
}

// Assumed says which defaults the run assumed: one line per image whose
// containers nothing declared and that served as echo servers.
func (e *Engine) Assumed() []string {
	images := make([]string, 0, len(e.assumed))
	for im := range e.assumed {
		images = append(images, im)
	}
	sort.Strings(images)
	var out []string
	ec := e.spec.Echo
	for _, im := range images {
		a := e.assumed[im]
		out = append(out, fmt.Sprintf("image %s (%s, first %s): no behaviour declared, served as an echo server on its containerPorts and the targetPort of the Services selecting it: %s per request, %d at once, backlog %d", im, count(a.n, "container start"), a.first, ec.Service, ec.Concurrency, ec.Backlog))
	}
	return out
}

func (e *Engine) newEcho(env *workload.Env, p *model.Pod) workload.Behaviour {
	a := e.assumed[p.Spec.Image]
	if a == nil {
		a = &assumedImage{first: p.Name}
		e.assumed[p.Spec.Image] = a
	}
	a.n++
	return serverBehaviour{env.Net.NewServer(p, e.spec.Echo.Concurrency, e.spec.Echo.Backlog, func(*traffic.Request) sim.Time {
		return e.echo.Sample()
	})}
}

// portlessWatch starts the echo server of a container nothing declares and
// that declares no containerPorts when a Service comes to select its pod
// (Runtime.ContainerStarted gave it none: nothing could reach it then), and
// stops it with the container.
type portlessWatch struct {
	model.NopObserver
	e  *Engine
	rt *workload.Runtime
}

func (w portlessWatch) ContainerStarted(p *model.Pod) {
	if name, _ := w.rt.Registry.Lookup(p); name == "" {
		w.e.portless = append(w.e.portless, p)
		w.EndpointsChanged(nil)
	}
}

func (w portlessWatch) ContainerStopped(p *model.Pod) {
	e := w.e
	if i := slices.Index(e.portless, p); i >= 0 {
		e.portless = slices.Delete(e.portless, i, i+1)
	}
	if b := e.late[p.ID]; b != nil {
		delete(e.late, p.ID)
		b.Stop()
	}
}

// EndpointsChanged starts the echo servers of the waiting containers that a
// Service now selects (svc nil: any Service).
func (w portlessWatch) EndpointsChanged(svc *model.Service) {
	e := w.e
	if len(e.portless) == 0 {
		return
	}
	for i := 0; i < len(e.portless); {
		p := e.portless[i]
		if !selectedByService(w.rt.C, svc, p) {
			i++
			continue
		}
		e.portless = slices.Delete(e.portless, i, i+1)
		e.echoed[p.ID] = true
		b := e.newEcho(&w.rt.Env, p)
		e.late[p.ID] = b
		b.Start()
	}
}

// selectedByService says whether svc (nil: any Service of the cluster)
// selects pod p: same namespace, a selector all of whose labels p has.
func selectedByService(c *model.Cluster, svc *model.Service, p *model.Pod) bool {
	if svc == nil {
		for _, s := range c.Services() {
			if selectedByService(c, s, p) {
				return true
			}
		}
		return false
	}
	if svc.Deleted || svc.Namespace != p.Namespace || len(svc.Selector) == 0 {
		return false
	}
	for k, v := range svc.Selector {
		if l, ok := p.Labels[k]; !ok || l != v {
			return false
		}
	}
	return true
}

type serverBehaviour struct{ s *traffic.Server }

func (b serverBehaviour) Start() { b.s.Start() }
func (b serverBehaviour) Stop()  { b.s.Stop() }

// service is a declared service.
type service struct {
	e      *Engine
	spec   *Service
	routes []sim.Dist // service time, by route index
	cpu    []sim.Dist // CPU work, by route index (nil: none)
	// routeNums are the routes' numbers (Engine.route), by route index.
	routeNums []traffic.Route
	// usesCPU: a route has CPU work; each container gets a cgroup.
	usesCPU bool
}

func (sv *service) matches(p *model.Pod) bool { return matches(sv.spec.Image, sv.spec.Labels, p) }

// imagePath is an image reference without its tag or digest:
// registry.io:5000/team/web:v2 -> registry.io:5000/team/web.
func imagePath(image string) string {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndexByte(image, ':'); i > strings.LastIndexByte(image, '/') {
		image = image[:i]
	}
	return image
}

// matches says whether pod p runs image (a name, or a path ending with the
// name: microservices-demo/frontend; any registry before it and any tag or
// digest after) and has labels.
func matches(image string, labels map[string]string, p *model.Pod) bool {
	if image != "" {
		if strings.IndexByte(image, '/') < 0 {
			if workload.ImageName(p.Spec.Image) != image {
				return false
			}
		} else {
			im := imagePath(p.Spec.Image)
			// im is image, or ends with "/"+image (without building that string).
			n := len(im) - len(image)
			if im != image && !(n > 0 && im[n-1] == '/' && im[n:] == image) {
				return false
			}
		}
	}
	for k, v := range labels {
		if p.Labels[k] != v {
			return false
		}
	}
	return true
}

// instance is a declared service running in one container.
type instance struct {
	sv   *service
	pod  *model.Pod
	srv  *traffic.Server
	node *model.Node
	// stopped: the container stopped; its scripts' steps stop too.
	stopped bool
	// cpu is the container's cgroup (nil: no route uses CPU); inCPU the
	// requests whose CPU work or wait is under way, by slot, and freeSlots
	// the unused slots.
	cpu       *cpu.Container
	inCPU     []cpuSlot
	freeSlots []int64
}

// cpuSlot is a request in its CPU work (or in the wait after it).
type cpuSlot struct {
	r    *traffic.Request
	id   uint64
	wait sim.Time // the route's service time, after the CPU work
	i    int      // route index
}

func (sv *service) new(env *workload.Env, p *model.Pod) workload.Behaviour {
	in := &instance{sv: sv, pod: p, node: env.C.LookupNode(p.NodeName)}
	in.srv = env.Net.NewServer(p, sv.spec.Concurrency, sv.spec.Backlog, in.serve)
	if m := sv.spec.Memory; m != nil {
		in.srv.SetMemory(m.Base, m.PerRequest)
	}
	if sv.usesCPU {
		in.cpu = env.CPU.Start(p, sv.spec.Concurrency)
	}
	return in
}

func (in *instance) Start() { in.srv.Start() }
func (in *instance) Stop() {
	in.stopped = true
	if in.cpu != nil {
		in.cpu.Stop()
	}
	in.srv.Stop()
}

// routeIndex is the declared route of request route r (the first if none).
func (sv *service) routeIndex(r traffic.Route) int {
	for i, n := range sv.routeNums {
		if n == r {
			return i
		}
	}
	return 0
}

// serve starts serving request r: the route's service time, then its script,
// then the answer (an application error with the route's error rate, or if a
// call of the script failed).
func (in *instance) serve(r *traffic.Request) sim.Time {
	sv := in.sv
	i := sv.routeIndex(r.Route)
	rt := &sv.spec.Routes[i]
	r.ResponseBytes = rt.ResponseSize
	d := sv.routes[i].Sample()
	if c := sv.cpu[i]; c != nil && in.cpu != nil {
		var k int64
		if n := len(in.freeSlots); n > 0 {
			k = in.freeSlots[n-1]
			in.freeSlots = in.freeSlots[:n-1]
		} else {
			k = int64(len(in.inCPU))
			in.inCPU = append(in.inCPU, cpuSlot{})
		}
		in.inCPU[k] = cpuSlot{r: r, id: r.ID(), wait: d, i: i}
		in.cpu.Run(c.Sample(), in, k<<1)
		return traffic.Async
	}
	if len(rt.Script) == 0 && rt.ErrorRate == 0 {
		return d
	}
	return in.rest(r, rt, d)
}

// Handle continues request k<<1 after its CPU work (its wait, if any, comes
// next: event k<<1|1) or after that wait.
func (in *instance) Handle(e *sim.Engine, arg int64) {
	k := arg >> 1
	s := &in.inCPU[k]
	if in.stopped || s.r.ID() != s.id {
		*s = cpuSlot{}
		in.freeSlots = append(in.freeSlots, k)
		return
	}
	if arg&1 == 0 && s.wait > 0 {
		e.After(s.wait, in, arg|1)
		return
	}
	r, id, rt := s.r, s.id, &in.sv.spec.Routes[s.i]
	*s = cpuSlot{}
	in.freeSlots = append(in.freeSlots, k)
	if len(rt.Script) == 0 && rt.ErrorRate == 0 {
		in.srv.Finish(r, id, metrics.OK)
		return
	}
	in.rest(r, rt, 0)
}

// rest runs the rest of a request after d: its script, then the answer.
func (in *instance) rest(r *traffic.Request, rt *Route, d sim.Time) sim.Time {
	e := in.sv.e
	x := e.newRun()
	x.ns, x.from, x.client, x.stopped = in.pod.Namespace, in.node, traffic.ClientOf(in.pod), &in.stopped
	x.kind, x.in, x.r, x.id, x.rt = runRequest, in, r, r.ID(), rt
	e.env.C.E.After(d, x, evBegin)
	return traffic.Async
}

// run is one execution context of scripts: from a pod (a server's route, a
// client's users in a container) or from outside (a client), and what the
// end of its script does. A server's request and an open-loop arrival each
// get a run from the engine's pool, given back when the script ends; a
// closed-loop user keeps its run from run to run. Nothing is allocated per
// request once the pools are warm.
type run struct {
	e      *Engine
	ns     string // the calling pod's namespace ("": outside the cluster, default)
	from   *model.Node
	client kubeproxy.ClientID
	// entry: the run is a client's outside the cluster, whose calls enter
	// through a NodePort or LoadBalancer Service (nil: from a pod, or a
	// client in the cluster).
	entry *traffic.Entry
	// stopped, if not nil, is the container's flag: once it is set the
	// run's steps stop where they are (nil: the run never stops).
	stopped *bool
	kind    runKind
	// runRequest: the request whose answer follows the script.
	in *instance
	r  *traffic.Request
	id uint64
	rt *Route
	// runUser, runArrival: the client, and when the run of its script
	// began; onStart: the user is running the client's OnStart.
	c       *client
	start   sim.Time
	onStart bool
	// A paced user (Client.QPS): when its first run started, and how many
	// runs it has ended.
	epoch sim.Time
	paced int64
}

// runKind is what the end of a run's script does.
type runKind uint8

const (
	runRequest runKind = iota // answer the request (a server's route)
	runUser                   // a closed-loop virtual user: think, run again
	runArrival                // an open-loop arrival: count it
)

// Events of a run (the arg of its Handle).
const (
	evBegin     = iota // run the script (a request's, or a user's next run)
	evUserStart        // a closed-loop user starts
)

func (x *run) alive() bool { return x.stopped == nil || !*x.stopped }

// Handle runs the run's events, unless it is no longer alive.
func (x *run) Handle(_ *sim.Engine, arg int64) {
	if !x.alive() {
		return
	}
	if arg == evUserStart {
		x.c.user(x)
		return
	}
	if x.kind == runRequest {
		x.script(x.rt.Script)
		return
	}
	x.start, x.onStart = x.e.env.C.Now(), false
	x.script(x.c.spec.Script)
}

// script runs steps in a new task of x; its end ends the run's script.
func (x *run) script(steps []Step) {
	t := x.e.newTask(x, nil)
	t.push(steps, 0)
	t.advance()
}

// end is the end of x's script, OK or the outcome of the first call that
// failed for good.
func (x *run) end(o metrics.Outcome) {
	e := x.e
	switch x.kind {
	case runRequest:
		in, r, id, rt := x.in, x.r, x.id, x.rt
		e.freeRun(x)
		if o == metrics.OK && rt.ErrorRate > 0 && e.rng.Float64() < rt.ErrorRate {
			o = metrics.AppError
		}
		if o != metrics.OK {
			o = metrics.AppError
		}
		in.srv.Finish(r, id, o)
	case runArrival:
		c, start := x.c, x.start
		e.freeRun(x)
		c.flow.Done(start, o)
	case runUser:
		c := x.c
		if !x.alive() {
			return
		}
		if x.onStart {
			// A failure of OnStart does not stop the user.
			c.userAfter(x, 0)
			return
		}
		c.flow.Done(x.start, o)
		var d sim.Time
		if qps := c.spec.QPS; qps > 0 {
			// fortio's pacing: the next run at its place in the user's
			// schedule, at once if the user is behind it.
			x.paced++
			d = max(0, x.epoch+sim.Time(float64(x.paced)*float64(c.spec.Users)*1e9/qps)-e.env.C.Now())
		} else {
			d = c.think.Sample()
		}
		if e.env.C.Now() == x.start && d <= 0 {
			d = MinLoop
		}
		c.userAfter(x, d)
	}
}

// newRun returns a run from the pool (its fields zero but e).
func (e *Engine) newRun() *run {
	if n := len(e.runs); n > 0 {
		x := e.runs[n-1]
		e.runs = e.runs[:n-1]
		return x
	}
	return &run{e: e}
}

func (e *Engine) freeRun(x *run) {
	*x = run{e: e}
	e.runs = append(e.runs, x)
}

// task runs a sequence of steps of a run: its script, or one step of a
// parallel group. Its frames are the sequences it is in (a script, a taken
// branch, a loop's body), innermost last; it waits for one thing at a time:
// a sleep, a call (and its retries), or its parallel group's tasks. A task
// comes from its engine's pool and goes back when its steps end; when its
// run stops (the container stopped) it is dropped where it waits.
type task struct {
	x      *run
	parent *task // the task whose parallel group this one is in (nil: the script's)
	frames []frame
	// left is how many tasks of the parallel group it waits for are still
	// running; worst the first failure among those that ended.
	left  int
	worst metrics.Outcome
	// call is the call under way, attempt its try (0: the first), flow its
	// route's measure.
	call    *Call
	attempt int
	flow    *metrics.Flow
}

// frame is a sequence of steps: i is the next to start; again how many more
// times the sequence runs once it ends (a loop's body).
type frame struct {
	steps []Step
	i     int
	again int
}

// Events of a task (the arg of its Handle).
const (
	evSlept = iota // its sleep ended
	evRetry        // its call's backoff ended: try again
)

func (e *Engine) newTask(x *run, parent *task) *task {
	var t *task
	if n := len(e.tasks); n > 0 {
		t = e.tasks[n-1]
		e.tasks = e.tasks[:n-1]
	} else {
		t = &task{}
	}
	t.x, t.parent = x, parent
	return t
}

func (e *Engine) freeTask(t *task) {
	t.frames = t.frames[:0]
	t.x, t.parent, t.call, t.flow = nil, nil, nil, nil
	t.left, t.worst, t.attempt = 0, metrics.OK, 0
	e.tasks = append(e.tasks, t)
}

func (t *task) push(steps []Step, again int) {
	t.frames = append(t.frames, frame{steps: steps, again: again})
}

// advance starts t's steps one after another until one waits (a sleep, a
// call, a parallel group) or the steps end.
func (t *task) advance() {
	for {
		n := len(t.frames)
		if n == 0 {
			t.end(metrics.OK)
			return
		}
		f := &t.frames[n-1]
		if f.i == len(f.steps) {
			if f.again > 0 {
				f.again--
				f.i = 0
			} else {
				t.frames = t.frames[:n-1]
			}
			continue
		}
		s := &f.steps[f.i]
		f.i++
		if !t.begin(s) {
			return
		}
	}
}

// begin starts step s; it reports whether s ended at once (OK): otherwise
// t waits, and goes on in stepDone.
func (t *task) begin(s *Step) bool {
	x := t.x
	e := x.e
	switch s.Kind {
	case Sleep:
		d, ok := e.sleeps[s]
		if !ok {
			d = s.Sleep.New(e.rng)
		}
		e.env.C.E.After(d.Sample(), t, evSlept)
		return false
	case CallStep:
		t.send(&s.Call, 0)
		return false
	case Parallel:
		n := len(s.Steps)
		if n == 0 {
			return true
		}
		t.left, t.worst = n, metrics.OK
		// Once the last of the group ends (maybe at once, in this loop) t
		// goes on, and may end: t is not touched after it.
		for i := range s.Steps {
			c := e.newTask(x, t)
			c.push(s.Steps[i:i+1], 0)
			c.advance()
		}
		return false
	case Branching:
		u := e.rng.Float64()
		for i := range s.Branches {
			b := &s.Branches[i]
			if u < b.P {
				t.push(b.Steps, 0)
				return true
			}
			u -= b.P
		}
		return true
	case Loop:
		if s.Times > 0 {
			t.push(s.Steps, s.Times-1)
		}
		return true
	}
	return true
}

// stepDone goes on after t's step ended with o: the next step, or the end
// of t's steps on a failure.
func (t *task) stepDone(o metrics.Outcome) {
	if o != metrics.OK {
		t.end(o)
		return
	}
	t.advance()
}

// end ends t's steps with o: its parallel group's task, or its run's
// script, goes on.
func (t *task) end(o metrics.Outcome) {
	p, x := t.parent, t.x
	x.e.freeTask(t)
	if p == nil {
		x.end(o)
		return
	}
	if o != metrics.OK && p.worst == metrics.OK {
		p.worst = o
	}
	if p.left--; p.left == 0 {
		p.stepDone(p.worst)
	}
}

// Handle ends t's sleep or backoff, unless its run is no longer alive.
func (t *task) Handle(_ *sim.Engine, arg int64) {
	if !t.x.alive() {
		return
	}
	if arg == evSlept {
		t.advance()
		return
	}
	t.send(t.call, t.attempt+1)
}

// send tries call c (attempt 0 is the first try).
func (t *task) send(c *Call, attempt int) {
	x := t.x
	e := x.e
	t.call, t.attempt, t.flow = c, attempt, e.flows[c]
	svc := e.env.C.ResolveService(x.ns, c.Service)
	if x.entry != nil {
		e.env.Net.SendOutside(t, x.client, x.entry, svc, e.route(c.Route), c.KeepAlive, 0, c.Timeout, c.Size)
		return
	}
	e.env.Net.SendSized(t, x.client, x.from, svc, e.route(c.Route), c.KeepAlive, 0, c.Timeout, c.Size)
}

// RequestDone continues the script: a failed try is retried after its
// backoff, with full jitter.
func (t *task) RequestDone(r *traffic.Request, o metrics.Outcome) {
	if t.flow != nil {
		t.flow.Done(r.Sent(), o)
	}
	x := t.x
	if !x.alive() {
		return
	}
	c := t.call
	if o == metrics.OK || t.attempt >= c.Retries {
		t.stepDone(o)
		return
	}
	wait := sim.Time(x.e.rng.Float64() * float64(c.Backoff<<t.attempt))
	x.e.env.C.E.After(wait, t, evRetry)
}

// shortName is a Service's name without the namespace and domain cluster DNS
// adds.
func shortName(name string) string {
	for _, suffix := range []string{".default.svc.cluster.local", ".default.svc", ".default"} {
		if strings.HasSuffix(name, suffix) {
			return strings.TrimSuffix(name, suffix)
		}
	}
	return name
}

// start starts the clients.
func (e *Engine) start() {
	for i := range e.spec.Clients {
		cl := &e.spec.Clients[i]
		if cl.InPods() {
			continue
		}
		c := e.newClient(i)
		users := make([]*run, cl.Users)
		for u := range users {
			id := kubeproxy.ClientID(1<<31 + uint32(i)<<20 + uint32(u))
			users[u] = &run{e: e, client: id, kind: runUser, c: c, entry: c.entry}
		}
		if len(cl.WaitReady) > 0 {
			e.env.C.E.After(cl.Start, sim.HandlerFunc(func(*sim.Engine, int64) {
				e.waitReady(cl, func() {
					e.waited = append(e.waited, waitedClient{cl, e.env.C.Now()})
					for _, x := range users {
						c.user(x)
					}
					if cl.Users == 0 {
						c.next()
					}
				})
			}), 0)
			continue
		}
		if cl.Users > 0 {
			for _, x := range users {
				e.env.C.E.After(cl.Start, x, evUserStart)
			}
			continue
		}
		e.env.C.E.After(cl.Start, c, evNext)
	}
}

// NeverStarted names the clients that waited for ready endpoints (WaitReady)
// and never started: the run measured none of their load.
func (e *Engine) NeverStarted() []string {
	started := map[*Client]bool{}
	for _, w := range e.waited {
		started[w.cl] = true
	}
	var out []string
	for i := range e.spec.Clients {
		cl := &e.spec.Clients[i]
		if len(cl.WaitReady) > 0 && !cl.InPods() && !started[cl] {
			out = append(out, cl.Name)
		}
	}
	return out
}

// Waited says, for each client that waits for ready endpoints (WaitReady),
// when it started, or that it never did.
func (e *Engine) Waited() []string {
	var out []string
	started := map[*Client]sim.Time{}
	for _, w := range e.waited {
		started[w.cl] = w.at
	}
	for i := range e.spec.Clients {
		cl := &e.spec.Clients[i]
		if len(cl.WaitReady) == 0 || cl.InPods() {
			continue
		}
		var names []string
		for _, w := range cl.WaitReady {
			names = append(names, fmt.Sprintf("%s %d", w.Service, w.Endpoints))
		}
		need := strings.Join(names, ", ")
		if len(names) > 8 {
			need = fmt.Sprintf("%d Services: %s, ...", len(names), strings.Join(names[:4], ", "))
		}
		if at, ok := started[cl]; ok {
			out = append(out, fmt.Sprintf("%s: started at %.3f s, once every Service had its ready endpoints (%s)", cl.Name, at.Seconds(), need))
		} else {
			out = append(out, fmt.Sprintf("%s: never started: the Services never all had their ready endpoints (%s); %s", cl.Name, need, e.NotReady(cl)))
		}
	}
	return out
}

// NotReady says which of cl's WaitReady Services lack ready endpoints now:
// "at 60.000 s, 412 of 1000 Services had fewer ready endpoints than they
// need (svc-0-5 0 of 2, ...)".
func (e *Engine) NotReady(cl *Client) string {
	var short []string
	n := 0
	for _, w := range cl.WaitReady {
		s := e.env.C.ResolveService("", w.Service)
		have := 0
		if s != nil && !s.Deleted {
			have = s.ReadyEndpoints()
		}
		if have >= w.Endpoints {
			continue
		}
		n++
		if len(short) < 4 {
			short = append(short, fmt.Sprintf("%s %d of %d", w.Service, have, w.Endpoints))
		}
	}
	more := ""
	if n > len(short) {
		more = ", ..."
	}
	return fmt.Sprintf("at %.3f s, %d of %d Services had fewer ready endpoints than they need (%s%s)", e.env.C.Now().Seconds(), n, len(cl.WaitReady), strings.Join(short, ", "), more)
}

// readyWaiter holds clients back until their WaitReady Services have their
// ready endpoints: it checks them whenever kube-proxy reprograms a Service.
type readyWaiter struct {
	model.NopObserver
	e       *Engine
	waiting []waitingClient
}

type waitingClient struct {
	cl     *Client
	launch func()
}

// waitReady launches cl now if its WaitReady Services are ready, otherwise
// once they are.
func (e *Engine) waitReady(cl *Client, launch func()) {
	if e.ready(cl) {
		launch()
		return
	}
	if e.waiter == nil {
		e.waiter = &readyWaiter{e: e}
		e.env.C.Observe(e.waiter)
	}
	e.waiter.waiting = append(e.waiter.waiting, waitingClient{cl, launch})
}

// ready reports whether each of cl's WaitReady Services exists and has its
// ready endpoints.
func (e *Engine) ready(cl *Client) bool {
	for _, w := range cl.WaitReady {
		s := e.env.C.ResolveService("", w.Service)
		if s == nil || s.Deleted || s.ReadyEndpoints() < w.Endpoints {
			return false
		}
	}
	return true
}

// EndpointsChanged launches the waiting clients that are now ready, in the
// order they began waiting, after the reprogramming (at the same instant).
func (w *readyWaiter) EndpointsChanged(*model.Service) {
	kept := w.waiting[:0]
	for _, wc := range w.waiting {
		if w.e.ready(wc.cl) {
			w.e.env.C.E.After(0, sim.HandlerFunc(func(*sim.Engine, int64) { wc.launch() }), 0)
			continue
		}
		kept = append(kept, wc)
	}
	w.waiting = kept
}

// newClient returns the runner of client i.
func (e *Engine) newClient(i int) *client {
	cl := &e.spec.Clients[i]
	c := &client{e: e, spec: cl, rng: e.env.C.E.Stream("decl/client/" + cl.Name)}
	if !cl.InPods() {
		// A client in containers is measured once one runs.
		c.flow = e.env.Rec.Client(cl.Name)
	}
	if cl.Users > 0 {
		c.think = cl.Think.New(c.rng)
	}
	if !cl.InPods() && !cl.InCluster {
		c.entry = &traffic.Entry{Node: cl.Node}
	}
	return c
}

// podClient is a client's users running in one container.
type podClient struct {
	c       *client
	pod     *model.Pod
	node    *model.Node
	stopped bool
	// With TotalUsers: when the container started, and each of its running
	// users' stop flag (the users the client's total gives it).
	started sim.Time
	users   []*bool
}

func (c *client) inPod(env *workload.Env, p *model.Pod) workload.Behaviour {
	return &podClient{c: c, pod: p, node: env.C.LookupNode(p.NodeName)}
}

// Start starts the container's users (Users, or its env's UsersEnv), spawned
// as locust spawns them at SpawnRate (or its env's SpawnRateEnv) per second:
// max(1, floor(rate)) users at once, the next batch that many over rate
// seconds later (all at once without a rate), after the client's Start.
func (pc *podClient) Start() {
	c := pc.c
	if c.flow == nil {
		c.flow = c.e.env.Rec.Client(c.spec.Name)
	}
	if c.spec.Users == 0 {
		// Open loop: each container sends its own arrivals.
		c.e.env.C.E.After(c.spec.Start, pc, evNext)
		return
	}
	if c.spec.TotalUsers {
		pc.started = c.e.env.C.Now()
		c.pods = append(c.pods, pc)
		c.rebalance()
		return
	}
	users, rate := c.e.fromEnv(c.spec, pc.pod)
	batch := max(1, math.Floor(rate))
	for u := 0; u < users; u++ {
		x := &run{e: c.e, ns: pc.pod.Namespace, from: pc.node, client: traffic.ClientOf(pc.pod), stopped: &pc.stopped, kind: runUser, c: c}
		d := c.spec.Start
		if rate > 0 {
			d += sim.Time(math.Floor(float64(u)/batch) * batch / rate * 1e9)
		}
		c.e.env.C.E.After(d, x, evUserStart)
	}
}

// Handle is an open-loop client's next arrival in the container: one run of
// the script from the pod (if the rate is not 0), then the next arrival,
// until the container stops.
func (pc *podClient) Handle(_ *sim.Engine, arg int64) {
	if pc.stopped {
		return
	}
	c := pc.c
	now := c.e.env.C.Now()
	if arg == evArrival && c.rate(now) > 0 {
		x := c.e.newRun()
		x.ns, x.from, x.client, x.stopped = pc.pod.Namespace, pc.node, traffic.ClientOf(pc.pod), &pc.stopped
		x.kind, x.c, x.start = runArrival, c, now
		x.script(c.spec.Script)
	}
	c.e.env.C.E.After(c.gap(now), pc, evArrival)
}

// fromEnv is how many users a container of client cl runs and how fast they
// are spawned: cl's Users and SpawnRate, or the values of the container's
// variables cl names (UsersEnv, SpawnRateEnv) when they are set and not
// empty. A value that is not a number (a whole one for users) runs no users,
// as locust exits with a usage error; the run says so.
func (e *Engine) fromEnv(cl *Client, p *model.Pod) (users int, rate float64) {
	users, rate = cl.Users, cl.SpawnRate
	var said []string
	bad := ""
	if v, ok := p.Spec.LookupEnv(cl.UsersEnv); cl.UsersEnv != "" && ok {
		t := strings.TrimSpace(v.Value)
		switch n, err := strconv.Atoi(t); {
		case v.ValueFrom:
			said = append(said, fmt.Sprintf("%s from valueFrom, which kubesim does not resolve: the default %s", cl.UsersEnv, count(users, "user")))
		case t == "":
		case err != nil || n < 0:
			bad = fmt.Sprintf("%s=%q is not a whole number of users", cl.UsersEnv, v.Value)
		default:
			users = n
			said = append(said, fmt.Sprintf("%s=%q", cl.UsersEnv, v.Value))
		}
	}
	if v, ok := p.Spec.LookupEnv(cl.SpawnRateEnv); cl.SpawnRateEnv != "" && ok && bad == "" {
		t := strings.TrimSpace(v.Value)
		switch r, err := strconv.ParseFloat(t, 64); {
		case v.ValueFrom:
			said = append(said, fmt.Sprintf("%s from valueFrom, which kubesim does not resolve: the default %g per second", cl.SpawnRateEnv, rate))
		case t == "":
		case err != nil || !(r > 0) || math.IsInf(r, 0):
			bad = fmt.Sprintf("%s=%q is not a spawn rate above 0 (users per second)", cl.SpawnRateEnv, v.Value)
		default:
			rate = r
			said = append(said, fmt.Sprintf("%s=%q", cl.SpawnRateEnv, v.Value))
		}
	}
	var line string
	switch {
	case bad != "":
		users = 0
		line = fmt.Sprintf("client %s: env %s: the load generator would exit with a usage error; its containers run no users", cl.Name, bad)
	case len(said) == 0:
		return users, rate
	default:
		spawn := "all at once"
		if rate > 0 {
			spawn = fmt.Sprintf("spawned %g per second", rate)
		}
		line = fmt.Sprintf("client %s: env %s: %s per container, %s", cl.Name, strings.Join(said, ", "), count(users, "user"), spawn)
	}
	a := e.envNotes[line]
	if a == nil {
		a = &assumedImage{first: p.Name}
		e.envNotes[line] = a
	}
	a.n++
	return users, rate
}

// FromEnv says what the clients in containers read from their env: one line
// per client and setting, with the number of container starts that read it
// (none if no container had the variables set).
func (e *Engine) FromEnv() []string {
	lines := make([]string, 0, len(e.envNotes))
	for l := range e.envNotes {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	for i, l := range lines {
		a := e.envNotes[l]
		lines[i] = fmt.Sprintf("%s (%s, first %s)", l, count(a.n, "container start"), a.first)
	}
	return lines
}

// Stop stops the users: their runs end with the container. With
// TotalUsers, the client's other containers take over its users.
func (pc *podClient) Stop() {
	pc.stopped = true
	c := pc.c
	if !c.spec.TotalUsers {
		return
	}
	pc.setUsers(0)
	if i := slices.Index(c.pods, pc); i >= 0 {
		c.pods = slices.Delete(c.pods, i, i+1)
	}
	c.rebalance()
}

// rebalance spreads a TotalUsers client's users over its running
// containers as locust's master spreads users over its workers (its
// dispatcher cycles through them): each gets Users / containers, and the
// first Users mod containers, in the order they started, one more. Users
// are started or stopped where the counts change, at once.
func (c *client) rebalance() {
	w := len(c.pods)
	if w == 0 {
		return
	}
	n := c.spec.Users
	for i, pc := range c.pods {
		k := n / w
		if i < n%w {
			k++
		}
		pc.setUsers(k)
	}
}

// setUsers starts or stops users of the container until it runs k: the last
// started stop first. A user starts after the client's Start from the
// container's start (and spawnRate's batches, counted in the container), or
// at once when that has passed.
func (pc *podClient) setUsers(k int) {
	c := pc.c
	for len(pc.users) > k {
		last := len(pc.users) - 1
		*pc.users[last] = true
		pc.users = pc.users[:last]
	}
	now := c.e.env.C.Now()
	for u := len(pc.users); u < k; u++ {
		flag := new(bool)
		pc.users = append(pc.users, flag)
		x := &run{e: c.e, ns: pc.pod.Namespace, from: pc.node, client: traffic.ClientOf(pc.pod), stopped: flag, kind: runUser, c: c}
		at := pc.started + c.spec.Start
		if rate := c.spec.SpawnRate; rate > 0 {
			batch := max(1, math.Floor(rate))
			at += sim.Time(math.Floor(float64(u)/batch) * batch / rate * 1e9)
		}
		c.e.env.C.E.After(max(0, at-now), x, evUserStart)
	}
}

// ContainerUsers is, for the client in containers named name, the number of
// virtual users each of its running containers runs, in the order they
// started (TotalUsers clients only; nil otherwise).
func (e *Engine) ContainerUsers(name string) []int {
	c := e.inPods[name]
	if c == nil || !c.spec.TotalUsers {
		return nil
	}
	out := make([]int, len(c.pods))
	for i, pc := range c.pods {
		out[i] = len(pc.users)
	}
	return out
}

// client runs one declared client.
type client struct {
	e     *Engine
	spec  *Client
	rng   *rand.Rand
	think sim.Dist
	n     uint32
	// flow measures the runs of the script.
	flow *metrics.Flow
	// entry is where a client outside the cluster enters it (nil: in pods,
	// or in the cluster).
	entry *traffic.Entry
	// pods are a TotalUsers client's running containers, in the order they
	// started.
	pods []*podClient
}

// MinLoop is how long a closed-loop virtual user waits before its next run
// when its run and think time took no simulated time at all (its connection
// refused at once by a Service without endpoints, and no think time): about a
// load generator's own work per request. Without it the user would loop
// forever at one instant.
const MinLoop = sim.Time(time.Millisecond)

// user is one closed-loop virtual user: think, run the script, again; or,
// with OnStart, run it once, then the script at once, then think, run the
// script, again.
func (c *client) user(x *run) {
	if c.spec.QPS > 0 {
		// A paced user (fortio's connection) runs at once, then on its
		// schedule.
		x.epoch, x.paced = c.e.env.C.Now(), 0
		c.userAfter(x, 0)
		return
	}
	if len(c.spec.OnStart) == 0 {
		c.userAfter(x, c.think.Sample())
		return
	}
	x.onStart = true
	x.script(c.spec.OnStart)
}

// userAfter runs the script of user x after think (run.end goes on after
// it).
func (c *client) userAfter(x *run, think sim.Time) {
	c.e.env.C.E.After(think, x, evBegin)
}

// rate is the open-loop arrival rate at t.
func (c *client) rate(t sim.Time) float64 {
	sp := c.spec
	if sn := sp.Sine; sn != nil {
		return sn.Mean + sn.Amplitude*math.Sin(2*math.Pi*float64(t)/float64(sn.Period))
	}
	if len(sp.Schedule) == 0 {
		return sp.Rate
	}
	s := sp.Schedule
	k := sort.Search(len(s), func(i int) bool { return s[i].At > t }) - 1
	switch {
	case k < 0:
		if sp.Ramp {
			return s[0].Rate
		}
		return sp.Rate
	case !sp.Ramp || k == len(s)-1:
		return s[k].Rate
	}
	a, b := s[k], s[k+1]
	return a.Rate + (b.Rate-a.Rate)*float64(t-a.At)/float64(b.At-a.At)
}

// Events of an open-loop client (the arg of its Handle).
const (
	evArrival = iota // an arrival
	evNext           // schedule the first arrival
)

// Handle runs an arrival (evArrival) or schedules the first (evNext).
func (c *client) Handle(_ *sim.Engine, arg int64) {
	if arg == evArrival {
		c.arrival()
		return
	}
	c.next()
}

// next schedules the next arrival.
func (c *client) next() {
	c.e.env.C.E.After(c.gap(c.e.env.C.Now()), c, evArrival)
}

// arrival starts one run of the script (if the rate is not 0) and schedules
// the next arrival.
func (c *client) arrival() {
	if c.rate(c.e.env.C.Now()) > 0 {
		c.n++
		x := c.e.newRun()
		x.client, x.kind, x.c, x.start, x.entry = kubeproxy.ClientID(1<<30+c.n%(1<<20)), runArrival, c, c.e.env.C.Now(), c.entry
		x.script(c.spec.Script)
	}
	c.next()
}

// gap is the time to the next arrival; while the rate is 0, the client looks
// again every second.
func (c *client) gap(now sim.Time) sim.Time {
	r := c.rate(now)
	if r <= 0 {
		return sim.Time(1e9)
	}
	mean := 1e9 / r
	if c.spec.Constant {
		return sim.Time(math.Max(1, mean))
	}
	return sim.Time(math.Max(1, c.rng.ExpFloat64()*mean))
}

// count is n and the noun, plural unless n is 1: "1 user", "10 users".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// FlowNames are the names a run of s measures routes and clients under (the
// summary's Routes and Clients, the study metrics' routes.NAME. and
// clients.NAME.): SERVICE/route of every call in the services' and clients'
// scripts, and every client's name. A route or client that never runs is
// absent from a run's figures.
func (s *Spec) FlowNames() (routes, clients map[string]bool) {
	routes, clients = map[string]bool{}, map[string]bool{}
	var walk func(steps []Step)
	walk = func(steps []Step) {
		for i := range steps {
			st := &steps[i]
			if st.Kind == CallStep {
				routes[RouteKey(st.Call.Service, st.Call.Route)] = true
			}
			walk(st.Steps)
			for j := range st.Branches {
				walk(st.Branches[j].Steps)
			}
		}
	}
	for i := range s.Services {
		for j := range s.Services[i].Routes {
			walk(s.Services[i].Routes[j].Script)
		}
	}
	for i := range s.Clients {
		clients[s.Clients[i].Name] = true
		walk(s.Clients[i].Script)
		walk(s.Clients[i].OnStart)
	}
	return routes, clients
}

// Package dockercoins is DockerCoins, the demo application of the
// container.training Kubernetes workshop, as a workload: rng, hasher and redis
// serve requests, worker runs worker.py's loop, and a browser polls the web UI
// (see shared/reference/dockercoins.md). Containers are matched by image name
// (dockercoins/rng:v0.1 -> rng; any registry and tag).
package dockercoins

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/kubeproxy"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/traffic"
	"github.com/kubesim/kubesim/workload"
)

// Config holds the DockerCoins service timings, from the real services'
// mechanisms (see shared/reference/dockercoins.md).
//
// A sleep (Python's time.sleep, Ruby's Kernel#sleep) never ends early: Linux
// fires its timer up to the thread's timer slack late, 50 us by default
// (prctl(2), PR_SET_TIMERSLACK), so a 0.1 s sleep takes 100ms +
// uniform(0,50us). A request to rng or hasher adds its server's work around the
// handler. For rng, Werkzeug's development server parses the request and
// writes the response in Python: the work of a GET / with no sleep
// (RNGRootService), 200 us on average. For hasher, thin, Rack and Sinatra in
// Ruby plus a SHA-256 of 32 bytes: 500 us on average (published hello-world
// benchmarks of Sinatra serve 800-3,000 requests/s on one core, 0.3-1.2 ms a
// request). The work varies from request to request (garbage collection,
// allocation, the interpreter's lock): lognormal, with a coefficient of
// variation of 0.5, an estimate. A redis command takes 100 us on average,
// with the same spread.
//
//	field           default
//	WorkerSleep     100ms + uniform(0,50us)
//	RNGService      100ms + lognormal(225us,110us)   sleep 0.1 s, timer slack (25 us on average), Werkzeug
//	RNGRootService  lognormal(200us,100us)           Werkzeug only
//	HasherService   100ms + lognormal(525us,260us)   sleep 0.1 s, timer slack, thin/Rack/Sinatra
//	RedisService    lognormal(100us,50us)
//
// The numeric fields' tags give the range a scenario file may set (range:
// "min,max", ">0" for above 0) and what the field is (why), for its error.
//
// A constant ("100ms") removes the spread of one; sim.UseMeans(&cfg) (a
// scenario's config.deterministic) removes all of it.
type Config struct {
	WorkerSleep      sim.DistSpec // sleep at the top of every worker loop (0.1 s)
	WorkerErrorSleep sim.Time     `range:"0,86400" why:"the worker's sleep after an error"` // sleep after an error (10 s)
	RNGService       sim.DistSpec // GET /<n>: sleep 0.1 s, plus the server's work
	RNGBacklog       int          `range:"1,1000000" why:"the rng server's listen backlog (Linux takes at least 1)"` // listen backlog of the single-threaded server (128)
	RNGRootService   sim.DistSpec // GET /: no sleep, the server's work only
	HasherService    sim.DistSpec // POST /: sleep 0.1 s, plus the server's work
	HasherThreads    int          `range:"1,1000000" why:"the hasher's thread pool: it serves that many requests at once"` // thin's thread pool (20)
	RedisService     sim.DistSpec // one command, sub-millisecond
	WebUIPoll        sim.Time     `range:">0,3600" why:"the web UI's poll period"` // browser poll period (1 s)
	CoinProbability  float64      `range:"0,1" why:"a probability"`                // a hash starting with '0': 1/16
}

// DefaultConfig returns the real services' timings.
func DefaultConfig() Config {
	ms, us := time.Millisecond, time.Microsecond
	return Config{
		WorkerSleep:      sim.Uniform(0, 50*us).Plus(100 * ms),
		WorkerErrorSleep: 10 * time.Second,
		RNGService:       sim.Lognormal(225*us, 110*us).Plus(100 * ms),
		RNGBacklog:       128,
		RNGRootService:   sim.Lognormal(200*us, 100*us),
		HasherService:    sim.Lognormal(525*us, 260*us).Plus(100 * ms),
		HasherThreads:    20,
		RedisService:     sim.Lognormal(100*us, 50*us),
		WebUIPoll:        time.Second,
		CoinProbability:  1.0 / 16,
	}
}

// Routes of DockerCoins' requests (traffic.RouteRoot is GET /).
const (
	routeRNG       traffic.Route = iota + 1 // GET rng /32
	routeHash                               // POST hasher /
	routeRedisIncr                          // INCRBY hashes n
	routeRedisHSet                          // HSET wallet h b
	routeRedisGet                           // GET hashes + HLEN wallet (the web UI's /json)
)

// Components are the DockerCoins images, by name.
var Components = []string{"rng", "hasher", "worker", "webui", "redis"}

// DockerCoins is the workload in one run.
type DockerCoins struct {
	env     *workload.Env
	cfg     Config
	browser *browser
	// used: a DockerCoins container ran; counted and computed are the hashes
	// counted in redis and computed by the workers; samples the web UI's polls.
	used              bool
	counted, computed *metrics.Counter
	samples           metrics.Thinned[WebUISample]
	webuis            []*model.Pod // running webui containers (webuiWatch)

	workerSleep, rng, rngRoot, hasher, redis sim.Dist
	// the Services the workers and the web UI call
	svcRNG, svcHasher, svcRedis, svcWebUI traffic.ServiceRef
}

// Install registers DockerCoins' behaviours with rt and opens the web UI page
// in a browser when rt starts.
func Install(rt *workload.Runtime, cfg Config) *DockerCoins {
	e := rt.C.E
	bind := func(name string, s sim.DistSpec) sim.Dist { return e.Dist("dist/"+name, s) }
	d := &DockerCoins{env: &rt.Env, cfg: cfg,
		workerSleep: bind("worker-sleep", cfg.WorkerSleep),
		rng:         bind("rng", cfg.RNGService),
		rngRoot:     bind("rng-root", cfg.RNGRootService),
		hasher:      bind("hasher", cfg.HasherService),
		redis:       bind("redis", cfg.RedisService),
		counted:     rt.Rec.Counter("hashes"),
		computed:    rt.Rec.Counter("hashes_computed"),
		svcRNG:      traffic.ServiceRef{Name: "rng"},
		svcHasher:   traffic.ServiceRef{Name: "hasher"},
		svcRedis:    traffic.ServiceRef{Name: "redis"},
		svcWebUI:    traffic.ServiceRef{Name: "webui"},
	}
	rt.Rec.OnSummary(d.summary)
	rt.Rec.AddFigures(metrics.Source{Workload: "dockercoins", Metrics: studyMetrics,
		Absent: "no DockerCoins container ran in this scenario", Figures: d.report})
	image := func(name string) func(p *model.Pod) bool {
		return func(p *model.Pod) bool { return workload.ImageName(p.Spec.Image) == name }
	}
	rt.Registry.Register("rng", image("rng"), d.newRNG)
	rt.Registry.Register("hasher", image("hasher"), d.newHasher)
	rt.Registry.Register("redis", image("redis"), d.newRedis)
	rt.Registry.Register("worker", image("worker"), d.newWorker)
	rt.Registry.Register("webui", image("webui"), nil)
	rt.OnStart(d.StartBrowser)
	rt.C.Observe(webuiWatch{d: d})
	return d
}

// webuiWatch keeps DockerCoins.webuis, the pods whose webui container runs
// (whatever behaviour the registry gives them), so that the browser finds one
// without a walk over every pod at every poll.
type webuiWatch struct {
	model.NopObserver
	d *DockerCoins
}

func (w webuiWatch) ContainerStarted(p *model.Pod) {
	if workload.ImageName(p.Spec.Image) == "webui" {
		w.d.webuis = append(w.d.webuis, p)
	}
}

func (w webuiWatch) ContainerStopped(p *model.Pod) {
	if i := slices.Index(w.d.webuis, p); i >= 0 {
		w.d.webuis = slices.Delete(w.d.webuis, i, i+1)
	}
}

// serverApp is a container that only serves requests.
type serverApp struct{ s *traffic.Server }

func (a *serverApp) Start() { a.s.Start() }
func (a *serverApp) Stop()  { a.s.Stop() }

func (d *DockerCoins) newRNG(env *workload.Env, p *model.Pod) workload.Behaviour {
	d.used = true
	return &serverApp{env.Net.NewServer(p, 1, d.cfg.RNGBacklog, func(r *traffic.Request) sim.Time {
		if r.Route == traffic.RouteRoot {
			return d.rngRoot.Sample()
		}
		return d.rng.Sample()
	})}
}

func (d *DockerCoins) newHasher(env *workload.Env, p *model.Pod) workload.Behaviour {
	d.used = true
	return &serverApp{env.Net.NewServer(p, d.cfg.HasherThreads, 0, func(r *traffic.Request) sim.Time {
		if r.Route == traffic.RouteRoot {
			return 0 // GET /
		}
		return d.hasher.Sample()
	})}
}

// redisApp holds the keys DockerCoins uses. Redis runs without persistence, so a
// restarted redis starts from zero.
type redisApp struct {
	serverApp
	hashes int64
	coins  int64
}

func (d *DockerCoins) newRedis(env *workload.Env, p *model.Pod) workload.Behaviour {
	d.used = true
	ra := &redisApp{}
	ra.s = env.Net.NewServer(p, 1, 0, func(r *traffic.Request) sim.Time {
		switch r.Route {
		case routeRedisIncr:
			ra.hashes += r.Val
			d.counted.Add(r.Val)
		case routeRedisHSet:
			ra.coins++
		case routeRedisGet:
			r.Val = ra.hashes
		}
		return d.redis.Sample()
	})
	return ra
}

// workerApp is worker.py: a synchronous loop, one request in flight at a time.
type workerApp struct {
	d    *DockerCoins
	env  *workload.Env
	pod  *model.Pod
	node *model.Node
	// coin is the worker's stream, inline; client and ns are its pod's
	// identity for kube-proxy and its namespace, kept here so that a call
	// does not load the pod.
	coin     rand.PCG
	client   kubeproxy.ClientID
	ns       string
	stopped  bool
	deadline sim.Time
	loops    int64
	step     int
	timer    sim.Timer
}

func (d *DockerCoins) newWorker(env *workload.Env, p *model.Pod) workload.Behaviour {
	d.used = true
	return &workerApp{d: d, env: env, pod: p, coin: env.C.E.StreamPCG("worker/" + p.Name),
		client: traffic.ClientOf(p), ns: p.Namespace}
}

// Worker loop steps.
const (
	wkIncr = iota
	wkSleep
	wkRNG
	wkHash
	wkHSet
	wkErrorSleep
)

// Timer events of the worker.
const (
	wkEvSleepDone = iota
	wkEvRestart
)

func (w *workerApp) Start() {
	w.node = w.env.C.LookupNode(w.pod.NodeName)
	w.restart()
}

func (w *workerApp) Stop() {
	w.stopped = true
	w.env.C.E.Cancel(w.timer)
}

// restart is work_loop() called afresh: deadline 0, loops_done 0.
func (w *workerApp) restart() {
	w.deadline, w.loops = 0, 0
	w.loopTop()
}

func (w *workerApp) loopTop() {
	if w.env.C.Now() > w.deadline {
		w.step = wkIncr
		w.call(&w.d.svcRedis, routeRedisIncr, true, w.loops)
		return
	}
	w.sleep()
}

func (w *workerApp) sleep() {
	w.step = wkSleep
	w.timer = w.env.C.E.After(w.d.workerSleep.Sample(), w, wkEvSleepDone)
}

// call sends a request: HTTP calls open a new connection each, the redis
// client keeps its connection open.
func (w *workerApp) call(svc *traffic.ServiceRef, route traffic.Route, keepAlive bool, val int64) {
	w.env.Net.Send(w, w.client, w.node, svc.GetIn(w.env.C, w.ns), route, keepAlive, val)
}

// Handle receives the worker's timers.
func (w *workerApp) Handle(_ *sim.Engine, ev int64) {
	if w.stopped {
		return
	}
	switch ev {
	case wkEvSleepDone:
		w.step = wkRNG
		w.call(&w.d.svcRNG, routeRNG, false, 32)
	case wkEvRestart:
		w.restart()
	}
}

func (w *workerApp) RequestDone(r *traffic.Request, outcome metrics.Outcome) {
	if w.stopped {
		return
	}
	if outcome != metrics.OK {
		// An exception in the loop: log, sleep 10 s, start again.
		w.step = wkErrorSleep
		w.timer = w.env.C.E.After(w.d.cfg.WorkerErrorSleep, w, wkEvRestart)
		return
	}
	switch w.step {
	case wkIncr:
		w.loops = 0
		w.deadline = w.env.C.Now() + sim.Time(1e9)
		w.sleep()
	case wkRNG:
		w.step = wkHash
		w.call(&w.d.svcHasher, routeHash, false, 0)
	case wkHash:
		if sim.Float64(&w.coin) < w.d.cfg.CoinProbability {
			w.step = wkHSet
			w.call(&w.d.svcRedis, routeRedisHSet, true, 0)
			return
		}
		w.loopDone()
	case wkHSet:
		w.loopDone()
	}
}

func (w *workerApp) loopDone() {
	w.loops++
	w.d.computed.Add(1)
	w.loopTop()
}

// studyMetrics are the study metrics DockerCoins' figures give.
var studyMetrics = []string{"hashes_per_s", "hashes", "hashes_computed"}

// browser is the web UI page open in a browser: every poll period it fetches
// /json from a webui pod, which reads the counters from redis.
type browser struct {
	d     *DockerCoins
	timer sim.Timer
}

func (b *browser) Handle(_ *sim.Engine, _ int64) {
	env := b.d.env
	c := env.C
	b.timer = c.E.After(b.d.cfg.WebUIPoll, b, 0)
	var webui *model.Pod
	if s := b.d.svcWebUI.Get(c); s != nil {
		webui = c.Pick(s, 0)
	}
	if webui == nil {
		// The first webui container running, in creation order.
		for _, p := range b.d.webuis {
			if webui == nil || p.ID < webui.ID {
				webui = p
			}
		}
	}
	if webui == nil || !webui.Running {
		return
	}
	env.Net.Send(b, traffic.ClientOf(webui), c.LookupNode(webui.NodeName), b.d.svcRedis.GetIn(c, webui.Namespace), routeRedisGet, true, 0)
}

func (b *browser) RequestDone(r *traffic.Request, outcome metrics.Outcome) {
	if outcome == metrics.OK {
		b.d.webUISample(b.d.env.C.Now(), r.Val)
	}
}

// StartBrowser opens the web UI page: polling starts now.
func (d *DockerCoins) StartBrowser() {
	if d.browser == nil {
		d.browser = &browser{d: d}
		d.browser.timer = d.env.C.E.After(0, d.browser, 0)
	}
}

// StopBrowser closes the web UI page: no more polls.
func (d *DockerCoins) StopBrowser() {
	if d.browser != nil {
		d.env.C.E.Cancel(d.browser.timer)
		d.browser = nil
	}
}

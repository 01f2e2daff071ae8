package model

import (
	"math/rand/v2"
	"strings"

	"github.com/kubesim/kubesim/model/kubeproxy"
	"github.com/kubesim/kubesim/sim"
)

// app is the workload model running in a pod's container.
type app interface {
	start()
	stop()
	server() *server // nil for a pure client
}

// AppKind names the DockerCoins component an image runs ("" for images kubesim
// runs as idle containers).
func AppKind(image string) string {
	name := image
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	switch name {
	case "rng", "hasher", "worker", "webui", "redis":
		return name
	}
	return ""
}

func (c *Cluster) newApp(p *Pod) app {
	w := &c.Cfg.Workload
	switch AppKind(p.Spec.Image) {
	case "rng":
		return c.newServerApp(p, 1, w.RNGBacklog, func(r *request) sim.Time {
			if r.kind == reqRNGRoot {
				return c.d.rngRoot.Sample()
			}
			return c.d.rng.Sample()
		})
	case "hasher":
		return c.newServerApp(p, w.HasherThreads, 0, func(r *request) sim.Time {
			if r.kind == reqHashRoot || r.kind == reqRNGRoot {
				return 0 // GET /
			}
			return c.d.hasher.Sample()
		})
	case "redis":
		ra := &redisApp{}
		ra.serverApp = c.newServerApp(p, 1, 0, func(r *request) sim.Time {
			switch r.kind {
			case reqRedisIncr:
				ra.hashes += r.val
				c.Rec.hashesCounted(r.val)
			case reqRedisHSet:
				ra.coins++
			case reqRedisGet:
				r.val = ra.hashes
			}
			return c.d.redis.Sample()
		})
		return ra
	case "worker":
		return &workerApp{c: c, pod: p, coin: c.E.Stream("worker/" + p.Name)}
	}
	return nil
}

// serverApp is a container that only serves requests.
type serverApp struct{ s *server }

func (c *Cluster) newServerApp(p *Pod, slots, backlog int, handle func(*request) sim.Time) *serverApp {
	return &serverApp{s: &server{c: c, pod: p, slots: slots, backlog: backlog, handle: handle}}
}

func (a *serverApp) start()          { a.s.c.Rec.serverStarted(a.s) }
func (a *serverApp) stop()           { a.s.kill() }
func (a *serverApp) server() *server { return a.s }

// redisApp holds the keys DockerCoins uses. Redis runs without persistence, so a
// restarted redis starts from zero.
type redisApp struct {
	*serverApp
	hashes int64
	coins  int64
}

// workerApp is worker.py: a synchronous loop, one request in flight at a time.
type workerApp struct {
	c        *Cluster
	pod      *Pod
	node     *Node
	coin     *rand.Rand
	stopped  bool
	deadline sim.Time
	loops    int64
	step     int
	timer    sim.Timer
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

func (w *workerApp) start() {
	w.node = w.c.nodeByName[w.pod.NodeName]
	w.restart()
}

func (w *workerApp) stop() {
	w.stopped = true
	w.c.E.Cancel(w.timer)
}

func (w *workerApp) server() *server { return nil }

// restart is work_loop() called afresh: deadline 0, loops_done 0.
func (w *workerApp) restart() {
	w.deadline, w.loops = 0, 0
	w.loopTop()
}

func (w *workerApp) loopTop() {
	if w.c.Now() > w.deadline {
		w.step = wkIncr
		w.call("redis", reqRedisIncr, w.loops)
		return
	}
	w.sleep()
}

func (w *workerApp) sleep() {
	w.step = wkSleep
	w.timer = w.c.E.After(w.c.d.workerSleep.Sample(), w, wkEvSleepDone)
}

func (w *workerApp) call(svc string, kind reqKind, val int64) {
	w.c.send(w, clientOf(w.pod), w.node, w.c.Service(svc), kind, val)
}

// Handle receives the worker's timers.
func (w *workerApp) Handle(_ *sim.Engine, ev int64) {
	if w.stopped {
		return
	}
	switch ev {
	case wkEvSleepDone:
		w.step = wkRNG
		w.call("rng", reqRNG, 32)
	case wkEvRestart:
		w.restart()
	}
}

func (w *workerApp) requestDone(r *request, outcome int) {
	if w.stopped {
		return
	}
	if outcome != outcomeOK {
		// An exception in the loop: log, sleep 10 s, start again.
		w.step = wkErrorSleep
		w.timer = w.c.E.After(w.c.Cfg.Workload.WorkerErrorSleep, w, wkEvRestart)
		return
	}
	switch w.step {
	case wkIncr:
		w.loops = 0
		w.deadline = w.c.Now() + sim.Time(1e9)
		w.sleep()
	case wkRNG:
		w.step = wkHash
		w.call("hasher", reqHash, 0)
	case wkHash:
		if w.coin.Float64() < w.c.Cfg.Workload.CoinProbability {
			w.step = wkHSet
			w.call("redis", reqRedisHSet, 0)
			return
		}
		w.loopDone()
	case wkHSet:
		w.loopDone()
	}
}

func (w *workerApp) loopDone() {
	w.loops++
	w.c.Rec.hashComputed()
	w.loopTop()
}

// browser is the web UI page open in a browser: every poll period it fetches
// /json from a webui pod, which reads the counters from redis.
type browser struct {
	c     *Cluster
	timer sim.Timer
}

func (b *browser) Handle(_ *sim.Engine, _ int64) {
	c := b.c
	b.timer = c.E.After(c.Cfg.Workload.WebUIPoll, b, 0)
	var webui *Pod
	if s := c.Service("webui"); s != nil {
		webui = c.pick(s, 0)
	}
	if webui == nil {
		for _, p := range c.pods {
			if p.Running && !p.Gone && AppKind(p.Spec.Image) == "webui" {
				webui = p
				break
			}
		}
	}
	if webui == nil || !webui.Running {
		return
	}
	c.send(b, clientOf(webui), c.nodeByName[webui.NodeName], c.Service("redis"), reqRedisGet, 0)
}

func (b *browser) requestDone(r *request, outcome int) {
	if outcome == outcomeOK {
		b.c.Rec.webUISample(b.c.Now(), r.val)
	}
}

// StartBrowser opens the web UI page: polling starts now.
func (c *Cluster) StartBrowser() {
	if c.browser == nil {
		c.browser = &browser{c: c}
		c.browser.timer = c.E.After(0, c.browser, 0)
	}
}

// StopBrowser closes the web UI page: no more polls.
func (c *Cluster) StopBrowser() {
	if c.browser != nil {
		c.E.Cancel(c.browser.timer)
		c.browser = nil
	}
}

// prober is httping: GET / through a Service every interval, count times.
type prober struct {
	c        *Cluster
	svc      *Service
	from     *Node
	count    int
	interval sim.Time
	sent     int
	rtts     []sim.Time
	failed   []bool
	done     int
	report   func(rtts []sim.Time, failed []bool)
}

// HTTPing sends count `GET /` requests through Service s, one every interval,
// from the first node (httping run on the control plane, as in the workshop),
// each on a new connection. report gets each round-trip time (and whether it
// failed) once all have answered.
func (c *Cluster) HTTPing(s *Service, count int, interval sim.Time, report func(rtts []sim.Time, failed []bool)) {
	var from *Node
	if nodes := c.Nodes(); len(nodes) > 0 {
		from = nodes[0]
	}
	p := &prober{c: c, svc: s, from: from, count: count, interval: interval, report: report,
		rtts: make([]sim.Time, count), failed: make([]bool, count)}
	c.E.After(0, p, 0)
}

func (p *prober) Handle(_ *sim.Engine, _ int64) {
	if p.sent >= p.count {
		return
	}
	p.c.send(p, 0, p.from, p.svc, reqRNGRoot, int64(p.sent))
	p.sent++
	if p.sent < p.count {
		p.c.E.After(p.interval, p, 0)
	}
}

func (p *prober) requestDone(r *request, outcome int) {
	i := int(r.val)
	p.rtts[i] = p.c.Now() - r.sent
	p.failed[i] = outcome != outcomeOK
	p.done++
	if p.done == p.count && p.report != nil {
		p.report(p.rtts, p.failed)
	}
}

// clientOf is the client identity kube-proxy's ClientIP affinity sees for
// connections from pod p (its pod IP); 0 is a client outside the cluster.
func clientOf(p *Pod) kubeproxy.ClientID { return kubeproxy.ClientID(p.ID + 1) }

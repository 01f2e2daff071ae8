package custommetrics

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/traffic"
	"github.com/kubesim/kubesim/workload"
)

// Defaults (see the package doc for their sources).
const (
	// ProbeInterval is httplat's probe period and client timeout.
	ProbeInterval = 10 * time.Second
	// ScrapeInterval is Prometheus's scrape_interval.
	ScrapeInterval = time.Minute
	// RateWindow is the range of the adapter's rate() queries.
	RateWindow = 2 * time.Minute
	// RelistInterval is prometheus-adapter's --metrics-relist-interval.
	RelistInterval = time.Minute
)

// Metric names the adapter serves.
const (
	// HTTPLatency is httplat's histogram, on the Service in front of the
	// exporter (Object metrics).
	HTTPLatency = "httplat_latency_seconds"
	// RequestsPerSecond is the request rate of a Service (Object) or the
	// rate of requests a pod's server completed (Pods).
	RequestsPerSecond = "requests_per_second"
	// LatencySeconds is the mean latency of a Service's successful requests
	// (Object).
	LatencySeconds = "latency_seconds"
)

// Known lists the metrics the adapter serves, for messages.
const Known = "Object metrics of a Service: " + HTTPLatency + " (an httplat exporter behind it), " + RequestsPerSecond + ", " + LatencySeconds + "; Pods metrics: " + RequestsPerSecond

// the series families Prometheus scrapes.
const (
	famHTTPLat = iota // httplat exporters behind an annotated Service: sum (ns), count
	famMesh           // a Service's requests, summed ok latency (ns), errors
	famServed         // a pod's served requests
)

type objKey struct {
	fam      int
	ns, name string
}

type seriesID struct {
	id    int // pod ID (httplat, served) or Service ID (mesh)
	start sim.Time
}

type sample struct {
	t sim.Time
	v [3]int64
}

type series struct {
	samples []sample // oldest first, at most 4
}

type object struct {
	first  sim.Time // first scrape with a sample
	series map[seriesID]*series
}

// Adapter is Prometheus and prometheus-adapter (hpa.Source's custom and
// external metrics).
type Adapter struct {
	c       *model.Cluster
	net     *traffic.Net
	rec     *metrics.Recorder
	started bool
	// phases of the scrapes and relists.
	scrapePhase, relistPhase sim.Time
	exporters                []*Exporter // by pod ID
	objects                  map[objKey]*object
	external                 map[string]int64
	scrapes                  int
	// rules are the metrics served (rules.go), read from cfgKey's
	// configuration (the ConfigMap prometheus-adapter's UID and resource
	// version; "" the defaults); cfgErr is why the last one was refused
	// (then nothing is served, as an adapter that cannot start); maxWindow
	// is the longest range of the rules.
	rules     []metricRule
	cfgKey    string
	cfgErr    error
	maxWindow sim.Time
}

// Install registers httplat with rt's registry and returns the adapter of
// rt's cluster.
func Install(rt *workload.Runtime) *Adapter {
	a := &Adapter{c: rt.C, net: rt.Net, rec: rt.Rec, objects: map[objKey]*object{}, external: map[string]int64{}}
	a.setRules(defaultRules)
	rt.Registry.Register("httplat", func(p *model.Pod) bool { return workload.ImageName(p.Spec.Image) == "httplat" }, a.newExporter)
	return a
}

// Start starts Prometheus's scrapes (once).
func (a *Adapter) Start() {
	if a.started {
		return
	}
	a.started = true
	r := a.c.E.Stream("prometheus")
	a.scrapePhase = sim.Time(r.Int64N(int64(ScrapeInterval)))
	a.relistPhase = sim.Time(r.Int64N(int64(RelistInterval)))
	now := a.c.Now()
	a.c.E.After(nextTick(now, a.scrapePhase, ScrapeInterval)-now, sim.HandlerFunc(a.scrape), 0)
}

// Started reports whether Prometheus scrapes.
func (a *Adapter) Started() bool { return a.started }

// nextTick is the first phase + k x period at or after t.
func nextTick(t, phase, period sim.Time) sim.Time {
	if t <= phase {
		return phase
	}
	k := (t - phase + period - 1) / period
	return phase + k*period
}

func (a *Adapter) scrape(e *sim.Engine, _ int64) {
	now := e.Now()
	a.scrapes++
	a.loadConfig()
	for _, s := range a.c.Services() {
		if req, errs, lat, ok := a.rec.ServiceTotals(s); ok {
			a.add(objKey{famMesh, s.Namespace, s.Name}, seriesID{s.ID, 0}, now, [3]int64{req, int64(lat), errs})
		}
		if s.Annotations["prometheus.io/scrape"] != "true" {
			continue
		}
		pods, conds := a.c.EndpointPods(s)
		for i, p := range pods {
			if p == nil || !conds[i].Ready || p.ID >= len(a.exporters) {
				continue
			}
			if x := a.exporters[p.ID]; x != nil {
				a.add(objKey{famHTTPLat, s.Namespace, s.Name}, seriesID{p.ID, x.started}, now, [3]int64{int64(x.sum), x.count, 0})
			}
		}
	}
	for _, p := range a.c.Pods() {
		if !p.Running {
			continue
		}
		if n := a.c.LookupNode(p.NodeName); n == nil || !n.Up {
			continue
		}
		if served, ok := a.net.Served(p); ok {
			a.add(objKey{famServed, p.Namespace, p.Name}, seriesID{p.ID, p.Started}, now, [3]int64{served})
		}
	}
	a.gc(now)
	e.After(ScrapeInterval, sim.HandlerFunc(a.scrape), 0)
}

func (a *Adapter) add(k objKey, id seriesID, now sim.Time, v [3]int64) {
	o := a.objects[k]
	if o == nil {
		o = &object{first: now, series: map[seriesID]*series{}}
		a.objects[k] = o
	}
	s := o.series[id]
	if s == nil {
		s = &series{}
		o.series[id] = s
	}
	s.samples = append(s.samples, sample{now, v})
}

// gc drops the samples older than the rate window plus one scrape, and the
// series and objects left without any.
func (a *Adapter) gc(now sim.Time) {
	horizon := now - a.maxWindow - ScrapeInterval
	for k, o := range a.objects {
		for id, s := range o.series {
			i := 0
			for i < len(s.samples) && s.samples[i].t <= horizon {
				i++
			}
			if i > 0 {
				s.samples = append(s.samples[:0], s.samples[i:]...)
			}
			if len(s.samples) == 0 {
				delete(o.series, id)
			}
		}
		if len(o.series) == 0 {
			delete(a.objects, k)
		}
	}
}

// window returns the first and last samples of s in (now - w, now].
func window(s *series, now, w sim.Time) (first, last sample, ok bool) {
	n := 0
	for _, x := range s.samples {
		if x.t <= now-w || x.t > now {
			continue
		}
		if n == 0 {
			first = x
		}
		last = x
		n++
	}
	return first, last, n >= 2
}

// visible reports whether the adapter's relist found object o by now.
func (a *Adapter) visible(o *object, now sim.Time) bool {
	return nextTick(o.first, a.relistPhase, RelistInterval) <= now
}

// milli converts a value as prometheus-adapter does: NewMilliQuantity(int64(v*1000)).
func milli(v float64) int64 { return int64(v * 1000) }

// ObjectMetric is the custom metrics API's value of metric on the object
// kind/name of namespace ns (hpa.Source), in milli-units: the rule serving
// that metric on Services, evaluated over the object's series.
func (a *Adapter) ObjectMetric(ns, kind, name, metric string) (int64, bool) {
	if !a.started || kind != "Service" {
		return 0, false
	}
	r := a.rule("service", metric)
	if r == nil {
		return 0, false
	}
	num := seriesDefs[r.num]
	o := a.objects[objKey{num.fam, ns, name}]
	if o == nil || !a.visible(o, a.c.Now()) {
		return 0, false
	}
	if num.fam == famMesh {
		// The mesh's counters of the Service that has the name now.
		svc := a.c.ServiceIn(ns, name)
		if svc == nil {
			return 0, false
		}
		s := o.series[seriesID{svc.ID, 0}]
		if s == nil {
			return 0, false
		}
		var acc evalAcc
		acc.add(a, r, s)
		v, _, _, ok := acc.value(r)
		return v, ok
	}
	var acc evalAcc
	for _, s := range o.series {
		acc.add(a, r, s)
	}
	v, _, _, ok := acc.value(r)
	return v, ok
}

// PodMetric is a Pods metric of pod p (hpa.Source): its value, the time of
// the last sample and the span of the samples it was computed from.
func (a *Adapter) PodMetric(p *model.Pod, metric string) (int64, sim.Time, sim.Time, bool) {
	if !a.started {
		return 0, 0, 0, false
	}
	r := a.rule("pod", metric)
	if r == nil {
		return 0, 0, 0, false
	}
	o := a.objects[objKey{seriesDefs[r.num].fam, p.Namespace, p.Name}]
	if o == nil || !a.visible(o, a.c.Now()) {
		return 0, 0, 0, false
	}
	s := o.series[seriesID{p.ID, p.Started}]
	if s == nil {
		return 0, 0, 0, false
	}
	var acc evalAcc
	acc.add(a, r, s)
	return acc.value(r)
}

// rule is the rule serving metric on resource, nil if none (or if the
// configuration was refused).
func (a *Adapter) rule(resource, metric string) *metricRule {
	for i := range a.rules {
		if r := &a.rules[i]; r.resource == resource && r.name == metric {
			return r
		}
	}
	return nil
}

// evalAcc evaluates a rule over an object's series: rate(num) summed over
// the series with two samples in the range, or sum of d(num) / sum of
// d(den) (no value when the denominator did not grow); with the last
// sample's time and the span of the last series' samples.
type evalAcc struct {
	rate        float64
	dn, dd      int64
	lastT, span sim.Time
	any         bool
}

func (e *evalAcc) add(a *Adapter, r *metricRule, s *series) {
	f, l, ok := window(s, a.c.Now(), r.window)
	if !ok {
		return
	}
	num := seriesDefs[r.num]
	e.any = true
	e.lastT, e.span = l.t, l.t-f.t
	if r.den == "" {
		e.rate += float64(num.raw(l.v)-num.raw(f.v)) / num.div / (l.t - f.t).Seconds()
		return
	}
	den := seriesDefs[r.den]
	e.dn += num.raw(l.v) - num.raw(f.v)
	e.dd += den.raw(l.v) - den.raw(f.v)
}

func (e *evalAcc) value(r *metricRule) (int64, sim.Time, sim.Time, bool) {
	if !e.any {
		return 0, 0, 0, false
	}
	if r.den == "" {
		return milli(e.rate), e.lastT, e.span, true
	}
	if e.dd <= 0 {
		return 0, 0, 0, false
	}
	return milli(float64(e.dn) / seriesDefs[r.num].div / (float64(e.dd) / seriesDefs[r.den].div)), e.lastT, e.span, true
}

// setRules serves rules from now on.
func (a *Adapter) setRules(rules []metricRule) {
	a.rules, a.maxWindow = rules, 0
	for _, r := range rules {
		a.maxWindow = max(a.maxWindow, r.window)
	}
	if a.maxWindow == 0 {
		a.maxWindow = RateWindow
	}
}

// loadConfig reads the adapter's configuration again when the ConfigMap
// prometheus-adapter appeared, changed or went (at each scrape: kubesim's
// adapter needs no restart). A configuration it cannot read serves nothing,
// as an adapter that fails to start, with a Warning event on the ConfigMap
// saying why.
func (a *Adapter) loadConfig() {
	src, cm := rulesFrom(a.c)
	key := ""
	if cm != nil {
		key = fmt.Sprintf("%s/%d", cm.UID, cm.ResourceVersion)
	}
	if key == a.cfgKey {
		return
	}
	a.cfgKey = key
	if cm == nil {
		a.cfgErr = nil
		a.setRules(defaultRules)
		return
	}
	rules, err := parseRules(src)
	a.cfgErr = err
	if err != nil {
		a.setRules(nil)
		a.c.Emit(model.ObjectRef{Kind: "ConfigMap", Namespace: cm.Namespace, Name: cm.Name, UID: cm.UID}, "Warning", "FailedToLoadConfig",
			fmt.Sprintf("unable to load metrics discovery config from %s: %v", ConfigMapKey, err), "prometheus-adapter")
		return
	}
	a.setRules(rules)
}

// ConfigError is why the adapter's configuration (the ConfigMap
// prometheus-adapter) was refused, nil if it was not.
func (a *Adapter) ConfigError() error { return a.cfgErr }

// CheckConfig checks a prometheus-adapter configuration (config.yaml) as
// the adapter reads it.
func CheckConfig(src string) error {
	_, err := parseRules(src)
	return err
}

// SetExternal sets an external metric's value (milli-units) from now on.
func (a *Adapter) SetExternal(name string, milli int64) { a.external[name] = milli }

// ExternalMetric is the external metrics API's value of name (hpa.Source).
func (a *Adapter) ExternalMetric(name string) (int64, bool) {
	v, ok := a.external[name]
	return v, ok
}

// Exporter is one httplat container.
type Exporter struct {
	a       *Adapter
	pod     *model.Pod
	host    string // the Service name of the URL ("" : no valid URL)
	started sim.Time
	timer   sim.Timer
	stopped bool
	// sum and count are the histogram's _sum (ns) and _count.
	sum   sim.Time
	count int64
}

// URLHost is the host of an http URL (http://rng/ -> rng, http://rng:80/x
// -> rng); "" if s is not one.
func URLHost(s string) string {
	rest, ok := strings.CutPrefix(s, "http://")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// url is httplat's one argument (os.Args[1]): the pod's command and args.
func url(p *model.Pod) string {
	args := append(append([]string(nil), p.Spec.Command...), p.Spec.Args...)
	if len(p.Spec.Command) == 0 {
		args = append([]string{"httplat"}, args...) // the image's entrypoint
	}
	if len(args) != 2 {
		return ""
	}
	return args[1]
}

func (a *Adapter) newExporter(env *workload.Env, p *model.Pod) workload.Behaviour {
	return &Exporter{a: a, pod: p, host: URLHost(url(p))}
}

// Start starts the ticker: the first probe goes ProbeInterval after the start.
func (x *Exporter) Start() {
	a := x.a
	a.Start()
	x.started = a.c.Now()
	for len(a.exporters) <= x.pod.ID {
		a.exporters = append(a.exporters, nil)
	}
	a.exporters[x.pod.ID] = x
	if x.host == "" {
		return
	}
	x.timer = a.c.E.After(ProbeInterval, x, 0)
}

// Stop stops probing; answers still in flight are dropped.
func (x *Exporter) Stop() {
	x.stopped = true
	x.a.c.E.Cancel(x.timer)
	if x.a.exporters[x.pod.ID] == x {
		x.a.exporters[x.pod.ID] = nil
	}
}

// Handle sends one probe and sets the next tick.
func (x *Exporter) Handle(e *sim.Engine, _ int64) {
	a := x.a
	node := a.c.LookupNode(x.pod.NodeName)
	svc := a.c.ResolveService(x.pod.Namespace, x.host)
	a.net.SendTimeout(x, traffic.ClientOf(x.pod), node, svc, traffic.RouteRoot, false, 0, ProbeInterval)
	x.timer = e.After(ProbeInterval, x, 0)
}

// RequestDone observes the probe's duration (a timeout is 10 s).
func (x *Exporter) RequestDone(r *traffic.Request, _ metrics.Outcome) {
	if x.stopped {
		return
	}
	x.sum += x.a.c.Now() - r.Sent()
	x.count++
}

// Totals is the exporter's histogram: _sum in seconds and _count.
func (x *Exporter) Totals() (sum float64, count int64) { return x.sum.Seconds(), x.count }

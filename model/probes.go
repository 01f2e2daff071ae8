package model

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// The kubelet's probes and restarts (pkg/kubelet/prober, worker.go, and
// kuberuntime's doBackOff), as far as kubesim can make a probe fail.
//
// A probe's result is its mechanism's in the model: an exec probe succeeds
// (kubesim runs no commands); an httpGet, tcpSocket or grpc probe connects to
// its port, and is refused when the container does not listen there: a
// container that declares containerPorts listens on those only, and one whose
// workload serves nothing (a client, or an image known to serve nothing; the
// Listening hook says so) refuses every port. A container that declares no
// ports and serves is taken to listen on its probes' ports. An httpGet probe
// whose path is a route of the container's declared workload is sent as a
// request (ProbeRequests): it queues in the server and may time out or get
// an error status.
//
// A probe not sent as a request that succeeds when its container starts
// keeps succeeding (nothing in the model makes a listening container stop
// listening): the container is Ready after the initial delay and
// SuccessThreshold-1 periods, with no event per probe. A failing probe (or
// one sent as a request) is run every period from the initial delay, as
// the kubelet's worker does: each failure records a Warning Unhealthy event
// ("Readiness probe failed: dial tcp 10.244.1.5:8081: connect: connection
// refused"); readiness turns false after FailureThreshold failures in a row
// (a container starts not ready) and true after SuccessThreshold successes;
// FailureThreshold liveness failures in a row kill the container ("Container
// web failed liveness probe, will be restarted") and the kubelet restarts it
// after its back-off: at once after the first exit, then 10 s, doubling to
// 300 s (client-go's Backoff, reset when the container ran 10 minutes). While
// it waits, the container is in CrashLoopBackOff and the kubelet records
// BackOff ("Back-off restarting failed container web in pod
// web-xxx_default(uid)") at each of its 10 s pod resyncs. A startup probe
// runs first: readiness and liveness start when it succeeds, and its
// FailureThreshold failures kill the container as liveness does.

// Kubelet back-off of container restarts (pkg/kubelet: backOffPeriod,
// MaxContainerBackOff) and the pod worker's resync after a sync error.
const (
	crashBackOffInitial = 10 * time.Second
	crashBackOffMax     = 300 * time.Second
	podSyncBackOff      = 10 * time.Second
)

// SetListening gives the cluster the workload layer's answer to "does
// anything in p's container accept connections?" (nil: everything does).
func (c *Cluster) SetListening(f func(p *Pod) bool) { c.listening = f }

// ProbeRequests is the workload layer's side of httpGet probes that its
// containers serve as requests: a probe whose path is a route of the
// container's declared workload waits in its server's accept queue and is
// served as that route, so a busy server answers it late.
type ProbeRequests interface {
	// ServesProbe says whether pr, in p's container, is served as a request.
	ServesProbe(p *Pod, pr *Probe) bool
	// SendProbe sends it from the kubelet on p's node, with pr's timeout;
	// done gets the result.
	SendProbe(p *Pod, pr *Probe, done func(ProbeResult))
}

// ProbeResult is how a probe sent as a request ended.
type ProbeResult uint8

// Probe results of requests.
const (
	ProbeOK      ProbeResult = iota
	ProbeTimeout             // no answer within timeoutSeconds
	ProbeStatus              // the server answered with an error status
	ProbeRefused             // the connection was refused or reset
)

// SetProbeRequests gives the cluster the probes served as requests (nil: none).
func (c *Cluster) SetProbeRequests(pr ProbeRequests) { c.probeReqs = pr }

// SetPodIPs gives the cluster the pods' IPs as kubectl shows them, for the
// probes' messages (nil: a placeholder address).
func (c *Cluster) SetPodIPs(f func(p *Pod) string) { c.podIP = f }

// containerRun is the kubelet's state of a pod's container across restarts:
// the probe workers of the running instance, the last terminated one, and the
// restart back-off. A pod gets one when one of its probes fails.
type containerRun struct {
	// gen is the container instance (Pod.generation) the workers probe.
	gen uint32
	// readyRun and liveRun count the last results in a row (positive:
	// successes, negative: failures), as worker.resultRun does.
	readyRun, liveRun int
	// ip is the pod's IP, for the messages; started: the startup probe
	// succeeded.
	ip      string
	started bool

	// terminated: a previous instance ended, started at lastStart and
	// finished at lastExit.
	terminated          bool
	lastStart, lastExit sim.Time
	// backOff and backOffAt are the back-off entry (0: none yet) and its
	// lastUpdate; waiting: the container waits out its back-off.
	backOff, backOffAt sim.Time
	waiting            bool
	restartTimer       sim.Timer
}

func (p *Pod) run() *containerRun {
	t := p.timers()
	if t.run == nil {
		t.run = &containerRun{}
	}
	return t.run
}

// Termination is a container's last terminated state, as its status's
// lastState.terminated gives it.
type Termination struct {
	Reason            string
	ExitCode          int
	Started, Finished sim.Time
}

// LastTermination is the last instance of p's container that the kubelet
// killed (ok false: none).
func (p *Pod) LastTermination() (t Termination, ok bool) {
	if p.later == nil || p.later.run == nil || !p.later.run.terminated {
		return Termination{}, false
	}
	r := p.later.run
	// A container stopped by SIGTERM exits with 128+15.
	return Termination{Reason: "Error", ExitCode: 143, Started: r.lastStart, Finished: r.lastExit}, true
}

// CrashLoopBackOff reports whether p's container waits out the kubelet's
// restart back-off.
func (p *Pod) CrashLoopBackOff() bool {
	return p.later != nil && p.later.run != nil && p.later.run.waiting
}

// BackOffDelay is the back-off p's container waits out in CrashLoopBackOff.
func (p *Pod) BackOffDelay() sim.Time {
	if !p.CrashLoopBackOff() {
		return 0
	}
	return p.later.run.backOff
}

// probeOutcome is what the kubelet's prober gets from pr in p's container
// now: ok, or a connection refused on port; errored: the probe could not be
// run (a port name no container port has), and its result is thrown away.
func (c *Cluster) probeOutcome(p *Pod, pr *Probe) (ok, errored bool, port int) {
	switch pr.Handler {
	case ProbeHTTPGet, ProbeTCPSocket, ProbeGRPC:
	default:
		return true, false, 0
	}
	port = pr.Port
	if pr.PortName != "" {
		found := false
		for _, cp := range p.Spec.Ports {
			if cp.Name == pr.PortName {
				port, found = cp.Port, true
				break
			}
		}
		if !found {
			if n, err := strconv.Atoi(pr.PortName); err == nil {
				port = n // an int stored as a string, as ResolveContainerPort accepts
			} else {
				return false, true, 0
			}
		}
	}
	if p.Spec.declaresPort(port) && (c.listening == nil || c.listening(p)) {
		return true, false, port
	}
	return false, false, port
}

// declaresPort says whether a probe on port can connect as far as the spec
// tells: the container declares it, or declares no port at all.
func (s *PodSpec) declaresPort(port int) bool {
	if len(s.Ports) == 0 {
		return true
	}
	for _, cp := range s.Ports {
		if cp.Port == port {
			return true
		}
	}
	return false
}

// declaresProbePort is declaresPort for pr's port (a name must be a port's).
func (s *PodSpec) declaresProbePort(pr *Probe) bool {
	switch pr.Handler {
	case ProbeHTTPGet, ProbeTCPSocket, ProbeGRPC:
	default:
		return true
	}
	if pr.PortName != "" {
		for _, cp := range s.Ports {
			if cp.Name == pr.PortName {
				return true
			}
		}
		return false
	}
	return s.declaresPort(pr.Port)
}

// handlerString is pr's handler and target, for the template hash.
func (pr *Probe) handlerString() string {
	port := pr.PortName
	if port == "" {
		port = strconv.Itoa(pr.Port)
	}
	return pr.Handler + ":" + pr.Scheme + "://" + pr.Host + ":" + port + pr.Path
}

// refusedOutput is the probers' output for a connection refused on port:
// Go's net/http client's, net.DialTimeout's, and the gRPC prober's (which
// retries the dial until its timeout).
func (c *Cluster) refusedOutput(p *Pod, r *containerRun, pr *Probe, port int) string {
	host := c.probeHost(p, r, pr)
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	dial := "dial tcp " + addr + ": connect: connection refused"
	switch pr.Handler {
	case ProbeHTTPGet:
		return fmt.Sprintf("Get %q: %s", c.probeURL(p, r, pr, port), dial)
	case ProbeGRPC:
		timeout := pr.Timeout
		if timeout <= 0 {
			timeout = time.Second
		}
		return fmt.Sprintf("timeout: failed to connect service %q within %v: context deadline exceeded", addr, timeout)
	}
	return dial
}

// probeHost is the host a probe connects to: its host field, or the pod's IP
// (kept in r once looked up), as the kubelet's prober defaults it.
func (c *Cluster) probeHost(p *Pod, r *containerRun, pr *Probe) string {
	if pr.Host != "" {
		return pr.Host
	}
	if r.ip == "" {
		r.ip = c.podIPOf(p)
	}
	return r.ip
}

// probeURL is the URL an httpGet probe gets.
func (c *Cluster) probeURL(p *Pod, r *containerRun, pr *Probe, port int) string {
	host := c.probeHost(p, r, pr)
	scheme := strings.ToLower(pr.Scheme)
	if scheme == "" {
		scheme = "http"
	}
	path := pr.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return scheme + "://" + net.JoinHostPort(host, strconv.Itoa(port)) + path
}

func (c *Cluster) podIPOf(p *Pod) string {
	if c.podIP != nil {
		return c.podIP(p)
	}
	return "10.244.0." + strconv.Itoa(2+p.ID%253)
}

// The kinds of probe a worker runs.
const (
	readinessProbe = iota
	livenessProbe
	startupProbe
)

var probeKinds = [...]string{"Readiness", "Liveness", "Startup"}

// hashString is pr as the template hash reads it.
func (pr *Probe) hashString() string {
	return fmt.Sprintf("%v/%v/%d/%d/%s/%v", pr.InitialDelay, pr.Period, pr.SuccessThreshold, pr.FailureThreshold, pr.handlerString(), pr.Timeout)
}

// startProbes starts the probes of p's container that just started. A
// startup probe runs first (readiness and liveness wait for its success);
// readyByTimer: the readiness probe (if any) succeeds, and the caller makes
// the container Ready after readyDelay from after (when the startup probe
// succeeded); false: a probe worker decides.
func (c *Cluster) startProbes(p *Pod) (readyByTimer bool, after sim.Time) {
	if p.later != nil && p.later.run != nil {
		r := p.later.run // a new instance: no worker of an older one survives
		r.gen, r.readyRun, r.liveRun, r.ip, r.started = p.generation, 0, 0, "", false
	}
	if pr := p.Spec.Startup(); pr != nil {
		if !c.probeStatic(p, pr) {
			c.startWorker(p, startupProbe, pr.InitialDelay)
			return false, 0
		}
		after = pr.InitialDelay // its first probe succeeds
	}
	return c.startMainProbes(p, after), after
}

// probeStatic says whether pr succeeds in p's container now and will keep
// succeeding, so that no worker needs to run it: it does not fail, and it is
// not served as a request (whose answer depends on the server's load).
func (c *Cluster) probeStatic(p *Pod, pr *Probe) bool {
	ok, errored, _ := c.probeOutcome(p, pr)
	return ok && !errored && !c.servedAsRequest(p, pr)
}

func (c *Cluster) servedAsRequest(p *Pod, pr *Probe) bool {
	return pr.Handler == ProbeHTTPGet && c.probeReqs != nil && c.probeReqs.ServesProbe(p, pr)
}

// startMainProbes starts the readiness and liveness workers of p's container
// whose probes fail now, after delay; readyByTimer: the readiness probe does
// not fail.
func (c *Cluster) startMainProbes(p *Pod, delay sim.Time) (readyByTimer bool) {
	readyByTimer = true
	if pr := p.Spec.Readiness; pr != nil {
		if !c.probeStatic(p, pr) {
			readyByTimer = false
			c.startWorker(p, readinessProbe, delay+pr.InitialDelay)
		}
	}
	if pr := p.Spec.Liveness(); pr != nil {
		if !c.probeStatic(p, pr) {
			c.startWorker(p, livenessProbe, delay+pr.InitialDelay)
		}
	}
	return readyByTimer
}

// startWorker runs p's probe of kind from after, for the running instance.
func (c *Cluster) startWorker(p *Pod, kind int, after sim.Time) {
	r := p.run()
	if r.gen != p.generation {
		r.gen, r.readyRun, r.liveRun, r.ip, r.started = p.generation, 0, 0, "", false
	}
	gen := p.generation
	c.E.After(after, sim.HandlerFunc(func(*sim.Engine, int64) { c.probeTick(p, gen, kind) }), 0)
}

// probeTick runs one probe of kind in p's container instance gen and
// schedules the next one a period later, as worker.doProbe (a probe sent as a
// request gets its result when it is answered or times out).
func (c *Cluster) probeTick(p *Pod, gen uint32, kind int) {
	if p.Gone || p.generation != gen || !p.Running || p.Terminating {
		return
	}
	r := p.run()
	if r.gen != gen {
		return
	}
	pr := c.probeOf(p, kind)
	period := pr.Period
	if period <= 0 {
		period = 10 * time.Second
	}
	ok, errored, port := c.probeOutcome(p, pr)
	if ok && !errored && c.servedAsRequest(p, pr) {
		c.probeReqs.SendProbe(p, pr, func(res ProbeResult) {
			if p.Gone || p.generation != gen || !p.Running || p.Terminating {
				return
			}
			out := ""
			switch res {
			case ProbeTimeout:
				out = fmt.Sprintf("Get %q: context deadline exceeded (Client.Timeout exceeded while awaiting headers)", c.probeURL(p, r, pr, port))
			case ProbeStatus:
				out = "HTTP probe failed with statuscode: 500"
			case ProbeRefused:
				out = c.refusedOutput(p, r, pr, port)
			}
			c.probeDone(p, gen, kind, res == ProbeOK, false, out)
		})
	} else {
		out := ""
		if !ok && !errored && c.recording() {
			out = c.refusedOutput(p, r, pr, port)
		}
		if !c.probeDone(p, gen, kind, ok, errored, out) {
			return
		}
	}
	c.E.After(period, sim.HandlerFunc(func(*sim.Engine, int64) { c.probeTick(p, gen, kind) }), 0)
}

func (c *Cluster) probeOf(p *Pod, kind int) *Probe {
	switch kind {
	case livenessProbe:
		return p.Spec.Liveness()
	case startupProbe:
		return p.Spec.Startup()
	}
	return p.Spec.Readiness
}

// probeDone applies one result of p's probe of kind, as worker.doProbe:
// the event of a failure, the results in a row, and what they decide.
// It returns whether the worker goes on.
func (c *Cluster) probeDone(p *Pod, gen uint32, kind int, ok, errored bool, out string) bool {
	r := p.run()
	if r.gen != gen {
		return false
	}
	pr := c.probeOf(p, kind)
	run := &r.readyRun
	if kind != readinessProbe {
		run = &r.liveRun // startup runs before liveness
	}
	name := probeKinds[kind]
	if c.recording() && !ok {
		// ResolveContainerPort's error names the port and dumps the
		// container; kubesim says the port only.
		msg := name + " probe errored and resulted in unknown state: couldn't find port: " + pr.PortName + " in the container's ports"
		if !errored {
			msg = name + " probe failed: " + out
		}
		c.emit(containerRef(p), EventWarning, "Unhealthy", msg, SourceKubelet, p.NodeName)
	}
	if errored { // the prober's error: the result is thrown away
		return true
	}
	switch {
	case ok && *run >= 0:
		*run++
	case ok:
		*run = 1
	case *run <= 0:
		*run--
	default:
		*run = -1
	}
	switch kind {
	case startupProbe:
		switch {
		case *run > 0:
			// Started: the startup probe stops, readiness and liveness begin.
			*run = 0
			r.started = true
			if c.startMainProbes(p, 0) {
				c.readyAfter(p, readyDelay(p))
			}
			return false
		case *run <= -max(pr.FailureThreshold, 1):
			c.probeKill(p, "startup")
			return false
		}
		return !r.started
	case livenessProbe:
		if *run <= -max(pr.FailureThreshold, 1) {
			c.probeKill(p, "liveness")
			return false // on hold until the next instance
		}
		return true
	}
	switch {
	case *run >= max(pr.SuccessThreshold, 1) && !p.Ready:
		p.Ready = true
		p.ReadyAt = c.Now()
		c.podChanged(p)
	case *run <= -max(pr.FailureThreshold, 1) && p.Ready:
		p.Ready = false
		c.podChanged(p)
	}
	return true
}

// probeKill kills p's container after its liveness or startup probe
// failed, and restarts it after the kubelet's back-off.
func (c *Cluster) probeKill(p *Pod, probe string) {
	name := p.Spec.ContainerName()
	if c.recording() {
		c.emit(containerRef(p), EventNormal, "Killing", "Container "+name+" failed "+probe+" probe, will be restarted", SourceKubelet, p.NodeName)
	}
	r := p.run()
	now := c.Now()
	r.terminated, r.lastStart, r.lastExit = true, p.Started, now
	c.stopContainer(p)
	c.podChanged(p)
	gen := p.generation
	// doBackOff with the exited container's finishedAt: in back-off while
	// now-finishedAt < the entry's back-off, unless the entry expired (the
	// container ran more than twice the maximum since the last restart).
	expired := r.backOff == 0 || now-r.backOffAt > 2*crashBackOffMax
	wait := sim.Time(0)
	if !expired {
		wait = r.backOff
	}
	if wait > 0 {
		r.waiting = true
		c.podChanged(p)
		for at := sim.Time(0); at < wait; at += podSyncBackOff {
			c.E.After(at, sim.HandlerFunc(func(*sim.Engine, int64) {
				if p.generation == gen && r.waiting && !p.Gone && !p.Terminating && c.recording() {
					c.emit(containerRef(p), EventWarning, "BackOff", "Back-off restarting failed container "+name+" in pod "+p.Name+"_"+p.Namespace+"("+p.UID+")", SourceKubelet, p.NodeName)
				}
			}), 0)
		}
	}
	r.restartTimer = c.E.After(wait, sim.HandlerFunc(func(*sim.Engine, int64) {
		if p.generation != gen || p.Gone || p.Terminating || p.Running {
			return
		}
		// backOff.Next at the restart.
		if expired {
			r.backOff = crashBackOffInitial
		} else {
			r.backOff = min(2*r.backOff, crashBackOffMax)
		}
		r.backOffAt = c.Now()
		r.waiting = false
		p.Restarts++
		c.podChanged(p)
		c.startPod(p)
	}), 0)
}

// cancelRestart drops p's pending restart (its node restarts the container
// itself, or the pod goes).
func (c *Cluster) cancelRestart(p *Pod) {
	if p.later == nil || p.later.run == nil {
		return
	}
	r := p.later.run
	c.E.Cancel(r.restartTimer)
	r.waiting = false
}

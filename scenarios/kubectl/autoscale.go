package kubectl

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hpa"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/traffic"
	"github.com/spf13/pflag"
)

// Verbs of autoscaling and load, parsed and run here (the HPAs and
// metrics-server are the run's: Autoscaling).
const (
	Autoscale Verb = "autoscale"
	Top       Verb = "top"
	AB        Verb = "ab" // ApacheBench: ab -c N (-n COUNT | -t SECONDS) URL
)

// Extra holds the arguments of autoscale, top and ab.
type Extra struct {
	// autoscale: --min (-1: not given, the server's default 1), --max,
	// --cpu-percent or --cpu N% (-1: not given, 80%), --name.
	Min, Max, CPUPercent int32
	Name                 string
	// top: Kind is "pods" or "nodes", Name a pod or node ("": all).
	Kind string
	// ab: -c concurrency, -n requests (0: until Duration), -t duration
	// (ab's -t also caps -n at 50000 requests), the Service of the URL and
	// its path.
	Concurrency int
	Requests    int
	Duration    time.Duration
	Service     string
	Path        string
}

// parseExtra parses autoscale, top and ab; handled is false for other
// verbs.
func parseExtra(c *Command, verb string, rest []string) (handled bool, err error) {
	switch verb {
	case "autoscale":
		c.Verb = Autoscale
		return true, parseAutoscale(c, rest)
	case "top":
		c.Verb = Top
		return true, parseTop(c, rest)
	case "ab":
		c.Verb = AB
		return true, parseAB(c, rest)
	}
	return false, nil
}

func parseAutoscale(c *Command, args []string) error {
	fs := newFlags(c)
	x := &Extra{}
	c.Extra = x
	fs.Int32Var(&x.Min, "min", -1, "")
	fs.Int32Var(&x.Max, "max", -1, "")
	fs.Int32Var(&x.CPUPercent, "cpu-percent", -1, "")
	cpu := fs.String("cpu", "", "")
	fs.StringVar(&x.Name, "name", "", "")
	if err := fs.Parse(args); err != nil {
		return &UsageError{Verb: c.Verb, Msg: err.Error(), Hint: "See 'kubectl autoscale --help' for usage."}
	}
	if *cpu != "" {
		v, ok := strings.CutSuffix(*cpu, "%")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 1 {
			return plain(c.Verb, "invalid --cpu %q: kubesim reads a utilization target such as --cpu=80%%", *cpu)
		}
		x.CPUPercent = int32(n)
	}
	if err := parseTargets(c, fs.Args()); err != nil {
		return err
	}
	if len(c.Targets) != 1 || c.Targets[0].Name == "" {
		return usage(c.Verb, "You must provide one or more resources by argument or filename.")
	}
	if c.Targets[0].Resource != Deployments && c.Targets[0].Resource != ReplicaSets {
		return plain(c.Verb, "cannot autoscale a %s: kubesim autoscales Deployments and ReplicaSets", strings.TrimSuffix(string(c.Targets[0].Resource), "s"))
	}
	if x.Max < 1 {
		return plain(c.Verb, "--max=MAXPODS is required and must be at least 1, max replicas: %d", max(x.Max, 0))
	}
	if x.Min > x.Max {
		return plain(c.Verb, "--max=MAXPODS must be larger or equal to --min=MINPODS, max replicas: %d, min replicas: %d", x.Max, x.Min)
	}
	return nil
}

func parseTop(c *Command, args []string) error {
	fs := newFlags(c)
	x := &Extra{}
	c.Extra = x
	if err := fs.Parse(args); err != nil {
		return &UsageError{Verb: c.Verb, Msg: err.Error(), Hint: "See 'kubectl top --help' for usage."}
	}
	pos := fs.Args()
	if len(pos) == 0 {
		return usage(c.Verb, "top needs a subcommand: node, pod")
	}
	switch pos[0] {
	case "pod", "pods", "po":
		x.Kind = "pods"
	case "node", "nodes", "no":
		x.Kind = "nodes"
	default:
		return &UsageError{Verb: c.Verb, Msg: fmt.Sprintf("unknown command %q for \"kubectl top\"; kubesim supports: node, pod", pos[0])}
	}
	if len(pos) > 2 {
		return usage(c.Verb, "one NAME at most")
	}
	if len(pos) == 2 {
		x.Name = pos[1]
	}
	return nil
}

func parseAB(c *Command, args []string) error {
	fs := pflag.NewFlagSet("ab", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	x := &Extra{}
	c.Extra = x
	fs.IntVarP(&x.Concurrency, "concurrency", "c", 1, "")
	fs.IntVarP(&x.Requests, "requests", "n", 0, "")
	secs := fs.IntP("timelimit", "t", 0, "")
	if err := fs.Parse(args); err != nil {
		return &UsageError{Verb: c.Verb, Msg: "ab: " + err.Error() + " (kubesim's ab reads -c N, -n COUNT, -t SECONDS and a URL)"}
	}
	if *secs > 0 {
		x.Duration = time.Duration(*secs) * time.Second
		if x.Requests == 0 {
			x.Requests = 50000 // ab -t implies -n 50000
		}
	}
	if x.Requests <= 0 {
		x.Requests = 1 // ab's default: one request
	}
	if x.Concurrency < 1 {
		return plain(c.Verb, "ab: -c must be at least 1")
	}
	if x.Concurrency > x.Requests {
		return plain(c.Verb, "ab: Cannot use concurrency level greater than total number of requests")
	}
	pos := fs.Args()
	if len(pos) != 1 {
		return plain(c.Verb, "ab: wrong number of arguments: give one URL, e.g. ab -c 3 -t 60 http://busyhttp/")
	}
	u := strings.TrimPrefix(pos[0], "http://")
	host, path, _ := strings.Cut(u, "/")
	host, _, _ = strings.Cut(host, ":")
	if host == "" || strings.HasPrefix(pos[0], "https://") {
		return plain(c.Verb, "ab: invalid URL %q: give http://SERVICE[:PORT]/PATH", pos[0])
	}
	x.Service, x.Path = host, "/"+path
	return nil
}

// autoscale is kubectl autoscale deployment NAME: an autoscaling/v2 HPA
// with one cpu Utilization metric.
func (x *Executor) autoscale(cmd Command) (string, error) {
	e := cmd.Extra
	t := cmd.Targets[0]
	if t.Resource != Deployments {
		return "", fmt.Errorf("error: kubesim's HPA scales Deployments; %s %q is not one", t.Resource, t.Name)
	}
	if x.c.DeploymentIn(x.ns, t.Name) == nil {
		return "", NotFound(Deployments, t.Name)
	}
	name := e.Name
	if name == "" {
		name = t.Name
	}
	if hpa.ControllerOf(x.c).GetIn(x.ns, name) != nil {
		return "", AlreadyExists(HPAs, name)
	}
	minR := e.Min
	if minR < 0 {
		minR = 1
	}
	pct := e.CPUPercent
	if pct < 0 {
		pct = 80
	}
	s := hpa.Spec{TargetKind: "Deployment", TargetName: t.Name, Min: minR, Max: e.Max, APIVersion: "autoscaling/v2",
		Metrics: []hpa.MetricSpec{{Type: hpa.Resource, Resource: "cpu", TargetType: hpa.Utilization, Utilization: pct}}}
	if _, _, _, err := x.auto.ApplyHPA(x.ns, name, nil, nil, s); err != nil {
		return "", err
	}
	return Done(HPAs, name, "autoscaled"), nil
}

// top is `kubectl top pods|nodes [NAME]`: metrics-server's last values
// (started by the first top, if no HPA started it).
func (x *Executor) top(cmd Command) (string, error) {
	e := cmd.Extra
	ms := x.auto.MetricsServer()
	if !ms.Started() {
		ms.Start()
	}
	if !ms.Available() {
		return "", fmt.Errorf("error: metrics not available yet")
	}
	var b strings.Builder
	tw := NewTabWriter(&b)
	if e.Kind == "nodes" {
		fmt.Fprintln(tw, "NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)")
		n := 0
		for _, node := range x.c.Nodes() {
			if e.Name != "" && node.Name != e.Name {
				continue
			}
			s, ok := ms.Node(node.Name)
			if !ok {
				if e.Name != "" {
					return "", fmt.Errorf("error: metrics not available yet")
				}
				continue
			}
			pct := int64(0)
			if node.Capacity.MilliCPU > 0 {
				pct = s.MilliCPU * 100 / node.Capacity.MilliCPU
			}
			memPct := int64(0)
			if node.Capacity.Memory > 0 {
				memPct = s.MemoryBytes * 100 / node.Capacity.Memory
			}
			fmt.Fprintf(tw, "%s\t%dm\t%d%%\t%dMi\t%d%%\n", node.Name, s.MilliCPU, pct, s.MemoryBytes/(1<<20), memPct)
			n++
		}
		if n == 0 && e.Name != "" {
			return "", fmt.Errorf(`Error from server (NotFound): nodes %q not found`, e.Name)
		}
	} else {
		fmt.Fprintln(tw, "NAME\tCPU(cores)\tMEMORY(bytes)")
		pods := x.c.Pods()
		sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
		n := 0
		for _, p := range pods {
			if e.Name != "" && p.Name != e.Name {
				continue
			}
			s, ok := ms.Pod(p)
			if !ok {
				if e.Name != "" {
					return "", fmt.Errorf("error: metrics not available yet")
				}
				continue
			}
			fmt.Fprintf(tw, "%s\t%dm\t%dMi\n", p.Name, s.MilliCPU, s.MemoryBytes/(1<<20))
			n++
		}
		if n == 0 {
			if e.Name != "" {
				return "", fmt.Errorf(`Error from server (NotFound): pods %q not found`, e.Name)
			}
			return "No resources found in default namespace.", nil
		}
	}
	tw.Flush()
	return strings.TrimRight(b.String(), "\n"), nil
}

// abRun is one `ab` benchmark: Concurrency requests in flight until
// Requests are done or Duration has passed.
type abRun struct {
	c        *model.Cluster
	net      *traffic.Net
	svc      *model.Service
	from     *model.Node
	x        *Extra
	start    sim.Time
	sent     int
	done     int
	failed   int
	total    float64 // seconds of latency of the successful requests
	stopped  bool
	line     string
	later    func(command, output string)
	deadline sim.Time
}

// ab is ApacheBench from the first node: -c requests in flight on the
// request path; its report arrives when it ends (Later).
func (x *Executor) ab(cmd Command) (string, error) {
	e := cmd.Extra
	if x.net == nil {
		return "", fmt.Errorf("ab: this cluster has no request path")
	}
	svc := x.c.Service(strings.TrimSuffix(e.Service, ".default.svc.cluster.local"))
	if svc == nil {
		return "", fmt.Errorf("apr_sockaddr_info_get() for %s: Name or service not known (no such Service)", e.Service)
	}
	r := &abRun{c: x.c, net: x.net, svc: svc, x: e, start: x.c.Now(), line: cmd.Line, later: x.later}
	if nodes := x.c.Nodes(); len(nodes) > 0 {
		r.from = nodes[0]
	}
	if e.Duration > 0 {
		r.deadline = r.start + e.Duration
	}
	for i := 0; i < e.Concurrency; i++ {
		r.send()
	}
	return fmt.Sprintf("Benchmarking %s (be patient)", e.Service), nil
}

func (r *abRun) send() {
	if r.stopped || r.sent >= r.x.Requests || (r.deadline > 0 && r.c.Now() >= r.deadline) {
		return
	}
	r.sent++
	r.net.Send(r, 0, r.from, r.svc, traffic.RouteRoot, false, 0)
}

// RequestDone counts the answer and sends the next request.
func (r *abRun) RequestDone(req *traffic.Request, o metrics.Outcome) {
	if r.stopped {
		return
	}
	r.done++
	if o == metrics.OK {
		r.total += (r.c.Now() - req.Sent()).Seconds()
	} else {
		r.failed++
	}
	now := r.c.Now()
	if r.done >= r.x.Requests || (r.deadline > 0 && now >= r.deadline) {
		r.stopped = true
		r.report(now)
		return
	}
	r.send()
}

func (r *abRun) report(now sim.Time) {
	secs := (now - r.start).Seconds()
	ok := r.done - r.failed
	var b strings.Builder
	fmt.Fprintf(&b, "Concurrency Level:      %d\n", r.x.Concurrency)
	fmt.Fprintf(&b, "Time taken for tests:   %.3f seconds\n", secs)
	fmt.Fprintf(&b, "Complete requests:      %d\n", r.done)
	fmt.Fprintf(&b, "Failed requests:        %d\n", r.failed)
	if secs > 0 {
		fmt.Fprintf(&b, "Requests per second:    %.2f [#/sec] (mean)\n", float64(r.done)/secs)
	}
	if ok > 0 {
		fmt.Fprintf(&b, "Time per request:       %.3f [ms] (mean)", 1000*r.total/float64(ok))
	}
	if r.later != nil {
		r.later(r.line, strings.TrimRight(b.String(), "\n"))
	}
}

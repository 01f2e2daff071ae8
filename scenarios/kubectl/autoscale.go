package kubectl

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hpa"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/traffic"
)

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

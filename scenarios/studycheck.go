package scenarios

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kubesim/kubesim/scenarios/kubectl"
	"github.com/kubesim/kubesim/scenarios/manifest"
	"github.com/kubesim/kubesim/scenarios/study"
	"github.com/kubesim/kubesim/workload"
	"github.com/kubesim/kubesim/workload/boutique"
)

// MetricsError is a study's metric names that no run of its base scenario
// reports (kubesim sweep refuses them before running anything): one line
// per metric, each naming the study file's line and what the names can be.
type MetricsError struct{ Problems []string }

func (e *MetricsError) Error() string { return strings.Join(e.Problems, "\n") }

// serviceMetricKinds are the metrics StudyMetrics gives each Service (and
// each declared route and client), after SERVICE.
var serviceMetricKinds = []string{"requests", "errors", "refused", "reset", "timeout", "app_errors",
	"latency_ms.p50", "latency_ms.p90", "latency_ms.p99", "latency_ms.p999", "latency_ms.max",
	"requests_per_s", "error_rate"}

// perWindowKind reports whether a Service's metric kind is one of the
// per-window figures that need detailed measurement.
func perWindowKind(kind string) bool {
	return strings.HasPrefix(kind, "latency_ms.") || kind == "requests_per_s" || kind == "error_rate"
}

// runNames are the Services and HPAs a scenario's steps create, as its
// metrics name them (NAME in the default namespace, NAMESPACE/NAME in
// another); complete is false when a step may create one the names miss (it
// applies a file an earlier step writes, or one that cannot be read).
type runNames struct {
	services, hpas map[string]bool
	complete       bool
	// routes and clients are the declared workload's flows (decl.FlowNames
	// of the workload the run installs, Online Boutique's defaults
	// included): routes.NAME. and clients.NAME. metrics name one of them.
	routes, clients map[string]bool
}

// flowChecker says whether a routes. or clients. metric names a flow of the
// scenario's own workload or of Online Boutique's built-in one (installed in
// every run), and lists the scenario's own in the error (the built-in's when
// it declares none).
type flowChecker struct {
	own, builtin map[string]bool
	what         string // "routes", "clients"
}

func (f flowChecker) has(name string) bool { return f.own[name] || f.builtin[name] }

func (f flowChecker) list() string {
	if len(f.own) == 0 {
		return listOf("Online Boutique's built-in "+f.what, f.builtin)
	}
	return listOf("its "+f.what, f.own) + ", or Online Boutique's built-in ones (kubesim workloads show online-boutique)"
}

func objectKey(ns, name string) string {
	if ns == "" || ns == "default" {
		return name
	}
	return ns + "/" + name
}

// namesOf reads s's steps for the Services and HPAs they create: manifests
// applied or created (kind Service, HorizontalPodAutoscaler), kubectl expose
// (--name or the object's name) and kubectl autoscale (--name or the
// Deployment's name).
func namesOf(s *Scenario) runNames {
	r := runNames{services: map[string]bool{}, hpas: map[string]bool{}, complete: true}
	written := map[string]bool{}
	for _, st := range s.Steps {
		line, redirect, err := kubectl.SplitRedirect(st.Command)
		if err != nil {
			continue
		}
		cmd, err := kubectl.Parse(line)
		if err != nil || cmd.DryRun != "" {
			continue
		}
		if cmd.Verb == kubectl.Sed {
			for _, f := range cmd.Files {
				written[f] = true // changed by the run
			}
		}
		switch cmd.Verb {
		case kubectl.Apply, kubectl.Create:
			for _, f := range cmd.Files {
				if written[f] {
					r.complete = false // what the run writes into it is not known here
					continue
				}
				files, err := s.files().ExpandPath(f, cmd.Recursive)
				if err != nil {
					r.complete = false
					continue
				}
				for _, f := range files {
					data, _, err := s.files().ReadFile(f)
					if err != nil {
						r.complete = false
						continue
					}
					objs, _, _ := manifest.Decode(f, data, manifest.Options{})
					for _, o := range objs {
						ns := o.Namespace
						if ns == "" {
							ns = cmd.Namespace
						}
						switch o.Kind {
						case "Service":
							r.services[objectKey(ns, o.Name)] = true
						case "HorizontalPodAutoscaler":
							r.hpas[objectKey(ns, o.Name)] = true
						}
					}
				}
			}
		case kubectl.Expose:
			name := cmd.Name
			if name == "" && len(cmd.Targets) > 0 {
				name = cmd.Targets[0].Name
			}
			r.services[objectKey(cmd.Namespace, name)] = true
		case kubectl.Autoscale:
			name := ""
			if cmd.Extra != nil {
				name = cmd.Extra.Name
			}
			if name == "" && len(cmd.Targets) > 0 {
				name = cmd.Targets[0].Name
			}
			r.hpas[objectKey(cmd.Namespace, name)] = true
		}
		if redirect != nil {
			written[redirect.File] = true
		}
	}
	return r
}

// metricProblems checks each metric of st against what runs of the points'
// scenarios can report (StudyMetrics): a workload's metric, requests.*,
// SERVICE.KIND with a KIND StudyMetrics gives and a Service some step creates,
// hpa.NAME.replicas|pod_hours with an HPA some step creates,
// routes.SERVICE/route.KIND and clients.NAME.KIND with a KIND StudyMetrics
// gives and a route or client the scenario's workload declares. A Service or
// HPA is not looked for when a step applies a file the run writes (its
// objects are not known before the run). With coarse (sweep --coarse), a
// per-window metric of a Service, route or client (latency, requests_per_s,
// error_rate) is refused: no run measures it.
func metricProblems(st *study.Study, points []*Scenario, coarse bool) []string {
	names := runNames{services: map[string]bool{}, hpas: map[string]bool{}, complete: true,
		routes: map[string]bool{}, clients: map[string]bool{}}
	bs := boutique.Spec()
	bRoutes, bClients := bs.FlowNames()
	routeCheck := flowChecker{own: names.routes, builtin: bRoutes, what: "routes"}
	clientCheck := flowChecker{own: names.clients, builtin: bClients, what: "clients"}
	for _, s := range points {
		routes, clients := s.Workload.FlowNames()
		for k := range routes {
			names.routes[k] = true
		}
		for k := range clients {
			names.clients[k] = true
		}
		n := namesOf(s)
		for k := range n.services {
			names.services[k] = true
		}
		for k := range n.hpas {
			names.hpas[k] = true
		}
		names.complete = names.complete && n.complete
	}
	workloadMetrics := map[string]string{}
	for _, b := range workload.Builtins() {
		for _, m := range b.Metrics {
			workloadMetrics[m] = b.Name
		}
	}
	base := st.Base
	var out []string
	bad := func(i int, format string, a ...any) {
		out = append(out, st.FieldError(fmt.Sprintf("metrics[%d]", i), format, a...).Error())
	}
	kinds := "SERVICE." + strings.Join(serviceMetricKinds, "|")
	for i, m := range st.Metrics {
		if _, ok := workloadMetrics[m]; ok {
			continue
		}
		switch m {
		case "requests.sent", "requests.failed", "requests.refused":
			continue
		}
		if rest, ok := strings.CutPrefix(m, "hpa."); ok {
			name, kind, ok := cutLast(rest)
			if !ok || kind != "replicas" && kind != "pod_hours" || name == "" {
				bad(i, "%q is not a metric kubesim reports: an HPA's are hpa.NAME.replicas and hpa.NAME.pod_hours", m)
			} else if names.complete && !names.hpas[name] {
				bad(i, "%q: the base scenario %s creates no HorizontalPodAutoscaler %s (%s); fix the name", m, base, name, listOf("its HPAs", names.hpas))
			}
			continue
		}
		name, kind, ok := serviceMetric(m)
		if !ok {
			bad(i, "%q is not a metric kubesim reports: a Service's are %s (also routes.SERVICE/ROUTE.KIND and clients.NAME.KIND), the run's requests.sent|failed|refused, an HPA's hpa.NAME.replicas|pod_hours, the workloads' %s", m, kinds, strings.Join(sortedKeys(workloadMetrics), ", "))
			continue
		}
		if coarse && perWindowKind(kind) {
			bad(i, "%q: --coarse measures no latency and no per-window figures, so no run would have this metric; drop --coarse (or the metric)", m)
			continue
		}
		if route, ok := strings.CutPrefix(name, "routes."); ok {
			if !routeCheck.has(route) {
				bad(i, "%q: the base scenario %s's workload calls no route %s (%s); a route is SERVICE/route as a script calls it", m, base, route, routeCheck.list())
			}
			continue
		}
		if client, ok := strings.CutPrefix(name, "clients."); ok {
			if !clientCheck.has(client) {
				bad(i, "%q: the base scenario %s's workload declares no client %s (%s); fix the client's name", m, base, client, clientCheck.list())
			}
			continue
		}
		if names.complete && !names.services[name] {
			bad(i, "%q: the base scenario %s creates no Service %s (%s), so the run would have no %s; fix the Service's name", m, base, name, listOf("its Services", names.services), kind)
		}
	}
	return out
}

// serviceMetric splits SERVICE.KIND, KIND one of serviceMetricKinds.
func serviceMetric(m string) (name, kind string, ok bool) {
	for _, k := range serviceMetricKinds {
		if n, found := strings.CutSuffix(m, "."+k); found && n != "" {
			return n, k, true
		}
	}
	return "", "", false
}

func cutLast(s string) (string, string, bool) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func listOf(what string, m map[string]bool) string {
	if len(m) == 0 {
		return "it creates none"
	}
	return what + ": " + strings.Join(sortedNames(m), ", ")
}

// seriesMetric reports whether a study metric is given per window, so that
// the study's warm-up removes its first windows: a workload's rate
// (hashes_per_s), a Service's (route's, client's) latency, requests_per_s
// and error_rate, and an HPA's replicas.
func seriesMetric(m string) bool {
	for _, b := range workload.Builtins() {
		if slices.Contains(b.SeriesMetrics, m) {
			return true
		}
	}
	if rest, ok := strings.CutPrefix(m, "hpa."); ok {
		return strings.HasSuffix(rest, ".replicas")
	}
	_, kind, ok := serviceMetric(m)
	return ok && perWindowKind(kind)
}

// warmupProblem is the study's fixed warm-up removing every window of point
// i's run (s), so that a per-window metric would have no value: what the
// sweep would find in the point's first replication, found before any run.
func warmupProblem(st *study.Study, i int, p study.Point, s *Scenario) error {
	w := st.WarmupSetting()
	if w.Kind != study.WarmupFixed {
		return nil
	}
	windows := int((s.Duration + StudyWindow - 1) / StudyWindow)
	if study.FixedWarmupSamples(w.Period, StudyWindow) < windows {
		return nil
	}
	for _, m := range st.Metrics {
		if !seriesMetric(m) {
			continue
		}
		advice := "give a longer duration"
		if keep := time.Duration(windows-1) * StudyWindow; keep > 0 {
			advice = fmt.Sprintf("give a warm-up of at most %v, or a longer duration", keep)
		}
		return st.FieldError("warmup", "%v removes every %v window of point %d (%s): a run of %v has %d, so %s would have no value; %s",
			w.Period, StudyWindow, i, p, s.Duration, windows, m, advice)
	}
	return nil
}

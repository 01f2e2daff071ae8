// Package isotope reads Istio's isotope service graphs (istio/tools,
// isotope/README.md and isotope/convert/pkg/graph: kind MockServiceGraph) and
// converts them into what isotope's converter deploys, for kubesim: a
// Deployment and a Service per service (numReplicas pods of the mock service,
// port 8080, selected by label name=SERVICE), the mock service's behaviour as
// a declared workload, and the load client at each entrypoint.
//
// Semantics, from isotope's service (isotope/service/pkg/srv): a request runs
// the service's script, steps in order; a step is a sleep, a call (HTTP on a
// kept-alive connection, no timeout; a call with probability P% is made P% of
// the time) or a list of calls and sleeps run concurrently (one level). A
// call that fails makes the answer an error (HTTP 500), and errorRate is the
// share of requests answered with an error. The load client is fortio as
// isotope's example-config.toml runs it: qps max on 64 connections, i.e. 64
// closed-loop users without think time, on kept-alive connections (Load
// changes qps and connections; a qps paces the connections), started
// as isotope's runner starts it (runner/pipeline.py): once every Deployment
// has rolled out and every pod is Ready (decl.Client.WaitReady: each Service
// has numReplicas ready endpoints); the runner's further 30 s buffer is not
// simulated.
//
// Differences, said where they matter: isotope fails every 1/errorRate-th
// request before running the script; kubesim draws each request's error with
// probability errorRate, after the script (its calls are made). Request sizes
// (defaults.requestSize, a call's size) and response sizes (responseSize)
// take their time at the network's link speed (traffic.Network.LinkGbps,
// 10 Gbit/s by default: 1 KiB 0.8 us, 1 MiB 0.84 ms). The mock service
// spends lognormal(100us,50us) per request (Go's net/http; an assumption)
// and serves any number of requests at once.
package isotope

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/internal/yamlerr"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/workload/decl"
	"go.yaml.in/yaml/v3"
)

// Image is the image of the mock service's containers (isotope's
// example-config.toml); Port its port.
const (
	Image = "tahler/isotope-service:1"
	Port  = 8080
)

// Users is the number of closed-loop users of the client at each entrypoint
// (fortio's 64 connections in isotope's example-config.toml).
const Users = 64

// Load is the load client's settings at each entrypoint: isotope's runner
// config.toml's [client] qps and num_concurrent_connections, given to
// fortio as -qps and -c. QPS 0 is fortio's qps max (each connection a
// closed loop without think time); QPS > 0 paces the connections
// (decl.Client.QPS: QPS/Connections each; a slow server lowers the
// achieved rate).
type Load struct {
	QPS         float64
	Connections int
}

// DefaultLoad is isotope's example-config.toml's: qps max on 64
// connections.
var DefaultLoad = Load{Connections: Users}

// String says what the load is: "qps max on 64 connections", "100 qps on 4
// connections".
func (l Load) String() string {
	conns := fmt.Sprintf("%d connections", l.Connections)
	if l.Connections == 1 {
		conns = "1 connection"
	}
	if l.QPS <= 0 {
		return "qps max on " + conns
	}
	return strconv.FormatFloat(l.QPS, 'f', -1, 64) + " qps on " + conns
}

// ServiceTime is the mock service's own time per request (assumed).
var ServiceTime = sim.Lognormal(100*time.Microsecond, 50*time.Microsecond)

// Graph is a converted service graph.
type Graph struct {
	// Spec is the mock services' behaviour and the entrypoints' clients.
	Spec decl.Spec
	// Manifest is the Deployments and Services isotope's converter creates
	// (without its ConfigMap and Prometheus annotations).
	Manifest []byte
	// Services are the service names, in the file's order; Entrypoints those
	// with isEntrypoint: true.
	Services    []string
	Entrypoints []string
	// Notes say which fields were read but are not simulated.
	Notes []string
	// Pods is the number of pods of its Deployments (numReplicas summed).
	Pods int
}

// IsGraph reports whether data looks like an isotope service graph: kind
// MockServiceGraph, a top level of defaults/default and services, or services
// one of which has a field only isotope's services have (isEntrypoint,
// numReplicas, script, ...: a graph has an entrypoint) and none a field only a
// kubesim workload's have (image, routes, concurrency, backlog, memory).
// Services with neither (a name and labels, or a misspelt field) are a
// kubesim workload's, whose errors name its fields.
func IsGraph(data []byte) bool {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil || len(doc.Content) == 0 {
		return false
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return false
	}
	var services *yaml.Node
	has := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i].Value, root.Content[i+1]
		has[k] = true
		if k == "kind" && v.Value == "MockServiceGraph" {
			return true
		}
		if k == "services" {
			services = v
		}
	}
	if services == nil || has["clients"] || has["timeline"] || has["echo"] {
		return false
	}
	if has["defaults"] || has["default"] {
		return true
	}
	if services.Kind != yaml.SequenceNode {
		return false
	}
	graph := false
	for _, s := range services.Content {
		if s.Kind != yaml.MappingNode {
			return false
		}
		for i := 0; i+1 < len(s.Content); i += 2 {
			switch s.Content[i].Value {
			case "image", "routes", "concurrency", "backlog", "memory":
				return false
			case "isEntrypoint", "numReplicas", "script", "errorRate", "responseSize", "type", "namespace", "cluster", "computeUsage", "memoryUsage":
				graph = true
			}
		}
	}
	return graph
}

type parser struct {
	file  string
	errs  decl.Errors
	notes map[string]bool
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &decl.Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) note(s string) { p.notes[s] = true }

// fields calls f for each key of mapping n, in order; unknown keys are errors
// naming the known ones.
func (p *parser) fields(n *yaml.Node, where string, known []string, f func(k string, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: want a mapping (fields %s)", where, strings.Join(known, ", "))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		ok := false
		for _, x := range known {
			ok = ok || x == k
		}
		if !ok {
			sorted := append([]string(nil), known...)
			sort.Strings(sorted)
			p.errorf(n.Content[i], "%s: unknown field %q (known: %s)", where, k, strings.Join(sorted, ", "))
			continue
		}
		f(k, n.Content[i+1])
	}
}

// pct reads a percentage: "0.1%" or a fraction 0..1.
func (p *parser) pct(n *yaml.Node, where string) float64 {
	s := strings.TrimSpace(n.Value)
	var f float64
	var err error
	if strings.HasSuffix(s, "%") {
		f, err = strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
		f /= 100
	} else {
		f, err = strconv.ParseFloat(s, 64)
	}
	if err != nil || !(f >= 0 && f <= 1) {
		p.errorf(n, "%s: %q: want a percentage from 0%% to 100%% (0.1%%) or a fraction from 0 to 1", where, n.Value)
		return 0
	}
	return f
}

// size reads a byte size as isotope does (docker's RAMInBytes: 1 KB, 16KiB,
// 128; powers of 1024).
func (p *parser) size(n *yaml.Node, where string) int64 {
	v, err := decl.ParseSize(n.Value)
	if err != nil {
		p.errorf(n, "%s: %v", where, err)
	}
	return v
}

func (p *parser) boolean(n *yaml.Node, where string) bool {
	switch n.Value {
	case "true":
		return true
	case "false":
		return false
	}
	p.errorf(n, "%s: %q: want true or false", where, n.Value)
	return false
}

var dnsLabel = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)

// defaults are the settings services inherit.
type defaults struct {
	typ          string
	errorRate    float64
	requestSize  int64
	responseSize int64
	numReplicas  int
	script       *yaml.Node
}

type service struct {
	name         string
	namespace    string
	line         int
	replicas     int
	entry        bool
	errorRate    float64
	responseSize int64
	labels       map[string]string
	script       *yaml.Node
}

// Convert reads service graph data (from file name, for errors), its
// entrypoints loaded as isotope's example config loads them (DefaultLoad).
func Convert(name string, data []byte) (Graph, error) {
	return ConvertLoad(name, data, DefaultLoad)
}

// ConvertLoad is Convert with the entrypoints' load client's settings.
func ConvertLoad(name string, data []byte, load Load) (Graph, error) {
	p := &parser{file: name, notes: map[string]bool{}}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		line, reason, _ := yamlerr.Locate(data, err)
		return Graph{}, decl.Errors{{File: name, Line: line, Msg: "not valid YAML: " + reason}}
	}
	if len(doc.Content) == 0 {
		return Graph{}, decl.Errors{{File: name, Msg: "empty file: an isotope service graph has services:"}}
	}
	root := doc.Content[0]
	d := defaults{typ: "http", numReplicas: 1}
	var servicesNode *yaml.Node
	p.fields(root, "service graph", []string{"apiVersion", "kind", "defaults", "default", "services"}, func(k string, v *yaml.Node) {
		switch k {
		case "kind":
			if v.Value != "MockServiceGraph" {
				p.errorf(v, "kind: %q: an isotope service graph is kind: MockServiceGraph", v.Value)
			}
		case "defaults", "default":
			p.fields(v, k, []string{"type", "errorRate", "requestSize", "responseSize", "script", "numReplicas", "numRbacPolicies"}, func(k2 string, v2 *yaml.Node) {
				w := k + "." + k2
				switch k2 {
				case "type":
					d.typ = p.typ(v2, w)
				case "errorRate":
					d.errorRate = p.pct(v2, w)
				case "requestSize":
					d.requestSize = p.size(v2, w)
				case "responseSize":
					d.responseSize = p.size(v2, w)
				case "script":
					d.script = v2
				case "numReplicas":
					d.numReplicas = p.replicas(v2, w)
				case "numRbacPolicies":
					p.note("numRbacPolicies (Istio RBAC policies): not simulated")
				}
			})
		case "services":
			servicesNode = v
		}
	})
	if servicesNode == nil || servicesNode.Kind != yaml.SequenceNode || len(servicesNode.Content) == 0 {
		n := servicesNode
		if n == nil {
			n = root
		}
		p.errorf(n, "services: want a list of services (- name: a)")
		return Graph{}, p.errs
	}
	var svcs []service
	index := map[string]int{}
	for i, sn := range servicesNode.Content {
		where := fmt.Sprintf("services[%d]", i)
		s := service{line: sn.Line, replicas: d.numReplicas, errorRate: d.errorRate, responseSize: d.responseSize, script: d.script}
		p.fields(sn, where, []string{"name", "namespace", "cluster", "type", "numReplicas", "isEntrypoint", "errorRate", "responseSize", "script", "labels", "computeUsage", "memoryUsage"}, func(k string, v *yaml.Node) {
			w := where + "." + k
			switch k {
			case "name":
				s.name = v.Value
				if !dnsLabel.MatchString(s.name) {
					p.errorf(v, "%s: %q is not a valid Service name (lower-case letters, digits and '-', starting with a letter, at most 63)", w, s.name)
				}
			case "namespace":
				if v.Value != "default" && !dnsLabel.MatchString(v.Value) {
					p.errorf(v, "%s: %q is not a valid namespace name (lower-case letters, digits and '-', starting with a letter, at most 63)", w, v.Value)
				} else if v.Value != "default" {
					s.namespace = v.Value
				}
			case "cluster":
				p.errorf(v, "%s: %q: kubesim simulates one cluster; remove cluster: (isotope's converter then deploys every service)", w, v.Value)
			case "type":
				p.typ(v, w)
			case "numReplicas":
				s.replicas = p.replicas(v, w)
			case "isEntrypoint":
				s.entry = p.boolean(v, w)
			case "errorRate":
				s.errorRate = p.pct(v, w)
			case "responseSize":
				s.responseSize = p.size(v, w)
			case "script":
				s.script = v
			case "labels":
				if v.Kind != yaml.MappingNode {
					p.errorf(v, "%s: want a mapping of label to value", w)
					return
				}
				s.labels = map[string]string{}
				for j := 0; j+1 < len(v.Content); j += 2 {
					s.labels[v.Content[j].Value] = v.Content[j+1].Value
				}
			case "computeUsage", "memoryUsage":
				p.note(k + ": not read by isotope's service; not simulated")
			}
		})
		if s.name == "" {
			p.errorf(sn, "%s: name is required", where)
			continue
		}
		if j, dup := index[s.name]; dup {
			p.errorf(sn, "%s: name %q is already services[%d]'s; names must be unique", where, s.name, j)
			continue
		}
		index[s.name] = i
		svcs = append(svcs, s)
	}
	g := Graph{}
	for _, s := range svcs {
		g.Services = append(g.Services, s.name)
		g.Pods += s.replicas
		route := decl.Route{Name: "/", Service: ServiceTime, ErrorRate: s.errorRate, ResponseSize: s.responseSize}
		if s.script != nil {
			route.Script = p.script(s.script, "services."+s.name+".script", index, d.requestSize, false)
		}
		g.Spec.Services = append(g.Spec.Services, decl.Service{Name: s.name, Labels: map[string]string{"name": s.name},
			Concurrency: 100000, Backlog: 0, Routes: []decl.Route{route}, File: name, Line: s.line})
		if s.entry {
			g.Entrypoints = append(g.Entrypoints, s.name)
			target := s.name
			if s.namespace != "" {
				target += "." + s.namespace
			}
			// fortio runs in the cluster, in a pod on the runner's own client
			// node pool (runner/pipeline.py: --client-node-selector, the
			// load sent to the in-cluster URL): it reaches the ClusterIP
			// Service, each hop a cross-node one.
			g.Spec.Clients = append(g.Spec.Clients, decl.Client{Name: "client-" + s.name, Users: load.Connections, QPS: load.QPS, Think: sim.Const(0), File: name, Line: s.line, InCluster: true,
				Script: []decl.Step{{Kind: decl.CallStep, Call: decl.Call{Service: target, KeepAlive: true}, Line: s.line}}})
		}
	}
	// isotope's runner starts fortio once the graph is ready: every
	// Deployment rolled out, every pod Ready (runner/pipeline.py,
	// wait.until_deployments_are_ready, until_service_graph_is_ready).
	var ready []decl.ReadyService
	for _, s := range svcs {
		name := s.name
		if s.namespace != "" {
			name += "." + s.namespace
		}
		ready = append(ready, decl.ReadyService{Service: name, Endpoints: s.replicas})
	}
	for i := range g.Spec.Clients {
		g.Spec.Clients[i].WaitReady = ready
	}
	if len(p.errs) == 0 && len(g.Entrypoints) == 0 {
		p.errorf(servicesNode, "services: no service has isEntrypoint: true; mark the one the load client calls")
	}
	if len(p.errs) > 0 {
		return Graph{}, p.errs
	}
	g.Spec.Echo = decl.DefaultEcho()
	var b bytes.Buffer
	seenNS := map[string]bool{}
	for _, s := range svcs {
		if s.namespace != "" && !seenNS[s.namespace] {
			seenNS[s.namespace] = true
			fmt.Fprintf(&b, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n---\n", s.namespace)
		}
	}
	for i, s := range svcs {
		if i > 0 {
			b.WriteString("---\n")
		}
		ns := ""
		if s.namespace != "" {
			ns = "\n  namespace: " + s.namespace
		}
		extra := ""
		keys := make([]string, 0, len(s.labels))
		for k := range s.labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			extra += fmt.Sprintf(", %s: %s", strconv.Quote(k), strconv.Quote(s.labels[k]))
		}
		fmt.Fprintf(&b, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s%s\n  labels: {role: service, app: %s%s}\nspec:\n  replicas: %d\n  selector:\n    matchLabels: {name: %s}\n  template:\n    metadata:\n      labels: {role: service, name: %s%s}\n    spec:\n      containers:\n      - name: mock-service\n        image: %s\n        ports: [{containerPort: %d}]\n",
			s.name, ns, s.name, extra, s.replicas, s.name, s.name, extra, Image, Port)
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: %s%s\n  labels: {role: service, app: %s}\nspec:\n  selector: {name: %s}\n  ports: [{name: http-web, port: %d}]\n", s.name, ns, s.name, s.name, Port)
	}
	g.Manifest = b.Bytes()
	for n := range p.notes {
		g.Notes = append(g.Notes, n)
	}
	sort.Strings(g.Notes)
	return g, nil
}

func (p *parser) typ(n *yaml.Node, where string) string {
	switch n.Value {
	case "http", "grpc":
		return n.Value
	}
	p.errorf(n, "%s: %q: want http or grpc", where, n.Value)
	return "http"
}

func (p *parser) replicas(n *yaml.Node, where string) int {
	v, err := strconv.Atoi(n.Value)
	if err != nil || v < 0 || v > 100000 {
		p.errorf(n, "%s: %q: want a number of replicas from 0 to 100000", where, n.Value)
		return 1
	}
	return v
}

// script converts an isotope script: each step a command, or a list of
// commands run concurrently (inner: inside such a list, where lists are
// refused, as isotope does).
func (p *parser) script(n *yaml.Node, where string, index map[string]int, reqSize int64, inner bool) []decl.Step {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s: want a list of steps (- sleep: 10ms, - call: b, or a list of them run concurrently)", where)
		return nil
	}
	var out []decl.Step
	for i, sn := range n.Content {
		w := fmt.Sprintf("%s[%d]", where, i)
		if sn.Kind == yaml.SequenceNode {
			if inner {
				p.errorf(sn, "%s: concurrent commands cannot be nested (isotope allows one level)", w)
				continue
			}
			out = append(out, decl.Step{Kind: decl.Parallel, Steps: p.script(sn, w, index, reqSize, true), Line: sn.Line})
			continue
		}
		var st *decl.Step
		p.fields(sn, w, []string{"sleep", "call"}, func(k string, v *yaml.Node) {
			if st != nil {
				p.errorf(v, "%s: one command per step (sleep: or call:), not both", w)
				return
			}
			switch k {
			case "sleep":
				d, err := time.ParseDuration(v.Value)
				if err != nil || d < 0 {
					p.errorf(v, "%s.sleep: %q: want a duration such as 10ms", w, v.Value)
				}
				st = &decl.Step{Kind: decl.Sleep, Sleep: sim.Const(d), Line: v.Line}
			case "call":
				st = p.call(v, w+".call", index, reqSize)
			}
		})
		if st != nil {
			out = append(out, *st)
		} else if sn.Kind == yaml.MappingNode && len(sn.Content) == 0 {
			p.errorf(sn, "%s: empty step: give sleep: or call:", w)
		}
	}
	return out
}

func (p *parser) call(n *yaml.Node, where string, index map[string]int, reqSize int64) *decl.Step {
	c := decl.Call{KeepAlive: true, Size: reqSize}
	prob := 0
	var hostNode *yaml.Node
	if n.Kind == yaml.ScalarNode {
		c.Service = n.Value
	} else {
		p.fields(n, where, []string{"service", "hostname", "extra-header", "size", "probability"}, func(k string, v *yaml.Node) {
			switch k {
			case "service":
				c.Service = v.Value
			case "hostname":
				hostNode = v
			case "extra-header":
				p.note("extra-header: not simulated (headers do not change what a call costs)")
			case "size":
				c.Size = p.size(v, where+".size")
			case "probability":
				v2, err := strconv.Atoi(v.Value)
				if err != nil || v2 < 0 || v2 > 100 {
					p.errorf(v, "%s.probability: %q: want a whole percentage from 0 to 100 (0: always)", where, v.Value)
				}
				prob = v2
			}
		})
	}
	if _, ok := index[c.Service]; !ok {
		p.errorf(n, "%s: cannot call undefined service %q", where, c.Service)
	}
	if hostNode != nil {
		// The name the call resolves, as cluster DNS does from the caller's
		// namespace: b, b.NS, b.NS.svc.cluster.local (a port after it).
		host, _, _ := strings.Cut(hostNode.Value, ":")
		if svc, _, _ := strings.Cut(host, "."); svc != c.Service {
			p.errorf(hostNode, "%s.hostname: %q does not name service %q", where, hostNode.Value, c.Service)
		}
		c.Service = host
	}
	st := decl.Step{Kind: decl.CallStep, Call: c, Line: n.Line}
	if prob > 0 && prob < 100 {
		return &decl.Step{Kind: decl.Branching, Branches: []decl.Branch{{P: float64(prob) / 100, Steps: []decl.Step{st}}}, Line: n.Line}
	}
	return &st
}

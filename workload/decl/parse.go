package decl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/internal/yamlerr"
	"github.com/kubesim/kubesim/sim"
	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Error is one problem of a workload description, at a line of its file.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Errors is every problem found.
type Errors []*Error

func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// ParseFile reads a workload file (services:, clients:, echo: at its top
// level); name is used in errors.
func ParseFile(name string, data []byte) (Spec, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		line, reason, _ := yamlerr.Locate(data, err)
		return Spec{}, Errors{{File: name, Line: line, Msg: "not valid YAML: " + reason}}
	}
	if len(doc.Content) == 0 {
		return Spec{}, Errors{{File: name, Msg: "empty file: a workload file has services: and clients:"}}
	}
	return Parse(name, doc.Content[0], "")
}

// LoadFile reads and parses the workload file at path.
func LoadFile(path string) (Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Spec{}, err
	}
	return ParseFile(path, b)
}

// Merge adds o's services and clients to s's (s's echo settings stay).
//
// A name o declares that s already has is an error (naming both places), and
// nothing is added: two services or two clients of one name would share
// their rows in the summary, and which one serves a container would depend
// on the order of the files.
func (s *Spec) Merge(o Spec) error {
	var errs Errors
	at := func(file string, line int) string {
		if line > 0 {
			return fmt.Sprintf("%s:%d", file, line)
		}
		return file
	}
	for _, x := range o.Services {
		for _, y := range s.Services {
			if x.Name == y.Name {
				errs = append(errs, &Error{File: x.File, Line: x.Line, Msg: fmt.Sprintf("service %q is already declared at %s; names must be unique across the scenario's workload and the files added to it: rename one or leave one out", x.Name, at(y.File, y.Line))})
			}
		}
	}
	for _, x := range o.Clients {
		for _, y := range s.Clients {
			if x.Name == y.Name {
				errs = append(errs, &Error{File: x.File, Line: x.Line, Msg: fmt.Sprintf("client %q is already declared at %s; names must be unique across the scenario's workload and the files added to it: rename one or leave one out", x.Name, at(y.File, y.Line))})
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	s.Services = append(s.Services, o.Services...)
	s.Clients = append(s.Clients, o.Clients...)
	return nil
}

// WithDefaults returns s with the services and clients of d whose names s
// does not declare added after its own (a built-in workload under the user's
// declarations: the user's win). s is not changed.
func (s Spec) WithDefaults(d Spec) Spec {
	out := s
	out.Services = append([]Service(nil), s.Services...)
	out.Clients = append([]Client(nil), s.Clients...)
	svc, cl := map[string]bool{}, map[string]bool{}
	for _, x := range s.Services {
		svc[x.Name] = true
	}
	for _, x := range s.Clients {
		cl[x.Name] = true
	}
	for _, x := range d.Services {
		if !svc[x.Name] {
			out.Services = append(out.Services, x)
		}
	}
	for _, x := range d.Clients {
		if !cl[x.Name] {
			out.Clients = append(out.Clients, x)
		}
	}
	return out
}

// Empty reports whether s declares nothing.
func (s *Spec) Empty() bool { return len(s.Services) == 0 && len(s.Clients) == 0 }

// IsWorkloadFile reports whether YAML data is a workload file: its top level
// has services: or clients: and no timeline:.
func IsWorkloadFile(data []byte) bool {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil || len(doc.Content) == 0 {
		return false
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return false
	}
	has := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		has[root.Content[i].Value] = true
	}
	return (has["services"] || has["clients"]) && !has["timeline"]
}

// Parse reads a workload description from node n of file name; where prefixes
// the field names in errors ("workload." in a scenario file).
func Parse(name string, n *yaml.Node, where string) (Spec, error) {
	p := &parser{file: name}
	spec := Spec{Echo: DefaultEcho()}
	p.fields(n, strings.TrimSuffix(where, "."), []string{"services", "clients", "echo"}, func(k string, v *yaml.Node) {
		switch k {
		case "services":
			for i, sn := range p.list(v, where+"services") {
				spec.Services = append(spec.Services, p.service(sn, fmt.Sprintf("%sservices[%d]", where, i)))
			}
		case "clients":
			for i, cn := range p.list(v, where+"clients") {
				spec.Clients = append(spec.Clients, p.client(cn, fmt.Sprintf("%sclients[%d]", where, i)))
			}
		case "echo":
			p.fields(v, where+"echo", []string{"service", "concurrency", "backlog"}, func(k string, v *yaml.Node) {
				switch k {
				case "service":
					spec.Echo.Service = p.dist(v, where+"echo.service")
				case "concurrency":
					spec.Echo.Concurrency = p.integer(v, where+"echo.concurrency", 1)
				case "backlog":
					spec.Echo.Backlog = p.integer(v, where+"echo.backlog", 0)
				}
			})
		}
	})
	seen := map[string]int{}
	for i, s := range spec.Services {
		if j, ok := seen[s.Name]; ok && s.Name != "" {
			p.errorAt(s.Line, "%sservices[%d]: name %q is already services[%d]'s; names must be unique", where, i, s.Name, j)
		}
		seen[s.Name] = i
	}
	seen = map[string]int{}
	for i, c := range spec.Clients {
		if j, ok := seen[c.Name]; ok && c.Name != "" {
			p.errorAt(c.Line, "%sclients[%d]: name %q is already clients[%d]'s; names must be unique", where, i, c.Name, j)
		}
		seen[c.Name] = i
	}
	if len(p.errs) > 0 {
		return Spec{}, p.errs
	}
	return spec, nil
}

type parser struct {
	file string
	errs Errors
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errorAt(line, format, args...)
}

func (p *parser) errorAt(line int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// fields walks a mapping, reporting unknown and repeated fields.
func (p *parser) fields(n *yaml.Node, where string, known []string, f func(key string, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: want a mapping with fields %s", where, strings.Join(known, ", "))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			p.errorf(k, "%s: field %q given twice", where, k.Value)
			continue
		}
		seen[k.Value] = true
		ok := false
		for _, kn := range known {
			ok = ok || kn == k.Value
		}
		if !ok {
			if field, value, cut := yamlerr.CommaCut(n, i); cut {
				p.errorf(k, "%s.%s", where, yamlerr.CommaCutMsg(field, value))
				continue
			}
			sorted := append([]string(nil), known...)
			sort.Strings(sorted)
			p.errorf(k, "%s: unknown field %q (known: %s)", where, k.Value, strings.Join(sorted, ", "))
			continue
		}
		f(k.Value, v)
	}
}

func (p *parser) list(n *yaml.Node, where string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s: want a list", where)
		return nil
	}
	return n.Content
}

func (p *parser) str(n *yaml.Node, where string) string {
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "%s: want a single value", where)
		return ""
	}
	return n.Value
}

// bytes reads a memory quantity as Kubernetes writes one (128Mi, 1Gi, 500M,
// 1048576), at least 0.
func (p *parser) bytes(n *yaml.Node, where string) int64 {
	s := p.str(n, where)
	q, err := resource.ParseQuantity(s)
	if err != nil || q.Sign() < 0 {
		p.errorf(n, "%s: %q is not a quantity of bytes >= 0 (e.g. 128Mi, 1Gi)", where, s)
		return 0
	}
	return q.Value()
}

func (p *parser) integer(n *yaml.Node, where string, min int) int {
	s := p.str(n, where)
	v, err := strconv.Atoi(s)
	if err != nil || v < min {
		p.errorf(n, "%s: %q is not a whole number >= %d", where, s, min)
		return min
	}
	return v
}

func (p *parser) number(n *yaml.Node, where string, lo, hi float64) float64 {
	s := p.str(n, where)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < lo || v > hi {
		if math.IsInf(hi, 1) {
			p.errorf(n, "%s: %q is not a number >= %g", where, s, lo)
		} else {
			p.errorf(n, "%s: %q is not a number between %g and %g", where, s, lo, hi)
		}
		return lo
	}
	return v
}

func (p *parser) duration(n *yaml.Node, where string) sim.Time {
	s := p.str(n, where)
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d < 0 {
		p.errorf(n, "%s: %q is not a duration; write e.g. 90s, 1m30s or 250ms", where, s)
		return 0
	}
	return d
}

func (p *parser) boolean(n *yaml.Node, where string) bool {
	s := p.str(n, where)
	b, err := strconv.ParseBool(s)
	if err != nil {
		p.errorf(n, "%s: %q is not true or false", where, s)
	}
	return b
}

func (p *parser) dist(n *yaml.Node, where string) sim.DistSpec {
	d, err := sim.ParseDist(p.str(n, where))
	if err != nil {
		p.errorf(n, "%s: %v", where, err)
	}
	return d
}

func (p *parser) name(n *yaml.Node, where string) string {
	s := p.str(n, where)
	if s == "" || strings.ContainsAny(s, " \t/") {
		p.errorf(n, "%s: %q is not a name: write letters, digits, '-' or '.'", where, s)
	}
	return s
}

// size reads a size in bytes (ParseSize).
func (p *parser) size(n *yaml.Node, where string) int64 {
	b, err := ParseSize(p.str(n, where))
	if err != nil {
		p.errorf(n, "%s: %v", where, err)
	}
	return b
}

var sizeRE = regexp.MustCompile(`^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)$`)

// ParseSize reads a size in bytes as isotope (docker's RAMInBytes) does:
// 128, 1 KB, 16KiB, 1.5MB; K, M, G, T and P are powers of 1024, with or
// without i and B, in any case.
func ParseSize(s string) (int64, error) {
	m := sizeRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, fmt.Errorf("%q: want a size in bytes such as 128, 1 KB or 16KiB", s)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	if m[2] != "" {
		v *= math.Pow(1024, float64(strings.Index("kmgtp", m[2])+1))
	}
	if v > 1<<50 {
		return 0, fmt.Errorf("%q: more than a petabyte", s)
	}
	return int64(v), nil
}

// envName is the name of an environment variable (letters, digits, '_',
// '-' and '.', not starting with a digit: Kubernetes' rule for env names).
func (p *parser) envName(n *yaml.Node, where string) string {
	s := p.str(n, where)
	ok := s != "" && (s[0] < '0' || s[0] > '9')
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			ok = false
		}
	}
	if !ok {
		p.errorf(n, "%s: %q is not an environment variable name: write letters, digits, '_', '-' or '.', not starting with a digit (USERS)", where, s)
	}
	return s
}

func (p *parser) service(n *yaml.Node, where string) Service {
	e := DefaultEcho()
	s := Service{Concurrency: e.Concurrency, Backlog: e.Backlog, File: p.file, Line: n.Line}
	p.fields(n, where, []string{"name", "image", "labels", "concurrency", "backlog", "routes", "memory"}, func(k string, v *yaml.Node) {
		switch k {
		case "name":
			s.Name = p.name(v, where+".name")
		case "image":
			s.Image = p.image(v, where+".image")
		case "labels":
			s.Labels = p.labels(v, where+".labels")
		case "concurrency":
			s.Concurrency = p.integer(v, where+".concurrency", 1)
		case "backlog":
			s.Backlog = p.integer(v, where+".backlog", 0)
		case "routes":
			for i, rn := range p.list(v, where+".routes") {
				s.Routes = append(s.Routes, p.route(rn, fmt.Sprintf("%s.routes[%d]", where, i)))
			}
		case "memory":
			m := &Memory{}
			p.fields(v, where+".memory", []string{"base", "perRequest"}, func(k string, v *yaml.Node) {
				switch k {
				case "base":
					m.Base = p.bytes(v, where+".memory.base")
				case "perRequest":
					m.PerRequest = p.bytes(v, where+".memory.perRequest")
				}
			})
			s.Memory = m
		}
	})
	if s.Name == "" {
		p.errorf(n, "%s: name is required", where)
	}
	if s.Image == "" && len(s.Labels) == 0 {
		p.errorf(n, "%s: give image: (an image name) or labels: (pod labels) to say which containers it is", where)
	}
	if len(s.Routes) == 0 {
		s.Routes = []Route{{Name: "/", Service: e.Service}}
	}
	return s
}

// image reads an image name, or a path ending with it (no tag or digest).
func (p *parser) image(n *yaml.Node, where string) string {
	im := p.str(n, where)
	if strings.ContainsAny(im, ":@") || strings.HasPrefix(im, "/") || strings.HasSuffix(im, "/") {
		p.errorf(n, "%s: %q: give the image's name (%q matches it with any registry, path and tag) or a path ending with it (microservices-demo/frontend), without tag or digest", where, im, imageName(im))
	}
	return im
}

// labels reads a mapping of pod labels.
func (p *parser) labels(n *yaml.Node, where string) map[string]string {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: want a mapping of label to value", where)
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = p.str(n.Content[i+1], where+"."+n.Content[i].Value)
	}
	return out
}

func imageName(im string) string {
	if i := strings.LastIndexByte(im, '/'); i >= 0 {
		im = im[i+1:]
	}
	if i := strings.IndexAny(im, ":@"); i >= 0 {
		im = im[:i]
	}
	return im
}

func (p *parser) route(n *yaml.Node, where string) Route {
	r := Route{Service: DefaultEcho().Service}
	service := false
	p.fields(n, where, []string{"name", "cpu", "service", "errorRate", "responseSize", "script"}, func(k string, v *yaml.Node) {
		switch k {
		case "responseSize":
			r.ResponseSize = p.size(v, where+".responseSize")
		case "name":
			r.Name = p.str(v, where+".name")
		case "cpu":
			r.CPU, r.HasCPU = p.dist(v, where+".cpu"), true
		case "service":
			r.Service, service = p.dist(v, where+".service"), true
		case "errorRate":
			r.ErrorRate = p.number(v, where+".errorRate", 0, 1)
		case "script":
			r.Script = p.script(v, where+".script")
		}
	})
	if r.Name == "" {
		p.errorf(n, "%s: name is required (a path such as /api, or a name)", where)
	}
	if r.HasCPU && !service {
		r.Service = sim.Const(0) // the CPU work is the service
	}
	return r
}

func (p *parser) script(n *yaml.Node, where string) []Step {
	var out []Step
	for i, sn := range p.list(n, where) {
		out = append(out, p.step(sn, fmt.Sprintf("%s[%d]", where, i)))
	}
	return out
}

// step reads one script step: {sleep: D}, {call: SVC[/route], timeout, retries,
// backoff, keepAlive}, {parallel: [steps]}, {branch: [{p, do: [steps]}]} or
// {loop: N, do: [steps]}.
func (p *parser) step(n *yaml.Node, where string) Step {
	s := Step{Line: n.Line}
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		p.errorf(n, "%s: want a step: sleep:, call:, parallel:, branch: or loop:", where)
		return s
	}
	kind := ""
	for i := 0; i < len(n.Content); i += 2 {
		switch k := n.Content[i].Value; k {
		case "sleep", "call", "parallel", "branch", "loop":
			if kind != "" {
				p.errorf(n.Content[i], "%s: one step does one thing: %s and %s; make them two steps", where, kind, k)
			}
			kind = k
		}
	}
	switch kind {
	case "sleep":
		s.Kind = Sleep
		p.fields(n, where, []string{"sleep"}, func(_ string, v *yaml.Node) { s.Sleep = p.dist(v, where+".sleep") })
	case "call":
		s.Kind = CallStep
		p.fields(n, where, []string{"call", "timeout", "retries", "backoff", "keepAlive", "size"}, func(k string, v *yaml.Node) {
			switch k {
			case "size":
				s.Call.Size = p.size(v, where+".size")
			case "call":
				s.Call.Service, s.Call.Route = p.target(v, where+".call")
			case "timeout":
				s.Call.Timeout = p.duration(v, where+".timeout")
			case "retries":
				s.Call.Retries = p.integer(v, where+".retries", 0)
			case "backoff":
				s.Call.Backoff = p.duration(v, where+".backoff")
			case "keepAlive":
				s.Call.KeepAlive = p.boolean(v, where+".keepAlive")
			}
		})
		if s.Call.Retries > 0 && s.Call.Backoff == 0 {
			s.Call.Backoff = 25 * time.Millisecond
		}
	case "parallel":
		s.Kind = Parallel
		p.fields(n, where, []string{"parallel"}, func(_ string, v *yaml.Node) { s.Steps = p.script(v, where+".parallel") })
	case "branch":
		s.Kind = Branching
		p.fields(n, where, []string{"branch"}, func(_ string, v *yaml.Node) {
			total := 0.0
			for i, bn := range p.list(v, where+".branch") {
				bw := fmt.Sprintf("%s.branch[%d]", where, i)
				var b Branch
				p.fields(bn, bw, []string{"p", "do"}, func(k string, v *yaml.Node) {
					if k == "p" {
						b.P = p.number(v, bw+".p", 0, 1)
					} else {
						b.Steps = p.script(v, bw+".do")
					}
				})
				total += b.P
				s.Branches = append(s.Branches, b)
			}
			if total > 1+1e-9 {
				// Rounded to 9 digits: 0.7 + 0.6 is 1.3, not 1.2999999999999998.
				p.errorf(v, "%s.branch: the probabilities add up to %g, more than 1", where, math.Round(total*1e9)/1e9)
			}
		})
	case "loop":
		s.Kind = Loop
		p.fields(n, where, []string{"loop", "do"}, func(k string, v *yaml.Node) {
			if k == "loop" {
				s.Times = p.integer(v, where+".loop", 0)
			} else {
				s.Steps = p.script(v, where+".do")
			}
		})
	default:
		p.errorf(n, "%s: want a step: sleep:, call:, parallel:, branch: or loop:", where)
	}
	return s
}

// target reads SERVICE[/route].
func (p *parser) target(n *yaml.Node, where string) (string, string) {
	t := p.str(n, where)
	svc, route, _ := strings.Cut(t, "/")
	if svc == "" {
		p.errorf(n, "%s: %q: want SERVICE or SERVICE/route", where, t)
	}
	if route != "" {
		route = "/" + route
	}
	return svc, route
}

func (p *parser) client(n *yaml.Node, where string) Client {
	c := Client{Line: n.Line, File: p.file}
	var callNode, rateNode *yaml.Node
	var spawnNode, envNode, onStartNode, nodeNode, totalNode, usersNode *yaml.Node
	p.fields(n, where, []string{"name", "image", "labels", "users", "spawnRate", "env", "think", "rate", "arrival", "schedule", "sine", "shape", "start", "call", "script", "onStart", "node", "totalUsers"}, func(k string, v *yaml.Node) {
		switch k {
		case "totalUsers":
			totalNode = v
			c.Users, c.TotalUsers = p.integer(v, where+".totalUsers", 1), true
		case "node":
			nodeNode = v
			c.Node = p.str(v, where+".node")
			if c.Node == "" {
				p.errorf(v, "%s.node: give a node's name (the node a NodePort Service is reached on)", where)
			}
		case "sine":
			if rateNode != nil {
				p.errorf(v, "%s.sine: give one of rate:, schedule: and sine:", where)
			}
			rateNode = v
			sn := &Sine{}
			p.fields(v, where+".sine", []string{"mean", "amplitude", "period"}, func(k string, v *yaml.Node) {
				switch k {
				case "mean":
					sn.Mean = p.number(v, where+".sine.mean", 0, math.Inf(1))
				case "amplitude":
					sn.Amplitude = p.number(v, where+".sine.amplitude", 0, math.Inf(1))
				case "period":
					sn.Period = p.duration(v, where+".sine.period")
				}
			})
			if sn.Period <= 0 {
				p.errorf(v, "%s.sine: give period: (such as 24h), above 0", where)
			}
			if sn.Amplitude > sn.Mean {
				p.errorf(v, "%s.sine: amplitude %g is above mean %g: the rate would go below 0", where, sn.Amplitude, sn.Mean)
			}
			c.Sine = sn
		case "image":
			c.Image = p.image(v, where+".image")
		case "labels":
			c.Labels = p.labels(v, where+".labels")
		case "spawnRate":
			spawnNode = v
			c.SpawnRate = p.number(v, where+".spawnRate", 0, math.Inf(1))
		case "env":
			envNode = v
			p.fields(v, where+".env", []string{"users", "spawnRate"}, func(k string, v *yaml.Node) {
				name := p.envName(v, where+".env."+k)
				if k == "users" {
					c.UsersEnv = name
				} else {
					c.SpawnRateEnv = name
				}
			})
		case "name":
			c.Name = p.name(v, where+".name")
		case "users":
			usersNode = v
			c.Users = p.integer(v, where+".users", 1)
		case "think":
			c.Think = p.dist(v, where+".think")
		case "rate":
			rateNode = v
			c.Rate = p.number(v, where+".rate", 0, math.Inf(1))
		case "arrival":
			switch a := p.str(v, where+".arrival"); a {
			case "poisson":
			case "constant":
				c.Constant = true
			default:
				p.errorf(v, "%s.arrival: %q: want poisson or constant", where, a)
			}
		case "schedule":
			rateNode = v
			for i, pn := range p.list(v, where+".schedule") {
				pw := fmt.Sprintf("%s.schedule[%d]", where, i)
				var rp RatePoint
				p.fields(pn, pw, []string{"at", "rate"}, func(k string, v *yaml.Node) {
					if k == "at" {
						rp.At = p.duration(v, pw+".at")
					} else {
						rp.Rate = p.number(v, pw+".rate", 0, math.Inf(1))
					}
				})
				if len(c.Schedule) > 0 && rp.At <= c.Schedule[len(c.Schedule)-1].At {
					p.errorf(pn, "%s.at: %v is not after the previous point's; points must be in time order", pw, rp.At)
				}
				c.Schedule = append(c.Schedule, rp)
			}
		case "shape":
			switch sh := p.str(v, where+".shape"); sh {
			case "steps":
			case "ramp":
				c.Ramp = true
			default:
				p.errorf(v, "%s.shape: %q: want steps or ramp", where, sh)
			}
		case "start":
			c.Start = p.duration(v, where+".start")
		case "call":
			callNode = v
			svc, route := p.target(v, where+".call")
			c.Script = append(c.Script, Step{Kind: CallStep, Call: Call{Service: svc, Route: route}, Line: v.Line})
		case "script":
			c.Script = append(c.Script, p.script(v, where+".script")...)
		case "onStart":
			onStartNode = v
			c.OnStart = p.script(v, where+".onStart")
		}
	})
	if c.Name == "" {
		p.errorf(n, "%s: name is required", where)
	}
	switch {
	case c.Users > 0 && rateNode != nil:
		p.errorf(rateNode, "%s: a client is closed-loop (users:) or open-loop (rate: or schedule:), not both", where)
	case c.Users == 0 && rateNode == nil:
		p.errorf(n, "%s: give users: (closed loop: virtual users who think, then call) or rate: (open loop: arrivals per second)", where)
	}
	if c.Sine != nil && (c.Rate != 0 || len(c.Schedule) > 0) {
		p.errorf(n, "%s: give one of rate:, schedule: and sine:", where)
	}
	if envNode != nil && (!c.InPods() || c.Users == 0) {
		p.errorf(envNode, "%s.env: only a closed-loop client in containers (image: or labels:, and users:) reads its containers' env", where)
	}
	if onStartNode != nil && c.Users == 0 {
		p.errorf(onStartNode, "%s.onStart: only closed-loop clients (users:) have users who start; an open loop's runs are the script alone", where)
	}
	if totalNode != nil {
		switch {
		case usersNode != nil:
			p.errorf(totalNode, "%s: give users: (per container) or totalUsers: (over all the client's containers), not both", where)
		case !c.InPods():
			p.errorf(totalNode, "%s.totalUsers: only a client in containers (image: or labels:) spreads its users; a client outside the cluster's users: are a total already", where)
		case c.UsersEnv != "":
			p.errorf(totalNode, "%s.totalUsers: a total is not read from the containers' env; drop env.users", where)
		}
	}
	if nodeNode != nil && c.InPods() {
		p.errorf(nodeNode, "%s.node: only a client outside the cluster is pointed at a node; a client in containers calls from its pod's node", where)
	}
	if spawnNode != nil && c.Users == 0 {
		p.errorf(spawnNode, "%s.spawnRate: only closed-loop clients (users:) spawn users", where)
	}
	if c.Users > 0 && c.Think.Kind == "" {
		c.Think = sim.Const(0)
	}
	if len(c.Script) == 0 {
		p.errorf(n, "%s: give call: SERVICE[/route] or a script: of steps", where)
	} else if callNode != nil && len(c.Script) > 1 {
		p.errorf(callNode, "%s: give call: or script:, not both", where)
	}
	return c
}

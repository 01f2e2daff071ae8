package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/kubesim/kubesim/workload/decl"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/internal/yamlerr"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
)

// FileError is a problem in a scenario file, with where it is.
type FileError struct {
	File string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// FileErrors is every problem found in a scenario file.
type FileErrors []*FileError

func (es FileErrors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

type fileParser struct {
	name string
	errs FileErrors
	// set overrides variables (kubesim run --set, or a study's vars.NAME
	// parameters when study is set).
	set   map[string]string
	study bool
}

func (p *fileParser) errorf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &FileError{File: p.name, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// fields walks a mapping node, calling f for each key it knows and reporting the
// others as unknown fields.
func (p *fileParser) fields(n *yaml.Node, where string, known []string, f func(key string, v *yaml.Node)) {
	if n == nil {
		return
	}
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
		for _, want := range known {
			if k.Value == want {
				ok = true
				break
			}
		}
		if !ok {
			if field, value, cut := yamlerr.CommaCut(n, i); cut {
				p.errorf(k, "%s.%s", where, yamlerr.CommaCutMsg(field, value))
				continue
			}
			p.errorf(k, "%s: unknown field %q (known fields: %s)", where, k.Value, strings.Join(known, ", "))
			continue
		}
		f(k.Value, v)
	}
}

func (p *fileParser) str(n *yaml.Node, where string) string {
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "%s: want a string", where)
		return ""
	}
	return n.Value
}

func (p *fileParser) duration(n *yaml.Node, where string) sim.Time {
	s := p.str(n, where)
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		p.errorf(n, "%s: %q is not a duration; write e.g. 90s, 1m30s or 250ms", where, s)
		return 0
	}
	if d < 0 {
		p.errorf(n, "%s: %s is negative; a duration here must be 0 or more (e.g. 90s)", where, s)
		return 0
	}
	return d
}

// positiveDuration reads a duration that must be above 0; what says why and
// what to write instead.
func (p *fileParser) positiveDuration(n *yaml.Node, where, what string) sim.Time {
	s := strings.TrimSpace(p.str(n, where))
	if s == "" && n.Kind == yaml.ScalarNode {
		p.errorf(n, "%s: no value: %s", where, what)
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		p.errorf(n, "%s: %q is not a duration; write e.g. 90s, 1m30s or 250ms", where, s)
		return 0
	}
	if d <= 0 {
		p.errorf(n, "%s: %s: %s", where, s, what)
		return 0
	}
	return d
}

func (p *fileParser) integer(n *yaml.Node, where string, min int64) int64 {
	s := p.str(n, where)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < min {
		p.errorf(n, "%s: %q is not a whole number >= %d", where, s, min)
		return 0
	}
	return v
}

func (p *fileParser) stringMap(n *yaml.Node, where string) map[string]string {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: want a mapping of strings", where)
		return nil
	}
	m := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if yaml11Bool(v) {
			p.errorf(v, "%s.%s: the value %s is a YAML boolean, not a string; quote it: %q", where, k.Value, v.Value, v.Value)
			continue
		}
		m[k.Value] = p.str(v, where+"."+k.Value)
	}
	return m
}

// EmptyFileMsg describes an empty scenario file (or one with only comments).
const EmptyFileMsg = "the file is empty (or only comments): a scenario needs at least name: and duration:; kubesim scenarios show NAME prints one to start from"

// ParseFile reads a scenario file. name is used in error messages and to resolve
// relative paths; every problem is reported with its line.
func ParseFile(name string, data []byte) (*Scenario, error) {
	return ParseFileWith(name, data, nil)
}

// ParseFileWith is ParseFile with some of the scenario's variables set (as
// kubesim run --set NAME=VALUE does): set maps a name under vars: to the value
// that replaces the file's. Setting a variable the file does not define is an
// error.
func ParseFileWith(name string, data []byte, set map[string]string) (*Scenario, error) {
	return parseFile(name, data, set, false)
}

func parseFile(name string, data []byte, set map[string]string, study bool) (*Scenario, error) {
	p := &fileParser{name: name, set: set, study: study}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		line, reason, _ := yamlerr.Locate(data, err)
		return nil, FileErrors{{File: name, Line: line, Msg: "not valid YAML: " + reason}}
	}
	if len(doc.Content) == 0 {
		return nil, FileErrors{{File: name, Msg: EmptyFileMsg}}
	}
	root := doc.Content[0]
	s := &Scenario{Config: DefaultConfig(), Seed: 1, Dir: filepath.Dir(name), Path: name, Files: map[string]string{}}
	var cluster, timeline, window, duration *yaml.Node
	vars := p.vars(root)
	p.fields(root, "scenario", []string{"name", "description", "seed", "start", "duration", "window", "vars", "cluster", "config", "files", "timeline", "workload", "externalMetrics"}, func(k string, v *yaml.Node) {
		switch k {
		case "name":
			s.Name = p.str(v, k)
		case "description":
			s.Description = p.expand(v, k, p.str(v, k), vars)
		case "seed":
			s.Seed = uint64(p.integer(v, k, 0))
		case "start":
			st := p.str(v, k)
			t, err := time.Parse(time.RFC3339, strings.TrimSpace(st))
			if err != nil {
				p.errorf(v, "start: %q is not a time; write it as RFC 3339, e.g. 2026-01-05T09:00:00Z", st)
				return
			}
			s.Config.Start = t
		case "duration":
			s.Duration, duration = p.positiveDuration(v, k, "the run must last some time; give a positive duration (e.g. duration: 5m)"), v
		case "window":
			s.Window, window = p.positiveDuration(v, k, fmt.Sprintf("a window must be at least %v; leave window out for an automatic width", MinWindow)), v
		case "cluster":
			cluster = v
		case "config":
			p.config(v, &s.Config)
			if err := s.Config.Autoscaler.Validate(); err != nil {
				p.errorf(v, "config.autoscaler.%v", err)
			}
			if err := model.ValidateProxyMode(s.Config.ProxyMode); err != nil {
				p.errorf(v, "config.%v", err)
			}
			t := s.Config.Timings
			if err := t.Validate(); err != nil {
				p.errorf(v, "config.timings: %v", err)
			} else if t.NodeMonitorGracePeriod > 0 && t.NodeMonitorGracePeriod <= t.NodeStatusUpdate {
				p.errorf(v, "config.timings: nodeMonitorGracePeriod (%v) must be longer than nodeStatusUpdate (%v), or healthy nodes go NotReady between heartbeats", t.NodeMonitorGracePeriod, t.NodeStatusUpdate)
			}
		case "files":
			if v.Kind != yaml.MappingNode {
				p.errorf(v, "files: want a mapping of file name to content")
				return
			}
			for i := 0; i+1 < len(v.Content); i += 2 {
				s.Files[v.Content[i].Value] = p.expand(v.Content[i+1], "files."+v.Content[i].Value, p.str(v.Content[i+1], "files."+v.Content[i].Value), vars)
				s.FileLines = append(s.FileLines, v.Content[i+1].Line)
			}
		case "timeline":
			timeline = v
		case "workload":
			// An undefined variable is the one error (the workload would
			// report its ${...} text again as a bad value).
			n0 := len(p.errs)
			if p.expandTree(v, "workload", vars); len(p.errs) == n0 {
				p.workload(v, s)
			}
		case "externalMetrics":
			s.External = p.externalMetrics(v)
		}
	})
	if s.Name == "" {
		p.errorf(root, "scenario: the field name is required")
	}
	if duration == nil {
		p.errorf(root, "scenario: the field duration is required and must be positive (e.g. duration: 5m)")
	} else if s.Duration > 0 && window != nil && s.Window > 0 {
		if err := CheckWindow(s.Window, s.Duration); err != nil {
			p.errorf(window, "window: %v", err)
		}
	}
	s.Nodes = p.cluster(cluster)
	s.NodeGroups = p.nodeGroups(clusterNodeGroups(cluster))
	p.checkNodeGroups(cluster, s.NodeGroups, s.Nodes)
	p.timeline(timeline, s, vars)
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return s, nil
}

// LoadFile reads and parses a scenario file from disk.
func LoadFile(path string) (*Scenario, error) { return LoadFileWith(path, nil) }

// LoadFileWith is LoadFile with variables set (see ParseFileWith).
func LoadFileWith(path string, set map[string]string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read the scenario file: %v", path, err)
	}
	return ParseFileWith(path, data, set)
}

// MaxNodes is the most nodes a scenario's cluster may start with.
const MaxNodes = 100_000

func (p *fileParser) cluster(n *yaml.Node) []NodeSpec {
	if n == nil {
		return WorkshopNodes()
	}
	controlPlanes, workers := int64(1), int64(3)
	capacity := DefaultNodeCapacity
	var nodes []NodeSpec
	explicit := false
	p.fields(n, "cluster", []string{"controlPlanes", "workers", "capacity", "nodes", "nodeGroups"}, func(k string, v *yaml.Node) {
		switch k {
		case "controlPlanes":
			controlPlanes = p.integer(v, "cluster.controlPlanes", 0)
		case "workers":
			workers = p.integer(v, "cluster.workers", 0)
		case "capacity":
			capacity = p.capacity(v, "cluster.capacity", capacity)
		case "nodes":
			explicit = true
			if v.Kind != yaml.SequenceNode {
				p.errorf(v, "cluster.nodes: want a list of nodes")
				return
			}
			seen := map[string]bool{}
			for i, nn := range v.Content {
				ns := p.node(nn, fmt.Sprintf("cluster.nodes[%d]", i), capacity)
				if seen[ns.Name] {
					p.errorf(nn, "cluster.nodes[%d]: node %q is listed twice", i, ns.Name)
				}
				seen[ns.Name] = true
				nodes = append(nodes, ns)
			}
		}
	})
	if explicit {
		if len(nodes) == 0 {
			p.errorf(n, "cluster.nodes: the list is empty; a cluster needs at least one node")
		}
		if len(nodes) > MaxNodes {
			p.errorf(n, "cluster.nodes: %d nodes, more than %d; simulate fewer", len(nodes), MaxNodes)
		}
		return nodes
	}
	if total := controlPlanes + workers; total < 1 || total > MaxNodes {
		p.errorf(n, "cluster: controlPlanes (%d) + workers (%d) = %d nodes; give 1 to %d", controlPlanes, workers, total, MaxNodes)
		return nil
	}
	for i := int64(1); i <= controlPlanes+workers; i++ {
		name := fmt.Sprintf("node%d", i)
		if i <= controlPlanes {
			nodes = append(nodes, ControlPlaneNode(name, capacity))
		} else {
			nodes = append(nodes, NodeSpec{Name: name, Capacity: capacity})
		}
	}
	return nodes
}

// externalMetrics reads externalMetrics: {NAME: [{at: D, value: Q}, ...]}:
// the values the external metrics API serves for NAME from each time on.
func (p *fileParser) externalMetrics(n *yaml.Node) []ExternalValue {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "externalMetrics: want a mapping of metric name to a list of {at, value}, e.g. queue_messages_ready: [{at: 0s, value: 30}]")
		return nil
	}
	var out []ExternalValue
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, list := n.Content[i].Value, n.Content[i+1]
		where := "externalMetrics." + name
		if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
			p.errorf(list, "%s: want a list of {at, value}, e.g. [{at: 0s, value: 30}, {at: 5m, value: 120}]", where)
			continue
		}
		last := sim.Time(-1)
		for j, item := range list.Content {
			w := fmt.Sprintf("%s[%d]", where, j)
			ev := ExternalValue{Name: name, Line: item.Line}
			have := false
			p.fields(item, w, []string{"at", "value"}, func(k string, v *yaml.Node) {
				if k == "at" {
					ev.At = p.duration(v, w+".at")
					return
				}
				have = true
				q, err := resource.ParseQuantity(strings.TrimSpace(p.str(v, w+".value")))
				if err != nil {
					p.errorf(v, "%s.value: %q is not a Kubernetes quantity (e.g. 30, 1500m, 2k)", w, v.Value)
					return
				}
				ev.Milli = q.MilliValue()
			})
			if !have {
				p.errorf(item, "%s: value is required", w)
				continue
			}
			if ev.At <= last {
				p.errorf(item, "%s.at: %v is not after the previous value's time; list the values in time order", w, ev.At)
				continue
			}
			last = ev.At
			out = append(out, ev)
		}
	}
	return out
}

func (p *fileParser) capacity(n *yaml.Node, where string, base model.Resources) model.Resources {
	r := base
	p.fields(n, where, []string{"cpu", "memory", "pods"}, func(k string, v *yaml.Node) {
		s := p.str(v, where+"."+k)
		if k == "pods" {
			r.Pods = p.integer(v, where+".pods", 1)
			return
		}
		q, err := resource.ParseQuantity(s)
		if err != nil || q.Sign() <= 0 {
			p.errorf(v, "%s.%s: %q is not a positive Kubernetes quantity (e.g. cpu: \"2\" or 500m, memory: 4Gi)", where, k, s)
			return
		}
		if k == "cpu" {
			r.MilliCPU = q.MilliValue()
		} else {
			r.Memory = q.Value()
		}
	})
	return r
}

func (p *fileParser) node(n *yaml.Node, where string, capacity model.Resources) NodeSpec {
	ns := NodeSpec{Capacity: capacity}
	p.fields(n, where, []string{"name", "controlPlane", "labels", "taints", "capacity"}, func(k string, v *yaml.Node) {
		switch k {
		case "name":
			ns.Name = p.str(v, where+".name")
		case "controlPlane":
			ns.ControlPlane = p.str(v, where+".controlPlane") == "true"
		case "labels":
			ns.Labels = p.stringMap(v, where+".labels")
		case "taints":
			if v.Kind != yaml.SequenceNode {
				p.errorf(v, "%s.taints: want a list such as [\"dedicated=rng:NoSchedule\"]", where)
				return
			}
			for _, t := range v.Content {
				taint, err := ParseTaint(p.str(t, where+".taints"))
				if err != nil {
					p.errorf(t, "%s.taints: %v", where, err)
					continue
				}
				ns.Taints = append(ns.Taints, taint)
			}
		case "capacity":
			ns.Capacity = p.capacity(v, where+".capacity", capacity)
		}
	})
	if ns.Name == "" {
		p.errorf(n, "%s: every node needs a name", where)
	}
	if ns.ControlPlane {
		cp := ControlPlaneNode(ns.Name, ns.Capacity)
		if ns.Labels == nil {
			ns.Labels = map[string]string{}
		}
		for k, v := range cp.Labels {
			ns.Labels[k] = v
		}
		ns.Taints = append(cp.Taints, ns.Taints...)
	}
	return ns
}

// vars reads the scenario's variables: `vars: {workers: 10}` makes ${workers}
// stand for 10 in timeline commands and files, so that a study can vary a
// timeline value with the parameter vars.workers.
func (p *fileParser) vars(root *yaml.Node) map[string]string {
	out := map[string]string{}
	defer func() {
		var unknown []string
		for k := range p.set {
			if _, ok := out[k]; !ok {
				unknown = append(unknown, k)
			}
		}
		if len(unknown) == 0 {
			return
		}
		sort.Strings(unknown)
		defined := "it defines none"
		if len(out) > 0 {
			defined = "its vars: are " + strings.Join(sortedKeys(out), ", ")
		}
		for _, k := range unknown {
			what := fmt.Sprintf("--set %s=%s", k, p.set[k])
			if p.study {
				what = fmt.Sprintf("parameter vars.%s", k)
			}
			p.errorf(nil, "%s: the scenario has no variable %s (%s); set one of those, or add %s under vars:", what, k, defined, k)
		}
	}()
	if root.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "vars" {
			continue
		}
		v := root.Content[i+1]
		if v.Kind != yaml.MappingNode {
			p.errorf(v, "vars: want a mapping of names to values, e.g. vars: {workers: 10}")
			return out
		}
		nodes := map[string]*yaml.Node{}
		for j := 0; j+1 < len(v.Content); j += 2 {
			name := v.Content[j].Value
			if !varName.MatchString(name) {
				p.errorf(v.Content[j], "vars: %q is not a variable name (letters, digits, _ and -, starting with a letter)", name)
				continue
			}
			out[name] = p.str(v.Content[j+1], "vars."+name)
			if val, ok := p.set[name]; ok {
				out[name] = val
			}
			nodes[name] = v.Content[j+1]
		}
		// A variable's value may refer to other variables: expand them, and
		// report a cycle as one rather than leave ${...} in the commands.
		raw := make(map[string]string, len(out))
		for k, val := range out {
			raw[k] = val
		}
		done := map[string]bool{}
		for _, name := range sortedKeys(raw) {
			p.expandVar(name, raw, out, nodes, done, nil)
		}
	}
	return out
}

// expandVar sets out[name] to the variable's value with every ${ref} to another
// variable expanded, depth first; path is the chain of variables being
// expanded, to report a cycle.
func (p *fileParser) expandVar(name string, raw, out map[string]string, nodes map[string]*yaml.Node, done map[string]bool, path []string) {
	if done[name] {
		return
	}
	for i, q := range path {
		if q == name {
			chain := append(append([]string{}, path[i:]...), name)
			for j := range chain {
				chain[j] = "${" + chain[j] + "}"
			}
			p.errorf(nodes[path[i]], "vars.%s: variable cycle %s: a variable cannot refer to itself, directly or through others; give one of them a value", path[i], strings.Join(chain, " -> "))
			for _, c := range path[i:] {
				done[c] = true
			}
			return
		}
	}
	path = append(path, name)
	val := varRef.ReplaceAllStringFunc(raw[name], func(m string) string {
		ref := m[2 : len(m)-1]
		if _, ok := raw[ref]; !ok {
			p.errorf(nodes[name], "vars.%s: ${%s} is not defined: add it under vars: (defined: %s)", name, ref, strings.Join(sortedKeys(raw), ", "))
			return m
		}
		p.expandVar(ref, raw, out, nodes, done, path)
		if done[name] { // name is on a cycle, reported once
			return m
		}
		return out[ref]
	})
	if !done[name] {
		out[name] = val
		done[name] = true
	}
}

var (
	varName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	varRef  = regexp.MustCompile(`\$\{([^}]*)\}`)
)

// expand replaces ${name} with the variable's value; an unknown name is an
// error at the node's line; ${...} that is not a variable name stays as is.
func (p *fileParser) expand(n *yaml.Node, where, text string, vars map[string]string) string {
	return varRef.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if !varName.MatchString(name) {
			// Not a variable's name: text of the file's own (a
			// prometheus-adapter rule's ${1}, a shell's ${USERS:-10}).
			return m
		}
		v, ok := vars[name]
		if !ok {
			known := sortedKeys(vars)
			p.errorf(n, "%s: ${%s} is not defined: add it under vars: (defined: %s)", where, name, strings.Join(known, ", "))
			return m
		}
		return v
	})
}

// expandTree replaces ${name} in every scalar value under n (not in mapping
// keys, which are field names), as expand does: a study or --set can then vary
// a workload's numbers, e.g. sine: {mean: ${mean}}. A replaced plain scalar
// loses its string tag so that its new text reads as what it spells (30 as a
// number).
func (p *fileParser) expandTree(n *yaml.Node, where string, vars map[string]string) {
	switch n.Kind {
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "${") {
			return
		}
		n.Value = p.expand(n, where, n.Value, vars)
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
			n.Tag = ""
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p.expandTree(n.Content[i+1], where+"."+n.Content[i].Value, vars)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p.expandTree(c, fmt.Sprintf("%s[%d]", where, i), vars)
		}
	case yaml.DocumentNode:
		for _, c := range n.Content {
			p.expandTree(c, where, vars)
		}
	}
}

// ParseTaint reads a taint as kubectl writes it: key[=value]:Effect.
func ParseTaint(s string) (model.Taint, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return model.Taint{}, fmt.Errorf("invalid taint spec: %s, want key[=value]:Effect", s)
	}
	kv, eff := s[:i], model.TaintEffect(s[i+1:])
	if eff != model.NoSchedule && eff != model.PreferNoSchedule && eff != model.NoExecute {
		return model.Taint{}, fmt.Errorf("invalid taint effect: %s, unsupported taint effect", eff)
	}
	k, v, _ := strings.Cut(kv, "=")
	if k == "" {
		return model.Taint{}, fmt.Errorf("invalid taint spec: %s, the key is empty", s)
	}
	return model.Taint{Key: k, Value: v, Effect: eff}, nil
}

// timeline reads the steps. `at` is absolute (90s) or relative to the previous
// step (+30s); `run` holds one kubectl-style command per line.
func (p *fileParser) timeline(n *yaml.Node, s *Scenario, vars map[string]string) {
	if n == nil {
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "timeline: want a list of steps, each with at: and run:")
		return
	}
	var prev sim.Time
	for i, st := range n.Content {
		where := fmt.Sprintf("timeline[%d]", i)
		var at sim.Time
		var run string
		var runNode *yaml.Node
		haveRun, expectError := false, false
		p.fields(st, where, []string{"at", "run", "expect"}, func(k string, v *yaml.Node) {
			switch k {
			case "at":
				txt := strings.TrimSpace(p.str(v, where+".at"))
				rel := strings.HasPrefix(txt, "+")
				v2 := *v
				v2.Value = strings.TrimPrefix(txt, "+")
				at = p.duration(&v2, where+".at")
				if rel {
					at += prev
				}
			case "run":
				run, runNode, haveRun = p.expand(v, where+".run", p.str(v, where+".run"), vars), v, true
			case "expect":
				switch p.str(v, where+".expect") {
				case "error":
					expectError = true
				case "success":
				default:
					p.errorf(v, "%s.expect: %q: want error (the step is meant to fail) or success (the default)", where, v.Value)
				}
			}
		})
		if !haveRun {
			p.errorf(st, "%s: a step needs run: with a command", where)
			continue
		}
		if at < prev {
			p.errorf(st, "%s: at %v is before the previous step (%v); steps must be in time order", where, at, prev)
		}
		if s.Duration > 0 && at > s.Duration {
			p.errorf(st, "%s: at %v is after the end of the run (duration %v)", where, at, s.Duration)
		}
		prev = at
		line := runNode.Line
		if runNode.Style == yaml.LiteralStyle || runNode.Style == yaml.FoldedStyle {
			line++
		}
		for j, cmd := range strings.Split(run, "\n") {
			cmd = strings.TrimSpace(cmd)
			if cmd == "" || strings.HasPrefix(cmd, "#") {
				continue
			}
			s.Steps = append(s.Steps, Step{At: at, Command: cmd, Line: line + j, ExpectError: expectError})
		}
	}
}

// config sets Config fields by name: sections timings, network, workload
// and the field proxyMode; field names are the Go field names with a lower-case
// first letter (e.g. config.workload.rngService: 100ms).
func (p *fileParser) config(n *yaml.Node, cfg *Config) {
	secs := cfg.sections()
	known := make([]string, len(secs))
	idx := map[string]reflect.Value{}
	for i, sec := range secs {
		known[i] = sec.key
		idx[sec.key] = sec.v
	}
	sort.Strings(known)
	p.fields(n, "config", known, func(k string, val *yaml.Node) {
		p.setValue(val, "config."+k, idx[k])
	})
}

var (
	distType = reflect.TypeOf(sim.DistSpec{})
	timeType = reflect.TypeOf(sim.Time(0))
)

// lowerCamel turns a Go field name into its scenario-file name: RNGService ->
// rngService, WebUIPoll -> webUIPoll, ProxyMinSync -> proxyMinSync.
func lowerCamel(s string) string {
	up := 0
	for up < len(s) && s[up] >= 'A' && s[up] <= 'Z' {
		up++
	}
	switch {
	case up == 0:
		return s
	case up == 1 || up == len(s):
		return strings.ToLower(s[:up]) + s[up:]
	default:
		return strings.ToLower(s[:up-1]) + s[up-1:]
	}
}

// yaml11Bool reports whether a plain scalar is a boolean in YAML 1.1, which
// Kubernetes' YAML reader follows (yes, no, on, off, y, n, true, false).
func yaml11Bool(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || n.Style != 0 {
		return false
	}
	switch strings.ToLower(n.Value) {
	case "y", "yes", "n", "no", "true", "false", "on", "off":
		return n.Value == strings.ToLower(n.Value) || n.Value == strings.ToUpper(n.Value) || n.Value == strings.ToUpper(n.Value[:1])+strings.ToLower(n.Value[1:])
	}
	return false
}

func (p *fileParser) setStruct(n *yaml.Node, where string, v reflect.Value) {
	t := v.Type()
	var known []string
	idx := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			name := lowerCamel(t.Field(i).Name)
			known = append(known, name)
			idx[name] = i
		}
	}
	sort.Strings(known)
	p.fields(n, where, known, func(k string, val *yaml.Node) {
		p.setValue(val, where+"."+k, v.Field(idx[k]))
	})
}

func (p *fileParser) setValue(n *yaml.Node, where string, f reflect.Value) {
	switch {
	case f.Type() == distType:
		d, err := sim.ParseDist(p.str(n, where))
		if err != nil {
			p.errorf(n, "%s: %v", where, err)
			return
		}
		f.Set(reflect.ValueOf(d))
	case f.Type() == timeType:
		n0 := len(p.errs)
		d := p.duration(n, where)
		if len(p.errs) == n0 && p.checkRange(n, where, d.Seconds(), d.String(), f, defaultSetting(where)) {
			f.SetInt(int64(d))
		}
	case f.Kind() == reflect.Struct:
		p.setStruct(n, where, f)
	case f.Kind() == reflect.Int || f.Kind() == reflect.Int64:
		if _, ok := rangeOf(where); !ok {
			f.SetInt(p.integer(n, where, 0))
			return
		}
		v, err := strconv.ParseInt(p.str(n, where), 10, 64)
		if err != nil {
			p.errorf(n, "%s: %q is not a whole number", where, n.Value)
			return
		}
		if p.checkRange(n, where, float64(v), n.Value, f, defaultSetting(where)) {
			f.SetInt(v)
		}
	case f.Kind() == reflect.Float64:
		x, err := strconv.ParseFloat(p.str(n, where), 64)
		_, ranged := rangeOf(where)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || (!ranged && x < 0) {
			p.errorf(n, "%s: %q is not a finite non-negative number", where, n.Value)
			return
		}
		if p.checkRange(n, where, x, n.Value, f, defaultSetting(where)) {
			f.SetFloat(x)
		}
	case f.Kind() == reflect.String:
		f.SetString(p.str(n, where))
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(p.str(n, where))
		if err != nil {
			p.errorf(n, "%s: %q is not true or false", where, n.Value)
			return
		}
		f.SetBool(b)
	default:
		p.errorf(n, "%s: this setting cannot be set from a scenario file", where)
	}
}

// workload reads the scenario's workload: section: the description itself, or
// {file: PATH} (relative to the scenario's directory).
func (p *fileParser) workload(n *yaml.Node, s *Scenario) {
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "file" {
		path := p.str(n.Content[1], "workload.file")
		if path == "" {
			return
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(s.Dir, path)
		}
		spec, err := decl.LoadFile(path)
		if err != nil {
			p.errorf(n.Content[1], "workload.file: %v", err)
			return
		}
		s.Workload = spec
		return
	}
	spec, err := decl.Parse(p.name, n, "workload.")
	if err != nil {
		var es decl.Errors
		if errors.As(err, &es) {
			for _, e := range es {
				p.errs = append(p.errs, &FileError{File: e.File, Line: e.Line, Msg: e.Msg})
			}
			return
		}
		p.errorf(n, "workload: %v", err)
		return
	}
	s.Workload = spec
}

func sortedKeys(m map[string]string) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

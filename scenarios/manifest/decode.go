package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	yaml2 "go.yaml.in/yaml/v2"
	yaml "go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Options control Decode.
type Options struct {
	// Validate refuses unknown fields (kubectl's default). When false they are
	// dropped and listed as warnings, as with `kubectl apply --validate=false`.
	Validate bool
}

// Object is one decoded manifest object.
type Object struct {
	// Obj is the typed object: *appsv1.Deployment, *appsv1.ReplicaSet,
	// *appsv1.DaemonSet, *corev1.Service, *corev1.Pod, *corev1.Node or
	// *corev1.Namespace, with API defaults applied.
	Obj runtime.Object
	// Kind and APIVersion as written, e.g. "Deployment", "apps/v1".
	Kind, APIVersion string
	// Name and Namespace from metadata; Namespace is "" when not given.
	Name, Namespace string
	// Doc is the 0-based index of the document in the file (List items share
	// their List's index); Line the 1-based line where the object starts.
	Doc, Line int
}

// Ref returns kubectl's name for the object, e.g. "deployment.apps/rng".
func (o Object) Ref() string {
	return KindRef(o.Kind) + "/" + o.Name
}

// KindRef returns the resource.group kubectl prints for a kind, e.g.
// "deployment.apps" for Deployment, "service" for Service.
func KindRef(kind string) string {
	for _, k := range kinds {
		if k.kind == kind {
			if g, _, ok := strings.Cut(k.apiVersion, "/"); ok {
				return strings.ToLower(kind) + "." + g
			}
		}
	}
	return strings.ToLower(kind)
}

type kindInfo struct {
	apiVersion, kind string
	typ              reflect.Type
}

// kinds are the kinds kubesim reads, in the order they are listed to users.
var kinds = []kindInfo{
	{"apps/v1", "Deployment", reflect.TypeFor[appsv1.Deployment]()},
	{"apps/v1", "ReplicaSet", reflect.TypeFor[appsv1.ReplicaSet]()},
	{"apps/v1", "DaemonSet", reflect.TypeFor[appsv1.DaemonSet]()},
	{"v1", "Service", reflect.TypeFor[corev1.Service]()},
	{"v1", "Pod", reflect.TypeFor[corev1.Pod]()},
	{"v1", "Node", reflect.TypeFor[corev1.Node]()},
	{"v1", "Namespace", reflect.TypeFor[corev1.Namespace]()},
}

// otherKinds are real Kubernetes kinds that kubesim does not simulate: they are
// skipped with a warning instead of failing the file.
var otherKinds = map[string]bool{
	"ConfigMap": true, "Secret": true, "ServiceAccount": true, "StatefulSet": true, "Job": true,
	"CronJob": true, "Ingress": true, "NetworkPolicy": true, "PersistentVolumeClaim": true,
	"PersistentVolume": true, "Role": true, "RoleBinding": true, "ClusterRole": true,
	"ClusterRoleBinding": true, "HorizontalPodAutoscaler": true, "PodDisruptionBudget": true,
	"LimitRange": true, "ResourceQuota": true, "StorageClass": true, "Endpoints": true,
	"EndpointSlice": true, "ReplicationController": true, "PriorityClass": true,
	"CustomResourceDefinition": true, "IngressClass": true,
}

// SupportedKinds lists "apiVersion kind" for every kind Decode reads.
func SupportedKinds() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.apiVersion + " " + k.kind
	}
	return out
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Decode reads every document of a manifest file. See the package doc for the
// checks made. err is nil or an *Error listing every problem; objs holds the
// objects of the documents that had no problem, in file order.
func Decode(filename string, data []byte, opts Options) (objs []Object, warnings []string, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var problems []Problem
	doc := 0
	for {
		var root yaml.Node
		e := dec.Decode(&root)
		if errors.Is(e, io.EOF) {
			break
		}
		if e != nil {
			problems = append(problems, syntaxProblem(filename, doc, data, e))
			break
		}
		if len(root.Content) == 0 {
			continue // empty document (only comments, or a trailing ---)
		}
		n := deref(root.Content[0])
		if n.Kind == yaml.ScalarNode {
			if k, _ := resolveScalar(n); k == scalarNull {
				continue
			}
		}
		if line, reason := checkAliases(n); reason != "" {
			problems = append(problems, Problem{Kind: Syntax, File: filename, Line: line, Doc: doc, Reason: reason, server: "yaml: " + reason})
			doc++
			continue
		}
		o, w, ps := decodeDocument(filename, doc, n, opts)
		objs = append(objs, o...)
		warnings = append(warnings, w...)
		problems = append(problems, ps...)
		doc++
	}
	if len(problems) > 0 {
		return objs, warnings, &Error{File: filename, Problems: problems}
	}
	return objs, warnings, nil
}

// syntaxProblem locates a YAML syntax error. The message and line come from
// goyaml.v2, the parser kubectl uses, so the wording is kubectl's; v2 reports
// "did not find expected ..." errors on the line before the offending token,
// which Problem.Line corrects.
func syntaxProblem(file string, doc int, data []byte, e3 error) Problem {
	msg := e3.Error()
	d2 := yaml2.NewDecoder(bytes.NewReader(data))
	for {
		var v any
		err := d2.Decode(&v)
		if err == nil {
			continue
		}
		if !errors.Is(err, io.EOF) {
			msg = err.Error()
		}
		break
	}
	p := Problem{Kind: Syntax, File: file, Doc: doc, Reason: strings.TrimPrefix(msg, "yaml: "), server: msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Reason = m[2]
		if strings.HasPrefix(p.Reason, "did not find expected") {
			p.Line++
		}
		last := 0
		for i, l := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(l) != "" {
				last = i + 1
			}
		}
		if p.Line > last && last > 0 {
			p.Line = last
		}
	}
	if strings.Contains(p.Reason, "did not find expected key") || strings.Contains(p.Reason, "mapping values are not allowed") ||
		strings.Contains(p.Reason, "indicator") {
		p.Reason += " (check the indentation here: keys of one mapping must line up, list items start with '- ')"
	}
	return p
}

func scalarField(n *yaml.Node, key string) (*yaml.Node, bool) {
	for _, p := range mappingPairs(n) {
		if p[0].Value == key {
			return p[1], true
		}
	}
	return nil, false
}

func stringField(n *yaml.Node, key string) string {
	if v, ok := scalarField(n, key); ok && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// decodeDocument decodes one document, which may be a List.
func decodeDocument(file string, doc int, n *yaml.Node, opts Options) ([]Object, []string, []Problem) {
	if n.Kind != yaml.MappingNode {
		return nil, nil, []Problem{{Kind: Syntax, File: file, Line: n.Line, Doc: doc,
			Reason: fmt.Sprintf("a manifest document must be a mapping with apiVersion and kind, got %s", nodeNoun(n))}}
	}
	apiVersion, kind := stringField(n, "apiVersion"), stringField(n, "kind")
	name := ""
	if md, ok := scalarField(n, "metadata"); ok && deref(md).Kind == yaml.MappingNode {
		name = stringField(deref(md), "name")
	}
	if kind == "List" && apiVersion == "v1" {
		items, ok := scalarField(n, "items")
		if !ok || deref(items).Kind != yaml.SequenceNode {
			return nil, nil, []Problem{{Kind: Invalid, File: file, Line: n.Line, Doc: doc, ObjKind: kind,
				ObjVersion: apiVersion, Field: "items", Reason: "a List needs an items list"}}
		}
		var objs []Object
		var warns []string
		var probs []Problem
		for _, it := range deref(items).Content {
			it = deref(it)
			if it.Kind != yaml.MappingNode {
				probs = append(probs, Problem{Kind: Syntax, File: file, Line: it.Line, Doc: doc,
					Reason: "a List item must be a mapping with apiVersion and kind, got " + nodeNoun(it)})
				continue
			}
			o, w, p := decodeDocument(file, doc, it, opts)
			objs, warns, probs = append(objs, o...), append(warns, w...), append(probs, p...)
		}
		return objs, warns, probs
	}
	var info *kindInfo
	for i := range kinds {
		if kinds[i].kind == kind && kinds[i].apiVersion == apiVersion {
			info = &kinds[i]
		}
	}
	if info == nil {
		if apiVersion != "" && otherKinds[kind] {
			return nil, []string{fmt.Sprintf("%s:%d: %s %q ignored: kubesim does not simulate %s objects",
				file, n.Line, kind, name, kind)}, nil
		}
		reason := "apiVersion and kind not set"
		switch {
		case apiVersion != "" && kind != "":
			reason = fmt.Sprintf("no kind %q in version %q; kubesim reads %s", kind, apiVersion, strings.Join(SupportedKinds(), ", "))
			for _, k := range kinds {
				if k.kind == kind {
					reason = fmt.Sprintf("no kind %q in version %q; use apiVersion: %s", kind, apiVersion, k.apiVersion)
				}
			}
		case kind == "" && apiVersion != "":
			reason = "kind not set"
		case kind != "":
			reason = "apiVersion not set"
		}
		return nil, nil, []Problem{{Kind: UnknownKind, File: file, Line: n.Line, Doc: doc, ObjKind: kind,
			ObjVersion: apiVersion, ObjName: name, Reason: reason}}
	}
	w := &walker{file: file, doc: doc, kind: kind, version: apiVersion, name: name,
		validate: opts.Validate, lines: map[string]int{"": n.Line}}
	val := w.convertStruct(n, info.typ, "", jctx{})
	if len(w.problems) > 0 {
		return nil, w.warnings, w.problems
	}
	data, err := json.Marshal(val)
	if err != nil {
		return nil, w.warnings, []Problem{{Kind: Invalid, File: file, Line: n.Line, Doc: doc, ObjKind: kind,
			ObjVersion: apiVersion, ObjName: name, Reason: err.Error()}}
	}
	obj := reflect.New(info.typ).Interface().(runtime.Object)
	if err := json.Unmarshal(data, obj); err != nil {
		// The walker checked every value; this is a bug, reported not hidden.
		return nil, w.warnings, []Problem{{Kind: WrongType, File: file, Line: n.Line, Doc: doc, ObjKind: kind,
			ObjVersion: apiVersion, ObjName: name, Reason: err.Error()}}
	}
	SetDefaults(obj)
	for _, v := range validateObject(obj) {
		w.problem(Invalid, w.lineOf(v.field), v.field, v.reason)
	}
	sort.SliceStable(w.problems, func(i, j int) bool { return w.problems[i].Line < w.problems[j].Line })
	if len(w.problems) > 0 {
		return nil, w.warnings, w.problems
	}
	m := obj.(metav1.Object)
	o := Object{Obj: obj, Kind: kind, APIVersion: apiVersion, Name: m.GetName(), Namespace: m.GetNamespace(), Doc: doc, Line: n.Line}
	return []Object{o}, w.warnings, nil
}

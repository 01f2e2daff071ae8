package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/internal/yamlerr"
	yaml "go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Options control Decode.
type Options struct {
	// Validate refuses unknown and duplicate fields (kubectl's default,
	// --validate=strict). When false they are dropped (an unknown field) or
	// the last value is used (a duplicate one): silently, as the API server's
	// fieldValidation=Ignore does (kubectl apply --validate=false|ignore), or,
	// with Warn, listed as its warnings (--validate=warn: `unknown field
	// "spec.replicas"`, which kubectl prints after "Warning: ").
	Validate bool
	Warn     bool
	// CRDs are the CustomResourceDefinitions applied so far: their custom
	// resources are recognised (and skipped with a warning, as kubesim does not
	// simulate them); any other kind outside Kubernetes' own groups is refused
	// as kubectl refuses a kind it cannot map.
	CRDs []CRD
}

// Object is one decoded manifest object.
type Object struct {
	// Obj is the typed object of one of the kinds kubesim reads (kinds:
	// *appsv1.Deployment, *corev1.Service...), with API defaults applied.
	Obj runtime.Object
	// Kind and APIVersion as written, e.g. "Deployment", "apps/v1".
	Kind, APIVersion string
	// Name and Namespace from metadata; Namespace is "" when not given.
	Name, Namespace string
	// Doc is the 0-based index of the document in the file (List items share
	// their List's index); Line the 1-based line where the object starts.
	Doc, Line int
	// CRD is set, and Obj nil, for a CustomResourceDefinition.
	CRD *CRD
	// Raw is the document as JSON, as written (no defaults; unknown fields
	// kept even with Validate false): what kubectl sends, and records in its
	// last-applied-configuration annotation.
	Raw []byte
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

// kindInfo is one kind kubesim reads: its API type and what the API server
// does with an object of it (nil: nothing).
type kindInfo struct {
	apiVersion, kind string
	typ              reflect.Type
	// defaults fills the API defaults (SetDefaults), printDefaults those
	// the API server only prints (SetPrintDefaults), validate checks what
	// the API server refuses (validateObject).
	defaults, printDefaults func(obj runtime.Object)
	validate                func(c *checker, obj runtime.Object)
}

// kinds are the kinds kubesim reads, in the order they are listed to users.
var kinds = []kindInfo{
	{apiVersion: "apps/v1", kind: "Deployment", typ: reflect.TypeFor[appsv1.Deployment](),
		defaults: typed(defaultsDeployment), printDefaults: typed(printDefaultsDeployment), validate: checked(validateDeployment)},
	{apiVersion: "apps/v1", kind: "ReplicaSet", typ: reflect.TypeFor[appsv1.ReplicaSet](),
		defaults: typed(defaultsReplicaSet), printDefaults: typed(printDefaultsReplicaSet), validate: checked(validateReplicaSet)},
	{apiVersion: "apps/v1", kind: "DaemonSet", typ: reflect.TypeFor[appsv1.DaemonSet](),
		defaults: typed(defaultsDaemonSet), printDefaults: typed(printDefaultsDaemonSet), validate: checked(validateDaemonSet)},
	{apiVersion: "v1", kind: "Service", typ: reflect.TypeFor[corev1.Service](),
		defaults: typed(defaultsService), printDefaults: typed(printDefaultsService), validate: checked(validateService)},
	{apiVersion: "v1", kind: "Pod", typ: reflect.TypeFor[corev1.Pod](),
		defaults: typed(defaultsPod), printDefaults: typed(printDefaultsPod), validate: checked(validatePod)},
	{apiVersion: "v1", kind: "Node", typ: reflect.TypeFor[corev1.Node](),
		validate: checked(validateNode)},
	{apiVersion: "v1", kind: "Namespace", typ: reflect.TypeFor[corev1.Namespace](),
		validate: checked(validateNamespace)},
	{apiVersion: "policy/v1", kind: "PodDisruptionBudget", typ: reflect.TypeFor[policyv1.PodDisruptionBudget]()},
	{apiVersion: "v1", kind: "ConfigMap", typ: reflect.TypeFor[corev1.ConfigMap]()},
	{apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", typ: reflect.TypeFor[autoscalingv2.HorizontalPodAutoscaler]()},
	{apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", typ: reflect.TypeFor[autoscalingv1.HorizontalPodAutoscaler]()},
}

// typed and checked adapt a kind's function of its API type to the table's.
func typed[T runtime.Object](f func(T)) func(runtime.Object) {
	return func(obj runtime.Object) { f(obj.(T)) }
}

func checked[T runtime.Object](f func(*checker, T)) func(*checker, runtime.Object) {
	return func(c *checker, obj runtime.Object) { f(c, obj.(T)) }
}

// SupportedKinds lists "apiVersion kind" for every kind Decode reads.
func SupportedKinds() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.apiVersion + " " + k.kind
	}
	return out
}

// SupportedTypes is the API type (a pointer type, *appsv1.Deployment) of
// every kind Decode reads, in SupportedKinds' order: what kubectl's table of
// kinds must apply.
func SupportedTypes() []reflect.Type {
	out := make([]reflect.Type, len(kinds))
	for i, k := range kinds {
		out[i] = reflect.PointerTo(k.typ)
	}
	return out
}

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

// syntaxProblem locates a YAML syntax error (yamlerr.Locate: goyaml.v2's
// wording, kubectl's, with the line of the offending token).
func syntaxProblem(file string, doc int, data []byte, e3 error) Problem {
	line, reason, msg := yamlerr.Locate(data, e3)
	return Problem{Kind: Syntax, File: file, Line: line, Doc: doc, Reason: reason, server: msg}
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
		return unmodelledKind(file, doc, n, apiVersion, kind, name, opts)
	}
	w := &walker{file: file, doc: doc, kind: kind, version: apiVersion, name: name,
		validate: opts.Validate, warn: opts.Warn, lines: map[string]int{"": n.Line}}
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
	for _, v := range unsimulatedFields(obj) {
		w.problem(Unsimulated, w.lineOf(v.field), v.field, v.reason)
	}
	sort.SliceStable(w.problems, func(i, j int) bool { return w.problems[i].Line < w.problems[j].Line })
	if len(w.problems) > 0 {
		return nil, w.warnings, w.problems
	}
	m := obj.(metav1.Object)
	o := Object{Obj: obj, Kind: kind, APIVersion: apiVersion, Name: m.GetName(), Namespace: m.GetNamespace(), Doc: doc, Line: n.Line, Raw: rawJSON(n, data)}
	return []Object{o}, w.warnings, nil
}

// unmodelledKind handles a document whose kind kubesim does not model: a
// built-in kind the API server serves is skipped with a warning, as is a custom
// resource whose CustomResourceDefinition was applied; a CustomResourceDefinition
// is returned so that the caller can record it; anything else (a removed or
// disabled API version, a misspelt kind, a custom resource without its CRD) is
// refused with kubectl's words and what to use instead.
func unmodelledKind(file string, doc int, n *yaml.Node, apiVersion, kind, name string, opts Options) ([]Object, []string, []Problem) {
	problem := func(reason, hint string) []Problem {
		return []Problem{{Kind: UnknownKind, File: file, Line: n.Line, Doc: doc, ObjKind: kind,
			ObjVersion: apiVersion, ObjName: name, Reason: reason, hint: hint}}
	}
	switch {
	case apiVersion == "" && kind == "":
		return nil, nil, problem("apiVersion and kind not set", "")
	case kind == "":
		return nil, nil, problem("kind not set", "")
	case apiVersion == "":
		return nil, nil, problem("apiVersion not set", "")
	}
	noKind := fmt.Sprintf("no kind %q in version %q", kind, apiVersion)
	if apiVersion == "apiextensions.k8s.io/v1" && kind == "CustomResourceDefinition" {
		crd, ps := decodeCRD(file, doc, n, name)
		if len(ps) > 0 {
			return nil, nil, ps
		}
		return []Object{{Kind: kind, APIVersion: apiVersion, Name: name, Doc: doc, Line: n.Line, CRD: crd}}, nil, nil
	}
	if b, ok := lookupBuiltin(apiVersion, kind); ok {
		switch b.status {
		case served:
			return nil, []string{fmt.Sprintf("%s:%d: %s %q ignored: kubesim does not simulate %s objects",
				file, n.Line, kind, name, kind)}, nil
		case removed:
			h := fmt.Sprintf("%s %s was removed in Kubernetes %s", apiVersion, kind, b.removedIn)
			if v, _, ok := strings.Cut(b.replacement, " "); ok {
				h += "; use apiVersion: " + v
				if k := b.replacement[len(v)+1:]; k != kind {
					h += ", kind: " + k
				}
			} else {
				h += " and has no replacement"
			}
			return nil, nil, problem(noKind+": "+h, h)
		case notServed:
			stage := "a beta"
			if strings.Contains(apiVersion, "alpha") {
				stage = "an alpha"
			}
			h := fmt.Sprintf("%s is %s API that Kubernetes 1.37 does not serve unless the API server enables it", apiVersion, stage)
			group, _, _ := strings.Cut(apiVersion, "/")
			for _, k := range builtinKinds {
				if g, _, _ := strings.Cut(k.apiVersion, "/"); g == group && k.kind == kind && k.status == served {
					h += "; use apiVersion: " + k.apiVersion
					break
				}
			}
			return nil, nil, problem(noKind+": "+h, h)
		}
	}
	for _, k := range kinds {
		if k.kind == kind {
			return nil, nil, problem(fmt.Sprintf("%s; use apiVersion: %s", noKind, k.apiVersion), "")
		}
	}
	if builtinGroup(apiVersion) {
		return nil, nil, problem(fmt.Sprintf("%s; kubesim reads %s", noKind, strings.Join(SupportedKinds(), ", ")), "")
	}
	for _, c := range opts.CRDs {
		if c.Kind != kind {
			continue
		}
		for _, v := range c.APIVersions() {
			if v == apiVersion {
				return nil, []string{fmt.Sprintf("%s:%d: %s %q ignored: a custom resource (CustomResourceDefinition %s); kubesim does not simulate custom resources",
					file, n.Line, kind, name, c.Name)}, nil
			}
		}
	}
	h := fmt.Sprintf("%s %s is not a Kubernetes kind: apply its CustomResourceDefinition in an earlier step first", apiVersion, kind)
	return nil, nil, problem(noKind+": "+h, h)
}

// decodeCRD reads the fields of a CustomResourceDefinition kubesim keeps, with
// the API server's checks on them.
func decodeCRD(file string, doc int, n *yaml.Node, name string) (*CRD, []Problem) {
	var ps []Problem
	bad := func(line int, field, reason string) {
		ps = append(ps, Problem{Kind: Invalid, File: file, Line: line, Doc: doc, ObjKind: "CustomResourceDefinition",
			ObjVersion: "apiextensions.k8s.io/v1", ObjName: name, Field: field, Reason: reason})
	}
	crd := &CRD{Name: name}
	spec, ok := scalarField(n, "spec")
	if !ok || deref(spec).Kind != yaml.MappingNode {
		bad(n.Line, "spec", "Required value")
		return nil, ps
	}
	spec = deref(spec)
	crd.Group = stringField(spec, "group")
	if names, ok := scalarField(spec, "names"); ok && deref(names).Kind == yaml.MappingNode {
		crd.Kind = stringField(deref(names), "kind")
		for _, f := range []string{"plural", "singular"} {
			if v := stringField(deref(names), f); v != "" {
				crd.Resources = append(crd.Resources, strings.ToLower(v))
			}
		}
		if sn, ok := scalarField(deref(names), "shortNames"); ok && deref(sn).Kind == yaml.SequenceNode {
			for _, v := range deref(sn).Content {
				if v = deref(v); v.Kind == yaml.ScalarNode && v.Value != "" {
					crd.Resources = append(crd.Resources, strings.ToLower(v.Value))
				}
			}
		}
		if crd.Kind != "" {
			crd.Resources = append(crd.Resources, strings.ToLower(crd.Kind))
		}
		if plural := stringField(deref(names), "plural"); plural != "" && name != plural+"."+crd.Group {
			bad(n.Line, "metadata.name", fmt.Sprintf("Invalid value: %q: must be spec.names.plural+\".\"+spec.group", name))
		}
	}
	if crd.Group == "" {
		bad(spec.Line, "spec.group", "Required value")
	}
	if crd.Kind == "" {
		bad(spec.Line, "spec.names.kind", "Required value")
	}
	if vs, ok := scalarField(spec, "versions"); ok && deref(vs).Kind == yaml.SequenceNode {
		for _, v := range deref(vs).Content {
			v = deref(v)
			if v.Kind != yaml.MappingNode {
				continue
			}
			if s, ok := scalarField(v, "served"); ok && s.Value == "false" {
				continue
			}
			if vn := stringField(v, "name"); vn != "" {
				crd.Versions = append(crd.Versions, vn)
			}
		}
	}
	if len(crd.Versions) == 0 {
		bad(spec.Line, "spec.versions", "Required value: must have exactly one version marked as storage version")
	}
	return crd, ps
}

// rawJSON is the document n as JSON as written, unknown fields included;
// converted (the checked conversion, without unknown fields) when n does not
// convert as a plain mapping.
func rawJSON(n *yaml.Node, converted []byte) []byte {
	var v any
	if err := n.Decode(&v); err != nil {
		return converted
	}
	b, err := json.Marshal(v)
	if err != nil {
		return converted
	}
	return b
}

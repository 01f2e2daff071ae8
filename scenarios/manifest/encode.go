package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"text/tabwriter"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/util/jsonpath"
	"sigs.k8s.io/yaml"
)

// Printing objects as `kubectl get -o yaml|json|jsonpath=...|custom-columns=...`
// prints them.
//
// kubectl receives objects from the API server as JSON and keeps them as
// unstructured maps, so every printer sees map keys in sorted order: -o yaml
// is sigs.k8s.io/yaml of that map (keys sorted, lists indented as kubectl's),
// -o json is encoding/json's MarshalIndent with four spaces. Numbers are
// int64 when integral, as the unstructured decoder keeps them, so that
// jsonpath filters and custom columns print 80, not 80.0.
//
// A `get` that names one object (get deploy rng, get deploy/rng) prints that
// object; any other get prints a v1 List of the objects, as kubectl's
// printGeneric does, even of one or no object:
//
//	apiVersion: v1
//	items: []
//	kind: List
//	metadata:
//	  resourceVersion: ""

// Printer prints objects in one of kubectl get's machine-readable formats.
type Printer struct {
	format string // yaml, json, jsonpath, jsonpath-as-json, custom-columns
	arg    string // the template or column spec
	jp     *jsonpath.JSONPath
	cols   []column
	// NoHeaders leaves out the custom columns' header line (--no-headers).
	NoHeaders bool
}

type column struct {
	header string
	jp     *jsonpath.JSONPath
}

// NewPrinter returns the printer of an -o value: yaml, json,
// jsonpath=TEMPLATE, jsonpath-as-json=TEMPLATE or custom-columns=SPEC. Errors
// are kubectl's (without the "error: " prefix), e.g. "error parsing jsonpath
// {.items[, unclosed action".
func NewPrinter(output string) (*Printer, error) {
	format, arg, hasArg := strings.Cut(output, "=")
	p := &Printer{format: format, arg: arg}
	switch format {
	case "yaml", "json":
		if hasArg {
			return nil, fmt.Errorf("unable to match a printer suitable for the output format %q", output)
		}
		return p, nil
	case "jsonpath", "jsonpath-as-json":
		if arg == "" {
			return nil, fmt.Errorf("template format specified but no template given")
		}
		p.jp = jsonpath.New("out").AllowMissingKeys(true)
		if err := p.jp.Parse(arg); err != nil {
			return nil, fmt.Errorf("error parsing jsonpath %s, %v", arg, err)
		}
		if format == "jsonpath-as-json" {
			p.jp.EnableJSONOutput(true)
		}
		return p, nil
	case "custom-columns":
		if arg == "" {
			return nil, fmt.Errorf("custom-columns format specified but no custom columns given")
		}
		for _, part := range strings.Split(arg, ",") {
			header, spec, ok := strings.Cut(part, ":")
			if !ok {
				return nil, fmt.Errorf("unexpected custom-columns spec: %s, expected <header>:<json-path-expr>", part)
			}
			expr, err := relaxedJSONPath(spec)
			if err != nil {
				return nil, err
			}
			jp := jsonpath.New("column").AllowMissingKeys(true)
			if err := jp.Parse(expr); err != nil {
				return nil, err
			}
			p.cols = append(p.cols, column{header: header, jp: jp})
		}
		return p, nil
	}
	return nil, fmt.Errorf("unable to match a printer suitable for the output format %q", output)
}

var relaxedJSONPathRE = regexp.MustCompile(`^\{\.?([^{}]+)\}$|^\.?([^{}]+)$`)

// relaxedJSONPath accepts metadata.name, .metadata.name, {metadata.name} and
// {.metadata.name} as kubectl's custom columns do.
func relaxedJSONPath(s string) (string, error) {
	if s == "" {
		return s, nil
	}
	m := relaxedJSONPathRE.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'")
	}
	if m[1] != "" {
		return "{." + m[1] + "}", nil
	}
	return "{." + m[2] + "}", nil
}

// Print prints objs: the one object when single is true and there is exactly
// one, else a v1 List of them. The text ends without a newline (a step's
// output has none).
func (p *Printer) Print(objs []runtime.Object, single bool) (string, error) {
	items := make([]any, 0, len(objs))
	for _, o := range objs {
		m, err := ToMap(o)
		if err != nil {
			return "", err
		}
		items = append(items, m)
	}
	var root any
	if single && len(items) == 1 {
		root = items[0]
	} else {
		root = map[string]any{"apiVersion": "v1", "kind": "List", "items": items,
			"metadata": map[string]any{"resourceVersion": ""}}
	}
	switch p.format {
	case "yaml":
		b, err := yaml.Marshal(root)
		return strings.TrimSuffix(string(b), "\n"), err
	case "json":
		b, err := json.MarshalIndent(root, "", "    ")
		return string(b), err
	case "jsonpath", "jsonpath-as-json":
		var b bytes.Buffer
		if err := p.jp.Execute(&b, root); err != nil {
			return "", fmt.Errorf("error executing jsonpath %q: Error executing template: %v", p.arg, err)
		}
		return strings.TrimSuffix(b.String(), "\n"), nil
	case "custom-columns":
		return p.columns(items)
	}
	return "", fmt.Errorf("unknown output format %q", p.format)
}

// columns is kubectl's custom-columns printer: a header line, then one line
// per object, each column the jsonpath's results joined with commas, <none>
// when there is none.
func (p *Printer) columns(items []any) (string, error) {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 6, 4, 3, ' ', 0)
	headers := make([]string, len(p.cols))
	for i, c := range p.cols {
		headers[i] = c.header
	}
	if !p.NoHeaders {
		fmt.Fprintln(w, strings.Join(headers, "\t"))
	}
	for _, it := range items {
		cells := make([]string, len(p.cols))
		for i, c := range p.cols {
			res, err := c.jp.FindResults(it)
			if err != nil {
				return "", err
			}
			var vals []string
			if len(res) == 0 || len(res[0]) == 0 {
				vals = append(vals, "<none>")
			}
			for _, r := range res {
				for _, v := range r {
					vals = append(vals, fmt.Sprint(v.Interface()))
				}
			}
			cells[i] = strings.Join(vals, ",")
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// ToMap returns obj as kubectl holds an object it received: its JSON as a
// map, numbers as int64 (or float64 when not integral), managedFields left
// out as kubectl leaves them out without --show-managed-fields.
func ToMap(obj runtime.Object) (map[string]any, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	m, ok := numbers(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%T is not an object", obj)
	}
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "managedFields")
	}
	return m, nil
}

func numbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
	}
	return v
}

// Container defaults the API server sets on every container (SetDefaults_Container).
const (
	TerminationMessagePath   = "/dev/termination-log"
	TerminationMessagePolicy = corev1.TerminationMessageReadFile
)

// SetPrintDefaults fills in, on top of SetDefaults, the API-server defaults
// that change nothing in a simulation but are part of every object the API
// server returns (pkg/apis/core/v1 SetDefaults_PodSpec, SetDefaults_Container,
// SetDefaults_Pod, SetDefaults_Service): a pod spec's securityContext {},
// containers' terminationMessagePath and terminationMessagePolicy, a Pod's
// enableServiceLinks, a Service's internalTrafficPolicy (and
// externalTrafficPolicy and allocateLoadBalancerNodePorts where they apply).
// Decode does not apply them, so that NotSimulated and validation see the
// manifest as written.
func SetPrintDefaults(obj runtime.Object) {
	SetDefaults(obj)
	if k := kindOf(obj); k != nil && k.printDefaults != nil {
		k.printDefaults(obj)
	}
}

// printDefaultsDeployment fills the defaults the API server prints in a Deployment.
func printDefaultsDeployment(o *appsv1.Deployment) {
	printDefaultsPodSpec(&o.Spec.Template.Spec)
}

// printDefaultsReplicaSet fills the defaults the API server prints in a ReplicaSet.
func printDefaultsReplicaSet(o *appsv1.ReplicaSet) {
	printDefaultsPodSpec(&o.Spec.Template.Spec)
}

// printDefaultsDaemonSet fills the defaults the API server prints in a DaemonSet.
func printDefaultsDaemonSet(o *appsv1.DaemonSet) {
	printDefaultsPodSpec(&o.Spec.Template.Spec)
}

// printDefaultsPod fills the defaults the API server prints in a Pod.
func printDefaultsPod(o *corev1.Pod) {
	printDefaultsPodSpec(&o.Spec)
	if o.Spec.EnableServiceLinks == nil {
		o.Spec.EnableServiceLinks = ptr(corev1.DefaultEnableServiceLinks)
	}
}

// printDefaultsService fills the defaults the API server prints in a Service.
func printDefaultsService(o *corev1.Service) {
	s := &o.Spec
	if s.SessionAffinity == corev1.ServiceAffinityNone {
		s.SessionAffinityConfig = nil
	}
	external := s.Type == corev1.ServiceTypeNodePort || s.Type == corev1.ServiceTypeLoadBalancer
	if external && s.ExternalTrafficPolicy == "" {
		s.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
	}
	if s.InternalTrafficPolicy == nil && (external || s.Type == corev1.ServiceTypeClusterIP) {
		s.InternalTrafficPolicy = ptr(corev1.ServiceInternalTrafficPolicyCluster)
	}
	if s.Type == corev1.ServiceTypeLoadBalancer && s.AllocateLoadBalancerNodePorts == nil {
		s.AllocateLoadBalancerNodePorts = ptr(true)
	}
}

func printDefaultsPodSpec(s *corev1.PodSpec) {
	if s.SecurityContext == nil {
		s.SecurityContext = &corev1.PodSecurityContext{}
	}
	for _, cs := range [][]corev1.Container{s.InitContainers, s.Containers} {
		for i := range cs {
			c := &cs[i]
			if c.TerminationMessagePath == "" {
				c.TerminationMessagePath = TerminationMessagePath
			}
			if c.TerminationMessagePolicy == "" {
				c.TerminationMessagePolicy = TerminationMessagePolicy
			}
		}
	}
}

// LastAppliedAnnotation is the annotation kubectl apply keeps the applied
// configuration in.
const LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// LastApplied is what `kubectl apply` writes into LastAppliedAnnotation for a
// document (Object.Raw): the document as JSON, keys sorted, without that
// annotation (metadata.annotations is {} when it had no other), with
// metadata.namespace set to namespace when the document has none and
// namespace is not "" (kubectl fills in the namespace it applies to), ending
// in a newline.
func LastApplied(raw []byte, namespace string) (string, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return "", err
	}
	md, _ := doc["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		doc["metadata"] = md
	}
	ann, _ := md["annotations"].(map[string]any)
	if ann == nil {
		ann = map[string]any{}
	}
	delete(ann, LastAppliedAnnotation)
	md["annotations"] = ann
	if _, ok := md["namespace"]; !ok && namespace != "" {
		md["namespace"] = namespace
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	return string(b) + "\n", nil
}

package manifest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime"
)

// Patch types, as `kubectl patch --type` names them.
const (
	StrategicMergePatch = "strategic"
	MergePatch          = "merge"
	JSONPatch           = "json"
)

// strategicKeys are the merge keys of the lists kubesim's objects have
// (patchMergeKey in k8s.io/api): items with the same key are merged, others
// appended. Lists not named here are replaced, as in a merge patch.
var strategicKeys = map[string][]string{
	"containers":     {"name"},
	"initContainers": {"name"},
	"env":            {"name"},
	"volumes":        {"name"},
	"volumeMounts":   {"mountPath"},
	"ports":          {"containerPort", "port"},
	"taints":         {"key"},
}

// ApplyPatch applies a patch to obj, one of the typed objects Decode returns,
// and decodes the result as strictly as Decode does: the patch's text is kept
// as YAML, so an unquoted yes where a string is expected is refused with the
// same "is a YAML boolean" problem, and an unknown field is an error. source
// names the patch in problems (e.g. the step, or "patch"); lines are the
// patch's own lines. The result has API defaults applied and is validated.
//
// patchType is StrategicMergePatch (maps merged, null deletes, lists merged by
// their Kubernetes merge key for containers, ports, env, volumes; other lists
// replaced; $patch directives not supported), MergePatch (RFC 7386: lists
// replaced) or JSONPatch (RFC 6902 add, remove, replace, test).
func ApplyPatch(obj runtime.Object, patch, patchType, source string) (runtime.Object, error) {
	info := kindOf(obj)
	if info == nil {
		return nil, fmt.Errorf("kubesim cannot patch a %T", obj)
	}
	fail := func(reason string) error {
		return &Error{File: source, Problems: []Problem{{Kind: Invalid, File: source, ObjKind: info.kind,
			ObjVersion: info.apiVersion, Reason: reason}}}
	}
	// The patch applies to the object as the API server returns it, its
	// defaults included (a JSON patch may replace
	// terminationGracePeriodSeconds on a template that never set it).
	obj = obj.DeepCopyObject()
	SetPrintDefaults(obj)
	current, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(current, &doc); err != nil {
		return nil, err
	}
	target := doc.Content[0]
	var pdoc yaml.Node
	if err := yaml.Unmarshal([]byte(patch), &pdoc); err != nil {
		return nil, fail(fmt.Sprintf("unable to parse %q: %v", patch, err))
	}
	if len(pdoc.Content) == 0 {
		return nil, fail("the patch is empty")
	}
	p := deref(pdoc.Content[0])
	if _, reason := checkAliases(p); reason != "" {
		return nil, fail(reason)
	}
	switch patchType {
	case StrategicMergePatch, MergePatch, "":
		if p.Kind != yaml.MappingNode {
			return nil, fail(fmt.Sprintf("a %s patch must be a mapping (a partial object), got %s", patchType, nodeNoun(p)))
		}
		target = mergeNode(target, p, patchType != MergePatch, "")
	case JSONPatch:
		if p.Kind != yaml.SequenceNode {
			return nil, fail("a JSON patch must be a list of operations, got " + nodeNoun(p))
		}
		for i, op := range p.Content {
			var err error
			target, err = jsonPatchOp(target, deref(op))
			if err != nil {
				return nil, fail(fmt.Sprintf("operation %d: %v", i, err))
			}
		}
	default:
		return nil, fail(fmt.Sprintf("unknown patch type %q: use strategic, merge or json", patchType))
	}
	name := ""
	if md, ok := scalarField(target, "metadata"); ok && deref(md).Kind == yaml.MappingNode {
		name = stringField(deref(md), "name")
	}
	w := &walker{file: source, kind: info.kind, version: info.apiVersion, name: name, validate: true,
		lines: map[string]int{"": p.Line}}
	val := w.convertStruct(target, info.typ, "", jctx{})
	if len(w.problems) == 0 {
		data, err := json.Marshal(val)
		if err != nil {
			return nil, err
		}
		out := reflect.New(info.typ).Interface().(runtime.Object)
		if err := json.Unmarshal(data, out); err != nil {
			return nil, fail(err.Error())
		}
		SetDefaults(out)
		for _, v := range validateObject(out) {
			w.problem(Invalid, w.lineOf(v.field), v.field, v.reason)
		}
		if len(w.problems) == 0 {
			return out, nil
		}
	}
	sort.SliceStable(w.problems, func(i, j int) bool { return w.problems[i].Line < w.problems[j].Line })
	return nil, &Error{File: source, Problems: w.problems, noHint: true}
}

func kindOf(obj runtime.Object) *kindInfo {
	t := reflect.TypeOf(obj)
	if t == nil || t.Kind() != reflect.Pointer {
		return nil
	}
	for i := range kinds {
		if kinds[i].typ == t.Elem() {
			return &kinds[i]
		}
	}
	return nil
}

// mergeNode merges patch p into target (RFC 7386, plus strategic list merging
// when strategic is set) and returns the result.
func mergeNode(target, p *yaml.Node, strategic bool, key string) *yaml.Node {
	p = deref(p)
	if p.Kind == yaml.SequenceNode && strategic {
		if keys, ok := strategicKeys[key]; ok && target != nil && deref(target).Kind == yaml.SequenceNode {
			return mergeList(deref(target), p, keys)
		}
	}
	if p.Kind != yaml.MappingNode {
		return stripNulls(p)
	}
	if target == nil || deref(target).Kind != yaml.MappingNode {
		target = &yaml.Node{Kind: yaml.MappingNode}
	} else {
		target = deref(target)
	}
	for _, kv := range mappingPairs(p) {
		k, v := kv[0], deref(kv[1])
		idx := -1
		for i := 0; i+1 < len(target.Content); i += 2 {
			if target.Content[i].Value == k.Value {
				idx = i
			}
		}
		if isNull(v) {
			if idx >= 0 {
				target.Content = append(target.Content[:idx], target.Content[idx+2:]...)
			}
			continue
		}
		if idx >= 0 {
			target.Content[idx] = k
			target.Content[idx+1] = mergeNode(target.Content[idx+1], v, strategic, k.Value)
		} else {
			target.Content = append(target.Content, k, mergeNode(nil, v, strategic, k.Value))
		}
	}
	return target
}

func isNull(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	k, _ := resolveScalar(n)
	return k == scalarNull
}

func stripNulls(n *yaml.Node) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return n
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
	for _, kv := range mappingPairs(n) {
		if !isNull(kv[1]) {
			out.Content = append(out.Content, kv[0], stripNulls(kv[1]))
		}
	}
	return out
}

// mergeList merges list items that share a merge key value; other patch items
// are appended.
func mergeList(target, p *yaml.Node, keys []string) *yaml.Node {
	out := &yaml.Node{Kind: yaml.SequenceNode, Content: append([]*yaml.Node(nil), target.Content...)}
	for _, item := range p.Content {
		item = deref(item)
		matched := false
		if item.Kind == yaml.MappingNode {
			for _, key := range keys {
				pv, ok := scalarField(item, key)
				if !ok {
					continue
				}
				for i, t := range out.Content {
					if tv, ok := scalarField(deref(t), key); ok && deref(tv).Value == deref(pv).Value {
						out.Content[i] = mergeNode(deref(t), item, true, "")
						matched = true
						break
					}
				}
				break
			}
		}
		if !matched {
			out.Content = append(out.Content, stripNulls(item))
		}
	}
	return out
}

// jsonPatchOp applies one RFC 6902 operation.
func jsonPatchOp(doc, op *yaml.Node) (*yaml.Node, error) {
	if op.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("an operation is a mapping with op and path, got %s", nodeNoun(op))
	}
	kind, path := stringField(op, "op"), stringField(op, "path")
	value, hasValue := scalarField(op, "value")
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("path %q must start with /", path)
	}
	parts := strings.Split(path[1:], "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	parent := doc
	for _, s := range parts[:len(parts)-1] {
		next, err := child(parent, s)
		if err != nil {
			return nil, fmt.Errorf("path %s: %v", path, err)
		}
		parent = next
	}
	last := parts[len(parts)-1]
	switch kind {
	case "add", "replace":
		if !hasValue {
			return nil, fmt.Errorf("%s needs a value", kind)
		}
		value = deref(value)
		switch parent.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(parent.Content); i += 2 {
				if parent.Content[i].Value == last {
					parent.Content[i+1] = value
					return doc, nil
				}
			}
			if kind == "replace" {
				return nil, fmt.Errorf("path %s does not exist", path)
			}
			parent.Content = append(parent.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: last, Style: yaml.DoubleQuotedStyle}, value)
		case yaml.SequenceNode:
			if last == "-" && kind == "add" {
				parent.Content = append(parent.Content, value)
				return doc, nil
			}
			i, err := strconv.Atoi(last)
			if err != nil || i < 0 || i > len(parent.Content) || (kind == "replace" && i == len(parent.Content)) {
				return nil, fmt.Errorf("path %s: no list index %s", path, last)
			}
			if kind == "replace" {
				parent.Content[i] = value
			} else {
				parent.Content = append(parent.Content[:i], append([]*yaml.Node{value}, parent.Content[i:]...)...)
			}
		default:
			return nil, fmt.Errorf("path %s: parent is not a mapping or list", path)
		}
	case "remove":
		switch parent.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(parent.Content); i += 2 {
				if parent.Content[i].Value == last {
					parent.Content = append(parent.Content[:i], parent.Content[i+2:]...)
					return doc, nil
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(last); err == nil && i >= 0 && i < len(parent.Content) {
				parent.Content = append(parent.Content[:i], parent.Content[i+1:]...)
				return doc, nil
			}
		}
		return nil, fmt.Errorf("path %s does not exist", path)
	case "test":
		got, err := child(parent, last)
		if err != nil {
			return nil, fmt.Errorf("path %s: %v", path, err)
		}
		if !hasValue || !sameValue(got, deref(value)) {
			return nil, fmt.Errorf("test failed: %s is not the given value", path)
		}
	default:
		return nil, fmt.Errorf("unsupported op %q (kubesim supports add, remove, replace, test)", kind)
	}
	return doc, nil
}

func child(n *yaml.Node, s string) (*yaml.Node, error) {
	n = deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		if v, ok := scalarField(n, s); ok {
			return deref(v), nil
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(s); err == nil && i >= 0 && i < len(n.Content) {
			return deref(n.Content[i]), nil
		}
	}
	return nil, fmt.Errorf("no field %q", s)
}

func sameValue(a, b *yaml.Node) bool {
	ja, _ := (&walker{lines: map[string]int{}}).generic(a, "")
	jb, _ := (&walker{lines: map[string]int{}}).generic(b, "")
	return reflect.DeepEqual(ja, jb)
}

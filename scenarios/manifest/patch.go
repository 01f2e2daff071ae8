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

// ApplyPatch applies a patch to obj, one of the typed objects Decode returns,
// and decodes the result as strictly as Decode does: the patch's text is kept
// as YAML, so an unquoted yes where a string is expected is refused with the
// same "is a YAML boolean" problem, and an unknown field is an error. source
// names the patch in problems (e.g. the step, or "patch"); lines are the
// patch's own lines. The result has API defaults applied and is validated.
//
// patchType is StrategicMergePatch (maps merged, null deletes; a list merged
// as its field's patchStrategy and patchMergeKey tags in k8s.io/api say
// (containers by name, ports by containerPort or port, finalizers as a set...),
// other lists replaced; the directives $patch: replace|delete and
// $deleteFromPrimitiveList; $setElementOrder and $retainKeys are accepted and
// ignored), MergePatch (RFC 7386: lists replaced) or JSONPatch (RFC 6902 add,
// remove, replace, move, copy, test).
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
	target, err := currentNode(obj)
	if err != nil {
		return nil, err
	}
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
		if patchType == MergePatch {
			target = mergeNode(target, p, nil, false)
		} else {
			target = mergeNode(target, p, info.typ, true)
		}
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
	return decodePatched(target, info, source, p.Line, true)
}

// decodePatched decodes target, an object a patch made, as strictly as
// Decode does (validate false: unknown fields dropped), applies API defaults
// and validates it. line is the patch's first line, for problems.
func decodePatched(target *yaml.Node, info *kindInfo, source string, line int, validate bool) (runtime.Object, error) {
	name := ""
	if md, ok := scalarField(target, "metadata"); ok && deref(md).Kind == yaml.MappingNode {
		name = stringField(deref(md), "name")
	}
	w := &walker{file: source, kind: info.kind, version: info.apiVersion, name: name, validate: validate,
		lines: map[string]int{"": line}}
	val := w.convertStruct(target, info.typ, "", jctx{})
	if len(w.problems) == 0 {
		data, err := json.Marshal(val)
		if err != nil {
			return nil, err
		}
		out := reflect.New(info.typ).Interface().(runtime.Object)
		if err := json.Unmarshal(data, out); err != nil {
			return nil, &Error{File: source, Problems: []Problem{{Kind: Invalid, File: source, ObjKind: info.kind,
				ObjVersion: info.apiVersion, Reason: err.Error()}}}
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

// mergeNode merges patch p into target (RFC 7386) and returns the result.
// With strategic set, t is the Go type of the value (nil when unknown) and
// lists and directives follow the strategic merge patch of the API server.
func mergeNode(target, p *yaml.Node, t reflect.Type, strategic bool) *yaml.Node {
	p = deref(p)
	if p.Kind != yaml.MappingNode {
		return stripDirectives(p)
	}
	if strategic && stringField(p, "$patch") == "replace" {
		return stripDirectives(p) // the whole map, as given
	}
	if target == nil || deref(target).Kind != yaml.MappingNode {
		target = &yaml.Node{Kind: yaml.MappingNode}
	} else {
		target = deref(target)
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for _, kv := range mappingPairs(p) {
		k, v := kv[0], deref(kv[1])
		if strategic && strings.HasPrefix(k.Value, "$") {
			if name, ok := strings.CutPrefix(k.Value, "$deleteFromPrimitiveList/"); ok {
				if i := fieldIndex(target, name); i >= 0 {
					target.Content[i+1] = withoutValues(deref(target.Content[i+1]), v)
				}
			}
			continue // $patch, $setElementOrder/..., $retainKeys
		}
		idx := fieldIndex(target, k.Value)
		if isNull(v) {
			if idx >= 0 {
				target.Content = append(target.Content[:idx], target.Content[idx+2:]...)
			}
			continue
		}
		var cur *yaml.Node
		if idx >= 0 {
			cur = target.Content[idx+1]
		}
		var merged *yaml.Node
		if strategic {
			ft, strategy, key := childType(t, k.Value)
			switch {
			case v.Kind == yaml.SequenceNode && strings.Contains(strategy, "merge"):
				merged = mergeList(cur, v, ft, key)
			case v.Kind == yaml.MappingNode && stringField(v, "$patch") == "delete":
				if idx >= 0 {
					target.Content = append(target.Content[:idx], target.Content[idx+2:]...)
				}
				continue
			default:
				merged = mergeNode(cur, v, ft, true)
			}
		} else {
			merged = mergeNode(cur, v, nil, false)
		}
		if idx >= 0 {
			target.Content[idx] = k
			target.Content[idx+1] = merged
		} else {
			target.Content = append(target.Content, k, merged)
		}
	}
	return target
}

// fieldIndex is the index of key's node in mapping n, -1 if absent.
func fieldIndex(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// childType is the Go type of field name of a value of type t (a struct's
// JSON field, a map's element), with the field's patchStrategy and
// patchMergeKey tags; nil when unknown.
func childType(t reflect.Type, name string) (ft reflect.Type, strategy, key string) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return nil, "", ""
	}
	switch t.Kind() {
	case reflect.Map:
		return t.Elem(), "", ""
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			jn, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous && (jn == "" || strings.Contains(opts, "inline")) {
				if ft, strategy, key := childType(f.Type, name); ft != nil {
					return ft, strategy, key
				}
				continue
			}
			if jn == name {
				return f.Type, f.Tag.Get("patchStrategy"), f.Tag.Get("patchMergeKey")
			}
		}
	}
	return nil, "", ""
}

// mergeList is a strategic merge of list patch p into target (nil: none), a
// list of type t whose items are merged by key (a list of scalars, key "",
// is merged as a set). A patch item {$patch: replace} makes the other items
// the whole list; an item with $patch: delete removes the item of its key.
func mergeList(target, p *yaml.Node, t reflect.Type, key string) *yaml.Node {
	var elem reflect.Type
	if t != nil && t.Kind() == reflect.Slice {
		elem = t.Elem()
	}
	for _, item := range p.Content {
		if item = deref(item); item.Kind == yaml.MappingNode && stringField(item, "$patch") == "replace" {
			out := &yaml.Node{Kind: yaml.SequenceNode}
			for _, it := range p.Content {
				if deref(it) != item {
					out.Content = append(out.Content, stripDirectives(deref(it)))
				}
			}
			return out
		}
	}
	out := &yaml.Node{Kind: yaml.SequenceNode}
	if target != nil && deref(target).Kind == yaml.SequenceNode {
		out.Content = append(out.Content, deref(target).Content...)
	}
	for _, item := range p.Content {
		item = deref(item)
		if key == "" || item.Kind != yaml.MappingNode {
			if item.Kind != yaml.ScalarNode || indexOfValue(out, item) < 0 {
				out.Content = append(out.Content, stripDirectives(item))
			}
			continue
		}
		i := -1
		if pv, ok := scalarField(item, key); ok {
			for j, it := range out.Content {
				if tv, ok := scalarField(deref(it), key); ok && deref(tv).Value == deref(pv).Value {
					i = j
					break
				}
			}
		}
		switch {
		case stringField(item, "$patch") == "delete":
			if i >= 0 {
				out.Content = append(out.Content[:i], out.Content[i+1:]...)
			}
		case i >= 0:
			out.Content[i] = mergeNode(deref(out.Content[i]), item, elem, true)
		default:
			out.Content = append(out.Content, stripDirectives(item))
		}
	}
	return out
}

// indexOfValue is the index of the scalar equal to v in list n, -1 if none.
func indexOfValue(n, v *yaml.Node) int {
	for i, it := range n.Content {
		if it = deref(it); it.Kind == yaml.ScalarNode && it.Value == v.Value {
			return i
		}
	}
	return -1
}

// withoutValues is list n without the scalars of list del
// ($deleteFromPrimitiveList).
func withoutValues(n, del *yaml.Node) *yaml.Node {
	if n.Kind != yaml.SequenceNode || del.Kind != yaml.SequenceNode {
		return n
	}
	out := &yaml.Node{Kind: yaml.SequenceNode}
	for _, it := range n.Content {
		if indexOfValue(del, deref(it)) < 0 {
			out.Content = append(out.Content, it)
		}
	}
	return out
}

func isNull(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	k, _ := resolveScalar(n)
	return k == scalarNull
}

// stripDirectives is a new value from a patch: without its null fields
// (which delete nothing there) and the strategic merge directives ($patch,
// $setElementOrder/..., $retainKeys, $deleteFromPrimitiveList/...).
func stripDirectives(n *yaml.Node) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		out := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
		for _, kv := range mappingPairs(n) {
			if !isNull(kv[1]) && !strings.HasPrefix(kv[0].Value, "$") {
				out.Content = append(out.Content, kv[0], stripDirectives(deref(kv[1])))
			}
		}
		return out
	case yaml.SequenceNode:
		out := &yaml.Node{Kind: yaml.SequenceNode, Line: n.Line, Column: n.Column, Style: n.Style}
		for _, it := range n.Content {
			out.Content = append(out.Content, stripDirectives(deref(it)))
		}
		return out
	}
	return n
}

// jsonPatchOp applies one RFC 6902 operation.
func jsonPatchOp(doc, op *yaml.Node) (*yaml.Node, error) {
	if op.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("an operation is a mapping with op and path, got %s", nodeNoun(op))
	}
	kind, path := stringField(op, "op"), stringField(op, "path")
	value, hasValue := scalarField(op, "value")
	if kind == "move" || kind == "copy" {
		// RFC 6902 4.4, 4.5: the value at from, removed there for a move,
		// added at path.
		from := stringField(op, "from")
		v, err := pointerGet(doc, from)
		if err != nil {
			return nil, err
		}
		if kind == "move" {
			if strings.HasPrefix(path, from+"/") {
				return nil, fmt.Errorf("cannot move %s into its own child %s", from, path)
			}
			if doc, err = jsonPatchOp(doc, opNode("remove", from, nil)); err != nil {
				return nil, err
			}
		} else {
			v = deepCopyNode(v)
		}
		return jsonPatchOp(doc, opNode("add", path, v))
	}
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
		return nil, fmt.Errorf("unsupported op %q (kubesim supports add, remove, replace, move, copy, test)", kind)
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

// pointerGet is the value at JSON pointer path in doc.
func pointerGet(doc *yaml.Node, path string) (*yaml.Node, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("from %q must start with /", path)
	}
	n := doc
	for _, s := range strings.Split(path[1:], "/") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
		next, err := child(n, s)
		if err != nil {
			return nil, fmt.Errorf("from %s: %v", path, err)
		}
		n = next
	}
	return n, nil
}

// opNode is a JSON patch operation (value nil: none).
func opNode(op, path string, value *yaml.Node) *yaml.Node {
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	n := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{str("op"), str(op), str("path"), str(path)}}
	if value != nil {
		n.Content = append(n.Content, str("value"), value)
	}
	return n
}

func deepCopyNode(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = deepCopyNode(k)
	}
	return &c
}

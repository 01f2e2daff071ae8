package manifest

import (
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"
)

// walker converts a YAML node tree into a JSON-able value shaped for a Go
// type, checking each value against the type on the way, so that every
// problem is reported with its line and field path. The resulting value is
// then decoded with encoding/json, which cannot fail on shape any more.
type walker struct {
	file     string
	doc      int
	kind     string
	version  string
	name     string
	validate bool // false: drop unknown fields (with a warning if warn)
	warn     bool
	problems []Problem
	warnings []string
	lines    map[string]int // field path -> line
}

func (w *walker) problem(k ProblemKind, line int, field, reason string) {
	w.problems = append(w.problems, Problem{Kind: k, File: w.file, Line: line, Doc: w.doc,
		ObjKind: w.kind, ObjVersion: w.version, ObjName: w.name, Field: field, Reason: reason})
}

// jctx is where a value sits as encoding/json names it in its errors, which the
// API server passes on: the innermost Go struct and the JSON field path
// without list indexes or map keys, e.g. ObjectMeta and metadata.labels.
type jctx struct{ owner, path string }

func (j jctx) field(owner, name string) jctx {
	return jctx{owner: owner, path: joinField(j.path, name)}
}

// typeProblem records a WrongType problem with the API server's wording of
// the same error for Error.Kubectl.
func (w *walker) typeProblem(n *yaml.Node, t reflect.Type, field string, j jctx, reason string) {
	w.problem(WrongType, n.Line, field, reason)
	what := "string"
	switch n.Kind {
	case yaml.MappingNode:
		what = "object"
	case yaml.SequenceNode:
		what = "array"
	default:
		switch k, _ := resolveScalar(n); k {
		case scalarBool:
			what = "bool"
		case scalarInt, scalarFloat:
			what = "number"
		}
	}
	w.problems[len(w.problems)-1].server = fmt.Sprintf("json: cannot unmarshal %s into Go struct field %s.%s of type %s",
		what, j.owner, j.path, goTypeName(t))
}

func goTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Map, reflect.Slice, reflect.Pointer:
		return goTypeName(t.Elem())
	}
	if t.Name() != "" && t.PkgPath() != "" {
		return path.Base(t.PkgPath()) + "." + t.Name()
	}
	return t.String()
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// fieldInfo is one JSON field of a struct, inline fields flattened.
type fieldInfo struct {
	name string
	typ  reflect.Type
}

var fieldCache sync.Map // reflect.Type -> map[string]fieldInfo

func structFields(t reflect.Type) map[string]fieldInfo {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]fieldInfo)
	}
	m := map[string]fieldInfo{}
	addStructFields(t, m)
	fieldCache.Store(t, m)
	return m
}

func addStructFields(t reflect.Type, m map[string]fieldInfo) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" || strings.Contains(","+opts+",", ",inline,") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addStructFields(ft, m)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = fieldInfo{name: name, typ: f.Type}
	}
}

var simpleKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func joinField(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func joinKey(path, key string) string {
	if simpleKey.MatchString(key) {
		return joinField(path, key)
	}
	return path + "[" + key + "]"
}

func nodeNoun(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	k, _ := resolveScalar(n)
	switch k {
	case scalarString:
		return fmt.Sprintf("the string %q", n.Value)
	case scalarNull:
		return "null"
	case scalarBool:
		return "the boolean " + n.Value
	}
	return "the number " + n.Value
}

func typeNoun(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	}
	return t.String()
}

// mappingPairs returns the key/value pairs of a mapping with YAML merge keys
// (<<) expanded; explicit keys win over merged ones.
func mappingPairs(n *yaml.Node) [][2]*yaml.Node {
	var merged, own [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style == 0 {
			srcs := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				srcs = v.Content
			}
			for _, s := range srcs {
				if s = deref(s); s.Kind == yaml.MappingNode {
					merged = append(merged, mappingPairs(s)...)
				}
			}
			continue
		}
		own = append(own, [2]*yaml.Node{k, v})
	}
	if len(merged) == 0 {
		return own
	}
	seen := map[string]bool{}
	for _, p := range own {
		seen[p[0].Value] = true
	}
	out := own
	for _, p := range merged {
		if !seen[p[0].Value] {
			seen[p[0].Value] = true
			out = append(out, p)
		}
	}
	return out
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// convert returns the JSON-able value of n for Go type t, and false when
// nothing should be emitted (null, or a value already reported as wrong).
func (w *walker) convert(n *yaml.Node, t reflect.Type, path string, j jctx) (any, bool) {
	n = deref(n)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode {
		if k, _ := resolveScalar(n); k == scalarNull {
			return nil, false
		}
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return w.convertUnmarshaler(n, t, path, j)
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			w.wrongType(n, t, path, j)
			return nil, false
		}
		return w.convertStruct(n, t, path, j), true
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			w.wrongType(n, t, path, j)
			return nil, false
		}
		return w.convertMap(n, t, path, j), true
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // []byte: base64 string
			return w.convertString(n, t, path, j)
		}
		if n.Kind != yaml.SequenceNode {
			w.wrongType(n, t, path, j)
			return nil, false
		}
		out := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			w.lines[p] = item.Line
			v, ok := w.convert(item, t.Elem(), p, j)
			if !ok {
				v = nil
			}
			out = append(out, v)
		}
		return out, true
	case reflect.String:
		return w.convertString(n, t, path, j)
	case reflect.Bool:
		if n.Kind == yaml.ScalarNode {
			if k, v := resolveScalar(n); k == scalarBool {
				return v, true
			}
		}
		w.wrongType(n, t, path, j)
		return nil, false
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n.Kind == yaml.ScalarNode {
			if k, v := resolveScalar(n); k == scalarInt {
				num := v.(json.Number)
				if !fitsInt(string(num), t) {
					w.typeProblem(n, t, path, j, fmt.Sprintf("the value %s does not fit in %s", n.Value, t.Kind()))
					return nil, false
				}
				return num, true
			}
		}
		w.wrongType(n, t, path, j)
		return nil, false
	case reflect.Float32, reflect.Float64:
		if n.Kind == yaml.ScalarNode {
			if k, v := resolveScalar(n); (k == scalarInt || k == scalarFloat) && v != nil {
				return v, true
			}
		}
		w.wrongType(n, t, path, j)
		return nil, false
	case reflect.Interface:
		return w.generic(n, path)
	}
	w.problem(WrongType, n.Line, path, "kubesim cannot read fields of type "+t.String())
	return nil, false
}

func fitsInt(num string, t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		_, err := strconv.ParseUint(num, 10, t.Bits())
		return err == nil
	}
	_, err := strconv.ParseInt(num, 10, t.Bits())
	return err == nil
}

func (w *walker) wrongType(n *yaml.Node, t reflect.Type, path string, j jctx) {
	w.typeProblem(n, t, path, j, fmt.Sprintf("expected %s, got %s", typeNoun(t), nodeNoun(n)))
}

// convertString accepts only scalars that YAML 1.1 reads as strings: an
// unquoted yes or 1.0 is refused with advice to quote it.
func (w *walker) convertString(n *yaml.Node, t reflect.Type, path string, j jctx) (any, bool) {
	if n.Kind != yaml.ScalarNode {
		w.typeProblem(n, t, path, j, fmt.Sprintf("expected a string, got %s", nodeNoun(n)))
		return nil, false
	}
	k, _ := resolveScalar(n)
	if k != scalarString {
		w.typeProblem(n, t, path, j, fmt.Sprintf("the value %s is a YAML %s, not a string; quote it: %q", n.Value, k.noun(), n.Value))
		return nil, false
	}
	return n.Value, true
}

// convertUnmarshaler handles Quantity, IntOrString, Time...: the generic JSON
// value is checked with the type's own UnmarshalJSON so that an error such as a
// malformed quantity gets a line.
func (w *walker) convertUnmarshaler(n *yaml.Node, t reflect.Type, path string, j jctx) (any, bool) {
	v, ok := w.generic(n, path)
	if !ok {
		return nil, false
	}
	if n.Kind == yaml.ScalarNode {
		if k, _ := resolveScalar(n); k == scalarBool {
			w.typeProblem(n, t, path, j, fmt.Sprintf("the value %s is a YAML boolean; expected %s", n.Value, unmarshalerNoun(t)))
			return nil, false
		}
	}
	data, err := json.Marshal(v)
	if err == nil {
		err = reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(data)
	}
	if err != nil {
		w.problem(WrongType, n.Line, path, fmt.Sprintf("invalid %s %s: %v", unmarshalerNoun(t), n.Value, err))
		return nil, false
	}
	return v, true
}

func unmarshalerNoun(t reflect.Type) string {
	switch t.Name() {
	case "Quantity":
		return "quantity (e.g. 500m, 2, 4Gi)"
	case "IntOrString":
		return "integer or string"
	case "Time", "MicroTime":
		return "time (RFC 3339)"
	}
	return t.String()
}

// generic converts without a target type (YAML 1.1 scalars).
func (w *walker) generic(n *yaml.Node, path string) (any, bool) {
	n = deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for _, p := range mappingPairs(n) {
			key := p[0].Value
			if v, ok := w.generic(p[1], joinKey(path, key)); ok {
				m[key] = v
			} else {
				m[key] = nil
			}
		}
		return m, true
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			v, _ := w.generic(item, fmt.Sprintf("%s[%d]", path, i))
			out = append(out, v)
		}
		return out, true
	}
	k, v := resolveScalar(n)
	if k == scalarFloat && v == nil {
		w.problem(WrongType, n.Line, path, fmt.Sprintf("the value %s cannot be represented in JSON", n.Value))
		return nil, false
	}
	return v, true
}

func (w *walker) checkKey(k *yaml.Node, path string, seen map[string]int) (string, bool) {
	k = deref(k)
	if k.Kind != yaml.ScalarNode {
		w.problem(WrongType, k.Line, path, "a mapping key must be a string, got "+nodeNoun(k))
		return "", false
	}
	key := k.Value
	if kind, _ := resolveScalar(k); kind != scalarString {
		w.problem(WrongType, k.Line, joinKey(path, key), fmt.Sprintf("the key %s is a YAML %s, not a string; quote it: %q", key, kind.noun(), key))
		return "", false
	}
	if first, dup := seen[key]; dup {
		if !w.validate {
			// Field validation Ignore or Warn: the last value wins, as in
			// JSON.
			if w.warn {
				w.warnings = append(w.warnings, fmt.Sprintf("duplicate field %q", joinKey(path, key)))
			}
			return key, true
		}
		w.problem(DuplicateField, k.Line, joinKey(path, key), fmt.Sprintf("duplicate field (first given on line %d)", first))
		return "", false
	}
	seen[key] = k.Line
	return key, true
}

func (w *walker) convertStruct(n *yaml.Node, t reflect.Type, path string, j jctx) map[string]any {
	fields := structFields(t)
	out := map[string]any{}
	seen := map[string]int{}
	for _, p := range mappingPairs(n) {
		key, ok := w.checkKey(p[0], path, seen)
		if !ok {
			continue
		}
		fp := joinField(path, key)
		w.lines[fp] = p[0].Line
		f, known := fields[key]
		if !known {
			if w.validate {
				w.problem(UnknownField, p[0].Line, fp, fmt.Sprintf("unknown field: %s (%s) has no field %s", w.kind, w.version, fp))
			} else if w.warn {
				w.warnings = append(w.warnings, fmt.Sprintf("unknown field %q", fp))
			}
			continue
		}
		if v, ok := w.convert(p[1], f.typ, fp, j.field(t.Name(), key)); ok {
			out[key] = v
		}
	}
	return out
}

func (w *walker) convertMap(n *yaml.Node, t reflect.Type, path string, j jctx) map[string]any {
	out := map[string]any{}
	seen := map[string]int{}
	for _, p := range mappingPairs(n) {
		key, ok := w.checkKey(p[0], path, seen)
		if !ok {
			continue
		}
		fp := joinKey(path, key)
		w.lines[fp] = p[0].Line
		if v, ok := w.convert(p[1], t.Elem(), fp, j); ok {
			out[key] = v
		} else if t.Elem().Kind() == reflect.String {
			// A null label value decodes to "" as in Kubernetes; wrong
			// values were reported by convert.
			if k, _ := resolveScalar(deref(p[1])); deref(p[1]).Kind == yaml.ScalarNode && k == scalarNull {
				out[key] = ""
			}
		}
	}
	return out
}

// lineOf returns the line recorded for path or its closest recorded parent.
func (w *walker) lineOf(path string) int {
	for path != "" {
		if l, ok := w.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return w.lines[""]
}

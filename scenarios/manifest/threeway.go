package manifest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime"
)

// ApplyThreeWay is kubectl apply's update of live, an existing object (as
// patch starts from it), from file, the object as the manifest writes it
// (JSON, no defaults: Object.Raw), and last, the last-applied-configuration
// of the previous apply ("" if the object was never applied): the patch
// kubectl computes (strategicpatch.CreateThreeWayMergePatch) applied as the
// API server applies a strategic merge patch.
//
//   - a field of the file is set to the file's value;
//   - a field of last that the file no longer has is removed (and takes its
//     default again): a map key, a list item of a merged list (containers by
//     name, ports by port...) or a value of a merged list of scalars;
//   - a field of live that neither last nor the file has is kept: what
//     kubectl scale, patch, edit, label or a controller set.
//
// Lists without a patch strategy are replaced by the file's as a whole. The
// last-applied annotation is left out of the comparison. The result is
// decoded, defaulted and validated as ApplyPatch's; unknown fields of the
// file (apply --validate=false) are dropped, as Decode dropped them.
func ApplyThreeWay(live runtime.Object, last, file []byte, source string) (runtime.Object, error) {
	info := kindOf(live)
	if info == nil {
		return nil, fmt.Errorf("kubesim cannot apply a %T", live)
	}
	target, err := currentNode(live)
	if err != nil {
		return nil, err
	}
	mod, err := jsonNode(file)
	if err != nil || mod.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: the applied object is not a JSON object: %v", source, err)
	}
	withoutLastApplied(mod)
	patch := deepCopyNode(mod)
	if len(last) > 0 {
		orig, err := jsonNode(last)
		if err != nil {
			return nil, fmt.Errorf("%s: the last-applied-configuration is not JSON: %v", source, err)
		}
		withoutLastApplied(orig)
		addDeletions(patch, orig, mod, info.typ)
	}
	target = mergeNode(target, patch, info.typ, true)
	return decodePatched(target, info, source, 1, false)
}

// currentNode is obj, one of the typed objects Decode returns, as a YAML
// node of its JSON as the API server returns it (its print defaults
// included), the target of a patch.
func currentNode(obj runtime.Object) (*yaml.Node, error) {
	obj = obj.DeepCopyObject()
	SetPrintDefaults(obj)
	current, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	return jsonNode(current)
}

func jsonNode(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("empty document")
	}
	return deref(doc.Content[0]), nil
}

// withoutLastApplied removes kubectl's last-applied annotation from an
// object's node (kubectl manages it apart from the three-way merge).
func withoutLastApplied(obj *yaml.Node) {
	md, ok := scalarField(obj, "metadata")
	if !ok || deref(md).Kind != yaml.MappingNode {
		return
	}
	ann, ok := scalarField(deref(md), "annotations")
	if !ok || deref(ann).Kind != yaml.MappingNode {
		return
	}
	a := deref(ann)
	if i := fieldIndex(a, LastAppliedAnnotation); i >= 0 {
		a.Content = append(a.Content[:i], a.Content[i+2:]...)
	}
}

// addDeletions adds to patch (a copy of mod, the file's mapping) what
// kubectl's three-way patch deletes: the fields of orig (the last applied
// mapping, of Go type t) that mod no longer has, as null; the items of
// merged lists (by their patchMergeKey) as {key: value, $patch: delete};
// the scalars of merged lists of scalars as $deleteFromPrimitiveList.
// Fields in both are followed into.
func addDeletions(patch, orig, mod *yaml.Node, t reflect.Type) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for _, kv := range mappingPairs(orig) {
		k, ov := kv[0].Value, deref(kv[1])
		mv, inMod := scalarField(mod, k)
		if !inMod {
			patch.Content = append(patch.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k},
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"})
			continue
		}
		mv = deref(mv)
		pv, _ := scalarField(patch, k)
		pv = deref(pv)
		ft, strategy, key := childType(t, k)
		switch {
		case ov.Kind == yaml.MappingNode && mv.Kind == yaml.MappingNode:
			addDeletions(pv, ov, mv, ft)
		case ov.Kind == yaml.SequenceNode && mv.Kind == yaml.SequenceNode && strings.Contains(strategy, "merge"):
			listDeletions(patch, pv, k, ov, mv, ft, key)
		}
	}
}

// listDeletions is addDeletions for field name's merged list: orig's items
// that mod lacks are deleted, the items of both followed into.
func listDeletions(patch, plist *yaml.Node, name string, orig, mod *yaml.Node, t reflect.Type, key string) {
	var elem reflect.Type
	if t != nil && t.Kind() == reflect.Slice {
		elem = t.Elem()
	}
	if key == "" {
		// A set of scalars: the values mod no longer has.
		del := &yaml.Node{Kind: yaml.SequenceNode}
		for _, it := range orig.Content {
			if it = deref(it); it.Kind == yaml.ScalarNode && indexOfValue(mod, it) < 0 {
				del.Content = append(del.Content, it)
			}
		}
		if len(del.Content) > 0 {
			patch.Content = append(patch.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "$deleteFromPrimitiveList/" + name}, del)
		}
		return
	}
	for _, it := range orig.Content {
		it = deref(it)
		kv, ok := scalarField(it, key)
		if it.Kind != yaml.MappingNode || !ok {
			continue
		}
		j := itemIndex(mod, key, deref(kv).Value)
		if j < 0 {
			plist.Content = append(plist.Content, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, deref(kv),
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: "$patch"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: "delete"}}})
			continue
		}
		addDeletions(deref(plist.Content[j]), it, deref(mod.Content[j]), elem)
	}
}

// itemIndex is the index of the mapping of list n whose key field is value,
// -1 if none.
func itemIndex(n *yaml.Node, key, value string) int {
	for j, it := range n.Content {
		if v, ok := scalarField(deref(it), key); ok && deref(v).Value == value {
			return j
		}
	}
	return -1
}

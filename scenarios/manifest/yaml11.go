package manifest

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// scalarKind is what a YAML scalar means under YAML 1.1, the dialect kubectl
// reads (through sigs.k8s.io/yaml and goyaml.v2).
type scalarKind int

const (
	scalarString scalarKind = iota
	scalarNull
	scalarBool
	scalarInt
	scalarFloat
)

func (k scalarKind) noun() string {
	switch k {
	case scalarNull:
		return "null"
	case scalarBool:
		return "boolean"
	case scalarInt, scalarFloat:
		return "number"
	}
	return "string"
}

// yaml11Bools are the YAML 1.1 spellings of true and false that goyaml.v2
// resolves (y/n included).
var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"true": true, "True": true, "TRUE": true,
	"on": true, "On": true, "ON": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false,
	"false": false, "False": false, "FALSE": false,
	"off": false, "Off": false, "OFF": false,
}

var yaml11Nulls = map[string]bool{"": true, "~": true, "null": true, "Null": true, "NULL": true}

var yamlFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// timestampish matches the start of a YAML timestamp (2006-01-02...), which
// kubectl keeps as a string.
var timestampish = regexp.MustCompile(`^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}`)

// resolveScalar returns what a scalar node means under YAML 1.1 and, for
// bools and numbers, the JSON value.
func resolveScalar(n *yaml.Node) (scalarKind, any) {
	v := n.Value
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return scalarString, v
	}
	if n.Style&yaml.TaggedStyle != 0 {
		switch n.Tag {
		case "!!str", "!!binary", "!!timestamp":
			return scalarString, v
		case "!!null":
			return scalarNull, nil
		case "!!bool":
			if b, ok := yaml11Bools[v]; ok {
				return scalarBool, b
			}
			return scalarString, v
		}
		// !!int and !!float: fall through to resolution.
	}
	if yaml11Nulls[v] {
		return scalarNull, nil
	}
	if b, ok := yaml11Bools[v]; ok {
		return scalarBool, b
	}
	switch v {
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		// Not representable in JSON; kubectl fails on them too.
		return scalarFloat, nil
	}
	c := v[0]
	if c != '+' && c != '-' && c != '.' && (c < '0' || c > '9') {
		return scalarString, v
	}
	if timestampish.MatchString(v) {
		return scalarString, v
	}
	plain := strings.ReplaceAll(v, "_", "")
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return scalarInt, json.Number(strconv.FormatInt(i, 10))
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return scalarInt, json.Number(strconv.FormatUint(u, 10))
	}
	if yamlFloat.MatchString(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return scalarFloat, json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	}
	return scalarString, v
}

// maxExpandedNodes bounds a document's size once aliases are expanded
// (against "billion laughs" documents).
const maxExpandedNodes = 1 << 20

// checkAliases refuses a recursive alias (an alias to one of its own
// ancestors) and documents that grow too large when aliases are expanded,
// before anything walks the tree.
func checkAliases(n *yaml.Node) (line int, reason string) {
	onStack := map[*yaml.Node]bool{}
	count := 0
	var visit func(n *yaml.Node) bool
	visit = func(n *yaml.Node) bool {
		if n.Kind == yaml.AliasNode {
			if n.Alias == nil {
				return true
			}
			if onStack[n.Alias] {
				line, reason = n.Line, "recursive YAML alias *"+n.Value+": it refers to a node that contains it"
				return false
			}
			return visit(n.Alias)
		}
		count++
		if count > maxExpandedNodes {
			line, reason = n.Line, "document too large once YAML aliases are expanded"
			return false
		}
		onStack[n] = true
		defer delete(onStack, n)
		for _, c := range n.Content {
			if !visit(c) {
				return false
			}
		}
		return true
	}
	visit(n)
	return line, reason
}

package manifest

import (
	"fmt"
	"sort"
	"strings"
)

// ProblemKind classifies a Problem, so callers can word or count problems.
type ProblemKind int

// Problem kinds.
const (
	// Syntax: the file is not valid YAML.
	Syntax ProblemKind = iota + 1
	// UnknownKind: apiVersion/kind missing or not one kubesim reads.
	UnknownKind
	// UnknownField: a field the kind does not have (strict decoding).
	UnknownField
	// DuplicateField: a mapping key given twice.
	DuplicateField
	// WrongType: a value of the wrong type, e.g. an unquoted yes where a string
	// is expected.
	WrongType
	// Invalid: a value the API server's validation would refuse.
	Invalid
	// Unsimulated: a setting the API server accepts but kubesim refuses,
	// because it cannot simulate it and dropping it would change what the
	// scenario means (a Service's traffic policy Local).
	Unsimulated
)

// Problem is one thing wrong with a manifest, located as precisely as known.
type Problem struct {
	Kind ProblemKind
	File string
	// Line is 1-based; 0 when unknown.
	Line int
	// Doc is the 0-based index of the document in the file.
	Doc int
	// ObjKind and ObjVersion are the document's kind and apiVersion ("" when
	// unknown); ObjName its metadata.name.
	ObjKind, ObjVersion, ObjName string
	// Field is the field path, e.g. "spec.replicas" or
	// "spec.template.spec.containers[0].image"; "" when the problem is not
	// about one field.
	Field string
	// Reason says what is wrong and, where possible, what to do.
	Reason string
	// server is the API server's wording of a WrongType problem.
	server string
	// hint is kubesim's advice printed after kubectl's words for an
	// UnknownKind problem (a removed API version, a custom resource...).
	hint string
}

// String formats the problem as "file:line: field: reason".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Reason)
	return b.String()
}

// ValidateFalseHint is printed after strict-decoding errors, as kubectl's
// client-side validation did.
const ValidateFalseHint = "if you choose to ignore these errors, turn validation off with --validate=false"

// Error is every problem found in one file. Its Error text lists them one per
// line as "file:line: field: reason", followed by the --validate=false hint
// when unknown fields were refused.
type Error struct {
	File     string
	Problems []Problem
	// noHint leaves out the --validate=false hint (patches have no such flag).
	noHint bool
}

func (e *Error) Error() string {
	var b strings.Builder
	unknown := false
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
		if p.Kind == UnknownField {
			unknown = true
		}
	}
	if unknown && !e.noHint {
		b.WriteString("\n")
		b.WriteString(ValidateFalseHint)
	}
	return b.String()
}

// Kubectl returns the lines kubectl (with a v1.3x API server, field validation
// Strict) prints for the problems of this file, one line per refused object,
// in document order. The wording is the real one, e.g.
//
//	Error from server (BadRequest): error when creating "rng.yml": DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "spec.progressDeadlineSeconds", unknown field "spec.replicas", unknown field "spec.strategy"
func (e *Error) Kubectl() []string {
	var out []string
	i := 0
	for i < len(e.Problems) {
		j := i + 1
		for j < len(e.Problems) && e.Problems[j].Doc == e.Problems[i].Doc {
			j++
		}
		out = append(out, kubectlLine(e.File, e.Problems[i:j])...)
		i = j
	}
	return out
}

// KubectlPatch words the problems of an object a patch made as kubectl patch
// prints the API server's refusal: 'The Deployment "web" is invalid: ...'
// for values its validation refuses, 'Error from server (BadRequest):
// strict decoding error: unknown field "spec.replicaz"' for fields the kind
// does not have (kubectl's default --validate=strict). Other problems (a
// patch that does not parse or apply, a value of the wrong type, kubesim's
// own refusals) keep Error's form.
func (e *Error) KubectlPatch() string {
	var unknown, invalid []string
	for _, p := range e.Problems {
		switch {
		case p.ObjName == "":
			return e.Error()
		case p.Kind == UnknownField:
			unknown = append(unknown, fmt.Sprintf("unknown field %q", p.Field))
		case p.Kind == Invalid && p.Field != "":
			invalid = append(invalid, p.Field+": "+p.Reason)
		default:
			return e.Error()
		}
	}
	switch {
	case len(unknown) > 0:
		return "Error from server (BadRequest): strict decoding error: " + strings.Join(unknown, ", ")
	case len(invalid) == 1:
		return fmt.Sprintf("The %s %q is invalid: %s", e.Problems[0].ObjKind, e.Problems[0].ObjName, invalid[0])
	case len(invalid) > 1:
		return fmt.Sprintf("The %s %q is invalid: \n* %s", e.Problems[0].ObjKind, e.Problems[0].ObjName, strings.Join(invalid, "\n* "))
	}
	return e.Error()
}

// version returns the version part of an apiVersion ("v1" for "apps/v1").
func version(apiVersion string) string {
	if i := strings.LastIndexByte(apiVersion, '/'); i >= 0 {
		return apiVersion[i+1:]
	}
	return apiVersion
}

// kubectlLine words the problems of one document as kubectl would.
func kubectlLine(file string, ps []Problem) []string {
	p0 := ps[0]
	switch p0.Kind {
	case Syntax:
		return []string{fmt.Sprintf("error: error parsing %s: error converting YAML to JSON: %s", file, p0.server)}
	case UnknownKind:
		line := p0.kubectlUnknownKind(file)
		if p0.hint != "" {
			line += "\nkubesim: " + p0.hint
		}
		return []string{line}
	}
	// kubesim's own refusals are reported only for an object the API server
	// would accept, one line each, naming the file and line.
	var api []Problem
	for _, p := range ps {
		if p.Kind != Unsimulated {
			api = append(api, p)
		}
	}
	if len(api) == 0 {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = "error: " + p.String()
		}
		return out
	}
	ps, p0 = api, api[0]
	// Decoding problems come first: the server refuses the object before
	// validating it.
	var unknown []string
	dup := 0
	var wrong *Problem
	for i := range ps {
		switch ps[i].Kind {
		case UnknownField:
			unknown = append(unknown, fmt.Sprintf("unknown field %q", ps[i].Field))
		case DuplicateField:
			dup++
		case WrongType:
			if wrong == nil {
				wrong = &ps[i]
			}
		}
	}
	if dup > 0 {
		// goyaml.v2's strict wording. NOTE: depending on the kubectl version
		// the YAML may be converted non-strictly, keeping the last value
		// silently; kubesim refuses the duplicate either way.
		var lines []string
		for _, p := range ps {
			if p.Kind == DuplicateField {
				key := p.Field[strings.LastIndexAny(p.Field, ".[")+1:]
				lines = append(lines, fmt.Sprintf("  line %d: key %q already set in map", p.Line, strings.TrimSuffix(key, "]")))
			}
		}
		return []string{fmt.Sprintf("error: error parsing %s: error converting YAML to JSON: yaml: unmarshal errors:\n%s", file, strings.Join(lines, "\n"))}
	}
	prefix := fmt.Sprintf("Error from server (BadRequest): error when creating %q: %s in version %q cannot be handled as a %s: ",
		file, p0.ObjKind, version(p0.ObjVersion), p0.ObjKind)
	if wrong != nil {
		if wrong.server != "" {
			return []string{prefix + wrong.server}
		}
		return []string{prefix + wrong.Reason}
	}
	if len(unknown) > 0 {
		// kubectl sends the object as JSON from a map: keys sorted.
		sort.SliceStable(unknown, func(i, j int) bool { return pathLess(unknown[i], unknown[j]) })
		return []string{prefix + "strict decoding error: " + strings.Join(unknown, ", ")}
	}
	// Validation errors: The Deployment "rng" is invalid: a: reason, b: reason
	var parts []string
	for _, p := range ps {
		if p.Field != "" {
			parts = append(parts, p.Field+": "+p.Reason)
		} else {
			parts = append(parts, p.Reason)
		}
	}
	what := fmt.Sprintf("The %s %q is invalid: ", p0.ObjKind, p0.ObjName)
	if len(parts) > 1 {
		return []string{what + "\n* " + strings.Join(parts, "\n* ")}
	}
	return []string{what + parts[0]}
}

func (p Problem) kubectlUnknownKind(file string) string {
	switch {
	case p.ObjKind == "" && p.ObjVersion == "":
		return fmt.Sprintf("error: error validating %q: error validating data: [apiVersion not set, kind not set]; %s", file, ValidateFalseHint)
	case p.ObjKind == "":
		return fmt.Sprintf("error: error validating %q: error validating data: kind not set; %s", file, ValidateFalseHint)
	case p.ObjVersion == "":
		return fmt.Sprintf("error: error validating %q: error validating data: apiVersion not set; %s", file, ValidateFalseHint)
	}
	return fmt.Sprintf("error: resource mapping not found for name: %q namespace: \"\" from %q: no matches for kind %q in version %q\nensure CRDs are installed first",
		p.ObjName, file, p.ObjKind, p.ObjVersion)
}

// pathLess orders field paths as a depth-first walk over sorted keys does.
func pathLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] != bs[i] {
			return as[i] < bs[i]
		}
	}
	return len(as) < len(bs)
}

package study

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ValueKind says which scalar a Value holds.
type ValueKind uint8

// The kinds of parameter value.
const (
	InvalidValue ValueKind = iota
	NumberValue
	StringValue
	BoolValue
)

// Value is a parameter value: a number, a string or a bool, exactly as the study
// file wrote it (numbers are float64, so integers are exact up to 2^53).
type Value struct {
	kind ValueKind
	num  float64
	str  string
	b    bool
}

// Number, String and Bool build Values.
func Number(f float64) Value { return Value{kind: NumberValue, num: f} }

// String returns a string Value.
func String(s string) Value { return Value{kind: StringValue, str: s} }

// Bool returns a bool Value.
func Bool(b bool) Value { return Value{kind: BoolValue, b: b} }

// Kind is the kind of scalar held.
func (v Value) Kind() ValueKind { return v.kind }

// Float returns the number held and whether v is a number.
func (v Value) Float() (float64, bool) { return v.num, v.kind == NumberValue }

// Int returns the number held if it is an integer that fits an int.
func (v Value) Int() (int, bool) {
	if v.kind != NumberValue || v.num != math.Trunc(v.num) || math.Abs(v.num) > 1<<53 {
		return 0, false
	}
	return int(v.num), true
}

// Str returns the string held and whether v is a string.
func (v Value) Str() (string, bool) { return v.str, v.kind == StringValue }

// Boolean returns the bool held and whether v is a bool.
func (v Value) Boolean() (bool, bool) { return v.b, v.kind == BoolValue }

// String formats v for people and CSV cells: numbers with strconv 'g' and the
// shortest precision that reads back exactly, strings as they are, bools as
// true/false.
func (v Value) String() string {
	switch v.kind {
	case NumberValue:
		return formatFloat(v.num)
	case StringValue:
		return v.str
	case BoolValue:
		return strconv.FormatBool(v.b)
	}
	return "<invalid>"
}

// Equal reports whether v and w hold the same kind and the same scalar.
func (v Value) Equal(w Value) bool {
	return v.kind == w.kind && v.num == w.num && v.str == w.str && v.b == w.b
}

// MarshalJSON writes the scalar as a JSON number, string or bool.
func (v Value) MarshalJSON() ([]byte, error) {
	switch v.kind {
	case NumberValue:
		if math.IsNaN(v.num) || math.IsInf(v.num, 0) {
			return nil, fmt.Errorf("parameter value %v is not a finite number", v.num)
		}
		return []byte(formatFloat(v.num)), nil
	case StringValue:
		return json.Marshal(v.str)
	case BoolValue:
		return []byte(strconv.FormatBool(v.b)), nil
	}
	return nil, fmt.Errorf("invalid parameter value")
}

// UnmarshalJSON reads a JSON scalar; null, lists and maps are errors.
func (v *Value) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return fmt.Errorf("empty parameter value")
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = String(s)
	case 't', 'f':
		var x bool
		if err := json.Unmarshal(b, &x); err != nil {
			return err
		}
		*v = Bool(x)
	case 'n':
		return fmt.Errorf("parameter value is null: give a number, a string or true/false")
	case '[', '{':
		return fmt.Errorf("parameter value %s is a list or a map: values must be scalars (number, string, bool)", abbrev(string(b)))
	default:
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return fmt.Errorf("parameter value %s is not a number", abbrev(string(b)))
		}
		*v = Number(f)
	}
	return nil
}

func abbrev(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// Param is one parameter setting of a point: an opaque path (for example
// "cluster.nodes" or "timeline[2].replicas") and its value.
type Param struct {
	Path  string `json:"path"`
	Value Value  `json:"value"`
}

// Point is one combination of parameter settings, ordered by path (byte-wise).
type Point []Param

// Get returns the value of path in p.
func (p Point) Get(path string) (Value, bool) {
	for _, q := range p {
		if q.Path == path {
			return q.Value, true
		}
	}
	return Value{}, false
}

// Key is the canonical text of p: path=value pairs joined by ";", where each value
// is written as JSON (so the string "3" and the number 3 differ). Seeds derive
// from it, so it depends only on the point's settings, not on its position.
func (p Point) Key() string {
	var sb strings.Builder
	for i, q := range p {
		if i > 0 {
			sb.WriteByte(';')
		}
		sb.WriteString(q.Path)
		sb.WriteByte('=')
		b, err := q.Value.MarshalJSON()
		if err != nil {
			sb.WriteString("<invalid>")
			continue
		}
		sb.Write(b)
	}
	return sb.String()
}

// String formats p as "path=value, path=value" for messages ("(base)" when empty).
func (p Point) String() string {
	if len(p) == 0 {
		return "(base)"
	}
	parts := make([]string, len(p))
	for i, q := range p {
		parts[i] = q.Path + "=" + q.Value.String()
	}
	return strings.Join(parts, ", ")
}

// formatFloat is the one float format of every output: strconv 'g' with the
// shortest precision that reads back to the same float64; NaN, +Inf and -Inf
// for the non-finite values.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Float is a float64 that JSON-encodes with formatFloat: a JSON number when
// finite, the strings "NaN", "+Inf" and "-Inf" otherwise (JSON has no such
// numbers). It decodes both forms.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return []byte(`"` + formatFloat(x) + `"`), nil
	}
	return []byte(formatFloat(x)), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if strings.HasPrefix(s, `"`) {
		var t string
		if err := json.Unmarshal(b, &t); err != nil {
			return err
		}
		switch t {
		case "NaN":
			*f = Float(math.NaN())
		case "+Inf":
			*f = Float(math.Inf(1))
		case "-Inf":
			*f = Float(math.Inf(-1))
		default:
			return fmt.Errorf("float %q: want a number, \"NaN\", \"+Inf\" or \"-Inf\"", t)
		}
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("float %s: not a number", abbrev(s))
	}
	*f = Float(x)
	return nil
}

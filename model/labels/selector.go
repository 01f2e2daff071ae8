package labels

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Operator relates a requirement's key to its values. The strings are those of
// k8s.io/apimachinery/pkg/selection.
type Operator string

// The operators of the selector grammar.
const (
	Equals       Operator = "="
	DoubleEquals Operator = "=="
	NotEquals    Operator = "!="
	In           Operator = "in"
	NotIn        Operator = "notin"
	Exists       Operator = "exists"
	DoesNotExist Operator = "!"
	GreaterThan  Operator = "gt"
	LessThan     Operator = "lt"
)

// Requirement is one condition of a selector. Values are sorted and without
// duplicates; Exists and DoesNotExist have none, the others at least one, and
// Equals, DoubleEquals, NotEquals, GreaterThan and LessThan exactly one.
type Requirement struct {
	Key      string
	Operator Operator
	Values   []string
}

// String formats the requirement as apimachinery does: "!k", "k", "k=v", "k==v",
// "k!=v", "k in (a,b)", "k notin (a,b)", "k>3", "k<3".
func (r Requirement) String() string {
	var b strings.Builder
	r.writeTo(&b)
	return b.String()
}

func (r Requirement) writeTo(b *strings.Builder) {
	if r.Operator == DoesNotExist {
		b.WriteByte('!')
	}
	b.WriteString(r.Key)
	switch r.Operator {
	case Exists, DoesNotExist:
		return
	case In, NotIn:
		b.WriteByte(' ')
		b.WriteString(string(r.Operator))
		b.WriteString(" (")
		b.WriteString(strings.Join(r.Values, ","))
		b.WriteByte(')')
		return
	case GreaterThan:
		b.WriteByte('>')
	case LessThan:
		b.WriteByte('<')
	default:
		b.WriteString(string(r.Operator))
	}
	b.WriteString(strings.Join(r.Values, ","))
}

// NewRequirement checks and builds a requirement the way apimachinery's
// NewRequirement does: the key and every value must be valid, In and NotIn need at
// least one value, Exists and DoesNotExist none, the others exactly one, and
// GreaterThan and LessThan an integer. Values are sorted and deduplicated.
func NewRequirement(key string, op Operator, values []string) (Requirement, error) {
	if msg := keyProblem(key); msg != "" {
		return Requirement{}, fmt.Errorf("invalid label key %q: %s", key, msg)
	}
	if msg := checkValues(op, values); msg != "" {
		return Requirement{}, fmt.Errorf("requirement on %q: %s", key, msg)
	}
	return Requirement{Key: key, Operator: op, Values: sortedSet(values)}, nil
}

// checkValues returns what is wrong with values for operator op, or "".
func checkValues(op Operator, values []string) string {
	switch op {
	case In, NotIn:
		if len(values) == 0 {
			return fmt.Sprintf("operator %q needs at least one value", op)
		}
	case Equals, DoubleEquals, NotEquals:
		if len(values) != 1 {
			return fmt.Sprintf("operator %q needs exactly one value, got %d", op, len(values))
		}
	case Exists, DoesNotExist:
		if len(values) != 0 {
			return fmt.Sprintf("operator %q takes no values, got %d", op, len(values))
		}
	case GreaterThan, LessThan:
		if len(values) != 1 {
			return fmt.Sprintf("operator %q needs exactly one value, got %d", op, len(values))
		}
		if _, ok := parseInt64(values[0]); !ok {
			return fmt.Sprintf("operator %q needs an integer value, got %q", op, values[0])
		}
	default:
		return fmt.Sprintf("unknown operator %q (want one of =, ==, !=, in, notin, exists, !, gt, lt)", op)
	}
	for _, v := range values {
		if msg := valueProblem(v); msg != "" {
			return fmt.Sprintf("invalid value %q: %s", v, msg)
		}
	}
	return ""
}

// sortedSet returns values sorted and deduplicated, in a new slice.
func sortedSet(values []string) []string {
	if len(values) == 0 {
		return nil
	}
	out := append([]string(nil), values...)
	sort.Strings(out)
	n := 1
	for i := 1; i < len(out); i++ {
		if out[i] != out[n-1] {
			out[n] = out[i]
			n++
		}
	}
	return out[:n:n]
}

// Selector is a compiled label selector: the AND of its requirements. It is
// immutable and safe to share between goroutines; use it as *Selector. A nil
// *Selector matches nothing.
type Selector struct {
	// Bloom bits that a label set's masks must all have to possibly match: the keys
	// that must be present and the (key, value) pairs of single-valued =, == and in.
	needKeys, needPairs uint64
	nothing             bool
	match               []matcher // reqs compiled, same order; in inline for up to 4
	inline              [4]matcher
	reqs                []Requirement // sorted by key, as apimachinery sorts them
	// For MatchesMap: the requirements in the order that rejects soonest
	// (single-valued =, == and in first, != and notin last), with their strings
	// at hand; in mapInline for up to 4. minKeys is the number of distinct keys
	// a matching label set must have (MaxInt for Nothing).
	byMap     []mapReq
	mapInline [4]mapReq
	minKeys   int
}

// mapReq is a requirement as MatchesMap tests it on a plain map.
type mapReq struct {
	key  string
	val  string   // the value of =, ==, !=, and of in and notin with one value
	vals []string // the values of in and notin with several, else nil
	num  int64    // the bound of gt and lt
	kind kind
}

// mapRank orders MatchesMap's requirements: those a label set fails most often
// first. It decides speed only: every requirement is tested until one fails.
func mapRank(r *mapReq) int {
	switch r.kind {
	case kindIn:
		if r.vals == nil {
			return 0
		}
		return 1
	case kindGT, kindLT:
		return 2
	case kindExists:
		return 3
	case kindNotExist:
		return 4
	}
	return 5
}

// kind is what a compiled requirement tests.
type kind uint8

const (
	kindIn       kind = iota // =, ==, in: key present with one of the values
	kindNotIn                // !=, notin: key absent or with none of the values
	kindExists               // key present
	kindNotExist             // key absent
	kindGT                   // key present, value an integer > num
	kindLT                   // key present, value an integer < num
)

type matcher struct {
	key  ID
	kind kind
	val  ID    // the value when there is one, else NoID
	vals []ID  // the values when there are several
	num  int64 // the bound of gt and lt
}

var emptySet labelSet

var (
	everything = &Selector{}
	nothing    = &Selector{nothing: true, minKeys: math.MaxInt} // MatchesMap: no map has as many
)

// Everything returns the empty selector, which matches every label set.
func Everything() *Selector { return everything }

// Nothing returns the selector that matches no label set.
func Nothing() *Selector { return nothing }

// NewSelector builds a selector from requirements made by NewRequirement (or read
// from Requirements). They are checked again, and sorted by key; requirements with
// the same key keep their order. No requirements give Everything.
func NewSelector(reqs ...Requirement) (*Selector, error) {
	checked := make([]Requirement, len(reqs))
	for i, r := range reqs {
		c, err := NewRequirement(r.Key, r.Operator, r.Values)
		if err != nil {
			return nil, err
		}
		checked[i] = c
	}
	sort.SliceStable(checked, func(i, j int) bool { return checked[i].Key < checked[j].Key })
	return compile(checked), nil
}

// compile interns the requirements, which must be valid and sorted.
func compile(reqs []Requirement) *Selector {
	if len(reqs) == 0 {
		return everything
	}
	s := &Selector{reqs: reqs}
	if len(reqs) <= len(s.inline) {
		s.match = s.inline[:len(reqs):len(reqs)]
	} else {
		s.match = make([]matcher, len(reqs))
	}
	for i, r := range reqs {
		m := &s.match[i]
		m.key = Intern(r.Key)
		switch r.Operator {
		case Equals, DoubleEquals, In:
			m.kind = kindIn
		case NotEquals, NotIn:
			m.kind = kindNotIn
		case Exists:
			m.kind = kindExists
		case DoesNotExist:
			m.kind = kindNotExist
		case GreaterThan:
			m.kind = kindGT
			m.num, _ = parseInt64(r.Values[0])
		case LessThan:
			m.kind = kindLT
			m.num, _ = parseInt64(r.Values[0])
		}
		if m.kind == kindIn || m.kind == kindExists || m.kind == kindGT || m.kind == kindLT {
			s.needKeys |= keyBit(m.key)
		}
		if m.kind == kindIn || m.kind == kindNotIn {
			if len(r.Values) == 1 {
				m.val = Intern(r.Values[0])
				if m.kind == kindIn {
					s.needPairs |= pairBit(m.key, m.val)
				}
			} else {
				m.vals = make([]ID, len(r.Values))
				for j, v := range r.Values {
					m.vals[j] = Intern(v)
				}
			}
		}
	}
	s.compileMap()
	return s
}

// compileMap fills byMap and minKeys from reqs and match.
func (s *Selector) compileMap() {
	if len(s.reqs) <= len(s.mapInline) {
		s.byMap = s.mapInline[:len(s.reqs):len(s.reqs)]
	} else {
		s.byMap = make([]mapReq, len(s.reqs))
	}
	for i, r := range s.reqs {
		m := &s.byMap[i]
		*m = mapReq{key: r.Key, kind: s.match[i].kind, num: s.match[i].num}
		switch m.kind {
		case kindIn, kindNotIn:
			if len(r.Values) == 1 {
				m.val = r.Values[0]
			} else {
				m.vals = r.Values
			}
		}
	}
	// Distinct keys: reqs is sorted by key, so equal keys are adjacent; a key
	// counts once if any of its requirements is positive.
	for i := 0; i < len(s.reqs); {
		j, pos := i, false
		for ; j < len(s.reqs) && s.reqs[j].Key == s.reqs[i].Key; j++ {
			pos = pos || positive(s.match[j].kind)
		}
		if pos {
			s.minKeys++
		}
		i = j
	}
	slices.SortStableFunc(s.byMap, func(a, b mapReq) int { return mapRank(&a) - mapRank(&b) })
}

// positive reports whether a requirement of this kind needs its key present.
func positive(k kind) bool { return k == kindIn || k == kindExists || k == kindGT || k == kindLT }

// has reports whether v is one of m's values.
func (m *matcher) has(v ID) bool {
	if m.vals == nil {
		return v == m.val
	}
	for _, x := range m.vals {
		if x == v {
			return true
		}
	}
	return false
}

// Matches reports whether the labels satisfy every requirement. It does not
// allocate.
func (s *Selector) Matches(l Labels) bool {
	// Small enough to be inlined: most selectors that do not match stop here.
	return s != nil && s.needKeys&^l.keyMask|s.needPairs&^l.pairMask == 0 && s.matches(l.s)
}

func (s *Selector) matches(l *labelSet) bool {
	if s.nothing {
		return false
	}
	if l == nil {
		l = &emptySet
	}
	pairs, nums := l.pairs, l.nums
	for i := range s.match {
		m := &s.match[i]
		j := l.find(m.key)
		found := j >= 0
		switch m.kind {
		case kindIn:
			if !found || !m.has(pairs[j].Value) {
				return false
			}
		case kindNotIn:
			if found && m.has(pairs[j].Value) {
				return false
			}
		case kindExists:
			if !found {
				return false
			}
		case kindNotExist:
			if found {
				return false
			}
		case kindGT:
			if !found || !nums[j].ok || nums[j].n <= m.num {
				return false
			}
		case kindLT:
			if !found || !nums[j].ok || nums[j].n >= m.num {
				return false
			}
		}
	}
	return true
}

// MatchesMap is Matches on an uncompiled label map: one map lookup per
// requirement tested, in an order that rejects soonest. It does not allocate
// or intern.
func (s *Selector) MatchesMap(labels map[string]string) bool {
	if s == nil || len(labels) < s.minKeys { // Nothing has MaxInt
		return false
	}
	for i := range s.byMap {
		r := &s.byMap[i]
		v, found := labels[r.key]
		switch r.kind {
		case kindIn:
			if !found || !r.hasString(v) {
				return false
			}
		case kindNotIn:
			if found && r.hasString(v) {
				return false
			}
		case kindExists:
			if !found {
				return false
			}
		case kindNotExist:
			if found {
				return false
			}
		default: // kindGT, kindLT
			if !found {
				return false
			}
			n, ok := parseInt64(v)
			if !ok || r.kind == kindGT && n <= r.num || r.kind == kindLT && n >= r.num {
				return false
			}
		}
	}
	return true
}

// hasString reports whether v is one of r's values.
func (r *mapReq) hasString(v string) bool {
	if r.vals == nil {
		return v == r.val
	}
	for _, x := range r.vals {
		if x == v {
			return true
		}
	}
	return false
}

// Empty reports whether the selector has no requirements and so matches every label
// set. Nothing() is not empty.
func (s *Selector) Empty() bool { return s != nil && !s.nothing && len(s.reqs) == 0 }

// IsNothing reports whether the selector is Nothing() (or nil), which matches no
// label set. Selectors whose requirements contradict each other (x=a,x=b) also match
// nothing but are not reported here.
func (s *Selector) IsNothing() bool { return s == nil || s.nothing }

// Requirements returns a copy of the requirements, sorted by key.
func (s *Selector) Requirements() []Requirement {
	if s == nil || len(s.reqs) == 0 {
		return nil
	}
	out := make([]Requirement, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = Requirement{Key: r.Key, Operator: r.Operator, Values: append([]string(nil), r.Values...)}
	}
	return out
}

// Len returns the number of requirements.
func (s *Selector) Len() int {
	if s == nil {
		return 0
	}
	return len(s.reqs)
}

// String returns the canonical form apimachinery prints: the requirements sorted by
// key, joined by ",". Parse(s.String()) gives the same selector. Everything() and
// Nothing() both print as "" (as in apimachinery); use IsNothing to tell them apart.
func (s *Selector) String() string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	for i, r := range s.reqs {
		if i > 0 {
			b.WriteByte(',')
		}
		r.writeTo(&b)
	}
	return b.String()
}

// RequiresExactMatch reports whether the selector requires key to have exactly one
// value (by =, == or in with a single value), and that value, as apimachinery's
// method of the same name does.
func (s *Selector) RequiresExactMatch(key string) (string, bool) {
	if s == nil {
		return "", false
	}
	for _, r := range s.reqs {
		if r.Key == key {
			switch r.Operator {
			case Equals, DoubleEquals, In:
				if len(r.Values) == 1 {
					return r.Values[0], true
				}
			}
			return "", false
		}
	}
	return "", false
}

// SelectorFromMap returns the equality selector of m (k1=v1,k2=v2,...), like
// apimachinery's SelectorFromSet: a nil or empty map gives Everything(). It does not
// validate m. For a Service's selector use ServiceSelector.
func SelectorFromMap(m map[string]string) *Selector {
	if len(m) == 0 {
		return everything
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	reqs := make([]Requirement, len(keys))
	for i, k := range keys {
		reqs[i] = Requirement{Key: k, Operator: Equals, Values: []string{m[k]}}
	}
	return compile(reqs)
}

// ServiceSelector returns the selector of a Service whose spec.selector is m. A
// Service with a nil or empty selector selects no pods (the EndpointSlice
// controller leaves its endpoints to be managed by hand; an empty map is never
// stored, as it is omitted when serialised), so both give Nothing(). Otherwise it is
// SelectorFromMap(m).
func ServiceSelector(m map[string]string) *Selector {
	if len(m) == 0 {
		return nothing
	}
	return SelectorFromMap(m)
}

// FromLabelSelector converts a metav1.LabelSelector (matchLabels and
// matchExpressions, ANDed) as apimachinery's LabelSelectorAsSelector does: nil gives
// Nothing(), one with no matchLabels and no matchExpressions gives Everything(), and
// every key, operator and value is validated. Requirements are sorted by key
// (matchLabels before matchExpressions for equal keys) and values deduplicated, so
// String differs from apimachinery's only where it would print a value twice.
func FromLabelSelector(ls *metav1.LabelSelector) (*Selector, error) {
	if ls == nil {
		return nothing, nil
	}
	if len(ls.MatchLabels)+len(ls.MatchExpressions) == 0 {
		return everything, nil
	}
	keys := make([]string, 0, len(ls.MatchLabels))
	for k := range ls.MatchLabels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	reqs := make([]Requirement, 0, len(keys)+len(ls.MatchExpressions))
	for _, k := range keys {
		r, err := NewRequirement(k, Equals, []string{ls.MatchLabels[k]})
		if err != nil {
			return nil, fmt.Errorf("matchLabels: %w", err)
		}
		reqs = append(reqs, r)
	}
	for i, e := range ls.MatchExpressions {
		var op Operator
		switch e.Operator {
		case metav1.LabelSelectorOpIn:
			op = In
		case metav1.LabelSelectorOpNotIn:
			op = NotIn
		case metav1.LabelSelectorOpExists:
			op = Exists
		case metav1.LabelSelectorOpDoesNotExist:
			op = DoesNotExist
		default:
			return nil, fmt.Errorf("matchExpressions[%d]: %q is not a label selector operator (want In, NotIn, Exists or DoesNotExist)", i, e.Operator)
		}
		r, err := NewRequirement(e.Key, op, e.Values)
		if err != nil {
			return nil, fmt.Errorf("matchExpressions[%d]: %w", i, err)
		}
		reqs = append(reqs, r)
	}
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].Key < reqs[j].Key })
	return compile(reqs), nil
}

// MustParse is Parse for selectors known to be valid (tests, built-in scenarios);
// it panics on error.
func MustParse(s string) *Selector {
	sel, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return sel
}

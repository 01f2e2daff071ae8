package labels

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// grammarCases are selectors that parse, with their canonical form.
var grammarCases = []struct{ in, want string }{
	{"", ""},
	{"  \t\n", ""},
	{"x", "x"},
	{"!x", "!x"},
	{"! x", "!x"},
	{" x = a ", "x=a"},
	{"x==a", "x==a"},
	{"x!=a", "x!=a"},
	{"x=", "x="},
	{"x==", "x=="},
	{"x!=,y", "x!=,y"},
	{"x in (b,a,b)", "x in (a,b)"},
	{"x in ()", "x in ()"},
	{"x in (a,)", "x in (,a)"},
	{"x in (,a)", "x in (,a)"},
	{"x in (,)", "x in ()"},
	{"x notin (a,,b)", "x notin (,a,b)"},
	{"x in(a)", "x in (a)"},
	{"x notin\t( a , b )", "x notin (a,b)"},
	{"notin=in", "notin=in"},
	{"in in (in,notin)", "in in (in,notin)"},
	{"in", "in"},
	{"!notin", "!notin"},
	{"x>1", "x>1"},
	{"x < 007", "x<007"},
	{"x>9223372036854775807", "x>9223372036854775807"},
	{"b=1,a=2", "a=2,b=1"},
	{"x=a,x=b", "x=a,x=b"},
	{"x=b,x=a", "x=b,x=a"},
	{"k8s.io/name=web,app.kubernetes.io/part-of=dockercoins", "app.kubernetes.io/part-of=dockercoins,k8s.io/name=web"},
	{"\tx\n=\ra\r\n", "x=a"},
	{"x=A.b_c-9", "x=A.b_c-9"},
	{strings.Repeat("p", 253) + "/" + strings.Repeat("n", 63) + "=" + strings.Repeat("v", 63), strings.Repeat("p", 253) + "/" + strings.Repeat("n", 63) + "=" + strings.Repeat("v", 63)},
	// As in apimachinery, a NUL byte right after a token is skipped, and one where a
	// token would start ends the input.
	{"a=\x00b", "a=b"},
	{"x\x00,y", "x,y"},
	{"x,\x00y", "x,y"},
	{"\x00garbage((", ""},
	{"x=a \x00 ((", "x=a"},
}

// rejectCases are selectors that do not parse: the column of the error and part of
// its message.
var rejectCases = []struct {
	in   string
	col  int
	want string
}{
	{"x=a||y=b", 3, `invalid value "a||y" for key "x"`},
	{"!!x", 2, "found '!' after '!', expected a key"},
	{"!", 2, "found the end of the selector after '!', expected a key"},
	{"x in (a", 8, `found the end of the selector after value "a", expected ',' or ')'`},
	{"x=a,", 5, "found the end of the selector after ',', expected a key or '!'"},
	{",x", 1, "found ',', expected a key or '!'"},
	{"x,,y", 3, "found ',' after ','"},
	{"x in in", 6, `found "in" after 'in', expected '('`},
	{"x in a", 6, `found "a" after 'in', expected '('`},
	{"x=(a)", 3, "found '(' after '=', expected a value"},
	{"x===a", 4, "found '=' after '==', expected a value"},
	{"x>a", 3, `found "a" after '>', expected an integer`},
	{"x>", 3, `found "" after '>', expected an integer`},
	{"x<99999999999999999999", 3, "expected an integer"},
	{"x>-1", 3, `invalid value "-1" for key "x"`},
	{"x y", 3, `found "y" after key "x", expected an operator`},
	{"x=a y", 5, `found "y", expected ',' or the end of the selector`},
	{"!x=a", 3, "found '=' after '!x', expected ',' or the end of the selector ('!key' takes no operator or value)"},
	{"!x in (a)", 4, `found "in" after '!x'`},
	{"x in (a b)", 9, `found "b" after value "a", expected ',' or ')'`},
	{"x notin (=)", 10, "found '=' in the values of \"x\", expected a value, ',' or ')'"},
	{"(x)", 1, "found '(', expected a key or '!'"},
	{"-x=a", 1, `invalid key "-x"`},
	{"a/b/c", 1, "at most one '/'"},
	{"UP.com/x", 1, `the prefix "UP.com" must be a lowercase DNS subdomain`},
	{"/x", 1, "the prefix before '/' must not be empty"},
	{"x/", 1, "the name after '/' must not be empty"},
	{"é=a", 1, `invalid key "é"`},
	{strings.Repeat("k", 64), 1, "the name is 64 bytes long; it must be at most 63"},
	{strings.Repeat("p", 254) + "/k", 1, "the prefix is 254 bytes long"},
	{"x in (a," + strings.Repeat("v", 64) + ")", 9, "a value is at most 63 bytes long, this one is 64"},
	{"x in (a,_b)", 9, `invalid value "_b"`},
	{"x, \x00y", 4, "found the end of the selector after ','"},
}

func TestParseGrammar(t *testing.T) {
	for _, c := range grammarCases {
		sel, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := sel.String(); got != c.want {
			t.Errorf("Parse(%q).String() = %q, want %q", c.in, got, c.want)
		}
		if sel.IsNothing() {
			t.Errorf("Parse(%q) is Nothing", c.in)
		}
		if sel.Empty() != (c.want == "") {
			t.Errorf("Parse(%q).Empty() = %v", c.in, sel.Empty())
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, c := range rejectCases {
		sel, err := Parse(c.in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want an error", c.in, sel)
			continue
		}
		pe, ok := err.(*ParseError)
		if !ok {
			t.Errorf("Parse(%q) error %T, want *ParseError", c.in, err)
			continue
		}
		if pe.Pos+1 != c.col || !strings.Contains(pe.Msg, c.want) {
			t.Errorf("Parse(%q) error at column %d %q; want column %d containing %q", c.in, pe.Pos+1, pe.Msg, c.col, c.want)
		}
		if want := fmt.Sprintf("at column %d: ", c.col); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), fmt.Sprintf("%q", c.in)) {
			t.Errorf("Parse(%q) error %q does not quote the selector and say %q", c.in, err, want)
		}
	}
}

// TestTablesAgreeWithApimachinery checks the hand-written tables above against
// apimachinery itself.
func TestTablesAgreeWithApimachinery(t *testing.T) {
	var sets []map[string]string
	for _, mc := range matchCases {
		for _, c := range mc.cases {
			sets = append(sets, c.labels)
		}
	}
	for _, c := range grammarCases {
		if !compareWithApimachinery(t, c.in, sets) {
			t.Errorf("apimachinery rejects %q", c.in)
		}
	}
	for _, c := range rejectCases {
		if compareWithApimachinery(t, c.in, sets) {
			t.Errorf("apimachinery accepts %q", c.in)
		}
	}
	for _, mc := range matchCases {
		compareWithApimachinery(t, mc.sel, sets)
	}
}

func TestParseRequirements(t *testing.T) {
	sel, err := Parse("tier notin (b,a),app=web,!canary,x>3")
	if err != nil {
		t.Fatal(err)
	}
	want := []Requirement{
		{Key: "app", Operator: Equals, Values: []string{"web"}},
		{Key: "canary", Operator: DoesNotExist},
		{Key: "tier", Operator: NotIn, Values: []string{"a", "b"}},
		{Key: "x", Operator: GreaterThan, Values: []string{"3"}},
	}
	got := sel.Requirements()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Requirements() = %v, want %v", got, want)
	}
	got[0].Values[0] = "changed" // a copy: the selector is immutable
	if sel.String() != "app=web,!canary,tier notin (a,b),x>3" {
		t.Fatalf("selector changed through Requirements(): %q", sel)
	}
	if v, ok := sel.RequiresExactMatch("app"); !ok || v != "web" {
		t.Errorf("RequiresExactMatch(app) = %q, %v", v, ok)
	}
	if _, ok := sel.RequiresExactMatch("tier"); ok {
		t.Errorf("RequiresExactMatch(tier) = true for notin")
	}
}

type matchCase struct {
	labels map[string]string
	want   bool
}

var matchCases = []struct {
	sel   string
	cases []matchCase
}{
	{"", []matchCase{{nil, true}, {map[string]string{"x": "a"}, true}}},
	// MatchesMap rejects maps with fewer labels than the selector's distinct
	// positive keys: a key required twice counts once, negative ones not at all.
	{"x=a,x in (a,b)", []matchCase{{map[string]string{"x": "a"}, true}, {map[string]string{"x": "b"}, false}}},
	{"x,x!=b,y notin (c),!z", []matchCase{{map[string]string{"x": "a"}, true}, {map[string]string{"x": "b"}, false}, {nil, false}}},
	{"x,y,z!=a", []matchCase{{map[string]string{"x": "a"}, false}, {map[string]string{"x": "a", "y": ""}, true}, {map[string]string{"x": "a", "y": "", "z": "a"}, false}}},
	{"!x,x", []matchCase{{map[string]string{"x": "a"}, false}, {nil, false}}},
	{"x=a", []matchCase{{map[string]string{"x": "a"}, true}, {map[string]string{"x": "b"}, false}, {nil, false}, {map[string]string{"y": "a"}, false}}},
	{"x==a", []matchCase{{map[string]string{"x": "a"}, true}, {map[string]string{"x": "A"}, false}}},
	{"x!=a", []matchCase{{nil, true}, {map[string]string{"x": "a"}, false}, {map[string]string{"x": "b"}, true}}},
	{"x in (a,b)", []matchCase{{map[string]string{"x": "b"}, true}, {map[string]string{"x": "c"}, false}, {nil, false}}},
	{"x notin (a,b)", []matchCase{{nil, true}, {map[string]string{"x": "a"}, false}, {map[string]string{"x": "c"}, true}}},
	{"x", []matchCase{{map[string]string{"x": ""}, true}, {nil, false}}},
	{"!x", []matchCase{{nil, true}, {map[string]string{"x": ""}, false}, {map[string]string{"y": "1"}, true}}},
	{"x=", []matchCase{{map[string]string{"x": ""}, true}, {nil, false}, {map[string]string{"x": "a"}, false}}},
	{"x in ()", []matchCase{{map[string]string{"x": ""}, true}, {map[string]string{"x": "a"}, false}}},
	{"x>5", []matchCase{
		{map[string]string{"x": "6"}, true}, {map[string]string{"x": "5"}, false}, {map[string]string{"x": "abc"}, false},
		{nil, false}, {map[string]string{"x": "+7"}, true}, {map[string]string{"x": "-9223372036854775808"}, false},
		{map[string]string{"x": "9223372036854775808"}, false}, {map[string]string{"x": "0x10"}, false}, {map[string]string{"x": "1_0"}, false},
	}},
	{"x<5", []matchCase{{map[string]string{"x": "-3"}, true}, {map[string]string{"x": "007"}, false}, {map[string]string{"x": "4"}, true}, {map[string]string{"x": ""}, false}}},
	{"x=a,x=b", []matchCase{{map[string]string{"x": "a"}, false}, {map[string]string{"x": "b"}, false}}},
	{"a=1,b in (2,3),!c", []matchCase{
		{map[string]string{"a": "1", "b": "3"}, true}, {map[string]string{"a": "1", "b": "3", "c": ""}, false},
		{map[string]string{"a": "1"}, false}, {map[string]string{"a": "2", "b": "2"}, false},
	}},
	{"app=web,tier notin (cache),release", []matchCase{
		{map[string]string{"app": "web", "release": "1", "pod-template-hash": "abc"}, true},
		{map[string]string{"app": "web", "release": "1", "tier": "cache"}, false},
		{map[string]string{"app": "web"}, false},
	}},
}

func TestMatches(t *testing.T) {
	for _, mc := range matchCases {
		sel, err := Parse(mc.sel)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range mc.cases {
			if got := sel.Matches(NewLabels(c.labels)); got != c.want {
				t.Errorf("Parse(%q).Matches(%v) = %v, want %v", mc.sel, c.labels, got, c.want)
			}
			if got := sel.MatchesMap(c.labels); got != c.want {
				t.Errorf("Parse(%q).MatchesMap(%v) = %v, want %v", mc.sel, c.labels, got, c.want)
			}
		}
	}
	for _, m := range []map[string]string{nil, {}, {"x": "a"}} {
		if Nothing().Matches(NewLabels(m)) || Nothing().MatchesMap(m) {
			t.Errorf("Nothing() matches %v", m)
		}
		var nilSel *Selector
		if nilSel.Matches(NewLabels(m)) || nilSel.MatchesMap(m) {
			t.Errorf("nil selector matches %v", m)
		}
		if !Everything().Matches(NewLabels(m)) || !Everything().MatchesMap(m) {
			t.Errorf("Everything() does not match %v", m)
		}
	}
	if Nothing().String() != "" || !Nothing().IsNothing() || Nothing().Empty() || Everything().IsNothing() || !Everything().Empty() {
		t.Errorf("Nothing/Everything: %q %v %v %v %v", Nothing(), Nothing().IsNothing(), Nothing().Empty(), Everything().IsNothing(), Everything().Empty())
	}
}

func TestMatchesDoesNotAllocate(t *testing.T) {
	sel, _ := Parse("app=web,tier in (front,back),!canary,version>2,zone notin (a)")
	l := NewLabels(map[string]string{"app": "web", "tier": "back", "version": "3", "zone": "b", "x": "y"})
	m := l.Map()
	if !sel.Matches(l) || !sel.MatchesMap(m) {
		t.Fatal("selector should match")
	}
	if n := testing.AllocsPerRun(100, func() { sel.Matches(l) }); n != 0 {
		t.Errorf("Matches: %v allocations", n)
	}
	if n := testing.AllocsPerRun(100, func() { sel.MatchesMap(m) }); n != 0 {
		t.Errorf("MatchesMap: %v allocations", n)
	}
}

func TestValidate(t *testing.T) {
	keys := []struct {
		k    string
		want string // "" for valid, else part of the error
	}{
		{"a", ""}, {"A", ""}, {"9", ""}, {"app", ""}, {"a.b_c-d", ""}, {"k8s.io/name", ""},
		{"app.kubernetes.io/part-of", ""}, {"a-b.c/X_y", ""}, {strings.Repeat("n", 63), ""},
		{strings.Repeat("p", 253) + "/n", ""},
		{"", "must not be empty"}, {"-a", "the name must consist"}, {"a-", "the name must consist"},
		{"a b", "the name must consist"}, {strings.Repeat("n", 64), "64 bytes long"},
		{"a/b/c", "at most one '/'"}, {"/a", "prefix before '/' must not be empty"},
		{"a/", "name after '/' must not be empty"}, {"A.com/a", "lowercase DNS subdomain"},
		{"a..b/c", "lowercase DNS subdomain"}, {"-a.com/b", "lowercase DNS subdomain"},
		{"a_b/c", "lowercase DNS subdomain"}, {"a-.b/c", "lowercase DNS subdomain"},
		{strings.Repeat("p", 254) + "/n", "254 bytes long"},
	}
	for _, c := range keys {
		err := ValidateKey(c.k)
		if (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("ValidateKey(%q) = %v, want %q", c.k, err, c.want)
		}
	}
	values := []struct{ v, want string }{
		{"", ""}, {"a", ""}, {"web-1", ""}, {"A.b_c", ""}, {strings.Repeat("v", 63), ""},
		{"-a", "must be empty or consist"}, {"a_", "must be empty or consist"}, {"a b", "must be empty or consist"},
		{"a/b", "must be empty or consist"}, {strings.Repeat("v", 64), "at most 63 bytes"},
	}
	for _, c := range values {
		err := ValidateValue(c.v)
		if (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("ValidateValue(%q) = %v, want %q", c.v, err, c.want)
		}
	}
	if err := ValidateLabels(map[string]string{"app": "web", "k8s.io/x": ""}); err != nil {
		t.Errorf("ValidateLabels(valid) = %v", err)
	}
	err := ValidateLabels(map[string]string{"z": "-bad", "-a": "ok", "b": "ok"})
	if err == nil || !strings.Contains(err.Error(), `"-a"`) || !strings.Contains(err.Error(), `"-bad" of label "z"`) ||
		strings.Index(err.Error(), `"-a"`) > strings.Index(err.Error(), `"z"`) {
		t.Errorf("ValidateLabels(invalid) = %v, want both problems in key order", err)
	}
}

func TestFromLabelSelector(t *testing.T) {
	sel, err := FromLabelSelector(nil)
	if err != nil || !sel.IsNothing() || sel.Matches(NewLabels(nil)) {
		t.Errorf("FromLabelSelector(nil) = %v, %v; want Nothing", sel, err)
	}
	sel, err = FromLabelSelector(&metav1.LabelSelector{})
	if err != nil || !sel.Empty() || !sel.Matches(NewLabels(map[string]string{"a": "b"})) {
		t.Errorf("FromLabelSelector(empty) = %v, %v; want Everything", sel, err)
	}
	sel, err = FromLabelSelector(&metav1.LabelSelector{
		MatchLabels: map[string]string{"tier": "web", "app": "dockercoins"},
		MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "track", Operator: metav1.LabelSelectorOpIn, Values: []string{"stable", "canary", "stable"}},
			{Key: "legacy", Operator: metav1.LabelSelectorOpDoesNotExist},
			{Key: "app", Operator: metav1.LabelSelectorOpExists},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "app=dockercoins,app,!legacy,tier=web,track in (canary,stable)"; sel.String() != want {
		t.Errorf("FromLabelSelector(...).String() = %q, want %q", sel, want)
	}
	if !sel.Matches(NewLabels(map[string]string{"app": "dockercoins", "tier": "web", "track": "canary"})) ||
		sel.Matches(NewLabels(map[string]string{"app": "dockercoins", "tier": "web", "track": "canary", "legacy": "1"})) {
		t.Error("FromLabelSelector(...) matches wrongly")
	}
	bad := []struct {
		ls   metav1.LabelSelector
		want string
	}{
		{metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "a", Operator: "Gt", Values: []string{"1"}}}}, `matchExpressions[0]: "Gt" is not a label selector operator`},
		{metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "a", Operator: "In"}}}, `needs at least one value`},
		{metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "a", Operator: "Exists", Values: []string{"x"}}}}, `takes no values`},
		{metav1.LabelSelector{MatchLabels: map[string]string{"a": "b c"}}, `matchLabels: requirement on "a": invalid value "b c"`},
		{metav1.LabelSelector{MatchLabels: map[string]string{"a/b/c": "x"}}, `invalid label key "a/b/c"`},
	}
	for _, c := range bad {
		if _, err := FromLabelSelector(&c.ls); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("FromLabelSelector(%v) error %v, want %q", c.ls, err, c.want)
		}
	}
}

func TestServiceAndMapSelectors(t *testing.T) {
	pod := NewLabels(map[string]string{"app": "rng", "pod-template-hash": "5d8f"})
	for _, m := range []map[string]string{nil, {}} {
		if s := ServiceSelector(m); !s.IsNothing() || s.Matches(pod) {
			t.Errorf("ServiceSelector(%v) selects pods; a Service without a selector selects none", m)
		}
		if s := SelectorFromMap(m); !s.Empty() || !s.Matches(pod) {
			t.Errorf("SelectorFromMap(%v) is not Everything", m)
		}
	}
	s := ServiceSelector(map[string]string{"app": "rng"})
	if !s.Matches(pod) || s.String() != "app=rng" {
		t.Errorf("ServiceSelector(app=rng) = %q, matches %v", s, s.Matches(pod))
	}
	if s := ServiceSelector(map[string]string{"app": "rng", "tier": "x"}); s.Matches(pod) || s.String() != "app=rng,tier=x" {
		t.Errorf("ServiceSelector(app=rng,tier=x) = %q, matches %v", s, s.Matches(pod))
	}
}

func TestNewSelector(t *testing.T) {
	sel, err := NewSelector(
		Requirement{Key: "b", Operator: In, Values: []string{"y", "x"}},
		Requirement{Key: "a", Operator: Exists},
		Requirement{Key: "b", Operator: NotEquals, Values: []string{"z"}},
	)
	if err != nil || sel.String() != "a,b in (x,y),b!=z" {
		t.Fatalf("NewSelector = %q, %v", sel, err)
	}
	if _, err := NewSelector(Requirement{Key: "a", Operator: "~"}); err == nil || !strings.Contains(err.Error(), `unknown operator "~"`) {
		t.Errorf("NewSelector(bad op) error %v", err)
	}
	if _, err := NewSelector(Requirement{Key: "a", Operator: GreaterThan, Values: []string{"x"}}); err == nil || !strings.Contains(err.Error(), "integer") {
		t.Errorf("NewSelector(a gt x) error %v", err)
	}
	if s, err := NewSelector(); err != nil || !s.Empty() {
		t.Errorf("NewSelector() = %v, %v; want Everything", s, err)
	}
}

func TestLabels(t *testing.T) {
	// Intern the keys in reverse order first: the order of a label set must not depend
	// on the IDs.
	for _, s := range []string{"zone", "tier", "app"} {
		Intern(s)
	}
	l := NewLabels(map[string]string{"tier": "web", "app": "dockercoins", "zone": "a"})
	if l.Len() != 3 || l.String() != "app=dockercoins,tier=web,zone=a" {
		t.Errorf("labels = %q (len %d)", l, l.Len())
	}
	if v, ok := l.Get("tier"); !ok || v != "web" {
		t.Errorf("Get(tier) = %q, %v", v, ok)
	}
	if _, ok := l.Get("nope"); ok {
		t.Errorf("Get(nope) found")
	}
	var keys []string
	l.Each(func(k, v ID) { keys = append(keys, k.String()+"="+v.String()) })
	if strings.Join(keys, ",") != l.String() {
		t.Errorf("Each order %v", keys)
	}
	ps := l.Pairs()
	if len(ps) != 3 || ps[0].Key != Intern("app") || ps[0].Value != Intern("dockercoins") {
		t.Errorf("Pairs() = %v", ps)
	}
	if v, ok := l.GetID(Intern("zone")); !ok || v != Intern("a") {
		t.Errorf("GetID(zone) = %v, %v", v, ok)
	}
	m := l.Map()
	m["app"] = "changed"
	if v, _ := l.Get("app"); v != "dockercoins" {
		t.Errorf("labels changed through Map()")
	}
	if !l.Equal(NewLabels(map[string]string{"zone": "a", "app": "dockercoins", "tier": "web"})) || l.Equal(NewLabels(m)) {
		t.Errorf("Equal wrong")
	}
	var zero Labels
	if zero.Len() != 0 || zero.String() != "" || len(zero.Map()) != 0 || !zero.Equal(NewLabels(map[string]string{})) {
		t.Errorf("zero Labels not empty")
	}
	if id, ok := LookupID("never-interned-string-xyz"); ok || id != NoID {
		t.Errorf("LookupID of a new string = %v, %v", id, ok)
	}
}

// TestConcurrentUse parses, compiles and matches from many goroutines at once (run
// with -race) and checks that the results are those of a sequential run.
func TestConcurrentUse(t *testing.T) {
	g := newGen(7)
	type job struct {
		sel  string
		sets []map[string]string
	}
	var jobs []job
	for len(jobs) < 2000 {
		s := g.selector()
		if _, err := Parse(s); err != nil {
			continue
		}
		j := job{sel: s}
		for i := 0; i < 4; i++ {
			j.sets = append(j.sets, g.labels())
		}
		jobs = append(jobs, j)
	}
	run := func(j job) string {
		sel, err := Parse(j.sel)
		if err != nil {
			return err.Error()
		}
		out := sel.String()
		for _, m := range j.sets {
			out += fmt.Sprintf(" %v", sel.Matches(NewLabels(m)))
		}
		return out
	}
	want := make([]string, len(jobs))
	for i, j := range jobs {
		want[i] = run(j)
	}
	got := make([]string, len(jobs))
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(jobs); i += 8 {
				got[i] = run(jobs[i])
			}
		}()
	}
	wg.Wait()
	for i := range jobs {
		if got[i] != want[i] {
			t.Fatalf("%q: concurrent %q, sequential %q", jobs[i].sel, got[i], want[i])
		}
	}
}

func TestInternConcurrent(t *testing.T) {
	words := make([]string, 5000) // enough to grow the table while goroutines read it
	for i := range words {
		words[i] = fmt.Sprintf("intern-test-%d", i)
	}
	ids := make([][]ID, 4)
	var wg sync.WaitGroup
	for w := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[w] = make([]ID, len(words))
			for i := range words {
				j := i
				if w%2 == 1 {
					j = len(words) - 1 - i
				}
				ids[w][j] = Intern(words[j])
			}
		}()
	}
	wg.Wait()
	seen := map[ID]bool{}
	for i, s := range words {
		for w := range ids {
			if ids[w][i] != ids[0][i] {
				t.Fatalf("Intern(%q) gave %v and %v", s, ids[0][i], ids[w][i])
			}
		}
		if seen[ids[0][i]] || ids[0][i] == NoID || ids[0][i].String() != s {
			t.Fatalf("Intern(%q) = %v, not a fresh id for this string", s, ids[0][i])
		}
		seen[ids[0][i]] = true
	}
}

package labels

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8s "k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
)

// compareWithApimachinery checks that Parse accepts s exactly when apimachinery does
// and, if it does, that the canonical string, the requirements and the result of
// matching every label set are the same. It returns whether s was accepted.
func compareWithApimachinery(t testing.TB, s string, sets []map[string]string) bool {
	t.Helper()
	want, wantErr := k8s.Parse(s)
	got, gotErr := Parse(s)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("Parse(%q): apimachinery error %v, ours %v", s, wantErr, gotErr)
	}
	if wantErr != nil {
		return false
	}
	if g, w := got.String(), want.String(); g != w {
		t.Fatalf("Parse(%q).String() = %q, apimachinery %q", s, g, w)
	}
	if got.Empty() != want.Empty() {
		t.Fatalf("Parse(%q).Empty() = %v, apimachinery %v", s, got.Empty(), want.Empty())
	}
	wreqs, _ := want.Requirements()
	greqs := got.Requirements()
	if len(wreqs) != len(greqs) {
		t.Fatalf("Parse(%q): %d requirements, apimachinery %d", s, len(greqs), len(wreqs))
	}
	for i, w := range wreqs {
		g := greqs[i]
		if g.Key != w.Key() || string(g.Operator) != string(w.Operator()) || !slices.Equal(g.Values, w.Values().List()) {
			t.Fatalf("Parse(%q) requirement %d = %v, apimachinery %s", s, i, g, w.String())
		}
	}
	for _, m := range sets {
		wm := want.Matches(k8s.Set(m))
		if gm := got.Matches(NewLabels(m)); gm != wm {
			t.Fatalf("Parse(%q).Matches(%v) = %v, apimachinery %v", s, m, gm, wm)
		}
		if gm := got.MatchesMap(m); gm != wm {
			t.Fatalf("Parse(%q).MatchesMap(%v) = %v, apimachinery %v", s, m, gm, wm)
		}
	}
	// The canonical form parses back to the same selector.
	again, err := Parse(got.String())
	if err != nil || again.String() != got.String() {
		t.Fatalf("Parse(%q).String() = %q does not parse back to itself: %v %q", s, got.String(), err, again)
	}
	return true
}

func TestDifferentialParseAndMatch(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	g := newGen(1)
	sets := make([]map[string]string, 6)
	accepted, nonEmpty, trues, falses := 0, 0, 0, 0
	for i := 0; i < n; i++ {
		s := g.selector()
		reqs, _ := k8s.ParseToRequirements(s)
		for j := range sets {
			sets[j] = g.labelsFor(reqs)
		}
		if compareWithApimachinery(t, s, sets) {
			accepted++
			sel, _ := Parse(s)
			if sel.Empty() {
				continue
			}
			nonEmpty++
			for _, m := range sets {
				if sel.MatchesMap(m) {
					trues++
				} else {
					falses++
				}
			}
		}
	}
	t.Logf("%d selectors: %d accepted (%d not empty), %d rejected; matches: %d true, %d false",
		n, accepted, nonEmpty, n-accepted, trues, falses)
	// The generator must exercise every outcome in earnest.
	if accepted < n/5 || n-accepted < n/5 || nonEmpty < n/5 || trues < nonEmpty || falses < nonEmpty {
		t.Fatalf("generator too one-sided")
	}
}

func TestDifferentialValidation(t *testing.T) {
	g := newGen(2)
	var cands []string
	cands = append(cands, genKeys...)
	cands = append(cands, genValues...)
	for i := 0; i < 20_000; i++ {
		s := g.pick(genKeys) + g.pick([]string{"", "/", ".", "-", "_", "a"}) + g.pick(genValues)
		if g.r.IntN(2) == 0 {
			s = g.mutate(s)
		}
		cands = append(cands, s)
	}
	for _, s := range cands {
		wantKey := len(validation.IsQualifiedName(s)) == 0
		if gotKey := ValidateKey(s) == nil; gotKey != wantKey {
			t.Errorf("ValidateKey(%q) ok = %v, apimachinery %v", s, gotKey, wantKey)
		}
		wantVal := len(validation.IsValidLabelValue(s)) == 0
		if gotVal := ValidateValue(s) == nil; gotVal != wantVal {
			t.Errorf("ValidateValue(%q) ok = %v, apimachinery %v", s, gotVal, wantVal)
		}
	}
}

func TestDifferentialLabelSelector(t *testing.T) {
	g := newGen(3)
	ops := []metav1.LabelSelectorOperator{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "in", ""}
	okCount := 0
	for i := 0; i < 20_000; i++ {
		var ls *metav1.LabelSelector
		if g.r.IntN(20) != 0 {
			ls = &metav1.LabelSelector{}
			if g.r.IntN(2) == 0 {
				ls.MatchLabels = g.labels()
			}
			for n := g.r.IntN(4); n > 0; n-- {
				e := metav1.LabelSelectorRequirement{Key: g.pick(genKeys[:16]), Operator: ops[g.r.IntN(len(ops))]}
				if g.r.IntN(10) == 0 {
					e.Key = g.pick(genKeys)
				}
				for v := g.r.IntN(4); v > 0; v-- {
					e.Values = append(e.Values, g.pick(genValues))
				}
				if g.r.IntN(3) == 0 && (e.Operator == "Exists" || e.Operator == "DoesNotExist") {
					e.Values = nil
				}
				ls.MatchExpressions = append(ls.MatchExpressions, e)
			}
		}
		want, wantErr := metav1.LabelSelectorAsSelector(ls)
		got, gotErr := FromLabelSelector(ls)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("FromLabelSelector(%v): apimachinery error %v, ours %v", ls, wantErr, gotErr)
		}
		if wantErr != nil {
			continue
		}
		okCount++
		if got.Empty() != want.Empty() || got.IsNothing() != k8s.MatchesNothing(want) {
			t.Fatalf("FromLabelSelector(%v): empty/nothing %v/%v, apimachinery %v/%v", ls, got.Empty(), got.IsNothing(), want.Empty(), k8s.MatchesNothing(want))
		}
		// apimachinery keeps duplicate values (x in (a,a)) where we dedupe, and orders
		// requirements with equal keys by map iteration when there are more than 12;
		// otherwise the canonical forms agree.
		if ls != nil && len(ls.MatchLabels)+len(ls.MatchExpressions) <= 12 && !hasDuplicateValues(ls) && got.String() != want.String() {
			t.Fatalf("FromLabelSelector(%v).String() = %q, apimachinery %q", ls, got, want)
		}
		for j := 0; j < 6; j++ {
			m := g.labels()
			if gm, wm := got.Matches(NewLabels(m)), want.Matches(k8s.Set(m)); gm != wm {
				t.Fatalf("FromLabelSelector(%v).Matches(%v) = %v, apimachinery %v", ls, m, gm, wm)
			}
		}
	}
	if okCount < 2000 {
		t.Fatalf("only %d valid label selectors generated", okCount)
	}
}

func TestDifferentialSelectorFromMap(t *testing.T) {
	g := newGen(4)
	for i := 0; i < 5000; i++ {
		sm := g.labels()
		if i%50 == 0 {
			sm = nil
		}
		want := k8s.SelectorFromSet(sm)
		got := SelectorFromMap(sm)
		if got.String() != want.String() || got.Empty() != want.Empty() {
			t.Fatalf("SelectorFromMap(%v) = %q (empty %v), apimachinery %q (empty %v)", sm, got, got.Empty(), want, want.Empty())
		}
		for j := 0; j < 4; j++ {
			m := g.labels()
			if gm, wm := got.Matches(NewLabels(m)), want.Matches(k8s.Set(m)); gm != wm {
				t.Fatalf("SelectorFromMap(%v).Matches(%v) = %v, apimachinery %v", sm, m, gm, wm)
			}
		}
	}
}

func hasDuplicateValues(ls *metav1.LabelSelector) bool {
	for _, e := range ls.MatchExpressions {
		if len(sortedSet(e.Values)) != len(e.Values) {
			return true
		}
	}
	return false
}

// TestDifferentialLargeSets matches selectors with many requirements against label
// sets with many labels (beyond the inline storage and the 64-slot key index, so
// that slots are shared and positions pass 254) and compares with apimachinery.
func TestDifferentialLargeSets(t *testing.T) {
	g := newGen(6)
	for round := 0; round < 200; round++ {
		m := map[string]string{}
		n := []int{9, 40, 70, 300}[round%4]
		for i := 0; i < n; i++ {
			m[fmt.Sprintf("k%d", g.r.IntN(2*n))] = fmt.Sprint(g.r.IntN(4))
		}
		l := NewLabels(m)
		for s := 0; s < 20; s++ {
			var reqs []string
			for r := 1 + g.r.IntN(20); r > 0; r-- {
				k := fmt.Sprintf("k%d", g.r.IntN(2*n))
				switch g.r.IntN(6) {
				case 0:
					reqs = append(reqs, k)
				case 1:
					reqs = append(reqs, "!"+k)
				case 2:
					reqs = append(reqs, fmt.Sprintf("%s in (%d,%d)", k, g.r.IntN(4), g.r.IntN(4)))
				case 3:
					reqs = append(reqs, fmt.Sprintf("%s notin (%d)", k, g.r.IntN(4)))
				case 4:
					reqs = append(reqs, fmt.Sprintf("%s>%d", k, g.r.IntN(4)))
				default:
					reqs = append(reqs, fmt.Sprintf("%s!=%d", k, g.r.IntN(4)))
				}
			}
			str := strings.Join(reqs, ",")
			want, err := k8s.Parse(str)
			if err != nil {
				t.Fatal(err)
			}
			got := MustParse(str)
			if gm, wm := got.Matches(l), want.Matches(k8s.Set(m)); gm != wm {
				t.Fatalf("%q on %d labels: ours %v, apimachinery %v", str, len(m), gm, wm)
			}
			// Also each requirement alone, so that both outcomes are exercised.
			for _, r := range reqs {
				w, _ := k8s.Parse(r)
				if gm, wm := MustParse(r).Matches(l), w.Matches(k8s.Set(m)); gm != wm {
					t.Fatalf("%q on %d labels: ours %v, apimachinery %v", r, len(m), gm, wm)
				}
			}
		}
	}
}

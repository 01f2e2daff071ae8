package labels

import (
	"testing"

	k8s "k8s.io/apimachinery/pkg/labels"
)

// fuzzLabelSets are matched against every selector the fuzzer finds acceptable.
var fuzzLabelSets = []map[string]string{
	nil,
	{"a": "", "x": "1", "in": "notin"},
	{"a": "a", "b": "b", "x": "5", "y": "-3", "notin": "in", "app": "web"},
	{"x": "007", "y": "+2", "a": "in", "k8s.io/name": "a.b", "tier": "9223372036854775807"},
	{"x": "a||b", "a": "x y", "b": "", "z": "-9223372036854775808"},
}

// FuzzParseSelector checks that Parse never panics and agrees with apimachinery on
// acceptance, canonical form and matching.
func FuzzParseSelector(f *testing.F) {
	for _, c := range grammarCases {
		f.Add(c.in)
	}
	for _, c := range rejectCases {
		f.Add(c.in)
	}
	g := newGen(5)
	for i := 0; i < 200; i++ {
		f.Add(g.selector())
	}
	f.Fuzz(func(t *testing.T, s string) {
		sets := append([]map[string]string(nil), fuzzLabelSets...)
		if reqs, err := k8s.ParseToRequirements(s); err == nil {
			// A label set built from the selector's own values, so both outcomes occur.
			m := map[string]string{}
			for i, r := range reqs {
				if vs := r.ValuesUnsorted(); len(vs) > 0 && i%3 != 2 {
					m[r.Key()] = vs[i%len(vs)]
				}
			}
			sets = append(sets, m)
		}
		compareWithApimachinery(t, s, sets)
	})
}

package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	k8s "k8s.io/apimachinery/pkg/labels"

	"github.com/kubesim/kubesim/model/labels"
)

// selectorWorkload is a realistic mix of Service / controller selectors (1-4
// requirements: mostly equality, some in / notin / != / exists / !exists) and pods
// (3-8 labels) drawn from the same vocabulary, so that matches go both ways.
// nPair is the number of (selector, pod) pairs a benchmark cycles through: a power of
// two, so that picking the next pair costs a mask rather than a division.
const nPair = 4096

type selectorWorkload struct {
	selectors []string
	pods      []map[string]string
	pairs     [][2]int // (selector, pod) index pairs, in benchmark order
}

var labelVocabulary = []struct {
	key    string
	values []string
}{
	{"app", []string{"rng", "hasher", "worker", "webui", "redis"}},
	{"app.kubernetes.io/name", []string{"dockercoins", "prometheus", "nginx"}},
	{"app.kubernetes.io/component", []string{"frontend", "backend", "cache", "queue"}},
	{"tier", []string{"frontend", "backend", "cache"}},
	{"environment", []string{"production", "staging", "dev"}},
	{"track", []string{"stable", "canary"}},
	{"release", []string{"r1", "r2", "r3"}},
	{"version", []string{"1.0.0", "1.1.0", "2.0.0"}},
	{"pod-template-hash", []string{"5d8f7c9b6", "7f9c6d4b8", "6b7d5f8c9", "84c7b6d5f"}},
	{"zone", []string{"us-east-1a", "us-east-1b", "eu-west-1a"}},
}

func newSelectorWorkload(seed uint64) *selectorWorkload {
	return genSelectorWorkload(seed, 128, 256, nPair, false)
}

// genSelectorWorkload draws nSel selectors, nPod pods and nPairs (selector, pod)
// pairs. With own, every pod's map holds its own copies of its key and value
// strings, as maps decoded from the API server do; otherwise all maps share the
// vocabulary's strings.
func genSelectorWorkload(seed uint64, nSel, nPod, nPairs int, own bool) *selectorWorkload {
	r := rand.New(rand.NewPCG(seed, 0x73656c))
	w := &selectorWorkload{}
	for i := 0; i < nPod; i++ {
		m := map[string]string{}
		n := 3 + r.IntN(6)
		for _, j := range r.Perm(len(labelVocabulary))[:n] {
			v := labelVocabulary[j]
			k, val := v.key, v.values[r.IntN(len(v.values))]
			if own {
				k, val = strings.Clone(k), strings.Clone(val)
			}
			m[k] = val
		}
		w.pods = append(w.pods, m)
	}
	for i := 0; i < nSel; i++ {
		n := 1 + r.IntN(4)
		var reqs []string
		for _, j := range r.Perm(len(labelVocabulary) - 1)[:n] { // no pod-template-hash
			v := labelVocabulary[j]
			pick := func() string { return v.values[r.IntN(len(v.values))] }
			switch x := r.IntN(20); {
			case x < 10:
				reqs = append(reqs, v.key+"="+pick())
			case x < 14:
				reqs = append(reqs, fmt.Sprintf("%s in (%s,%s)", v.key, pick(), pick()))
			case x < 16:
				reqs = append(reqs, fmt.Sprintf("%s notin (%s)", v.key, pick()))
			case x < 18:
				reqs = append(reqs, v.key+"!="+pick())
			case x < 19:
				reqs = append(reqs, v.key)
			default:
				reqs = append(reqs, "!"+v.key)
			}
		}
		w.selectors = append(w.selectors, strings.Join(reqs, ","))
	}
	for i := 0; i < nPairs; i++ {
		w.pairs = append(w.pairs, [2]int{r.IntN(nSel), r.IntN(nPod)})
	}
	return w
}

var sink int

// TestSelectorWorkloadAgrees checks that both implementations give the same results
// on the benchmark workload, and that the workload has both outcomes.
func TestSelectorWorkloadAgrees(t *testing.T) {
	w := newSelectorWorkload(1)
	matched := 0
	for _, p := range w.pairs {
		ours := labels.MustParse(w.selectors[p[0]])
		theirs, err := k8s.Parse(w.selectors[p[0]])
		if err != nil {
			t.Fatal(err)
		}
		got, want := ours.Matches(labels.NewLabels(w.pods[p[1]])), theirs.Matches(k8s.Set(w.pods[p[1]]))
		if got != want {
			t.Fatalf("%q on %v: ours %v, apimachinery %v", w.selectors[p[0]], w.pods[p[1]], got, want)
		}
		if got {
			matched++
		}
	}
	if matched < len(w.pairs)/20 || matched > len(w.pairs)/2 {
		t.Fatalf("%d of %d pairs match: workload too one-sided", matched, len(w.pairs))
	}
}

// BenchmarkSelectorMatch matches compiled selectors against compiled label sets.
// Outside the timer: the 128 selectors are parsed and compiled, and the 256 pods'
// label maps are compiled with labels.NewLabels (keys and values interned, Bloom
// masks built). Timed: one Matches per op on the next of 4096 fixed (selector, pod)
// pairs; selectors, label sets and pairs (about 200 KB) stay in cache. Its baseline,
// BenchmarkSelectorMatchApimachinery, matches the same pairs on plain maps, so the
// ratio includes the compile we leave out; BenchmarkSelectorMatchesMap is ours on
// the same maps, and the ...Large variants take the working set out of cache.
func BenchmarkSelectorMatch(b *testing.B) {
	w := newSelectorWorkload(1)
	sels := make([]*labels.Selector, len(w.selectors))
	for i, s := range w.selectors {
		sels[i] = labels.MustParse(s)
	}
	pods := make([]labels.Labels, len(w.pods))
	for i, m := range w.pods {
		pods[i] = labels.NewLabels(m)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		p := w.pairs[i&(nPair-1)]
		if sels[p[0]].Matches(pods[p[1]]) {
			n++
		}
	}
	sink += n
	b.ReportMetric(float64(n)/float64(b.N), "matched/op")
}

// BenchmarkSelectorMatchApimachinery is the baseline of BenchmarkSelectorMatch and
// BenchmarkSelectorMatchesMap: k8s.io/apimachinery selectors, parsed outside the
// timer, matched against the pods' plain label maps (labels.Set).
func BenchmarkSelectorMatchApimachinery(b *testing.B) {
	w := newSelectorWorkload(1)
	sels := make([]k8s.Selector, len(w.selectors))
	for i, s := range w.selectors {
		sel, err := k8s.Parse(s)
		if err != nil {
			b.Fatal(err)
		}
		sels[i] = sel
	}
	pods := make([]k8s.Set, len(w.pods))
	for i, m := range w.pods {
		pods[i] = k8s.Set(m)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		p := w.pairs[i&(nPair-1)]
		if sels[p[0]].Matches(pods[p[1]]) {
			n++
		}
	}
	sink += n
	b.ReportMetric(float64(n)/float64(b.N), "matched/op")
}

// BenchmarkSelectorMatchesMap is BenchmarkSelectorMatch on the plain label maps,
// the same input BenchmarkSelectorMatchApimachinery gets (and what the model's
// controllers match): only the selectors are compiled outside the timer, as
// apimachinery's are parsed; nothing about the pods is precomputed.
func BenchmarkSelectorMatchesMap(b *testing.B) {
	w := newSelectorWorkload(1)
	sels := make([]*labels.Selector, len(w.selectors))
	for i, s := range w.selectors {
		sels[i] = labels.MustParse(s)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		p := w.pairs[i&(nPair-1)]
		if sels[p[0]].MatchesMap(w.pods[p[1]]) {
			n++
		}
	}
	sink += n
	b.ReportMetric(float64(n)/float64(b.N), "matched/op")
}

// matchingPairs returns the workload's pairs that match, repeated to nPair: the
// worst case for the Bloom-filter shortcut, where every requirement is checked.
func (w *selectorWorkload) matchingPairs() [][2]int {
	var out [][2]int
	for _, p := range w.pairs {
		if labels.MustParse(w.selectors[p[0]]).MatchesMap(w.pods[p[1]]) {
			out = append(out, p)
		}
	}
	for i := 0; len(out) < nPair; i++ {
		out = append(out, out[i])
	}
	return out[:nPair]
}

// BenchmarkSelectorMatchTrue is BenchmarkSelectorMatch (selectors and label sets
// compiled outside the timer) on matching pairs only.
func BenchmarkSelectorMatchTrue(b *testing.B) {
	w := newSelectorWorkload(1)
	w.pairs = w.matchingPairs()
	sels := make([]*labels.Selector, len(w.selectors))
	for i, s := range w.selectors {
		sels[i] = labels.MustParse(s)
	}
	pods := make([]labels.Labels, len(w.pods))
	for i, m := range w.pods {
		pods[i] = labels.NewLabels(m)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		p := w.pairs[i&(nPair-1)]
		if sels[p[0]].Matches(pods[p[1]]) {
			n++
		}
	}
	sink += n
	b.ReportMetric(float64(n)/float64(b.N), "matched/op")
}

// BenchmarkSelectorMatchTrueApimachinery is its baseline: pre-parsed selectors on
// plain maps, matching pairs only.
func BenchmarkSelectorMatchTrueApimachinery(b *testing.B) {
	w := newSelectorWorkload(1)
	w.pairs = w.matchingPairs()
	sels := make([]k8s.Selector, len(w.selectors))
	for i, s := range w.selectors {
		sels[i], _ = k8s.Parse(s)
	}
	pods := make([]k8s.Set, len(w.pods))
	for i, m := range w.pods {
		pods[i] = k8s.Set(m)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		p := w.pairs[i&(nPair-1)]
		if sels[p[0]].Matches(pods[p[1]]) {
			n++
		}
	}
	sink += n
	b.ReportMetric(float64(n)/float64(b.N), "matched/op")
}

// BenchmarkSelectorParse parses and compiles a selector string (nothing is
// precomputed but the strings); baseline BenchmarkSelectorParseApimachinery.
func BenchmarkSelectorParse(b *testing.B) {
	w := newSelectorWorkload(1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sel, err := labels.Parse(w.selectors[i%len(w.selectors)])
		if err != nil {
			b.Fatal(err)
		}
		sink += sel.Len()
	}
}

func BenchmarkSelectorParseApimachinery(b *testing.B) {
	w := newSelectorWorkload(1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sel, err := k8s.Parse(w.selectors[i%len(w.selectors)])
		if err != nil {
			b.Fatal(err)
		}
		reqs, _ := sel.Requirements()
		sink += len(reqs)
	}
}

// The ...Large selector benchmarks take the working set out of cache: 10,000
// selectors and 150,000 pods drawn as in selectorWorkload, each pod's map holding
// its own key and value strings (as decoded objects do), and 2^20 (selector, pod)
// pairs drawn uniformly, so that most ops load a selector, a map and its strings
// from memory.
const (
	largeSelectors = 10000
	largePods      = 150000
	largePairs     = 1 << 20
)

var (
	largeSelOnce sync.Once
	largeSel     *selectorWorkload
)

func largeSelectorWorkload() *selectorWorkload {
	largeSelOnce.Do(func() { largeSel = genSelectorWorkload(2, largeSelectors, largePods, largePairs, true) })
	return largeSel
}

// BenchmarkSelectorMatchesMapLarge is ours on plain maps out of cache: outside the
// timer only the 10,000 selectors are compiled (as apimachinery's are parsed in
// its baseline, BenchmarkSelectorMatchApimachineryLarge); timed: one MatchesMap
// per op on the next of 2^20 random pairs.
func BenchmarkSelectorMatchesMapLarge(b *testing.B) {
	w := largeSelectorWorkload()
	sels := make([]*labels.Selector, len(w.selectors))
	for i, s := range w.selectors {
		sels[i] = labels.MustParse(s)
	}
	n := 0
	i := 0
	for b.Loop() {
		p := w.pairs[i&(largePairs-1)]
		i++
		if largeMatchesMapOp(sels[p[0]], w.pods[p[1]]) {
			n++
		}
	}
	sink += n
	b.ReportMetric(float64(n)/float64(i), "matched/op")
}

// The ...Op functions are one op of the ...Large benchmarks, kept out of line
// so that an instruction counter can count them alone (callgrind
// --toggle-collect); all three pay the same call.
//
//go:noinline
func largeMatchesMapOp(s *labels.Selector, m map[string]string) bool { return s.MatchesMap(m) }

//go:noinline
func largeMatchOp(s *labels.Selector, l labels.Labels) bool { return s.Matches(l) }

//go:noinline
func largeApimachineryOp(s k8s.Selector, m map[string]string) bool { return s.Matches(k8s.Set(m)) }

// BenchmarkSelectorMatchLarge is ours on compiled label sets out of cache: outside
// the timer the selectors and all 150,000 label sets are compiled. Baseline
// BenchmarkSelectorMatchApimachineryLarge (plain maps, so the compile we leave
// out is in the ratio's favour).
func BenchmarkSelectorMatchLarge(b *testing.B) {
	w := largeSelectorWorkload()
	sels := make([]*labels.Selector, len(w.selectors))
	for i, s := range w.selectors {
		sels[i] = labels.MustParse(s)
	}
	pods := make([]labels.Labels, len(w.pods))
	for i, m := range w.pods {
		pods[i] = labels.NewLabels(m)
	}
	n := 0
	i := 0
	for b.Loop() {
		p := w.pairs[i&(largePairs-1)]
		i++
		if largeMatchOp(sels[p[0]], pods[p[1]]) {
			n++
		}
	}
	sink += n
	b.ReportMetric(float64(n)/float64(i), "matched/op")
}

// BenchmarkSelectorMatchApimachineryLarge is the baseline of the ...Large
// benchmarks: apimachinery selectors parsed outside the timer, matched against
// the same plain maps and pairs.
func BenchmarkSelectorMatchApimachineryLarge(b *testing.B) {
	w := largeSelectorWorkload()
	sels := make([]k8s.Selector, len(w.selectors))
	for i, s := range w.selectors {
		sel, err := k8s.Parse(s)
		if err != nil {
			b.Fatal(err)
		}
		sels[i] = sel
	}
	n := 0
	i := 0
	for b.Loop() {
		p := w.pairs[i&(largePairs-1)]
		i++
		if largeApimachineryOp(sels[p[0]], w.pods[p[1]]) {
			n++
		}
	}
	sink += n
	b.ReportMetric(float64(n)/float64(i), "matched/op")
}

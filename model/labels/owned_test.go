package labels

import (
	"fmt"
	"maps"
	"testing"

	k8s "k8s.io/apimachinery/pkg/labels"
)

// TestOwnedAgreesWithNewLabels recompiles one Owned through a random sequence of
// label maps (small and large, often differing from the last in one label, or
// equal to it) and checks after each SetMap that it reports a change exactly when
// the labels changed, and that it holds what NewLabels would compile: the same
// labels, masks and match results (against apimachinery too).
func TestOwnedAgreesWithNewLabels(t *testing.T) {
	g := newGen(9)
	var sels []*Selector
	var k8sSels []k8s.Selector
	for len(sels) < 200 {
		s := g.selector()
		if want, err := k8s.Parse(s); err == nil {
			sels = append(sels, MustParse(s))
			k8sSels = append(k8sSels, want)
		}
	}
	var o Owned
	prev := map[string]string{}
	for step := 0; step < 5000; step++ {
		var m map[string]string
		switch g.r.IntN(6) {
		case 0: // the same labels, in a new map
			m = maps.Clone(prev)
		case 1, 2: // one label changed, added or removed
			m = maps.Clone(prev)
			k := g.pick(genKeys[:16])
			if _, ok := m[k]; ok && g.r.IntN(3) == 0 {
				delete(m, k)
			} else {
				m[k] = g.pick(genValues)
			}
		case 3: // many labels (beyond the inline storage)
			m = map[string]string{}
			for i := 9 + g.r.IntN(30); i > 0; i-- {
				m[fmt.Sprintf("k%d", g.r.IntN(40))] = g.pick(genValues)
			}
		default:
			m = g.labels()
		}
		changed := o.SetMap(m)
		want := NewLabels(m)
		if wantChanged := !maps.Equal(prev, m); changed != wantChanged {
			t.Fatalf("step %d: SetMap(%v) after %v reported changed=%v", step, m, prev, changed)
		}
		got := o.Labels()
		if !got.Equal(want) || got.String() != want.String() || !maps.Equal(got.Map(), m) {
			t.Fatalf("step %d: holds %v, NewLabels %v", step, got, want)
		}
		if got.keyMask != want.keyMask || got.pairMask != want.pairMask {
			t.Fatalf("step %d (%v): masks %x %x, NewLabels %x %x", step, m, got.keyMask, got.pairMask, want.keyMask, want.pairMask)
		}
		for k := range m {
			id, _ := LookupID(k)
			if i := got.Position(id); i < 0 || got.At(i).Key != id {
				t.Fatalf("step %d: Position(%q) = %d", step, k, i)
			}
		}
		for i, s := range sels {
			if gm, wm := s.Matches(got), k8sSels[i].Matches(k8s.Set(m)); gm != wm {
				t.Fatalf("step %d: %q on %v: ours %v, apimachinery %v", step, s, m, gm, wm)
			}
		}
		prev = m
	}
}

// TestOwnedDoesNotAllocate: recompiling into storage that has held as many
// labels, and comparing with the labels held, do not allocate.
func TestOwnedDoesNotAllocate(t *testing.T) {
	a := map[string]string{"app": "web", "tier": "frontend", "version": "v1", "pod-template-hash": "5d8f7c9b6"}
	b := map[string]string{"app": "api", "tier": "frontend", "version": "v2", "pod-template-hash": "5d8f7c9b6"}
	big := map[string]string{}
	for i := range 20 {
		big[fmt.Sprint("k", i)] = fmt.Sprint(i % 3)
	}
	var o Owned
	o.SetMap(big)
	o.SetMap(a)
	o.SetMap(b)
	i := 0
	if n := testing.AllocsPerRun(100, func() {
		i++
		switch i % 3 {
		case 0:
			o.SetMap(a)
		case 1:
			o.SetMap(b)
		default:
			o.SetMap(b)
		}
	}); n != 0 {
		t.Errorf("SetMap allocates %v times per call", n)
	}
	o.SetMap(big)
	if n := testing.AllocsPerRun(100, func() { o.SetMap(big) }); n != 0 {
		t.Errorf("SetMap of unchanged large labels allocates %v times per call", n)
	}
	big2 := maps.Clone(big)
	big2["k3"] = "changed"
	if n := testing.AllocsPerRun(100, func() {
		i++
		if i%2 == 0 {
			o.SetMap(big)
		} else {
			o.SetMap(big2)
		}
	}); n != 0 {
		t.Errorf("SetMap of changing large labels allocates %v times per call", n)
	}
}

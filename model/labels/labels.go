package labels

import (
	"sort"
	"strings"
)

// Pair is one interned label: key and value IDs.
type Pair struct {
	Key, Value ID
}

// Labels is a compiled, immutable label set: keys and values interned, sorted by key
// string. It is cheap to copy (a pointer and two words) and safe to share between
// goroutines.
// The zero Labels is the empty set.
type Labels struct {
	s *labelSet
	// Bloom filters of the keys and of the (key, value) pairs, so that most selectors
	// that do not match are rejected without looking at the labels themselves.
	keyMask, pairMask uint64
}

type labelSet struct {
	// slot[keySlot(k)] is 1 + the position of key k in pairs, 0 if no key has that
	// slot, or slotShared if several do (then pairs is scanned).
	slot   [64]uint8
	pairs  []Pair     // sorted by key string; in inline for up to 8 labels
	inline [8]Pair    // next to slot, so that a match touches one or two cache lines
	keys   []string   // keys[i] is the key of pairs[i]
	vals   []string   // vals[i] is the value of pairs[i]
	nums   []intValue // nums[i] is vals[i] read as an int64, for the gt and lt operators
	// Storage of keys, vals and nums for up to 8 labels, so that a set is one
	// allocation.
	ikeys, ivals [8]string
	inums        [8]intValue
}

type intValue struct {
	n  int64
	ok bool
}

// NewLabels compiles m. It does not validate m (see ValidateLabels): like a
// Kubernetes labels.Set, any strings can be matched.
func NewLabels(m map[string]string) Labels {
	if len(m) == 0 {
		return Labels{}
	}
	var o Owned
	o.s = &labelSet{}
	o.compile(m)
	return o.l
}

// Owned holds one compiled label set that its owner recompiles in place with
// SetMap, reusing the storage and the interned IDs of the labels that stay, so
// that recompiling does not allocate once the set has held as many labels (up to
// 64). The
// Labels it returns see every later SetMap: unlike those of NewLabels they must
// not be handed out or kept by anyone but the owner. The zero Owned holds the
// empty set.
type Owned struct {
	s *labelSet
	l Labels
}

// Labels returns the labels of the last SetMap (the empty set before the
// first). They change with the next SetMap.
func (o *Owned) Labels() Labels { return o.l }

// SetMap makes o hold m and reports whether its labels changed. Comparing m with
// the labels o holds costs one map lookup per label and does not allocate or
// intern. Like NewLabels it does not validate m.
func (o *Owned) SetMap(m map[string]string) (changed bool) {
	if o.s == nil {
		if len(m) == 0 {
			return false
		}
		o.s = &labelSet{}
	} else if len(m) == len(o.s.keys) && o.holds(m) {
		return false
	}
	o.compile(m)
	return true
}

// holds reports whether m, which has as many labels as o, has o's labels.
func (o *Owned) holds(m map[string]string) bool {
	s := o.s
	for i, k := range s.keys {
		if v, ok := m[k]; !ok || v != s.vals[i] {
			return false
		}
	}
	return true
}

// compile fills o.s with m, reusing its storage and the IDs of the labels it
// already has (an unchanged key keeps its key ID, an unchanged pair both).
func (o *Owned) compile(m map[string]string) {
	s := o.s
	// The old labels, for their IDs: only kept for up to 8 (beyond, intern all).
	var oldBuf [8]struct {
		k, v string
		p    Pair
	}
	old := oldBuf[:0]
	if len(s.keys) <= len(oldBuf) {
		for i, k := range s.keys {
			old = append(old, oldBuf[0])
			old[i].k, old[i].v, old[i].p = k, s.vals[i], s.pairs[i]
		}
	}
	n := len(m)
	if n <= len(s.ikeys) {
		s.keys, s.vals, s.nums, s.pairs = s.ikeys[:0:n], s.ivals[:n:n], s.inums[:n:n], s.inline[:n:n]
	} else {
		if cap(s.keys) < n { // never ikeys, whose capacity is 8
			s.keys, s.vals, s.nums, s.pairs = make([]string, 0, n), make([]string, n), make([]intValue, n), make([]Pair, n)
		}
		s.keys, s.vals, s.nums, s.pairs = s.keys[:0], s.vals[:n], s.nums[:n], s.pairs[:n]
	}
	for k, v := range m {
		s.keys = append(s.keys, k)
		s.vals[len(s.keys)-1] = v
	}
	sortPairs(s.keys, s.vals)
	clear(s.slot[:])
	l := Labels{s: s}
	j := 0 // old and keys are both sorted: walk them together
	for i, k := range s.keys {
		v := s.vals[i]
		var p Pair
		for j < len(old) && old[j].k < k {
			j++
		}
		if j < len(old) && old[j].k == k {
			p.Key = old[j].p.Key
			if old[j].v == v {
				p.Value = old[j].p.Value
			}
		}
		if p.Key == NoID {
			p.Key = Intern(k)
		}
		if p.Value == NoID {
			p.Value = Intern(v)
		}
		s.pairs[i] = p
		s.nums[i].n, s.nums[i].ok = parseInt64(v)
		l.keyMask |= keyBit(p.Key)
		l.pairMask |= pairBit(p.Key, p.Value)
		if sl := &s.slot[keySlot(p.Key)]; *sl == 0 && i < slotShared-1 {
			*sl = uint8(i + 1)
		} else {
			*sl = slotShared
		}
	}
	if n == 0 {
		l = Labels{}
	}
	o.l = l
}

// sortPairs sorts keys, and vals along with them, by key: up to 64 by insertion
// (without allocating), more with sort.Sort.
func sortPairs(keys, vals []string) {
	if len(keys) > 64 {
		sort.Sort(byKeyString{keys, vals})
		return
	}
	for i := 1; i < len(keys); i++ {
		k, v := keys[i], vals[i]
		j := i
		for ; j > 0 && keys[j-1] > k; j-- {
			keys[j], vals[j] = keys[j-1], vals[j-1]
		}
		keys[j], vals[j] = k, v
	}
}

type byKeyString struct{ keys, vals []string }

func (a byKeyString) Len() int           { return len(a.keys) }
func (a byKeyString) Less(i, j int) bool { return a.keys[i] < a.keys[j] }
func (a byKeyString) Swap(i, j int) {
	a.keys[i], a.keys[j] = a.keys[j], a.keys[i]
	a.vals[i], a.vals[j] = a.vals[j], a.vals[i]
}

const slotShared = 0xFF

// find returns the position of key k in pairs, or -1.
func (s *labelSet) find(k ID) int {
	switch sl := s.slot[keySlot(k)]; sl {
	case 0:
		return -1
	case slotShared:
		for j := range s.pairs {
			if s.pairs[j].Key == k {
				return j
			}
		}
		return -1
	default:
		if j := int(sl) - 1; s.pairs[j].Key == k {
			return j
		}
		return -1
	}
}

// keyBit and pairBit place a key and a (key, value) pair in a 64-bit Bloom filter.
// IDs depend on interning order, so these bits only ever decide how fast a match
// is found, never its result.
func keyBit(k ID) uint64 { return 1 << keySlot(k) }

func keySlot(k ID) uint32 { return uint32(k) * 0x9E3779B1 >> 26 }

func pairBit(k, v ID) uint64 {
	return 1 << ((uint32(k)*0x9E3779B1 ^ uint32(v)*0x85EBCA77) * 0xC2B2AE3D >> 26)
}

// Len returns the number of labels.
func (l Labels) Len() int {
	if l.s == nil {
		return 0
	}
	return len(l.s.pairs)
}

// index returns the position of key id k, or -1.
func (l Labels) index(k ID) int {
	if l.s == nil {
		return -1
	}
	return l.s.find(k)
}

// Position returns the position of key ID k in key-string order, or -1 if the
// key is absent. It takes constant time for up to 8 labels.
func (l Labels) Position(k ID) int { return l.index(k) }

// At returns the i-th label in key-string order.
func (l Labels) At(i int) Pair { return l.s.pairs[i] }

// Get returns the value of key and whether the key is present.
func (l Labels) Get(key string) (string, bool) {
	if l.s == nil {
		return "", false
	}
	i := sort.SearchStrings(l.s.keys, key)
	if i < len(l.s.keys) && l.s.keys[i] == key {
		return l.s.vals[i], true
	}
	return "", false
}

// GetID returns the value ID of key ID k and whether the key is present.
func (l Labels) GetID(k ID) (ID, bool) {
	if i := l.index(k); i >= 0 {
		return l.s.pairs[i].Value, true
	}
	return NoID, false
}

// Map returns the labels as a new map.
func (l Labels) Map() map[string]string {
	m := make(map[string]string, l.Len())
	for i := 0; i < l.Len(); i++ {
		m[l.s.keys[i]] = l.s.vals[i]
	}
	return m
}

// Keys returns the keys in sorted order (a copy).
func (l Labels) Keys() []string {
	if l.s == nil {
		return nil
	}
	return append([]string(nil), l.s.keys...)
}

// Pairs returns the interned labels in key-string order (a copy).
func (l Labels) Pairs() []Pair {
	if l.s == nil {
		return nil
	}
	return append([]Pair(nil), l.s.pairs...)
}

// Each calls fn for every label in key-string order, without allocating.
func (l Labels) Each(fn func(k, v ID)) {
	if l.s == nil {
		return
	}
	for _, p := range l.s.pairs {
		fn(p.Key, p.Value)
	}
}

// Equal reports whether l and o hold the same labels.
func (l Labels) Equal(o Labels) bool {
	if l.Len() != o.Len() {
		return false
	}
	if l.s == o.s {
		return true
	}
	for i := range l.s.pairs {
		if l.s.pairs[i] != o.s.pairs[i] {
			return false
		}
	}
	return true
}

// String formats the labels as "k1=v1,k2=v2" in key order, as apimachinery's
// labels.Set does.
func (l Labels) String() string {
	var b strings.Builder
	for i := 0; i < l.Len(); i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l.s.keys[i])
		b.WriteByte('=')
		b.WriteString(l.s.vals[i])
	}
	return b.String()
}

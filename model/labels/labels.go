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
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := len(keys)
	s := &labelSet{keys: keys, vals: make([]string, n), nums: make([]intValue, n)}
	if n <= len(s.inline) {
		s.pairs = s.inline[:n:n]
	} else {
		s.pairs = make([]Pair, n)
	}
	l := Labels{s: s}
	for i, k := range keys {
		v := m[k]
		s.vals[i] = v
		p := Pair{Key: Intern(k), Value: Intern(v)}
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
	return l
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

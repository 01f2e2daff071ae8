package labels

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
)

// ID is an interned string: equal strings interned anywhere in the process have the
// same ID. The zero ID is never assigned to a string, so it can stand for "absent".
// IDs depend on the order in which strings were first interned (which varies with
// goroutine scheduling): never sort or print by ID.
type ID uint32

// NoID is the zero ID, which no string has.
const NoID ID = 0

// The intern table is an open-addressing hash table of atomic pointers, read
// without locks: simulations running in parallel compile label sets with the same
// keys at the same time, and a shared read lock would bounce between cores. Writers
// (new strings) take internMu, fill an empty slot, and replace the whole table by a
// bigger copy when it is half full. A reader of a superseded table may miss a string
// added since; it then looks again under the lock.
type internEntry struct {
	s  string
	id ID
}

type internTable struct {
	slots []atomic.Pointer[internEntry]
	mask  uint64
	n     int // entries, changed only under internMu
}

var (
	internSeed = maphash.MakeSeed() // varies between processes; it only places entries
	internCur  atomic.Pointer[internTable]
	internMu   sync.Mutex
	internStrs = []string{""} // internStrs[id] is the string of id; guarded by internMu
)

func init() {
	internCur.Store(&internTable{slots: make([]atomic.Pointer[internEntry], 1024), mask: 1023})
}

func (t *internTable) find(s string, h uint64) (ID, bool) {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		e := t.slots[i].Load()
		if e == nil {
			return NoID, false
		}
		if e.s == s {
			return e.id, true
		}
	}
}

func (t *internTable) put(e *internEntry, h uint64) {
	i := h & t.mask
	for t.slots[i].Load() != nil {
		i = (i + 1) & t.mask
	}
	t.slots[i].Store(e)
	t.n++
}

// Intern returns the ID of s, assigning the next free one if s is new. It is safe
// for concurrent use and does not lock when s is already interned. Interned strings
// are kept for the life of the process.
func Intern(s string) ID {
	h := maphash.String(internSeed, s)
	if id, ok := internCur.Load().find(s, h); ok {
		return id
	}
	internMu.Lock()
	defer internMu.Unlock()
	t := internCur.Load()
	if id, ok := t.find(s, h); ok {
		return id
	}
	e := &internEntry{s: strings.Clone(s), id: ID(len(internStrs))} // do not pin a larger string s was sliced from
	internStrs = append(internStrs, e.s)
	if 2*(t.n+1) > len(t.slots) {
		bigger := &internTable{slots: make([]atomic.Pointer[internEntry], 2*len(t.slots)), mask: uint64(2*len(t.slots) - 1)}
		for i := range t.slots {
			if old := t.slots[i].Load(); old != nil {
				bigger.put(old, maphash.String(internSeed, old.s))
			}
		}
		bigger.put(e, h)
		internCur.Store(bigger)
	} else {
		t.put(e, h)
	}
	return e.id
}

// LookupID returns the ID of s if s has been interned, without interning it.
func LookupID(s string) (ID, bool) {
	h := maphash.String(internSeed, s)
	if id, ok := internCur.Load().find(s, h); ok {
		return id, true
	}
	internMu.Lock()
	defer internMu.Unlock()
	return internCur.Load().find(s, h)
}

// String returns the string that was interned as id ("" for NoID or an unknown id).
func (id ID) String() string {
	internMu.Lock()
	defer internMu.Unlock()
	if int(id) >= len(internStrs) {
		return ""
	}
	return internStrs[id]
}

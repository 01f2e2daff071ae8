package labels

import (
	"strings"
	"sync"
)

// ID is an interned string: equal strings interned anywhere in the process have the
// same ID. The zero ID is never assigned to a string, so it can stand for "absent".
// IDs depend on the order in which strings were first interned (which varies with
// goroutine scheduling): never sort or print by ID.
type ID uint32

// NoID is the zero ID, which no string has.
const NoID ID = 0

var interner struct {
	mu   sync.RWMutex
	ids  map[string]ID
	strs []string // strs[id] is the string of id; strs[0] is unused
}

func init() {
	interner.ids = make(map[string]ID)
	interner.strs = []string{""}
}

// Intern returns the ID of s, assigning the next free one if s is new. It is safe
// for concurrent use. Interned strings are kept for the life of the process.
func Intern(s string) ID {
	interner.mu.RLock()
	id, ok := interner.ids[s]
	interner.mu.RUnlock()
	if ok {
		return id
	}
	interner.mu.Lock()
	defer interner.mu.Unlock()
	if id, ok := interner.ids[s]; ok {
		return id
	}
	s = strings.Clone(s) // do not pin a larger string the caller sliced s from
	id = ID(len(interner.strs))
	interner.strs = append(interner.strs, s)
	interner.ids[s] = id
	return id
}

// LookupID returns the ID of s if s has been interned, without interning it.
func LookupID(s string) (ID, bool) {
	interner.mu.RLock()
	id, ok := interner.ids[s]
	interner.mu.RUnlock()
	return id, ok
}

// String returns the string that was interned as id ("" for NoID or an unknown id).
func (id ID) String() string {
	interner.mu.RLock()
	defer interner.mu.RUnlock()
	if int(id) >= len(interner.strs) {
		return ""
	}
	return interner.strs[id]
}

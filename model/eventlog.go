package model

import (
	"slices"
	"strings"

	"github.com/kubesim/kubesim/sim"
)

// EventLog keeps the events of a cluster as the API server would hold them,
// recorded as client-go's event recorder records them:
//
//   - Aggregation (EventLogger): an event with the same source, host,
//     involved object, type, reason and message as one already kept counts
//     into it (Count+1, Last = now) instead of making a new one; not across
//     a kubelet's restart (Event.Boot), as its recorder's cache is in memory.
//   - Similar events (EventAggregator, kube-controller-manager's and the
//     kubelet's legacy recorder; not the scheduler's events.k8s.io one): once
//     10 events of one object, source, type and reason with different
//     messages came within 10 minutes of each other, the next ones are
//     folded into one event whose message is "(combined from similar
//     events): " and the latest message. Of the remembered messages, the
//     oldest is forgotten first (upstream forgets an arbitrary one).
//   - Time to live: an event is gone EventTTL (the API server's --event-ttl,
//     1 h) after it was last updated; an occurrence after that makes a new
//     event.
//   - Bound: at most MaxEvents are kept; beyond, the ones least recently
//     updated go first (Kubernetes has no such cap; it keeps a 5,000-node
//     cluster's memory bounded).
//
// What is not modelled: the spam filter's token bucket (25 events per
// object and source, then one per 5 minutes) and the recorder's LRU caches
// of 4,096 keys. Recording costs a map lookup and, for a new event, an
// append; expired events are dropped in amortised O(1).
type EventLog struct {
	TTL       sim.Time // 0: DefaultEventTTL
	MaxEvents int      // 0: DefaultMaxEvents

	events []*Event // in creation order; some may have expired
	// byObj indexes the kept events and the similar-event records by their
	// object's UID (one short key per occurrence; an object has a handful
	// of events, scanned).
	byObj   map[string]*objEvents
	slab    []Event // where new events are allocated, 64 at a time
	seq     int
	compact int // len(events) that triggers the next compaction
}

// objEvents is what the log keeps about one object (or several, should
// UIDs be empty).
type objEvents struct {
	events  []*Event
	similar []similarRecord
}

// Defaults of EventLog.
const (
	DefaultEventTTL  = sim.Time(3600e9)
	DefaultMaxEvents = 50000
	// similarMax and similarInterval are the EventAggregator's defaults
	// (maxEvents 10, maxIntervalInSeconds 600).
	similarMax      = 10
	similarInterval = sim.Time(600e9)
	combinedPrefix  = "(combined from similar events): "
)

// similarRecord is the EventAggregator's record of one object, source,
// type and reason: the distinct messages seen, oldest first.
type similarRecord struct {
	obj                       ObjectRef
	typ, reason, source, host string
	boot                      int
	msgs                      []string
	last                      sim.Time
}

// NewEventLog returns an empty log with the defaults.
func NewEventLog() *EventLog { return &EventLog{} }

func (l *EventLog) ttl() sim.Time {
	if l.TTL > 0 {
		return l.TTL
	}
	return DefaultEventTTL
}

func (l *EventLog) max() int {
	if l.MaxEvents > 0 {
		return l.MaxEvents
	}
	return DefaultMaxEvents
}

// RecordEvent records one occurrence (EventSink).
func (l *EventLog) RecordEvent(e Event) {
	if l.byObj == nil {
		l.byObj = map[string]*objEvents{}
	}
	now := e.Last
	o := l.byObj[e.Object.UID]
	if o == nil {
		o = &objEvents{}
		l.byObj[e.Object.UID] = o
	}
	combined := false
	if e.Source != SourceScheduler {
		var r *similarRecord
		for i := range o.similar {
			x := &o.similar[i]
			if x.reason == e.Reason && x.obj == e.Object && x.typ == e.Type && x.source == e.Source && x.host == e.Host && x.boot == e.Boot {
				r = x
				break
			}
		}
		if r == nil {
			o.similar = append(o.similar, similarRecord{obj: e.Object, typ: e.Type, reason: e.Reason, source: e.Source, host: e.Host, boot: e.Boot})
			r = &o.similar[len(o.similar)-1]
		}
		if now-r.last > similarInterval {
			r.msgs = r.msgs[:0]
		}
		if !slices.Contains(r.msgs, e.Message) {
			r.msgs = append(r.msgs, e.Message)
		}
		r.last = max(r.last, now)
		if len(r.msgs) >= similarMax {
			r.msgs = append(r.msgs[:0], r.msgs[1:]...)
			combined = true
		}
	}
	ttl := l.ttl()
	for _, old := range o.events {
		if old.Reason == e.Reason && old.Last+ttl > now && sameOccurrence(old, &e, combined) {
			old.Count++
			old.Last = max(old.Last, now)
			old.Message, old.combined = e.Message, combined
			return
		}
	}
	if combined {
		e.Message = combinedPrefix + e.Message
	}
	l.seq++
	e.Seq = l.seq
	e.Count = 1
	if len(l.slab) == cap(l.slab) {
		l.slab = make([]Event, 0, 64)
	}
	l.slab = append(l.slab, e)
	ev := &l.slab[len(l.slab)-1]
	l.events = append(l.events, ev)
	o.events = append(o.events, ev)
	if len(l.events) >= max(l.compact, 1024) {
		l.gc(now)
	}
}

// sameOccurrence reports whether e counts into old: same object, source,
// host, type, reason and message (a combined event matches the combined
// event whatever its message).
func sameOccurrence(old, e *Event, combined bool) bool {
	if old.Object != e.Object || old.Type != e.Type || old.Source != e.Source || old.Host != e.Host || old.Boot != e.Boot {
		return false
	}
	oldCombined := old.combined || strings.HasPrefix(old.Message, combinedPrefix)
	if combined || oldCombined {
		return combined && oldCombined
	}
	return old.Message == e.Message
}

// gc drops the expired events (and, beyond MaxEvents, the least recently
// updated), and the similar-event records older than their interval.
func (l *EventLog) gc(now sim.Time) {
	ttl := l.ttl()
	kept := l.events[:0]
	for _, e := range l.events {
		if e.Last+ttl > now {
			kept = append(kept, e)
		}
	}
	if m := l.max(); len(kept) > m {
		byLast := slices.Clone(kept)
		slices.SortFunc(byLast, func(a, b *Event) int {
			if a.Last != b.Last {
				return cmpTime(a.Last, b.Last)
			}
			return a.Seq - b.Seq
		})
		cut := byLast[len(byLast)-m].Last
		cutSeq := byLast[len(byLast)-m].Seq
		k2 := kept[:0]
		for _, e := range kept {
			if e.Last > cut || e.Last == cut && e.Seq >= cutSeq {
				k2 = append(k2, e)
			}
		}
		kept = k2
	}
	clear(l.events[len(kept):])
	l.events = kept
	old := l.byObj
	l.byObj = make(map[string]*objEvents, len(old))
	for _, e := range kept {
		o := l.byObj[e.Object.UID]
		if o == nil {
			o = &objEvents{}
			l.byObj[e.Object.UID] = o
		}
		o.events = append(o.events, e)
	}
	for uid, o := range old {
		for _, r := range o.similar {
			if now-r.last <= similarInterval {
				n := l.byObj[uid]
				if n == nil {
					n = &objEvents{}
					l.byObj[uid] = n
				}
				n.similar = append(n.similar, r)
			}
		}
	}
	l.compact = 2 * len(kept)
}

func cmpTime(a, b sim.Time) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Events returns the events that exist at now, in creation order. The
// events are the log's own: do not change them.
func (l *EventLog) Events(now sim.Time) []*Event {
	ttl := l.ttl()
	out := make([]*Event, 0, len(l.events))
	for _, e := range l.events {
		if e.Last+ttl > now {
			if e.combined {
				e.Message, e.combined = combinedPrefix+e.Message, false
			}
			out = append(out, e)
		}
	}
	return out
}

// DeleteNamespace drops the events of objects in namespace ns, as the
// namespace controller deletes every object of a namespace, its Events
// included, before the namespace goes (the Cluster calls it, the log being
// a NamespacedAddon, when the namespace is gone).
func (l *EventLog) DeleteNamespace(ns string) {
	kept := l.events[:0]
	for _, e := range l.events {
		if e.Object.Namespace != ns {
			kept = append(kept, e)
			continue
		}
		if uid := e.Object.UID; uid != "" {
			delete(l.byObj, uid) // the object is gone, with its similar-event records
		} else if o := l.byObj[uid]; o != nil {
			o.events = slices.DeleteFunc(o.events, func(x *Event) bool { return x == e })
		}
	}
	clear(l.events[len(kept):])
	l.events = kept
}

// Len is how many events the log holds, expired ones not yet dropped included.
func (l *EventLog) Len() int { return len(l.events) }

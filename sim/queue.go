package sim

// entry is one pending event in the queue, ordered by (at, seq).
type entry struct {
	at   Time
	seq  uint64
	slot uint32
}

func (a entry) less(b entry) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// queue is a binary min-heap of entries.
type queue struct{ h []entry }

func (q *queue) len() int    { return len(q.h) }
func (q *queue) peek() entry { return q.h[0] }
func (q *queue) push(x entry) {
	q.h = append(q.h, x)
	i := len(q.h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.h[i].less(q.h[p]) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

func (q *queue) pop() entry {
	top := q.h[0]
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h = q.h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && q.h[r].less(q.h[l]) {
			m = r
		}
		if !q.h[m].less(q.h[i]) {
			break
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
	return top
}

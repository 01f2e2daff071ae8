package metrics

// Thinned is a sampled sequence kept in bounded memory: every item added is
// kept until Items reaches the limit Add is given, then every other one is
// dropped (the first always stays) and from then on one item in two is kept,
// then one in four, and so on. A run's chart series and polls use it, so that
// what they keep does not grow with the duration.
type Thinned[T any] struct {
	// Items are the items kept, in the order added.
	Items  []T
	n      int64 // items offered
	stride int64 // one in stride is kept (0: 1)
}

// Add offers v: it is kept if it is one of every Stride() items, and when
// that makes limit items (limit at least 2), the odd ones of Items go and the
// stride doubles.
func (s *Thinned[T]) Add(v T, limit int) {
	k := s.n
	s.n++
	if k%s.Stride() != 0 {
		return
	}
	s.Items = append(s.Items, v)
	if len(s.Items) >= limit {
		n := 0
		for i := 0; i < len(s.Items); i += 2 {
			s.Items[n] = s.Items[i]
			n++
		}
		clear(s.Items[n:])
		s.Items = s.Items[:n]
		s.stride = s.Stride() * 2
	}
}

// Stride is how many items offered each kept one stands for: 1, 2, 4, ...
func (s *Thinned[T]) Stride() int64 { return max(s.stride, 1) }

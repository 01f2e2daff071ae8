package metrics

import "testing"

// Thinned keeps every item up to its limit, then one in 2, 4, ...: the first
// item always, evenly spaced, never limit items or more.
func TestThinned(t *testing.T) {
	var s Thinned[int]
	for i := 0; i < 10; i++ {
		s.Add(i, 16)
	}
	if len(s.Items) != 10 || s.Stride() != 1 {
		t.Fatalf("under the limit: %v, stride %d", s.Items, s.Stride())
	}
	for i := 10; i < 1000; i++ {
		s.Add(i, 16)
	}
	if len(s.Items) >= 16 || len(s.Items) < 4 || s.Items[0] != 0 {
		t.Fatalf("%d items kept: %v", len(s.Items), s.Items)
	}
	for i := 1; i < len(s.Items); i++ {
		if int64(s.Items[i]-s.Items[i-1]) != s.Stride() {
			t.Fatalf("items %v not one in %d", s.Items, s.Stride())
		}
	}
	if s.Stride() != 128 || s.Items[len(s.Items)-1] != 896 {
		t.Errorf("1000 items, limit 16: stride %d, last %d; want 128 and 896", s.Stride(), s.Items[len(s.Items)-1])
	}
}

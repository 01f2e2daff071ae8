package labels

import (
	"fmt"
	"testing"
)

// podLabels is the label map of a typical Deployment pod.
func podLabels(i int) map[string]string {
	return map[string]string{
		"app":                         "worker",
		"app.kubernetes.io/name":      "dockercoins",
		"app.kubernetes.io/component": "backend",
		"pod-template-hash":           fmt.Sprintf("%x", 0x5d8f7c9b6+i%8),
		"track":                       "stable",
	}
}

// BenchmarkNewLabels compiles the label set of a pod, as done once per pod creation
// or label change; the parallel variant shows whether interning scales across the
// goroutines of parallel simulations.
func BenchmarkNewLabels(b *testing.B) {
	ms := make([]map[string]string, 64)
	for i := range ms {
		ms[i] = podLabels(i)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_ = NewLabels(ms[i&63])
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				_ = NewLabels(ms[i&63])
				i++
			}
		})
	})
}

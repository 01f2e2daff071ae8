package model

import (
	"testing"
	"unsafe"
)

// A pod stays within 576 bytes, Go's size class below 640 (it was 592
// before Command and Args; at 512 or less Go would also drop the type
// header): clusters keep pods by the million (1,000,000 replicas on 3 nodes
// hold a million Pending pods).
func TestPodSize(t *testing.T) {
	if n := unsafe.Sizeof(Pod{}); n > 576 {
		t.Errorf("Pod is %d bytes, want at most 576: keep rarely used fields behind a pointer (as podEviction, daemonPodIndex) and bools together", n)
	}
}

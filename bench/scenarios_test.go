package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/scenarios"
)

// The scale table's scenario files parse as the runs they describe.
func TestScaleScenarios(t *testing.T) {
	s, err := scenarios.ParseFile("busy.yaml", []byte(BusyYAML(5000, 50000, 250, 5*time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Nodes) != 5001 || s.Duration != 5*time.Minute || s.Seed != 1 {
		t.Errorf("busy: %d nodes, %v, seed %d; want 5,001 (one control plane), 5m, seed 1", len(s.Nodes), s.Duration, s.Seed)
	}
	if y := BusyYAML(5000, 50000, 0, time.Minute); strings.Contains(y, "deployment hasher --replicas") {
		t.Errorf("hashers 0 scales hasher:\n%s", y)
	}
	m, err := scenarios.ParseFile("million.yaml", []byte(MillionYAML(1000000)))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Nodes) != 4 || m.Duration != 2*time.Minute || !strings.Contains(MillionYAML(1000000), "--replicas=1000000\n") {
		t.Errorf("million: %d nodes, %v; want 4 (3 workers), 2m, 1,000,000 replicas", len(m.Nodes), m.Duration)
	}
}

package plots

import (
	"fmt"
	"strings"
	"testing"
)

// The report lists the latest Warning events, at most maxReportEvents of them,
// and counts every occurrence by reason.
func TestReportEventsBounded(t *testing.T) {
	var evs []Event
	for i := 0; i < 200; i++ {
		evs = append(evs, Event{First: float64(i), Last: float64(i), Type: "Warning", Reason: "FailedScheduling",
			Object: fmt.Sprintf("pod/p%d", i), Message: "0/4 nodes are available", Count: 1})
		evs = append(evs, Event{First: float64(i), Last: float64(i), Type: "Normal", Reason: "Scheduled", Object: "pod/q", Count: 2})
	}
	rows, note := eventsOf(evs)
	if len(rows) != maxReportEvents || rows[0].Object != "pod/p150" || rows[len(rows)-1].Object != "pod/p199" {
		t.Fatalf("%d rows, first %+v", len(rows), rows[0])
	}
	for _, w := range []string{"The latest 50 of 200 Warning events.", "FailedScheduling 200, Scheduled 400."} {
		if !strings.Contains(note, w) {
			t.Errorf("note %q lacks %q", note, w)
		}
	}
	if rows, note := eventsOf(nil); rows != nil || note != "" {
		t.Errorf("no events: %v %q", rows, note)
	}
}

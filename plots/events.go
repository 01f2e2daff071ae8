package plots

import (
	"fmt"
	"sort"
	"strings"
)

// Event is one Kubernetes Event of the run for the report (the cluster's
// events that still exist at the end: an hour after their last occurrence
// they are gone, as with the API server's --event-ttl).
type Event struct {
	// First and Last are when it first and last occurred, in simulated
	// seconds; Count how many times.
	First, Last  float64
	Type, Reason string
	// Object is kubectl's "kind/name" (namespace/ in front outside default).
	Object, Message string
	Count           int
}

// maxReportEvents is how many Warning events the report lists (the latest):
// its size does not grow with the run.
const maxReportEvents = 50

type eventRow struct {
	T, Type, Reason, Object, Message string
}

// eventsOf is the report's Events section: the latest Warning events, and a
// line counting every event by reason.
func eventsOf(evs []Event) (rows []eventRow, note string) {
	if len(evs) == 0 {
		return nil, ""
	}
	byReason := map[string]int{}
	var warn []Event
	for _, e := range evs {
		byReason[e.Reason] += e.Count
		if e.Type == "Warning" {
			warn = append(warn, e)
		}
	}
	sort.SliceStable(warn, func(i, j int) bool { return warn[i].Last < warn[j].Last })
	if len(warn) > maxReportEvents {
		note = fmt.Sprintf("The latest %d of %d Warning events. ", maxReportEvents, len(warn))
		warn = warn[len(warn)-maxReportEvents:]
	}
	for _, e := range warn {
		t := fmtSeconds(e.Last)
		if e.Count > 1 {
			t = fmt.Sprintf("%s (x%d since %s)", t, e.Count, fmtSeconds(e.First))
		}
		rows = append(rows, eventRow{T: t, Type: e.Type, Reason: e.Reason, Object: e.Object, Message: e.Message})
	}
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%s %d", r, byReason[r])
	}
	note += "Occurrences by reason (kubectl get events at the end lists them): " + strings.Join(parts, ", ") + "."
	return rows, note
}

package kubectl_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
)

// get events -o yaml|json|name|custom-columns print core/v1 Events as the
// API server returns them (were refused): the kubelet's with count,
// first/lastTimestamp and source; the scheduler's (events.k8s.io/v1) with
// eventTime, action, reportingInstance and a series once repeated.
func TestGetEventsAsObjects(t *testing.T) {
	c := eventCluster(t)
	if _, err := c.CreatePod("big", nil, model.PodSpec{Image: "nginx", Requests: model.Resources{MilliCPU: 3000}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := apply(c, "run web --image=nginx"); err != nil {
		t.Fatal(err)
	}
	advance(c, 7*time.Minute)
	get := func(l string) string {
		t.Helper()
		out, err := apply(c, l)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		return out
	}
	y := get("get events -o yaml --field-selector involvedObject.name=big")
	for _, w := range []string{"apiVersion: v1\nitems:\n- action: Scheduling\n", "  eventTime: \"2026-01-05T09:00:00.", "  firstTimestamp: null\n",
		"    kind: Pod\n    name: big\n    namespace: default\n", "  reason: FailedScheduling\n  reportingComponent: default-scheduler\n  reportingInstance: default-scheduler-node1\n  series:\n    count: 2\n",
		"  source: {}\n  type: Warning\nkind: List\n"} {
		if !strings.Contains(y, w) {
			t.Errorf("get events -o yaml lacks %q:\n%s", w, y)
		}
	}
	j := get("get events -o json --field-selector reason=Started")
	for _, w := range []string{`"count": 1,`, `"eventTime": null,`, `"fieldPath": "spec.containers{web}",`, `"firstTimestamp": "2026-01-05T09:00:03Z",`,
		`"reportingComponent": "kubelet",`, `"reportingInstance": "node2",`, `"component": "kubelet",`, `"kind": "Event",`} {
		if !strings.Contains(j, w) {
			t.Errorf("get events -o json lacks %q:\n%s", w, j)
		}
	}
	if n := get("get events -o name --field-selector involvedObject.name=big"); !strings.HasPrefix(n, "event/big.") || strings.Contains(n, "\n") {
		t.Errorf("-o name: %q", n)
	}
	if cc := get("get events -o custom-columns=R:.reason,C:.count --field-selector reason=Pulling"); cc != "R         C\nPulling   1" {
		t.Errorf("custom-columns: %q", cc)
	}
}

// Events are named as client-go's recorder names them, OBJECT.%x of the
// creation time's Unix nanoseconds (the scenario's wall clock, 2026-01-05
// 09:00 by default), and get events lists one object's events in that
// order, oldest first. Was: the simulated nanoseconds since the start
// ("web.1dcd6500"), whose hex grows a digit every few seconds, so the
// Killing at 70 s sorted before Scheduled at 0.5 s.
func TestEventNamesSortByTime(t *testing.T) {
	c := eventCluster(t)
	if _, err := apply(c, "run web --image=nginx"); err != nil {
		t.Fatal(err)
	}
	advance(c, 70*time.Second)
	if _, err := apply(c, "delete pod web"); err != nil {
		t.Fatal(err)
	}
	advance(c, time.Second)
	out := kc(t, c, "get events --field-selector involvedObject.name=web")
	var reasons []string
	for _, l := range strings.Split(out, "\n")[1:] {
		reasons = append(reasons, cells(l)[2])
	}
	if got, want := strings.Join(reasons, " "), "Scheduled Pulling Pulled Created Started Killing"; got != want {
		t.Errorf("get events lists web's events as %s, want %s:\n%s", got, want, out)
	}
	var first model.Event
	for _, e := range c.EventSink().(*model.EventLog).Events(c.Now()) {
		if e.Object.Name == "web" && e.Reason == "Scheduled" {
			first = *e
		}
	}
	want := "event/web." + strconv.FormatInt(c.WallClock(first.First).UnixNano(), 16)
	if n := kc(t, c, "get events -o name --field-selector involvedObject.name=web,reason=Scheduled"); n != want || !strings.HasPrefix(n, "event/web.188") {
		t.Errorf("-o name: %q, want %q", n, want)
	}
}

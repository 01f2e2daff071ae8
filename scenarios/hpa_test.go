package scenarios

import (
	"strings"
	"testing"
)

// The workshop's HPA story: autoscale fails on the missing CPU request, the
// HPA scales busyhttp up once the Deployment requests cpu: 1, and
// httping's latency under ab -c 3 falls from several seconds to about one.
func TestHPACPUBuiltin(t *testing.T) {
	res := runBuiltin(t, "hpa-cpu")
	if len(res.Unexpected) > 0 {
		t.Fatalf("steps failed: %v", res.Unexpected)
	}
	out := func(at float64, prefix string) string {
		for _, s := range res.Timeline {
			if s.At >= at && s.At < at+10 && strings.HasPrefix(s.Command, prefix) && s.Output != "" && !strings.HasPrefix(s.Output, "PING") {
				return s.Output
			}
		}
		t.Fatalf("no %q step at %v s", prefix, at)
		return ""
	}
	if d := out(120, "kubectl describe hpa"); !strings.Contains(d, "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container busyhttp of Pod busyhttp-") {
		t.Errorf("describe before the request is set:\n%s", d)
	}
	if g := out(120, "kubectl get hpa"); !strings.Contains(g, "cpu: <unknown>/80%") {
		t.Errorf("get hpa before the request is set:\n%s", g)
	}
	hs := res.HPAs()
	if len(hs) != 1 || hs[0].Status.CurrentReplicas < 3 || hs[0].Status.DesiredReplicas < 3 {
		t.Fatalf("HPAs at the end: %+v", hs)
	}
	// The deployment's pods at the end: as many as the HPA asked.
	n := 0
	for _, p := range res.Cluster.Pods() {
		if strings.HasPrefix(p.Name, "busyhttp-") && p.Running {
			n++
		}
	}
	if int32(n) != hs[0].Status.DesiredReplicas {
		t.Errorf("%d busyhttp pods running, HPA desired %d", n, hs[0].Status.DesiredReplicas)
	}
	// Three requests at a time on one single-threaded pod: httping waits
	// seconds; spread over the scaled-up pods, about the 1 s of CPU.
	if h := out(90, "httping"); !strings.Contains(h, "round-trip min/avg/max = 3") {
		t.Errorf("httping under load on one pod: want 3 s or more\n%s", h)
	}
}

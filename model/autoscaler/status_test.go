package autoscaler

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"sigs.k8s.io/yaml"
)

// statusAt runs to t and reads the status ConfigMap's data.status back.
func statusAt(t *testing.T, c *model.Cluster, at time.Duration) (*model.ConfigMap, map[string]any) {
	t.Helper()
	run(c, at)
	cm := c.ConfigMapIn("kube-system", StatusConfigMap)
	if cm == nil {
		t.Fatalf("at %v: no kube-system/%s", at, StatusConfigMap)
	}
	var st map[string]any
	if err := yaml.Unmarshal([]byte(cm.Data["status"]), &st); err != nil {
		t.Fatalf("at %v: data.status is not YAML: %v\n%s", at, err, cm.Data["status"])
	}
	return cm, st
}

// get walks a decoded YAML document: keys, or an index for a list.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// The status ConfigMap as cluster-autoscaler writes it: Initializing when
// the autoscaler starts, then at every loop the counts and conditions of
// the cluster and of each group, with the time in the annotation; recreated
// if deleted.
func TestStatusConfigMap(t *testing.T) {
	c, _ := cluster(t, 1, Config{}, ng("small", res(2000, 4*gi), 1, 5))
	cm, st := statusAt(t, c, 0)
	if st["autoscalerStatus"] != "Initializing" || st["time"] != "2026-01-05 09:00:00 +0000 UTC" || cm.Annotations[LastUpdatedAnnotation] != st["time"] {
		t.Errorf("at start: %v, annotations %v", st, cm.Annotations)
	}
	d := deploy(t, c, "batch", 6, res(1000, gi)) // node1 and small-1 take 4; 2 more need small-2
	// The loop at 10 s launches small-2 (Ready 60 s later): at 30 s it is
	// unregistered, the scale-up in progress since 10 s.
	cm, st = statusAt(t, c, 30*time.Second)
	rv := cm.ResourceVersion
	g := get(st, "nodeGroups", 0)
	for _, c := range []struct {
		path []any
		want any
	}{
		{[]any{"autoscalerStatus"}, "Running"},
		{[]any{"time"}, "2026-01-05 09:00:30 +0000 UTC"},
		{[]any{"clusterWide", "health", "status"}, "Healthy"},
		{[]any{"clusterWide", "health", "nodeCounts", "registered", "total"}, 2.0},
		{[]any{"clusterWide", "health", "nodeCounts", "registered", "ready"}, 2.0},
		{[]any{"clusterWide", "health", "nodeCounts", "unregistered"}, 1.0},
		{[]any{"clusterWide", "scaleUp", "status"}, "InProgress"},
		{[]any{"clusterWide", "scaleUp", "lastTransitionTime"}, "2026-01-05T09:00:10Z"},
		{[]any{"clusterWide", "scaleUp", "lastProbeTime"}, "2026-01-05T09:00:30Z"},
		{[]any{"clusterWide", "scaleDown", "status"}, "NoCandidates"},
	} {
		if got := get(st, c.path...); got != c.want {
			t.Errorf("at 30 s, %v = %v, want %v", c.path, got, c.want)
		}
	}
	for _, c := range []struct {
		path []any
		want any
	}{
		{[]any{"name"}, "small"},
		{[]any{"health", "cloudProviderTarget"}, 2.0},
		{[]any{"health", "minSize"}, 1.0},
		{[]any{"health", "maxSize"}, 5.0},
		{[]any{"health", "nodeCounts", "registered", "total"}, 1.0},
		{[]any{"health", "nodeCounts", "unregistered"}, 1.0},
		{[]any{"scaleUp", "status"}, "InProgress"},
	} {
		if got := get(g, c.path...); got != c.want {
			t.Errorf("at 30 s, nodeGroups[0] %v = %v, want %v", c.path, got, c.want)
		}
	}
	// small-2 is Ready at 70 s, before the loop of 70 s: no scale-up going
	// on since then.
	cm, st = statusAt(t, c, 2*time.Minute)
	if get(st, "clusterWide", "scaleUp", "status") != "NoActivity" || get(st, "clusterWide", "scaleUp", "lastTransitionTime") != "2026-01-05T09:01:10Z" ||
		get(st, "clusterWide", "health", "nodeCounts", "registered", "total") != 3.0 || get(st, "nodeGroups", 0, "health", "nodeCounts", "unregistered") != 0.0 {
		t.Errorf("at 2 min: %v", st)
	}
	if cm.ResourceVersion <= rv {
		t.Errorf("resourceVersion %d after %d: not updated by the loops", cm.ResourceVersion, rv)
	}
	// The batch gone, the group's nodes are unneeded from the next loop.
	if err := c.ScaleDeployment(d, 0); err != nil {
		t.Fatal(err)
	}
	_, st = statusAt(t, c, 5*time.Minute)
	if get(st, "clusterWide", "scaleDown", "status") != "CandidatesPresent" || get(st, "nodeGroups", 0, "scaleDown", "status") != "CandidatesPresent" ||
		get(st, "clusterWide", "scaleDown", "candidates") == nil {
		t.Errorf("at 5 min: scaleDown %v / %v", get(st, "clusterWide", "scaleDown"), get(st, "nodeGroups", 0, "scaleDown"))
	}
	// A user deletes it: the next loop writes it again, with a new UID.
	old := c.ConfigMapIn("kube-system", StatusConfigMap)
	c.DeleteConfigMap(old)
	cm, st = statusAt(t, c, 5*time.Minute+10*time.Second)
	if cm == old || cm.UID == old.UID || st["autoscalerStatus"] != "Running" {
		t.Errorf("not written again after deletion: %v", st)
	}
}

// The ScaledUpGroup events are on the status ConfigMap (its UID, so that
// describe configmap lists them).
func TestStatusEventsCarryTheConfigMapUID(t *testing.T) {
	c, a := cluster(t, 1, Config{}, ng("small", res(2000, 4*gi), 0, 5))
	deploy(t, c, "batch", 4, res(1000, gi))
	run(c, 30*time.Second)
	cm := c.ConfigMapIn("kube-system", StatusConfigMap)
	found := false
	for _, e := range a.Events() {
		found = found || (e.Reason == "ScaledUpGroup" && e.Object == "configmap/"+StatusConfigMap)
	}
	if !found || cm == nil || a.statusUID != cm.UID {
		t.Errorf("events %+v, status UID %q", a.Events(), a.statusUID)
	}
}

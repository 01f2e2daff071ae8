package kubectl_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// eventCluster is printCluster recording events, as every run does.
func eventCluster(t *testing.T) *model.Cluster {
	t.Helper()
	c := printCluster(t, 1)
	c.RecordEvents(model.NewEventLog())
	return c
}

func advance(c *model.Cluster, d time.Duration) { c.E.RunUntil(c.Now() + sim.Time(d)) }

// A pod that fits nowhere: describe says why in the scheduler's words, and
// the retry after the unschedulable queue's 5-minute flush counts into the
// same event ("(x2 over ...)"), as kubectl shows aggregated events.
func TestDescribePendingPodSaysWhy(t *testing.T) {
	c := eventCluster(t)
	if _, err := c.CreatePod("big", nil, model.PodSpec{Image: "nginx", Requests: model.Resources{MilliCPU: 3000}}, nil); err != nil {
		t.Fatal(err)
	}
	advance(c, 10*time.Second) // scheduled (and failed) after the scheduler's ~0.5 s
	msg := "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
	out := kc(t, c, "describe pod big")
	want := "Events:\n" +
		"  Type     Reason            Age   From               Message\n" +
		"  ----     ------            ----  ----               -------\n" +
		"  Warning  FailedScheduling  9s    default-scheduler  " + msg
	if !strings.HasSuffix(out, want) {
		t.Fatalf("describe pod big ends with:\n%s\nwant:\n%s", out[strings.LastIndex(out, "Events:"):], want)
	}
	advance(c, 6*time.Minute)
	out = kc(t, c, "describe pod big")
	if !regexp.MustCompile(`Warning  FailedScheduling  \d+s \(x2 over 6m9s\)  default-scheduler  0/3 nodes`).MatchString(out) {
		t.Errorf("the retry did not aggregate:\n%s", out[strings.LastIndex(out, "Events:"):])
	}
	got := kc(t, c, "get events --field-selector involvedObject.name=big")
	header, rows := rows(t, got)
	if strings.Join(cells(header), "|") != "LAST SEEN|TYPE|REASON|OBJECT|MESSAGE" || len(rows) != 1 {
		t.Fatalf("get events:\n%s", got)
	}
	for _, r := range rows {
		if r[1] != "Warning" || r[2] != "FailedScheduling" || r[3] != "pod/big" || r[4] != msg {
			t.Errorf("row %q", r)
		}
	}
	wide := kc(t, c, "get events -o wide --field-selector type=Warning")
	if !strings.Contains(wide, "default-scheduler") || !strings.Contains(wide, "   2       big.") {
		t.Errorf("get events -o wide:\n%s", wide)
	}
}

// A Deployment's life in events: its describe lists the ReplicaSet's
// scaling, get events --sort-by=.lastTimestamp orders everything by time and
// the field selector narrows by kind and reason.
func TestGetEventsDeployment(t *testing.T) {
	c := eventCluster(t)
	d, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 1)
	if err != nil {
		t.Fatal(err)
	}
	advance(c, 30*time.Second)
	if err := c.ScaleDeployment(d, 2); err != nil {
		t.Fatal(err)
	}
	advance(c, 30*time.Second)
	rs := c.ReplicaSets()[0].Name
	out := kc(t, c, "describe deployment rng")
	want := `(?s)Events:
  Type    Reason             Age   From                   Message
  ----    ------             ----  ----                   -------
  Normal  ScalingReplicaSet  59s   deployment-controller  Scaled up replica set ` + rs + ` from 0 to 1
  Normal  ScalingReplicaSet  29s   deployment-controller  Scaled up replica set ` + rs + ` from 1 to 2$`
	if !regexp.MustCompile(want).MatchString(out) {
		t.Errorf("describe deployment:\n%s", out)
	}
	pod := c.Pods()[0]
	out = kc(t, c, "describe pod "+pod.Name)
	for _, w := range []string{"Scheduled", "Successfully assigned default/" + pod.Name + " to " + pod.NodeName,
		"Pulling", `spec.containers{rng}: Pulling image "dockercoins/rng:v0.1"`, "spec.containers{rng}: Container started", "kubelet"} {
		if !strings.Contains(out, w) {
			t.Errorf("describe pod lacks %q", w)
		}
	}
	sorted := kc(t, c, "get events --sort-by=.lastTimestamp")
	lines := strings.Split(sorted, "\n")[1:]
	prev := time.Duration(1 << 62)
	for _, l := range lines {
		s := strings.Fields(l)[0]
		age, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("LAST SEEN %q: %v", s, err)
		}
		if age > prev {
			t.Fatalf("--sort-by=.lastTimestamp not oldest first:\n%s", sorted)
		}
		prev = age
	}
	out = kc(t, c, "get events --field-selector involvedObject.kind=ReplicaSet,reason=SuccessfulCreate")
	if n := strings.Count(out, "replicaset/"+rs+"   Created pod: "+rs+"-"); n != 2 {
		t.Errorf("%d SuccessfulCreate rows:\n%s", n, out)
	}
	if out := kc(t, c, "get events --field-selector reason!=Scheduled,reason=Nothing"); out != "No resources found in default namespace." {
		t.Errorf("no match: %q", out)
	}
}

// A node that goes down: NodeNotReady on the node at the grace period, then
// the taint eviction controller marks its pod for deletion 300 s later.
func TestEventsNodeFailure(t *testing.T) {
	c := eventCluster(t)
	if _, err := c.CreatePod("web", nil, model.PodSpec{Image: "nginx", NodeName: "node2"}, nil); err != nil {
		t.Fatal(err)
	}
	advance(c, 20*time.Second)
	if err := c.StopNode("node2"); err != nil {
		t.Fatal(err)
	}
	advance(c, 400*time.Second)
	out := kc(t, c, "describe node node2")
	m := regexp.MustCompile(`Normal  NodeNotReady +(\S+) +node-controller  Node node2 status is now: NodeNotReady`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("describe node2:\n%s", out[strings.LastIndex(out, "Events:"):])
	}
	// Down at 20 s; NotReady 50-60 s later (grace period, last heartbeat,
	// the 5 s monitor period): 340-350 s before now.
	if m[1] != "5m40s" && m[1] != "5m45s" && m[1] != "5m50s" {
		t.Errorf("NodeNotReady %s ago, want 5m40s..5m50s", m[1])
	}
	out = kc(t, c, "get events --field-selector involvedObject.name=web")
	if !regexp.MustCompile(`Warning   NodeNotReady +pod/web +Node is not ready`).MatchString(out) ||
		!regexp.MustCompile(`Normal    TaintManagerEviction +pod/web +Marking for deletion Pod default/web`).MatchString(out) {
		t.Errorf("pod events:\n%s", out)
	}
}

// EndpointSlices: one per Service (SERVICE-xxxxx), the target ports, every
// endpoint's address, <unset> when there is none (and no ports then: the
// controller's placeholder slice has none); kubernetes' own.
func TestGetEndpointSlices(t *testing.T) {
	c := eventCluster(t)
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 2); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateService("rng", rngLabels, 80); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateService("none", map[string]string{"app": "none"}, 8080); err != nil {
		t.Fatal(err)
	}
	advance(c, time.Minute)
	out := kc(t, c, "get endpointslices")
	header, rs := rows(t, out)
	if strings.Join(cells(header), "|") != "NAME|ADDRESSTYPE|PORTS|ENDPOINTS|AGE" || len(rs) != 3 {
		t.Fatalf("get endpointslices:\n%s", out)
	}
	var names []string
	for name, r := range rs {
		names = append(names, name)
		switch {
		case name == "kubernetes":
			if r[1] != "IPv4" || r[2] != "6443" || r[3] != "10.0.0.10" {
				t.Errorf("kubernetes slice %q", r)
			}
		case strings.HasPrefix(name, "rng-"):
			if !regexp.MustCompile(`^10\.244\.\d+\.\d+,10\.244\.\d+\.\d+$`).MatchString(r[3]) || r[2] != "80" || r[4] != "60s" {
				t.Errorf("rng slice %q", r)
			}
		case strings.HasPrefix(name, "none-"):
			if r[3] != "<unset>" || r[2] != "<unset>" { // the placeholder slice: no ports (was 8080)
				t.Errorf("empty slice %q", r)
			}
		default:
			t.Errorf("unexpected slice %q", name)
		}
		if name != "kubernetes" && !regexp.MustCompile(`^[a-z]+-[bcdfghjklmnpqrstvwxz2456789]{5}$`).MatchString(name) {
			t.Errorf("slice name %q is not SERVICE-xxxxx", name)
		}
	}
	if out := kc(t, c, "get endpointslices -l kubernetes.io/service-name=rng"); strings.Count(out, "\n") != 1 || !strings.Contains(out, "rng-") {
		t.Errorf("-l kubernetes.io/service-name=rng:\n%s", out)
	}
}

// What kubesim does not do is refused with the way to do it.
func TestGetEventsRefusals(t *testing.T) {
	c := eventCluster(t)
	for line, want := range map[string]string{
		"get events -w":                        "not supported by kubesim in a step",
		"get events --field-selector spec.x=1": "field label not supported: spec.x",
		"get pods --field-selector a=b":        "on events only",
		"get events --sort-by=.spec.x":         "kubesim sorts events by",
	} {
		if _, err := kcErr(t, c, line); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one saying %q", line, err, want)
		}
	}
}

// Deleting a namespace deletes its Events with the rest of its content, as
// the namespace controller deletes every namespaced resource (bug: 'get
// events -n t' after t was gone still listed its pods' and ReplicaSets'
// events); the other namespaces' events stay.
func TestNamespaceDeletionDeletesItsEvents(t *testing.T) {
	c := eventCluster(t)
	for _, line := range []string{"create namespace t", "-n t create deployment web --image=nginx", "create deployment keep --image=nginx"} {
		if _, err := apply(c, line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	advance(c, 30*time.Second)
	if out := kc(t, c, "get events -n t --field-selector reason=Scheduled"); !strings.Contains(out, "Successfully assigned t/web-") {
		t.Fatalf("get events -n t before the deletion:\n%s", out)
	}
	if _, err := apply(c, "delete namespace t"); err != nil {
		t.Fatal(err)
	}
	advance(c, 60*time.Second)
	if _, err := kcErr(t, c, "get ns t"); err == nil {
		t.Fatal("namespace t still there 60 s after its deletion")
	}
	if out := kc(t, c, "get events -n t"); out != "No resources found in t namespace." {
		t.Errorf("get events -n t after t is gone:\n%s", out)
	}
	if out := kc(t, c, "get events --field-selector reason=Scheduled"); !strings.Contains(out, "Successfully assigned default/keep-") {
		t.Errorf("default's events went too:\n%s", out)
	}
}

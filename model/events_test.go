package model

import (
	"fmt"
	"strings"
	"testing"
)

// eventLines is "Type Reason object: message (xN)" for the events of obj
// (every object when kind is ""), in creation order.
func eventLines(l *EventLog, c *Cluster, kind, name string) []string {
	var out []string
	for _, e := range l.Events(c.Now()) {
		if kind != "" && (e.Object.Kind != kind || e.Object.Name != name) {
			continue
		}
		s := fmt.Sprintf("%s %s %s/%s: %s", e.Type, e.Reason, e.Object.Kind, e.Object.Name, e.Message)
		if e.Count > 1 {
			s += fmt.Sprintf(" (x%d)", e.Count)
		}
		out = append(out, s)
	}
	return out
}

func recordEvents(c *Cluster) *EventLog {
	l := NewEventLog()
	c.RecordEvents(l)
	return l
}

// A pod that fits no node says why, in the scheduler's words: the control
// plane's taint and the workers' CPU, counted per reason, then preemption's
// verdict; each retry with the same message counts into the same event.
func TestEventsFailedScheduling(t *testing.T) {
	c := newWorkshop(t, 1, 4)
	l := recordEvents(c)
	if _, err := c.CreatePod("big", nil, PodSpec{Image: "nginx", Requests: Resources{MilliCPU: 3000}}, nil); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(400)) // the unschedulable queue is flushed after 5 minutes
	got := eventLines(l, c, "Pod", "big")
	want := "Warning FailedScheduling Pod/big: 0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod. (x2)"
	if len(got) != 1 || got[0] != want {
		t.Fatalf("events of the pending pod:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

// A Deployment scaled from 1 to 3: the Deployment controller scales its
// ReplicaSet, which creates the pods; each pod is scheduled, pulled (once per
// node: then already present), created and started.
func TestEventsDeploymentScale(t *testing.T) {
	c := newWorkshop(t, 1, 4)
	l := recordEvents(c)
	d, err := c.CreateDeployment("web", map[string]string{"app": "web"}, PodSpec{Image: "nginx:1.27"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(60))
	if err := c.ScaleDeployment(d, 3); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(60))
	rs := d.rs[0].Name
	want := []string{
		"Normal ScalingReplicaSet Deployment/web: Scaled up replica set " + rs + " from 0 to 1",
		"Normal ScalingReplicaSet Deployment/web: Scaled up replica set " + rs + " from 1 to 3",
	}
	if got := eventLines(l, c, "Deployment", "web"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Deployment events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	created := eventLines(l, c, "ReplicaSet", rs)
	if len(created) != 3 || !strings.HasPrefix(created[0], "Normal SuccessfulCreate ReplicaSet/"+rs+": Created pod: "+rs+"-") {
		t.Errorf("ReplicaSet events: %q", created)
	}
	p := d.rs[0].pods[0]
	got := eventLines(l, c, "Pod", p.Name)
	reasons := []string{}
	for _, g := range got {
		reasons = append(reasons, strings.Fields(g)[1])
	}
	if strings.Join(reasons, " ") != "Scheduled Pulling Pulled Created Started" {
		t.Fatalf("pod events:\n%s", strings.Join(got, "\n"))
	}
	if want := "Normal Scheduled Pod/" + p.Name + ": Successfully assigned default/" + p.Name + " to " + p.NodeName; got[0] != want {
		t.Errorf("got %q, want %q", got[0], want)
	}
	if !strings.Contains(got[2], `Successfully pulled image "nginx:1.27" in `) || !strings.HasSuffix(got[2], " including waiting). Image size: 104857600 bytes.") {
		t.Errorf("Pulled: %q", got[2])
	}
	// Scale down: the ReplicaSet deletes two pods, their kubelets stop them.
	if err := c.ScaleDeployment(d, 1); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(60))
	if got := eventLines(l, c, "Deployment", "web"); got[len(got)-1] != "Normal ScalingReplicaSet Deployment/web: Scaled down replica set "+rs+" from 3 to 1" {
		t.Errorf("last Deployment event %q", got[len(got)-1])
	}
	n := 0
	for _, e := range l.Events(c.Now()) {
		if e.Reason == "Killing" && strings.HasPrefix(e.Message, "Stopping container nginx") {
			n++
		}
		if e.Reason == "SuccessfulDelete" && !strings.HasPrefix(e.Message, "Deleted pod: "+rs+"-") {
			t.Errorf("SuccessfulDelete %q", e.Message)
		}
	}
	if n != 2 {
		t.Errorf("%d Killing events, want 2", n)
	}
}

// A node that stops heartbeating: the node lifecycle controller marks it
// NotReady 50 s (grace period) later at its next 5 s tick, warns on each pod
// that loses Ready, and after the pods' 300 s not-ready toleration the taint
// eviction controller marks them for deletion.
func TestEventsNodeDown(t *testing.T) {
	c := newWorkshop(t, 1, 2)
	l := recordEvents(c)
	if _, err := c.CreatePod("p", nil, PodSpec{Image: "nginx"}, nil); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(60))
	down := c.Now()
	if err := c.StopNode("node2"); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(400))
	var notReady, podNotReady, evict *Event
	for _, e := range l.Events(c.Now()) {
		switch {
		case e.Reason == "NodeNotReady" && e.Object.Kind == "Node":
			notReady = e
		case e.Reason == "NodeNotReady" && e.Object.Kind == "Pod":
			podNotReady = e
		case e.Reason == "TaintManagerEviction":
			evict = e
		}
	}
	if notReady == nil || podNotReady == nil || evict == nil {
		t.Fatalf("missing events:\n%s", strings.Join(eventLines(l, c, "", ""), "\n"))
	}
	if notReady.Message != "Node node2 status is now: NodeNotReady" || notReady.Source != "node-controller" {
		t.Errorf("node event %+v", notReady)
	}
	if d := notReady.First - down; d < sec(50) || d > sec(65) {
		t.Errorf("NodeNotReady %v after the node went down, want 50-65 s", d)
	}
	if podNotReady.Type != EventWarning || podNotReady.Message != "Node is not ready" || podNotReady.First != notReady.First {
		t.Errorf("pod event %+v", podNotReady)
	}
	if evict.Message != "Marking for deletion Pod default/p" || evict.Source != "taint-eviction-controller" {
		t.Errorf("eviction %+v", evict)
	}
	// Taint added at NotReady (+ up to one eviction pass), then 300 s.
	if d := evict.First - notReady.First; d < sec(300) || d > sec(301) {
		t.Errorf("TaintManagerEviction %v after NodeNotReady, want 300 s", d)
	}
}

// Identical occurrences count into one event; ten different messages of one
// object and reason within 10 minutes make the next ones a combined event.
func TestEventLogAggregation(t *testing.T) {
	l := NewEventLog()
	ref := ObjectRef{Kind: "Deployment", Namespace: "default", Name: "web", UID: "u1"}
	rec := func(at float64, msg string) {
		l.RecordEvent(Event{Object: ref, Type: EventNormal, Reason: "ScalingReplicaSet", Message: msg,
			Source: SourceDeployment, First: sec(at), Last: sec(at), Count: 1})
	}
	rec(1, "a")
	rec(2, "a")
	if ev := l.Events(sec(2)); len(ev) != 1 || ev[0].Count != 2 || ev[0].First != sec(1) || ev[0].Last != sec(2) {
		t.Fatalf("aggregation: %+v", ev)
	}
	for i := 0; i < 12; i++ {
		rec(10+float64(i), fmt.Sprintf("m%d", i))
	}
	ev := l.Events(sec(30))
	last := ev[len(ev)-1]
	// "a" and m0..m7 are nine messages; m8 is the tenth: it and the ones
	// after it are combined.
	if len(ev) != 1+8+1 || last.Message != "(combined from similar events): m11" || last.Count != 4 {
		for _, e := range ev {
			t.Logf("%q x%d", e.Message, e.Count)
		}
		t.Fatalf("similar events: %d events, last %q x%d", len(ev), last.Message, last.Count)
	}
	// An hour after its last update an event is gone; the same message then
	// makes a new one.
	if n := len(l.Events(sec(2) + DefaultEventTTL)); n != 9 {
		t.Errorf("%d events an hour later, want 9", n)
	}
	rec(4000, "a")
	if ev := l.Events(sec(4000)); ev[len(ev)-1].Count != 1 || ev[len(ev)-1].Message != "a" {
		t.Errorf("after expiry: %+v", ev[len(ev)-1])
	}
}

// The log keeps at most MaxEvents, the most recently updated.
func TestEventLogBounded(t *testing.T) {
	l := &EventLog{MaxEvents: 100}
	for i := 0; i < 10000; i++ {
		l.RecordEvent(Event{Object: ObjectRef{Kind: "Pod", Name: fmt.Sprint("p", i)}, Type: EventNormal,
			Reason: "Scheduled", Message: "x", Source: SourceScheduler, First: sec(float64(i) / 100), Last: sec(float64(i) / 100)})
	}
	if l.Len() > 2048 {
		t.Errorf("log holds %d events, want at most 2048", l.Len())
	}
	ev := l.Events(sec(100))
	if ev[len(ev)-1].Object.Name != "p9999" {
		t.Errorf("newest event lost: %+v", ev[len(ev)-1])
	}
}

// The kubelet's events name the container by its name, not its image: Online
// Boutique's frontend runs image .../frontend:v0.10.6 in a container named
// server, so kubectl shows spec.containers{server} and "Stopping container
// server".
func TestEventsNameTheContainer(t *testing.T) {
	c := newWorkshop(t, 1, 4)
	l := recordEvents(c)
	p, err := c.CreatePod("frontend", nil, PodSpec{Image: "us-central1-docker.pkg.dev/google-samples/microservices-demo/frontend:v0.10.6", Container: "server"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(60))
	c.DeletePod(p)
	runFor(c, sec(60))
	var got []string
	for _, e := range l.Events(c.Now()) {
		if e.Object.Kind != "Pod" || e.Object.FieldPath == "" {
			continue
		}
		got = append(got, e.Reason+" "+e.Object.FieldPath)
		if e.Object.FieldPath != "spec.containers{server}" {
			t.Errorf("%s event names %s, want spec.containers{server}", e.Reason, e.Object.FieldPath)
		}
		if e.Reason == "Killing" && e.Message != "Stopping container server" {
			t.Errorf("Killing: %q, want %q", e.Message, "Stopping container server")
		}
	}
	if strings.Join(got, ",") == "" || !strings.Contains(strings.Join(got, ","), "Killing") {
		t.Errorf("container events: %q; want Pulling..Started and Killing", got)
	}
}

// hostPort: a Deployment of 4 replicas on hostPort 8080 fills the workshop's
// 3 workers, one pod each; the fourth pod is Pending with NodePorts' reason,
// as kube-scheduler gives it; when a holder goes, it is scheduled on the
// freed node.
func TestHostPortScheduling(t *testing.T) {
	c := newWorkshop(t, 1, 4)
	l := recordEvents(c)
	spec := PodSpec{Image: "nginx", Ports: []ContainerPort{{Port: 80, HostPort: 8080}}}
	d, err := c.CreateDeployment("web", map[string]string{"app": "web"}, spec, 4)
	if err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(30))
	nodes := map[string]int{}
	var pending []*Pod
	for _, p := range c.Pods() {
		if p.NodeName == "" {
			pending = append(pending, p)
		} else {
			nodes[p.NodeName]++
		}
	}
	if len(pending) != 1 || len(nodes) != 3 || nodes["node2"] != 1 || nodes["node3"] != 1 || nodes["node4"] != 1 {
		t.Fatalf("pods per node %v, %d pending; want one on each worker and one pending", nodes, len(pending))
	}
	got := eventLines(l, c, "Pod", pending[0].Name)
	want := "Warning FailedScheduling Pod/" + pending[0].Name + ": 0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 node(s) didn't have free ports for the requested pod ports. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
	if len(got) != 1 || got[0] != want {
		t.Fatalf("events of the pending pod:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	// Another port fits beside them.
	other, err := c.CreatePod("other", nil, PodSpec{Image: "nginx", Ports: []ContainerPort{{Port: 80, HostPort: 8081}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(5))
	if other.NodeName == "" {
		t.Fatal("a pod on hostPort 8081 is Pending beside pods on 8080")
	}
	// Scaling down to 3 deletes the pending pod; scaling to 2 frees a node,
	// and a new pod on 8080 goes there.
	if err := c.ScaleDeployment(d, 2); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(60))
	late, err := c.CreatePod("late", nil, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(5))
	if late.NodeName == "" {
		t.Fatal("a pod on hostPort 8080 is Pending after the Deployment went from 3 to 2 pods")
	}
	// spec.nodeName bypasses the scheduler; the kubelet's admission refuses
	// the taken port.
	pinned := spec
	pinned.NodeName = late.NodeName
	p, err := c.CreatePod("pinned", nil, pinned, nil)
	if err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(5))
	if p.Phase != PodFailed || p.Running {
		t.Fatalf("a pod pinned to %s on its taken hostPort 8080: phase %s, running %v; want Failed", late.NodeName, p.Phase, p.Running)
	}
}

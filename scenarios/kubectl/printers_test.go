package kubectl_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios/kubectl"
	"github.com/kubesim/kubesim/sim"
)

// printCluster is the workshop's shape in small: node1 the kubeadm control
// plane, node2 and node3 workers.
func printCluster(t *testing.T, seed uint64) *model.Cluster {
	t.Helper()
	e := sim.New(seed)
	c := model.NewCluster(e, model.DefaultConfig())
	if _, err := c.AddNode(controlPlaneNode("node1")); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"node2", "node3"} {
		if _, err := c.AddNode(n, nil, nil, testCapacity); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

var rngLabels = map[string]string{"app": "rng"}

func rngSpec() model.PodSpec { return model.PodSpec{Image: "dockercoins/rng:v0.1"} }

// kc runs a get or describe step and returns its output; a step that fails
// fails the test.
func kc(t *testing.T, c *model.Cluster, line string) string {
	t.Helper()
	out, err := kcErr(t, c, line)
	if err != nil {
		t.Fatalf("kubectl %s: %v", line, err)
	}
	return out
}

func kcErr(t *testing.T, c *model.Cluster, line string) (string, error) {
	t.Helper()
	cmd, err := kubectl.Parse(line)
	if err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	if cmd.Verb == kubectl.Describe {
		return kubectl.PrintDescribe(c, cmd)
	}
	return kubectl.PrintGet(c, cmd)
}

// cells splits a table row into its cells (kubectl pads with 3+ spaces; no
// cell here contains 3 spaces).
func cells(line string) []string {
	return regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(line), -1)
}

// rows returns the table's data rows by name (first cell), and the header.
func rows(t *testing.T, out string) (string, map[string][]string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	m := map[string][]string{}
	for _, l := range lines[1:] {
		c := cells(l)
		m[c[0]] = c
	}
	return lines[0], m
}

// A pod goes Pending -> ContainerCreating -> Running 1/1 -> Terminating, as
// `kubectl get pods` shows it, and each header is kubectl's.
func TestGetPodsStatusLifecycle(t *testing.T) {
	c := printCluster(t, 1)
	if got := kc(t, c, "get pods"); got != "No resources found in default namespace." {
		t.Fatalf("empty cluster: %q", got)
	}
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 1); err != nil {
		t.Fatal(err)
	}
	var seen []string
	var name string
	for i := 0; i < 600; i++ {
		c.E.RunUntil(c.Now() + 100*time.Millisecond)
		out := kc(t, c, "get pods")
		if out == "No resources found in default namespace." {
			continue
		}
		lines := strings.Split(out, "\n")
		if lines[0] != "NAME                   READY   STATUS    RESTARTS   AGE" &&
			!regexp.MustCompile(`^NAME +READY +STATUS +RESTARTS +AGE$`).MatchString(lines[0]) {
			t.Fatalf("header %q", lines[0])
		}
		if len(lines) != 2 {
			t.Fatalf("one pod expected:\n%s", out)
		}
		row := cells(lines[1])
		name = row[0]
		st := row[2] + " " + row[1]
		if len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		if row[2] == "Running" && row[1] == "1/1" {
			break
		}
	}
	want := []string{"Pending 0/1", "ContainerCreating 0/1", "Running 1/1"}
	// Scheduling may complete within one 100 ms step: Pending is then not seen.
	if strings.Join(seen, ",") != strings.Join(want, ",") && strings.Join(seen, ",") != strings.Join(want[1:], ",") {
		t.Fatalf("statuses seen %v, want %v", seen, want)
	}
	p := c.Pod(name)
	c.DeletePod(p)
	c.E.RunUntil(c.Now() + time.Second)
	_, rs := rows(t, kc(t, c, "get pods "+name))
	if got := rs[name][2]; got != "Terminating" {
		t.Fatalf("deleted pod's status %q, want Terminating", got)
	}
}

// -o wide adds IP, NODE, NOMINATED NODE and READINESS GATES; IPs are in the
// node's pod CIDR, distinct, and stable while pods come and go.
func TestGetPodsWide(t *testing.T) {
	c := printCluster(t, 2)
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 4); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(60 * time.Second)
	out := kc(t, c, "get pods -o wide")
	header, rs := rows(t, out)
	if !regexp.MustCompile(`^NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES$`).MatchString(header) {
		t.Fatalf("wide header %q", header)
	}
	if len(rs) != 4 {
		t.Fatalf("want 4 pods:\n%s", out)
	}
	ips := map[string]string{}
	for name, r := range rs {
		p := c.Pod(name)
		if p == nil {
			t.Fatalf("row %q is no pod", name)
		}
		if r[6] != p.NodeName || r[6] == "node1" {
			t.Errorf("%s: NODE %q, pod is on %q (node1 is tainted)", name, r[6], p.NodeName)
		}
		idx := map[string]string{"node2": "1", "node3": "2"}[p.NodeName]
		if !strings.HasPrefix(r[5], "10.244."+idx+".") {
			t.Errorf("%s on %s has IP %s, not in 10.244.%s.0/24", name, p.NodeName, r[5], idx)
		}
		if other, dup := ips[r[5]]; dup {
			t.Errorf("%s and %s share IP %s", name, other, r[5])
		}
		ips[r[5]] = name
		if r[7] != "<none>" || r[8] != "<none>" {
			t.Errorf("%s: NOMINATED NODE / READINESS GATES %q %q", name, r[7], r[8])
		}
	}
	// Replace one pod: the others keep their IPs.
	var victim string
	for name := range rs {
		if victim == "" || name < victim {
			victim = name
		}
	}
	c.DeletePodGrace(c.Pod(victim), 0)
	c.E.RunUntil(c.Now() + 60*time.Second)
	_, after := rows(t, kc(t, c, "get pods -o wide"))
	if len(after) != 4 {
		t.Fatalf("want 4 pods after replacement, got %d", len(after))
	}
	for name, r := range after {
		if name == victim {
			t.Fatalf("deleted pod %s still listed", victim)
		}
		if before, ok := rs[name]; ok && before[5] != r[5] {
			t.Errorf("%s changed IP from %s to %s", name, before[5], r[5])
		}
		if other, ok := ips[r[5]]; ok && other != name && other != victim {
			t.Errorf("new pod %s got %s's IP %s", name, other, r[5])
		}
	}
	// A pod that cannot be scheduled has no IP and no node.
	if _, err := c.CreatePod("big", nil, model.PodSpec{Image: "nginx", Requests: model.Resources{MilliCPU: 64000}}, nil); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(c.Now() + 5*time.Second)
	_, rs = rows(t, kc(t, c, "get pods big -o wide"))
	if r := rs["big"]; r[2] != "Pending" || r[5] != "<none>" || r[6] != "<none>" {
		t.Errorf("unschedulable pod row %v", r)
	}
}

// `kubectl get all` lists pods, services, daemonsets, deployments and
// replicasets, in that order, with kind prefixes and a blank line between
// sections: a Deployment and a DaemonSet named rng side by side.
func TestGetAll(t *testing.T) {
	c := printCluster(t, 3)
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 2); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDaemonSet(model.DaemonSetSpec{Name: "rng", Template: model.PodTemplate{Labels: rngLabels, Spec: rngSpec()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateService("rng", rngLabels, 80); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(90 * time.Second)
	out := kc(t, c, "get all")
	sections := strings.Split(out, "\n\n")
	if len(sections) != 5 {
		t.Fatalf("want 5 sections, got %d:\n%s", len(sections), out)
	}
	wantHeaders := []string{
		`^NAME +READY +STATUS +RESTARTS +AGE$`,
		`^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE$`,
		`^NAME +DESIRED +CURRENT +READY +UP-TO-DATE +AVAILABLE +NODE SELECTOR +AGE$`,
		`^NAME +READY +UP-TO-DATE +AVAILABLE +AGE$`,
		`^NAME +DESIRED +CURRENT +READY +AGE$`,
	}
	prefixes := []string{"pod/", "service/", "daemonset.apps/", "deployment.apps/", "replicaset.apps/"}
	for i, s := range sections {
		lines := strings.Split(s, "\n")
		if !regexp.MustCompile(wantHeaders[i]).MatchString(lines[0]) {
			t.Errorf("section %d header %q", i, lines[0])
		}
		for _, l := range lines[1:] {
			if !strings.HasPrefix(l, prefixes[i]) {
				t.Errorf("section %d row %q lacks prefix %s", i, l, prefixes[i])
			}
		}
	}
	// 2 deployment pods + 2 daemon pods (node1's control-plane taint keeps
	// the daemon pod off it).
	if n := strings.Count(sections[0], "\npod/"); n != 4 {
		t.Errorf("%d pods in get all, want 4:\n%s", n, sections[0])
	}
	_, svc := rows(t, sections[1])
	if r := svc["service/kubernetes"]; r == nil || r[2] != "10.96.0.1" || r[4] != "443/TCP" {
		t.Errorf("kubernetes service row %v", r)
	}
	if r := svc["service/rng"]; r == nil || r[1] != "ClusterIP" || !strings.HasPrefix(r[2], "10.96.") || r[3] != "<none>" || r[4] != "80/TCP" {
		t.Errorf("rng service row %v", r)
	}
	_, ds := rows(t, sections[2])
	if r := ds["daemonset.apps/rng"]; r == nil || strings.Join(r[1:7], " ") != "2 2 2 2 2 <none>" {
		t.Errorf("daemonset row %v, want 2 desired/current/ready/up-to-date/available", r)
	}
	_, dep := rows(t, sections[3])
	if r := dep["deployment.apps/rng"]; r == nil || strings.Join(r[1:4], " ") != "2/2 2 2" {
		t.Errorf("deployment row %v", r)
	}
	rsName := c.Deployment("rng").NewReplicaSet().Name
	_, rss := rows(t, sections[4])
	if r := rss["replicaset.apps/"+rsName]; r == nil || strings.Join(r[1:4], " ") != "2 2 2" {
		t.Errorf("replicaset row %v", r)
	}
	// A single type has no prefix; -o name always has one.
	if out := kc(t, c, "get deploy"); strings.Contains(out, "deployment.apps/") {
		t.Errorf("single-type get has kind prefixes:\n%s", out)
	}
	names := strings.Split(kc(t, c, "get all -o name"), "\n")
	if names[0][:4] != "pod/" || names[len(names)-1] != "replicaset.apps/"+rsName || len(names) != 4+2+1+1+1 {
		t.Errorf("get all -o name:\n%s", strings.Join(names, "\n"))
	}
}

// -l filters with label selectors (equality and set-based); nothing
// matching is kubectl's "No resources found".
func TestGetSelector(t *testing.T) {
	c := printCluster(t, 4)
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 3); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment("hasher", map[string]string{"app": "hasher"}, model.PodSpec{Image: "dockercoins/hasher:v0.1"}, 2); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(60 * time.Second)
	count := func(line string) int {
		out := kc(t, c, line)
		if strings.HasPrefix(out, "No resources found") {
			return 0
		}
		return strings.Count(out, "\n")
	}
	if n := count("get pods -l app=rng"); n != 3 {
		t.Errorf("app=rng: %d pods", n)
	}
	if n := count("get pods -l 'app in (rng,hasher)'"); n != 5 {
		t.Errorf("app in (rng,hasher): %d pods", n)
	}
	if n := count("get pods -l app!=rng"); n != 2 {
		t.Errorf("app!=rng: %d pods", n)
	}
	if n := count("get deploy -l app=hasher"); n != 1 {
		t.Errorf("deploy app=hasher: %d", n)
	}
	if got := kc(t, c, "get pods -l app=redis"); got != kubectl.NoResourcesFound("default") {
		t.Errorf("no match: %q", got)
	}
	// A relabelled pod leaves the selection.
	p := c.Deployment("rng").NewReplicaSet().Pods()[0]
	c.SetPodLabels(p, map[string]string{"app": "rng", "enabled": "no"})
	if n := count("get pods -l app=rng,enabled!=no"); n != 2 {
		t.Errorf("after relabelling one pod: %d", n)
	}
	if got := kc(t, c, "get pods -l enabled=no -o name"); got != "pod/"+p.Name {
		t.Errorf("-o name: %q", got)
	}
}

// Unknown names give kubectl's NotFound text; the objects found are still
// printed. -o yaml and -w are refused with a reason.
func TestGetErrors(t *testing.T) {
	c := printCluster(t, 5)
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 1); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(30 * time.Second)
	_, err := kcErr(t, c, "get deploy nope")
	var re *kubectl.RefusalError
	if err == nil || !errors.As(err, &re) || err.Error() != `Error from server (NotFound): deployments.apps "nope" not found` {
		t.Errorf("get deploy nope: %v", err)
	}
	out, err := kcErr(t, c, "get deploy nope rng")
	if err == nil || !strings.Contains(err.Error(), `"nope" not found`) || !strings.Contains(out, "rng ") {
		t.Errorf("partial get: out %q err %v", out, err)
	}
	var ue *kubectl.UsageError
	if _, err := kubectl.Parse("get pods -o go-template={{.kind}}"); !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), "error: -o go-template is not supported by kubesim") {
		t.Errorf("-o go-template: %v", err)
	}
	if _, err := kcErr(t, c, "get pods -w"); !errors.As(err, &ue) || !strings.Contains(err.Error(), "watch") {
		t.Errorf("-w: %v", err)
	}
	if _, err := kcErr(t, c, "get pods rng -l app=rng"); !errors.As(err, &ue) || err.Error() != "error: name cannot be provided when a selector is specified" {
		t.Errorf("name and selector: %v", err)
	}
	if _, err := kcErr(t, c, "describe svc nope"); err == nil || err.Error() != `Error from server (NotFound): services "nope" not found` {
		t.Errorf("describe svc nope: %v", err)
	}
	cmd, _ := kubectl.Parse("scale deploy rng --replicas=2")
	if _, err := kubectl.PrintGet(c, cmd); err == nil {
		t.Error("Get accepted a scale command")
	}
}

// Nodes: STATUS follows cordon and node failure, ROLES shows the control
// plane, VERSION is the documented kubelet version.
func TestGetNodes(t *testing.T) {
	c := printCluster(t, 6)
	c.E.RunUntil(10 * time.Second)
	header, rs := rows(t, kc(t, c, "get nodes"))
	if !regexp.MustCompile(`^NAME +STATUS +ROLES +AGE +VERSION$`).MatchString(header) {
		t.Fatalf("header %q", header)
	}
	if r := rs["node1"]; strings.Join(r, " ") != "node1 Ready control-plane 10s "+kubectl.KubeletVersion {
		t.Errorf("node1 row %v", r)
	}
	if r := rs["node2"]; r[2] != "<none>" {
		t.Errorf("node2 roles %v", r)
	}
	if err := c.Cordon("node2"); err != nil {
		t.Fatal(err)
	}
	if err := c.StopNode("node3"); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(c.Now() + 2*time.Minute)
	_, rs = rows(t, kc(t, c, "get nodes -o wide"))
	if r := rs["node2"]; r[1] != "Ready,SchedulingDisabled" {
		t.Errorf("cordoned node2: %v", r)
	}
	if r := rs["node3"]; r[1] != "NotReady" || r[5] != "10.0.0.12" {
		t.Errorf("stopped node3: %v", r)
	}
	d := kc(t, c, "describe node node2")
	for _, want := range []string{"Unschedulable:      true", "Taints:             node.kubernetes.io/unschedulable:NoSchedule"} {
		if !strings.Contains(d, want) {
			t.Errorf("describe node2 lacks %q:\n%s", want, d)
		}
	}
	if d := kc(t, c, "describe node node1"); !strings.Contains(d, "Taints:             node-role.kubernetes.io/control-plane:NoSchedule") ||
		!strings.Contains(d, "Roles:              control-plane") {
		t.Errorf("describe node1:\n%s", d)
	}
	if d := kc(t, c, "describe node node3"); !regexp.MustCompile(`\n  Ready +Unknown +.* +NodeStatusUnknown +Kubelet stopped posting node status\.`).MatchString(d) {
		t.Errorf("describe node3 condition:\n%s", d)
	}
}

// describe service: Endpoints are the ready pods' IP:port, three shown and
// "+ N more..." as kubectl abbreviates, <none> when no pod is ready.
func TestDescribeServiceEndpoints(t *testing.T) {
	c := printCluster(t, 7)
	d, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 5)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := c.CreateService("rng", rngLabels, 80)
	if err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(90 * time.Second)
	out := kc(t, c, "describe svc rng")
	want := []string{
		"Name:                     rng",
		"Namespace:                default",
		"Selector:                 app=rng",
		"Type:                     ClusterIP",
		"Port:                     <unset>  80/TCP",
		"TargetPort:               80/TCP",
		"Session Affinity:         None",
		"Events:                   <none>",
	}
	for _, w := range want {
		if !strings.Contains(out, w+"\n") && !strings.HasSuffix(out, w) {
			t.Errorf("describe svc lacks %q:\n%s", w, out)
		}
	}
	m := regexp.MustCompile(`\nEndpoints: +((?:10\.244\.\d+\.\d+:80,){2}10\.244\.\d+\.\d+:80) \+ (\d+) more\.\.\.\n`).FindStringSubmatch(out)
	if m == nil || m[2] != "2" {
		t.Fatalf("Endpoints line for 5 ready pods:\n%s", out)
	}
	if svc.ReadyEndpoints() != 5 {
		t.Fatalf("model has %d ready endpoints", svc.ReadyEndpoints())
	}
	// The endpoint IPs are the pods' IPs as get pods -o wide shows them.
	_, pods := rows(t, kc(t, c, "get pods -o wide"))
	podIPs := map[string]bool{}
	for _, r := range pods {
		podIPs[r[5]+":80"] = true
	}
	for _, ep := range strings.Split(m[1], ",") {
		if !podIPs[ep] {
			t.Errorf("endpoint %s is no pod's IP", ep)
		}
	}
	if err := c.ScaleDeployment(d, 2); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(c.Now() + 90*time.Second)
	out = kc(t, c, "describe svc rng")
	if m := regexp.MustCompile(`\nEndpoints: +(\S+)\n`).FindStringSubmatch(out); m == nil || strings.Count(m[1], ",") != 1 {
		t.Errorf("Endpoints for 2 pods:\n%s", out)
	}
	c.SetServiceSelector(svc, map[string]string{"app": "nothing"})
	if out := kc(t, c, "describe svc rng"); !strings.Contains(out, "\nEndpoints:                <none>\n") {
		t.Errorf("Endpoints with no pod:\n%s", out)
	}
}

// describe pod, deployment, replicaset and daemonset show the lines SREs look
// for: node, status, controller, Ready condition, replicas, selector, image.
func TestDescribeWorkloads(t *testing.T) {
	c := printCluster(t, 8)
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 2); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDaemonSet(model.DaemonSetSpec{Name: "rng", Template: model.PodTemplate{Labels: rngLabels, Spec: rngSpec()}}); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(60 * time.Second)
	rs := c.Deployment("rng").NewReplicaSet()
	p := rs.Pods()[0]
	out := kc(t, c, "describe pod "+p.Name)
	for _, re := range []string{
		`(?m)^Name: +` + p.Name + `$`,
		`(?m)^Node: +` + p.NodeName + `/10\.0\.0\.1[12]$`,
		`(?m)^Status: +Running$`,
		`(?m)^IP: +10\.244\.[12]\.\d+$`,
		`(?m)^Controlled By: +ReplicaSet/` + rs.Name + `$`,
		`(?m)^    Image: +dockercoins/rng:v0\.1$`,
		`(?m)^  Ready +True $`,
		`(?m)^Tolerations: +node\.kubernetes\.io/not-ready:NoExecute op=Exists for 300s$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("describe pod does not match %s:\n%s", re, out)
		}
	}
	out = kc(t, c, "describe deploy rng")
	for _, re := range []string{
		`(?m)^Replicas: +2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable$`,
		`(?m)^Selector: +app=rng$`,
		`(?m)^StrategyType: +RollingUpdate$`,
		`(?m)^RollingUpdateStrategy: +25% max unavailable, 25% max surge$`,
		`(?m)^NewReplicaSet: +` + rs.Name + ` \(2/2 replicas created\)$`,
		`(?m)^  Available +True +MinimumReplicasAvailable$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("describe deploy does not match %s:\n%s", re, out)
		}
	}
	out = kc(t, c, "describe rs "+rs.Name)
	for _, re := range []string{
		`(?m)^Replicas: +2 current / 2 desired$`,
		`(?m)^Pods Status: +2 Running / 0 Waiting / 0 Succeeded / 0 Failed$`,
		`(?m)^Controlled By: +Deployment/rng$`,
		`(?m)^Selector: +app=rng,pod-template-hash=` + regexp.QuoteMeta(rs.Template.Labels[model.LabelPodTemplateHash]) + `$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("describe rs does not match %s:\n%s", re, out)
		}
	}
	out = kc(t, c, "describe ds rng")
	for _, re := range []string{
		`(?m)^Desired Number of Nodes Scheduled: 2$`,
		`(?m)^Current Number of Nodes Scheduled: 2$`,
		`(?m)^Number of Nodes Misscheduled: 0$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("describe ds does not match %s:\n%s", re, out)
		}
	}
	// describe TYPE without a name describes each object, two blank lines apart.
	if out := kc(t, c, "describe pods -l app=rng"); strings.Count(out, "\n\n\nName:") != 3 {
		t.Errorf("4 pods should give 3 separators:\n%s", out)
	}
	// describe node lists the pods on it.
	n := c.Node(p.NodeName)
	out = kc(t, c, "describe node "+n.Name)
	want := fmt.Sprintf("Non-terminated Pods:          (%d in total)", len(n.Pods()))
	if !strings.Contains(out, want) || !strings.Contains(out, "  default                     "+p.Name) {
		t.Errorf("describe node lacks %q or %s:\n%s", want, p.Name, out)
	}
}

// A node that stops keeps its pods Running in the API (the kubelet cannot
// report) but not ready; the DaemonSet no longer counts it as desired.
func TestGetAfterNodeFailure(t *testing.T) {
	c := printCluster(t, 9)
	if _, err := c.CreateDaemonSet(model.DaemonSetSpec{Name: "rng", Template: model.PodTemplate{Labels: rngLabels, Spec: rngSpec()}}); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(60 * time.Second)
	if err := c.StopNode("node3"); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(c.Now() + 2*time.Minute)
	_, rs := rows(t, kc(t, c, "get pods -o wide"))
	for name, r := range rs {
		if r[6] == "node3" && (r[1] != "0/1" || r[2] != "Running") {
			t.Errorf("pod %s on the dead node: %v, want 0/1 Running", name, r)
		}
	}
	_, ds := rows(t, kc(t, c, "get ds"))
	if r := ds["rng"]; strings.Join(r[1:4], " ") != "1 1 1" {
		t.Errorf("daemonset with node3 NotReady: %v, want 1 desired/current/ready", r)
	}
}

// Same seed, same steps: byte-identical output.
func TestPrintersDeterministic(t *testing.T) {
	var svcs string
	run := func() string {
		c := printCluster(t, 42)
		if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 6); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"rng", "hasher", "redis", "webui"} {
			if _, err := c.CreateService(s, rngLabels, 80); err != nil {
				t.Fatal(err)
			}
		}
		c.E.RunUntil(45 * time.Second)
		var b strings.Builder
		for _, l := range []string{"get all -o wide", "get nodes -o wide", "describe svc", "describe nodes", "describe pods"} {
			b.WriteString(kc(t, c, l))
		}
		svcs = kc(t, c, "get svc")
		return b.String()
	}
	a, b := run(), run()
	if a != b {
		t.Fatal("two identical runs printed differently")
	}
	ips := regexp.MustCompile(`10\.96\.\d+\.\d+`).FindAllString(svcs, -1)
	seen := map[string]bool{}
	for _, ip := range ips {
		seen[ip] = true
	}
	if len(seen) != 5 {
		t.Errorf("want 5 distinct ClusterIPs (kubernetes + 4), got %v", ips)
	}
}

// --show-labels adds a LABELS column, after the -o wide ones.
func TestGetShowLabels(t *testing.T) {
	c := printCluster(t, 10)
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 1); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(30 * time.Second)
	hash := c.Deployment("rng").NewReplicaSet().Template.Labels[model.LabelPodTemplateHash]
	out := kc(t, c, "get pods -l app=rng --show-labels")
	lines := strings.Split(out, "\n")
	if !regexp.MustCompile(`^NAME +READY +STATUS +RESTARTS +AGE +LABELS$`).MatchString(lines[0]) || len(lines) != 2 {
		t.Fatalf("--show-labels:\n%s", out)
	}
	if r := cells(lines[1]); r[len(r)-1] != "app=rng,pod-template-hash="+hash {
		t.Errorf("LABELS cell %q", r[len(r)-1])
	}
	out = kc(t, c, "get nodes -o wide --show-labels")
	_, rs := rows(t, out)
	if r := rs["node1"]; r[len(r)-1] != "beta.kubernetes.io/arch=amd64,beta.kubernetes.io/os=linux,kubernetes.io/arch=amd64,kubernetes.io/hostname=node1,kubernetes.io/os=linux,node-role.kubernetes.io/control-plane=,node.kubernetes.io/exclude-from-external-load-balancers=" || r[len(r)-2] != "containerd://2.1.4" {
		t.Errorf("node1 wide with labels: %v", r)
	}
	if out := kc(t, c, "get pods --show-labels=false"); strings.Contains(out, "LABELS") {
		t.Errorf("--show-labels=false printed labels:\n%s", out)
	}
}

// After a node reboot its pods show the restart, kubectl's "1 (Xs ago)", and
// the node keeps its age.
func TestGetAfterReboot(t *testing.T) {
	c := printCluster(t, 11)
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 4); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(60 * time.Second)
	if err := c.RebootNode("node2", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(c.Now() + 3*time.Minute)
	_, rs := rows(t, kc(t, c, "get pods -o wide"))
	restarted := 0
	for name, r := range rs {
		p := c.Pod(name)
		if r[6] != "node2" {
			if r[3] != "0" {
				t.Errorf("%s on %s restarted: %v", name, r[6], r)
			}
			continue
		}
		restarted++
		want := fmt.Sprintf("1 (%s ago)", kubectl.Age(c, p.Started))
		if r[3] != want || r[2] != "Running" {
			t.Errorf("%s after reboot: %v, want RESTARTS %q", name, r, want)
		}
	}
	if restarted == 0 {
		t.Fatal("no pod on node2")
	}
	_, nodes := rows(t, kc(t, c, "get nodes"))
	if nodes["node2"][3] != nodes["node3"][3] || nodes["node2"][3] != "4m" {
		t.Errorf("node ages after reboot: node2 %v node3 %v, want 4m both", nodes["node2"], nodes["node3"])
	}
}

// benchCluster: 50 workers running 1000 pods behind a Service.
func benchCluster(b *testing.B) *model.Cluster {
	e := sim.New(1)
	c := model.NewCluster(e, model.DefaultConfig())
	for i := 0; i < 50; i++ {
		if _, err := c.AddNode(fmt.Sprintf("node%d", i+1), nil, nil, testCapacity); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 1000); err != nil {
		b.Fatal(err)
	}
	if _, err := c.CreateService("rng", rngLabels, 80); err != nil {
		b.Fatal(err)
	}
	e.RunUntil(5 * time.Minute)
	return c
}

// BenchmarkGetPodsWide prints 1000 pods with -o wide; the baseline formats
// the same rows from the pods' fields through the same tabwriter, without
// kubectl's status rules or the synthesised addresses.
func BenchmarkGetPodsWide(b *testing.B) {
	c := benchCluster(b)
	cmd, err := kubectl.Parse("get pods -o wide")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := kubectl.PrintGet(c, cmd); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-plain-tabwriter", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var sb strings.Builder
			w := kubectl.NewTabWriter(&sb)
			fmt.Fprintln(w, "NAME\tREADY\tSTATUS\tRESTARTS\tAGE\tIP\tNODE\tNOMINATED NODE\tREADINESS GATES")
			for _, p := range c.Pods() {
				fmt.Fprintf(w, "%s\t1/1\t%s\t%d\t%v\t%d\t%s\t<none>\t<none>\n", p.Name, p.Phase, p.Restarts, c.Now()-p.CreationTimestamp, p.ID, p.NodeName)
			}
			w.Flush()
		}
	})
}

// BenchmarkDescribeService describes a Service with 1000 endpoints.
func BenchmarkDescribeService(b *testing.B) {
	c := benchCluster(b)
	cmd, err := kubectl.Parse("describe svc rng")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kubectl.PrintDescribe(c, cmd); err != nil {
			b.Fatal(err)
		}
	}
}

// Removing a node changes no other node's pod CIDR or addresses; nodes added
// at once take slots in natural name order (node2 before node10).
func TestAddressesStableAcrossNodeRemoval(t *testing.T) {
	e := sim.New(12)
	c := model.NewCluster(e, model.DefaultConfig())
	for i := 1; i <= 11; i++ {
		if _, err := c.AddNode(fmt.Sprintf("node%d", i), nil, nil, testCapacity); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 22); err != nil {
		t.Fatal(err)
	}
	e.RunUntil(2 * time.Minute)
	_, before := rows(t, kc(t, c, "get pods -o wide"))
	_, nodesBefore := rows(t, kc(t, c, "get nodes -o wide"))
	if got := nodesBefore["node10"][5]; got != "10.0.0.19" {
		t.Errorf("node10 InternalIP %s, want slot 9: 10.0.0.19", got)
	}
	for name, r := range before {
		var slot int
		fmt.Sscanf(r[6], "node%d", &slot)
		if !strings.HasPrefix(r[5], fmt.Sprintf("10.244.%d.", slot-1)) {
			t.Errorf("%s on %s has IP %s", name, r[6], r[5])
		}
	}
	if err := c.RemoveNode("node2"); err != nil {
		t.Fatal(err)
	}
	e.RunUntil(e.Now() + 10*time.Second)
	_, after := rows(t, kc(t, c, "get pods -o wide"))
	kept := 0
	for name, r := range after {
		if b, ok := before[name]; ok && b[6] != "node2" {
			kept++
			if b[5] != r[5] {
				t.Errorf("%s on %s changed IP %s -> %s after node2 was removed", name, r[6], b[5], r[5])
			}
		}
	}
	if kept < 15 {
		t.Fatalf("only %d pods kept", kept)
	}
	_, nodesAfter := rows(t, kc(t, c, "get nodes -o wide"))
	for n, r := range nodesAfter {
		if nodesBefore[n][5] != r[5] {
			t.Errorf("%s InternalIP %s -> %s", n, nodesBefore[n][5], r[5])
		}
	}
}

// describe prints a container's ports as kubectl's describeContainerBasicInfo
// does (was: always "Port: <none>"): one port as "Port: 80/TCP", several as
// "Ports: 80/TCP, 443/TCP", the host port 0 of a port without one, <none>
// only for a container with no port; the pod template of describe deploy
// likewise.
func TestDescribeContainerPorts(t *testing.T) {
	c := printCluster(t, 8)
	web := model.PodSpec{Image: "nginx", Ports: []model.ContainerPort{{Name: "http", Port: 80, Protocol: "TCP"}, {Name: "https", Port: 443}}}
	if _, err := c.CreatePod("web", nil, web, nil); err != nil {
		t.Fatal(err)
	}
	dns := model.PodSpec{Image: "coredns", Ports: []model.ContainerPort{{Port: 53, Protocol: "UDP", HostPort: 5353}}}
	if _, err := c.CreatePod("dns", nil, dns, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePod("bare", nil, model.PodSpec{Image: "busybox"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment("api", map[string]string{"app": "api"}, model.PodSpec{Image: "nginx", Ports: []model.ContainerPort{{Port: 8080}}}, 1); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(30 * time.Second)
	for _, tc := range []struct{ step, want string }{
		{"describe pod web", "\n    Ports:          80/TCP, 443/TCP\n    Host Ports:     0/TCP, 0/TCP\n"},
		{"describe pod dns", "\n    Port:           53/UDP\n    Host Port:      5353/UDP\n"},
		{"describe pod bare", "\n    Port:           <none>\n    Host Port:      <none>\n"},
		{"describe deploy api", "\n    Port:          8080/TCP\n    Host Port:     0/TCP\n"},
	} {
		if out := kc(t, c, tc.step); !strings.Contains(out, tc.want) {
			t.Errorf("%s lacks %q:\n%s", tc.step, tc.want, out)
		}
	}
}

package scenarios

import (
	"strings"
	"testing"
)

// outputAt is the output of the step run at t seconds whose command is cmd.
func outputAt(t *testing.T, res *Result, at float64, cmd string) string {
	t.Helper()
	for _, st := range res.Timeline {
		if st.At == at && st.Command == cmd {
			if st.Error != "" {
				return st.Output + "\n! " + st.Error
			}
			return st.Output
		}
	}
	t.Fatalf("no step %q at %vs", cmd, at)
	return ""
}

// container.training's rainbow.yaml (one Deployment and one Service named
// color in each of 3 namespaces) and eck-filebeat.yaml (a DaemonSet in
// eck-demo) next to default's color: names are unique per namespace, each
// Service selects its own namespace's pods, -A prints a NAMESPACE column,
// and deleting the namespaces (delete -f of the file with them) makes them
// Terminating, then gone with their objects (bug: the same names overwrote
// each other, "field is immutable", delete -f said namespaces not found).
func TestNamespacesRainbow(t *testing.T) {
	s, err := LoadFile("testdata/container.training/namespaces.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	check := func(at float64, cmd, want string) {
		t.Helper()
		if got := outputAt(t, res, at, cmd); got != want {
			t.Errorf("%vs %s:\n%s\nwant\n%s", at, cmd, got, want)
		}
	}
	check(60, "kubectl get deploy -A", `NAMESPACE   NAME    READY   UP-TO-DATE   AVAILABLE   AGE
blue        color   1/1     1            1           60s
default     color   1/1     1            1           60s
green       color   1/1     1            1           60s
red         color   1/1     1            1           60s`)
	svcs := outputAt(t, res, 60, "kubectl get svc -A")
	lines := strings.Split(svcs, "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "NAMESPACE   NAME         TYPE") || !strings.HasPrefix(lines[2], "default     color") || !strings.HasPrefix(lines[3], "default     kubernetes   ClusterIP   10.96.0.1 ") {
		t.Errorf("get svc -A:\n%s", svcs)
	}
	ips := map[string]bool{}
	for _, l := range lines[1:] {
		ips[strings.Fields(l)[3]] = true
	}
	if len(ips) != 5 {
		t.Errorf("get svc -A: the Services share ClusterIPs:\n%s", svcs)
	}
	if got := outputAt(t, res, 60, "kubectl -n blue get endpoints color"); strings.Count(got, ":80") != 1 {
		t.Errorf("blue's color Service selects other namespaces' pods:\n%s", got)
	}
	if got := outputAt(t, res, 60, "kubectl get pods"); strings.Count(got, "\n") != 1 {
		t.Errorf("get pods lists other namespaces' pods:\n%s", got)
	}
	if got := outputAt(t, res, 60, "kubectl get pods -n eck-demo -o wide"); strings.Count(got, "filebeat-") != 3 {
		t.Errorf("filebeat's DaemonSet runs a pod per worker:\n%s", got)
	}
	if got := outputAt(t, res, 60, "kubectl -n eck-demo describe ds filebeat"); !strings.HasPrefix(got, "Name:           filebeat\nNamespace:      eck-demo\n") {
		t.Errorf("describe ds -n eck-demo:\n%s", got)
	}
	check(61, "kubectl delete -f rainbow.yaml", `namespace "blue" deleted
deployment.apps "color" deleted from blue namespace
service "color" deleted from blue namespace
namespace "green" deleted
deployment.apps "color" deleted from green namespace
service "color" deleted from green namespace
namespace "red" deleted
deployment.apps "color" deleted from red namespace
service "color" deleted from red namespace`)
	if got := outputAt(t, res, 62, "kubectl get ns"); !strings.Contains(got, "blue              Terminating   62s\n") || !strings.Contains(got, "eck-demo          Active        62s\n") {
		t.Errorf("62s get ns:\n%s", got)
	}
	if got := outputAt(t, res, 62, "kubectl apply -f rainbow.yaml"); !strings.Contains(got, `Error from server (Forbidden): error when creating "rainbow.yaml": deployments.apps "color" is forbidden: unable to create new content in namespace blue because it is being terminated`) {
		t.Errorf("apply into a terminating namespace:\n%s", got)
	}
	check(150, "kubectl get ns", `NAME              STATUS   AGE
default           Active   2m30s
eck-demo          Active   2m30s
kube-node-lease   Active   2m30s
kube-public       Active   2m30s
kube-system       Active   2m30s`)
	if got := outputAt(t, res, 150, "kubectl get pods -A"); strings.Contains(got, "blue") || strings.Count(got, "\n") != 4 {
		t.Errorf("150s get pods -A:\n%s", got)
	}
}

// Cluster DNS for workload calls: a pod calls SERVICE of its own namespace,
// SERVICE.NS or SERVICE.NS.svc.cluster.local of another.
func TestNamespacesDNS(t *testing.T) {
	const file = `name: dns
duration: 60s
cluster: {workers: 2}
timeline:
  - at: 0s
    run: |
      kubectl create namespace shop
      kubectl -n shop create deployment web --image=example/web
      kubectl -n shop expose deployment web --port 80
      kubectl -n shop create deployment db --image=example/db
      kubectl -n shop expose deployment db --port 5432
      kubectl create deployment front --image=example/front
      kubectl expose deployment front --port 80 --type=LoadBalancer
workload:
  services:
    - {name: front, image: front, routes: [{name: /, service: exp(1ms), script: [{call: web.shop.svc.cluster.local}]}]}
    - {name: web, image: web, routes: [{name: /, service: exp(1ms), script: [{call: db/query}]}]}
    - {name: db, image: db, routes: [{name: /query, service: exp(1ms)}]}
  clients:
    - {name: users, users: 5, think: exp(200ms), call: front, start: 20s}
`
	s, err := ParseFile("dns.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	// Services outside default are reported as NAMESPACE/NAME.
	for _, name := range []string{"front", "shop/web", "shop/db"} {
		st, ok := res.Summary.Services[name]
		if !ok || st.Requests == 0 || st.Errors != 0 {
			t.Errorf("%s: %+v (want requests, no errors)", name, st)
		}
	}
}

// Seed 002's walkthrough runs as written: describe ds with -n, label a node
// gpu=true, get nodes -l, a nodeSelector keeps one pod, unlabelling removes
// it, delete -f of the file with the Namespace ends it all.
func TestSeed002DaemonSetNamespace(t *testing.T) {
	res := runBuiltin(t, "daemonset-namespace")
	const ns = "k -n my-awesome-daemonset-testing-namespace "
	for _, st := range res.Timeline {
		if st.Error != "" {
			t.Errorf("%s: %s", st.Command, st.Error)
		}
	}
	if got := outputAt(t, res, 60, ns+"describe ds my-awesome-daemonset"); !strings.Contains(got, "Namespace:      my-awesome-daemonset-testing-namespace\n") ||
		!strings.Contains(got, "Desired Number of Nodes Scheduled: 3\n") || !strings.Contains(got, "Pods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed\n") {
		t.Errorf("describe ds:\n%s", got)
	}
	if got := outputAt(t, res, 70, "k get nodes -l gpu=true"); !strings.HasPrefix(got, "NAME    STATUS   ROLES    AGE   VERSION\nnode3   Ready") || strings.Count(got, "\n") != 1 {
		t.Errorf("get nodes -l gpu=true:\n%s", got)
	}
	if got := outputAt(t, res, 180, ns+"get ds,pods -o wide"); strings.Count(got, "pod/my-awesome-daemonset-") != 1 || !strings.Contains(got, "node3") {
		t.Errorf("with the nodeSelector:\n%s", got)
	}
	if got := outputAt(t, res, 240, ns+"get ds,pods"); strings.Contains(got, "pod/") {
		t.Errorf("after unlabelling node3:\n%s", got)
	}
	if got := outputAt(t, res, 250, "k get ns my-awesome-daemonset-testing-namespace"); !strings.Contains(got, "Terminating") {
		t.Errorf("after delete -f:\n%s", got)
	}
	if got := outputAt(t, res, 300, "k get ds -A"); got != "No resources found" {
		t.Errorf("get ds -A at the end: %q", got)
	}
}

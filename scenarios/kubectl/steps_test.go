package kubectl_test

import (
	"fmt"

	"github.com/kubesim/kubesim/scenarios/kubectl"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Errors as kubectl words them; the run goes on after a refused step.
func TestStepErrors(t *testing.T) {
	e := sim.New(1)
	c := model.NewCluster(e, model.DefaultConfig())
	c.AddNode("node1", nil, nil, testCapacity)
	s := kubectl.Files{Inline: map[string]string{
		"bad.yml": "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  selector: {enabled: yes}\n  ports: [{port: 80}]\n",
	}}
	x := newExecutor(c, s)
	run := func(cmd string) (string, error) {
		out, err := x.Exec(cmd)
		e.RunUntil(e.Now() + 5*time.Second)
		return out, err
	}
	for _, cmd := range []string{"kubectl create deployment rng --image=dockercoins/rng:v0.1", "kubectl run lone --image=alpine"} {
		if _, err := run(cmd); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct{ cmd, want string }{
		{"kubectl create deployment rng --image=dockercoins/rng:v0.1", `deployments.apps "rng" already exists`},
		{"kubectl scale deployment nope --replicas=2", `deployments.apps "nope" not found`},
		{"kubectl label pods -l app=rng app=other", `'app' already has a value (rng), and --overwrite is false`},
		{"kubectl expose deployment rng", "couldn't find port via --port flag or introspection"},
		{"kubectl apply -f missing.yml", `the path "missing.yml" does not exist`},
		{"kubectl apply -f bad.yml", "bool"},
		{"kubectl drain node1", "cannot delete Pods that declare no controller (use --force to override): default/lone"},
		{"kubectl frobnicate", "unknown command"},
		{"node reboot node9 --downtime 1m", "node9"},
	}
	for _, tc := range cases {
		_, err := run(tc.cmd)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.cmd, err, tc.want)
		}
	}
	// The cluster still works after the refusals.
	if out, err := run("kubectl label pods -l app=rng app=other --overwrite"); err != nil || !strings.Contains(out, "labeled") {
		t.Errorf("label --overwrite: %q %v", out, err)
	}
	if out, err := run("kubectl scale deployment rng --replicas=3"); err != nil || out != "deployment.apps/rng scaled" {
		t.Errorf("scale: %q %v", out, err)
	}
}

// The edit of the slides: an unquoted yes in the Service's selector is refused
// as a boolean; quoted, it goes through and narrows the endpoints.
func TestEditSelectorYes(t *testing.T) {
	e := sim.New(1)
	c := model.NewCluster(e, model.DefaultConfig())
	c.AddNode("node1", nil, nil, testCapacity)
	x := newExecutor(c, nil)
	for _, cmd := range []string{"kubectl create deployment rng --image=dockercoins/rng:v0.1", "kubectl expose deployment rng --port 80"} {
		if _, err := x.Exec(cmd); err != nil {
			t.Fatal(err)
		}
	}
	e.RunUntil(10 * time.Second)
	if _, err := x.Exec("kubectl edit service rng spec.selector.enabled=yes"); err == nil || !strings.Contains(err.Error(), "boolean") {
		t.Errorf("unquoted yes: %v", err)
	}
	if out, err := x.Exec(`kubectl edit service rng spec.selector.enabled='"yes"'`); err != nil || !strings.Contains(out, "edited") {
		t.Fatalf("quoted yes: %q %v", out, err)
	}
	e.RunUntil(20 * time.Second)
	if n := c.Service("rng").ReadyEndpoints(); n != 0 {
		t.Errorf("no pod has enabled=yes, yet rng has %d endpoints", n)
	}
	if _, err := x.Exec("kubectl label pods -l app=rng enabled=yes"); err != nil {
		t.Fatal(err)
	}
	e.RunUntil(30 * time.Second)
	if n := c.Service("rng").ReadyEndpoints(); n != 1 {
		t.Errorf("after labelling: %d endpoints, want 1", n)
	}
}

// Deleting a Service's Endpoints leaves the Service (the endpoints controller
// writes the Endpoints again at once), as in a cluster (bug: `kubectl delete
// endpoints web` deleted the Service web).
func TestDeleteEndpointsKeepsService(t *testing.T) {
	c := printCluster(t, 1)
	for _, line := range []string{"create deployment web --image=nginx", "expose deployment web --port=80"} {
		if _, err := apply(c, line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	c.E.RunUntil(c.Now() + 60e9)
	out, err := apply(c, "delete endpoints web")
	if err != nil || out != `endpoints "web" deleted from default namespace` {
		t.Fatalf("delete endpoints web: %q, %v", out, err)
	}
	if c.Service("web") == nil {
		t.Fatal("delete endpoints web deleted the Service web")
	}
	if out, err := apply(c, "get endpoints web"); err != nil || !strings.Contains(out, ":80") {
		t.Errorf("get endpoints web after delete: %q, %v", out, err)
	}
}

// kubectl expose without --port makes a Service port of every container
// port, as kubectl's createService does: more than one are named port-1,
// port-2, ... in order, each with its container port's protocol and the
// port as targetPort; one keeps no name. Was: the first container port only.
func TestExposeEveryContainerPort(t *testing.T) {
	e := sim.New(1)
	c := model.NewCluster(e, model.DefaultConfig())
	c.AddNode("node1", nil, nil, testCapacity)
	x := newExecutor(c, kubectl.Files{Inline: map[string]string{"web.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx
          ports: [{containerPort: 8080, name: http}, {containerPort: 8443, name: https}]
        - name: dns
          image: coredns
          ports: [{containerPort: 53, protocol: UDP}]
`}})
	for _, cmd := range []string{"kubectl apply -f web.yaml", "kubectl expose deployment web", "kubectl expose deployment web --name=one --port=80", "kubectl expose deployment web --name=tp --target-port=http"} {
		if _, err := x.Exec(cmd); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
	}
	e.RunUntil(5 * time.Second)
	ports := func(name string) string {
		var out []string
		for _, p := range c.Service(name).Ports {
			out = append(out, fmt.Sprintf("%s:%d/%s->%s", p.Name, p.Port, p.Protocol, p.Target()))
		}
		return strings.Join(out, " ")
	}
	for name, want := range map[string]string{
		"web": "port-1:8080/TCP->8080 port-2:8443/TCP->8443 port-3:53/UDP->53",
		"one": ":80/TCP->80",
		"tp":  "port-1:8080/TCP->http port-2:8443/TCP->http port-3:53/UDP->http",
	} {
		if got := ports(name); got != want {
			t.Errorf("expose %s: ports %s, want %s", name, got, want)
		}
	}
	out, err := x.Exec("kubectl get svc web")
	if err != nil || !strings.Contains(out, "8080/TCP,8443/TCP,53/UDP") {
		t.Errorf("get svc web: %q %v, want PORT(S) 8080/TCP,8443/TCP,53/UDP", out, err)
	}
	out, err = x.Exec("kubectl expose deployment web --name=dry --dry-run=client -o yaml")
	if err != nil || !strings.Contains(out, "  - name: port-2\n    port: 8443\n    protocol: TCP\n    targetPort: 8443\n") {
		t.Errorf("expose --dry-run=client -o yaml:\n%s %v\nwant port-2 8443", out, err)
	}
}

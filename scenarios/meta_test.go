package scenarios

import (
	"strings"
	"testing"
	"time"
)

// Every kind carries its own metadata: label and annotate a Deployment, a
// DaemonSet and a node, and get -l, --show-labels and describe see it (bug:
// `kubectl label deployment web tier=front` said labeled and nothing saw it).
func TestLabelEveryKind(t *testing.T) {
	c := printCluster(t, 1)
	run := func(line string) string {
		t.Helper()
		out, err := Apply(c, line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return out
	}
	run("create deployment web --image=nginx")
	if got := run("label deployment web tier=front"); got != "deployment.apps/web labeled" {
		t.Errorf("label: %q", got)
	}
	run("annotate deploy/web owner=team-a")
	c.E.RunUntil(c.Now() + 60e9)
	got := run("get deploy -l tier=front --show-labels")
	want := "NAME   READY   UP-TO-DATE   AVAILABLE   AGE   LABELS\nweb    1/1     1            1           60s   app=web,tier=front"
	if got != want {
		t.Errorf("get deploy -l tier=front --show-labels:\n%s\nwant\n%s", got, want)
	}
	// The pods keep their template's labels: the Deployment's are its own.
	if got := run("get pods -l tier=front"); got != "No resources found in default namespace." {
		t.Errorf("get pods -l tier=front: %q", got)
	}
	d := run("describe deployment web")
	for _, line := range []string{"Labels:                 app=web\n                        tier=front\n", "Annotations:            deployment.kubernetes.io/revision: 1\n                        owner: team-a\n"} {
		if !strings.Contains(d, line) {
			t.Errorf("describe deployment web lacks %q:\n%s", line, d)
		}
	}
	run("label nodes node2 gpu=true")
	if got := run("get nodes -l gpu=true -o name"); got != "node/node2" {
		t.Errorf("get nodes -l gpu=true: %q", got)
	}
	run("annotate node node3 rack=r1")
	if d := run("describe node node3"); !strings.Contains(d, "Annotations:        rack: r1\n") {
		t.Errorf("describe node node3:\n%s", d)
	}
	rs := c.Deployment("web").NewReplicaSet().Name
	run("label rs " + rs + " extra=yes")
	if got := run("get rs -l extra=yes -o name"); got != "replicaset.apps/"+rs {
		t.Errorf("get rs -l extra=yes: %q", got)
	}
	if got := run("label deployment web tier-"); got != "deployment.apps/web unlabeled" {
		t.Errorf("unlabel: %q", got)
	}
	if got := run("get deploy -l tier=front"); got != "No resources found in default namespace." {
		t.Errorf("after unlabel: %q", got)
	}
}

// A scenario's start: sets the wall clock, so that describe's times read as
// in a cluster (bug: Start Time read Thu, 01 Jan 1970), and a container
// keeps the name its manifest gives it (bug: shown as its image's name).
func TestStartTimeAndContainerName(t *testing.T) {
	const file = `name: clock
start: 2026-03-02T10:00:00Z
duration: 2m
cluster: {workers: 2}
files:
  pod.yaml: |
    apiVersion: v1
    kind: Pod
    metadata: {name: web}
    spec:
      containers:
      - name: c
        image: nginx
timeline:
  - at: 30s
    run: kubectl apply -f pod.yaml
  - at: 90s
    run: kubectl describe pod web
  - at: 91s
    run: kubectl run other --image=nginx
  - at: 100s
    run: kubectl describe pod other
  - at: 101s
    run: kubectl describe node node2
`
	s, err := ParseFile("clock.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	web := step(t, res, "describe pod web").Output
	for _, want := range []string{"Start Time:       Mon, 02 Mar 2026 10:00:30 +0000\n", "Containers:\n  c:\n"} {
		if !strings.Contains(web, want) {
			t.Errorf("describe pod web lacks %q:\n%s", want, web)
		}
	}
	if other := step(t, res, "describe pod other").Output; !strings.Contains(other, "Containers:\n  other:\n") {
		t.Errorf("kubectl run names the container after the pod:\n%s", other)
	}
	if node := step(t, res, "describe node").Output; !strings.Contains(node, "CreationTimestamp:  Mon, 02 Mar 2026 10:00:00 +0000\n") {
		t.Errorf("describe node node2:\n%s", node)
	}
	// Without start:, the documented default.
	s.Config.Start = time.Time{}
	if res, err = Run(s); err != nil {
		t.Fatal(err)
	}
	if node := step(t, res, "describe node").Output; !strings.Contains(node, "CreationTimestamp:  Mon, 05 Jan 2026 09:00:00 +0000\n") {
		t.Errorf("describe node node2 with the default start:\n%s", node)
	}
	if _, err := ParseFile("bad.yaml", []byte(strings.Replace(file, "2026-03-02T10:00:00Z", "yesterday", 1))); err == nil || !strings.Contains(err.Error(), `bad.yaml:2: start: "yesterday" is not a time`) {
		t.Errorf("bad start: %v", err)
	}
}

// metadata.generation counts the spec's changes (1 at creation); labels
// bump the resource version, not the generation.
func TestGeneration(t *testing.T) {
	c := printCluster(t, 1)
	gen := func() (int64, int64) {
		d := c.Deployment("web")
		return d.Generation, d.ResourceVersion
	}
	for _, line := range []string{"create deployment web --image=nginx"} {
		if _, err := Apply(c, line); err != nil {
			t.Fatal(err)
		}
	}
	g0, rv0 := gen()
	steps := []struct {
		line string
		gen  int64
	}{
		{"scale deployment web --replicas=3", 2}, {"scale deployment web --replicas=3", 2},
		{"set image deployment/web nginx=nginx:2", 3}, {"label deployment web a=b", 3},
		{"rollout pause deployment web", 4}, {"rollout resume deployment web", 5},
		{"scale deployment web --replicas=1", 6},
	}
	if g0 != 1 || rv0 == 0 {
		t.Errorf("at creation: generation %d, resourceVersion %d", g0, rv0)
	}
	last := rv0
	for _, st := range steps {
		if _, err := Apply(c, st.line); err != nil {
			t.Fatalf("%s: %v", st.line, err)
		}
		g, rv := gen()
		if g != st.gen {
			t.Errorf("after %s: generation %d, want %d", st.line, g, st.gen)
		}
		if rv < last {
			t.Errorf("after %s: resourceVersion went back", st.line)
		}
		last = rv
	}
}

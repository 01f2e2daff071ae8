package scenarios

import (
	"strings"
	"testing"
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

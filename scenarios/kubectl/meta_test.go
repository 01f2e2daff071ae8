package kubectl_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Every kind carries its own metadata: label and annotate a Deployment, a
// DaemonSet and a node, and get -l, --show-labels and describe see it (bug:
// `kubectl label deployment web tier=front` said labeled and nothing saw it).
func TestLabelEveryKind(t *testing.T) {
	c := printCluster(t, 1)
	run := func(line string) string {
		t.Helper()
		out, err := apply(c, line)
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

// metadata.generation counts the spec's changes (1 at creation); labels
// bump the resource version, not the generation.
func TestGeneration(t *testing.T) {
	c := printCluster(t, 1)
	gen := func() (int64, int64) {
		d := c.Deployment("web")
		return d.Generation, d.ResourceVersion
	}
	for _, line := range []string{"create deployment web --image=nginx"} {
		if _, err := apply(c, line); err != nil {
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
		if _, err := apply(c, st.line); err != nil {
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

// A pod deleted with --grace-period has that grace period in its metadata, as
// the API server keeps it (deletionGracePeriodSeconds, and deletionTimestamp =
// the deletion's time plus it), and describe says so; without the flag, its
// own terminationGracePeriodSeconds.
func TestDeletionGracePeriod(t *testing.T) {
	c := printCluster(t, 1)
	if _, err := apply(c, "create deployment web --image=nginx --replicas=2"); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(40e9)
	pods := c.Deployment("web").NewReplicaSet().Pods()
	if len(pods) != 2 {
		t.Fatalf("%d pods, want 2", len(pods))
	}
	short, long := pods[0].Name, pods[1].Name
	for _, line := range []string{"delete pod " + short + " --grace-period=20", "delete pod " + long} {
		if _, err := apply(c, line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	meta := func(name string) string {
		return kc(t, c, "get pod "+name+" -o jsonpath={.metadata.deletionTimestamp}/{.metadata.deletionGracePeriodSeconds}")
	}
	at := func(s sim.Time) string { return c.WallClock(s).UTC().Format(time.RFC3339) }
	if got, want := meta(short), at(60e9)+"/20"; got != want {
		t.Errorf("--grace-period=20 at 40 s: %s, want %s", got, want)
	}
	if got, want := meta(long), at(70e9)+"/30"; got != want {
		t.Errorf("no --grace-period at 40 s: %s, want %s", got, want)
	}
	// kubectl's describe prints the time since deletionTimestamp, which is
	// "<invalid>" (in the future) while the grace period runs.
	if d := kc(t, c, "describe pod "+short); !strings.Contains(d, "Termination Grace Period:  20s\n") ||
		!regexp.MustCompile(`\nStatus: +Terminating \(lasts <invalid>\)\n`).MatchString(d) {
		t.Errorf("describe pod %s:\n%s", short, d)
	}
	// The pod goes when its grace period ends.
	c.E.RunUntil(59e9)
	if p := c.Pod(short); p == nil || p.Gone {
		t.Errorf("%s gone before its 20 s grace period ended", short)
	}
	c.E.RunUntil(61e9)
	if p := c.Pod(short); p != nil && !p.Gone {
		t.Errorf("%s still there after its 20 s grace period", short)
	}
}

package kubectl_test

import (
	"strings"
	"testing"
)

// A no-op patch of a Deployment made by `kubectl create deployment` changes
// nothing (bug since 1a017fd: the patched template, read back with the API
// server's defaults - terminationGracePeriodSeconds 30, restartPolicy
// Always, the container's name - hashed differently and started a rollout);
// patching the image away and back returns to the first ReplicaSet, as
// Kubernetes finds the new ReplicaSet by template (EqualIgnoreHash).
func TestNoopPatchNoRollout(t *testing.T) {
	c := printCluster(t, 1)
	run := func(line string) string {
		t.Helper()
		out, err := apply(c, line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		c.E.RunUntil(c.Now() + 30e9)
		return out
	}
	run("create deployment web --image=nginx")
	first := c.Deployment("web").NewReplicaSet().Name
	for _, line := range []string{
		`patch deployment web -p '{"spec":{"replicas":1}}'`,
		`patch deployment web --type=json -p '[{"op":"replace","path":"/spec/template/spec/terminationGracePeriodSeconds","value":30}]'`,
		`patch deployment web -p '{"spec":{"template":{"spec":{"restartPolicy":"Always","containers":[{"name":"nginx","image":"nginx"}]}}}}'`,
	} {
		if got := run(line); got != "deployment.apps/web patched (no change)" {
			t.Errorf("%s: %q", line, got)
		}
	}
	if got := run("get rs -o name"); got != "replicaset.apps/"+first {
		t.Errorf("after no-op patches, get rs: %q (want only %s)", got, first)
	}
	if g := c.Deployment("web").Generation; g != 1 {
		t.Errorf("generation %d after no-op patches, want 1", g)
	}
	run(`patch deployment web -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}'`)
	run(`patch deployment web -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}}}'`)
	if got := c.Deployment("web").NewReplicaSet().Name; got != first {
		t.Errorf("image patched back: new ReplicaSet %s, want the first one %s", got, first)
	}
	if got := run("get rs -o name"); strings.Count(got, "\n") != 1 {
		t.Errorf("image patched away and back: get rs:\n%s\nwant two ReplicaSets", got)
	}
	if d := run(`get deploy web -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}'`); d != "3" {
		t.Errorf("revision after rolling back by patch: %q, want 3", d)
	}
}

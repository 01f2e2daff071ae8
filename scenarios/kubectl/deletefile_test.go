package kubectl_test

import (
	"testing"

	"github.com/kubesim/kubesim/scenarios/kubectl"
)

// delete -f deletes every object of the file it finds and reports the
// missing ones after, as kubectl's delete (ContinueOnError) does (found on
// the tour: with the file's Deployment deleted by hand before, 'kubectl
// delete -f both.yaml' stopped at it, 'deployments.apps "a" not found', and
// left the file's Service running).
func TestDeleteFileGoesOnPastMissing(t *testing.T) {
	files := map[string]string{"both.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: a}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: a, image: nginx}]
---
apiVersion: v1
kind: Service
metadata: {name: a}
spec:
  selector: {app: a}
  ports: [{port: 80}]
`}
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{Inline: files})
	for _, l := range []string{"kubectl apply -f both.yaml", "kubectl delete deploy a"} {
		if _, err := x.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	out, err := x.Exec("kubectl delete -f both.yaml")
	if out != `service "a" deleted from default namespace` {
		t.Errorf("delete -f printed %q, want the Service deleted", out)
	}
	if want := `Error from server (NotFound): error when deleting "both.yaml": deployments.apps "a" not found`; err == nil || err.Error() != want {
		t.Errorf("delete -f error %v, want %s", err, want)
	}
	if c.Service("a") != nil {
		t.Errorf("the file's Service is still there")
	}
}

// delete --ignore-not-found treats a missing object as deleted, as kubectl
// does (found on the tour: the flag, common in teardown steps, was refused
// as unknown).
func TestDeleteIgnoreNotFound(t *testing.T) {
	files := map[string]string{"svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  selector: {app: a}\n  ports: [{port: 80}]\n"}
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{Inline: files})
	if _, err := x.Exec("kubectl create deployment web --image=nginx"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ line, want string }{
		{"kubectl delete deploy nosuch web --ignore-not-found", `deployment.apps "web" deleted from default namespace`},
		{"kubectl delete deploy web --ignore-not-found", "No resources found"},
		{"kubectl delete -f svc.yaml --ignore-not-found", "No resources found"},
	} {
		out, err := x.Exec(tc.line)
		if err != nil || out != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.line, out, err, tc.want)
		}
	}
	if _, err := x.Exec("kubectl delete deploy web"); err == nil {
		t.Errorf("delete of a missing Deployment without --ignore-not-found succeeded")
	}
	// A selector that matches nothing: kubectl's DeleteResult prints the
	// bare line (get's names the namespace; delete's does not).
	if out, err := x.Exec("kubectl delete pods -l app=nosuch"); err != nil || out != "No resources found" {
		t.Errorf("delete -l matching nothing: %q, %v; want No resources found", out, err)
	}
}

// delete of several names deletes those it finds and reports the others
// after, as kubectl does (found on the tour: 'kubectl delete deploy nosuch
// web' deleted nothing).
func TestDeleteNamesGoesOnPastMissing(t *testing.T) {
	c := printCluster(t, 1)
	x := newExecutor(c, nil)
	if _, err := x.Exec("kubectl create deployment web --image=nginx"); err != nil {
		t.Fatal(err)
	}
	out, err := x.Exec("kubectl delete deploy nosuch web")
	if out != `deployment.apps "web" deleted from default namespace` {
		t.Errorf("delete printed %q, want web deleted", out)
	}
	if want := `Error from server (NotFound): deployments.apps "nosuch" not found`; err == nil || err.Error() != want {
		t.Errorf("delete error %v, want %s", err, want)
	}
	if c.Deployment("web") != nil {
		t.Errorf("web is still there")
	}
}

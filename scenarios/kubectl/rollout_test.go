package kubectl_test

import (
	"github.com/kubesim/kubesim/scenarios/kubectl"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
)

func webWithImage(image string) string {
	return strings.Replace(depDoc("web"), "image: nginx", "image: "+image, 1)
}

func dsWithImage(image string) string {
	return `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: c, image: ` + image + `}]
`
}

// rollout history, undo, pause and resume, worded as kubectl prints them.
func TestRolloutHistoryUndoPause(t *testing.T) {
	files := map[string]string{}
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{Inline: files})
	step := func(line string) string {
		t.Helper()
		out, err := x.Exec(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		c.E.RunUntil(c.Now() + 60*time.Second)
		return out
	}
	fail := func(line, want string) {
		t.Helper()
		if _, err := x.Exec(line); err == nil || err.Error() != want {
			t.Errorf("%s: %v\nwant %s", line, err, want)
		}
	}
	for _, img := range []string{"nginx:1", "nginx:2", "nginx:3"} {
		files["web.yaml"] = webWithImage(img)
		step("kubectl apply -f web.yaml")
	}
	want := "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n3         <none>"
	if out := step("kubectl rollout history deployment/web"); out != want {
		t.Errorf("history:\n%q\nwant\n%q", out, want)
	}
	if out := step("kubectl rollout undo deployment/web"); out != "deployment.apps/web rolled back" {
		t.Errorf("undo: %q", out)
	}
	if img := c.Deployment("web").Template.Spec.Image; img != "nginx:2" {
		t.Errorf("after undo the image is %s, want nginx:2", img)
	}
	want = "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n3         <none>\n4         <none>"
	if out := step("kubectl rollout history deploy web"); out != want {
		t.Errorf("history after undo:\n%q\nwant\n%q", out, want)
	}
	if out := step("kubectl rollout history deployment/web --revision 4"); !strings.HasPrefix(out, "deployment.apps/web with revision #4\nPod Template:\n") ||
		!strings.Contains(out, "Image:") || !strings.Contains(out, "nginx:2") {
		t.Errorf("history --revision 4:\n%s", out)
	}
	if out := step("kubectl rollout undo deployment/web --to-revision=1"); out != "deployment.apps/web rolled back" ||
		c.Deployment("web").Template.Spec.Image != "nginx:1" {
		t.Errorf("undo --to-revision=1: %q, image %s", out, c.Deployment("web").Template.Spec.Image)
	}
	if out := step("kubectl rollout undo deployment/web --to-revision=5"); out != "deployment.apps/web skipped rollback (current template already matches revision 5)" {
		t.Errorf("undo to the current revision: %q", out)
	}
	fail("kubectl rollout undo deployment/web --to-revision=9", "error: unable to find specified revision 9 in history")
	fail("kubectl rollout history deployment/web --revision=9", "error: unable to find the specified revision")

	// Paused: a new template waits, scaling does not; undo is refused.
	if out := step("kubectl rollout pause deployment/web"); out != "deployment.apps/web paused" {
		t.Errorf("pause: %q", out)
	}
	fail("kubectl rollout pause deployment/web", `error: deployments.apps "web" is already paused`)
	files["web.yaml"] = strings.Replace(webWithImage("nginx:9"), "spec:\n  selector", "spec:\n  replicas: 3\n  selector", 1)
	step("kubectl apply -f web.yaml")
	pods := live(c, "app=web")
	if len(pods) != 3 {
		t.Errorf("paused deployment scaled to %d pods, want 3", len(pods))
	}
	for _, p := range pods {
		if p.Spec.Image != "nginx:1" {
			t.Errorf("pod %s runs %s while paused, want nginx:1", p.Name, p.Spec.Image)
		}
	}
	fail("kubectl rollout undo deployment/web", "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again")
	if out := step("kubectl rollout resume deployment/web"); out != "deployment.apps/web resumed" {
		t.Errorf("resume: %q", out)
	}
	c.E.RunUntil(c.Now() + 120*time.Second)
	for _, p := range live(c, "app=web") {
		if p.Spec.Image != "nginx:9" {
			t.Errorf("after resume pod %s runs %s, want nginx:9", p.Name, p.Spec.Image)
		}
	}
	fail("kubectl rollout resume deployment/web", `error: deployments.apps "web" is not paused`)

	// DaemonSets: ControllerRevisions.
	for _, img := range []string{"agent:1", "agent:2"} {
		files["ds.yaml"] = dsWithImage(img)
		step("kubectl apply -f ds.yaml")
	}
	want = "daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>"
	if out := step("kubectl rollout history ds/agent"); out != want {
		t.Errorf("ds history:\n%q\nwant\n%q", out, want)
	}
	if out := step("kubectl rollout undo daemonset agent"); out != "daemonset.apps/agent rolled back" || c.DaemonSet("agent").Template.Spec.Image != "agent:1" {
		t.Errorf("ds undo: %q, image %s", out, c.DaemonSet("agent").Template.Spec.Image)
	}
	want = "daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>"
	if out := step("kubectl rollout history ds/agent"); out != want {
		t.Errorf("ds history after undo:\n%q\nwant\n%q", out, want)
	}
	fail("kubectl rollout pause ds/agent", `error: daemonsets.apps "agent" pausing is not supported`)
	fail("kubectl rollout history rs/web-x", `error: no history viewer has been implemented for "ReplicaSet.apps"`)
}

// live returns the running, non-terminating pods matching a k=v label.
func live(c *model.Cluster, kv string) []*model.Pod {
	k, v, _ := strings.Cut(kv, "=")
	var out []*model.Pod
	for _, p := range c.Pods() {
		if p.Labels[k] == v && !p.Terminating && !p.Gone {
			out = append(out, p)
		}
	}
	return out
}

// kubectl annotate deployment web kubernetes.io/change-cause=... names the
// revision in rollout history, as the Deployment controller copies the
// Deployment's annotations to its new ReplicaSet; undo brings the revision's
// change-cause back onto the Deployment, as kubectl's rollback patches the
// annotations. Was: CHANGE-CAUSE always <none>.
func TestRolloutHistoryChangeCause(t *testing.T) {
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{})
	step := func(line string) string {
		t.Helper()
		out, err := x.Exec(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		c.E.RunUntil(c.Now() + 30*time.Second)
		return out
	}
	step("kubectl create deployment web --image=nginx:1")
	step("kubectl annotate deployment web kubernetes.io/change-cause=first note=kept")
	step("kubectl set image deployment/web nginx=nginx:2")
	step("kubectl annotate deployment web kubernetes.io/change-cause=second --overwrite")
	want := "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         first\n2         second"
	if out := step("kubectl rollout history deployment/web"); out != want {
		t.Errorf("history:\n%q\nwant\n%q", out, want)
	}
	if out := step("kubectl get rs -o yaml"); !strings.Contains(out, "kubernetes.io/change-cause: first\n") || !strings.Contains(out, "kubernetes.io/change-cause: second\n") || strings.Count(out, "note: kept\n") != 2 {
		t.Errorf("the ReplicaSets' annotations:\n%s", out)
	}
	step("kubectl rollout undo deployment/web --to-revision=1")
	want = "deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         second\n3         first"
	if out := step("kubectl rollout history deployment/web"); out != want {
		t.Errorf("history after undo:\n%q\nwant\n%q", out, want)
	}
	if got := c.Deployment("web").Annotations["kubernetes.io/change-cause"]; got != "first" {
		t.Errorf("the Deployment's change-cause after undo: %q, want first", got)
	}

	// A DaemonSet's ControllerRevision takes the DaemonSet's annotations when
	// it is made, and keeps them: a later annotate changes no revision.
	files := map[string]string{}
	x = newExecutor(c, kubectl.Files{Inline: files})
	for _, v := range []string{"1", "2"} {
		files["ds.yaml"] = strings.Replace(dsWithImage("agent:"+v), "metadata: {name: agent}", "metadata: {name: agent, annotations: {kubernetes.io/change-cause: agent "+v+"}}", 1)
		step("kubectl apply -f ds.yaml")
	}
	step("kubectl annotate ds agent kubernetes.io/change-cause=later --overwrite")
	want = "daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n1         agent 1\n2         agent 2"
	if out := step("kubectl rollout history ds/agent"); out != want {
		t.Errorf("ds history:\n%q\nwant\n%q", out, want)
	}
	step("kubectl rollout undo ds/agent")
	want = "daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n2         agent 2\n3         agent 1"
	if out := step("kubectl rollout history ds/agent"); out != want {
		t.Errorf("ds history after undo:\n%q\nwant\n%q", out, want)
	}
}

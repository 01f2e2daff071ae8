package kubectl_test

import (
	"github.com/kubesim/kubesim/scenarios/kubectl"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const nsDoc = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n"

func manifestNS(name string) string { return strings.Replace(nsDoc, "%s", name, 1) }

func depDoc(name string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ` + name + `
spec:
  selector: {matchLabels: {app: ` + name + `}}
  template:
    metadata: {labels: {app: ` + name + `}}
    spec:
      containers: [{name: c, image: nginx}]
`
}

// apply -f DIR applies the directory's .json/.yaml/.yml files in lexical
// order, as kubectl walks it; -R goes into subdirectories.
func TestApplyDirectory(t *testing.T) {
	s := kubectl.Files{Inline: map[string]string{
		"k8s/b.yaml":         depDoc("b"),
		"k8s/a.yml":          depDoc("a"),
		"k8s/notes.txt":      "not a manifest",
		"k8s/sub/c.yaml":     depDoc("c"),
		"k8s/sub/deep/d.yml": depDoc("d"),
	}}
	x := newExecutor(printCluster(t, 1), s)
	out, err := x.Exec("kubectl apply -f k8s/")
	if err != nil || out != "deployment.apps/a created\ndeployment.apps/b created" {
		t.Errorf("apply -f k8s/: %q, %v", out, err)
	}
	out, err = x.Exec("kubectl apply -R -f k8s")
	if err != nil || out != "deployment.apps/a unchanged\ndeployment.apps/b unchanged\ndeployment.apps/c created\ndeployment.apps/d created" {
		t.Errorf("apply -R -f k8s: %q, %v", out, err)
	}

	// The same on disk, next to the scenario.
	dir := t.TempDir()
	for name, body := range map[string]string{"m/2.yaml": depDoc("two"), "m/1.json": `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"one"}}`,
		"m/x/3.yaml": depDoc("three"), "m/readme.md": "# no"} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	x = newExecutor(printCluster(t, 1), kubectl.Files{Dir: dir})
	out, err = x.Exec("kubectl apply -f m")
	if err != nil || !strings.HasPrefix(out, "namespace/one ") || !strings.HasSuffix(out, "deployment.apps/two created") || strings.Contains(out, "three") {
		t.Errorf("apply -f m (disk): %q, %v", out, err)
	}

	for _, tc := range []struct{ line, want string }{
		{"kubectl apply -f -", "error: kubesim steps have no standard input, so -f - reads nothing; put the manifest under files: in the scenario and apply it by name"},
		{"kubectl apply -f nowhere/", `error: the path "nowhere/" does not exist`},
		{"kubectl apply -f https://example.com/x.yaml", "error: kubesim does not fetch https://example.com/x.yaml"},
	} {
		if _, err := x.Exec(tc.line); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", tc.line, err, tc.want)
		}
	}
}

// generateName gets kubectl apply's refusal; the rest of the file is applied.
func TestApplyGenerateName(t *testing.T) {
	gen := strings.Replace(depDoc("x"), "  name: x\n", "  generateName: web-\n", 1)
	x := newExecutor(printCluster(t, 1), kubectl.Files{Inline: map[string]string{"g.yaml": gen + "---\n" + depDoc("ok")}})
	out, err := x.Exec("kubectl apply -f g.yaml")
	if err == nil || err.Error() != "error: from web-: cannot use generate name with apply" || out != "deployment.apps/ok created" {
		t.Errorf("apply generateName: %q, %v", out, err)
	}
}

// A custom resource needs its CRD applied by an earlier command (kubectl maps
// kinds with the discovery of the start of the command); then it is skipped
// with a warning. Removed API versions are refused naming the replacement;
// Kubernetes' own kinds kubesim does not model no longer fail the file.
func TestApplyKindsByGroupVersion(t *testing.T) {
	crd := `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  names: {kind: CronTab, plural: crontabs}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true}]
`
	cr := "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: my-cron\n"
	others := `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: demo}
---
apiVersion: v1
kind: Event
metadata: {name: e1}
---
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata: {name: web}
---
` + depDoc("web")
	x := newExecutor(printCluster(t, 1), kubectl.Files{Inline: map[string]string{"crd.yaml": crd, "cr.yaml": cr, "both.yaml": crd + "---\n" + cr, "others.yaml": others}})
	if _, err := x.Exec("kubectl apply -f both.yaml"); err == nil || !strings.Contains(err.Error(), `no matches for kind "CronTab" in version "stable.example.com/v1"`) ||
		!strings.Contains(err.Error(), "apply its CustomResourceDefinition in an earlier step first") {
		t.Errorf("CRD and CR in one apply: %v; want the CR refused as kubectl does", err)
	}
	out, err := x.Exec("kubectl apply -f crd.yaml")
	if err != nil || out != "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com unchanged" {
		t.Errorf("CRD re-applied: %q %v", out, err)
	}
	out, err = x.Exec("kubectl apply -f cr.yaml")
	if err != nil || !strings.Contains(out, `Warning: cr.yaml:1: CronTab "my-cron" ignored: a custom resource`) {
		t.Errorf("CR after its CRD: %q %v", out, err)
	}
	out, err = x.Exec("kubectl apply -f others.yaml")
	for _, w := range []string{`APIService "v1beta1.metrics.k8s.io" ignored`, `ValidatingAdmissionPolicy "demo" ignored`, `Event "e1" ignored`, "deployment.apps/web created"} {
		if !strings.Contains(out, w) {
			t.Errorf("apply others.yaml: output lacks %q:\n%s", w, out)
		}
	}
	if err == nil || !strings.Contains(err.Error(), "kubesim: networking.k8s.io/v1beta1 Ingress was removed in Kubernetes 1.22; use apiVersion: networking.k8s.io/v1") {
		t.Errorf("v1beta1 Ingress: %v", err)
	}
	out, err = x.Exec("kubectl delete -f crd.yaml")
	if err != nil || out != `customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" deleted` {
		t.Errorf("delete CRD: %q %v", out, err)
	}
	if _, err := x.Exec("kubectl apply -f cr.yaml"); err == nil {
		t.Errorf("CR accepted after its CRD was deleted")
	}
}

// create -f creates, refuses what exists, and gives a generateName object a
// name with 5 random characters, as the API server does.
func TestCreateFile(t *testing.T) {
	gen := strings.Replace(depDoc("x"), "  name: x\n", "  generateName: web-\n", 1)
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{Inline: map[string]string{"g.yaml": gen, "ok.yaml": depDoc("ok")}})
	re := regexp.MustCompile(`^deployment\.apps/web-[bcdfghjklmnpqrstvwxz2456789]{5} created$`)
	a, err := x.Exec("kubectl create -f g.yaml")
	if err != nil || !re.MatchString(a) {
		t.Fatalf("create -f g.yaml: %q, %v", a, err)
	}
	b, err := x.Exec("kubectl create -f g.yaml")
	if err != nil || !re.MatchString(b) || a == b {
		t.Errorf("second create -f g.yaml: %q (first %q), %v; want another name", b, a, err)
	}
	if len(c.Deployments()) != 2 {
		t.Errorf("%d Deployments, want 2", len(c.Deployments()))
	}
	if out, err := x.Exec("kubectl create -f ok.yaml"); err != nil || out != "deployment.apps/ok created" {
		t.Errorf("create -f ok.yaml: %q, %v", out, err)
	}
	if _, err := x.Exec("kubectl create -f ok.yaml"); err == nil || err.Error() != `Error from server (AlreadyExists): error when creating "ok.yaml": deployments.apps "ok" already exists` {
		t.Errorf("create -f of an existing object: %v", err)
	}
}

// kubectl apply's three-way merge of spec fields (client-side apply:
// strategicpatch.CreateThreeWayMergePatch, applied as a strategic merge
// patch): a field the file sets is set, a field of the last apply that the
// file drops goes back to its default, and a field set live (kubectl scale,
// patch) that neither has is kept. The first case is the example of
// Kubernetes' "Declarative Management of Kubernetes Objects Using
// Configuration Files" (how apply calculates differences and merges
// changes): minReadySeconds dropped from the file is cleared, replicas set
// by kubectl scale is kept, the image follows the file.
func TestApplyThreeWaySpec(t *testing.T) {
	const v1 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
spec:
  selector:
    matchLabels:
      app: nginx
  minReadySeconds: 5
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
`
	v2 := strings.Replace(strings.Replace(v1, "  minReadySeconds: 5\n", "", 1), "nginx:1.14.2", "nginx:1.16.1", 1)
	files := map[string]string{"d.yaml": v1}
	x := newExecutor(printCluster(t, 2), kubectl.Files{Inline: files})
	get := func() string {
		t.Helper()
		out, err := x.Exec("kubectl get deploy nginx-deployment -o jsonpath={.spec.replicas}/{.spec.minReadySeconds}/{.spec.template.spec.containers[0].image}")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	steps := []struct{ line, file, want string }{
		{"kubectl apply -f d.yaml", v1, "1/5/nginx:1.14.2"},
		{"kubectl scale deployment/nginx-deployment --replicas=2", "", "2/5/nginx:1.14.2"},
		// The documented example: replicas kept, minReadySeconds cleared
		// (0, which -o jsonpath prints as nothing, as kubectl does).
		{"kubectl apply -f d.yaml", v2, "2//nginx:1.16.1"},
		// kubectl scale, then a file without replicas keeps the scale...
		{"kubectl scale deploy nginx-deployment --replicas=5", "", "5//nginx:1.16.1"},
		{"kubectl apply -f d.yaml", v2, "5//nginx:1.16.1"},
		// ... a file with replicas sets them ...
		{"kubectl apply -f d.yaml", strings.Replace(v2, "spec:\n  selector", "spec:\n  replicas: 2\n  selector", 1), "2//nginx:1.16.1"},
		// ... and dropping them again (the last apply had 2) resets them to
		// the default, 1, as the API server defaults a removed replicas.
		{"kubectl apply -f d.yaml", v2, "1//nginx:1.16.1"},
	}
	for _, s := range steps {
		if s.file != "" {
			files["d.yaml"] = s.file
		}
		if _, err := x.Exec(s.line); err != nil {
			t.Fatalf("%s: %v", s.line, err)
		}
		if got := get(); got != s.want {
			t.Errorf("after %s: replicas/minReadySeconds/image %s, want %s", s.line, got, s.want)
		}
	}
}

// A merged list (a Service's ports, by port) loses the items the last apply
// had and the file drops, and keeps the items a patch added; a field the
// file never set (the type a patch made NodePort, its nodePort) is kept.
func TestApplyThreeWayServicePorts(t *testing.T) {
	const v1 = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: https, port: 443, targetPort: 8443}
`
	files := map[string]string{"s.yaml": v1}
	x := newExecutor(printCluster(t, 1), kubectl.Files{Inline: files})
	run := func(line string) string {
		t.Helper()
		out, err := x.Exec(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return out
	}
	run("kubectl apply -f s.yaml")
	run(`kubectl patch svc web -p '{"spec":{"type":"NodePort","ports":[{"name":"metrics","port":9090,"nodePort":30090}]}}'`)
	files["s.yaml"] = strings.Replace(v1, "  - {name: https, port: 443, targetPort: 8443}\n", "", 1)
	if out := run("kubectl apply -f s.yaml"); out != "service/web configured" {
		t.Errorf("re-apply: %q, want configured", out)
	}
	got := run("kubectl get svc web -o 'jsonpath={.spec.type}{range .spec.ports[*]}/{.name}:{.port}:{.nodePort}{end}'")
	if !strings.HasPrefix(got, "NodePort/http:80:") || !strings.Contains(got, "/metrics:9090:30090") || strings.Contains(got, "443") {
		t.Errorf("ports after dropping https from the file: %s; want NodePort, http and metrics (patched live), no https", got)
	}
	// Re-applying the same file changes nothing.
	if out := run("kubectl apply -f s.yaml"); out != "service/web unchanged" {
		t.Errorf("second re-apply: %q, want unchanged", out)
	}
}

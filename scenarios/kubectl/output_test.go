package kubectl_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/scenarios/kubectl"
)

// webDoc is a Deployment with what the model does not keep (a container
// name, env, a second label on the object).
const webDoc = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: nginx:1.27
        env: [{name: MODE, value: fast}]
        ports: [{containerPort: 80}]
`

func mustExec(t *testing.T, x *kubectl.Executor, line string) string {
	t.Helper()
	out, err := x.Exec(line)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return out
}

// get -o yaml of an applied manifest is the object as the API server returns
// it (the manifest's own container, defaults, status); written with > FILE and
// applied again, it changes nothing, and dumps the same.
func TestGetYAMLRoundTrip(t *testing.T) {
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{Inline: map[string]string{"web.yaml": webDoc}})
	mustExec(t, x, "kubectl apply -f web.yaml")
	c.E.RunUntil(time.Minute)
	dump := mustExec(t, x, "kubectl get deploy web -o yaml")
	for _, want := range []string{"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  annotations:\n    deployment.kubernetes.io/revision: \"1\"\n" +
		"    kubectl.kubernetes.io/last-applied-configuration: |\n" +
		`      {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"labels":{"app":"web","tier":"front"},"name":"web","namespace":"default"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"fast"}],"image":"nginx:1.27","name":"c","ports":[{"containerPort":80}]}]}}}}` + "\n",
		"  labels:\n    app: web\n    tier: front\n  name: web\n  namespace: default\n",
		"      - env:\n        - name: MODE\n          value: fast\n        image: nginx:1.27\n        imagePullPolicy: IfNotPresent\n        name: c\n        ports:\n        - containerPort: 80\n          protocol: TCP\n        resources: {}\n        terminationMessagePath: /dev/termination-log\n        terminationMessagePolicy: File\n",
		"      dnsPolicy: ClusterFirst\n      restartPolicy: Always\n      schedulerName: default-scheduler\n      securityContext: {}\n      terminationGracePeriodSeconds: 30\n",
		"  progressDeadlineSeconds: 600\n  replicas: 2\n  revisionHistoryLimit: 10\n",
		"status:\n  availableReplicas: 2\n", "    message: ReplicaSet \"web-", "  readyReplicas: 2\n  replicas: 2\n  updatedReplicas: 2"} {
		if !strings.Contains(dump, want) {
			t.Errorf("get -o yaml lacks %q:\n%s", want, dump)
		}
	}
	if strings.Contains(dump, "managedFields") || strings.HasSuffix(dump, "\n") {
		t.Errorf("managedFields or a trailing newline:\n%s", dump)
	}
	if out := mustExec(t, x, "kubectl get deploy/web -o yaml > web-dump.yaml"); out != "" {
		t.Errorf("> FILE printed %q", out)
	}
	// The first apply of the dump writes its annotations (as kubectl's apply
	// writes its last-applied annotation): configured; the second changes
	// nothing. The object is the same but for its resourceVersion.
	if out := mustExec(t, x, "kubectl apply -f web-dump.yaml"); out != "deployment.apps/web configured" {
		t.Errorf("re-apply of the dump: %q", out)
	}
	if out := mustExec(t, x, "kubectl apply -f web-dump.yaml"); out != "deployment.apps/web unchanged" {
		t.Errorf("second re-apply of the dump: %q", out)
	}
	// kubectl apply's annotation then holds the dump it applied.
	rv := regexp.MustCompile(`resourceVersion: "\d+"|    kubectl.kubernetes.io/last-applied-configuration: \|\n      .*\n`)
	again := mustExec(t, x, "kubectl get deploy web -o yaml")
	if rv.ReplaceAllString(again, "") != rv.ReplaceAllString(dump, "") {
		t.Errorf("dump changed after re-applying it:\n%s\n---\n%s", dump, again)
	}
	if !strings.Contains(again, `"status":{"availableReplicas":2,`) {
		t.Errorf("last-applied-configuration after applying the dump:\n%s", again)
	}
	// The scenario's own files are untouched: another run starts afresh.
	if _, ok := x.File("web-dump.yaml"); !ok {
		t.Error("the dump is not in the run's file set")
	}
}

// The workshop's cast: a real dump of a Deployment, its kind changed with
// sed, is refused by strict decoding naming every Deployment-only field of
// the dump, spec and status, as the API server does; --validate=false
// creates the DaemonSet.
func TestDumpCastToDaemonSet(t *testing.T) {
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{})
	mustExec(t, x, "kubectl create deployment rng --image=dockercoins/rng:v0.1")
	c.E.RunUntil(time.Minute)
	mustExec(t, x, "kubectl get deploy/rng -o yaml >rng.yml")
	mustExec(t, x, "sed -i 's/kind: Deployment/kind: DaemonSet/' rng.yml")
	_, err := x.Exec("kubectl apply -f rng.yml")
	want := `Error from server (BadRequest): error when creating "rng.yml": DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: ` +
		`unknown field "spec.progressDeadlineSeconds", unknown field "spec.replicas", unknown field "spec.strategy", ` +
		`unknown field "status.availableReplicas", unknown field "status.conditions[0].lastUpdateTime", unknown field "status.conditions[1].lastUpdateTime", ` +
		`unknown field "status.readyReplicas", unknown field "status.replicas", unknown field "status.updatedReplicas"`
	if err == nil || err.Error() != want {
		t.Errorf("apply of the cast dump:\n got %v\nwant %s", err, want)
	}
	// --validate=false is fieldValidation=Ignore: the unknown fields are
	// dropped without a word (was a "Warning: ...: warning: unknown field"
	// line per field).
	out, err := x.Exec("kubectl apply -f rng.yml --validate=false")
	if err != nil || out != "daemonset.apps/rng created" {
		t.Errorf("--validate=false: %q, %v", out, err)
	}
	if out := mustExec(t, x, "cat rng.yml"); !strings.HasPrefix(out, "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n") || !strings.Contains(out, "\n  replicas: 1\n") {
		t.Errorf("cat rng.yml:\n%s", out)
	}
	// kubectl's annotation records the file as sent, dropped fields included.
	if out := mustExec(t, x, `kubectl get ds rng -o jsonpath='{.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}'`); !strings.Contains(out, `"kind":"DaemonSet"`) || !strings.Contains(out, `"replicas":1,`) {
		t.Errorf("last-applied-configuration: %q", out)
	}
	// Applied again, through the three-way merge (the last-applied
	// configuration holds the unknown fields too): still dropped, silently,
	// and the change is made.
	mustExec(t, x, "sed -i 's/rng:v0.1/rng:v0.2/' rng.yml")
	if out, err := x.Exec("kubectl apply -f rng.yml --validate=false"); err != nil || out != "daemonset.apps/rng configured" {
		t.Errorf("second --validate=false: %q, %v", out, err)
	}
	y := mustExec(t, x, "kubectl get ds rng -o yaml")
	_, spec, _ := strings.Cut(y, "\nspec:\n") // the annotation keeps the file as sent
	if !strings.Contains(spec, "image: dockercoins/rng:v0.2") || strings.Contains(spec, "progressDeadlineSeconds") || strings.Contains(spec, "\n  replicas:") || strings.Contains(spec, "\n  strategy:") {
		t.Errorf("get ds rng -o yaml after the second apply:\n%s", y)
	}
	// --validate=warn drops them with the API server's warnings.
	mustExec(t, x, "sed -i 's/rng:v0.2/rng:v0.3/' rng.yml")
	out, err = x.Exec("kubectl apply -f rng.yml --validate=warn")
	if err != nil || !strings.HasPrefix(out, "Warning: unknown field \"spec.progressDeadlineSeconds\"\nWarning: unknown field \"spec.replicas\"\n") ||
		!strings.HasSuffix(out, "\ndaemonset.apps/rng configured") {
		t.Errorf("--validate=warn: %q, %v", out, err)
	}
	if _, err := x.Exec("cat nothing.yml"); err == nil || err.Error() != "cat: nothing.yml: No such file or directory" {
		t.Errorf("cat nothing.yml: %v", err)
	}
}

func TestGetJSONPathAndColumns(t *testing.T) {
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{Inline: map[string]string{"web.yaml": webDoc}})
	mustExec(t, x, "kubectl apply -f web.yaml")
	mustExec(t, x, "kubectl create deployment rng --image=dockercoins/rng:v0.1")
	mustExec(t, x, "kubectl expose deployment rng --port 80")
	c.E.RunUntil(time.Minute)
	for _, tc := range []struct{ line, want string }{
		{`kubectl get deploy -o jsonpath='{.items[*].metadata.name}'`, "rng web"},
		{`kubectl get deploy web -o jsonpath={.spec.template.spec.containers[0].name}`, "c"},
		{`kubectl get deploy -o jsonpath='{range .items[*]}{.metadata.name}={.spec.replicas}{"\n"}{end}'`, "rng=1\nweb=2"},
		{`kubectl get svc rng -o jsonpath={.spec.ports[?(@.port==80)].targetPort}`, "80"},
		{`kubectl get deploy web -o jsonpath={.nothing}`, ""},
		{`kubectl get deploy -o custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[*].image,SEL:spec.selector.matchLabels.app,X:.nope`,
			"NAME   IMAGE                  SEL   X\nrng    dockercoins/rng:v0.1   rng   <none>\nweb    nginx:1.27             web   <none>"},
		{`kubectl get nodes -o custom-columns=NODE:.metadata.name,CPU:.status.capacity.cpu`, "NODE    CPU\nnode1   2\nnode2   2\nnode3   2"},
	} {
		out, err := x.Exec(tc.line)
		if err != nil || out != tc.want {
			t.Errorf("%s:\n got %q, %v\nwant %q", tc.line, out, err, tc.want)
		}
	}
	// Several objects, or none, print a List; one named object prints itself.
	out := mustExec(t, x, "kubectl get pods -l app=none -o yaml")
	if out != "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"" {
		t.Errorf("empty list: %q", out)
	}
	out = mustExec(t, x, "kubectl get deploy rng -o json")
	if !strings.HasPrefix(out, "{\n    \"apiVersion\": \"apps/v1\",\n    \"kind\": \"Deployment\",\n    \"metadata\": {") {
		t.Errorf("-o json: %q", out)
	}
	out = mustExec(t, x, "kubectl get deploy rng web -o yaml")
	if !strings.HasPrefix(out, "apiVersion: v1\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n") || !strings.HasSuffix(out, "kind: List\nmetadata:\n  resourceVersion: \"\"") {
		t.Errorf("two names: %q", out)
	}
	if _, err := x.Exec("kubectl get deploy/nope -o yaml"); err == nil || err.Error() != `Error from server (NotFound): deployments.apps "nope" not found` {
		t.Errorf("get deploy/nope -o yaml: %v", err)
	}
	// Pods carry their node, owner and status.
	out = mustExec(t, x, "kubectl get pods -l app=rng -o jsonpath={.items[0].metadata.ownerReferences[0].kind}/{.items[0].status.phase}/{.items[0].spec.nodeName}")
	if !strings.HasPrefix(out, "ReplicaSet/Running/node") {
		t.Errorf("pod owner/phase/node: %q", out)
	}
}

func TestOutputFormatErrors(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"kubectl get pods -o yml", `error: unable to match a printer suitable for the output format "yml", allowed formats are: json,yaml,kyaml,name,go-template,go-template-file,template,templatefile,jsonpath,jsonpath-as-json,jsonpath-file,custom-columns,custom-columns-file,wide`},
		{"kubectl get pods -o jsonpath=", "error: template format specified but no template given"},
		{"kubectl get pods -o custom-columns=", "error: custom-columns format specified but no custom columns given"},
	} {
		if _, err := kubectl.Parse(tc.line); err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.line, err, tc.want)
		}
	}
	x := newExecutor(printCluster(t, 1), kubectl.Files{})
	for _, tc := range []struct{ line, want string }{
		{"kubectl get pods -o jsonpath={.items[", "error: error parsing jsonpath {.items[, unterminated array"},
		{"kubectl get pods -o custom-columns=NAME", "error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"},
	} {
		if _, err := x.Exec(tc.line); err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.line, err, tc.want)
		}
	}
}

// > FILE writes a step's output into the run's file set (not the
// scenario's); sed -i edits it; later steps read it with -f.
func TestRedirectAndSed(t *testing.T) {
	s := kubectl.Files{Inline: map[string]string{"web.yaml": webDoc}}
	x := newExecutor(printCluster(t, 1), s)
	mustExec(t, x, `sed -i -e 's/replicas: 2/replicas: 3/' web.yaml`)
	mustExec(t, x, `sed -i 's|image: nginx:\(.*\)|image: nginx:\1-alpine # was &|g' web.yaml`)
	if got := fileOf(x, "web.yaml"); !strings.Contains(got, "replicas: 3\n") || !strings.Contains(got, "image: nginx:1.27-alpine # was image: nginx:1.27\n") {
		t.Errorf("sed result:\n%s", got)
	}
	if s.Inline["web.yaml"] != webDoc {
		t.Error("sed changed the scenario's own file")
	}
	if out := mustExec(t, x, "kubectl apply -f web.yaml"); !strings.HasPrefix(out, "deployment.apps/web created") {
		t.Errorf("apply of the edited file: %q", out)
	}
	mustExec(t, x, "kubectl get deploy -o name > names.txt")
	mustExec(t, x, "kubectl get nodes -o name >> names.txt")
	if got := fileOf(x, "names.txt"); got != "deployment.apps/web\nnode/node1\nnode/node2\nnode/node3\n" {
		t.Errorf("> and >>: %q", got)
	}
	// A quoted > is an argument; a failing command still creates the file.
	if _, err := x.Exec(`kubectl get deploy/nope -o yaml > empty.yaml`); err == nil || fileOf(x, "empty.yaml") != "" {
		t.Errorf("failed get > FILE: %v, %q", err, fileOf(x, "empty.yaml"))
	}
	for _, tc := range []struct{ line, want string }{
		{"kubectl get pods 2> err.txt", "error: kubesim steps redirect only standard output (> FILE); errors are shown in the timeline"},
		{"kubectl get pods > a > b", "error: kubesim steps support one redirection of standard output (> FILE or >> FILE)"},
		{"kubectl get pods > a -o yaml", `error: kubesim steps take one file after >, got "a -o yaml"; put flags and arguments before the redirection`},
		{"kubectl get pods >", "error: a redirection needs a file name: > FILE"},
		{"sed 's/a/b/' web.yaml", "error: sed: kubesim's sed edits files in place: add -i (sed -i 's/OLD/NEW/' FILE)"},
		{"sed -i 's/a/b/x' web.yaml", "error: sed: -e expression #1, char 7: unknown option to `s'"},
		{"sed -i 's/a/b' web.yaml", "error: sed: -e expression #1, char 5: unterminated `s' command"},
		{"sed -i 's/a/b/' nowhere.yaml", "sed: can't read nowhere.yaml: No such file or directory"},
	} {
		if _, err := x.Exec(tc.line); err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.line, err, tc.want)
		}
	}
	if words, err := kubectl.Split(`kubectl annotate pod p 'note=a > b'`); err != nil || len(words) != 5 {
		t.Errorf("quoted >: %q %v", words, err)
	}
	if line, r, err := kubectl.SplitRedirect(`kubectl annotate pod p "note=a > b"`); err != nil || r != nil || line != `kubectl annotate pod p "note=a > b"` {
		t.Errorf("quoted > taken as a redirection: %q %v %v", line, r, err)
	}
}

// --dry-run=client prints the object kubectl would send and creates nothing;
// its YAML, written to a file, applies.
func TestDryRunClient(t *testing.T) {
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{})
	want := `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  strategy: {}
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - image: nginx:1.27
        name: nginx
        ports:
        - containerPort: 80
        resources: {}
status: {}`
	if out := mustExec(t, x, "kubectl create deployment web --image=nginx:1.27 --port=80 --replicas=2 --dry-run=client -o yaml"); out != want {
		t.Errorf("create deployment --dry-run=client -o yaml:\n%s\nwant\n%s", out, want)
	}
	if c.Deployment("web") != nil {
		t.Fatal("a dry run created the Deployment")
	}
	for _, tc := range []struct{ line, want string }{
		{"kubectl create deployment web --image=nginx --dry-run=client", "deployment.apps/web created (dry run)"},
		{"kubectl run debug --image=alpine --dry-run=client -o name", "pod/debug"},
		{"kubectl run debug --image=alpine --labels=a=b --dry-run=client -o yaml -- sleep 1",
			"apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    a: b\n  name: debug\nspec:\n  containers:\n  - args:\n    - sleep\n    - \"1\"\n    image: alpine\n    name: debug\n    resources: {}\n  dnsPolicy: ClusterFirst\n  restartPolicy: Always\nstatus: {}"},
	} {
		if out, err := x.Exec(tc.line); err != nil || out != tc.want {
			t.Errorf("%s:\n got %q, %v\nwant %q", tc.line, out, err, tc.want)
		}
	}
	mustExec(t, x, "kubectl create deployment web --image=nginx:1.27 --port=80 --replicas=2 --dry-run=client -o yaml > web.yaml")
	if out := mustExec(t, x, "kubectl apply -f web.yaml"); out != "deployment.apps/web created" {
		t.Errorf("apply of the dry run's YAML: %q", out)
	}
	out := mustExec(t, x, "kubectl expose deployment web --port 80 --target-port=8080 --type=NodePort --dry-run=client -o yaml")
	if out != "apiVersion: v1\nkind: Service\nmetadata:\n  labels:\n    app: web\n  name: web\nspec:\n  ports:\n  - port: 80\n    protocol: TCP\n    targetPort: 8080\n  selector:\n    app: web\n  type: NodePort\nstatus:\n  loadBalancer: {}" {
		t.Errorf("expose --dry-run=client -o yaml:\n%s", out)
	}
	if c.Service("web") != nil {
		t.Error("a dry run created the Service")
	}
	for _, tc := range []struct{ line, want string }{
		{"kubectl create deployment web --image=nginx --dry-run", `error: Invalid dry-run value (unchanged). Must be "none", "server", or "client".`},
		{"kubectl run web --image=nginx --dry-run=client -o wide", `error: unable to match a printer suitable for the output format "wide", allowed formats are: json,yaml,kyaml,name,go-template,go-template-file,template,templatefile,jsonpath,jsonpath-as-json,jsonpath-file`},
		{"kubectl create deployment web --image=nginx --dry-run=server -o yaml", "error: --dry-run=server is not supported by kubesim; --dry-run=client prints the object kubectl would send"},
	} {
		if _, err := x.Exec(tc.line); err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.line, err, tc.want)
		}
	}
}

// Endpoints print as the endpoints controller keeps them; the API server's
// deprecation warning stays on the screen, out of a redirected file.
func TestGetEndpointsOutput(t *testing.T) {
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{})
	mustExec(t, x, "kubectl create deployment rng --image=dockercoins/rng:v0.1 --replicas=2")
	mustExec(t, x, "kubectl expose deployment rng --port 80")
	c.E.RunUntil(time.Minute)
	ips := mustExec(t, x, "kubectl get pods -l app=rng -o jsonpath={.items[*].status.podIP}")
	out := mustExec(t, x, "kubectl get endpoints rng -o jsonpath={.subsets[*].addresses[*].ip}")
	want := kubectl.EndpointsWarning + "\n" + ips
	if ips == "" || strings.Count(ips, " ") != 1 || out != want {
		t.Errorf("endpoint IPs: %q, want %q", out, want)
	}
	if out := mustExec(t, x, "kubectl get endpoints rng -o yaml > ep.yaml"); out != kubectl.EndpointsWarning {
		t.Errorf("redirected get: screen %q", out)
	}
	if got := fileOf(x, "ep.yaml"); !strings.HasPrefix(got, "apiVersion: v1\nkind: Endpoints\n") || !strings.Contains(got, "  ports:\n  - port: 80\n    protocol: TCP\n") {
		t.Errorf("ep.yaml:\n%s", got)
	}
}

// --no-headers leaves out the header line of tables and custom columns, as
// scripts use them.
func TestNoHeaders(t *testing.T) {
	x := newExecutor(printCluster(t, 1), kubectl.Files{})
	if out := mustExec(t, x, "kubectl get nodes --no-headers -o custom-columns=:metadata.name"); out != "node1\nnode2\nnode3" {
		t.Errorf("custom columns: %q", out)
	}
	out := mustExec(t, x, "kubectl get nodes --no-headers")
	if strings.Contains(out, "NAME") || strings.Count(out, "\n") != 2 || !strings.HasPrefix(out, "node1 ") {
		t.Errorf("table: %q", out)
	}
}

// Same-name objects in two namespaces print each its own applied manifest.
func TestGetYAMLNamespaces(t *testing.T) {
	other := strings.Replace(strings.Replace(webDoc, "  name: web\n", "  name: web\n  namespace: blue\n", 1), "name: c\n", "name: blue-c\n", 1)
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{Inline: map[string]string{"web.yaml": webDoc, "blue.yaml": manifestNS("blue") + "---\n" + other}})
	mustExec(t, x, "kubectl apply -f web.yaml")
	mustExec(t, x, "kubectl apply -f blue.yaml")
	for _, tc := range []struct{ line, want string }{
		{"kubectl get deploy web -o jsonpath={.metadata.namespace}/{.spec.template.spec.containers[0].name}", "default/c"},
		{"kubectl -n blue get deploy web -o jsonpath={.metadata.namespace}/{.spec.template.spec.containers[0].name}", "blue/blue-c"},
	} {
		if out, err := x.Exec(tc.line); err != nil || out != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.line, out, err, tc.want)
		}
	}
}

// apply -o name|yaml prints the applied objects instead of "created".
func TestApplyOutput(t *testing.T) {
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{Inline: map[string]string{"web.yaml": webDoc, "two.yaml": depDoc("a") + "---\n" + depDoc("b")}})
	if out := mustExec(t, x, "kubectl apply -f web.yaml -o name"); out != "deployment.apps/web" {
		t.Errorf("apply -o name: %q", out)
	}
	out := mustExec(t, x, "kubectl apply -f two.yaml -o yaml > two-out.yaml")
	if out != "" {
		t.Errorf("screen: %q", out)
	}
	got := fileOf(x, "two-out.yaml")
	if !strings.HasPrefix(got, "apiVersion: apps/v1\nkind: Deployment\n") || strings.Count(got, "\n---\napiVersion: apps/v1\nkind: Deployment\n") != 1 || !strings.Contains(got, "  name: b\n") {
		t.Errorf("apply -o yaml:\n%s", got)
	}
}

// fileOf is the file a step of x wrote, "" if none.
func fileOf(x *kubectl.Executor, name string) string {
	s, _ := x.File(name)
	return s
}

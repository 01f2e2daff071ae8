package manifest

import (
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

func decodeOne(t *testing.T, src string) Object {
	t.Helper()
	objs, _, err := Decode("obj.yml", []byte(src), Options{Validate: true})
	if err != nil || len(objs) != 1 {
		t.Fatalf("%v %v", objs, err)
	}
	return objs[0]
}

const rngService = `apiVersion: v1
kind: Service
metadata:
  name: rng
  labels: {app: rng}
spec:
  selector: {app: rng}
  ports: [{port: 80}]
`

const workerDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, labels: {app: worker}}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
      - name: worker
        image: dockercoins/worker:v0.1
        ports: [{containerPort: 80}]
      - name: sidecar
        image: busybox
`

func TestApplyPatchEditYes(t *testing.T) {
	svc := decodeOne(t, rngService).Obj
	// kubectl edit service rng, adding enabled: yes unquoted (the slides' "weirdest error").
	_, err := ApplyPatch(svc, "spec:\n  selector:\n    enabled: yes\n", StrategicMergePatch, "edit")
	e := decodeErr(t, err)
	if len(e.Problems) != 1 || e.Problems[0].String() != `edit:3: spec.selector.enabled: the value yes is a YAML boolean, not a string; quote it: "yes"` {
		t.Errorf("%v", e.Problems)
	}
	// Take 2, quoted.
	out, err := ApplyPatch(svc, "spec:\n  selector:\n    enabled: \"yes\"\n", StrategicMergePatch, "edit")
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*corev1.Service)
	if !reflect.DeepEqual(got.Spec.Selector, map[string]string{"app": "rng", "enabled": "yes"}) || got.Spec.Ports[0].Port != 80 {
		t.Errorf("%+v", got.Spec)
	}
	// The input object is not modified.
	if _, ok := svc.(*corev1.Service).Spec.Selector["enabled"]; ok {
		t.Error("ApplyPatch modified its input")
	}
}

func TestApplyPatchKinds(t *testing.T) {
	dep := decodeOne(t, workerDeployment).Obj
	pod := decodeOne(t, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: labeldemo\n  labels: {isactive: \"yes\", run: labeldemo}\nspec:\n  containers: [{name: c, image: alpine}]\n").Obj

	// The slides' patch: metadata.labels.isactive: "no".
	out, err := ApplyPatch(pod, "metadata:\n  labels:\n    isactive: \"no\"\n", StrategicMergePatch, "patch")
	if err != nil || out.(*corev1.Pod).Labels["isactive"] != "no" || out.(*corev1.Pod).Labels["run"] != "labeldemo" {
		t.Errorf("%v %v", out, err)
	}
	// Merge patch: null removes a label.
	out, err = ApplyPatch(pod, `{"metadata":{"labels":{"run":null}}}`, MergePatch, "patch")
	if err != nil || !reflect.DeepEqual(out.(*corev1.Pod).Labels, map[string]string{"isactive": "yes"}) {
		t.Errorf("%v %v", out, err)
	}
	// Strategic: containers merged by name; merge: list replaced.
	p := `{"spec":{"template":{"spec":{"containers":[{"name":"worker","image":"dockercoins/worker:v0.2"}]}}}}`
	out, err = ApplyPatch(dep, p, StrategicMergePatch, "patch")
	if err != nil {
		t.Fatal(err)
	}
	cs := out.(*appsv1.Deployment).Spec.Template.Spec.Containers
	if len(cs) != 2 || cs[0].Image != "dockercoins/worker:v0.2" || cs[0].Ports[0].ContainerPort != 80 || cs[1].Name != "sidecar" {
		t.Errorf("strategic: %+v", cs)
	}
	out, err = ApplyPatch(dep, p, MergePatch, "patch")
	if err != nil {
		t.Fatal(err)
	}
	cs = out.(*appsv1.Deployment).Spec.Template.Spec.Containers
	if len(cs) != 1 || cs[0].Image != "dockercoins/worker:v0.2" || len(cs[0].Ports) != 0 {
		t.Errorf("merge: %+v", cs)
	}
	// JSON patch.
	out, err = ApplyPatch(dep, `[{"op":"replace","path":"/spec/replicas","value":5},{"op":"add","path":"/metadata/labels/tier","value":"back"},{"op":"remove","path":"/spec/template/spec/containers/1"}]`, JSONPatch, "patch")
	if err != nil {
		t.Fatal(err)
	}
	d := out.(*appsv1.Deployment)
	if *d.Spec.Replicas != 5 || d.Labels["tier"] != "back" || len(d.Spec.Template.Spec.Containers) != 1 {
		t.Errorf("json patch: %+v", d)
	}

	errs := []struct{ patch, typ, want string }{
		{"spec:\n  replica: 3\n", StrategicMergePatch, "patch:2: spec.replica: unknown field: Deployment (apps/v1) has no field spec.replica"},
		{"spec:\n  replicas: three\n", MergePatch, `patch:2: spec.replicas: expected an integer, got the string "three"`},
		{"spec:\n  template:\n    metadata:\n      labels: {app: other}\n", MergePatch, "patch:4: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`"},
		{"[1]", MergePatch, "patch: a merge patch must be a mapping (a partial object), got a list"},
		{`[{"op":"replace","path":"/spec/nope","value":1}]`, JSONPatch, "patch: operation 0: path /spec/nope does not exist"},
		{`[{"op":"move","path":"/spec","from":"/x"}]`, JSONPatch, `patch: operation 0: from /x: no field "x"`},
		{`[{"op":"merge","path":"/spec"}]`, JSONPatch, `patch: operation 0: unsupported op "merge" (kubesim supports add, remove, replace, move, copy, test)`},
		{`{"a": `, MergePatch, "patch: unable to parse \"{\\\"a\\\": \": yaml: line 1: did not find expected node content"},
	}
	for _, c := range errs {
		_, err := ApplyPatch(dep, c.patch, c.typ, "patch")
		if err == nil || err.Error() != c.want {
			t.Errorf("%s:\ngot  %v\nwant %s", c.patch, err, c.want)
		}
	}
	if _, err := ApplyPatch(nil, "{}", MergePatch, "p"); err == nil || !strings.Contains(err.Error(), "cannot patch") {
		t.Errorf("nil object: %v", err)
	}
}

// A strategic merge patch merges each list as its field's patchStrategy and
// patchMergeKey in k8s.io/api say, as the API server does, with the $patch
// and $deleteFromPrimitiveList directives; JSON patch has move and copy.
func TestApplyPatchStrategicAsTheAPIServer(t *testing.T) {
	dep := decodeOne(t, workerDeployment).Obj
	node := decodeOne(t, "apiVersion: v1\nkind: Node\nmetadata: {name: n1, finalizers: [a, b]}\nspec:\n  taints: [{key: a, effect: NoSchedule}]\n").Obj
	containers := func(o any) []corev1.Container { return o.(*appsv1.Deployment).Spec.Template.Spec.Containers }
	cases := []struct {
		name, patch string
		check       func(o any) bool
	}{
		{"$patch: delete removes the container of that name",
			`{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}`,
			func(o any) bool { cs := containers(o); return len(cs) == 1 && cs[0].Name == "worker" }},
		{"$patch: replace makes the other items the whole list",
			`{"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"nginx"}]}}}}`,
			func(o any) bool { cs := containers(o); return len(cs) == 1 && cs[0].Name == "only" }},
		{"container ports merge by containerPort, env by name",
			`{"spec":{"template":{"spec":{"containers":[{"name":"worker","ports":[{"containerPort":8080}],"env":[{"name":"A","value":"1"}]}]}}}}`,
			func(o any) bool {
				c := containers(o)[0]
				return len(c.Ports) == 2 && c.Ports[0].ContainerPort == 80 && c.Ports[1].ContainerPort == 8080 && len(c.Env) == 1
			}},
		{"a map with $patch: replace is replaced",
			`{"metadata":{"labels":{"$patch":"replace","tier":"back"}}}`,
			func(o any) bool {
				return reflect.DeepEqual(o.(*appsv1.Deployment).Labels, map[string]string{"tier": "back"})
			}},
	}
	for _, c := range cases {
		out, err := ApplyPatch(dep, c.patch, StrategicMergePatch, "patch")
		if err != nil || !c.check(out) {
			t.Errorf("%s: %v\n%+v", c.name, err, out)
		}
	}
	// Node taints have no merge key: a patch replaces the list (kubesim used
	// to merge them by key); finalizers merge as a set.
	out, err := ApplyPatch(node, `{"metadata":{"finalizers":["b","c"]},"spec":{"taints":[{"key":"b","effect":"NoExecute"}]}}`, StrategicMergePatch, "patch")
	if err != nil {
		t.Fatal(err)
	}
	n := out.(*corev1.Node)
	if len(n.Spec.Taints) != 1 || n.Spec.Taints[0].Key != "b" || !reflect.DeepEqual(n.Finalizers, []string{"a", "b", "c"}) {
		t.Errorf("taints %v finalizers %v, want [b] and [a b c]", n.Spec.Taints, n.Finalizers)
	}
	out, err = ApplyPatch(node, `{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"$setElementOrder/finalizers":["b"]}}`, StrategicMergePatch, "patch")
	if err != nil || !reflect.DeepEqual(out.(*corev1.Node).Finalizers, []string{"b"}) {
		t.Errorf("$deleteFromPrimitiveList: %v %v", err, out)
	}
	// JSON patch move and copy.
	out, err = ApplyPatch(dep, `[{"op":"copy","from":"/metadata/labels/app","path":"/metadata/labels/copy"},{"op":"move","from":"/metadata/labels/app","path":"/metadata/labels/moved"}]`, JSONPatch, "patch")
	if err != nil || !reflect.DeepEqual(out.(*appsv1.Deployment).Labels, map[string]string{"copy": "worker", "moved": "worker"}) {
		t.Errorf("move, copy: %v %v", err, out)
	}
}

func FuzzApplyPatch(f *testing.F) {
	f.Add("spec:\n  selector:\n    enabled: yes\n", "strategic")
	f.Add(`{"metadata":{"labels":{"a":null}}}`, "merge")
	f.Add(`[{"op":"add","path":"/spec/ports/-","value":{"port":81,"name":"x"}}]`, "json")
	f.Fuzz(func(t *testing.T, patch, typ string) {
		objs, _, err := Decode("s.yml", []byte(rngService), Options{Validate: true})
		if err != nil {
			t.Fatal(err)
		}
		out, err := ApplyPatch(objs[0].Obj, patch, typ, "p")
		if err == nil && out == nil {
			t.Fatal("nil object without error")
		}
	})
}

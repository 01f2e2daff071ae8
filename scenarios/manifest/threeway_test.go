package manifest

import (
	"encoding/json"
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// ApplyThreeWay on the cases of strategicpatch's three-way tests
// (CreateThreeWayMergePatch, then the patch applied to the live object):
// merged lists by key and sets of scalars lose what the last apply had and
// the file drops, keep what only the live object has; a list without a
// strategy (args) is the file's.
func TestApplyThreeWay(t *testing.T) {
	const last = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, finalizers: [a.example/one, a.example/two]}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: nginx, args: [-a, -b], env: [{name: MODE, value: fast}, {name: OLD, value: x}]}
      - {name: sidecar, image: envoy}
`
	const file = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, finalizers: [a.example/one]}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: nginx:2, args: [-c], env: [{name: MODE, value: slow}]}
`
	// Live: the last apply, with an env var and a finalizer added by hand
	// and replicas scaled.
	live := decodeOne(t, last).Obj.(*appsv1.Deployment)
	live.Spec.Replicas = ptr(int32(7))
	live.Finalizers = append(live.Finalizers, "live.example/kept")
	c := &live.Spec.Template.Spec.Containers[0]
	c.Env = append(c.Env, corev1.EnvVar{Name: "LIVE", Value: "1"})

	got, err := ApplyThreeWay(live, decodeOne(t, last).Raw, decodeOne(t, file).Raw, "web.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d := got.(*appsv1.Deployment)
	// replicas: in the last apply, not in the file: removed, defaulted.
	if *d.Spec.Replicas != 1 {
		t.Errorf("replicas %d, want 1 (dropped from the file: default)", *d.Spec.Replicas)
	}
	if want := []string{"a.example/one", "live.example/kept"}; !reflect.DeepEqual(d.Finalizers, want) {
		t.Errorf("finalizers %v, want %v", d.Finalizers, want)
	}
	cs := d.Spec.Template.Spec.Containers
	if len(cs) != 1 || cs[0].Name != "web" || cs[0].Image != "nginx:2" {
		b, _ := json.Marshal(cs)
		t.Fatalf("containers %s, want web (nginx:2) alone: sidecar was dropped from the file", b)
	}
	if want := []string{"-c"}; !reflect.DeepEqual(cs[0].Args, want) {
		t.Errorf("args %v, want %v (a list without a merge strategy is the file's)", cs[0].Args, want)
	}
	var env []string
	for _, e := range cs[0].Env {
		env = append(env, e.Name+"="+e.Value)
	}
	if want := []string{"MODE=slow", "LIVE=1"}; !reflect.DeepEqual(env, want) {
		t.Errorf("env %v, want %v (OLD dropped from the file, LIVE set live kept)", env, want)
	}

	// Never applied (kubectl create): nothing is removed.
	got, err = ApplyThreeWay(live, nil, decodeOne(t, file).Raw, "web.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d = got.(*appsv1.Deployment)
	if *d.Spec.Replicas != 7 || len(d.Spec.Template.Spec.Containers) != 2 || len(d.Finalizers) != 3 {
		t.Errorf("without a last apply: replicas %d, %d containers, finalizers %v; want 7, 2 and all three kept", *d.Spec.Replicas, len(d.Spec.Template.Spec.Containers), d.Finalizers)
	}
}

// apply --validate=false through the three-way merge: the last apply and
// the file both have fields a DaemonSet does not (the workshop's cast of a
// Deployment dump); they are dropped, the file's change is made, and a
// field of the last apply that the file drops (an unknown one included)
// leaves nothing behind.
func TestApplyThreeWayDropsUnknownFields(t *testing.T) {
	const last = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: rng}
spec:
  replicas: 1
  progressDeadlineSeconds: 600
  selector: {matchLabels: {app: rng}}
  template:
    metadata: {labels: {app: rng}}
    spec:
      containers:
      - {name: rng, image: dockercoins/rng:v0.1}
`
	const file = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: rng}
spec:
  replicas: 1
  strategy: {type: RollingUpdate}
  selector: {matchLabels: {app: rng}}
  template:
    metadata: {labels: {app: rng}}
    spec:
      containers:
      - {name: rng, image: dockercoins/rng:v0.2}
`
	decode := func(src string) Object {
		objs, warns, err := Decode("rng.yml", []byte(src), Options{Validate: false})
		if err != nil || len(objs) != 1 || len(warns) != 0 {
			t.Fatalf("--validate=false: %v %q %v", objs, warns, err)
		}
		return objs[0]
	}
	live := decode(last).Obj
	got, err := ApplyThreeWay(live, decode(last).Raw, decode(file).Raw, "rng.yml")
	if err != nil {
		t.Fatal(err)
	}
	ds := got.(*appsv1.DaemonSet)
	if img := ds.Spec.Template.Spec.Containers[0].Image; img != "dockercoins/rng:v0.2" {
		t.Errorf("image %q, want the file's dockercoins/rng:v0.2", img)
	}
	want := decode(file).Obj.(*appsv1.DaemonSet)
	SetPrintDefaults(want) // the live object's, as the API server returns it
	SetPrintDefaults(ds)
	if !reflect.DeepEqual(ds.Spec, want.Spec) {
		t.Errorf("spec\n%+v\nwant the file's, decoded with its unknown fields dropped:\n%+v", ds.Spec, want.Spec)
	}
}

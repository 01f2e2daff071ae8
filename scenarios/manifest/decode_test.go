package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// linesWith returns the 1-based numbers of the lines of data that start with
// prefix, found independently of the decoder.
func linesWith(data []byte, prefix string) []int {
	var out []int
	for i, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, i+1)
		}
	}
	return out
}

func decodeErr(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *manifest.Error, got %T %v", err, err)
	}
	return e
}

func TestDecodeDockerCoinsDeployments(t *testing.T) {
	data := readTestdata(t, "dockercoins.yaml")
	objs, warns, err := Decode("dockercoins.yaml", data, Options{Validate: true})
	if err != nil || len(warns) != 0 {
		t.Fatalf("err=%v warnings=%v", err, warns)
	}
	starts := linesWith(data, "apiVersion:")
	want := []struct{ name, image string }{
		{"hasher", "dockercoins/hasher:v0.1"}, {"redis", "redis"}, {"rng", "dockercoins/rng:v0.1"},
		{"webui", "dockercoins/webui:v0.1"}, {"worker", "dockercoins/worker:v0.1"},
	}
	if len(objs) != len(want) || len(starts) != len(want) {
		t.Fatalf("got %d objects, %d documents; want %d", len(objs), len(starts), len(want))
	}
	for i, o := range objs {
		d, ok := o.Obj.(*appsv1.Deployment)
		if !ok {
			t.Fatalf("object %d is %T", i, o.Obj)
		}
		if o.Kind != "Deployment" || o.APIVersion != "apps/v1" || o.Name != want[i].name || o.Namespace != "default" ||
			o.Doc != i || o.Line != starts[i] || o.Ref() != "deployment.apps/"+want[i].name {
			t.Errorf("object %d: %+v (want line %d)", i, o, starts[i])
		}
		if *d.Spec.Replicas != 1 || d.Spec.Selector.MatchLabels["app"] != want[i].name ||
			d.Spec.Template.Labels["app"] != want[i].name || d.Spec.Template.Spec.Containers[0].Image != want[i].image {
			t.Errorf("%s: spec %+v", o.Name, d.Spec)
		}
		if ns := NotSimulated(d); len(ns) != 0 {
			t.Errorf("%s: kubectl get -o yaml output reported as not simulated: %v", o.Name, ns)
		}
	}
}

func TestDeploymentCastToDaemonSet(t *testing.T) {
	data := readTestdata(t, "rng.yml")
	objs, _, err := Decode("rng.yml", data, Options{Validate: true})
	if len(objs) != 0 {
		t.Fatalf("strict decode returned objects: %v", objs)
	}
	e := decodeErr(t, err)
	wantFields := []string{"spec.progressDeadlineSeconds", "spec.replicas", "spec.strategy"}
	wantLines := []int{linesWith(data, "  progressDeadlineSeconds:")[0], linesWith(data, "  replicas:")[0], linesWith(data, "  strategy:")[0]}
	if len(e.Problems) != len(wantFields) {
		t.Fatalf("problems: %v", e.Problems)
	}
	for i, p := range e.Problems {
		if p.Kind != UnknownField || p.Field != wantFields[i] || p.Line != wantLines[i] || p.File != "rng.yml" {
			t.Errorf("problem %d = %+v, want %s at line %d", i, p, wantFields[i], wantLines[i])
		}
	}
	wantKubectl := `Error from server (BadRequest): error when creating "rng.yml": DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "spec.progressDeadlineSeconds", unknown field "spec.replicas", unknown field "spec.strategy"`
	if got := e.Kubectl(); len(got) != 1 || got[0] != wantKubectl {
		t.Errorf("Kubectl() = %q\nwant %q", got, wantKubectl)
	}
	msg := err.Error()
	if !strings.Contains(msg, "rng.yml:13: spec.replicas: unknown field") || !strings.HasSuffix(msg, ValidateFalseHint) {
		t.Errorf("Error() = %s", msg)
	}

	// --validate=false (fieldValidation=Ignore) drops them silently;
	// --validate=warn with the API server's warnings.
	objs, warns, err := Decode("rng.yml", data, Options{Validate: false})
	if err != nil {
		t.Fatalf("--validate=false: %v", err)
	}
	if len(objs) != 1 || len(warns) != 0 {
		t.Fatalf("--validate=false: objs=%v warns=%q, want no warning", objs, warns)
	}
	_, warned, err := Decode("rng.yml", data, Options{Validate: false, Warn: true})
	if err != nil || len(warned) != 3 {
		t.Fatalf("--validate=warn: warns=%q err=%v", warned, err)
	}
	for i, w := range warned {
		if w != `unknown field "`+wantFields[i]+`"` {
			t.Errorf("warning %d = %q", i, w)
		}
	}
	ds := objs[0].Obj.(*appsv1.DaemonSet)
	if objs[0].Ref() != "daemonset.apps/rng" || ds.Spec.Selector.MatchLabels["app"] != "rng" ||
		ds.Spec.Template.Spec.Containers[0].Image != "dockercoins/rng:v0.1" {
		t.Errorf("daemon set: %+v", ds)
	}
	ru := ds.Spec.UpdateStrategy.RollingUpdate
	if ds.Spec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType || *ru.MaxUnavailable != intstr.FromInt32(1) || *ru.MaxSurge != intstr.FromInt32(0) {
		t.Errorf("DaemonSet update strategy defaults: %+v %+v", ds.Spec.UpdateStrategy, ru)
	}
}

func TestYAMLBooleansInLabels(t *testing.T) {
	data := readTestdata(t, "rng-svc-enabled-yes.yml")
	_, _, err := Decode("rng-svc-enabled-yes.yml", data, Options{Validate: true})
	e := decodeErr(t, err)
	line := linesWith(data, "    enabled: yes")[0]
	want := "rng-svc-enabled-yes.yml:" + strconv.Itoa(line) + `: spec.selector.enabled: the value yes is a YAML boolean, not a string; quote it: "yes"`
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	wantK := `Error from server (BadRequest): error when creating "rng-svc-enabled-yes.yml": Service in version "v1" cannot be handled as a Service: json: cannot unmarshal bool into Go struct field ServiceSpec.spec.selector of type string`
	if k := e.Kubectl(); len(k) != 1 || k[0] != wantK {
		t.Errorf("Kubectl() = %q", k)
	}

	// Every problem of the file is listed, with --validate=false too.
	data = readTestdata(t, "labels-yes.yml")
	for _, v := range []bool{true, false} {
		_, _, err = Decode("labels-yes.yml", data, Options{Validate: v})
		e = decodeErr(t, err)
		var got []string
		for _, p := range e.Problems {
			got = append(got, p.Field)
		}
		wantF := []string{"metadata.labels.enabled", "spec.selector.matchLabels.isactive",
			"spec.template.metadata.labels.version", "spec.template.spec.nodeSelector.gpu"}
		if !reflect.DeepEqual(got, wantF) {
			t.Errorf("validate=%v: fields %v, want %v", v, got, wantF)
		}
	}
}

const svcTmpl = `apiVersion: v1
kind: Service
metadata:
  name: rng
spec:
  ports:
  - port: 80
  selector:
    enabled: VALUE
`

func TestYAML11Scalars(t *testing.T) {
	cases := []struct {
		value   string
		want    string // the decoded label value; "" means refused
		problem string
	}{
		{"yes", "", `the value yes is a YAML boolean, not a string; quote it: "yes"`},
		{"Yes", "", `the value Yes is a YAML boolean, not a string; quote it: "Yes"`},
		{"YES", "", "YAML boolean"},
		{"y", "", "YAML boolean"},
		{"N", "", "YAML boolean"},
		{"no", "", "YAML boolean"},
		{"on", "", "YAML boolean"},
		{"OFF", "", "YAML boolean"},
		{"true", "", "YAML boolean"},
		{"False", "", "YAML boolean"},
		{"42", "", `the value 42 is a YAML number, not a string; quote it: "42"`},
		{"1.0", "", "YAML number"},
		{"0x1F", "", "YAML number"},
		{"1_000", "", "YAML number"},
		{`"yes"`, "yes", ""},
		{`'no'`, "no", ""},
		{`!!str on`, "on", ""},
		{`"42"`, "42", ""},
		{"ja", "ja", ""},
		{"oui", "oui", ""},
		{"yes-please", "yes-please", ""},
		{"v1.2", "v1.2", ""},
		{"2026-11-23", "2026-11-23", ""},
		{"~", "", ""}, // null: the empty label value
	}
	for _, c := range cases {
		src := strings.Replace(svcTmpl, "VALUE", c.value, 1)
		objs, _, err := Decode("svc.yml", []byte(src), Options{Validate: true})
		if c.problem != "" {
			e := decodeErr(t, err)
			if len(e.Problems) != 1 || e.Problems[0].Line != 9 || e.Problems[0].Field != "spec.selector.enabled" ||
				!strings.Contains(e.Problems[0].Reason, c.problem) {
				t.Errorf("%s: problems %v", c.value, e.Problems)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.value, err)
			continue
		}
		got, ok := objs[0].Obj.(*corev1.Service).Spec.Selector["enabled"]
		if !ok || got != c.want {
			t.Errorf("%s: selector value %q (present %v), want %q", c.value, got, ok, c.want)
		}
	}
}

func TestMapKeysAreStrings(t *testing.T) {
	src := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels:\n    on: a\n    \"off\": b\n"
	_, _, err := Decode("ns.yml", []byte(src), Options{Validate: true})
	e := decodeErr(t, err)
	if len(e.Problems) != 1 || e.Problems[0].Line != 6 || e.Problems[0].Reason != `the key on is a YAML boolean, not a string; quote it: "on"` {
		t.Errorf("%v", e.Problems)
	}
}

func TestAllKinds(t *testing.T) {
	data := readTestdata(t, "all-kinds.yml")
	objs, warns, err := Decode("all-kinds.yml", data, Options{Validate: true})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, o := range objs {
		refs = append(refs, o.Ref())
	}
	wantRefs := []string{"namespace/dockercoins", "node/node4", "deployment.apps/worker", "replicaset.apps/hasher-6d8f9c7b54",
		"daemonset.apps/rng", "service/rng", "pod/labeldemo", "service/hasher", "configmap/settings"}
	if !reflect.DeepEqual(refs, wantRefs) {
		t.Fatalf("refs %v\nwant %v", refs, wantRefs)
	}
	if len(warns) != 0 {
		t.Errorf("warnings %v", warns)
	}
	starts := linesWith(data, "apiVersion:")
	for i := 0; i < 7; i++ {
		if objs[i].Doc != i || objs[i].Line != starts[i] {
			t.Errorf("%s: doc %d line %d, want %d %d", refs[i], objs[i].Doc, objs[i].Line, i, starts[i])
		}
	}
	if objs[7].Doc != 7 || objs[7].Line != linesWith(data, "- apiVersion: v1")[0] {
		t.Errorf("List item: doc %d line %d", objs[7].Doc, objs[7].Line)
	}
	if objs[2].Namespace != "dockercoins" || objs[0].Namespace != "" {
		t.Errorf("namespaces %q %q", objs[2].Namespace, objs[0].Namespace)
	}

	node := objs[1].Obj.(*corev1.Node)
	if node.Spec.Taints[0].Effect != corev1.TaintEffectNoSchedule || node.Status.Allocatable.Cpu().MilliValue() != 3800 ||
		node.Labels["gpu"] != "true" {
		t.Errorf("node %+v", node)
	}
	worker := objs[2].Obj.(*appsv1.Deployment)
	c := worker.Spec.Template.Spec.Containers[0]
	if *worker.Spec.Replicas != 2 || c.Resources.Requests.Cpu().MilliValue() != 100 || c.Resources.Requests.Memory().String() != "64Mi" {
		t.Errorf("worker %+v", worker.Spec)
	}
	ru := worker.Spec.Strategy.RollingUpdate
	if worker.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || ru.MaxSurge.String() != "25%" ||
		ru.MaxUnavailable.String() != "25%" || *worker.Spec.RevisionHistoryLimit != 10 || *worker.Spec.ProgressDeadlineSeconds != 600 {
		t.Errorf("Deployment defaults %+v", worker.Spec.Strategy)
	}
	hasher := objs[3].Obj.(*appsv1.ReplicaSet)
	p := hasher.Spec.Template.Spec.Containers[0].ReadinessProbe
	if p.PeriodSeconds != 10 || p.TimeoutSeconds != 1 || p.SuccessThreshold != 1 || p.FailureThreshold != 3 ||
		p.HTTPGet.Path != "/" || p.HTTPGet.Scheme != corev1.URISchemeHTTP || p.HTTPGet.Port.IntValue() != 80 {
		t.Errorf("probe defaults %+v", p)
	}
	ds := objs[4].Obj.(*appsv1.DaemonSet)
	if ds.Spec.Selector.MatchExpressions[0].Values[0] != "rng" || ds.Spec.Template.Spec.Tolerations[0].Operator != corev1.TolerationOpExists {
		t.Errorf("daemon set %+v", ds.Spec)
	}
	svc := objs[5].Obj.(*corev1.Service)
	sp := svc.Spec.Ports[0]
	if svc.Spec.Type != corev1.ServiceTypeClusterIP || sp.Protocol != corev1.ProtocolTCP || sp.TargetPort != intstr.FromInt32(80) ||
		svc.Spec.SessionAffinity != corev1.ServiceAffinityNone {
		t.Errorf("Service defaults %+v", svc.Spec)
	}
	pod := objs[6].Obj.(*corev1.Pod)
	if pod.Spec.RestartPolicy != corev1.RestartPolicyAlways || *pod.Spec.TerminationGracePeriodSeconds != 30 ||
		pod.Spec.Containers[0].ImagePullPolicy != corev1.PullAlways {
		t.Errorf("Pod defaults %+v", pod.Spec)
	}
	h := objs[7].Obj.(*corev1.Service)
	if h.Spec.Ports[0].TargetPort != intstr.FromString("http") || h.Spec.Ports[1].TargetPort != intstr.FromInt32(8080) {
		t.Errorf("List Service ports %+v", h.Spec.Ports)
	}

	wantNS := map[string][]string{
		"deployment.apps/worker": {"spec.template.spec.containers[*].resources.limits.memory"},
		"daemonset.apps/rng":     {"spec.template.spec.containers[*].volumeMounts", "spec.template.spec.volumes"},
		"pod/labeldemo":          {"spec.containers[*].command", "spec.hostNetwork"},
	}
	for i, o := range objs {
		got := NotSimulated(o.Obj)
		if w := wantNS[refs[i]]; !reflect.DeepEqual(got, w) && !(len(got) == 0 && len(w) == 0) {
			t.Errorf("NotSimulated(%s) = %v, want %v", refs[i], got, w)
		}
	}
}

func TestLimitsDefaultRequests(t *testing.T) {
	src := `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: nginx:1.27
    resources:
      limits: {cpu: 500m, memory: 256Mi}
      requests: {cpu: 250m}
`
	objs, _, err := Decode("p.yml", []byte(src), Options{Validate: true})
	if err != nil {
		t.Fatal(err)
	}
	c := objs[0].Obj.(*corev1.Pod).Spec.Containers[0]
	if c.Resources.Requests.Cpu().MilliValue() != 250 || c.Resources.Requests.Memory().String() != "256Mi" ||
		c.ImagePullPolicy != corev1.PullIfNotPresent {
		t.Errorf("%+v %s", c.Resources, c.ImagePullPolicy)
	}
}

func TestUnknownKinds(t *testing.T) {
	data := readTestdata(t, "unknown-kind.yml")
	objs, _, err := Decode("unknown-kind.yml", data, Options{Validate: false})
	e := decodeErr(t, err)
	if len(objs) != 0 || len(e.Problems) != 3 {
		t.Fatalf("objs %v problems %v", objs, e.Problems)
	}
	wantReasons := []string{
		`no kind "DaemonSett" in version "apps/v1"; kubesim reads apps/v1 Deployment, apps/v1 ReplicaSet, apps/v1 DaemonSet, v1 Service, v1 Pod, v1 Node, v1 Namespace, policy/v1 PodDisruptionBudget, v1 ConfigMap, autoscaling/v2 HorizontalPodAutoscaler, autoscaling/v1 HorizontalPodAutoscaler`,
		`no kind "Deployment" in version "extensions/v1beta1": extensions/v1beta1 Deployment was removed in Kubernetes 1.16; use apiVersion: apps/v1`,
		`apiVersion and kind not set`,
	}
	starts := []int{1, linesWith(data, "apiVersion: extensions")[0], linesWith(data, "metadata:")[2]}
	for i, p := range e.Problems {
		if p.Kind != UnknownKind || p.Reason != wantReasons[i] || p.Line != starts[i] || p.Doc != i {
			t.Errorf("problem %d = %+v", i, p)
		}
	}
	wantK := []string{
		"error: resource mapping not found for name: \"rng\" namespace: \"\" from \"unknown-kind.yml\": no matches for kind \"DaemonSett\" in version \"apps/v1\"\nensure CRDs are installed first",
		"error: resource mapping not found for name: \"worker\" namespace: \"\" from \"unknown-kind.yml\": no matches for kind \"Deployment\" in version \"extensions/v1beta1\"\nensure CRDs are installed first\nkubesim: extensions/v1beta1 Deployment was removed in Kubernetes 1.16; use apiVersion: apps/v1",
		"error: error validating \"unknown-kind.yml\": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false",
	}
	if got := e.Kubectl(); !reflect.DeepEqual(got, wantK) {
		t.Errorf("Kubectl() = %q", got)
	}
}

func TestMalformedYAML(t *testing.T) {
	data := readTestdata(t, "malformed.yml")
	_, _, err := Decode("malformed.yml", data, Options{Validate: true})
	e := decodeErr(t, err)
	if len(e.Problems) != 1 || e.Problems[0].Kind != Syntax || e.Problems[0].Line != linesWith(data, "   ports:")[0] ||
		!strings.HasPrefix(err.Error(), "malformed.yml:8: did not find expected key (check the indentation") {
		t.Errorf("%v", err)
	}
	if k := e.Kubectl(); len(k) != 1 || k[0] != "error: error parsing malformed.yml: error converting YAML to JSON: yaml: line 7: did not find expected key" {
		t.Errorf("Kubectl() = %q", k)
	}

	// Documents before the broken one are returned.
	src := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\nkey: [1, 2\n"
	objs, _, err := Decode("two.yml", []byte(src), Options{Validate: true})
	e = decodeErr(t, err)
	if len(objs) != 1 || objs[0].Name != "a" || e.Problems[0].Line != 6 {
		t.Errorf("objs %v err %v", objs, err)
	}
}

func TestValidationProblems(t *testing.T) {
	data := readTestdata(t, "bad-labels.yml")
	_, _, err := Decode("bad-labels.yml", data, Options{Validate: true})
	e := decodeErr(t, err)
	type fl struct {
		field string
		line  int
	}
	var got []fl
	for _, p := range e.Problems {
		if p.Kind != Invalid {
			t.Errorf("kind %v: %v", p.Kind, p)
		}
		got = append(got, fl{p.Field, p.Line})
	}
	want := []fl{
		{"metadata.name", linesWith(data, "  name: Worker_1")[0]},
		{"metadata.labels[bad key!]", linesWith(data, `    "bad key!"`)[0]},
		{"metadata.labels.tier", linesWith(data, "    tier:")[0]},
		{"spec.replicas", linesWith(data, "  replicas:")[0]},
		{"spec.template.metadata.labels", linesWith(data, "      labels:")[0]},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	msg := err.Error()
	for _, s := range []string{"`selector` does not match template `labels`", `invalid label value "front end"`, `invalid label key "bad key!"`,
		"must be greater than or equal to 0", "a lowercase RFC 1123 subdomain"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error lacks %q:\n%s", s, msg)
		}
	}
	if k := e.Kubectl(); len(k) != 1 || !strings.HasPrefix(k[0], "The Deployment \"Worker_1\" is invalid: \n* metadata.name: Invalid value:") {
		t.Errorf("Kubectl() = %q", k)
	}
}

func TestStrictProblems(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // Problem.String()
	}{
		{"nested unknown field", `apiVersion: apps/v1
kind: Deployment
metadata: {name: w}
spec:
  selector: {matchLabels: {app: w}}
  template:
    metadata: {labels: {app: w}}
    spec:
      containers:
      - name: w
        imagee: worker
        image: worker
`, []string{"f.yml:11: spec.template.spec.containers[0].imagee: unknown field: Deployment (apps/v1) has no field spec.template.spec.containers[0].imagee"}},
		{"duplicate field", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n",
			[]string{"f.yml:5: metadata.name: duplicate field (first given on line 4)"}},
		{"string for integer", "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\nspec:\n  replicas: \"3\"\n",
			[]string{`f.yml:5: spec.replicas: expected an integer, got the string "3"`}},
		{"integer overflow", "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\nspec:\n  replicas: 3000000000\n",
			[]string{`f.yml:5: spec.replicas: the value 3000000000 does not fit in int32`}},
		{"mapping for list", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    name: c\n",
			[]string{"f.yml:6: spec.containers: expected a list, got a mapping"}},
		{"bad quantity", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n    resources:\n      requests:\n        cpu: lots\n",
			[]string{"f.yml:10: spec.containers[0].resources.requests.cpu: invalid quantity (e.g. 500m, 2, 4Gi) lots: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"}},
		{"boolean as port", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 80\n    targetPort: yes\n",
			[]string{"f.yml:7: spec.ports[0].targetPort: the value yes is a YAML boolean; expected integer or string"}},
		{"document not a mapping", "- a\n- b\n", []string{"f.yml:1: a manifest document must be a mapping with apiVersion and kind, got a list"}},
		{"no containers", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n",
			[]string{"f.yml:4: spec.containers: Required value"}},
		{"bad taint effect", "apiVersion: v1\nkind: Node\nmetadata: {name: node1}\nspec:\n  taints:\n  - {key: k, effect: NoScheduled}\n",
			[]string{`f.yml:6: spec.taints[0].effect: Unsupported value: "NoScheduled": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`}},
		{"service without ports", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: s}\n",
			[]string{"f.yml:4: spec.ports: Required value"}},
		{"service name", "apiVersion: v1\nkind: Service\nmetadata: {name: 1rng}\nspec:\n  ports: [{port: 80}]\n",
			[]string{`f.yml:3: metadata.name: Invalid value: "1rng": ` + msgDNS1035}},
		{"no selector", "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n",
			[]string{"f.yml:4: spec.selector: Required value"}},
		{"requests above limits", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n    resources: {requests: {cpu: 2}, limits: {cpu: 1}}\n",
			[]string{`f.yml:8: spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1`}},
		{"negative probe period", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n    readinessProbe:\n      httpGet: {port: 80}\n      periodSeconds: -5\n      failureThreshold: -1\n",
			[]string{"f.yml:10: spec.containers[0].readinessProbe.periodSeconds: Invalid value: -5: must be greater than or equal to 0",
				"f.yml:11: spec.containers[0].readinessProbe.failureThreshold: Invalid value: -1: must be greater than or equal to 0"}},
		{"node port out of range", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 5\n",
			[]string{"f.yml:8: spec.ports[0].nodePort: Invalid value: 5: provided port is not in the valid range. The range of valid ports is 30000-32767"}},
		{"negative minReadySeconds", "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  minReadySeconds: -1\n  revisionHistoryLimit: -2\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n",
			[]string{"f.yml:5: spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0",
				"f.yml:6: spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0"}},
		{"progress deadline", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  minReadySeconds: 10\n  progressDeadlineSeconds: 5\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n",
			[]string{"f.yml:6: spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds"}},
	}
	for _, c := range cases {
		_, _, err := Decode("f.yml", []byte(c.src), Options{Validate: true})
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		e := decodeErr(t, err)
		var got []string
		for _, p := range e.Problems {
			got = append(got, p.String())
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\ngot  %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestEmptyDocuments(t *testing.T) {
	src := "# nothing here\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n# trailing\n"
	objs, warns, err := Decode("e.yml", []byte(src), Options{Validate: true})
	if err != nil || len(warns) != 0 || len(objs) != 1 || objs[0].Doc != 0 || objs[0].Line != 4 {
		t.Errorf("objs %+v warns %v err %v", objs, warns, err)
	}
	objs, _, err = Decode("empty.yml", nil, Options{Validate: true})
	if err != nil || len(objs) != 0 {
		t.Errorf("empty file: %v %v", objs, err)
	}
}

func TestAnchorsAndMerge(t *testing.T) {
	src := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: w
  labels: &l {app: w}
spec:
  selector: {matchLabels: *l}
  template:
    metadata:
      labels:
        <<: *l
        tier: back
    spec: {containers: [{name: c, image: i}]}
`
	objs, _, err := Decode("a.yml", []byte(src), Options{Validate: true})
	if err != nil {
		t.Fatal(err)
	}
	d := objs[0].Obj.(*appsv1.Deployment)
	if !reflect.DeepEqual(d.Spec.Template.Labels, map[string]string{"app": "w", "tier": "back"}) || d.Spec.Selector.MatchLabels["app"] != "w" {
		t.Errorf("%+v", d.Spec)
	}
}

func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		data, _ := os.ReadFile(name)
		f.Add(data, true)
	}
	f.Add([]byte("a: &x [*x]\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, validate bool) {
		objs, _, err := Decode("fuzz.yml", data, Options{Validate: validate})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || len(e.Problems) == 0 || e.Error() == "" {
				t.Fatalf("bad error %T %v", err, err)
			}
			_ = e.Kubectl()
		}
		for _, o := range objs {
			if o.Obj == nil || o.Name == "" {
				t.Fatalf("object without name: %+v", o)
			}
			_ = NotSimulated(o.Obj)
		}
	})
}

func TestValidateFalseDuplicatesAndLimits(t *testing.T) {
	src := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\nspec:\n  containers:\n  - name: c\n    image: i\n    resources: {limits: {cpu: 1, memory: 1Gi}}\n"
	objs, warns, err := Decode("d.yml", []byte(src), Options{Validate: false, Warn: true})
	if err != nil || len(objs) != 1 || objs[0].Name != "b" {
		t.Fatalf("%v %v", objs, err)
	}
	if objs[0].Obj.(*corev1.Pod).Name != "b" || len(warns) != 1 || warns[0] != `duplicate field "metadata.name"` {
		t.Errorf("name %q warnings %v", objs[0].Obj.(*corev1.Pod).Name, warns)
	}
	if _, warns, _ := Decode("d.yml", []byte(src), Options{Validate: false}); len(warns) != 0 {
		t.Errorf("--validate=false warned %q", warns)
	}
	if ns := NotSimulated(objs[0].Obj); !reflect.DeepEqual(ns, []string{"spec.containers[*].resources.limits.memory"}) {
		t.Errorf("NotSimulated = %v", ns)
	}
}

func TestKubectlWordingOrderAndDuplicates(t *testing.T) {
	src := "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: rng}\nspec:\n  strategy: {}\n  replicas: 1\n  template:\n    spec:\n      zzz: 1\n  aaa: 2\n"
	_, _, err := Decode("o.yml", []byte(src), Options{Validate: true})
	want := `Error from server (BadRequest): error when creating "o.yml": DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "spec.aaa", unknown field "spec.replicas", unknown field "spec.strategy", unknown field "spec.template.spec.zzz"`
	if k := decodeErr(t, err).Kubectl(); len(k) != 1 || k[0] != want {
		t.Errorf("got  %q\nwant %q", k, want)
	}
	src = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n"
	_, _, err = Decode("d.yml", []byte(src), Options{Validate: true})
	want = "error: error parsing d.yml: error converting YAML to JSON: yaml: unmarshal errors:\n  line 5: key \"name\" already set in map"
	if k := decodeErr(t, err).Kubectl(); len(k) != 1 || k[0] != want {
		t.Errorf("got  %q\nwant %q", k, want)
	}
}

// A Deployment's maxSurge may be above 100% (ValidateRollingUpdateDeployment
// caps only maxUnavailable); a DaemonSet's maxSurge and maxUnavailable are
// both capped (ValidateRollingUpdateDaemonSet).
func TestMaxSurgeAbove100Percent(t *testing.T) {
	deploy := func(surge, unav string) string {
		return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: "` + surge + `", maxUnavailable: "` + unav + `"}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
`
	}
	daemon := `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxSurge: "150%", maxUnavailable: 0}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: agent}]}
`
	for _, tc := range []struct {
		name, src, wantErr string
	}{
		{"deployment maxSurge 200%", deploy("200%", "25%"), ""},
		{"deployment maxUnavailable 101%", deploy("25%", "101%"), `spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "101%": must not be greater than 100%`},
		{"daemonset maxSurge 150%", daemon, `spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "150%": must not be greater than 100%`},
	} {
		_, _, err := Decode("m.yml", []byte(tc.src), Options{Validate: true})
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
		}
	}
}

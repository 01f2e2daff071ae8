package scenarios

import (
	"strings"
	"testing"
)

// ConfigMaps from manifests as a kind: apply creates, configures or leaves
// unchanged; get, describe and -o yaml print them as kubectl does; an
// immutable one refuses a change of its data; a bad key is the API server's
// error; delete deletes.
func TestConfigMapKind(t *testing.T) {
	y := `name: cm
duration: 1m
files:
  cm.yaml: |
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings, labels: {app: web}}
    data: {color: blue, size: "3"}
  cm2.yaml: |
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings, labels: {app: web}}
    data: {color: red, size: "3"}
  frozen.yaml: |
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: frozen}
    immutable: true
    data: {a: "1"}
  frozen2.yaml: |
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: frozen}
    immutable: true
    data: {a: "2"}
  badkey.yaml: |
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: bad}
    data: {"a b": "1"}
timeline:
  - at: 0s
    run: |
      kubectl apply -f cm.yaml
      kubectl apply -f cm.yaml
      kubectl get configmaps
  - at: 10s
    run: |
      kubectl apply -f cm2.yaml
      kubectl describe cm settings
      kubectl get cm settings -o yaml
      kubectl apply -f frozen.yaml
  - at: 20s
    run: kubectl apply -f frozen2.yaml
    expect: error
  - at: 20s
    run: kubectl apply -f badkey.yaml
    expect: error
  - at: 30s
    run: |
      kubectl delete configmap settings
      kubectl get cm
`
	s, err := ParseFile("cm.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unexpected) > 0 {
		t.Fatalf("steps: %v", res.Unexpected)
	}
	var out []string
	for _, st := range res.Timeline {
		out = append(out, st.Output+st.Error)
	}
	want := []string{
		"configmap/settings created",
		"configmap/settings unchanged",
		"NAME       DATA   AGE\nsettings   2      0s",
		"configmap/settings configured",
		"Name:         settings\nNamespace:    default\nLabels:       app=web\nAnnotations:  <none>\n\nData\n====\ncolor:\n----\nred\nsize:\n----\n3\n\nBinaryData\n====\n\nEvents:  <none>",
		"apiVersion: v1\ndata:\n  color: red\n  size: \"3\"\nkind: ConfigMap\nmetadata:\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: |\n" +
			`      {"apiVersion":"v1","data":{"color":"red","size":"3"},"kind":"ConfigMap","metadata":{"annotations":{},"labels":{"app":"web"},"name":"settings","namespace":"default"}}` +
			"\n  creationTimestamp: \"2026-01-05T09:00:00Z\"\n  labels:\n    app: web\n  name: settings\n  namespace: default\n",
		"configmap/frozen created",
		`The ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when ` + "`immutable`" + ` is set`,
		`The ConfigMap "bad" is invalid: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters`,
		`configmap "settings" deleted from default namespace`,
		"NAME     DATA   AGE\nfrozen   1      20s",
	}
	if len(out) != len(want) {
		t.Fatalf("%d steps, want %d:\n%s", len(out), len(want), strings.Join(out, "\n---\n"))
	}
	for i, w := range want {
		if !strings.Contains(out[i], w) {
			t.Errorf("step %d (%s):\n%s\nwant %q", i, res.Timeline[i].Command, out[i], w)
		}
	}
}

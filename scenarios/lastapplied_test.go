package scenarios

import (
	"strings"
	"testing"
)

// kubectl apply writes the last-applied-configuration annotation on every
// kind it applies (a ConfigMap's was missing), and merges labels and
// annotations three ways: a key removed from the file since the last apply
// goes, a key added live by kubectl label/annotate stays (apply replaced
// them all).
func TestApplyLastAppliedAndThreeWayMerge(t *testing.T) {
	const file = `name: lastapplied
duration: 1m
cluster: {workers: 2}
files:
  all.yaml: |
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings, labels: {app: web, tier: front}, annotations: {note: one}}
    data: {color: red}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, labels: {app: web, tier: front}, annotations: {note: one}}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: web, image: nginx}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web, labels: {app: web, tier: front}, annotations: {note: one}}
    spec:
      selector: {app: web}
      ports: [{port: 80}]
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: web, labels: {app: web, tier: front}, annotations: {note: one}}
    spec:
      minAvailable: 1
      selector: {matchLabels: {app: web}}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: team, labels: {app: web, tier: front}, annotations: {note: one}}
timeline:
  - at: 1s
    run: |
      kubectl apply -f all.yaml
  - at: 10s
    run: |
      kubectl label cm/settings deploy/web svc/web pdb/web ns/team owner=me
      kubectl annotate cm/settings deploy/web svc/web pdb/web ns/team live=yes
      sed -i 's/, tier: front}, annotations: {note: one}}/}, annotations: {note: two}}/' all.yaml
      kubectl apply -f all.yaml
      kubectl get cm/settings deploy/web svc/web pdb/web -o custom-columns=NAME:.metadata.name,LABELS:.metadata.labels,NOTE:.metadata.annotations.note,LIVE:.metadata.annotations.live
      kubectl get ns team -o custom-columns=NAME:.metadata.name,LABELS:.metadata.labels,NOTE:.metadata.annotations.note,LIVE:.metadata.annotations.live
      kubectl get cm settings -o yaml
      kubectl get deploy web -o yaml
      kubectl get svc web -o yaml
      kubectl get pdb web -o yaml
      kubectl get ns team -o yaml
`
	res := runText(t, "lastapplied.yaml", file)
	noStepErrors(t, res)
	got := step(t, res, "get cm/settings deploy/web").Output
	want := "NAME       LABELS                  NOTE   LIVE\n" +
		"settings   map[app:web owner:me]   two    yes\n" +
		"web        map[app:web owner:me]   two    yes\n" +
		"web        map[app:web owner:me]   two    yes\n" +
		"web        map[app:web owner:me]   two    yes"
	if strings.TrimSpace(got) != want {
		t.Errorf("after removing tier from the file and labelling owner=me live, want tier gone and owner kept:\n%s\nwant\n%s", got, want)
	}
	ns := step(t, res, "get ns team -o custom-columns").Output
	if !strings.Contains(ns, "owner:me") || strings.Contains(ns, "tier") || !strings.Contains(ns, "two    yes") {
		t.Errorf("namespace team: want tier gone, owner kept, note two, live yes:\n%s", ns)
	}
	for _, cmd := range []string{"get cm settings -o yaml", "get deploy web -o yaml", "get svc web -o yaml", "get pdb web -o yaml", "get ns team -o yaml"} {
		y := step(t, res, cmd).Output
		if !strings.Contains(y, "    kubectl.kubernetes.io/last-applied-configuration: |\n") || !strings.Contains(y, `"annotations":{"note":"two"}`) {
			t.Errorf("%s lacks the last-applied-configuration of the second apply:\n%s", cmd, y)
		}
	}
}

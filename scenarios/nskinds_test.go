package scenarios

import (
	"fmt"
	"strings"
	"testing"
)

// Every kind's get and describe honour -n and -A alike: -n lists that
// namespace's objects only, no flag the default namespace's, -A both with a
// NAMESPACE column (get hpa -n OTHER listed default's HPAs).
func TestNamespaceFlagsEveryKind(t *testing.T) {
	const file = `name: nskinds
duration: 2m
cluster: {workers: 2}
files:
  ds.yaml: |
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: DS}
    spec:
      selector: {matchLabels: {app: DS}}
      template:
        metadata: {labels: {app: DS}}
        spec:
          containers: [{name: a, image: busybox}]
  pdb.yaml: |
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: DEP}
    spec:
      minAvailable: 1
      selector: {matchLabels: {app: DEP}}
timeline:
  - at: 1s
    run: |
      kubectl create namespace other
      kubectl create deployment web --image=nginx
      kubectl create deployment api --image=nginx -n other
      kubectl expose deployment web --port=80
      kubectl expose deployment api --port=80 -n other
      kubectl autoscale deployment web --max=3
      kubectl autoscale deployment api --max=3 -n other
      sed -i 's/DS/webds/g' ds.yaml
      kubectl apply -f ds.yaml
      sed -i 's/webds/apids/g' ds.yaml
      kubectl apply -f ds.yaml -n other
      sed -i 's/DEP/web/g' pdb.yaml
      kubectl apply -f pdb.yaml
      sed -i 's/web/api/g' pdb.yaml
      kubectl apply -f pdb.yaml -n other
`
	kinds := []string{"pods", "deployments", "replicasets", "daemonsets", "services", "endpoints", "endpointslices",
		"poddisruptionbudgets", "horizontalpodautoscalers", "events", "all"}
	noDescribe := map[string]bool{"events": true, "endpointslices": true, "endpoints": true, "all": true}
	var steps strings.Builder
	steps.WriteString("  - at: 60s\n    run: |\n")
	for _, k := range kinds {
		fmt.Fprintf(&steps, "      kubectl get %s -n other\n      kubectl get %s\n      kubectl get %s -A\n", k, k, k)
		if !noDescribe[k] {
			fmt.Fprintf(&steps, "      kubectl describe %s -n other\n", k)
		}
	}
	res := runText(t, "nskinds.yaml", file+steps.String())
	noStepErrors(t, res)
	out := func(cmd string) string {
		for _, st := range res.Timeline {
			if st.Command == cmd {
				return st.Output
			}
		}
		t.Fatalf("no step %q", cmd)
		return ""
	}
	for _, k := range kinds {
		other, def, all := out("kubectl get "+k+" -n other"), out("kubectl get "+k), out("kubectl get "+k+" -A")
		if !strings.Contains(other, "api") || strings.Contains(other, "web") {
			t.Errorf("get %s -n other lists other's objects only (api), got:\n%s", k, other)
		}
		if !strings.Contains(def, "web") || strings.Contains(def, "api") {
			t.Errorf("get %s lists default's objects only (web), got:\n%s", k, def)
		}
		all = strings.TrimPrefix(all, "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n")
		if !strings.Contains(all, "web") || !strings.Contains(all, "api") || !strings.HasPrefix(all, "NAMESPACE ") {
			t.Errorf("get %s -A lists both namespaces with a NAMESPACE column, got:\n%s", k, all)
		}
		if noDescribe[k] {
			continue
		}
		d := out("kubectl describe " + k + " -n other")
		if !strings.Contains(d, "Namespace:") || strings.Contains(d, "Namespace:    default") ||
			!strings.Contains(d, "other") || strings.Contains(d, "web") {
			t.Errorf("describe %s -n other describes other's objects only, got:\n%s", k, d)
		}
	}
}

package scenarios

import (
	"strings"
	"testing"
)

// A PodDisruptionBudget has the common object metadata like every kind:
// label/annotate, get -l and --show-labels, apply of changed labels, -o
// yaml|json with the disruption controller's status, patch and delete
// (were refused: "does not print ... as YAML", "cannot delete a
// PodDisruptionBudget"; apply ignored label changes).
func TestPDBObjectMeta(t *testing.T) {
	const file = `name: pdb
duration: 3m
cluster: {workers: 2}
files:
  pdb.yaml: |
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: web, labels: {a: b}}
    spec:
      minAvailable: 1
      selector: {matchLabels: {app: web}}
timeline:
  - at: 1s
    run: |
      kubectl create deployment web --image=nginx --replicas=2
      kubectl apply -f pdb.yaml
  - at: 60s
    run: |
      kubectl label pdb web tier=front
      kubectl annotate pdb web owner=a
      kubectl get pdb -l tier=front --show-labels
      kubectl get pdb web -o yaml
      kubectl patch pdb web -p '{"spec":{"minAvailable":2}}'
      kubectl get pdb web -o jsonpath='{.status.disruptionsAllowed} {.status.conditions[0].reason} {.metadata.generation}'
      kubectl delete pdb web
      kubectl get pdb
`
	res := runText(t, "pdb.yaml", file)
	noStepErrors(t, res)
	want := map[string]string{
		"label pdb":    "poddisruptionbudget.policy/web labeled",
		"annotate pdb": "poddisruptionbudget.policy/web annotated",
		"get pdb -l": "NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE   LABELS\n" +
			"web    1               N/A               1                     59s   a=b,tier=front",
		"patch pdb":         "poddisruptionbudget.policy/web patched",
		"jsonpath":          "0 InsufficientPods 2",
		"delete pdb":        `poddisruptionbudget.policy "web" deleted from default namespace`,
		"kubectl get pdb\n": "No resources found in default namespace.",
	}
	checkOutputs(t, res, want)
	y := step(t, res, "get pdb web -o yaml").Output
	for _, line := range []string{"apiVersion: policy/v1\nkind: PodDisruptionBudget\n", "  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: |\n", "\n    owner: a\n",
		"  labels:\n    a: b\n    tier: front\n", "spec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: web\n",
		"    reason: SufficientPods\n    status: \"True\"\n    type: DisruptionAllowed\n",
		"  currentHealthy: 2\n  desiredHealthy: 1\n  disruptionsAllowed: 1\n  expectedPods: 2\n  observedGeneration: 1"} {
		if !strings.Contains(y, line) {
			t.Errorf("get pdb web -o yaml lacks %q:\n%s", line, y)
		}
	}
}

package scenarios

import (
	"strings"
	"testing"
)

// kubectl create pdb (create poddisruptionbudget) NAME --selector
// --min-available|--max-unavailable: --dry-run=client prints the object
// kubectl would send and creates nothing; without it the budget exists (get
// pdb shows its allowed disruptions), and a second create is refused.
func TestCreatePDB(t *testing.T) {
	const file = `name: createpdb
duration: 2m
cluster: {workers: 1}
timeline:
  - at: 1s
    run: |
      kubectl create deployment web --image=nginx --replicas=3
      kubectl create pdb web --selector=app=web --min-available=2 --dry-run=client -o yaml
      kubectl create poddisruptionbudget web --selector=app=web --max-unavailable=50% -n default --dry-run=client -o name
      kubectl create pdb web --selector=app=web --max-unavailable=1 --dry-run=client
      kubectl get pdb
      kubectl create pdb web --selector=app=web --max-unavailable=1
      kubectl create pdb web --selector=app=web --max-unavailable=1
  - at: 30s
    run: |
      kubectl get pdb web
`
	res := runText(t, "createpdb.yaml", file)
	noStepErrors(t, res, "create pdb web --selector=app=web --max-unavailable=1")
	checkOutputs(t, res, map[string]string{
		"--min-available=2 --dry-run=client -o yaml": "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 2\n" +
			"  selector:\n    matchLabels:\n      app: web\nstatus:\n  currentHealthy: 0\n  desiredHealthy: 0\n  disruptionsAllowed: 0\n  expectedPods: 0",
		"-o name":                                "poddisruptionbudget.policy/web",
		"--max-unavailable=1 --dry-run=client\n": "poddisruptionbudget.policy/web created (dry run)",
		"kubectl get pdb\n":                      "No resources found in default namespace.",
		"--max-unavailable=1\n":                  "poddisruptionbudget.policy/web created",
		"kubectl get pdb web\n": "NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE\n" +
			"web    N/A             1                 1                     29s",
	})
	var second StepResult
	n := 0
	for _, st := range res.Timeline {
		if st.Command == "kubectl create pdb web --selector=app=web --max-unavailable=1" {
			n++
			second = st
		}
	}
	if n != 2 || !strings.Contains(second.Error, `failed to create poddisruptionbudgets: poddisruptionbudgets.policy "web" already exists`) {
		t.Errorf("a second create pdb: %q", second.Error)
	}
}

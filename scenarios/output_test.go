package scenarios

import (
	"strings"
	"testing"
)

// validate knows the files earlier steps write: apply -f of a dumped file is
// not reported as missing.
func TestCheckRedirectedFiles(t *testing.T) {
	s, err := ParseFile("dump.yaml", []byte(`name: dump
duration: 1m
timeline:
  - at: 0s
    run: kubectl create deployment rng --image=dockercoins/rng:v0.1
  - at: 10s
    run: kubectl get deploy/rng -o yaml > rng.yml
  - at: 11s
    run: |
      sed -i 's/kind: Deployment/kind: DaemonSet/' rng.yml
  - at: 12s
    run: kubectl apply -f rng.yml --validate=false
  - at: 13s
    run: kubectl apply -f other.yml
`))
	if err != nil {
		t.Fatal(err)
	}
	probs := s.Check()
	if len(probs) != 1 || !strings.Contains(probs[0], `dump.yaml:14: kubectl apply -f other.yml: error: the path "other.yml" does not exist`) {
		t.Errorf("Check: %q", probs)
	}
}

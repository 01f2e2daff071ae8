package scenarios

import (
	"fmt"
	"strings"
	"testing"
)

// rolloutLines runs src and returns the output of every step whose command
// is cmd, with its time: the step's own answer first, then what arrived
// later.
func rolloutLines(t *testing.T, src, cmd string) []string {
	t.Helper()
	s, err := ParseFile("rollout.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, st := range res.Timeline {
		if st.Command == cmd {
			for _, l := range strings.Split(st.Output+st.Error, "\n") {
				out = append(out, fmt.Sprintf("%.3f %s", st.At, l))
			}
		}
	}
	return out
}

// kubectl rollout status watches the rollout as kubectl does (--watch is
// its default): a line each time the status changes, until the rollout is
// done (found on the tour: it printed the first 'Waiting for ...' line
// only, so a rollout read as stuck).
func TestRolloutStatusWatches(t *testing.T) {
	src := `name: rollout
duration: 3m
timeline:
  - at: 0s
    run: kubectl create deployment web --image=nginx --replicas=3
  - at: 30s
    run: |
      kubectl set image deployment/web nginx=nginx:1.27
      kubectl rollout status deployment/web
  - at: 2m
    run: kubectl rollout status deployment/web --watch=false
`
	lines := rolloutLines(t, src, "kubectl rollout status deployment/web")
	text := strings.Join(lines, "\n")
	if len(lines) < 3 || lines[0] != `30.000 Waiting for deployment "web" rollout to finish: 0 out of 3 new replicas have been updated...` {
		t.Fatalf("rollout status:\n%s\nwant the first line at 30 s and more after it", text)
	}
	last := lines[len(lines)-1]
	if !strings.HasSuffix(last, ` deployment "web" successfully rolled out`) {
		t.Errorf("rollout status ends with %q, want successfully rolled out:\n%s", last, text)
	}
	var at float64
	fmt.Sscanf(last, "%f", &at)
	if at <= 30 || at >= 120 {
		t.Errorf("rolled out at %.3f s, want between 30 and 120 s:\n%s", at, text)
	}
	for _, want := range []string{"out of 3 new replicas have been updated...", "old replicas are pending termination..."} {
		if !strings.Contains(text, want) {
			t.Errorf("rollout status never says %q:\n%s", want, text)
		}
	}
	for i := 1; i < len(lines); i++ {
		if lines[i][strings.Index(lines[i], " "):] == lines[i-1][strings.Index(lines[i-1], " "):] {
			t.Errorf("line %d repeats the one before it:\n%s", i, text)
		}
	}
	if got := rolloutLines(t, src, "kubectl rollout status deployment/web --watch=false"); len(got) != 1 || got[0] != `120.000 deployment "web" successfully rolled out` {
		t.Errorf("--watch=false at 2m: %q", got)
	}
}

// A rollout that cannot finish ends the watch as kubectl's does: the
// progress deadline's error, or --timeout's.
func TestRolloutStatusDeadlineAndTimeout(t *testing.T) {
	src := `name: rollout
duration: 2m
files:
  big.yaml: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: big}
    spec:
      replicas: 1
      progressDeadlineSeconds: 20
      selector: {matchLabels: {app: big}}
      template:
        metadata: {labels: {app: big}}
        spec:
          containers:
          - {name: big, image: nginx, resources: {requests: {cpu: "64"}}}
timeline:
  - at: 0s
    run: |
      kubectl apply -f big.yaml
      kubectl rollout status deployment/big
      kubectl rollout status deployment/big --timeout=5s
  - at: 1m
    run: kubectl rollout status deployment/big --watch=false
`
	got := rolloutLines(t, src, "kubectl rollout status deployment/big")
	text := strings.Join(got, "\n")
	if got[0] != `0.000 Waiting for deployment "big" rollout to finish: 0 out of 1 new replicas have been updated...` ||
		!strings.HasSuffix(got[len(got)-1], ` error: deployment "big" exceeded its progress deadline`) {
		t.Fatalf("rollout status of a pod that never fits:\n%s\nwant it to end with the progress deadline's error", text)
	}
	// The deadline passes 20 s after the last progress (the pod's creation).
	var at float64
	fmt.Sscanf(got[len(got)-1], "%f", &at)
	if at <= 20 || at > 22 {
		t.Errorf("the deadline's error at %.3f s, want 20-22 s:\n%s", at, text)
	}
	if got := rolloutLines(t, src, "kubectl rollout status deployment/big --timeout=5s"); got[len(got)-1] != "5.000 error: timed out waiting for the condition" {
		t.Errorf("--timeout=5s:\n%s", strings.Join(got, "\n"))
	}
	if got := rolloutLines(t, src, "kubectl rollout status deployment/big --watch=false"); len(got) != 1 || got[0] != `60.000 error: deployment "big" exceeded its progress deadline` {
		t.Errorf("--watch=false after the deadline: %q", got)
	}
}

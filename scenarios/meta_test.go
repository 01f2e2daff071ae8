package scenarios

import (
	"strings"
	"testing"
	"time"
)

// A scenario's start: sets the wall clock, so that describe's times read as
// in a cluster (bug: Start Time read Thu, 01 Jan 1970), and a container
// keeps the name its manifest gives it (bug: shown as its image's name).
func TestStartTimeAndContainerName(t *testing.T) {
	const file = `name: clock
start: 2026-03-02T10:00:00Z
duration: 2m
cluster: {workers: 2}
files:
  pod.yaml: |
    apiVersion: v1
    kind: Pod
    metadata: {name: web}
    spec:
      containers:
      - name: c
        image: nginx
timeline:
  - at: 30s
    run: kubectl apply -f pod.yaml
  - at: 90s
    run: kubectl describe pod web
  - at: 91s
    run: kubectl run other --image=nginx
  - at: 100s
    run: kubectl describe pod other
  - at: 101s
    run: kubectl describe node node2
`
	s, err := ParseFile("clock.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	web := step(t, res, "describe pod web").Output
	for _, want := range []string{"Start Time:       Mon, 02 Mar 2026 10:00:30 +0000\n", "Containers:\n  c:\n"} {
		if !strings.Contains(web, want) {
			t.Errorf("describe pod web lacks %q:\n%s", want, web)
		}
	}
	if other := step(t, res, "describe pod other").Output; !strings.Contains(other, "Containers:\n  other:\n") {
		t.Errorf("kubectl run names the container after the pod:\n%s", other)
	}
	if node := step(t, res, "describe node").Output; !strings.Contains(node, "CreationTimestamp:  Mon, 02 Mar 2026 10:00:00 +0000\n") {
		t.Errorf("describe node node2:\n%s", node)
	}
	// Without start:, the documented default.
	s.Config.Start = time.Time{}
	if res, err = Run(s); err != nil {
		t.Fatal(err)
	}
	if node := step(t, res, "describe node").Output; !strings.Contains(node, "CreationTimestamp:  Mon, 05 Jan 2026 09:00:00 +0000\n") {
		t.Errorf("describe node node2 with the default start:\n%s", node)
	}
	if _, err := ParseFile("bad.yaml", []byte(strings.Replace(file, "2026-03-02T10:00:00Z", "yesterday", 1))); err == nil || !strings.Contains(err.Error(), `bad.yaml:2: start: "yesterday" is not a time`) {
		t.Errorf("bad start: %v", err)
	}
}

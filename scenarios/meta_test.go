package scenarios

import (
	"fmt"
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

// Nodes carry the labels a kubeadm cluster's nodes have: the kubelet's OS and
// architecture labels (GA and beta) besides the hostname, and kubeadm's
// control-plane label. A pod with the common nodeSelector kubernetes.io/os:
// linux runs (it stayed Pending: no node had the label), and a node group's
// template has the labels too, so such a pod scales a group up.
func TestNodesHaveKubeletLabels(t *testing.T) {
	const file = `name: os
duration: 4m
cluster:
  workers: 1
  capacity: {cpu: "2", memory: 4Gi, pods: 110}
  nodeGroups:
    - {name: pool, machine: {cpu: "2", memory: 4Gi}, min: 0, max: 3, provisioningDelay: 30s}
files:
  web.yaml: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          nodeSelector: {kubernetes.io/os: linux, kubernetes.io/arch: amd64}
          containers: [{name: web, image: nginx, resources: {requests: {cpu: 1500m}}}]
timeline:
  - at: 0s
    run: |
      kubectl get nodes --show-labels
      kubectl apply -f web.yaml
  - at: 3m
    run: kubectl get pods -o wide
`
	s, err := ParseFile("os.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{}
	for _, line := range strings.Split(outputAt(t, res, 0, "kubectl get nodes --show-labels"), "\n")[1:] {
		f := strings.Fields(line)
		labels[f[0]] = f[len(f)-1]
	}
	const kubelet = "beta.kubernetes.io/arch=amd64,beta.kubernetes.io/os=linux,kubernetes.io/arch=amd64,kubernetes.io/hostname=%s,kubernetes.io/os=linux"
	want := map[string]string{
		"node1": fmt.Sprintf(kubelet, "node1") + ",node-role.kubernetes.io/control-plane=,node.kubernetes.io/exclude-from-external-load-balancers=",
		"node2": fmt.Sprintf(kubelet, "node2"),
	}
	for n, w := range want {
		if labels[n] != w {
			t.Errorf("%s's labels: %s\nwant %s", n, labels[n], w)
		}
	}
	// One pod fits on node2; the other asks the autoscaler for a pool node.
	pods := outputAt(t, res, 180, "kubectl get pods -o wide")
	if strings.Count(pods, " Running ") != 2 || !strings.Contains(pods, " node2 ") || !strings.Contains(pods, " pool-1 ") {
		t.Errorf("get pods -o wide at 3m (want both Running, on node2 and pool-1):\n%s", pods)
	}
}

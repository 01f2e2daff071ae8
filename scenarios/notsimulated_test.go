package scenarios

import (
	"strings"
	"testing"
)

// Pod (anti-)affinity and topologySpreadConstraints in a manifest are
// accepted and said not to be simulated, naming the file and the field
// (the scheduler places such pods as if they had none).
func TestSchedulingFieldsWarnWithFile(t *testing.T) {
	const file = `name: notsimulated
duration: 1m
cluster: {workers: 2}
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
          affinity:
            podAntiAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
              - labelSelector: {matchLabels: {app: web}}
                topologyKey: kubernetes.io/hostname
            podAffinity:
              preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 1
                podAffinityTerm:
                  labelSelector: {matchLabels: {app: db}}
                  topologyKey: kubernetes.io/hostname
          topologySpreadConstraints:
          - maxSkew: 1
            topologyKey: topology.kubernetes.io/zone
            whenUnsatisfiable: DoNotSchedule
            labelSelector: {matchLabels: {app: web}}
          containers: [{name: web, image: nginx}]
timeline:
  - at: 1s
    run: kubectl apply -f web.yaml
`
	res := runText(t, "notsimulated.yaml", file)
	noStepErrors(t, res)
	want := "deployment.apps/web created\n" +
		"kubesim: web.yaml: Deployment web: spec.template.spec.affinity.podAffinity is accepted but not simulated\n" +
		"kubesim: web.yaml: Deployment web: spec.template.spec.affinity.podAntiAffinity is accepted but not simulated\n" +
		"kubesim: web.yaml: Deployment web: spec.template.spec.topologySpreadConstraints is accepted but not simulated"
	if got := strings.TrimSpace(step(t, res, "apply -f web.yaml").Output); got != want {
		t.Errorf("apply of pod (anti-)affinity and topologySpreadConstraints:\n%s\nwant\n%s", got, want)
	}
}

// initContainers are not run: apply says so and what it means for a run (was:
// only "is accepted but not simulated", and Online Boutique's loadgenerator,
// whose init container waits for the frontend, started at once and had its
// first requests refused without the run saying why).
func TestInitContainersWarnWhatTheyMean(t *testing.T) {
	const file = `name: init
duration: 20s
files:
  lg.yaml: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: lg}
    spec:
      selector: {matchLabels: {app: lg}}
      template:
        metadata: {labels: {app: lg}}
        spec:
          initContainers:
          - name: frontend-check
            image: busybox
            command: [/bin/sh, -exc, 'until curl -s http://frontend:80; do sleep 10; done']
          containers: [{name: main, image: busybox}]
timeline:
  - at: 0s
    run: kubectl apply -f lg.yaml
`
	res := runText(t, "init.yaml", file)
	noStepErrors(t, res)
	want := "deployment.apps/lg created\n" +
		"kubesim: lg.yaml: Deployment lg: spec.template.spec.initContainers is accepted but not simulated: init containers are not run, so the main container starts without waiting for them; " +
		"a wait-for-a-Service loop such as Online Boutique's loadgenerator frontend-check is skipped, and the first requests may be refused until that Service has a ready endpoint"
	if got := strings.TrimSpace(step(t, res, "apply -f lg.yaml").Output); got != want {
		t.Errorf("apply of initContainers:\n%s\nwant\n%s", got, want)
	}
}

package scenarios

import (
	"strings"
	"testing"
)

const probedWeb = `    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
          - name: web
            image: nginx
            ports: [{containerPort: 8080}]
`

// A readiness probe on a port the container does not serve keeps the
// Deployment at 0/1 and out of its Service's endpoints, with the kubelet's
// Unhealthy events counted; applying the fixed probe rolls out a pod that is
// Ready.
func TestReadinessProbeOnWrongPort(t *testing.T) {
	file := `name: ready
duration: 4m
config: {deterministic: true}
files:
  web.yaml: |
` + probedWeb + `            readinessProbe: {httpGet: {path: /healthz, port: 8081}}
  fixed.yaml: |
` + probedWeb + `            readinessProbe: {httpGet: {path: /healthz, port: 8080}}
timeline:
  - at: 0s
    run: kubectl apply -f web.yaml
  - at: 0s
    run: kubectl expose deployment web --port 80 --target-port 8080
  - at: 1m
    run: kubectl get deployment web
  - at: 1m
    run: kubectl get endpoints web
  - at: 1m
    run: kubectl describe pods -l app=web
  - at: 2m
    run: kubectl apply -f fixed.yaml
  - at: 3m
    run: kubectl get deployment web
`
	res := runText(t, "ready.yaml", file)
	noStepErrors(t, res)
	if got := step(t, res, "get deployment web").Output; !strings.Contains(got, "web    0/1") {
		t.Errorf("at 1m:\n%s\nwant web 0/1", got)
	}
	// The pod is a not-ready address only: kubectl's formatEndpoints lists none.
	if got := step(t, res, "get endpoints web").Output; !strings.Contains(got, "web                60s") {
		t.Errorf("endpoints at 1m:\n%s\nwant no address", got)
	}
	desc := step(t, res, "describe pods").Output
	// Started at about 3.8 s, probed every 10 s from then: 6 failures by 1m.
	want := `Warning  Unhealthy  6s (x6 over 56s)  kubelet            spec.containers{web}: Readiness probe failed: Get "http://10.244.1.2:8081/healthz": dial tcp 10.244.1.2:8081: connect: connection refused`
	if !strings.Contains(desc, want) {
		t.Errorf("describe pods at 1m:\n%s\nwant the line\n%s", desc, want)
	}
	if !strings.Contains(desc, "Readiness:      http-get http://:8081/healthz delay=0s timeout=1s period=10s #success=1 #failure=3") {
		t.Errorf("describe pods at 1m: want the probe as kubectl's DescribeProbe gives it:\n%s", desc)
	}
	if !strings.Contains(desc, "Ready:          False") || !strings.Contains(desc, "Restart Count:  0") {
		t.Errorf("describe pods at 1m: want not ready, no restart:\n%s", desc)
	}
	var after string
	for _, st := range res.Timeline {
		if st.Command == "kubectl get deployment web" {
			after = st.Output
		}
	}
	if !strings.Contains(after, "web    1/1") {
		t.Errorf("after applying the fixed probe:\n%s\nwant web 1/1", after)
	}
}

// A liveness probe on a port the container does not serve restarts it, each
// time after a longer back-off; get pods shows CrashLoopBackOff and RESTARTS
// "N (Xs ago)", describe the last state and the Killing and BackOff events;
// patching the probe recovers.
func TestLivenessProbeOnWrongPort(t *testing.T) {
	file := `name: live
duration: 8m
config: {deterministic: true}
files:
  web.yaml: |
` + probedWeb + `            livenessProbe: {tcpSocket: {port: 8081}}
timeline:
  - at: 0s
    run: kubectl apply -f web.yaml
  - at: 2m
    run: kubectl get pods
  - at: 5m
    run: kubectl describe pods
  - at: 5m
    run: kubectl patch deployment web -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","livenessProbe":{"tcpSocket":{"port":8080}}}]}}}}'
  - at: 7m
    run: kubectl get pods -o wide
`
	res := runText(t, "live.yaml", file)
	noStepErrors(t, res)
	checkOutputs(t, res, map[string]string{
		// Each instance is killed 20 s after it starts; restarted at once,
		// then after 10 s and 20 s: the fourth kill waits out 40 s.
		"get pods\n": "NAME                  READY   STATUS             RESTARTS     AGE\n" +
			"web-976bb974d-6clp4   0/1     CrashLoopBackOff   3 (3s ago)   119s",
	})
	desc := step(t, res, "describe pods").Output
	for _, want := range []string{
		"State:          Waiting\n      Reason:       CrashLoopBackOff\n    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    143\n",
		"Restart Count:  5",
		"Warning  Unhealthy  22s (x18 over 4m56s)  kubelet            spec.containers{web}: Liveness probe failed: dial tcp 10.244.1.2:8081: connect: connection refused",
		"Normal   Killing    22s (x6 over 4m36s)   kubelet            spec.containers{web}: Container web failed liveness probe, will be restarted",
		"Warning  BackOff    ",
		"Back-off restarting failed container web in pod web-976bb974d-6clp4_default(",
	} {
		if !strings.Contains(desc, want) {
			t.Errorf("describe pods at 5m:\n%s\nwant\n%s", desc, want)
		}
	}
	if got := step(t, res, "get pods -o wide").Output; !strings.Contains(got, "1/1     Running   0") {
		t.Errorf("after the patch:\n%s\nwant a new pod running, no restart", got)
	}
}

// A startup probe holds the readiness and liveness probes back until it
// succeeds: one that succeeds delays Ready by its initial delay; one on a
// wrong port kills the container ("failed startup probe") after its
// failureThreshold, and the liveness probe, wrong as well, never runs.
func TestStartupProbe(t *testing.T) {
	file := `name: startup
duration: 3m
config: {deterministic: true}
files:
  slow.yaml: |
` + strings.ReplaceAll(probedWeb, "web", "slow") + `            startupProbe: {tcpSocket: {port: 8080}, initialDelaySeconds: 30}
  broken.yaml: |
` + strings.ReplaceAll(probedWeb, "web", "broken") + `            startupProbe: {httpGet: {port: 9090}, failureThreshold: 2}
            livenessProbe: {tcpSocket: {port: 8081}}
timeline:
  - at: 0s
    run: kubectl apply -f slow.yaml -f broken.yaml
  - at: 20s
    run: kubectl get deployments
  - at: 2m
    run: kubectl get deployments
  - at: 2m
    run: kubectl describe pods -l app=broken
`
	res := runText(t, "startup.yaml", file)
	noStepErrors(t, res)
	var outs []string
	for _, st := range res.Timeline {
		if st.Command == "kubectl get deployments" {
			outs = append(outs, st.Output)
		}
	}
	if len(outs) != 2 || !strings.Contains(outs[0], "slow     0/1") || !strings.Contains(outs[1], "slow     1/1") || !strings.Contains(outs[1], "broken   0/1") {
		t.Errorf("get deployments at 20s and 2m:\n%s\nwant slow 0/1 then 1/1 (its startup probe's 30 s), broken 0/1", strings.Join(outs, "\n"))
	}
	desc := step(t, res, "describe pods").Output
	for _, want := range []string{
		"Startup:        http-get http://:9090/ delay=0s timeout=1s period=10s #success=1 #failure=2",
		`Startup probe failed: Get "http://10.244.`,
		"Container broken failed startup probe, will be restarted",
		"Restart Count:  4",
	} {
		if !strings.Contains(desc, want) {
			t.Errorf("describe pods -l app=broken at 2m:\n%s\nwant\n%s", desc, want)
		}
	}
	if strings.Contains(desc, "Liveness probe failed") {
		t.Errorf("the liveness probe ran before the startup probe succeeded:\n%s", desc)
	}
}

const overloadedWeb = `name: overload
duration: 3m
config: {deterministic: true}
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
          containers:
          - name: web
            image: web
            ports: [{containerPort: 8080}]
            readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 5}
workload:
  services:
    - name: web
      image: web
      concurrency: 4
      routes:
        - {name: /, service: 100ms}
        - {name: HEALTH, service: 1ms}
  clients:
    - {name: load, rate: 100, start: 60s, call: web}
timeline:
  - at: 0s
    run: kubectl apply -f web.yaml
  - at: 0s
    run: kubectl expose deployment web --port 80 --target-port 8080 --type=NodePort
  - at: 59s
    run: kubectl get events --field-selector reason=Unhealthy
  - at: 2m
    run: kubectl describe pods
`

// An httpGet probe whose path is a route the container's declared service
// serves waits in its server's accept queue like a request: under overload
// (2 pods of 4 slots at 100 ms serve 80 requests/s; 100/s arrive from 60 s)
// it times out after timeoutSeconds, the pods flap out of the Service's
// endpoints and requests are refused. With the probe's path not a route, the
// probe does not queue and nothing is refused.
func TestProbeTimesOutUnderLoad(t *testing.T) {
	res := runText(t, "overload.yaml", strings.Replace(overloadedWeb, "HEALTH", "/healthz", 1))
	noStepErrors(t, res)
	if got := step(t, res, "get events").Output; !strings.Contains(got, "No resources found") {
		t.Errorf("Unhealthy events before the load:\n%s", got)
	}
	desc := step(t, res, "describe pods").Output
	want := `Readiness probe failed: Get "http://10.244.1.2:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`
	if !strings.Contains(desc, want) {
		t.Errorf("describe pods at 2m:\n%s\nwant\n%s", desc, want)
	}
	if a := res.Summary.Requests; a.Refused < 100 {
		t.Errorf("requests %+v: want the flapping pods' refusals", a)
	}

	res = runText(t, "overload.yaml", strings.Replace(overloadedWeb, "HEALTH", "/other", 1))
	noStepErrors(t, res)
	if desc := step(t, res, "describe pods").Output; strings.Contains(desc, "Unhealthy") {
		t.Errorf("a probe not served as a route failed:\n%s", desc)
	}
	if a := res.Summary.Requests; a.Refused != 0 {
		t.Errorf("requests %+v: want none refused when the probes do not queue", a)
	}
}

package scenarios

import (
	"strings"
	"testing"
)

// kubectl patch acts on the whole object as the API server does, and every
// field the model simulates is applied: minReadySeconds and
// revisionHistoryLimit were "patched (no change)" and not applied. A field
// kubesim does not simulate is named in a warning, never passed over.
func TestPatchEveryField(t *testing.T) {
	const file = `name: patch
duration: 6m
cluster: {workers: 2}
files:
  ds.yaml: |
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent}
    spec:
      selector: {matchLabels: {app: agent}}
      template:
        metadata: {labels: {app: agent}}
        spec:
          containers: [{name: a, image: busybox}]
timeline:
  - at: 1s
    run: |
      kubectl create deployment web --image=nginx --replicas=2
      kubectl create deployment plain --image=nginx --replicas=2
      kubectl expose deployment web --port=80
      kubectl apply -f ds.yaml
      kubectl create namespace other
  - at: 30s
    run: |
      kubectl patch deployment web -p '{"spec":{"minReadySeconds":20}}'
      kubectl patch deployment web -p '{"spec":{"revisionHistoryLimit":1}}'
      kubectl patch deployment web --type merge -p '{"spec":{"progressDeadlineSeconds":300}}'
      kubectl patch deployment web --type json -p '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":2}]'
      kubectl get deploy web -o jsonpath={.spec.minReadySeconds}/{.spec.revisionHistoryLimit}/{.spec.progressDeadlineSeconds}
      kubectl patch deployment web -p '{"spec":{"minReadySeconds":20}}'
      kubectl patch deployment web -p '{"spec":{"template":{"spec":{"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule"}]}}}}'
      kubectl scale deployment web plain --replicas=4
      kubectl patch ds agent -p '{"spec":{"minReadySeconds":9,"revisionHistoryLimit":3}}'
      kubectl get ds agent -o jsonpath={.spec.minReadySeconds}/{.spec.revisionHistoryLimit}
      kubectl patch service web -p '{"spec":{"type":"NodePort"},"metadata":{"labels":{"tier":"front"}}}'
      kubectl get service web -o jsonpath={.spec.type}/{.metadata.labels.tier}
      kubectl patch node node2 -p '{"spec":{"unschedulable":true}}'
      kubectl get node node2 -o jsonpath={.spec.unschedulable}/{.spec.taints[0].key}
      kubectl patch namespace other -p '{"metadata":{"labels":{"team":"a"}}}'
      kubectl get ns other -o jsonpath={.metadata.labels.team}
  - at: 40s
    run: |
      kubectl get deploy web plain
  - at: 60s
    run: |
      kubectl get deploy web
      kubectl set image deployment web nginx=nginx:2
  - at: 150s
    run: |
      kubectl set image deployment web nginx=nginx:3
  - at: 240s
    run: |
      kubectl set image deployment web nginx=nginx:4
  - at: 330s
    run: |
      kubectl get rs -l app=web
`
	res := runText(t, "patch.yaml", file)
	noStepErrors(t, res)
	want := map[string]string{
		`{"minReadySeconds":20}}'`:       "deployment.apps/web patched",
		`{"revisionHistoryLimit":1}}'`:   "deployment.apps/web patched",
		`{"progressDeadlineSeconds":300`: "deployment.apps/web patched",
		`"value":2}]'`:                   "deployment.apps/web patched",
		"get deploy web -o jsonpath":     "20/2/300",
		"topologySpreadConstraints": "deployment.apps/web patched (no change)\n" +
			"kubesim: Deployment web: spec.template.spec.topologySpreadConstraints is accepted but not simulated",
		"patch ds agent":           "daemonset.apps/agent patched",
		"get ds agent":             "9/3",
		"patch service web":        "service/web patched",
		"get service web":          "NodePort/front",
		"patch node node2":         "node/node2 patched",
		"get node node2":           "true/node.kubernetes.io/unschedulable",
		"patch namespace other":    "namespace/other patched",
		"get ns other":             "a",
		"get deploy web plain":     "NAME    READY   UP-TO-DATE   AVAILABLE   AGE\nweb     4/4     4            2           39s\nplain   4/4     4            4           39s",
		"kubectl get deploy web\n": "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    4/4     4            4           59s",
	}
	// The second identical patch changes nothing.
	var same []string
	for _, st := range res.Timeline {
		if strings.Contains(st.Command, `{"minReadySeconds":20}}'`) {
			same = append(same, strings.TrimSpace(st.Output))
		}
	}
	if len(same) != 2 || same[1] != "deployment.apps/web patched (no change)" {
		t.Errorf("patching minReadySeconds twice: %q", same)
	}
	checkOutputs(t, res, want)
	// revisionHistoryLimit 2: of the three old ReplicaSets, two are kept.
	rs := step(t, res, "get rs -l app=web").Output
	if n := strings.Count(rs, "\nweb-"); n != 3 {
		t.Errorf("with revisionHistoryLimit 2 after 3 rollouts, want the new ReplicaSet and 2 old ones, got %d:\n%s", n, rs)
	}
}

// A patch starts from the object as applied, so fields the model does not
// keep survive it: every patch of a Deployment applied with an httpGet
// readiness probe was refused ("readinessProbe: Required value: must specify
// a handler type"). A bare Pod's patch keeps its applied spec too (the
// kinds table's asApplied; without it the probe's path reads back empty).
// A Service's sessionAffinityConfig timeout is applied (was "patched (no
// change)" with a warning).
func TestPatchKeepsAppliedFields(t *testing.T) {
	const file = `name: patchapplied
duration: 1m
cluster: {workers: 2}
files:
  web.yaml: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
          - name: web
            image: nginx
            readinessProbe:
              httpGet: {path: /healthz, port: 80}
  pod.yaml: |
    apiVersion: v1
    kind: Pod
    metadata: {name: single}
    spec:
      containers:
      - name: web
        image: nginx
        readinessProbe:
          httpGet: {path: /ready, port: 80}
timeline:
  - at: 1s
    run: |
      kubectl apply -f web.yaml
      kubectl apply -f pod.yaml
      kubectl patch pod single -p '{"metadata":{"labels":{"a":"b"}}}'
      kubectl get pod single -o jsonpath={.metadata.labels.a}/{.spec.containers[0].readinessProbe.httpGet.path}
      kubectl expose deployment web --port=80
      kubectl patch deploy web -p '{"spec":{"replicas":2}}'
      kubectl patch deploy web -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"A","value":"1"}]}]}}}}'
      kubectl patch deploy web -p '{"spec":{"template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"}}}}}'
      kubectl get deploy web -o jsonpath={.spec.replicas}/{.spec.template.spec.containers[0].env[0].value}/{.spec.template.spec.containers[0].readinessProbe.httpGet.path}
      kubectl patch svc web -p '{"spec":{"sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}}}}'
      kubectl get svc web -o jsonpath={.spec.sessionAffinityConfig.clientIP.timeoutSeconds}
`
	res := runText(t, "patchapplied.yaml", file)
	noStepErrors(t, res)
	checkOutputs(t, res, map[string]string{
		`{"replicas":2}}'`:           "deployment.apps/web patched",
		`"value":"1"}]}]}}}}'`:       "deployment.apps/web patched",
		`"kubernetes.io/os"`:         "deployment.apps/web patched",
		"get deploy web -o jsonpath": "2/1//healthz",
		"patch svc web":              "service/web patched",
		"get svc web -o jsonpath":    "60",
		"patch pod single":           "pod/single patched",
		"get pod single -o jsonpath": "b//ready",
	})
}

// A ReplicaSet no Deployment owns takes a patched template for the pods it
// makes from then on, its pods staying as they are (was "not simulated").
// A Deployment's ReplicaSet takes it too, and is then an old ReplicaSet to
// its Deployment, as in Kubernetes (pkg/controller/deployment/sync.go
// getNewReplicaSet, util FindNewReplicaSet: no ReplicaSet's template equals
// the Deployment's once EqualIgnoreHash; the create of NAME-HASH finds the
// patched one under that name, so status.collisionCount goes to 1 and the
// hash changes): a new ReplicaSet of the Deployment's own template (nginx)
// is created and rolled out to, the patched one scaled down to 0 (was: the
// template kept, "accepted but not simulated").
func TestPatchReplicaSetTemplate(t *testing.T) {
	const file = `name: rstemplate
duration: 1m
cluster: {workers: 2}
files:
  rs.yaml: |
    apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {name: rs}
    spec:
      replicas: 1
      selector: {matchLabels: {app: rs}}
      template:
        metadata: {labels: {app: rs}}
        spec:
          containers: [{name: a, image: nginx}]
timeline:
  - at: 1s
    run: |
      kubectl apply -f rs.yaml
      kubectl create deployment web --image=nginx
  - at: 20s
    run: |
      kubectl patch rs rs -p '{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"nginx:2"}]}}}}'
      kubectl get rs rs -o jsonpath={.spec.template.spec.containers[0].image}
      kubectl scale rs rs --replicas=2
      kubectl patch rs web-55f645b9fd -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:2"}]}}}}'
  - at: 40s
    run: |
      kubectl get pods -l app=rs -o custom-columns=IMAGE:.spec.containers[0].image
      kubectl get rs -l app=web -o wide
      kubectl get deploy web -o jsonpath={.status.collisionCount}
      kubectl get events --field-selector involvedObject.name=web
`
	res := runText(t, "rstemplate.yaml", file)
	noStepErrors(t, res)
	checkOutputs(t, res, map[string]string{
		"patch rs rs ":            "replicaset.apps/rs patched",
		"get rs rs -o jsonpath":   "nginx:2",
		"patch rs web-55f645b9fd": "replicaset.apps/web-55f645b9fd patched",
		"get pods -l app=rs":      "IMAGE\nnginx:2\nnginx",
		"get rs -l app=web": "NAME             DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES    SELECTOR\n" +
			"web-55f645b9fd   0         0         0       38s   nginx        nginx:2   app=web,pod-template-hash=55f645b9fd\n" +
			"web-77b6d8468c   1         1         1       19s   nginx        nginx     app=web,pod-template-hash=77b6d8468c",
		"get deploy web -o jsonpath": "1",
	})
	ev := step(t, res, "get events --field-selector").Output
	for _, want := range []string{"Scaled up replica set web-77b6d8468c from 0 to 1", "Scaled down replica set web-55f645b9fd from 1 to 0"} {
		if !strings.Contains(ev, want) {
			t.Errorf("events of web lack %q:\n%s", want, ev)
		}
	}
}

// kubectl patch hpa acts on the HPA as an autoscaling/v2 object (was
// refused): strategic, JSON and merge patches change what the controller
// uses; -n picks the namespace; a label is the HPA's metadata, as every
// kind's (was "accepted but not simulated").
func TestPatchHPA(t *testing.T) {
	const file = `name: patchhpa
duration: 1m
cluster: {workers: 2}
timeline:
  - at: 1s
    run: |
      kubectl create deployment web --image=nginx
      kubectl create namespace other
      kubectl create deployment api --image=nginx -n other
      kubectl autoscale deployment web --max=5 --cpu-percent=50
      kubectl autoscale deployment api --max=3 -n other
  - at: 30s
    run: |
      kubectl patch hpa web -p '{"spec":{"maxReplicas":7}}'
      kubectl patch hpa web --type json -p '[{"op":"replace","path":"/spec/metrics/0/resource/target/averageUtilization","value":60}]'
      kubectl patch hpa api -n other --type merge -p '{"spec":{"minReplicas":2}}'
      kubectl patch hpa web -p '{"metadata":{"labels":{"a":"b"}}}'
      kubectl get hpa -A
`
	res := runText(t, "patchhpa.yaml", file)
	noStepErrors(t, res)
	checkOutputs(t, res, map[string]string{
		`{"maxReplicas":7}}'`:    "horizontalpodautoscaler.autoscaling/web patched",
		`"value":60}]'`:          "horizontalpodautoscaler.autoscaling/web patched",
		`{"minReplicas":2}}'`:    "horizontalpodautoscaler.autoscaling/api patched",
		`{"labels":{"a":"b"}}}'`: "horizontalpodautoscaler.autoscaling/web patched",
		"get hpa -A": "NAMESPACE   NAME   REFERENCE        TARGETS              MINPODS   MAXPODS   REPLICAS   AGE\n" +
			"default     web    Deployment/web   cpu: <unknown>/60%   1         7         1          29s\n" +
			"other       api    Deployment/api   cpu: <unknown>/80%   2         3         1          29s",
	})
}

// get hpa -o name|yaml|json|jsonpath|custom-columns print the HPAs as
// autoscaling/v2 objects (printed the table instead, silently).
func TestGetHPAStructured(t *testing.T) {
	const file = `name: gethpa
duration: 1m
cluster: {workers: 2}
timeline:
  - at: 1s
    run: |
      kubectl create deployment web --image=nginx
      kubectl autoscale deployment web --max=5 --cpu-percent=50
  - at: 30s
    run: |
      kubectl get hpa -o name
      kubectl get hpa web -o jsonpath={.spec.maxReplicas}/{.spec.metrics[0].resource.target.averageUtilization}/{.status.currentReplicas}
      kubectl get hpa -o custom-columns=NAME:.metadata.name,MIN:.spec.minReplicas
      kubectl get hpa web -o yaml
`
	res := runText(t, "gethpa.yaml", file)
	noStepErrors(t, res)
	checkOutputs(t, res, map[string]string{
		"-o name":           "horizontalpodautoscaler.autoscaling/web",
		"-o jsonpath":       "5/50/1",
		"-o custom-columns": "NAME   MIN\nweb    1",
	})
	y := step(t, res, "get hpa web -o yaml").Output
	if !strings.HasPrefix(y, "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n") ||
		!strings.Contains(y, "  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n") ||
		!strings.Contains(y, "    type: AbleToScale\n") {
		t.Errorf("get hpa web -o yaml:\n%s", y)
	}
}

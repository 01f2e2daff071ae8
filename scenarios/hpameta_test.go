package scenarios

import (
	"regexp"
	"strings"
	"testing"
)

// An HPA has the metadata every kind has (issue 14 item 2): label and
// annotate it, then get --show-labels, get -l, describe and -o yaml show
// them with its uid and resourceVersion (and apply's last-applied
// configuration); patching spec.maxReplicas below the target's replicas
// scales the target down at the next sync; delete removes it.
func TestHPAMetadata(t *testing.T) {
	const file = `name: hpameta
duration: 2m
cluster: {workers: 2}
files:
  hpa.yaml: |
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: api
      labels: {team: blue}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
      minReplicas: 1
      maxReplicas: 3
timeline:
  - at: 1s
    run: |
      kubectl create deployment web --image=nginx --replicas=4
      kubectl create deployment api --image=nginx
      kubectl autoscale deployment web --max=5
      kubectl apply -f hpa.yaml
  - at: 30s
    run: |
      kubectl label hpa web tier=front
      kubectl annotate hpa web note=kept
      kubectl get hpa --show-labels
      kubectl get hpa -l tier=front
      kubectl get hpa -l tier=back
      kubectl describe hpa web
      kubectl get hpa web -o yaml
      kubectl get hpa api -o yaml
      kubectl get deploy web -o jsonpath={.spec.replicas}
      kubectl patch hpa web -p '{"spec":{"maxReplicas":2}}'
  - at: 60s
    run: |
      kubectl get deploy web -o jsonpath={.spec.replicas}
      kubectl delete hpa web
      kubectl get hpa
`
	res := runText(t, "hpameta.yaml", file)
	noStepErrors(t, res)
	checkOutputs(t, res, map[string]string{
		"label hpa web":    "horizontalpodautoscaler.autoscaling/web labeled",
		"annotate hpa web": "horizontalpodautoscaler.autoscaling/web annotated",
		"get hpa --show-labels": "NAME   REFERENCE        TARGETS              MINPODS   MAXPODS   REPLICAS   AGE   LABELS\n" +
			"api    Deployment/api   cpu: <unknown>/80%   1         3         1          29s   team=blue\n" +
			"web    Deployment/web   cpu: <unknown>/80%   1         5         4          29s   tier=front",
		"get hpa -l tier=front": "NAME   REFERENCE        TARGETS              MINPODS   MAXPODS   REPLICAS   AGE\n" +
			"web    Deployment/web   cpu: <unknown>/80%   1         5         4          29s",
		"get hpa -l tier=back": "No resources found in default namespace.",
		"patch hpa web":        "horizontalpodautoscaler.autoscaling/web patched",
		"delete hpa web":       `horizontalpodautoscaler.autoscaling "web" deleted from default namespace`,
		"get hpa\n":            "NAME   REFERENCE        TARGETS              MINPODS   MAXPODS   REPLICAS   AGE\napi    Deployment/api   cpu: <unknown>/80%   1         3         1          59s",
	})
	d := step(t, res, "describe hpa web").Output
	if !regexp.MustCompile(`\nLabels: +tier=front\nAnnotations: +note: kept\n`).MatchString(d) {
		t.Errorf("describe hpa web:\n%s", d)
	}
	applied := step(t, res, "get hpa api -o yaml").Output
	for _, want := range []string{"  labels:\n    team: blue\n", "    kubectl.kubernetes.io/last-applied-configuration: |\n      {\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{\"annotations\":{},\"labels\":{\"team\":\"blue\"},\"name\":\"api\""} {
		if !strings.Contains(applied, want) {
			t.Errorf("get hpa api -o yaml lacks %q:\n%s", want, applied)
		}
	}
	y := step(t, res, "get hpa web -o yaml").Output
	for _, want := range []string{"  labels:\n    tier: front\n", "  annotations:\n    note: kept\n", "  uid: ", "  resourceVersion: \"", "  generation: 1\n"} {
		if !strings.Contains(y, want) {
			t.Errorf("get hpa web -o yaml lacks %q:\n%s", want, y)
		}
	}
	// The target had 4 replicas, the HPA's max became 2: the next sync
	// scales it to 2 (before the patch, nothing scaled it).
	var replicas []string
	for _, st := range res.Timeline {
		if strings.Contains(st.Command, "get deploy web -o jsonpath") {
			replicas = append(replicas, st.Output)
		}
	}
	if strings.Join(replicas, ",") != "4,2" {
		t.Errorf("web's spec.replicas before and after the patch = %v, want 4,2", replicas)
	}
}

// Applying an unchanged HPA with a behavior says "unchanged" (was
// "configured": the spec was compared as fmt.Sprint of a struct holding a
// *Behavior, so the pointers differed), create -f of an existing one is
// AlreadyExists (was "configured"), and edit bumps the generation.
func TestHPAApplyUnchangedAndCreateExisting(t *testing.T) {
	const file = `name: hpaapply
duration: 30s
cluster: {workers: 2}
files:
  hpa.yaml: |
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: api}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
      maxReplicas: 3
      behavior:
        scaleDown: {stabilizationWindowSeconds: 60}
timeline:
  - at: 1s
    run: |
      kubectl create deployment api --image=nginx
      kubectl apply -f hpa.yaml
  - at: 2s
    run: kubectl apply -f hpa.yaml
  - at: 3s
    run: kubectl create -f hpa.yaml
  - at: 4s
    run: |
      kubectl edit hpa api spec.maxReplicas=4
      kubectl get hpa api -o jsonpath={.metadata.generation}/{.spec.maxReplicas}/{.spec.behavior.scaleDown.stabilizationWindowSeconds}
`
	res := runText(t, "hpaapply.yaml", file)
	noStepErrors(t, res, "create -f")
	var applies []string
	for _, st := range res.Timeline {
		if st.Command == "kubectl apply -f hpa.yaml" {
			applies = append(applies, st.Output)
		}
	}
	if want := []string{"horizontalpodautoscaler.autoscaling/api created", "horizontalpodautoscaler.autoscaling/api unchanged"}; strings.Join(applies, "|") != strings.Join(want, "|") {
		t.Errorf("apply, apply again: %q, want %q", applies, want)
	}
	if e := step(t, res, "create -f").Error; e != `Error from server (AlreadyExists): error when creating "hpa.yaml": horizontalpodautoscalers.autoscaling "api" already exists` {
		t.Errorf("create -f of an existing HPA: error %q", e)
	}
	checkOutputs(t, res, map[string]string{
		"edit hpa api":                    "horizontalpodautoscaler.autoscaling/api edited",
		"jsonpath={.metadata.generation}": "2/4/60",
	})
}

// Deleting a namespace deletes its HPAs with the rest of its content, as
// the namespace controller does (they stayed, listed under a namespace that
// no longer existed); another namespace's HPA stays.
func TestDeleteNamespaceDeletesHPAs(t *testing.T) {
	const file = `name: hpans
duration: 90s
cluster: {workers: 2}
timeline:
  - at: 1s
    run: |
      kubectl create namespace other
      kubectl create deployment web --image=nginx -n other
      kubectl autoscale deployment web --max=5 -n other
      kubectl create deployment web --image=nginx
      kubectl autoscale deployment web --max=3
  - at: 20s
    run: kubectl delete namespace other
  - at: 80s
    run: kubectl get hpa -A
`
	res := runText(t, "hpans.yaml", file)
	noStepErrors(t, res)
	checkOutputs(t, res, map[string]string{
		"get hpa -A": "NAMESPACE   NAME   REFERENCE        TARGETS              MINPODS   MAXPODS   REPLICAS   AGE\n" +
			"default     web    Deployment/web   cpu: <unknown>/80%   1         3         1          79s",
	})
}

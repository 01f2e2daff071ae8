package manifest

import (
	"strings"
	"testing"
)

// Kinds are recognised by group, version and kind: Kubernetes 1.37's own kinds
// are skipped with a warning naming them, removed versions are refused with
// their replacement, and a custom resource needs its CRD.
func TestKindsByGroupVersion(t *testing.T) {
	doc := func(apiVersion, kind, name string) string {
		return "apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n"
	}
	skipped := []struct{ apiVersion, kind string }{
		{"apiregistration.k8s.io/v1", "APIService"},
		{"admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"},
		{"admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding"},
		{"v1", "Event"},
		{"events.k8s.io/v1", "Event"},
		{"networking.k8s.io/v1", "Ingress"},
		{"apps/v1", "StatefulSet"},
		{"v1", "Secret"},
		{"apiextensions.k8s.io/v1", "CustomResourceDefinition"}, // a CRD without spec is refused below
	}
	for _, k := range skipped[:len(skipped)-1] {
		src := doc(k.apiVersion, k.kind, "x") + "---\n" + doc("v1", "Namespace", "ns")
		objs, warns, err := Decode("f.yml", []byte(src), Options{Validate: true})
		if err != nil || len(objs) != 1 || len(warns) != 1 || !strings.Contains(warns[0], k.kind+` "x" ignored: kubesim does not simulate `+k.kind+" objects") {
			t.Errorf("%s %s: objs %d warnings %q err %v; want it skipped with a warning and the rest of the file read", k.apiVersion, k.kind, len(objs), warns, err)
		}
	}

	refused := []struct{ apiVersion, kind, reason string }{
		{"networking.k8s.io/v1beta1", "Ingress", `networking.k8s.io/v1beta1 Ingress was removed in Kubernetes 1.22; use apiVersion: networking.k8s.io/v1`},
		{"extensions/v1beta1", "Ingress", `extensions/v1beta1 Ingress was removed in Kubernetes 1.22; use apiVersion: networking.k8s.io/v1`},
		{"batch/v1beta1", "CronJob", `batch/v1beta1 CronJob was removed in Kubernetes 1.25; use apiVersion: batch/v1`},
		{"policy/v1beta1", "PodSecurityPolicy", `policy/v1beta1 PodSecurityPolicy was removed in Kubernetes 1.25 and has no replacement`},
		{"flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", `was removed in Kubernetes 1.29; use apiVersion: flowcontrol.apiserver.k8s.io/v1`},
		{"autoscaling/v2beta2", "HorizontalPodAutoscaler", `removed in Kubernetes 1.26; use apiVersion: autoscaling/v2`},
		{"resource.k8s.io/v1beta1", "ResourceClaim", `resource.k8s.io/v1beta1 is a beta API that Kubernetes 1.37 does not serve unless the API server enables it; use apiVersion: resource.k8s.io/v1`},
		{"apps/v1", "Deploymnet", `no kind "Deploymnet" in version "apps/v1"; kubesim reads`},
		{"stable.example.com/v1", "CronTab", `stable.example.com/v1 CronTab is not a Kubernetes kind: apply its CustomResourceDefinition in an earlier step first`},
	}
	for _, k := range refused {
		_, _, err := Decode("f.yml", []byte(doc(k.apiVersion, k.kind, "x")), Options{Validate: true})
		e, ok := err.(*Error)
		if !ok || e.Problems[0].Kind != UnknownKind || !strings.Contains(e.Problems[0].Reason, k.reason) {
			t.Errorf("%s %s: err %v; want an unknown kind saying %q", k.apiVersion, k.kind, err, k.reason)
			continue
		}
		if got := e.Kubectl()[0]; !strings.Contains(got, `no matches for kind "`+k.kind+`" in version "`+k.apiVersion+`"`) {
			t.Errorf("%s %s: kubectl line %q", k.apiVersion, k.kind, got)
		}
	}

	crdSrc := `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  names: {kind: CronTab, plural: crontabs}
  scope: Namespaced
  versions:
  - {name: v1, served: true, storage: true}
  - {name: v1beta1, served: false, storage: false}
`
	objs, _, err := Decode("crd.yml", []byte(crdSrc), Options{Validate: true})
	if err != nil || len(objs) != 1 || objs[0].CRD == nil || objs[0].CRD.Kind != "CronTab" || strings.Join(objs[0].CRD.APIVersions(), ",") != "stable.example.com/v1" {
		t.Fatalf("CRD: objs %+v err %v", objs, err)
	}
	crds := []CRD{*objs[0].CRD}
	_, warns, err := Decode("ct.yml", []byte(doc("stable.example.com/v1", "CronTab", "my-cron")), Options{Validate: true, CRDs: crds})
	if err != nil || len(warns) != 1 || !strings.Contains(warns[0], `CronTab "my-cron" ignored: a custom resource (CustomResourceDefinition crontabs.stable.example.com)`) {
		t.Errorf("custom resource with its CRD: warnings %q err %v", warns, err)
	}
	if _, _, err := Decode("ct.yml", []byte(doc("stable.example.com/v1beta1", "CronTab", "c")), Options{Validate: true, CRDs: crds}); err == nil {
		t.Errorf("custom resource in a version its CRD does not serve was accepted")
	}
	bad := strings.Replace(crdSrc, "name: crontabs.stable.example.com", "name: crontab", 1)
	if _, _, err := Decode("crd.yml", []byte(bad), Options{Validate: true}); err == nil || !strings.Contains(err.Error(), "must be spec.names.plural") {
		t.Errorf("CRD with a bad name: %v", err)
	}
}

// Every kind Kubernetes 1.37 serves is recognised: none is refused as unknown.
func TestEveryServedKindRecognised(t *testing.T) {
	for _, k := range append(append([]builtinKind{}, builtinKinds...), extraKinds...) {
		if k.status != served || k.kind == "CustomResourceDefinition" {
			continue
		}
		src := "apiVersion: " + k.apiVersion + "\nkind: " + k.kind + "\nmetadata:\n  name: x\n"
		if _, _, err := Decode("f.yml", []byte(src), Options{Validate: false}); err != nil {
			if e, ok := err.(*Error); ok && e.Problems[0].Kind == UnknownKind {
				t.Errorf("%s %s refused: %v", k.apiVersion, k.kind, err)
			}
		}
	}
}

// TestServedAPIVersion: an owner reference's apiVersion is the one its kind is
// served in (a ReplicaSet's owner is apps/v1 Deployment, a pod's apps/v1
// ReplicaSet or DaemonSet).
func TestServedAPIVersion(t *testing.T) {
	for kind, want := range map[string]string{
		"Deployment": "apps/v1", "ReplicaSet": "apps/v1", "DaemonSet": "apps/v1", "StatefulSet": "apps/v1",
		"Job": "batch/v1", "Node": "v1", "Event": "v1", "HorizontalPodAutoscaler": "autoscaling/v2", "NoSuchKind": "v1",
	} {
		if got := ServedAPIVersion(kind); got != want {
			t.Errorf("ServedAPIVersion(%q) = %q, want %q", kind, got, want)
		}
	}
}

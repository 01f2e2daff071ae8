package manifest

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	admissionregistrationv1alpha1 "k8s.io/api/admissionregistration/v1alpha1"
	admissionregistrationv1beta1 "k8s.io/api/admissionregistration/v1beta1"
	apiserverinternalv1alpha1 "k8s.io/api/apiserverinternal/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	appsv1beta1 "k8s.io/api/apps/v1beta1"
	appsv1beta2 "k8s.io/api/apps/v1beta2"
	authenticationv1 "k8s.io/api/authentication/v1"
	authenticationv1alpha1 "k8s.io/api/authentication/v1alpha1"
	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"
	authorizationv1 "k8s.io/api/authorization/v1"
	authorizationv1beta1 "k8s.io/api/authorization/v1beta1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	batchv1beta1 "k8s.io/api/batch/v1beta1"
	certificatesv1 "k8s.io/api/certificates/v1"
	certificatesv1alpha1 "k8s.io/api/certificates/v1alpha1"
	certificatesv1beta1 "k8s.io/api/certificates/v1beta1"
	coordinationv1 "k8s.io/api/coordination/v1"
	coordinationv1alpha2 "k8s.io/api/coordination/v1alpha2"
	coordinationv1beta1 "k8s.io/api/coordination/v1beta1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	discoveryv1beta1 "k8s.io/api/discovery/v1beta1"
	eventsv1 "k8s.io/api/events/v1"
	eventsv1beta1 "k8s.io/api/events/v1beta1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	flowcontrolv1beta1 "k8s.io/api/flowcontrol/v1beta1"
	flowcontrolv1beta2 "k8s.io/api/flowcontrol/v1beta2"
	flowcontrolv1beta3 "k8s.io/api/flowcontrol/v1beta3"
	lifecyclev1alpha1 "k8s.io/api/lifecycle/v1alpha1"
	networkingv1 "k8s.io/api/networking/v1"
	networkingv1beta1 "k8s.io/api/networking/v1beta1"
	nodev1 "k8s.io/api/node/v1"
	nodev1alpha1 "k8s.io/api/node/v1alpha1"
	nodev1beta1 "k8s.io/api/node/v1beta1"
	policyv1 "k8s.io/api/policy/v1"
	policyv1beta1 "k8s.io/api/policy/v1beta1"
	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1alpha1 "k8s.io/api/rbac/v1alpha1"
	rbacv1beta1 "k8s.io/api/rbac/v1beta1"
	resourcev1 "k8s.io/api/resource/v1"
	resourcev1alpha3 "k8s.io/api/resource/v1alpha3"
	resourcev1beta1 "k8s.io/api/resource/v1beta1"
	resourcev1beta2 "k8s.io/api/resource/v1beta2"
	schedulingv1 "k8s.io/api/scheduling/v1"
	schedulingv1alpha3 "k8s.io/api/scheduling/v1alpha3"
	schedulingv1beta1 "k8s.io/api/scheduling/v1beta1"
	storagev1 "k8s.io/api/storage/v1"
	storagev1alpha1 "k8s.io/api/storage/v1alpha1"
	storagev1beta1 "k8s.io/api/storage/v1beta1"
	storagemigrationv1 "k8s.io/api/storagemigration/v1"
	storagemigrationv1beta1 "k8s.io/api/storagemigration/v1beta1"
)

var updateKinds = flag.Bool("update-kinds", false, "rewrite kinds_table.go from k8s.io/api")

// servingVersion is the Kubernetes release whose API server kubesim stands for.
const servingMinor = 37

type lifecycle interface {
	APILifecycleIntroduced() (int, int)
	APILifecycleRemoved() (int, int)
}

type replaced interface {
	APILifecycleReplacement() schema.GroupVersionKind
}

// subresourceKinds are types with object metadata that are not resources of
// their own (only subresources or request bodies): no manifest can create them.
var subresourceKinds = map[string]bool{"Scale": true, "Eviction": true, "TokenRequest": true,
	"RangeAllocation": true, "SerializedReference": true, "DeploymentRollback": true, "Binding": true}

// generatedKindTable computes builtinKinds from the k8s.io/api module: every
// kind with object metadata in every group version, and whether the API server
// of Kubernetes 1.37 serves it by default (GA; a beta introduced before 1.24),
// does not (alpha; a beta introduced since 1.24, off by default) or removed it
// (prerelease-lifecycle removed <= 1.37, with its replacement).
func generatedKindTable(t *testing.T) string {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		admissionregistrationv1.AddToScheme,
		admissionregistrationv1alpha1.AddToScheme,
		admissionregistrationv1beta1.AddToScheme,
		apiserverinternalv1alpha1.AddToScheme,
		appsv1.AddToScheme,
		appsv1beta1.AddToScheme,
		appsv1beta2.AddToScheme,
		authenticationv1.AddToScheme,
		authenticationv1alpha1.AddToScheme,
		authenticationv1beta1.AddToScheme,
		authorizationv1.AddToScheme,
		authorizationv1beta1.AddToScheme,
		autoscalingv1.AddToScheme,
		autoscalingv2.AddToScheme,
		batchv1.AddToScheme,
		batchv1beta1.AddToScheme,
		certificatesv1.AddToScheme,
		certificatesv1alpha1.AddToScheme,
		certificatesv1beta1.AddToScheme,
		coordinationv1.AddToScheme,
		coordinationv1alpha2.AddToScheme,
		coordinationv1beta1.AddToScheme,
		corev1.AddToScheme,
		discoveryv1.AddToScheme,
		discoveryv1beta1.AddToScheme,
		eventsv1.AddToScheme,
		eventsv1beta1.AddToScheme,
		extensionsv1beta1.AddToScheme,
		flowcontrolv1.AddToScheme,
		flowcontrolv1beta1.AddToScheme,
		flowcontrolv1beta2.AddToScheme,
		flowcontrolv1beta3.AddToScheme,
		lifecyclev1alpha1.AddToScheme,
		networkingv1.AddToScheme,
		networkingv1beta1.AddToScheme,
		nodev1.AddToScheme,
		nodev1alpha1.AddToScheme,
		nodev1beta1.AddToScheme,
		policyv1.AddToScheme,
		policyv1beta1.AddToScheme,
		rbacv1.AddToScheme,
		rbacv1alpha1.AddToScheme,
		rbacv1beta1.AddToScheme,
		resourcev1.AddToScheme,
		resourcev1alpha3.AddToScheme,
		resourcev1beta1.AddToScheme,
		resourcev1beta2.AddToScheme,
		schedulingv1.AddToScheme,
		schedulingv1alpha3.AddToScheme,
		schedulingv1beta1.AddToScheme,
		storagev1.AddToScheme,
		storagev1alpha1.AddToScheme,
		storagev1beta1.AddToScheme,
		storagemigrationv1.AddToScheme,
		storagemigrationv1beta1.AddToScheme,
	} {
		if err := add(s); err != nil {
			t.Fatal(err)
		}
	}
	metaType := reflect.TypeFor[metav1.ObjectMeta]()
	type row struct {
		apiVersion, kind, status, removed, repl string
	}
	var rows []row
	for gvk, typ := range s.AllKnownTypes() {
		if strings.HasSuffix(gvk.Kind, "List") || subresourceKinds[gvk.Kind] {
			continue
		}
		if f, ok := typ.FieldByName("ObjectMeta"); !ok || f.Type != metaType {
			continue
		}
		apiVersion := gvk.GroupVersion().String()
		status, removed, repl := "served", "", ""
		obj := reflect.New(typ).Interface()
		if lc, ok := obj.(lifecycle); ok {
			if maj, min := lc.APILifecycleRemoved(); maj == 1 && min <= servingMinor && min > 0 {
				status, removed = "removed", fmt.Sprintf("1.%d", min)
				if r, ok := obj.(replaced); ok && r.APILifecycleReplacement().Kind != "" {
					rg := r.APILifecycleReplacement()
					repl = rg.GroupVersion().String() + " " + rg.Kind
				}
			}
		}
		if status == "served" {
			switch v := gvk.Version; {
			case strings.Contains(v, "alpha"):
				status = "notServed"
			case strings.Contains(v, "beta"):
				if lc, ok := obj.(lifecycle); ok {
					if _, min := lc.APILifecycleIntroduced(); min >= 24 {
						status = "notServed"
					}
				}
			}
		}
		rows = append(rows, row{apiVersion, gvk.Kind, status, removed, strings.TrimSuffix(repl, "List")})
	}
	// A replacement that was itself removed leads on to its own; a removed
	// kind without one is replaced by the same kind in a served version of
	// its group (GA first).
	find := func(apiVersion, kind string) *row {
		for i := range rows {
			if rows[i].apiVersion == apiVersion && rows[i].kind == kind {
				return &rows[i]
			}
		}
		return nil
	}
	for i := range rows {
		r := &rows[i]
		if r.status != "removed" {
			continue
		}
		for r.repl != "" {
			v, k, _ := strings.Cut(r.repl, " ")
			next := find(v, k)
			if next == nil || next.status != "removed" {
				break
			}
			r.repl = next.repl
		}
		if r.repl == "" {
			group, _, _ := strings.Cut(r.apiVersion, "/")
			best := ""
			for _, o := range rows {
				og, ov, _ := strings.Cut(o.apiVersion, "/")
				if og == group && o.kind == r.kind && o.status == "served" && (best == "" || !strings.Contains(ov, "beta")) {
					best = o.apiVersion + " " + o.kind
				}
			}
			r.repl = best
		}
	}
	var lines []string
	for _, r := range rows {
		lines = append(lines, fmt.Sprintf("\t{%q, %q, %s, %q, %q},", r.apiVersion, r.kind, r.status, r.removed, r.repl))
	}
	sort.Strings(lines)
	rowsText := lines
	return "// Code generated by TestBuiltinKindTable -update-kinds from k8s.io/api v0.37. DO NOT EDIT.\n\npackage manifest\n\n" +
		"// builtinKinds lists every kind of k8s.io/api v0.37 that has object metadata, by\n" +
		"// apiVersion, with whether Kubernetes 1.37 serves it by default.\n" +
		"var builtinKinds = []builtinKind{\n" + strings.Join(rowsText, "\n") + "\n}\n"
}

// TestBuiltinKindTable checks that kinds_table.go is what k8s.io/api says; run
// with -update-kinds to regenerate it after a k8s.io/api upgrade.
func TestBuiltinKindTable(t *testing.T) {
	want := generatedKindTable(t)
	if *updateKinds {
		if err := os.WriteFile("kinds_table.go", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile("kinds_table.go")
	if err != nil || string(got) != want {
		t.Fatalf("kinds_table.go is out of date with k8s.io/api: run go test ./scenarios/manifest -run TestBuiltinKindTable -update-kinds")
	}
}

package manifest

import (
	"reflect"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// fieldUse says, per struct type, what kubesim does with each JSON field:
// "model" fields are simulated (and walked into when their type is listed
// here too), "ignore" fields are server-populated or defaults that change
// nothing in a simulation (they appear in `kubectl get -o yaml` output).
// Every other set field is reported by NotSimulated.
var fieldUse = map[reflect.Type]map[string]string{
	reflect.TypeFor[appsv1.Deployment](): {"apiVersion": "ignore", "kind": "ignore", "metadata": "model", "spec": "model", "status": "ignore"},
	reflect.TypeFor[appsv1.ReplicaSet](): {"apiVersion": "ignore", "kind": "ignore", "metadata": "model", "spec": "model", "status": "ignore"},
	reflect.TypeFor[appsv1.DaemonSet]():  {"apiVersion": "ignore", "kind": "ignore", "metadata": "model", "spec": "model", "status": "ignore"},
	reflect.TypeFor[corev1.Pod]():        {"apiVersion": "ignore", "kind": "ignore", "metadata": "model", "spec": "model", "status": "ignore"},
	reflect.TypeFor[corev1.Service]():    {"apiVersion": "ignore", "kind": "ignore", "metadata": "model", "spec": "model", "status": "ignore"},
	reflect.TypeFor[corev1.Namespace]():  {"apiVersion": "ignore", "kind": "ignore", "metadata": "model", "spec": "ignore", "status": "ignore"},
	reflect.TypeFor[corev1.Node]():       {"apiVersion": "ignore", "kind": "ignore", "metadata": "model", "spec": "model", "status": "model"},
	reflect.TypeFor[metav1.ObjectMeta](): {"name": "model", "generateName": "model", "namespace": "model", "labels": "model", "annotations": "model",
		"uid": "ignore", "resourceVersion": "ignore", "generation": "ignore", "creationTimestamp": "ignore",
		"managedFields": "ignore", "selfLink": "ignore", "ownerReferences": "model"},
	reflect.TypeFor[appsv1.DeploymentSpec](): {"replicas": "model", "selector": "model", "template": "model", "strategy": "model",
		"minReadySeconds": "model", "revisionHistoryLimit": "model", "progressDeadlineSeconds": "model", "paused": "model"},
	reflect.TypeFor[appsv1.ReplicaSetSpec](): {"replicas": "model", "selector": "model", "template": "model", "minReadySeconds": "model"},
	reflect.TypeFor[appsv1.DaemonSetSpec](): {"selector": "model", "template": "model", "updateStrategy": "model",
		"minReadySeconds": "model", "revisionHistoryLimit": "model"},
	reflect.TypeFor[corev1.PodTemplateSpec](): {"metadata": "model", "spec": "model"},
	reflect.TypeFor[corev1.PodSpec](): {"containers": "model", "nodeSelector": "model", "nodeName": "model", "affinity": "model",
		"tolerations": "model", "terminationGracePeriodSeconds": "model", "restartPolicy": "model",
		"dnsPolicy": "ignore", "schedulerName": "ignore", "securityContext": "ignore-empty",
		"serviceAccountName": "ignore", "serviceAccount": "ignore", "enableServiceLinks": "ignore", "preemptionPolicy": "ignore",
		"priority": "ignore"},
	// A container's env is in the model (and its pod-template-hash): a
	// workload may read it (Online Boutique's loadgenerator reads USERS and
	// RATE); valueFrom is not resolved.
	reflect.TypeFor[corev1.EnvVar](): {"name": "model", "value": "model"},
	reflect.TypeFor[corev1.Container](): {"name": "model", "image": "model", "ports": "model", "resources": "model", "env": "model",
		"readinessProbe": "model", "livenessProbe": "model", "startupProbe": "model", "imagePullPolicy": "ignore",
		"terminationMessagePath": "ignore", "terminationMessagePolicy": "ignore"},
	reflect.TypeFor[corev1.ResourceRequirements](): {"requests": "model", "limits": "cpu-only"},
	// Node affinity is scheduled (required: filter; preferred: score). Pod
	// (anti-)affinity and topologySpreadConstraints (above, not listed) are
	// not: the scheduler places such pods as if they had none.
	reflect.TypeFor[corev1.Affinity]():     {"nodeAffinity": "model"},
	reflect.TypeFor[corev1.NodeAffinity](): {"requiredDuringSchedulingIgnoredDuringExecution": "model", "preferredDuringSchedulingIgnoredDuringExecution": "model"},
	reflect.TypeFor[corev1.ServiceSpec](): {"selector": "model", "ports": "model", "type": "model", "sessionAffinity": "model",
		"sessionAffinityConfig": "model", "publishNotReadyAddresses": "model", "clusterIP": "ignore", "clusterIPs": "ignore",
		"ipFamilies": "ignore", "ipFamilyPolicy": "ignore", "internalTrafficPolicy": "ignore", "externalTrafficPolicy": "ignore"},
	reflect.TypeFor[corev1.NodeSpec](): {"taints": "model", "unschedulable": "model", "podCIDR": "ignore", "podCIDRs": "ignore",
		"providerID": "ignore"},
	reflect.TypeFor[corev1.NodeStatus](): {"capacity": "model", "allocatable": "model", "conditions": "ignore",
		"addresses": "ignore", "daemonEndpoints": "ignore", "nodeInfo": "ignore", "images": "ignore"},
}

// NotSimulated lists the fields set in obj that kubesim accepts but does not
// simulate, as sorted, de-duplicated field paths with [*] for list items (e.g.
// "spec.template.spec.containers[*].command"). Server-populated fields (uid,
// resourceVersion, status of workloads...) and harmless defaults (dnsPolicy,
// imagePullPolicy...) are not listed. CPU limits are simulated (the CFS quota of
// traffic/cpu); other limits are listed: they only act as the default of unset
// requests (see SetDefaults).
func NotSimulated(obj runtime.Object) []string {
	set := map[string]bool{}
	notSimulated(reflect.ValueOf(obj), "", set)
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func notSimulated(v reflect.Value, path string, out map[string]bool) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			notSimulated(v.Index(i), path+"[*]", out)
		}
		return
	case reflect.Struct:
	default:
		return
	}
	use, listed := fieldUse[v.Type()]
	if !listed {
		return // a modelled leaf type (Probe, LabelSelector, Affinity...)
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fv := v.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" || strings.Contains(opts, "inline") {
			continue // TypeMeta
		}
		if fv.IsZero() {
			continue
		}
		p := joinField(path, name)
		switch use[name] {
		case "model":
			notSimulated(fv, p, out)
		case "ignore":
		case "cpu-only":
			// A CPU limit is the CFS quota of the CPU model; other limits
			// only default unset requests (SetDefaults).
			for _, k := range fv.MapKeys() {
				if k.String() != "cpu" {
					out[p+"."+k.String()] = true
				}
			}
		case "ignore-empty":
			if !isEmptyStruct(fv) {
				out[p] = true
			}
		default:
			out[p] = true
		}
	}
}

func isEmptyStruct(v reflect.Value) bool {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return true
		}
		v = v.Elem()
	}
	return v.IsZero()
}

// notSimulatedWhy says what kubesim does instead, for the not-simulated
// fields whose absence changes what a run shows, by the field's last name.
var notSimulatedWhy = map[string]string{
	"initContainers": "init containers are not run, so the main container starts without waiting for them; a wait-for-a-Service loop such as Online Boutique's loadgenerator frontend-check is skipped, and the first requests may be refused until that Service has a ready endpoint",
}

// NotSimulatedWhy is what kubesim does instead of a field NotSimulated
// listed ("" when nothing more needs saying).
func NotSimulatedWhy(field string) string {
	name := field[strings.LastIndexByte(field, '.')+1:]
	return notSimulatedWhy[strings.TrimSuffix(name, "[*]")]
}

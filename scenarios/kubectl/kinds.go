package kubectl

// The table of kinds (resourceInfo, resources.go): one entry per kind, naming
// the functions of each verb for it. Adding a kind is adding an entry here
// (and its API types to manifest's kinds: TestKindsTableMatchesManifestKinds).

import (
	"reflect"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hpa"
	"github.com/kubesim/kubesim/scenarios/manifest"
	"github.com/kubesim/kubesim/sim"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// The columns of the workload kinds' -o wide.
var templateColumns = []string{"CONTAINERS", "IMAGES", "SELECTOR"}

func init() {
	resources = map[Resource]resourceInfo{
		Pods: {group: "", kind: "Pod", names: []string{"pod", "po"}, namespaced: true,
			get:     func(c *model.Cluster, ns, name string) model.Object { return obj(c.PodIn(ns, name)) },
			list:    func(c *model.Cluster, ns string) []model.Object { return inNamespace(c.Pods(), ns) },
			columns: []string{"NAME", "READY", "STATUS", "RESTARTS", "AGE"}, wideColumns: []string{"IP", "NODE", "NOMINATED NODE", "READINESS GATES"},
			row: rowOf((*printer).podRow), describe: describeOf((*printer).describePod), apiObject: apiObjectOf((*Executor).podObject),
			toAPI: toAPIOf(manifest.APIPod), delete: deleteOf(deletePod), apply: applyOf((*Executor).applyPod), expose: exposeOf(exposePod),
			podTemplate: templateOf(func(o *corev1.Pod) *corev1.PodTemplateSpec {
				return &corev1.PodTemplateSpec{ObjectMeta: o.ObjectMeta, Spec: o.Spec}
			}),
			asApplied: asAppliedOf(func(dst, full *corev1.Pod) { dst.Spec = full.Spec })},
		Deployments: {group: "apps", kind: "Deployment", names: []string{"deployment", "deploy"}, namespaced: true,
			get:     func(c *model.Cluster, ns, name string) model.Object { return obj(c.DeploymentIn(ns, name)) },
			list:    func(c *model.Cluster, ns string) []model.Object { return inNamespace(c.Deployments(), ns) },
			columns: []string{"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"}, wideColumns: templateColumns,
			row: rowOf((*printer).deploymentRow), describe: describeOf((*printer).describeDeployment), apiObject: apiObjectOf((*Executor).deploymentObject),
			toAPI: toAPIOf(manifest.APIDeployment), scale: scaleOf(scaleDeployment), setImage: setImageOf(setDeploymentImage), delete: deleteOf(deleteDeployment), apply: applyOf((*Executor).applyDeployment), rollout: deploymentRollout, expose: exposeOf(exposeDeployment),
			podTemplate: templateOf(func(o *appsv1.Deployment) *corev1.PodTemplateSpec { return &o.Spec.Template })},
		ReplicaSets: {group: "apps", kind: "ReplicaSet", names: []string{"replicaset", "rs"}, namespaced: true,
			get:     func(c *model.Cluster, ns, name string) model.Object { return obj(c.ReplicaSetIn(ns, name)) },
			list:    func(c *model.Cluster, ns string) []model.Object { return inNamespace(c.ReplicaSets(), ns) },
			columns: []string{"NAME", "DESIRED", "CURRENT", "READY", "AGE"}, wideColumns: templateColumns,
			row: rowOf((*printer).replicaSetRow), describe: describeOf((*printer).describeReplicaSet), apiObject: apiObjectOf((*Executor).replicaSetObject),
			toAPI: toAPIOf(manifest.APIReplicaSet), scale: scaleOf(scaleReplicaSet), delete: deleteOf(deleteReplicaSet), apply: applyOf((*Executor).applyReplicaSet), expose: exposeOf(exposeReplicaSet),
			podTemplate: templateOf(func(o *appsv1.ReplicaSet) *corev1.PodTemplateSpec { return &o.Spec.Template })},
		DaemonSets: {group: "apps", kind: "DaemonSet", names: []string{"daemonset", "ds"}, namespaced: true,
			get:     func(c *model.Cluster, ns, name string) model.Object { return obj(c.DaemonSetIn(ns, name)) },
			list:    func(c *model.Cluster, ns string) []model.Object { return inNamespace(c.DaemonSets(), ns) },
			columns: []string{"NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"}, wideColumns: templateColumns,
			row: rowOf((*printer).daemonSetRow), describe: describeOf((*printer).describeDaemonSet), apiObject: apiObjectOf((*Executor).daemonSetObject),
			toAPI: toAPIOf(manifest.APIDaemonSet), setImage: setImageOf(setDaemonSetImage), delete: deleteOf(deleteDaemonSet), apply: applyOf((*Executor).applyDaemonSet), rollout: daemonSetRollout,
			podTemplate: templateOf(func(o *appsv1.DaemonSet) *corev1.PodTemplateSpec { return &o.Spec.Template })},
		Services: {group: "", kind: "Service", names: []string{"service", "svc"}, namespaced: true,
			get: serviceIn, list: servicesIn,
			columns: []string{"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"}, wideColumns: []string{"SELECTOR"},
			row: (*printer).serviceRow, describe: (*printer).describeService, apiObject: apiObjectOfObject((*Executor).serviceObject),
			toAPI: toAPIOf(manifest.APIService), delete: deleteOf(deleteService), apply: applyOf((*Executor).applyService), expose: exposeOf(exposeService),
			asApplied: asAppliedOf(func(dst, full *corev1.Service) {
				dst.Spec.PublishNotReadyAddresses = full.Spec.PublishNotReadyAddresses
			})},
		// A Service's Endpoints object has the Service's name and namespace.
		Endpoints: {group: "", kind: "Endpoints", names: []string{"ep"}, namespaced: true,
			get: serviceIn, list: servicesIn,
			columns: []string{"NAME", "ENDPOINTS", "AGE"},
			row:     (*printer).endpointsRow, warning: EndpointsWarning, describe: (*printer).describeEndpoints,
			apiObject: apiObjectOfObject((*Executor).endpointsObject),
			delete:    deleteOf(deleteEndpoints)},
		Nodes: {group: "", kind: "Node", names: []string{"node", "no"}, namespaced: false,
			get:     func(c *model.Cluster, ns, name string) model.Object { return obj(c.Node(name)) },
			list:    func(c *model.Cluster, ns string) []model.Object { return objs(c.Nodes()) },
			columns: []string{"NAME", "STATUS", "ROLES", "AGE", "VERSION"}, wideColumns: []string{"INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"},
			row: rowOf((*printer).nodeRow), describe: describeOf((*printer).describeNode), apiObject: apiObjectOf((*Executor).nodeObject),
			toAPI: toAPIOf(manifest.APINode), delete: deleteOf(deleteNode), apply: applyOf((*Executor).applyNode)},
		Namespaces: {group: "", kind: "Namespace", names: []string{"namespace", "ns"}, namespaced: false,
			get:     func(c *model.Cluster, ns, name string) model.Object { return obj(c.Namespace(name)) },
			list:    func(c *model.Cluster, ns string) []model.Object { return objs(c.Namespaces()) },
			columns: []string{"NAME", "STATUS", "AGE"},
			row:     rowOf((*printer).namespaceRow), describe: describeOf((*printer).describeNamespace), apiObject: apiObjectOfObject((*Executor).namespaceObject),
			toAPI: toAPIOf(manifest.APINamespace), delete: deleteOf(deleteNamespace), apply: applyOf((*Executor).applyNamespace)},
		PodDisruptionBudgets: {group: "policy", kind: "PodDisruptionBudget", names: []string{"poddisruptionbudget", "pdb"}, namespaced: true,
			get:     func(c *model.Cluster, ns, name string) model.Object { return obj(c.PDBIn(ns, name)) },
			list:    func(c *model.Cluster, ns string) []model.Object { return inNamespace(c.PDBs(), ns) },
			columns: []string{"NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"},
			row:     rowOf((*printer).pdbRow), describe: describeOf((*printer).describePDB), apiObject: apiObjectOf((*Executor).pdbObject),
			toAPI: func(c *model.Cluster, o model.Object) runtime.Object {
				return (&Executor{c: c}).pdbObject(nil, o.(*model.PodDisruptionBudget))
			},
			delete: deleteOf(func(c *model.Cluster, b *model.PodDisruptionBudget, _ sim.Time) error { c.DeletePDB(b); return nil }),
			apply:  applyOf((*Executor).applyPDB)},
		ConfigMaps: {group: "", kind: "ConfigMap", names: []string{"configmap", "cm"}, namespaced: true,
			get:     func(c *model.Cluster, ns, name string) model.Object { return obj(c.ConfigMapIn(ns, name)) },
			list:    func(c *model.Cluster, ns string) []model.Object { return inNamespace(c.ConfigMaps(), ns) },
			columns: []string{"NAME", "DATA", "AGE"},
			row:     rowOf((*printer).configMapRow), describe: describeOf((*printer).describeConfigMap), apiObject: apiObjectOf((*Executor).configMapObject),
			toAPI: toAPIOf(apiConfigMap), delete: deleteOf(deleteConfigMap), apply: applyOf((*Executor).applyConfigMap)},
		// Events and EndpointSlices are printed by events.go.
		Events: {group: "", kind: "Event", names: []string{"event", "ev"}, namespaced: true,
			getAlone: (*printer).getEvents, getAloneObjects: (*printer).getEventObjects, selectsFields: true,
			notDescribed: "get events lists them"},
		EndpointSlices: {group: "discovery.k8s.io", kind: "EndpointSlice", names: []string{"endpointslice"}, namespaced: true,
			getAlone: (*printer).getEndpointSlices, getAloneObjects: (*printer).getEndpointSliceObjects, describeAlone: (*printer).describeEndpointSlices},
		HPAs: {group: "autoscaling", kind: "HorizontalPodAutoscaler", names: []string{"horizontalpodautoscaler", "hpa"}, namespaced: true,
			get:     func(c *model.Cluster, ns, name string) model.Object { return obj(hpa.ControllerOf(c).GetIn(ns, name)) },
			list:    func(c *model.Cluster, ns string) []model.Object { return objs(hpa.ControllerOf(c).ListIn(ns)) },
			columns: []string{"NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"},
			row:     rowOf((*printer).hpaRow), describe: describeOf((*printer).describeHPA), apiObject: apiObjectOf((*Executor).hpaObject),
			toAPI: toAPIOf(manifest.APIHPA), delete: deleteOf(deleteHPA),
			apply: applier{types: []reflect.Type{reflect.TypeFor[*autoscalingv1.HorizontalPodAutoscaler](), reflect.TypeFor[*autoscalingv2.HorizontalPodAutoscaler]()},
				fn: (*Executor).applyHPA}},
	}
	for r, info := range resources {
		for _, t := range info.apply.types {
			apiKinds[t] = r
		}
	}
}

// serviceIn and servicesIn are the Services (and so the Endpoints) kubectl
// sees: the cluster's and the API server's own kubernetes Service.
func serviceIn(c *model.Cluster, ns, name string) model.Object {
	if s := c.ServiceIn(ns, name); s != nil {
		return s
	}
	if s := c.APIServerService(); s != nil && ns == s.Namespace && name == s.Name {
		return s
	}
	return nil
}

func servicesIn(c *model.Cluster, ns string) []model.Object {
	out := inNamespace(c.Services(), ns)
	if s := c.APIServerService(); s != nil && (ns == "" || ns == s.Namespace) {
		out = append(out, s)
	}
	return out
}

// rowOf, describeOf and apiObjectOf adapt a kind's printer of its model type
// (or of the object, for Services and Endpoints) to the table's signatures.
func rowOf[P model.Object](f func(*printer, P) ([]string, []string)) func(*printer, object) ([]string, []string) {
	return func(p *printer, o object) ([]string, []string) {
		x, _ := o.obj.(P)
		return f(p, x)
	}
}

func describeOf[P model.Object](f func(*printer, *DescribeWriter, P)) func(*printer, *DescribeWriter, object) {
	return func(p *printer, w *DescribeWriter, o object) {
		x, _ := o.obj.(P)
		f(p, w, x)
	}
}

func apiObjectOf[P model.Object, R runtime.Object](f func(*Executor, *printer, P) R) func(*Executor, *printer, object) runtime.Object {
	return func(x *Executor, p *printer, o object) runtime.Object {
		v, _ := o.obj.(P)
		return f(x, p, v)
	}
}

// toAPIOf, scaleOf, setImageOf and deleteOf adapt the kinds' functions of
// their model type to the table's signatures.
func toAPIOf[P model.Object, R runtime.Object](f func(*model.Cluster, P) R) func(*model.Cluster, model.Object) runtime.Object {
	return func(c *model.Cluster, o model.Object) runtime.Object { v, _ := o.(P); return f(c, v) }
}

func scaleOf[P model.Object](f func(*model.Cluster, P, int) error) func(*model.Cluster, model.Object, int) error {
	return func(c *model.Cluster, o model.Object, n int) error { v, _ := o.(P); return f(c, v, n) }
}

func setImageOf[P model.Object](f func(*model.Cluster, P, string) error) func(*model.Cluster, model.Object, string) error {
	return func(c *model.Cluster, o model.Object, image string) error { v, _ := o.(P); return f(c, v, image) }
}

func deleteOf[P model.Object](f func(*model.Cluster, P, sim.Time) error) func(*model.Cluster, model.Object, sim.Time) error {
	return func(c *model.Cluster, o model.Object, grace sim.Time) error { v, _ := o.(P); return f(c, v, grace) }
}

// exposeOf adapts a kind's expose of its model type to the table's signature.
func exposeOf[P model.Object](f func(P) (map[string]string, []exposedPort, error)) func(model.Object) (map[string]string, []exposedPort, error) {
	return func(o model.Object) (map[string]string, []exposedPort, error) { v, _ := o.(P); return f(v) }
}

// templateOf adapts a kind's pod template of its API type to the table's
// signature.
func templateOf[A runtime.Object](f func(A) *corev1.PodTemplateSpec) func(runtime.Object) *corev1.PodTemplateSpec {
	return func(obj runtime.Object) *corev1.PodTemplateSpec { return f(obj.(A)) }
}

// apiObjectOfObject adapts the API printers that take the object (the
// kubernetes Service has no model object).
func apiObjectOfObject[R runtime.Object](f func(*Executor, *printer, object) R) func(*Executor, *printer, object) runtime.Object {
	return func(x *Executor, p *printer, o object) runtime.Object { return f(x, p, o) }
}

// asAppliedOf adapts a kind's asApplied of its API type to the table's
// signature; objects of another type are left alone.
func asAppliedOf[R runtime.Object](f func(dst, full R)) func(dst, full runtime.Object) {
	return func(dst, full runtime.Object) {
		d, ok1 := dst.(R)
		s, ok2 := full.(R)
		if ok1 && ok2 {
			f(d, s)
		}
	}
}

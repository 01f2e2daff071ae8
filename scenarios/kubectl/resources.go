package kubectl

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios/manifest"
	"github.com/kubesim/kubesim/sim"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Resource is a resource type by its canonical plural name, as kubectl's
// RESTMapper resolves it.
type Resource string

// The resources kubesim simulates. All is `kubectl get all`'s category.
const (
	Pods        Resource = "pods"
	Deployments Resource = "deployments"
	ReplicaSets Resource = "replicasets"
	DaemonSets  Resource = "daemonsets"
	Services    Resource = "services"
	Endpoints   Resource = "endpoints"
	Nodes       Resource = "nodes"
	Namespaces  Resource = "namespaces"
	// PodDisruptionBudgets are policy/v1 budgets (kubectl get pdb).
	PodDisruptionBudgets Resource = "poddisruptionbudgets"
	Events               Resource = "events"
	// EndpointSlices are discovery.k8s.io/v1 EndpointSlices.
	EndpointSlices Resource = "endpointslices"
	All            Resource = "all"
)

// resourceInfo is what kubectl knows of a resource type (as a RESTMapping:
// group, kind, names, scope), how kubesim finds its objects in the cluster
// and how get, describe and -o yaml print them: one table of kinds instead of
// a switch per verb.
type resourceInfo struct {
	group, kind string
	names       []string // singular, short names, kind, fully qualified
	namespaced  bool
	// get returns the object named name in namespace ns (ignored for
	// cluster-scoped kinds), nil if none; list every object of the kind in
	// ns ("" for every namespace), in creation order. Nil for the kinds the
	// cluster does not keep as objects.
	get  func(c *model.Cluster, ns, name string) model.Object
	list func(c *model.Cluster, ns string) []model.Object
	// columns are get's table columns, wideColumns the ones -o wide adds;
	// row gives an object's cells in both (printers.go).
	columns, wideColumns []string
	row                  func(p *printer, o object) (row, wide []string)
	// describe prints kubectl describe of an object (nil: nothing).
	describe func(p *printer, w *DescribeWriter, o object)
	// apiObject is an object as the API server returns it, for -o
	// yaml|json|jsonpath (objects.go; nil: not printed that way yet).
	apiObject func(x *Executor, p *printer, o object) runtime.Object
	// toAPI converts an object to its API type (manifest/convert.go), the
	// input of patch and edit; nil: those verbs refuse the kind.
	toAPI func(c *model.Cluster, o model.Object) runtime.Object
	// scale, setImage and delete apply those verbs to an object (steps.go;
	// nil: the verb refuses the kind).
	scale    func(c *model.Cluster, o model.Object, replicas int) error
	setImage func(c *model.Cluster, o model.Object, image string) error
	delete   func(c *model.Cluster, o model.Object, grace sim.Time) error
	// apply creates or updates the object of an API object of the kind
	// (apply, create -f, patch, edit; apply.go; nil: refused).
	apply applier
	// podTemplate is the pod template of an API object of the kind (a
	// Pod's own metadata and spec; nil: the kind has none), for -o yaml
	// of the objects applied (objects.go).
	podTemplate func(obj runtime.Object) *corev1.PodTemplateSpec
	// rollout is kubectl rollout of the kind (rollout.go; nil: refused).
	rollout *rolloutOps
	// expose is the selector (and port, 0 if none) of the Service that
	// kubectl expose makes for an object of the kind (steps.go; nil:
	// refused, as kubectl refuses DaemonSets).
	expose func(o model.Object) (selector map[string]string, port int, err error)
	// getAlone prints get's table of a kind that is not kept as model
	// objects, listed in a get of its own; getAloneObjects its -o
	// yaml|json|name|... (events.go; nil: refused). selectsFields: get of
	// the kind takes --sort-by and --field-selector.
	getAlone, getAloneObjects func(p *printer, cmd Command) (string, error)
	selectsFields             bool
	// notDescribed is describe's refusal of the kind: what shows its
	// objects instead ("": describe uses the entry's describe).
	notDescribed string
	// warning is the API server's warning printed with get of the kind
	// (a deprecated API; "": none).
	warning string
	// apiServerLabels are the labels of the kind's object for the API
	// server's own Service, kubernetes in default, which kubesim
	// synthesises (nil: the kind has none).
	apiServerLabels map[string]string
}

// applier is a kind's apply, with the API types it takes (a kind may have
// several versions: autoscaling/v1 and v2 HorizontalPodAutoscalers).
type applier struct {
	types []reflect.Type
	fn    func(x *Executor, obj runtime.Object, verb applyVerb) (string, error)
}

// applyOf adapts a kind's apply of its API type to the table's signature.
func applyOf[A runtime.Object](f func(*Executor, A, applyVerb) (string, error)) applier {
	return applier{types: []reflect.Type{reflect.TypeFor[A]()},
		fn: func(x *Executor, obj runtime.Object, verb applyVerb) (string, error) { return f(x, obj.(A), verb) }}
}

// apiKinds is the resource of each API type a kind's apply takes.
var apiKinds = map[reflect.Type]Resource{}

// warningOf is the API server's warning for the first object of objs whose
// kind has one ("" if none).
func warningOf(objs []object) string {
	for _, o := range objs {
		if w := resources[o.res].warning; w != "" {
			return w
		}
	}
	return ""
}

// apiKind is the kind of an API object, as the table applies it.
func apiKind(obj runtime.Object) (resourceInfo, bool) {
	r, ok := apiKinds[reflect.TypeOf(obj)]
	return resources[r], ok
}

// The columns of the workload kinds' -o wide.
var templateColumns = []string{"CONTAINERS", "IMAGES", "SELECTOR"}

// resources is the table of kinds. It is filled by init, as its printers
// refer back to it.
var resources map[Resource]resourceInfo

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
			})},
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
			get:     func(c *model.Cluster, ns, name string) model.Object { return obj(c.ServiceIn(ns, name)) },
			list:    func(c *model.Cluster, ns string) []model.Object { return inNamespace(c.Services(), ns) },
			columns: []string{"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"}, wideColumns: []string{"SELECTOR"},
			apiServerLabels: kubernetesServiceLabels,
			row:             (*printer).serviceRow, describe: (*printer).describeService, apiObject: apiObjectOfObject((*Executor).serviceObject),
			toAPI: toAPIOf(manifest.APIService), delete: deleteOf(deleteService), apply: applyOf((*Executor).applyService), expose: exposeOf(exposeService)},
		// A Service's Endpoints object has the Service's name and namespace.
		Endpoints: {group: "", kind: "Endpoints", names: []string{"ep"}, namespaced: true,
			get:     func(c *model.Cluster, ns, name string) model.Object { return obj(c.ServiceIn(ns, name)) },
			list:    func(c *model.Cluster, ns string) []model.Object { return inNamespace(c.Services(), ns) },
			columns: []string{"NAME", "ENDPOINTS", "AGE"},
			row:     (*printer).endpointsRow, warning: EndpointsWarning, notDescribed: "get endpoints lists them, and describe service shows each port's",
			apiServerLabels: map[string]string{"endpointslice.kubernetes.io/skip-mirror": "true"}, apiObject: apiObjectOfObject((*Executor).endpointsObject),
			delete: deleteOf(deleteEndpoints)},
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
			getAlone: (*printer).getEndpointSlices, notDescribed: "get endpointslices lists them"},
		// HPAs are printed by the scenario run's Autoscaling.
		HPAs: {group: "autoscaling", kind: "HorizontalPodAutoscaler", names: []string{"horizontalpodautoscaler", "hpa"}, namespaced: true,
			apply: applier{types: []reflect.Type{reflect.TypeFor[*autoscalingv1.HorizontalPodAutoscaler](), reflect.TypeFor[*autoscalingv2.HorizontalPodAutoscaler]()},
				fn: (*Executor).applyHPA}},
	}
	for r, info := range resources {
		for _, t := range info.apply.types {
			apiKinds[t] = r
		}
	}
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
func exposeOf[P model.Object](f func(P) (map[string]string, int, error)) func(model.Object) (map[string]string, int, error) {
	return func(o model.Object) (map[string]string, int, error) { v, _ := o.(P); return f(v) }
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

// obj is p as a model.Object, nil for a nil pointer.
func obj[T any, P interface {
	*T
	model.Object
}](p P) model.Object {
	if p == nil {
		return nil
	}
	return p
}

// inNamespace is the objects of ps in namespace ns ("": all).
func inNamespace[T any, P interface {
	*T
	model.Object
}](ps []P, ns string) []model.Object {
	out := make([]model.Object, 0, len(ps))
	for _, p := range ps {
		if ns == "" || p.Meta().Namespace == ns {
			out = append(out, p)
		}
	}
	return out
}

func objs[T any, P interface {
	*T
	model.Object
}](ps []P) []model.Object {
	out := make([]model.Object, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}

// Object returns the object of r named name in namespace ns, or nil (also
// for the kinds kubesim does not keep as objects: Namespaces).
func (r Resource) Object(c *model.Cluster, ns, name string) model.Object {
	if info := resources[r]; info.get != nil {
		return info.get(c, ns, name)
	}
	return nil
}

// Objects returns the objects of r in namespace ns ("" for all namespaces),
// sorted by name as the API server lists them (then by namespace).
func (r Resource) Objects(c *model.Cluster, ns string) []model.Object {
	info := resources[r]
	if info.list == nil {
		return nil
	}
	out := info.list(c, ns)
	slices.SortStableFunc(out, func(a, b model.Object) int {
		ma, mb := a.Meta(), b.Meta()
		if ma.Namespace != mb.Namespace {
			return strings.Compare(ma.Namespace, mb.Namespace)
		}
		return strings.Compare(ma.Name, mb.Name)
	})
	return out
}

// LookupResource resolves a resource name as kubectl does: plural, singular,
// short name, kind (case-insensitively) or resource.group ("deployments.apps",
// "deploy.apps"), and "all".
func LookupResource(s string) (Resource, bool) {
	l := strings.ToLower(s)
	if l == "all" {
		return All, true
	}
	name, group, hasGroup := strings.Cut(l, ".")
	for r, info := range resources {
		if hasGroup && group != info.group && !(group == "v1" && info.group == "") {
			continue
		}
		if name == string(r) || name == strings.ToLower(info.kind) {
			return r, true
		}
		for _, n := range info.names {
			if name == n {
				return r, true
			}
		}
	}
	return "", false
}

// Kind returns the resource's kind, e.g. "Deployment".
func (r Resource) Kind() string { return resources[r].kind }

// GroupKind returns "Kind.group" as kubectl prints a GroupKind, e.g.
// "ReplicaSet.apps", "Pod".
func (r Resource) GroupKind() string {
	if g := resources[r].group; g != "" {
		return resources[r].kind + "." + g
	}
	return resources[r].kind
}

// Namespaced reports whether objects of r live in a namespace.
func (r Resource) Namespaced() bool { return resources[r].namespaced }

// Qualified returns "resource.group" as the API server names it in errors,
// e.g. "deployments.apps", "pods".
func (r Resource) Qualified() string {
	if g := resources[r].group; g != "" {
		return string(r) + "." + g
	}
	return string(r)
}

// Ref returns kubectl's "kind.group/name" for an object of r, e.g.
// "deployment.apps/rng", "pod/rng-xyz".
func (r Resource) Ref(name string) string {
	info := resources[r]
	k := strings.ToLower(info.kind)
	if info.group != "" {
		k += "." + info.group
	}
	return k + "/" + name
}

// ResourceForKind returns the resource of a kind ("Deployment" -> deployments).
func ResourceForKind(kind string) (Resource, bool) {
	for r, info := range resources {
		if info.kind == kind {
			return r, true
		}
	}
	return "", false
}

// Target is one resource type, optionally with one object name. Name "" means
// every object of the type (filtered by the command's selector).
type Target struct {
	Resource Resource
	Name     string
}

func (t Target) String() string {
	if t.Name == "" {
		return string(t.Resource)
	}
	return t.Resource.Ref(t.Name)
}

// unknownResource is kubectl's error for a resource type it cannot map.
func unknownResource(s string) error {
	return &UsageError{Msg: fmt.Sprintf("the server doesn't have a resource type %q", s)}
}

package kubectl

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios/manifest"
	"github.com/kubesim/kubesim/sim"
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
	// asApplied copies into dst, the object of toAPI, the fields of full,
	// the object of apiObject, that patch and edit start from as applied
	// (steps.go's apiObject; nil: the pod template's spec, if the kind has
	// one).
	asApplied func(dst, full runtime.Object)
	// rollout is kubectl rollout of the kind (rollout.go; nil: refused).
	rollout *rolloutOps
	// expose is the selector (and the ports kubectl introspects) of the
	// Service that kubectl expose makes for an object of the kind
	// (steps.go; nil: refused, as kubectl refuses DaemonSets).
	expose func(o model.Object) (selector map[string]string, ports []exposedPort, err error)
	// getAlone prints get's table of a kind that is not kept as model
	// objects, listed in a get of its own; getAloneObjects its -o
	// yaml|json|name|... (events.go; nil: refused). selectsFields: get of
	// the kind takes --sort-by and --field-selector.
	getAlone, getAloneObjects func(p *printer, cmd Command) (string, error)
	selectsFields             bool
	// describeAlone is describe of such a kind, in a describe of its own
	// (nil: notDescribed, or the entry's describe).
	describeAlone func(p *printer, cmd Command) (string, error)
	// notDescribed is describe's refusal of the kind: what shows its
	// objects instead ("": describe uses the entry's describe).
	notDescribed string
	// warning is the API server's warning printed with get of the kind
	// (a deprecated API; "": none).
	warning string
}

// rolloutOps is what kubectl rollout does to an object of a kind (the rollout
// entry of the kinds table; nil: kubectl has no rollout for the kind).
type rolloutOps struct {
	// restart restarts the object's pods (a new template annotation).
	restart func(c *model.Cluster, o model.Object) error
	// status is rollout status's line for the object, whether the rollout
	// is done, or the error that ends kubectl's wait (a progress deadline).
	status func(c *model.Cluster, o model.Object) (line string, done bool, err error)
	// history is the object's revisions, oldest first, and the current one.
	history func(o model.Object) (revs []model.Revision, current int)
	// undo rolls the object back to revision rev.
	undo func(c *model.Cluster, o model.Object, rev int) error
	// noPrevious is undo's error when there is no revision to roll back to.
	noPrevious func(name string) error
	// paused and pause: whether the rollout is paused, and pause (or
	// resume) it; nil where the kind cannot be paused.
	paused func(o model.Object) bool
	pause  func(c *model.Cluster, o model.Object, pause bool)
}

// applyVerb words an applied object's outcome as kubectl does: created,
// configured, unchanged; patched or patched (no change) for a patch.
type applyVerb func(created, changed bool) string

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

// resources is the table of kinds, filled by kinds.go (its entries refer
// to the verbs' functions, which look kinds up here).
var resources map[Resource]resourceInfo

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

// unknownResource is kubectl's error for a resource type it cannot map; for
// a kind of Kubernetes' own that kubesim does not simulate (secrets, sts,
// ingresses), it says so instead of denying the type exists.
func unknownResource(s string) error {
	if apiVersion, kind, ok := manifest.BuiltinResource(s); ok {
		return &UsageError{Msg: fmt.Sprintf("kubesim does not simulate %s (%s %s): apply -f skips them with a warning, so no step can get, describe or change one; remove this step", s, apiVersion, kind)}
	}
	return &UsageError{Msg: fmt.Sprintf("the server doesn't have a resource type %q", s), Resource: s}
}

// CustomResourceError is what a step naming the resource type of a custom
// resource says (a CustomResourceDefinition applied by an earlier step
// defines it): the type exists, but kubesim skips its objects; nil if crd
// does not define the type u names.
func CustomResourceError(u *UsageError, crds []manifest.CRD) error {
	if u == nil || u.Resource == "" {
		return nil
	}
	for i := len(crds) - 1; i >= 0; i-- {
		if c := crds[i]; c.Names(u.Resource) {
			return &UsageError{Verb: u.Verb, Msg: fmt.Sprintf("kubesim does not simulate %s (%s/%s %s, a custom resource: CustomResourceDefinition %s): apply -f skips them with a warning, so no step can get, describe or change one; remove this step",
				u.Resource, c.Group, c.Versions[0], c.Kind, c.Name)}
		}
	}
	return nil
}

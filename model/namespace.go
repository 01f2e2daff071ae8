package model

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/sim"
)

// Namespaces: every namespaced object (Pod, Service, Deployment, ReplicaSet,
// DaemonSet) lives in one; names are unique per namespace and kind; a
// Service's and a controller's selector select pods of their own namespace
// only. A cluster starts with kubeadm's four: default, kube-node-lease,
// kube-public, kube-system.
//
// Deleting a namespace (DeleteNamespace) follows Kubernetes' two phases: the
// Namespace gets its deletionTimestamp and phase Terminating at once (the
// NamespaceLifecycle admission plugin then refuses new objects in it); the
// namespace controller, after its sync delay, deletes everything in it
// (controllers cascade, pods with their grace period); once no pod of it
// remains, the kubernetes finalizer is removed and the Namespace is gone. A
// pod stuck Terminating on a down node keeps its namespace Terminating, as in
// a cluster. default, kube-system and kube-public may not be deleted.

// DefaultNamespace is the namespace of objects created without one.
const DefaultNamespace = "default"

// Namespace phases.
const (
	NamespaceActive      = "Active"
	NamespaceTerminating = "Terminating"
)

// LabelMetadataName is the label the API server sets on every Namespace.
const LabelMetadataName = "kubernetes.io/metadata.name"

// Namespace is a v1 Namespace.
type Namespace struct {
	ObjectMeta
	Phase   string // Active or Terminating
	Deleted bool   // gone (finalized)

	contentDeleted bool // the namespace controller deleted its objects
}

// nsName keys the objects of a namespaced kind.
type nsName struct{ ns, name string }

func orDefault(ns string) string {
	if ns == "" {
		return DefaultNamespace
	}
	return ns
}

var systemNamespaces = []string{DefaultNamespace, "kube-node-lease", "kube-public", "kube-system"}

func (c *Cluster) initNamespaces() {
	for _, n := range systemNamespaces {
		if _, err := c.CreateNamespace(n, nil); err != nil {
			panic("model: " + err.Error())
		}
	}
}

var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// CreateNamespace creates a namespace (kubectl create namespace, a manifest
// of kind Namespace). It gets the kubernetes.io/metadata.name label, as the
// API server sets it.
func (c *Cluster) CreateNamespace(name string, labels map[string]string) (*Namespace, error) {
	if len(name) > 63 || !dns1123Label.MatchString(name) {
		return nil, fmt.Errorf(`Namespace %q is invalid: metadata.name: Invalid value: %q: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`, name, name)
	}
	if c.nsByName[name] != nil {
		return nil, fmt.Errorf(`namespaces %q already exists`, name)
	}
	l := copyLabels(labels)
	if l == nil {
		l = map[string]string{}
	}
	l[LabelMetadataName] = name
	ns := &Namespace{ObjectMeta: c.newMeta(name, "", l, nil), Phase: NamespaceActive}
	ns.Generation = 0 // a Namespace has no spec generation
	c.namespaces = append(c.namespaces, ns)
	c.nsByName[name] = ns
	return ns, nil
}

// Namespace returns the namespace named name (Active or Terminating), or nil.
func (c *Cluster) Namespace(name string) *Namespace { return c.nsByName[name] }

// Namespaces returns the namespaces that exist, in creation order.
func (c *Cluster) Namespaces() []*Namespace {
	out := make([]*Namespace, 0, len(c.namespaces))
	for _, ns := range c.namespaces {
		if !ns.Deleted {
			out = append(out, ns)
		}
	}
	return out
}

// SetNamespaceLabels replaces a namespace's labels; the
// kubernetes.io/metadata.name label stays.
func (c *Cluster) SetNamespaceLabels(ns *Namespace, labels map[string]string) {
	l := copyLabels(labels)
	if l == nil {
		l = map[string]string{}
	}
	l[LabelMetadataName] = ns.Name
	ns.Labels = l
	c.touch(&ns.ObjectMeta)
}

// canCreateIn is the NamespaceLifecycle admission plugin's check for a new
// object in namespace ns.
func (c *Cluster) canCreateIn(ns string) error {
	n := c.nsByName[ns]
	switch {
	case n == nil:
		return fmt.Errorf(`namespaces %q not found`, ns)
	case n.Phase == NamespaceTerminating:
		return fmt.Errorf("unable to create new content in namespace %s because it is being terminated", ns)
	}
	return nil
}

// DeleteNamespace starts the deletion of a namespace (kubectl delete
// namespace): Terminating at once; its objects are deleted by the namespace
// controller after its sync delay, and the namespace is gone when the last of
// its pods is.
func (c *Cluster) DeleteNamespace(name string) error {
	ns := c.nsByName[name]
	if ns == nil {
		return fmt.Errorf(`namespaces %q not found`, name)
	}
	switch name {
	case DefaultNamespace, "kube-system", "kube-public":
		return fmt.Errorf(`namespaces %q is forbidden: this namespace may not be deleted`, name)
	}
	if ns.Phase == NamespaceTerminating {
		return nil
	}
	ns.Phase = NamespaceTerminating
	now := c.Now()
	ns.DeletionTimestamp = &now
	c.touch(&ns.ObjectMeta)
	c.E.After(c.d.controllerSync.Sample(), nsDeleter{c, ns}, 0)
	return nil
}

type nsDeleter struct {
	c  *Cluster
	ns *Namespace
}

func (d nsDeleter) Handle(*sim.Engine, int64) { d.c.deleteContent(d.ns) }

// deleteContent is the namespace controller's sync of a terminating
// namespace: every object in it is deleted (controllers first, so that they
// do not replace the pods), then the pods.
func (c *Cluster) deleteContent(ns *Namespace) {
	for _, d := range c.deployments {
		if !d.Deleted && d.Namespace == ns.Name {
			c.DeleteDeployment(d, true)
		}
	}
	for _, rs := range c.replicasets {
		if !rs.Deleted && rs.Namespace == ns.Name {
			c.DeleteReplicaSet(rs, true)
		}
	}
	for _, ds := range c.daemonsets {
		if !ds.Deleted && ds.Namespace == ns.Name {
			c.DeleteDaemonSet(ds, true)
		}
	}
	for _, s := range c.services {
		if !s.Deleted && s.Namespace == ns.Name {
			c.DeleteService(s)
		}
	}
	for _, b := range c.PDBs() {
		if b.Namespace == ns.Name {
			c.DeletePDB(b)
		}
	}
	for _, cm := range c.ConfigMaps() {
		if cm.Namespace == ns.Name {
			c.DeleteConfigMap(cm)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(c.addons)) {
		if a, ok := c.addons[key].(NamespacedAddon); ok {
			a.DeleteNamespace(ns.Name)
		}
	}
	for _, p := range c.pods {
		if !p.Gone && p.Namespace == ns.Name {
			c.DeletePod(p)
		}
	}
	ns.contentDeleted = true
	c.finalizeNamespace(ns)
}

// NamespacedAddon is an addon (SetAddon) that keeps namespaced objects
// (model/hpa's HorizontalPodAutoscalers): the namespace controller deletes
// them with the rest of their namespace's content. An EventSink that is one
// (EventLog) drops a namespace's Events once the namespace is gone.
type NamespacedAddon interface {
	// DeleteNamespace deletes the addon's objects of namespace ns.
	DeleteNamespace(ns string)
}

// finalizeNamespace removes a terminating namespace whose content is deleted
// once none of its pods remains.
func (c *Cluster) finalizeNamespace(ns *Namespace) {
	if ns == nil || ns.Deleted || !ns.contentDeleted {
		return
	}
	for _, p := range c.pods {
		if !p.Gone && p.Namespace == ns.Name {
			return
		}
	}
	ns.Deleted = true
	delete(c.nsByName, ns.Name)
	if d, ok := c.events.(NamespacedAddon); ok {
		d.DeleteNamespace(ns.Name) // the EventLog: its objects' Events go with it
	}
}

// indexLabels are the labels (or a Service's selector) as the endpoint index
// sees them: those of the default namespace as they are; in another
// namespace every key is prefixed with the namespace and a NUL byte (which no
// label key can contain), so that a Service selects pods of its own
// namespace only.
func indexLabels(ns string, m map[string]string) map[string]string {
	if ns == DefaultNamespace || ns == "" || len(m) == 0 {
		return m
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[ns+"\x00"+k] = v
	}
	return out
}

// ResolveService is the cluster DNS for a pod of namespace from: NAME is the
// Service NAME of from's namespace; NAME.NS, NAME.NS.svc and
// NAME.NS.svc.cluster.local (a final dot allowed) the Service NAME of NS. nil
// when there is no such Service (the name does not resolve). It does not
// allocate.
func (c *Cluster) ResolveService(from, name string) *Service {
	name = strings.TrimSuffix(name, ".")
	i := strings.IndexByte(name, '.')
	if i < 0 {
		return c.ServiceIn(orDefault(from), name)
	}
	svc, ns := name[:i], name[i+1:]
	if j := strings.IndexByte(ns, '.'); j >= 0 {
		if rest := ns[j:]; rest != ".svc" && rest != ".svc.cluster.local" {
			return nil
		}
		ns = ns[:j]
	}
	return c.ServiceIn(ns, svc)
}

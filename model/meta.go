package model

import (
	"fmt"
	"maps"
	"math/rand/v2"

	"github.com/kubesim/kubesim/model/labels"

	"github.com/kubesim/kubesim/sim"
)

// ObjectMeta is the metadata every API object carries: the fields of
// metav1.ObjectMeta that kubesim keeps. Pod, Node, Service, Deployment,
// ReplicaSet and DaemonSet embed it, so that p.Name, d.Labels, n.Annotations
// read as in Kubernetes' types, and kubectl's label, annotate, -l,
// --show-labels and describe work the same on every kind.
//
// Labels of a Pod, Service selector matches and a Node's labels are read by
// the controllers and the scheduler: change them through the cluster's
// methods (SetPodLabels, SetNodeLabels, SetLabels), which tell whoever
// watches. Labels and annotations of the other kinds are metadata only, as in
// Kubernetes (a Deployment's labels are not its pod template's).
type ObjectMeta struct {
	Name string
	// Namespace is the object's namespace ("" for cluster-scoped kinds:
	// Node).
	Namespace string
	// UID is the object's unique id, a random (version 4) UUID drawn from
	// the cluster's own seeded stream, so it is the same for a seed.
	UID string
	// ResourceVersion is the cluster's write counter at the object's last
	// change made through the cluster's metadata and spec methods (status
	// changes by controllers do not bump it in kubesim).
	ResourceVersion int64
	// Generation counts the changes of the object's spec (1 at creation),
	// for the kinds that have one.
	Generation int64
	// CreationTimestamp is the simulated time of creation (the scenario's
	// start time gives it a wall clock).
	CreationTimestamp sim.Time
	Labels            map[string]string
	Annotations       map[string]string
	// Owner is the controller's ownerReference (controller: true), nil for
	// none: kubesim's objects have at most one owner.
	Owner *OwnerRef
	// DeletionTimestamp is when the object's deletion was asked for, if it
	// is being deleted (Terminating) but not yet gone; nil otherwise.
	DeletionTimestamp *sim.Time
}

// Meta returns the object's metadata (for code that handles every kind).
func (m *ObjectMeta) Meta() *ObjectMeta { return m }

// newMeta fills the metadata of a new object: UID, generation 1, creation
// time, resource version.
func (c *Cluster) newMeta(name, namespace string, labels, annotations map[string]string) ObjectMeta {
	uid := uidDigits(c.metaRand)
	m := ObjectMeta{Name: name, Namespace: namespace, UID: c.keepString(uid[:]),
		Generation: 1, CreationTimestamp: c.Now(),
		Labels: copyLabels(labels), Annotations: copyLabels(annotations)}
	c.touch(&m)
	return m
}

// NewObjectMeta is the metadata of a new object that a controller outside
// the cluster keeps (model/hpa's HorizontalPodAutoscalers): as the cluster's
// own objects get, with its UID drawn from uidRand, the controller's own
// stream, so that the UIDs of the cluster's objects are the same with and
// without it.
func (c *Cluster) NewObjectMeta(name, namespace string, labels, annotations map[string]string, uidRand *rand.Rand) ObjectMeta {
	m := ObjectMeta{Name: name, Namespace: namespace, UID: newUID(uidRand), Generation: 1, CreationTimestamp: c.Now(),
		Labels: copyLabels(labels), Annotations: copyLabels(annotations)}
	c.touch(&m)
	return m
}

// Touch records a change of an object kept outside the cluster (a spec
// change: its generation and resource version).
func (c *Cluster) Touch(m *ObjectMeta) { c.bumpGeneration(m) }

// SetAddon registers v, a controller that runs beside the cluster's own
// and keeps the objects of a kind the model does not (model/hpa's
// HorizontalPodAutoscaler controller), under key; Addon returns it (nil:
// none), so that what holds the cluster (kubectl's table of kinds) finds
// those objects as it finds the cluster's.
func (c *Cluster) SetAddon(key string, v any) {
	if c.addons == nil {
		c.addons = map[string]any{}
	}
	c.addons[key] = v
}

// Addon returns what SetAddon registered under key (nil: nothing).
func (c *Cluster) Addon(key string) any { return c.addons[key] }

// touch bumps the object's resource version.
func (c *Cluster) touch(m *ObjectMeta) {
	c.rv++
	m.ResourceVersion = c.rv
}

// bumpGeneration records a change of the object's spec.
func (c *Cluster) bumpGeneration(m *ObjectMeta) {
	m.Generation++
	c.touch(m)
}

// strategyKey is a rollout strategy as text, for comparisons (the values,
// not the pointers).
func strategyKey(typ string, surge, unavailable *IntOrPercent) string {
	s := typ
	for _, v := range []*IntOrPercent{surge, unavailable} {
		s += "/"
		if v != nil {
			s += v.String()
		}
	}
	return s
}

// newUID draws a version 4 UUID (8-4-4-4-12 lower-case hex digits). It is
// written digit by digit: with fmt.Sprintf it was 42% of the instructions of
// creating 100,000 pods.
func newUID(r *rand.Rand) string {
	u := uidDigits(r)
	return string(u[:])
}

// uidDigits is newUID's text, for a caller that keeps it elsewhere
// (Cluster.keepString).
func uidDigits(r *rand.Rand) [36]byte {
	a, b := r.Uint64(), r.Uint64()
	a = a&^0xf000 | 0x4000     // version 4
	b = b&^(0xc<<60) | 0x8<<60 // variant 10
	var buf [36]byte
	hexDigits(buf[0:8], a>>32)
	buf[8] = '-'
	hexDigits(buf[9:13], a>>16)
	buf[13] = '-'
	hexDigits(buf[14:18], a)
	buf[18] = '-'
	hexDigits(buf[19:23], b>>48)
	buf[23] = '-'
	hexDigits(buf[24:36], b)
	return buf
}

// hexDigits writes the len(dst) lowest hex digits of v into dst.
func hexDigits(dst []byte, v uint64) {
	const digits = "0123456789abcdef"
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = digits[v&0xf]
		v >>= 4
	}
}

// Object is an API object the cluster keeps: *Pod, *Node, *Service,
// *Deployment, *ReplicaSet, *DaemonSet..., or one kept by an addon
// (*hpa.HPA).
type Object interface{ Meta() *ObjectMeta }

// SetLabels replaces the object's labels (kubectl label, apply). A pod's
// labels decide its controller and its Services (SetPodLabels), a node's its
// pods' placement (SetNodeLabels); the other kinds' labels are metadata.
func (c *Cluster) SetLabels(o Object, m map[string]string) error {
	switch x := o.(type) {
	case *Pod:
		if err := labels.ValidateLabels(m); err != nil {
			return fmt.Errorf("pod %q: %v", x.Name, err)
		}
		c.SetPodLabels(x, m)
		return nil
	case *Node:
		return c.SetNodeLabels(x.Name, m)
	}
	meta := o.Meta()
	if err := labels.ValidateLabels(m); err != nil {
		return fmt.Errorf("%q: %v", meta.Name, err)
	}
	same := maps.Equal(meta.Labels, m)
	meta.Labels = copyLabels(m)
	c.touch(meta)
	if s, ok := o.(*Service); ok {
		c.serviceSynced(s, !same) // the endpoints controllers copy its labels
	}
	return nil
}

// SetAnnotations replaces the object's annotations (kubectl annotate, apply),
// e.g. a pod's pod-deletion-cost.
//
// A Deployment's new ReplicaSet takes its annotations at once, as the
// controller's next sync copies them (kubectl rollout history's CHANGE-CAUSE
// reads kubernetes.io/change-cause there).
func (c *Cluster) SetAnnotations(o Object, m map[string]string) {
	meta := o.Meta()
	meta.Annotations = copyLabels(m)
	c.touch(meta)
	if s, ok := o.(*Service); ok {
		c.serviceSynced(s, false)
	}
	if d, ok := o.(*Deployment); ok && !d.Deleted {
		if rs := d.NewReplicaSet(); rs != nil && copyDeploymentAnnotations(d, rs) {
			c.touch(&rs.ObjectMeta)
		}
	}
}

package model

import (
	"sort"

	"github.com/kubesim/kubesim/sim"
)

// Resources is an amount of CPU (millicores), memory (bytes) and pods.
type Resources struct {
	MilliCPU int64
	Memory   int64
	Pods     int64
}

// Add returns r + o.
func (r Resources) Add(o Resources) Resources {
	return Resources{r.MilliCPU + o.MilliCPU, r.Memory + o.Memory, r.Pods + o.Pods}
}

// Sub returns r - o.
func (r Resources) Sub(o Resources) Resources {
	return Resources{r.MilliCPU - o.MilliCPU, r.Memory - o.Memory, r.Pods - o.Pods}
}

// Fits reports whether o fits in r.
func (r Resources) Fits(o Resources) bool {
	return o.MilliCPU <= r.MilliCPU && o.Memory <= r.Memory && o.Pods <= r.Pods
}

// TaintEffect is NoSchedule, PreferNoSchedule or NoExecute.
type TaintEffect string

// Taint effects, as Kubernetes names them.
const (
	NoSchedule       TaintEffect = "NoSchedule"
	PreferNoSchedule TaintEffect = "PreferNoSchedule"
	NoExecute        TaintEffect = "NoExecute"
)

// Taint is a node taint.
type Taint struct {
	Key    string
	Value  string
	Effect TaintEffect
	// Added is when the taint was added (for NoExecute tolerationSeconds).
	Added sim.Time
}

// Toleration is a pod toleration. Operator is "Exists" or "Equal" ("" means Equal).
// Seconds < 0 means tolerate forever (no tolerationSeconds).
type Toleration struct {
	Key      string
	Operator string
	Value    string
	Effect   TaintEffect // "" matches every effect
	Seconds  int64
}

// Tolerates reports whether t tolerates taint.
func (t Toleration) Tolerates(taint Taint) bool {
	if t.Effect != "" && t.Effect != taint.Effect {
		return false
	}
	if t.Key == "" {
		return t.Operator == "Exists"
	}
	if t.Key != taint.Key {
		return false
	}
	if t.Operator == "Exists" {
		return true
	}
	return t.Value == taint.Value
}

// Well-known labels and taints.
const (
	LabelHostname          = "kubernetes.io/hostname"
	LabelControlPlane      = "node-role.kubernetes.io/control-plane"
	TaintControlPlane      = "node-role.kubernetes.io/control-plane"
	TaintNotReady          = "node.kubernetes.io/not-ready"
	TaintUnreachable       = "node.kubernetes.io/unreachable"
	TaintUnschedulable     = "node.kubernetes.io/unschedulable"
	LabelPodTemplateHash   = "pod-template-hash"
	LabelControllerRevHash = "controller-revision-hash"
)

// PodPhase is the pod's lifecycle phase.
type PodPhase string

// Pod phases.
const (
	PodPending   PodPhase = "Pending"
	PodRunning   PodPhase = "Running"
	PodSucceeded PodPhase = "Succeeded"
	PodFailed    PodPhase = "Failed"
)

// Probe is a readiness probe, in Kubernetes' terms.
type Probe struct {
	InitialDelay     sim.Time
	Period           sim.Time
	SuccessThreshold int
	FailureThreshold int
}

// PodSpec is what a pod runs: the image decides which workload model runs in it.
type PodSpec struct {
	Image         string
	Requests      Resources // zero CPU/memory means none set
	NodeSelector  map[string]string
	Tolerations   []Toleration
	Readiness     *Probe
	GracePeriod   sim.Time
	NodeName      string // set by the DaemonSet controller or the user to pin a pod
	Affinity      *NodeAffinity
	RestartAlways bool
}

// NodeAffinity is the required node affinity: the pod fits a node if any term
// matches (terms are ORed, expressions in a term ANDed).
type NodeAffinity struct {
	Terms []NodeSelectorTerm
}

// NodeSelectorTerm is a list of requirements on node labels (or on metadata.name
// for MatchFields).
type NodeSelectorTerm struct {
	MatchExpressions []NodeSelectorRequirement
	MatchFields      []NodeSelectorRequirement
}

// NodeSelectorRequirement is key op values, with op In, NotIn, Exists,
// DoesNotExist, Gt or Lt.
type NodeSelectorRequirement struct {
	Key      string
	Operator string
	Values   []string
}

// OwnerRef names the controller that owns a pod.
type OwnerRef struct {
	Kind string // ReplicaSet, DaemonSet
	Name string
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

func copyLabels(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

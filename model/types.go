package model

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"reflect"
	"sort"
	"strings"

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
// Seconds is tolerationSeconds (NoExecute only): nil tolerates forever, 0 not at
// all (evicted at once), as in Kubernetes.
type Toleration struct {
	Key      string
	Operator string
	Value    string
	Effect   TaintEffect // "" matches every effect
	Seconds  *int64
}

// String formats the toleration for hashing and messages.
func (t Toleration) String() string {
	s := fmt.Sprintf("%s:%s:%s:%s", t.Key, t.Operator, t.Value, t.Effect)
	if t.Seconds != nil {
		s += fmt.Sprintf(":%ds", *t.Seconds)
	}
	return s
}

// Seconds returns a pointer to v, for Toleration.Seconds.
func Seconds(v int64) *int64 { return &v }

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
	TaintDiskPressure      = "node.kubernetes.io/disk-pressure"
	TaintMemoryPressure    = "node.kubernetes.io/memory-pressure"
	TaintPIDPressure       = "node.kubernetes.io/pid-pressure"
	TaintNetworkUnavail    = "node.kubernetes.io/network-unavailable"
	LabelPodTemplateHash   = "pod-template-hash"
	LabelControllerRevHash = "controller-revision-hash"
	LabelZone              = "topology.kubernetes.io/zone"
	// AnnotationRestartedAt is what `kubectl rollout restart` sets on the template.
	AnnotationRestartedAt = "kubectl.kubernetes.io/restartedAt"
	// AnnotationDeletionCost is controller.kubernetes.io/pod-deletion-cost.
	AnnotationDeletionCost = "controller.kubernetes.io/pod-deletion-cost"
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

// Probe is a readiness or liveness probe, in Kubernetes' terms.
type Probe struct {
	InitialDelay     sim.Time
	Period           sim.Time
	SuccessThreshold int
	FailureThreshold int
	// Handler is how the kubelet probes: ProbeHTTPGet, ProbeTCPSocket,
	// ProbeGRPC or ProbeExec ("": none given, it succeeds). Port is the
	// port's number, or PortName the container port it names; Host, Scheme
	// and Path are httpGet's (tcpSocket's Host too); Timeout is
	// timeoutSeconds.
	Handler  string
	Port     int
	PortName string
	Host     string
	Scheme   string
	Path     string
	Timeout  sim.Time
}

// LivenessProbes are a container's liveness and startup probes (either may
// be nil).
type LivenessProbes struct {
	Liveness, Startup *Probe
}

// Liveness is the (first) container's liveness probe, or nil.
func (s *PodSpec) Liveness() *Probe {
	if s.Probes == nil {
		return nil
	}
	return s.Probes.Liveness
}

// Startup is the (first) container's startup probe, or nil.
func (s *PodSpec) Startup() *Probe {
	if s.Probes == nil {
		return nil
	}
	return s.Probes.Startup
}

// Probe handlers.
const (
	ProbeHTTPGet   = "httpGet"
	ProbeTCPSocket = "tcpSocket"
	ProbeGRPC      = "grpc"
	ProbeExec      = "exec"
)

// PodSpec is what a pod runs: the image decides which workload model runs in it.
type PodSpec struct {
	Image string
	// Container is the name of the (first) container; "" when not given
	// (kubectl create deployment and run name it after the image). Changing
	// only the name does not roll a Deployment out in kubesim (it is not in
	// the template hash).
	Container string
	// Command and Args are the first container's command and args (nil: the
	// image's own). Workloads that read their arguments (httplat's URL) use
	// them.
	Command, Args []string
	Requests      Resources // zero CPU/memory means none set, unless ExplicitZero says it was given as 0
	// Limits are the containers' limits (zero: none); CPU is the CFS quota
	// of the CPU model (traffic/cpu).
	Limits       Resources
	NodeSelector map[string]string
	Tolerations  []Toleration
	Readiness    *Probe
	// Probes are the first container's liveness and startup probes, behind
	// one pointer (nil: neither): pods are kept by the million.
	Probes      *LivenessProbes
	GracePeriod sim.Time
	NodeName    string // spec.nodeName: set by the user to bypass the scheduler
	Affinity    *NodeAffinity
	// Ports are the containers' ports (a Service's named targetPort resolves
	// to one of them).
	Ports []ContainerPort
	// Env is the (first) container's environment, in the manifest's order
	// (a later variable of the same name wins, as the kubelet's does). A
	// workload may read it (a load generator's USERS); the cluster does not.
	Env []EnvVar

	// The flags come last, together: pods are kept by the million and
	// padding is memory.

	// ExplicitZero marks a CPU or memory request given as 0: it is a request,
	// so the scheduler's scoring defaults for missing requests (100m CPU,
	// 200Mi memory) do not apply to it.
	ExplicitZero  RequestFlags
	RestartAlways bool
	// HostNetwork pods also tolerate network-unavailable when run by a DaemonSet.
	HostNetwork bool
	// LocalStorage is set when the pod has an emptyDir or hostPath volume
	// (the cluster autoscaler does not move such pods).
	LocalStorage bool
}

// EnvVar is one variable of a container's env. ValueFrom marks one whose
// value comes from elsewhere (valueFrom: a ConfigMap, Secret, field or
// resource), which kubesim does not resolve: Value is then "".
type EnvVar struct {
	Name, Value string
	ValueFrom   bool
}

// LookupEnv is the container's variable name as the container sees it: the
// last one of that name (ok false: not set).
func (s *PodSpec) LookupEnv(name string) (v EnvVar, ok bool) {
	for i := len(s.Env) - 1; i >= 0; i-- {
		if s.Env[i].Name == name {
			return s.Env[i], true
		}
	}
	return EnvVar{}, false
}

// ContainerPort is a port a container declares.
type ContainerPort struct {
	Name     string
	Port     int
	Protocol string // TCP, UDP or SCTP ("" is TCP, the API's default)
	// HostPort is the node's port mapped to it (0: none), on HostIP ("":
	// every address, 0.0.0.0). The scheduler's NodePorts filter keeps two
	// pods with the same host port, protocol and address off one node;
	// kubesim routes no traffic through it.
	HostPort int
	HostIP   string
}

// RequestFlags names CPU and memory.
type RequestFlags struct{ CPU, Memory bool }

// NodeAffinity is the pod's node affinity. Terms is the required part: the pod
// fits a node if any term matches (terms are ORed, expressions in a term
// ANDed). Preferred is preferredDuringSchedulingIgnoredDuringExecution: a node
// scores the sum of the weights of the preferred terms it matches.
type NodeAffinity struct {
	Terms     []NodeSelectorTerm
	Preferred []PreferredSchedulingTerm
}

// PreferredSchedulingTerm is a weighted (1-100) node selector term.
type PreferredSchedulingTerm struct {
	Weight int32
	Term   NodeSelectorTerm
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

// OwnerRef names the controller that owns a pod (its ownerReference with
// controller: true).
type OwnerRef struct {
	Kind string // ReplicaSet, DaemonSet, Deployment
	Name string
}

// IntOrPercent is an intstr.IntOrString for maxSurge and maxUnavailable: an
// absolute number, or a percentage of the desired replicas when Percent is set.
type IntOrPercent struct {
	Value   int
	Percent bool
}

// Int is an absolute IntOrPercent.
func Int(v int) *IntOrPercent { return &IntOrPercent{Value: v} }

// Percent is a percentage IntOrPercent.
func Percent(v int) *IntOrPercent { return &IntOrPercent{Value: v, Percent: true} }

// String formats it as Kubernetes does ("25%" or "1").
func (v IntOrPercent) String() string {
	if v.Percent {
		return fmt.Sprintf("%d%%", v.Value)
	}
	return fmt.Sprint(v.Value)
}

// scaled resolves v against total, rounding up or down as Kubernetes'
// GetScaledValueFromIntOrPercent does.
func (v IntOrPercent) scaled(total int, roundUp bool) int {
	if !v.Percent {
		return v.Value
	}
	if roundUp {
		return (v.Value*total + 99) / 100
	}
	return v.Value * total / 100
}

// PodTemplate is a pod template: the labels, annotations and spec of the pods a
// controller creates.
type PodTemplate struct {
	Labels      map[string]string
	Annotations map[string]string
	Spec        PodSpec
}

func (t PodTemplate) clone() PodTemplate {
	t.Labels = copyLabels(t.Labels)
	t.Annotations = copyLabels(t.Annotations)
	t.Spec = t.Spec.clone()
	return t
}

func (s PodSpec) clone() PodSpec {
	s.NodeSelector = copyLabels(s.NodeSelector)
	s.Tolerations = append([]Toleration(nil), s.Tolerations...)
	s.Env = append([]EnvVar(nil), s.Env...)
	if s.Readiness != nil {
		r := *s.Readiness
		s.Readiness = &r
	}
	if s.Affinity != nil {
		a := &NodeAffinity{}
		for _, t := range s.Affinity.Terms {
			a.Terms = append(a.Terms, t.clone())
		}
		for _, t := range s.Affinity.Preferred {
			a.Preferred = append(a.Preferred, PreferredSchedulingTerm{Weight: t.Weight, Term: t.Term.clone()})
		}
		s.Affinity = a
	}
	return s
}

func (t NodeSelectorTerm) clone() NodeSelectorTerm {
	return NodeSelectorTerm{
		MatchExpressions: append([]NodeSelectorRequirement(nil), t.MatchExpressions...),
		MatchFields:      append([]NodeSelectorRequirement(nil), t.MatchFields...)}
}

// SameTemplate reports whether a and b are the same controller pod template
// once defaulted, as Kubernetes compares them (EqualIgnoreHash on the API
// server's defaulted objects): the pod-template-hash label is ignored, a
// grace period of 0 is the default (Timings.GracePeriod), a controller's
// template restarts Always (the only policy the API server admits for it),
// an unnamed container is the one kubectl names after its image, and nil
// and empty maps and lists are alike. So the template `kubectl create
// deployment` makes and the same template read back from -o yaml and
// patched or applied unchanged are the same template: no rollout.
func (c *Cluster) SameTemplate(a, b PodTemplate) bool {
	return reflect.DeepEqual(c.canonicalTemplate(a), c.canonicalTemplate(b))
}

func (c *Cluster) canonicalTemplate(t PodTemplate) PodTemplate {
	t = t.clone()
	delete(t.Labels, LabelPodTemplateHash)
	s := &t.Spec
	if s.GracePeriod == 0 {
		s.GracePeriod = c.Cfg.Timings.GracePeriod
	}
	s.RestartAlways = true
	if s.Container == "" {
		s.Container = ContainerName(s.Image)
	}
	for _, m := range []*map[string]string{&t.Labels, &t.Annotations, &s.NodeSelector} {
		if len(*m) == 0 {
			*m = nil
		}
	}
	if len(s.Tolerations) == 0 {
		s.Tolerations = nil
	}
	if len(s.Ports) == 0 {
		s.Ports = nil
	}
	return t
}

// hashString is a canonical text of the template, for pod-template-hash and
// controller-revision-hash: maps in key order, pointers followed.
func (t PodTemplate) hashString() string {
	var b strings.Builder
	kv := func(name string, m map[string]string) {
		b.WriteString(name)
		for _, k := range sortedKeys(m) {
			fmt.Fprintf(&b, "%q=%q,", k, m[k])
		}
		b.WriteByte(';')
	}
	kv("labels", t.Labels)
	kv("annotations", t.Annotations)
	s := t.Spec
	fmt.Fprintf(&b, "image=%q;req=%v;grace=%d;node=%q;restart=%v;", s.Image, s.Requests, s.GracePeriod, s.NodeName, s.RestartAlways)
	kv("nodeSelector", s.NodeSelector)
	fmt.Fprintf(&b, "tol=%v;", s.Tolerations)
	if r := s.Readiness; r != nil {
		// The four fields as the text had them before probes could fail
		// (the built-in scenarios' pod-template-hashes stay as they were);
		// the handler and its port only when they make the probe fail in
		// kubesim (a port the container does not declare), so that fixing
		// such a probe rolls a Deployment out.
		fmt.Fprintf(&b, "probe=%v;", struct {
			InitialDelay, Period               sim.Time
			SuccessThreshold, FailureThreshold int
		}{r.InitialDelay, r.Period, r.SuccessThreshold, r.FailureThreshold})
		if !s.declaresProbePort(r) {
			fmt.Fprintf(&b, "probe-handler=%s;%s;", r.handlerString(), r.Timeout)
		}
	}
	if l := s.Liveness(); l != nil {
		fmt.Fprintf(&b, "liveness=%s;", l.hashString())
	}
	if l := s.Startup(); l != nil {
		fmt.Fprintf(&b, "startup=%s;", l.hashString())
	}
	if s.Affinity != nil {
		fmt.Fprintf(&b, "affinity=%v;", s.Affinity.Terms)
		if len(s.Affinity.Preferred) > 0 {
			fmt.Fprintf(&b, "preferred=%v;", s.Affinity.Preferred)
		}
	}
	if s.ExplicitZero != (RequestFlags{}) {
		fmt.Fprintf(&b, "zero=%v;", s.ExplicitZero)
	}
	if s.Limits != (Resources{}) {
		fmt.Fprintf(&b, "limits=%v;", s.Limits)
	}
	if len(s.Env) > 0 {
		b.WriteString("env=")
		for _, e := range s.Env {
			fmt.Fprintf(&b, "%q=%q/%v,", e.Name, e.Value, e.ValueFrom)
		}
		b.WriteByte(';')
	}
	if len(s.Command)+len(s.Args) > 0 {
		fmt.Fprintf(&b, "command=%q;args=%q;", s.Command, s.Args)
	}
	return b.String()
}

// computeHash is Kubernetes' ComputeHash: FNV-32a of the template, its decimal
// form encoded in the generateName alphabet ("5d8f9c7b6").
func computeHash(t PodTemplate) string { return computeHashCollision(t, 0) }

// computeHashCollision is the pod-template-hash of a Deployment's template
// with its status.collisionCount, as ComputeHash adds the count (its bytes,
// little-endian) once there has been a collision; 0 hashes as none.
func computeHashCollision(t PodTemplate, collisions int32) string {
	h := fnv.New32a()
	h.Write([]byte(t.hashString()))
	if collisions != 0 {
		var b [8]byte
		binary.LittleEndian.PutUint32(b[:], uint32(collisions))
		h.Write(b[:])
	}
	return safeEncode(fmt.Sprint(h.Sum32()))
}

const nameAlphabet = "bcdfghjklmnpqrstvwxz2456789"

func safeEncode(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = nameAlphabet[int(c)%len(nameAlphabet)]
	}
	return string(b)
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

// kubeletLabels are the labels a kubelet gives its Node when it registers
// besides kubernetes.io/hostname (kubelet_node_status.go's initialNode: the
// GA and the legacy beta OS and architecture labels; every node of the model
// is linux/amd64, as its nodeInfo says). Manifests select on them
// (nodeSelector kubernetes.io/os: linux).
var kubeletLabels = [...][2]string{
	{"kubernetes.io/os", "linux"}, {"kubernetes.io/arch", "amd64"},
	{"beta.kubernetes.io/os", "linux"}, {"beta.kubernetes.io/arch", "amd64"},
}

// registeredLabels is lbls with what the kubelet adds when it registers the
// node name: its hostname, and its OS and architecture unless lbls sets them.
func registeredLabels(name string, lbls map[string]string) map[string]string {
	l := make(map[string]string, len(lbls)+1+len(kubeletLabels))
	for _, kv := range kubeletLabels {
		l[kv[0]] = kv[1]
	}
	for k, v := range lbls {
		l[k] = v
	}
	l[LabelHostname] = name
	return l
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

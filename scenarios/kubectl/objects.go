package kubectl

// `kubectl get -o yaml|json|jsonpath=...|custom-columns=...`: the simulated
// objects as the API server returns them (k8s.io/api types with apiVersion and
// kind, metadata, the spec with the API server's defaults and status), printed
// by manifest.Printer as kubectl prints them.
//
// The spec is the model's, except what the model does not keep: an object
// applied from a manifest (apply, create -f, patch, edit) keeps the pod spec it
// was given (container names, env, commands, volumes...), as long as the
// model's template is still the one converted from it (a changed image is
// taken from the model); otherwise the pod spec is the model's, with the
// container named after its image as `kubectl create deployment` names it.
//
// Metadata is the model's ObjectMeta (apiMeta). Known gaps: condition times
// are the object's creation time; pods show no service-account volume.

import (
	"crypto/sha256"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios/manifest"
	"github.com/kubesim/kubesim/sim"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apitypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// recordApplied keeps obj, just applied, for printing (the model does not
// keep every field of a manifest), by the model object it was applied to: a
// later object of the same name is another object.
// The objects are those of the namespace being applied to (x.ns).
func (x *Executor) recordApplied(obj runtime.Object) {
	x.recordLastApplied(obj, "")
}

// recordLastApplied is recordApplied for `kubectl apply`, which also keeps
// lastApplied, its last-applied-configuration annotation ("" for none).
func (x *Executor) recordLastApplied(obj runtime.Object, lastApplied string) {
	if x.applied == nil {
		x.applied = map[any]runtime.Object{}
		x.lastApplied = map[any]string{}
	}
	meta, ok := obj.(metav1.Object)
	kind, known := apiKind(obj)
	if !ok || !known || kind.get == nil {
		return
	}
	if m := kind.get(x.c, x.ns, meta.GetName()); m != nil {
		x.applied[m] = obj.DeepCopyObject()
		if lastApplied != "" {
			x.lastApplied[m] = lastApplied
		} else {
			delete(x.lastApplied, m)
		}
	}
}

// withLastApplied adds kubectl apply's annotation to out, a printed object
// applied to the model object m (every kind: apiObjectFull).
func (x *Executor) withLastApplied(out runtime.Object, m any) {
	meta, ok := out.(metav1.Object)
	if v, applied := x.lastApplied[m]; ok && applied {
		meta.SetAnnotations(withEntry(meta.GetAnnotations(), manifest.LastAppliedAnnotation, v))
	}
}

// stripLastApplied removes kubectl apply's annotation from an object about to
// be applied: kubectl manages it, and kubesim keeps it apart from the model's
// annotations (for printing only).
func stripLastApplied(obj runtime.Object) {
	if m, ok := obj.(metav1.Object); ok {
		if a := m.GetAnnotations(); a != nil {
			if _, has := a[manifest.LastAppliedAnnotation]; has {
				rest := map[string]string{}
				for k, v := range a {
					if k != manifest.LastAppliedAnnotation {
						rest[k] = v
					}
				}
				a = rest
				if len(a) == 0 {
					a = nil
				}
				m.SetAnnotations(a)
			}
		}
	}
}

// appliedTemplate is the pod template (or a Pod's spec) last applied to the
// model object m, or nil.
func (x *Executor) appliedTemplate(m any) *corev1.PodTemplateSpec {
	obj := x.applied[m]
	if kind, ok := apiKind(obj); ok && kind.podTemplate != nil {
		return kind.podTemplate(obj)
	}
	return nil
}

// podSpecFrom is the pod spec to print for the model's spec s: the applied
// spec src when the model's spec is the one converted from it (the image
// aside: set image changes it), else the model's own.
func podSpecFrom(src *corev1.PodTemplateSpec, s model.PodSpec) corev1.PodSpec {
	if src != nil && len(src.Spec.Containers) > 0 {
		conv := manifest.ModelPodSpec(src.Spec)
		conv.Image = s.Image
		conv.Tolerations, conv.NodeName = nil, ""
		want := s
		want.Tolerations, want.NodeName = nil, ""
		if manifest.SameTemplate(model.PodTemplate{Spec: conv}, model.PodTemplate{Spec: want}) {
			out := *src.Spec.DeepCopy()
			out.Containers[0].Image = s.Image
			out.NodeName = s.NodeName
			out.Tolerations = manifest.APIPodSpec(s, "").Tolerations
			return out
		}
	}
	return manifest.APIPodSpec(s, manifest.ContainerName(s))
}

func (x *Executor) templateFor(src *corev1.PodTemplateSpec, t model.PodTemplate) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: t.Labels, Annotations: t.Annotations},
		Spec: podSpecFrom(src, t.Spec)}
}

func ptrTo[T any](v T) *T { return &v }

// withEntry returns a copy of m with key set to value (the model's maps are
// not to be changed by printing).
func withEntry(m map[string]string, key, value string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	out[key] = value
	return out
}

// ownerUID fills the uid of the (one) owner reference.
func (x *Executor) ownerUID(refs []metav1.OwnerReference, uid string) {
	if len(refs) == 1 {
		refs[0].UID = apitypes.UID(uid)
	}
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// apiObjectFull is o as the API server returns it.
func (x *Executor) apiObjectFull(p *printer, o object) (runtime.Object, error) {
	f := resources[o.res].apiObject
	if f == nil {
		return nil, fmt.Errorf("error: kubesim does not print %s as YAML or JSON yet (use get or describe)", o.res.Qualified())
	}
	out := f(x, p, o)
	x.withLastApplied(out, o.obj)
	manifest.SetPrintDefaults(out)
	return out, nil
}

// namespaceObject is a Namespace as the API server returns it.
func (x *Executor) namespaceObject(p *printer, o object) *corev1.Namespace {
	ns := &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: o.name, Labels: map[string]string{corev1.LabelMetadataName: o.name},
			CreationTimestamp: metav1.NewTime(x.c.WallClock(0))},
		Spec:   corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{corev1.FinalizerKubernetes}},
		Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}}
	if m, ok := o.obj.(*model.Namespace); ok {
		ns.ObjectMeta = manifest.APIMeta(x.c, &m.ObjectMeta)
		ns.Generation = 0 // Namespaces have none
		ns.Labels = withEntry(ns.Labels, corev1.LabelMetadataName, m.Name)
		if m.Phase != "" {
			ns.Status.Phase = corev1.NamespacePhase(m.Phase)
		}
	}
	return ns
}

func (x *Executor) deploymentObject(p *printer, d *model.Deployment) *appsv1.Deployment {
	out := manifest.APIDeployment(x.c, d)
	newRS := d.NewReplicaSet()
	rev := 0
	for _, rs := range d.ReplicaSets() {
		rev = max(rev, rs.Revision)
	}
	if rev > 0 {
		out.Annotations = withEntry(out.Annotations, "deployment.kubernetes.io/revision", fmt.Sprint(rev))
	}
	out.Labels = nonEmpty(out.Labels)
	out.Spec.Template = x.templateFor(x.appliedTemplate(d), d.Template)
	st := p.c.DeploymentStatus(d)
	s := &out.Status
	s.ObservedGeneration = d.Generation
	if d.CollisionCount > 0 {
		s.CollisionCount = ptrTo(d.CollisionCount)
	}
	s.Replicas, s.UpdatedReplicas, s.ReadyReplicas = int32(st.Replicas), int32(st.Updated), int32(st.Ready)
	s.AvailableReplicas, s.UnavailableReplicas = int32(st.Available), int32(st.Unavailable)
	at := metav1.NewTime(x.c.WallClock(d.CreationTimestamp))
	maxUnavailable := 0
	if mu := d.Strategy.MaxUnavailable; mu != nil && d.Strategy.Type == model.RollingUpdate {
		maxUnavailable = mu.Value
		if mu.Percent {
			maxUnavailable = mu.Value * d.Replicas / 100
		}
	}
	avail := appsv1.DeploymentCondition{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, LastUpdateTime: at, LastTransitionTime: at,
		Reason: "MinimumReplicasAvailable", Message: "Deployment has minimum availability."}
	if st.Available < d.Replicas-maxUnavailable {
		avail.Status, avail.Reason, avail.Message = corev1.ConditionFalse, "MinimumReplicasUnavailable", "Deployment does not have minimum availability."
	}
	prog := appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, LastUpdateTime: at, LastTransitionTime: at}
	name := ""
	if newRS != nil {
		name = newRS.Name
	}
	switch {
	case st.DeadlineExceeded:
		prog.Status, prog.Reason, prog.Message = corev1.ConditionFalse, "ProgressDeadlineExceeded", fmt.Sprintf("ReplicaSet %q has timed out progressing.", name)
	case st.Complete:
		prog.Reason, prog.Message = "NewReplicaSetAvailable", fmt.Sprintf("ReplicaSet %q has successfully progressed.", name)
	default:
		prog.Reason, prog.Message = "ReplicaSetUpdated", fmt.Sprintf("ReplicaSet %q is progressing.", name)
	}
	s.Conditions = []appsv1.DeploymentCondition{avail, prog}
	return out
}

func (x *Executor) replicaSetObject(p *printer, rs *model.ReplicaSet) *appsv1.ReplicaSet {
	out := manifest.APIReplicaSet(x.c, rs)
	var src *corev1.PodTemplateSpec
	if d := rs.Deployment(); d != nil {
		out.Annotations = withEntry(out.Annotations, "deployment.kubernetes.io/desired-replicas", fmt.Sprint(d.Replicas))
		out.Annotations["deployment.kubernetes.io/max-replicas"] = fmt.Sprint(d.Replicas + maxSurgeOf(d))
		out.Annotations["deployment.kubernetes.io/revision"] = fmt.Sprint(rs.Revision)
		src = x.appliedTemplate(d)
		x.ownerUID(out.OwnerReferences, d.UID)
	} else {
		src = x.appliedTemplate(rs)
	}
	out.Labels = nonEmpty(out.Labels)
	out.Spec.Template = x.templateFor(src, rs.Template)
	st := rs.Status(p.now)
	out.Status = appsv1.ReplicaSetStatus{Replicas: int32(st.Current), FullyLabeledReplicas: int32(st.Current),
		ReadyReplicas: int32(st.Ready), AvailableReplicas: int32(st.Available), ObservedGeneration: rs.Generation}
	return out
}

// maxSurgeOf is the Deployment's maxSurge in pods.
func maxSurgeOf(d *model.Deployment) int {
	ms := d.Strategy.MaxSurge
	if d.Strategy.Type != model.RollingUpdate || ms == nil {
		return 0
	}
	if ms.Percent {
		return (ms.Value*d.Replicas + 99) / 100
	}
	return ms.Value
}

func (x *Executor) daemonSetObject(p *printer, ds *model.DaemonSet) *appsv1.DaemonSet {
	out := manifest.APIDaemonSet(x.c, ds)
	out.Labels = nonEmpty(out.Labels)
	out.Annotations = withEntry(out.Annotations, "deprecated.daemonset.template.generation", fmt.Sprint(ds.Generation))
	out.Spec.Template = x.templateFor(x.appliedTemplate(ds), ds.Template)
	st := p.daemonSetStatus(ds)
	out.Status = appsv1.DaemonSetStatus{CurrentNumberScheduled: int32(st.current), NumberMisscheduled: int32(st.misscheduled),
		DesiredNumberScheduled: int32(st.desired), NumberReady: int32(st.ready), UpdatedNumberScheduled: int32(st.updated),
		NumberAvailable: int32(st.available), NumberUnavailable: int32(st.desired - st.available), ObservedGeneration: ds.Generation}
	return out
}

func (x *Executor) podObject(p *printer, pod *model.Pod) *corev1.Pod {
	var src *corev1.PodTemplateSpec
	out := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: manifest.APIMeta(x.c, &pod.ObjectMeta)}
	switch {
	case pod.ReplicaSet() != nil:
		rs := pod.ReplicaSet()
		if d := rs.Deployment(); d != nil {
			src = x.appliedTemplate(d)
		} else {
			src = x.appliedTemplate(rs)
		}
		x.ownerUID(out.OwnerReferences, rs.UID)
	case pod.DaemonSet() != nil:
		ds := pod.DaemonSet()
		src = x.appliedTemplate(ds)
		x.ownerUID(out.OwnerReferences, ds.UID)
	default:
		src = x.appliedTemplate(pod)
	}
	out.Labels, out.Annotations = nonEmpty(out.Labels), nonEmpty(out.Annotations)
	out.Spec = podSpecFrom(src, pod.Spec)
	out.Spec.NodeName = pod.NodeName
	if pod.Terminating && out.DeletionTimestamp != nil {
		// The API server sets deletionTimestamp to the time the grace period
		// ends: the delete's --grace-period, else the pod's own.
		grace := pod.DeletionGrace()
		out.DeletionTimestamp = ptrTo(metav1.NewTime(out.DeletionTimestamp.Add(grace)))
		out.DeletionGracePeriodSeconds = ptrTo(int64(grace / time.Second))
	}
	out.Spec.ServiceAccountName, out.Spec.DeprecatedServiceAccount = "default", "default"
	out.Spec.Priority = ptrTo(int32(0))
	out.Spec.PreemptionPolicy = ptrTo(corev1.PreemptLowerPriority)
	st := &out.Status
	st.Phase = corev1.PodPhase(pod.Phase)
	st.QOSClass = corev1.PodQOSBestEffort
	if pod.Spec.Requests.MilliCPU > 0 || pod.Spec.Requests.Memory > 0 {
		st.QOSClass = corev1.PodQOSBurstable
	}
	cond := func(t corev1.PodConditionType, ok bool, at sim.Time) corev1.PodCondition {
		c := corev1.PodCondition{Type: t, Status: corev1.ConditionFalse, LastTransitionTime: metav1.NewTime(x.c.WallClock(at))}
		if ok {
			c.Status = corev1.ConditionTrue
		}
		return c
	}
	if pod.NodeName == "" {
		st.Conditions = []corev1.PodCondition{cond(corev1.PodScheduled, false, pod.CreationTimestamp)}
		return out
	}
	st.HostIP = p.nodeIP(pod.NodeName)
	st.HostIPs = []corev1.HostIP{{IP: st.HostIP}}
	st.StartTime = ptrTo(metav1.NewTime(x.c.WallClock(pod.Scheduled)))
	if ip := p.podIPOf(pod); ip != "<none>" {
		st.PodIP = ip
		st.PodIPs = []corev1.PodIP{{IP: ip}}
	}
	readyAt := pod.Scheduled
	if pod.Ready {
		readyAt = pod.ReadyAt
	}
	st.Conditions = []corev1.PodCondition{
		cond(corev1.PodReadyToStartContainers, pod.HasIP, pod.Scheduled),
		cond(corev1.PodInitialized, true, pod.Scheduled),
		cond(corev1.PodReady, pod.Ready, readyAt),
		cond(corev1.ContainersReady, pod.Ready, readyAt),
		cond(corev1.PodScheduled, true, pod.Scheduled),
	}
	cs := corev1.ContainerStatus{Name: out.Spec.Containers[0].Name, Image: pod.Spec.Image, Ready: pod.Ready,
		RestartCount: int32(pod.Restarts), Started: ptrTo(pod.Running)}
	if pod.Running {
		// Synthesised, stable ids: the container runtime's and the image's digest.
		cs.ContainerID = fmt.Sprintf("containerd://%x", sha256.Sum256(fmt.Appendf(nil, "%s/%d", pod.UID, pod.Restarts)))
		cs.ImageID = fmt.Sprintf("%s@sha256:%x", imageRepo(pod.Spec.Image), sha256.Sum256([]byte(pod.Spec.Image)))
		cs.State.Running = &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(x.c.WallClock(pod.Started))}
	} else if pod.CrashLoopBackOff() {
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
			Message: fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)", pod.BackOffDelay(), out.Spec.Containers[0].Name, pod.Name, pod.Namespace, pod.UID)}
	} else {
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}
	}
	if t, ok := pod.LastTermination(); ok {
		cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{Reason: t.Reason, ExitCode: int32(t.ExitCode),
			StartedAt: metav1.NewTime(x.c.WallClock(t.Started)), FinishedAt: metav1.NewTime(x.c.WallClock(t.Finished))}
	}
	st.ContainerStatuses = []corev1.ContainerStatus{cs}
	return out
}

func (x *Executor) serviceObject(p *printer, o object) *corev1.Service {
	s, name := o.svc(), o.name
	out := manifest.APIService(x.c, s)
	out.Generation = 0 // Services have none
	out.Labels, out.Annotations = nonEmpty(out.Labels), nonEmpty(out.Annotations)
	if o, ok := x.applied[s].(*corev1.Service); ok {
		out.Spec.PublishNotReadyAddresses = o.Spec.PublishNotReadyAddresses
		out.Spec.SessionAffinityConfig = o.Spec.SessionAffinityConfig
	}
	ip := p.serviceIPIn(out.Namespace, name)
	out.Spec.ClusterIP, out.Spec.ClusterIPs = ip, []string{ip}
	out.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol}
	out.Spec.IPFamilyPolicy = ptrTo(corev1.IPFamilyPolicySingleStack)
	if lb := p.loadBalancerIP(out.Namespace, name); lb != "" {
		out.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: lb, IPMode: ptrTo(corev1.LoadBalancerIPModeVIP)}}
	}
	return out
}

func (x *Executor) nodeObject(p *printer, n *model.Node) *corev1.Node {
	out := manifest.APINode(x.c, n)
	out.Generation = 0 // Nodes have none
	out.Annotations = withEntry(out.Annotations, "node.alpha.kubernetes.io/ttl", "0")
	out.Annotations["volumes.kubernetes.io/controller-managed-attach-detach"] = "true"
	idx := p.nodeIndex(n.Name)
	cidr := fmt.Sprintf("10.244.%d.0/24", idx)
	out.Spec.PodCIDR, out.Spec.PodCIDRs = cidr, []string{cidr}
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    *resource.NewMilliQuantity(n.Capacity.MilliCPU, resource.DecimalSI),
		corev1.ResourceMemory: *resource.NewQuantity(n.Capacity.Memory, resource.BinarySI),
		corev1.ResourcePods:   *resource.NewQuantity(n.Capacity.Pods, resource.DecimalSI),
	}
	out.Status.Capacity, out.Status.Allocatable = capacity, capacity.DeepCopy()
	out.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: p.nodeIP(n.Name)}, {Type: corev1.NodeHostName, Address: n.Name}}
	ready := corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"}
	at := n.ReadyAt
	if !n.Ready {
		ready.Status, ready.Reason, ready.Message = corev1.ConditionUnknown, "NodeStatusUnknown", "Kubelet stopped posting node status."
		at = n.NotReadyAt
	}
	ready.LastTransitionTime, ready.LastHeartbeatTime = metav1.NewTime(x.c.WallClock(at)), metav1.NewTime(x.c.WallClock(p.now))
	out.Status.Conditions = []corev1.NodeCondition{ready}
	out.Status.NodeInfo = corev1.NodeSystemInfo{Architecture: "amd64", OperatingSystem: "linux", OSImage: nodeOSImage,
		KernelVersion: nodeKernel, ContainerRuntimeVersion: nodeRuntime, KubeletVersion: KubeletVersion,
		MachineID: strings.ReplaceAll(n.UID, "-", ""), SystemUUID: n.UID, BootID: n.UID}
	out.Status.DaemonEndpoints.KubeletEndpoint.Port = 10250
	return out
}

// getStructured is `get` with -o yaml, json, jsonpath=... or custom-columns=...
func (x *Executor) getStructured(cmd Command) (string, error) {
	pr, err := manifest.NewPrinter(cmd.Output)
	if err != nil {
		return "", &UsageError{Verb: cmd.Verb, Msg: err.Error()}
	}
	pr.NoHeaders = cmd.NoHeaders
	if cmd.Watch {
		return "", &UsageError{Verb: cmd.Verb, Msg: "get -w (watch) is not supported by kubesim in a step: add get steps at the times to look at"}
	}
	p, err := newPrinter(x.c, cmd)
	if err != nil {
		return "", err
	}
	// kubectl prints the one object a get names (TYPE NAME, TYPE/NAME), and a
	// List otherwise.
	single := len(cmd.Targets) == 1 && cmd.Targets[0].Name != "" && cmd.Targets[0].Resource != All
	objs, errs := p.collect(cmd)
	if single && len(objs) == 0 {
		return "", joinErrors(errs)
	}
	var apiObjs []runtime.Object
	for _, o := range objs {
		a, err := x.apiObjectFull(p, o)
		if err != nil {
			return "", err
		}
		apiObjs = append(apiObjs, a)
	}
	out, err := pr.Print(apiObjs, single)
	if err != nil {
		return "", fmt.Errorf("error: %v", err)
	}
	if w := warningOf(objs); w != "" {
		out = w + "\n" + out
	}
	return out, joinErrors(errs)
}

// --- > FILE and sed ---

// redirect runs line with its standard output written to r.File in the run's
// file set (as a shell does, the file is written even when the command fails:
// then with what it printed, often nothing).
func (x *Executor) redirect(line string, r *Redirect) (string, error) {
	out, err := x.Exec(line)
	// kubectl prints warnings on standard error: they stay on the screen.
	var warnings, kept []string
	for _, l := range strings.SplitAfter(out, "\n") {
		// kubesim's own notes are not kubectl's output either.
		if strings.HasPrefix(l, "Warning: ") || strings.HasPrefix(l, "kubesim: ") {
			warnings = append(warnings, strings.TrimSuffix(l, "\n"))
		} else {
			kept = append(kept, l)
		}
	}
	out = strings.Join(kept, "")
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	if r.Append {
		if old, _, rerr := x.readFile(r.File); rerr == nil {
			out = string(old) + out
		}
	}
	x.writeFile(r.File, out)
	return strings.Join(warnings, "\n"), err
}

// EndpointsWarning is the API server's warning for v1 Endpoints (v1.33+).
const EndpointsWarning = "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"

// writeFile puts a file into the run's file set: later steps' -f NAME (and
// sed) read it before the scenario's files and the disk. The scenario itself
// is not changed (another run of it starts from its own files).
func (x *Executor) writeFile(name, content string) {
	if x.files == nil {
		x.files = map[string]string{}
		read, expand := x.readFile, x.expand
		x.readFile = func(n string) ([]byte, string, error) {
			if b, ok := x.files[n]; ok {
				return []byte(b), n, nil
			}
			return read(n)
		}
		x.expand = func(n string, recursive bool) ([]string, error) {
			if _, ok := x.files[n]; ok {
				return []string{n}, nil
			}
			return expand(n, recursive)
		}
	}
	x.files[name] = content
}

// sed runs `sed -i 's/OLD/NEW/[g]' FILE...` on files of the run's file set.
func (x *Executor) sed(cmd Command) (string, error) {
	var errs []string
	for _, f := range cmd.Files {
		b, _, err := x.readFile(f)
		if err != nil {
			errs = append(errs, fmt.Sprintf("sed: can't read %s: No such file or directory", f))
			continue
		}
		x.writeFile(f, cmd.Sed.Apply(string(b)))
	}
	return joinResult(nil, errs)
}

// --- --dry-run=client ---

// dryRun prints obj as `kubectl create|run|expose --dry-run=client` does:
// the object kubectl would send (no server defaults, `status: {}`) with -o
// yaml or json, its name with -o name, else "... created (dry run)". Nothing
// reaches the cluster.
func dryRun(cmd Command, obj runtime.Object, res Resource, name, done string) (string, error) {
	if cmd.DryRun == "server" {
		return "", &UsageError{Verb: cmd.Verb, Msg: "--dry-run=server is not supported by kubesim; --dry-run=client prints the object kubectl would send"}
	}
	switch cmd.Output {
	case "":
		return res.Ref(name) + " " + done + " (dry run)", nil
	case "name":
		return res.Ref(name), nil
	}
	pr, err := manifest.NewPrinter(cmd.Output)
	if err != nil {
		return "", &UsageError{Verb: cmd.Verb, Msg: err.Error()}
	}
	return pr.Print([]runtime.Object{obj}, true)
}

// dryRunNamespace is the namespace kubectl writes into a dry-run object: only
// one given with -n.
func dryRunNamespace(cmd Command) string { return cmd.Namespace }

// dryRunDeployment is the Deployment `kubectl create deployment` builds.
func dryRunDeployment(cmd Command) (string, error) {
	name := cmd.Targets[0].Name
	lbls := map[string]string{"app": name}
	d := &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: dryRunNamespace(cmd), Labels: lbls},
		Spec: appsv1.DeploymentSpec{Replicas: ptrTo(cmd.Replicas), Selector: &metav1.LabelSelector{MatchLabels: lbls},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: lbls}}}}
	images := cmd.Images
	if len(images) == 0 {
		images = []string{cmd.Image}
	}
	seen := map[string]int{}
	for _, img := range images {
		cname := manifest.ImageContainerName(img)
		// kubectl's sanitizeAndUniquify: a repeated name gets -2, -3...
		if n := seen[cname]; n > 0 {
			seen[cname] = n + 1
			cname = fmt.Sprintf("%s-%d", cname, n+1)
		} else {
			seen[cname] = 1
		}
		d.Spec.Template.Spec.Containers = append(d.Spec.Template.Spec.Containers, corev1.Container{Name: cname, Image: img, Command: cmd.Args})
	}
	if cmd.Port > 0 {
		d.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: cmd.Port}}
	}
	return dryRun(cmd, d, Deployments, name, "created")
}

// dryRunPod is the Pod `kubectl run` builds.
func dryRunPod(cmd Command) (string, error) {
	name := cmd.Targets[0].Name
	lbls := map[string]string{"run": name}
	if len(cmd.Set) > 0 {
		lbls = map[string]string{}
		for _, kv := range cmd.Set {
			lbls[kv.Key] = kv.Value
		}
	}
	p := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: dryRunNamespace(cmd), Labels: lbls},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: cmd.Image, Args: cmd.Args}},
			DNSPolicy: corev1.DNSClusterFirst, RestartPolicy: corev1.RestartPolicyAlways}}
	if cmd.Port > 0 {
		p.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: cmd.Port}}
	}
	return dryRun(cmd, p, Pods, name, "created")
}

// dryRunService is the Service `kubectl expose` builds.
func dryRunService(cmd Command, name string, sel, lbls map[string]string, ports []model.ServicePort) (string, error) {
	s := &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: dryRunNamespace(cmd), Labels: nonEmpty(lbls)},
		Spec:       corev1.ServiceSpec{Selector: sel, Type: corev1.ServiceType(cmd.Type)}}
	for _, p := range ports {
		s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: p.Name, Port: int32(p.Port), Protocol: corev1.Protocol(p.Protocol), TargetPort: intstr.Parse(p.Target())})
	}
	return dryRun(cmd, s, Services, name, "exposed")
}

// imageRepo is the image's repository as the runtime reports it:
// docker.io/library/ for official images, without the tag.
func imageRepo(image string) string {
	repo := image
	if i := strings.IndexByte(repo, '@'); i >= 0 {
		repo = repo[:i]
	}
	if i := strings.LastIndexByte(repo, ':'); i > strings.LastIndexByte(repo, '/') {
		repo = repo[:i]
	}
	first, _, hasSlash := strings.Cut(repo, "/")
	switch {
	case !hasSlash:
		return "docker.io/library/" + repo
	case !strings.ContainsAny(first, ".:") && first != "localhost":
		return "docker.io/" + repo
	}
	return repo
}

// endpointsObject is the v1 Endpoints object the endpoints controller keeps
// for a Service: its ready and not-ready pods (by IP) with the target ports
// they resolve to (a named targetPort resolves per pod: pods that resolve
// differently are in different subsets).
// endpointsMeta is the metadata the endpoints and EndpointSlice controllers
// give the Service's Endpoints and EndpointSlices (name, without labels): the
// Service's namespace, its creation time (they are created with it), a uid
// drawn from the Service's uid and the object's kind and name, the
// resourceVersion of their last write (it changes when the endpoints change)
// and the endpoints.kubernetes.io/last-change-trigger-time annotation: the
// time of the pod or Service change that triggered it, as the controllers
// write it (time.RFC3339Nano in UTC, of a time the API keeps in whole seconds:
// the pod's Ready condition's lastTransitionTime or the Service's
// creationTimestamp).
func (x *Executor) endpointsMeta(svc *model.Service, name, kind string) metav1.ObjectMeta {
	rv, changed := svc.EndpointsMeta()
	m := metav1.ObjectMeta{Name: name, Namespace: svc.Namespace, UID: apitypes.UID(derivedUID(svc.UID + "/" + kind + "/" + name)),
		ResourceVersion:   strconv.FormatInt(rv, 10),
		CreationTimestamp: metav1.NewTime(x.c.WallClock(svc.CreationTimestamp)),
		Annotations:       map[string]string{corev1.EndpointsLastChangeTriggerTime: x.c.WallClock(changed).Truncate(time.Second).Format(time.RFC3339Nano)}}
	if m.Namespace == "" {
		m.Namespace = defaultNamespace
	}
	return m
}

// apiServerEndpointsMeta is the metadata of the kubernetes Service's
// Endpoints or EndpointSlice: created with the Service, written once (no
// last-change-trigger-time: the API server's reconciler writes none).
func (x *Executor) apiServerEndpointsMeta(svc *model.Service, kind string) metav1.ObjectMeta {
	rv, _ := svc.EndpointsMeta()
	if kind == "endpointslices" {
		rv++ // written after the Endpoints
	}
	return metav1.ObjectMeta{Name: svc.Name, Namespace: svc.Namespace, UID: apitypes.UID(derivedUID(svc.UID + "/" + kind + "/" + svc.Name)),
		ResourceVersion: strconv.FormatInt(rv, 10), CreationTimestamp: metav1.NewTime(x.c.WallClock(svc.CreationTimestamp))}
}

// derivedUID is a version 4 UUID drawn from a hash of s, for the objects
// kubesim derives from another at print time (a Service's Endpoints and
// EndpointSlices): the same for the same s, so the same for a seed.
func derivedUID(s string) string {
	u := sha256.Sum256([]byte(s))
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // variant 10
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// endpointsLabels are the labels of the Service's Endpoints: a user's
// (kubectl label endpoints), until the endpoints controller's next sync of
// the Service; else the Service's, as the controller copies them.
func endpointsLabels(svc *model.Service) map[string]string {
	if u := svc.EndpointsUser(); u.Labels != nil {
		return u.Labels
	}
	return svc.Labels
}

func (x *Executor) endpointsObject(p *printer, o object) *corev1.Endpoints {
	out := &corev1.Endpoints{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Endpoints"}}
	if svc := o.svc(); svc.IsAPIServer() {
		// kubernetes: the API server's endpoint reconciler writes its address,
		// with a label that keeps the EndpointSlice mirroring controller away.
		out.ObjectMeta = x.apiServerEndpointsMeta(svc, "endpoints")
		out.Labels = map[string]string{"endpointslice.kubernetes.io/skip-mirror": "true"}
		if ip := p.apiServerIP(); ip != "" {
			out.Subsets = []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: ip}},
				Ports: []corev1.EndpointPort{{Name: "https", Port: model.APIServerPort, Protocol: corev1.ProtocolTCP}}}}
		}
		return out
	}
	svc := o.svc()
	out.ObjectMeta = x.endpointsMeta(svc, svc.Name, "endpoints")
	out.Labels = nonEmpty(endpointsLabels(svc))
	u := svc.EndpointsUser()
	for k, v := range u.Annotations {
		if _, ok := out.Annotations[k]; !ok { // the controller's keys are its own
			out.Annotations[k] = v
		}
	}
	if rv, _ := svc.EndpointsMeta(); u.ResourceVersion > rv {
		out.ResourceVersion = strconv.FormatInt(u.ResourceVersion, 10)
	}
	pods, conds := p.c.EndpointPods(svc)
	var keys []string
	subsets := map[string]*corev1.EndpointSubset{}
	for i, pod := range pods {
		ip := p.podIPOf(pod)
		if ip == "<none>" || conds[i].Terminating {
			continue
		}
		var ports []corev1.EndpointPort
		for _, sp := range svc.Ports {
			if port, ok := targetPort(pod, sp); ok {
				ports = append(ports, corev1.EndpointPort{Name: sp.Name, Port: int32(port), Protocol: corev1.Protocol(sp.Protocol)})
			}
		}
		if len(ports) == 0 {
			continue
		}
		key := fmt.Sprint(ports)
		ss, ok := subsets[key]
		if !ok {
			ss = &corev1.EndpointSubset{Ports: ports}
			subsets[key] = ss
			keys = append(keys, key)
		}
		addr := corev1.EndpointAddress{IP: ip, NodeName: ptrTo(pod.NodeName),
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: pod.Name, Namespace: out.Namespace, UID: apitypes.UID(pod.UID)}}
		if conds[i].Ready {
			ss.Addresses = append(ss.Addresses, addr)
		} else {
			ss.NotReadyAddresses = append(ss.NotReadyAddresses, addr)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		ss := subsets[k]
		for _, as := range [][]corev1.EndpointAddress{ss.Addresses, ss.NotReadyAddresses} {
			sort.Slice(as, func(i, j int) bool { return as[i].IP < as[j].IP })
		}
		out.Subsets = append(out.Subsets, *ss)
	}
	if truncateEndpoints(out) {
		out.Annotations[corev1.EndpointsOverCapacity] = "truncated"
	}
	return out
}

// maxEndpointsCapacity is the endpoints controller's maxCapacity: the
// addresses an Endpoints object keeps.
const maxEndpointsCapacity = 1000

// truncateEndpoints is the endpoints controller's: over maxCapacity
// addresses, each subset keeps its proportion (rounded up) of the ready
// addresses and none not ready, or, when the ready ones fit, all of them and
// its proportion of the not ready ones. It reports whether it truncated.
func truncateEndpoints(ep *corev1.Endpoints) bool {
	ready, notReady := 0, 0
	for _, ss := range ep.Subsets {
		ready += len(ss.Addresses)
		notReady += len(ss.NotReadyAddresses)
	}
	if ready+notReady <= maxEndpointsCapacity {
		return false
	}
	truncateReady, limit, total := false, maxEndpointsCapacity-ready, notReady
	if ready > maxEndpointsCapacity {
		truncateReady, limit, total = true, maxEndpointsCapacity, ready
	}
	left := limit
	for i := range ep.Subsets {
		ss := &ep.Subsets[i]
		n := len(ss.NotReadyAddresses)
		if truncateReady {
			n = len(ss.Addresses)
		}
		add := min(int(math.Ceil(float64(n)/float64(total)*float64(limit))), left)
		if truncateReady {
			ss.Addresses = ss.Addresses[:min(add, len(ss.Addresses))]
			ss.NotReadyAddresses = []corev1.EndpointAddress{}
			left -= len(ss.Addresses)
		} else {
			ss.NotReadyAddresses = ss.NotReadyAddresses[:min(add, len(ss.NotReadyAddresses))]
			left -= len(ss.NotReadyAddresses)
		}
	}
	return true
}

// lastAppliedOf is the last-applied-configuration `kubectl apply` writes for
// o ("" for create -f, which writes none).
func (x *Executor) lastAppliedOf(cmd Command, o manifest.Object) string {
	if cmd.Verb != Apply || o.Raw == nil {
		return ""
	}
	ns := ""
	if r, ok := ResourceForKind(o.Kind); ok && r.Namespaced() {
		ns = defaultNamespace
		if x.ns != "" {
			ns = x.ns
		}
	}
	v, err := manifest.LastApplied(o.Raw, ns)
	if err != nil {
		return ""
	}
	return v
}

// appliedOutput is what `apply|create -f -o name|yaml|json` prints for an
// object instead of its "created" line: its name, or the object as the API
// server returned it, objects after the first preceded by --- in YAML.
func (x *Executor) appliedOutput(cmd Command, o manifest.Object, line string) string {
	r, ok := ResourceForKind(o.Kind)
	if !ok {
		return line
	}
	if cmd.Output == "name" {
		return r.Ref(o.Name)
	}
	p, err := newPrinter(x.c, Command{Verb: Get, Namespace: x.ns})
	if err != nil {
		return line
	}
	obj, ok := p.lookup(r, o.Name)
	if !ok {
		return line
	}
	api, err := x.apiObjectFull(p, obj)
	if err != nil {
		return line
	}
	pr, err := manifest.NewPrinter(cmd.Output)
	if err != nil {
		return line
	}
	text, err := pr.Print([]runtime.Object{api}, true)
	if err != nil {
		return line
	}
	if x.printedObjs++; x.printedObjs > 1 && cmd.Output == "yaml" {
		text = "---\n" + text
	}
	return text
}

// cat prints files of the run's file set (or the scenario's, or the disk's).
func (x *Executor) cat(cmd Command) (string, error) {
	var b strings.Builder
	var errs []string
	for _, f := range cmd.Files {
		data, _, err := x.readFile(f)
		if err != nil {
			errs = append(errs, fmt.Sprintf("cat: %s: No such file or directory", f))
			continue
		}
		b.Write(data)
	}
	return strings.TrimSuffix(b.String(), "\n"), joinErrorsText(errs)
}

func joinErrorsText(errs []string) error {
	_, err := joinResult(nil, errs)
	return err
}

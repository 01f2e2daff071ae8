package kubectl

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hpa"
	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/scenarios/manifest"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/traffic"
	"github.com/kubesim/kubesim/workload/metricsserver"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Executor applies timeline steps to a cluster, as kubectl (and kubesim's node
// and probe steps) would, and words the results as kubectl does. The cluster
// gives it the clock, the objects and the event log; Env the rest of the run.
type Executor struct {
	c *model.Cluster
	// parsed is the parse ChangesCluster made of the step Exec runs next.
	parsed parsedStep
	// net is the request path httping probes (nil: httping fails).
	net *traffic.Net
	// readFile reads a file named by `apply -f` / `delete -f`.
	readFile func(name string) ([]byte, string, error)
	// expand lists the files `-f NAME` stands for (a directory's manifests).
	expand func(name string, recursive bool) ([]string, error)
	// crds are the CustomResourceDefinitions applied, in order.
	crds []manifest.CRD
	// genRand draws generateName suffixes (create -f).
	genRand *rand.Rand
	// later records output that arrives after the step (httping's probes).
	later func(command, output string)
	// rollouts are the rollout status steps still waiting (rollout.go).
	rollouts *rolloutWatcher
	// ns is the namespace of the step being run (-n, default "default"),
	// or of the manifest object being applied; explicitNS says -n was given.
	ns         string
	explicitNS bool
	// notSimulated lists the fields already reported as not simulated.
	notSimulated map[string]bool
	// applied keeps the objects as last applied, for get -o yaml (objects.go).
	applied map[any]runtime.Object
	// lastApplied keeps kubectl apply's last-applied-configuration, by model object.
	lastApplied map[any]string
	// printedObjs counts the objects apply -o yaml|json printed (objects.go).
	printedObjs int
	// files are the files steps wrote (> FILE, sed -i), by name.
	files map[string]string
	// auto runs the HPAs, metrics-server, top and ab (nil: those steps fail).
	auto Autoscaling
	// defaultCapacity is a Node manifest's capacity where it gives none.
	defaultCapacity model.Resources
}

// FileSet is the files of a run that -f FILE, cat and sed read.
type FileSet interface {
	// ReadFile returns the file's content and the name to print for it.
	ReadFile(name string) ([]byte, string, error)
	// ExpandPath lists the manifests -f NAME stands for (a directory's
	// files, sorted; recursively with -R).
	ExpandPath(name string, recursive bool) ([]string, error)
}

// Autoscaling is a run's HPA controller and metrics-server
// (scenarios/autoscale.go), which kubectl autoscale, apply of an HPA and
// top use (kubectl finds the HPAs with hpa.ControllerOf).
type Autoscaling interface {
	// ApplyHPA creates the HPA named name in namespace ns with spec s (and
	// the labels and annotations), or updates the spec of the one there
	// (its metadata is the caller's), and starts the metrics APIs s reads.
	ApplyHPA(ns, name string, labels, annotations map[string]string, s hpa.Spec) (h *hpa.HPA, created, changed bool, err error)
	// MetricsServer is the run's metrics-server.
	MetricsServer() *metricsserver.Server
}

// Env is what the executor takes from the scenario run; every field may be
// left zero.
type Env struct {
	// Files are the run's files (nil: none; -f FILE fails).
	Files FileSet
	// Net is the request path httping probes (nil: httping fails).
	Net *traffic.Net
	// Autoscaling runs the autoscaling steps (nil: they are refused).
	Autoscaling Autoscaling
	// Later records output that arrives after its step (httping, ab).
	Later func(command, output string)
	// NodeCapacity is a Node manifest's capacity where it gives none.
	NodeCapacity model.Resources
}

// NewExecutor returns an executor of steps on c.
func NewExecutor(c *model.Cluster, env Env) *Executor {
	x := &Executor{c: c, notSimulated: map[string]bool{}, net: env.Net, auto: env.Autoscaling,
		later: env.Later, defaultCapacity: env.NodeCapacity}
	x.readFile = func(name string) ([]byte, string, error) {
		return nil, name, fmt.Errorf("error: the path %q does not exist", name)
	}
	x.expand = func(name string, recursive bool) ([]string, error) { return []string{name}, nil }
	if env.Files != nil {
		x.readFile, x.expand = env.Files.ReadFile, env.Files.ExpandPath
	}
	return x
}

// Later is the function that records output arriving after its step (nil if none).
func (x *Executor) Later() func(command, output string) { return x.later }

// File returns a file a step wrote (> FILE, sed -i) and whether one did.
func (x *Executor) File(name string) (string, bool) {
	s, ok := x.files[name]
	return s, ok
}

func (x *Executor) Exec(line string) (string, error) {
	if cmdLine, r, err := SplitRedirect(line); err != nil {
		return "", &UsageError{Msg: err.Error()}
	} else if r != nil {
		return x.redirect(cmdLine, r)
	}
	cmd, err := x.parsed.take(line)
	if err != nil {
		return "", err
	}
	x.ns, x.explicitNS = cmd.Namespace, cmd.Namespace != ""
	if x.ns == "" {
		x.ns = model.DefaultNamespace
	}
	if x.auto == nil && (cmd.Verb == Autoscale || cmd.Verb == Top || cmd.Verb == AB) {
		return "", fmt.Errorf("error: kubesim cannot run %q steps here", cmd.Verb)
	}
	switch cmd.Verb {
	case Autoscale:
		return x.autoscale(cmd) // autoscale.go
	case Top:
		return x.top(cmd)
	case AB:
		return x.ab(cmd)
	case Apply, Create:
		return x.apply(cmd)
	case CreateDeployment:
		return x.createDeployment(cmd)
	case CreatePDB:
		return x.createPDB(cmd) // pdb.go
	case CreateNamespace:
		name := cmd.Targets[0].Name
		if x.c.Namespace(name) != nil {
			return "", AlreadyExists(Namespaces, name)
		}
		if _, err := x.c.CreateNamespace(name, nil); err != nil {
			return "", fmt.Errorf("error: failed to create namespace: %v", err)
		}
		return Done(Namespaces, name, "created"), nil
	case Run:
		return x.run(cmd)
	case Expose:
		return x.expose(cmd)
	case Scale:
		return x.scale(cmd)
	case Label, Annotate:
		return x.label(cmd)
	case SetSelector:
		return x.setSelector(cmd)
	case SetImage:
		return x.setImage(cmd)
	case Patch, Edit:
		return x.patch(cmd)
	case Delete:
		return x.delete(cmd)
	case Get:
		if out, err, ok := getSpecial(x.c, cmd); ok {
			return out, err // events.go
		}
		if StructuredOutput(cmd.Output) {
			return x.getStructured(cmd)
		}
		return PrintGet(x.c, cmd)
	case Describe:
		return PrintDescribe(x.c, cmd)
	case RolloutRestart, RolloutStatus:
		return x.rollout(cmd)
	case RolloutHistory, RolloutUndo, RolloutPause, RolloutResume:
		return x.rolloutHistory(cmd)
	case Cordon, Uncordon, Drain, Taint:
		return x.nodeCmd(cmd)
	case NodeAdd, NodeRemove, NodeReboot:
		return x.node(cmd)
	case HTTPing:
		return x.httping(cmd)
	case Sed:
		return x.sed(cmd)
	case Cat:
		return x.cat(cmd)
	}
	return "", fmt.Errorf("error: kubesim cannot run %q steps", cmd.Verb)
}

// --- apply ---

func (x *Executor) apply(cmd Command) (string, error) {
	x.printedObjs = 0
	var out, errs []string
	decoded := 0
	// kubectl maps every object with the API discovery of the start of the
	// command: a CRD applied by this command does not yet serve its kind.
	crds := x.crds
	for _, name := range cmd.Files {
		files, err := x.expand(name, cmd.Recursive)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		for _, f := range files {
			var n int
			out, errs, n = x.applyFile(f, cmd, crds, out, errs)
			decoded += n
		}
	}
	if decoded == 0 && len(errs) == 0 {
		// Every file was empty (or only comments), or a directory held no
		// manifest, as kubectl answers.
		errs = append(errs, "error: no objects passed to "+string(cmd.Verb))
	}
	return joinResult(out, errs)
}

// objectNamespace is the namespace a manifest object goes to: its own
// metadata.namespace, else the command's (-n, default "default"). A
// namespace given with -n must match the object's, as kubectl enforces.
func (x *Executor) objectNamespace(obj runtime.Object, cmdNS string) (string, error) {
	m, ok := obj.(metav1.Object)
	if !ok {
		return cmdNS, nil
	}
	on := m.GetNamespace()
	if on == "" {
		return cmdNS, nil
	}
	if x.explicitNS && on != cmdNS {
		return "", fmt.Errorf("error: the namespace from the provided object %q does not match the namespace %q. You must pass '--namespace=%s' to perform this operation.", on, cmdNS, on)
	}
	return on, nil
}

// checkNamespace refuses a new namespaced object in a namespace that does not
// exist or is terminating, with the API server's words.
func (x *Executor) checkNamespace(obj runtime.Object, file, kind, name string) error {
	r, ok := ResourceForKind(kind)
	if !ok || !r.Namespaced() || x.exists(Target{Resource: r, Name: name}) {
		return nil
	}
	ns := x.c.Namespace(x.ns)
	switch {
	case ns == nil:
		return fmt.Errorf("Error from server (NotFound): error when creating %q: namespaces %q not found", file, x.ns)
	case ns.Phase == model.NamespaceTerminating:
		return fmt.Errorf("Error from server (Forbidden): error when creating %q: %s %q is forbidden: unable to create new content in namespace %s because it is being terminated", file, r.Qualified(), name, x.ns)
	}
	return nil
}

// applyFile applies the objects of one file; decoded counts its documents
// (zero for an empty file).
func (x *Executor) applyFile(f string, cmd Command, crds []manifest.CRD, out, errs []string) (_, _ []string, decoded int) {
	data, _, err := x.readFile(f)
	if err != nil {
		return out, append(errs, err.Error()), 1
	}
	objs, warnings, err := manifest.Decode(f, data, manifest.Options{Validate: cmd.Validate, Warn: cmd.ValidateWarn, CRDs: crds})
	decoded = len(objs) + len(warnings)
	if err != nil {
		decoded++
	}
	for _, w := range warnings {
		out = append(out, "Warning: "+w)
	}
	if err != nil {
		var me *manifest.Error
		if errors.As(err, &me) {
			errs = append(errs, me.Kubectl()...)
		} else {
			errs = append(errs, err.Error())
		}
	}
	create := cmd.Verb == Create
	cmdNS := x.ns
	defer func() { x.ns = cmdNS }()
	for _, o := range objs {
		ns, err := x.objectNamespace(o.Obj, cmdNS)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		x.ns = ns
		if err := x.checkNamespace(o.Obj, f, o.Kind, o.Name); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if o.CRD != nil {
			if create {
				if x.crdExists(o.CRD.Name) {
					errs = append(errs, fmt.Sprintf("Error from server (AlreadyExists): error when creating %q: customresourcedefinitions.apiextensions.k8s.io %q already exists", f, o.CRD.Name))
					continue
				}
			}
			out = append(out, x.applyCRD(*o.CRD))
			continue
		}
		if m, ok := o.Obj.(metav1.Object); ok && m.GetName() == "" && m.GetGenerateName() != "" {
			if !create {
				errs = append(errs, fmt.Sprintf("error: from %s: cannot use generate name with apply", m.GetGenerateName()))
				continue
			}
			// The API server appends 5 random characters (from a seeded
			// stream of its own, so that other draws are unchanged).
			if x.genRand == nil {
				x.genRand = sim.NewStream(x.c.E.Seed(), "generate-name")
			}
			for {
				b := make([]byte, 5)
				for i := range b {
					b[i] = generateNameAlphabet[x.genRand.IntN(len(generateNameAlphabet))]
				}
				m.SetName(m.GetGenerateName() + string(b))
				if r, ok := ResourceForKind(o.Kind); !ok || !x.exists(Target{Resource: r, Name: m.GetName()}) {
					break
				}
			}
			o.Name = m.GetName()
		}
		if create {
			if r, ok := ResourceForKind(o.Kind); ok && x.exists(Target{Resource: r, Name: o.Name}) {
				errs = append(errs, fmt.Sprintf("Error from server (AlreadyExists): error when creating %q: %s %q already exists", f, r.Qualified(), o.Name))
				continue
			}
		}
		stripLastApplied(o.Obj)
		obj := o.Obj
		if cmd.Verb == Apply {
			if obj, err = x.threeWayApplied(o, f); err != nil {
				errs = append(errs, err.Error())
				continue
			}
		}
		res, err := x.applyObject(obj, f, false)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		x.recordLastApplied(obj, x.lastAppliedOf(cmd, o))
		if cmd.Output != "" {
			res = x.appliedOutput(cmd, o, res) // objects.go
		}
		out = append(out, res)
		for _, field := range manifest.NotSimulated(o.Obj) {
			key := o.Kind + " " + field
			if !x.notSimulated[key] {
				x.notSimulated[key] = true
				line := fmt.Sprintf("kubesim: %s: %s %s: %s is accepted but not simulated", f, o.Kind, o.Name, field)
				if why := manifest.NotSimulatedWhy(field); why != "" {
					line += ": " + why
				}
				out = append(out, line)
			}
		}
	}
	return out, errs, decoded
}

// generateNameAlphabet is the API server's alphabet for generateName
// suffixes (no vowels, no confusable digits).
const generateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789"

func (x *Executor) crdExists(name string) bool {
	for _, c := range x.crds {
		if c.Name == name {
			return true
		}
	}
	return false
}

// applyCRD records a CustomResourceDefinition, so that later steps can apply
// its custom resources (which kubesim skips with a warning).
func (x *Executor) applyCRD(c manifest.CRD) string {
	ref := "customresourcedefinition.apiextensions.k8s.io/" + c.Name
	for i, old := range x.crds {
		if old.Name == c.Name {
			if reflect.DeepEqual(old, c) {
				return ref + " unchanged"
			}
			x.crds = append(append([]manifest.CRD(nil), x.crds[:i]...), x.crds[i+1:]...)
			x.crds = append(x.crds, c)
			return ref + " configured"
		}
	}
	x.crds = append(append([]manifest.CRD(nil), x.crds...), c)
	return ref + " created"
}

func joinResult(out, errs []string) (string, error) {
	var err error
	if len(errs) > 0 {
		err = errors.New(strings.Join(errs, "\n"))
	}
	return strings.Join(out, "\n"), err
}

// applyObject creates obj or updates the existing object of its kind and name.
// It returns kubectl's line: created, configured or unchanged (patched for a
// patch).
func (x *Executor) applyObject(obj runtime.Object, source string, patching bool) (string, error) {
	verb := func(created, changed bool) string {
		switch {
		case patching && changed:
			return "patched"
		case patching:
			return "patched (no change)"
		case created:
			return "created"
		case changed:
			return "configured"
		}
		return "unchanged"
	}
	kind, ok := apiKind(obj)
	if !ok || kind.apply.fn == nil {
		return "", fmt.Errorf("error: kubesim cannot apply a %T", obj)
	}
	return kind.apply.fn(x, obj, verb) // apply.go
}

// applyMeta sets the labels and annotations a manifest gives an existing
// object (those it does not give are left as they are, as kubectl apply
// leaves fields it never applied).
func (x *Executor) applyMeta(o model.Object, m metav1.ObjectMeta, changed *bool) error {
	cur := o.Meta()
	if m.Labels != nil && !manifest.SameMap(m.Labels, cur.Labels) {
		if err := x.c.SetLabels(o, m.Labels); err != nil {
			return err
		}
		*changed = true
	}
	if m.Annotations != nil && !manifest.SameMap(m.Annotations, cur.Annotations) {
		x.c.SetAnnotations(o, m.Annotations)
		*changed = true
	}
	return nil
}

// syncTaints makes the node's taints (those a user sets) equal to want.
func (x *Executor) syncTaints(n *model.Node, want []model.Taint, changed *bool) error {
	key := func(t model.Taint) string { return t.Key + "=" + t.Value + ":" + string(t.Effect) }
	have := map[string]bool{}
	for _, t := range n.Taints {
		have[key(t)] = true
	}
	wanted := map[string]bool{}
	for _, t := range want {
		wanted[key(t)] = true
		if !have[key(t)] {
			if err := x.c.TaintNode(n.Name, t); err != nil {
				return err
			}
			*changed = true
		}
	}
	for _, t := range append([]model.Taint(nil), n.Taints...) {
		if !wanted[key(t)] {
			if err := x.c.UntaintNode(n.Name, t.Key, t.Effect); err != nil {
				return err
			}
			*changed = true
		}
	}
	return nil
}

// --- create, run, expose, scale ---

func (x *Executor) createDeployment(cmd Command) (string, error) {
	if cmd.DryRun != "" {
		return dryRunDeployment(cmd) // objects.go
	}
	name := cmd.Targets[0].Name
	if x.c.DeploymentIn(x.ns, name) != nil {
		return "", CreateAlreadyExists(Deployments, name)
	}
	n := int(cmd.Replicas)
	if n < 0 {
		n = 1
	}
	image := cmd.Image
	if image == "" && len(cmd.Images) > 0 {
		image = cmd.Images[0]
	}
	lbls := map[string]string{"app": name}
	spec := model.DeploymentSpec{Name: name, Namespace: x.ns, Labels: lbls, Replicas: &n,
		Template: model.PodTemplate{Labels: lbls, Spec: model.PodSpec{Image: image, Command: cmd.Args, Ports: flagPort(cmd)}}}
	if _, err := x.c.CreateDeploymentSpec(spec); err != nil {
		return "", fmt.Errorf("error: failed to create deployment: %v", err)
	}
	return Done(Deployments, name, "created"), nil
}

// flagPort is the container port --port declares (kubectl create deployment
// and run put it on the first container; the API server defaults its protocol
// to TCP); nil without --port.
func flagPort(cmd Command) []model.ContainerPort {
	if cmd.Port <= 0 {
		return nil
	}
	return []model.ContainerPort{{Port: int(cmd.Port), Protocol: "TCP"}}
}

func (x *Executor) run(cmd Command) (string, error) {
	if cmd.DryRun != "" {
		return dryRunPod(cmd) // objects.go
	}
	name := cmd.Targets[0].Name
	if x.c.PodIn(x.ns, name) != nil {
		return "", CreateAlreadyExists(Pods, name)
	}
	lbls := map[string]string{"run": name}
	if len(cmd.Set) > 0 {
		lbls = map[string]string{}
		for _, kv := range cmd.Set {
			lbls[kv.Key] = kv.Value
		}
	}
	if _, err := x.c.CreatePodIn(x.ns, name, lbls, model.PodSpec{Image: cmd.Image, Container: name, Args: cmd.Args, Ports: flagPort(cmd)}, nil); err != nil {
		return "", err
	}
	return Done(Pods, name, "created"), nil
}

func equalitySelector(s *labels.Selector) (map[string]string, bool) {
	m := map[string]string{}
	for _, r := range s.Requirements() {
		if r.Operator != labels.Equals && r.Operator != labels.DoubleEquals && !(r.Operator == labels.In && len(r.Values) == 1) {
			return nil, false
		}
		m[r.Key] = r.Values[0]
	}
	return m, true
}

func (x *Executor) expose(cmd Command) (string, error) {
	t := cmd.Targets[0]
	c := x.c
	expose := resources[t.Resource].expose // not nil: parse refuses the others
	o := x.object(t)
	if o == nil {
		return "", NotFound(t.Resource, t.Name)
	}
	sel, found, err := expose(o)
	if err != nil {
		return "", err
	}
	if len(cmd.Set) > 0 {
		sel = map[string]string{}
		for _, kv := range cmd.Set {
			sel[kv.Key] = kv.Value
		}
	}
	ports := exposePorts(found, int(cmd.Port), cmd.TargetPort)
	if len(ports) == 0 {
		return "", ExposeNoPort()
	}
	port := ports[0].Port
	name := t.Name
	if cmd.Name != "" {
		name = cmd.Name
	}
	if cmd.DryRun != "" {
		return dryRunService(cmd, name, sel, x.metaLabels(t), ports) // objects.go
	}
	if c.ServiceIn(x.ns, name) != nil {
		return "", AlreadyExists(Services, name)
	}
	typ := cmd.Type
	if typ == "" {
		typ = "ClusterIP"
	}
	if err := c.CheckServicePorts(name, typ, ports); err != nil {
		return "", fmt.Errorf("The Service %q is invalid: %v", name, err)
	}
	s, err := c.CreateServiceIn(x.ns, name, sel, port)
	if err != nil {
		return "", err
	}
	if err := c.SetServicePorts(s, typ, ports); err != nil {
		return "", fmt.Errorf("The Service %q is invalid: %v", name, err)
	}
	s.Labels = x.metaLabels(t)
	return Done(Services, name, "exposed"), nil
}

// The selector and ports of the Service kubectl expose makes for an object of
// each kind (the expose entry of the kinds table): the workload's selector
// (equality requirements only), a pod's labels, a Service's selector; and
// the ports kubectl introspects (polymorphichelpers' PortsForObject and
// ProtocolsForObject): every container port of the pod spec, or every port
// of the Service, with its protocol.

// exposedPort is a port kubectl expose introspects, with its protocol.
type exposedPort struct {
	port     int
	protocol string
}

func exposeDeployment(d *model.Deployment) (map[string]string, []exposedPort, error) {
	sel, ok := equalitySelector(d.LabelSelector)
	if !ok {
		return nil, nil, ExposeNoSelector("the Deployment's selector has set-based requirements, which a Service cannot use")
	}
	return sel, containerPorts(d.Template.Spec), nil
}

// containerPorts are the container ports of a pod spec, in order.
func containerPorts(s model.PodSpec) []exposedPort {
	var out []exposedPort
	for _, p := range s.Ports {
		out = append(out, exposedPort{p.Port, p.Protocol})
	}
	return out
}

func exposeReplicaSet(rs *model.ReplicaSet) (map[string]string, []exposedPort, error) {
	sel, ok := equalitySelector(rs.Selector)
	if !ok {
		return nil, nil, ExposeNoSelector("the selector has set-based requirements, which a Service cannot use")
	}
	return sel, containerPorts(rs.Template.Spec), nil
}

func exposePod(p *model.Pod) (map[string]string, []exposedPort, error) {
	return p.Labels, containerPorts(p.Spec), nil
}

func exposeService(s *model.Service) (map[string]string, []exposedPort, error) {
	var out []exposedPort
	for _, p := range s.Ports {
		out = append(out, exposedPort{p.Port, p.Protocol})
	}
	if len(out) == 0 && s.Port != 0 {
		out = append(out, exposedPort{s.Port, "TCP"})
	}
	return s.Selector, out, nil
}

// exposePorts are the Service ports kubectl expose makes (expose.go's
// createService): --port's port (port != 0), or every introspected one;
// with more than one, named port-1, port-2, ... in order; each with the
// protocol the object gives that port number (TCP when it gives none), or,
// for a port number the object gives several protocols, one port per
// protocol named port-N-PROTOCOL; targetPort is --target-port, or the port.
func exposePorts(found []exposedPort, port int, targetPort string) []model.ServicePort {
	protocols := map[int][]string{}
	var nums []int
	for _, p := range found {
		pr := p.protocol
		if pr == "" {
			pr = "TCP"
		}
		protocols[p.port] = append(protocols[p.port], pr)
		nums = append(nums, p.port)
	}
	if port != 0 {
		nums = []int{port}
	}
	var out []model.ServicePort
	for i, n := range nums {
		name := ""
		if len(nums) > 1 {
			name = fmt.Sprintf("port-%d", i+1)
		}
		prs := protocols[n]
		if len(prs) > 1 {
			for _, pr := range prs {
				out = append(out, model.ServicePort{Name: fmt.Sprintf("port-%d-%s", i+1, strings.ToLower(pr)), Protocol: pr, Port: n, TargetPort: targetPort})
			}
			continue
		}
		pr := "TCP"
		if len(prs) == 1 {
			pr = prs[0]
		}
		out = append(out, model.ServicePort{Name: name, Protocol: pr, Port: n, TargetPort: targetPort})
	}
	return out
}

// object is the object t names in the step's namespace, nil if none.
func (x *Executor) object(t Target) model.Object {
	return t.Resource.Object(x.c, x.ns, t.Name)
}

// metaLabels are the labels of the object t names.
func (x *Executor) metaLabels(t Target) map[string]string {
	if s, ok := x.object(t).(*model.Service); ok && t.Resource == Endpoints {
		return endpointsLabels(s)
	}
	if o := x.object(t); o != nil {
		return o.Meta().Labels
	}
	return nil
}

func (x *Executor) scale(cmd Command) (string, error) {
	targets, err := x.resolve(cmd)
	if err != nil {
		return "", err
	}
	var out []string
	for _, t := range targets {
		scale := resources[t.Resource].scale
		if scale == nil {
			return "", fmt.Errorf(`Error from server (NotFound): the server could not find the requested resource`)
		}
		if err := scale(x.c, t.Resource.Object(x.c, x.ns, t.Name), int(cmd.Replicas)); err != nil {
			return "", err
		}
		out = append(out, Done(t.Resource, t.Name, "scaled"))
	}
	return strings.Join(out, "\n"), nil
}

// resolve lists the objects a command names: TYPE NAME..., or every object of
// a type matching -l (or all of them with --all). An object named but missing
// is kubectl's NotFound.
func (x *Executor) resolve(cmd Command) ([]Target, error) {
	var sel *labels.Selector
	if cmd.Selector != "" {
		var err error
		if sel, err = labels.Parse(cmd.Selector); err != nil {
			return nil, fmt.Errorf("error: %v", err)
		}
	}
	var out []Target
	for _, t := range cmd.Targets {
		if t.Name != "" {
			if !x.exists(t) {
				return nil, NotFound(t.Resource, t.Name)
			}
			out = append(out, t)
			continue
		}
		for _, name := range x.names(t.Resource) {
			tt := Target{Resource: t.Resource, Name: name}
			if sel == nil || sel.MatchesMap(x.metaLabels(tt)) {
				out = append(out, tt)
			}
		}
	}
	return out, nil
}

func (x *Executor) exists(t Target) bool {
	return x.object(t) != nil
}

// names lists the names of r's objects, sorted.
func (x *Executor) names(r Resource) []string {
	var out []string
	for _, o := range r.Objects(x.c, x.ns) {
		out = append(out, o.Meta().Name)
	}
	return out
}

// --- label, annotate ---

func (x *Executor) label(cmd Command) (string, error) {
	targets, err := x.labelTargets(cmd)
	if err != nil {
		return "", err
	}
	if len(targets) == 0 {
		return "", fmt.Errorf("error: no objects passed to %s", cmd.Verb)
	}
	isLabel := cmd.Verb == Label
	var out []string
	for _, t := range targets {
		cur := x.objAnnotationsOrLabels(t, isLabel)
		next := map[string]string{}
		for k, v := range cur {
			next[k] = v
		}
		var clash []KeyValue
		for _, kv := range cmd.Set {
			if old, ok := cur[kv.Key]; ok && !cmd.Overwrite {
				if isLabel {
					return strings.Join(out, "\n"), LabelOverwrite(kv.Key, old)
				}
				clash = append(clash, KeyValue{Key: kv.Key, Value: old})
			}
			next[kv.Key] = kv.Value
		}
		if len(clash) > 0 {
			return strings.Join(out, "\n"), AnnotationOverwrite(clash)
		}
		for _, k := range cmd.Remove {
			delete(next, k)
		}
		what := "labeled"
		if !isLabel {
			what = "annotated"
		}
		if len(cmd.Set) == 0 && len(cmd.Remove) > 0 && isLabel {
			what = "unlabeled"
		}
		if manifest.SameMap(cur, next) && isLabel {
			what = "not labeled"
		} else if err := x.setObjMap(t, next, isLabel); err != nil {
			return strings.Join(out, "\n"), err
		}
		out = append(out, Done(t.Resource, t.Name, what))
	}
	return strings.Join(out, "\n"), nil
}

// labelTargets are the objects label and annotate act on: by name or
// selector; EndpointSlices are found among the Services' slices.
func (x *Executor) labelTargets(cmd Command) ([]Target, error) {
	var rest Command
	rest, rest.Targets = cmd, nil
	var out []Target
	for _, t := range cmd.Targets {
		if t.Resource != EndpointSlices {
			rest.Targets = append(rest.Targets, t)
			continue
		}
		p, err := newPrinter(x.c, Command{Namespace: x.ns, Selector: cmd.Selector})
		if err != nil {
			return nil, err
		}
		list, errs := p.selectSlices(Command{Targets: []Target{t}})
		if len(errs) > 0 {
			return nil, errs[0]
		}
		for _, s := range list {
			out = append(out, Target{Resource: EndpointSlices, Name: s.name})
		}
	}
	if len(rest.Targets) > 0 {
		more, err := x.resolve(rest)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// endpointSlice is the slice named name in the executor's namespace.
func (x *Executor) endpointSlice(name string) (endpointSlice, bool) {
	p := &printer{c: x.c, now: x.c.Now(), ns: x.ns}
	for _, s := range p.endpointSlices() {
		if s.name == name {
			return s, true
		}
	}
	return endpointSlice{}, false
}

// endpointsOf is the Service whose Endpoints or EndpointSlice t names, with
// the slice's index (-1: the Endpoints); an error for the API server's own
// kubernetes objects.
func (x *Executor) endpointsOf(t Target) (*model.Service, int, error) {
	if t.Resource == Endpoints {
		if s, ok := x.object(t).(*model.Service); ok && !s.IsAPIServer() {
			return s, -1, nil
		}
	} else if s, ok := x.endpointSlice(t.Name); ok && !s.svc.IsAPIServer() {
		return s.svc, s.index, nil
	}
	return nil, 0, fmt.Errorf("error: kubesim keeps no labels or annotations of the API server's own %s %q", t.Resource, t.Name)
}

// Keys the controllers own on Endpoints and EndpointSlices: annotate leaves
// them to the controller, and label refuses to change the slices' reserved
// ones (the EndpointSlice controller would stop managing the slice, or move
// it to another Service: not modelled).
var (
	controllerAnnotations = []string{corev1.EndpointsLastChangeTriggerTime, corev1.EndpointsOverCapacity}
	reservedSliceLabels   = []string{labelServiceName, labelManagedBy}
)

func (x *Executor) objAnnotationsOrLabels(t Target, isLabel bool) map[string]string {
	if t.Resource == Endpoints || t.Resource == EndpointSlices {
		p := &printer{c: x.c, now: x.c.Now(), ns: x.ns}
		if t.Resource == Endpoints {
			if svc, ok := x.object(t).(*model.Service); ok {
				ep := x.endpointsObject(p, objectOf(Endpoints, svc))
				if isLabel {
					return ep.Labels
				}
				return ep.Annotations
			}
			return nil
		}
		if s, ok := x.endpointSlice(t.Name); ok {
			sl := p.endpointSliceObject(s)
			if isLabel {
				return sl.Labels
			}
			return sl.Annotations
		}
		return nil
	}
	o := x.object(t)
	if o == nil {
		return nil
	}
	if isLabel {
		return o.Meta().Labels
	}
	return o.Meta().Annotations
}

func (x *Executor) setObjMap(t Target, m map[string]string, isLabel bool) error {
	if isLabel {
		for k, v := range m {
			if err := labels.ValidateKey(k); err != nil {
				return fmt.Errorf("error: invalid label key %q: %v", k, err)
			}
			if err := labels.ValidateValue(v); err != nil {
				return fmt.Errorf("error: invalid label value %q: %v", v, err)
			}
		}
	}
	if t.Resource == Endpoints || t.Resource == EndpointSlices {
		return x.setEndpointsMap(t, m, isLabel)
	}
	o := x.object(t)
	if o == nil {
		return NotFound(t.Resource, t.Name)
	}
	if !isLabel {
		x.c.SetAnnotations(o, m)
		return nil
	}
	return x.c.SetLabels(o, m)
}

// setEndpointsMap stores labels or annotations a user wrote on a Service's
// Endpoints or one of its EndpointSlices: the API server keeps them until
// the controllers' next sync of the Service, which writes the Service's
// labels back (model/endpointsmeta.go); annotations stay.
func (x *Executor) setEndpointsMap(t Target, m map[string]string, isLabel bool) error {
	svc, slice, err := x.endpointsOf(t)
	if err != nil {
		return err
	}
	if !isLabel {
		user := maps.Clone(m)
		for _, k := range controllerAnnotations {
			delete(user, k)
		}
		x.c.SetEndpointsAnnotations(svc, slice, user)
		return nil
	}
	if slice >= 0 {
		cur := x.objAnnotationsOrLabels(t, true)
		for _, k := range reservedSliceLabels {
			if m[k] != cur[k] {
				return fmt.Errorf("error: kubesim does not model changing an EndpointSlice's %s label: the EndpointSlice controller would stop managing %q or move it to another Service", k, t.Name)
			}
		}
	}
	x.c.SetEndpointsLabels(svc, slice, m)
	return nil
}

// --- set selector, set image ---

func (x *Executor) setSelector(cmd Command) (string, error) {
	targets, err := x.resolve(cmd)
	if err != nil {
		return "", err
	}
	sel := map[string]string{}
	for _, kv := range cmd.Set {
		sel[kv.Key] = kv.Value
	}
	var out []string
	for _, t := range targets {
		if t.Resource != Services {
			return "", SelectorImmutable(t.Resource, t.Name, labels.SelectorFromMap(sel).String())
		}
		svc := x.object(t).(*model.Service)
		if svc.IsAPIServer() {
			return "", fmt.Errorf("error: kubesim does not model a selector on the API server's own Service %q (the endpoints controller and the API server would both write its Endpoints)", t.Name)
		}
		x.c.SetServiceSelector(svc, sel)
		out = append(out, Done(t.Resource, t.Name, "selector updated"))
	}
	return strings.Join(out, "\n"), nil
}

func (x *Executor) setImage(cmd Command) (string, error) {
	targets, err := x.resolve(cmd)
	if err != nil {
		return "", err
	}
	if len(cmd.Containers) == 0 {
		return "", fmt.Errorf("error: at least one image update is required")
	}
	image := cmd.Containers[len(cmd.Containers)-1].Value
	var out []string
	for _, t := range targets {
		setImage := resources[t.Resource].setImage
		if setImage == nil {
			return "", fmt.Errorf("error: kubesim sets images of deployments and daemonsets only")
		}
		if err := setImage(x.c, t.Resource.Object(x.c, x.ns, t.Name), image); err != nil {
			return "", err
		}
		out = append(out, Done(t.Resource, t.Name, "image updated"))
	}
	return strings.Join(out, "\n"), nil
}

// --- patch, edit ---

// apiObject is the object t as patch and edit start from: the model's
// object (toAPI), with the pod spec and the Service fields as last applied
// where the model keeps them as applied (a probe's httpGet, which the model
// does not keep: without it, every patch of such a Deployment was refused
// with "must specify a handler type").
func (x *Executor) apiObject(t Target) runtime.Object {
	info := resources[t.Resource]
	o := t.Resource.Object(x.c, x.ns, t.Name)
	out := x.modelObject(t)
	if out == nil || info.apiObject == nil {
		return out
	}
	p := &printer{c: x.c, now: x.c.Now(), ns: x.ns}
	full := info.apiObject(x, p, object{res: t.Resource, name: t.Name, namespace: x.ns, obj: o})
	if info.asApplied != nil {
		info.asApplied(out, full)
	} else if info.podTemplate != nil {
		if d, s := info.podTemplate(out), info.podTemplate(full); d != nil && s != nil {
			d.Spec = s.Spec
		}
	}
	return out
}

// modelObject is the object t as the model has it (toAPI), nil if none.
func (x *Executor) modelObject(t Target) runtime.Object {
	f := resources[t.Resource].toAPI
	o := t.Resource.Object(x.c, x.ns, t.Name)
	if f == nil || o == nil {
		return nil
	}
	return f(x.c, o)
}

// recordPatched keeps obj, the object a patch or edit made, as the applied
// object (for printing and the next patch), its last-applied configuration
// unchanged (kubectl patch does not touch it).
func (x *Executor) recordPatched(obj runtime.Object) {
	last := ""
	if kind, ok := apiKind(obj); ok && kind.get != nil {
		if m := kind.get(x.c, x.ns, obj.(metav1.Object).GetName()); m != nil {
			last = x.lastApplied[m]
		}
	}
	x.recordLastApplied(obj, last)
}

func (x *Executor) patch(cmd Command) (string, error) {
	targets, err := x.resolve(cmd)
	if err != nil {
		return "", err
	}
	text, typ, source := cmd.Patch, cmd.PatchType, "patch"
	if cmd.Verb == Edit {
		if text, err = cmd.EditPatch(); err != nil {
			return "", fmt.Errorf("error: %v", err)
		}
		typ, source = "merge", "edit"
	}
	var out []string
	for _, t := range targets {
		obj := x.apiObject(t)
		if obj == nil {
			return "", fmt.Errorf("error: kubesim cannot %s a %s", cmd.Verb, t.Resource.Kind())
		}
		patched, err := manifest.ApplyPatch(obj, text, typ, source)
		if err != nil {
			var me *manifest.Error
			switch {
			case cmd.Verb == Edit:
				return "", fmt.Errorf("error: %s %q is invalid\n%v", t.Resource.Qualified(), t.Name, err)
			case errors.As(err, &me):
				return "", errors.New(me.KubectlPatch())
			}
			return "", err
		}
		line, err := x.applyObject(patched, source, true)
		if err != nil {
			var me *manifest.Error
			if cmd.Verb == Patch && errors.As(err, &me) {
				return "", errors.New(me.KubectlPatch())
			}
			return "", err
		}
		// What the model did not take (a field kubesim does not simulate) is
		// said, never passed over as "no change".
		if after := x.modelObject(t); after != nil {
			for _, f := range manifest.Unapplied(patched, after, obj) {
				line += fmt.Sprintf("\nkubesim: %s %s: %s is accepted but not simulated", t.Resource.Kind(), t.Name, f)
			}
		}
		x.recordPatched(patched)
		if cmd.Verb == Edit {
			line = strings.Replace(strings.Replace(line, "patched (no change)", "skipped", 1), "patched", "edited", 1)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n"), nil
}

// --- delete ---

func (x *Executor) delete(cmd Command) (string, error) {
	var targets []Target
	var crdsDeleted []string
	var nss []string // delete -f: each target's namespace (the manifest's)
	// delete -f goes on past an object it does not find, as kubectl's
	// (ContinueOnError) does, and reports each after: errs, and the file
	// each target came from.
	var errs, from []string
	if len(cmd.Files) > 0 {
		var files []string
		for _, name := range cmd.Files {
			fs, err := x.expand(name, cmd.Recursive)
			if err != nil {
				return "", err
			}
			files = append(files, fs...)
		}
		for _, f := range files {
			data, _, err := x.readFile(f)
			if err != nil {
				return "", err
			}
			objs, _, err := manifest.Decode(f, data, manifest.Options{Validate: false, CRDs: x.crds})
			if err != nil {
				return "", err
			}
			for _, o := range objs {
				if o.CRD != nil {
					found := false
					for i, c := range x.crds {
						if c.Name == o.CRD.Name {
							x.crds = append(append([]manifest.CRD(nil), x.crds[:i]...), x.crds[i+1:]...)
							found = true
							break
						}
					}
					if !found {
						errs = append(errs, fmt.Sprintf(`Error from server (NotFound): error when deleting %q: customresourcedefinitions.apiextensions.k8s.io %q not found`, f, o.CRD.Name))
						continue
					}
					crdsDeleted = append(crdsDeleted, fmt.Sprintf(`customresourcedefinition.apiextensions.k8s.io %q deleted`, o.CRD.Name))
					continue
				}
				r, ok := ResourceForKind(o.Kind)
				if !ok {
					continue
				}
				t := Target{Resource: r, Name: o.Name}
				ns, err := x.objectNamespace(o.Obj, x.ns)
				if err != nil {
					return "", err
				}
				if r.Object(x.c, ns, o.Name) == nil {
					if !cmd.IgnoreNotFound {
						errs = append(errs, notFoundDeleting(f, r, o.Name))
					}
					continue
				}
				targets = append(targets, t)
				nss = append(nss, ns)
				from = append(from, f)
			}
		}
		if len(targets) == 0 && len(crdsDeleted) == 0 {
			switch {
			case len(errs) > 0:
				return "", refusal("%s", strings.Join(errs, "\n"))
			case cmd.IgnoreNotFound:
				return NoResourcesFound(""), nil
			}
			return "", errors.New("error: no objects passed to delete")
		}
	} else {
		// A name that is not there is reported after the others are
		// deleted, as kubectl goes on past it (--ignore-not-found: not
		// reported).
		var named []Target
		for _, t := range cmd.Targets {
			switch {
			case t.Name == "" || x.exists(t):
				named = append(named, t)
			case !cmd.IgnoreNotFound:
				errs = append(errs, NotFound(t.Resource, t.Name).Error())
			}
		}
		if len(named) == 0 {
			if len(errs) > 0 {
				return "", refusal("%s", strings.Join(errs, "\n"))
			}
			return NoResourcesFound(""), nil
		}
		cmd.Targets = named
		var err error
		if targets, err = x.resolve(cmd); err != nil {
			return "", err
		}
	}
	if len(targets) == 0 {
		if len(crdsDeleted) > 0 {
			return strings.Join(crdsDeleted, "\n"), nil
		}
		return NoResourcesFound(""), nil
	}
	grace := time.Duration(-1)
	if cmd.GracePeriod >= 0 {
		grace = time.Duration(cmd.GracePeriod) * time.Second
	}
	c := x.c
	out := crdsDeleted
	for i, t := range targets {
		ns := x.ns
		if nss != nil {
			ns = nss[i]
		}
		o := t.Resource.Object(c, ns, t.Name)
		if o == nil {
			// Gone meanwhile (a Namespace deleted first takes nothing at
			// once: its controller deletes later).
			if from != nil {
				if !cmd.IgnoreNotFound {
					errs = append(errs, notFoundDeleting(from[i], t.Resource, t.Name))
				}
				continue
			}
			return strings.Join(out, "\n"), NotFound(t.Resource, t.Name)
		}
		del := resources[t.Resource].delete
		if del == nil {
			return strings.Join(out, "\n"), fmt.Errorf("error: kubesim cannot delete a %s", t.Resource.Kind())
		}
		if err := del(c, o, grace); err != nil {
			return strings.Join(out, "\n"), err
		}
		out = append(out, Deleted(t.Resource, t.Name, ns))
	}
	if len(errs) > 0 {
		return strings.Join(out, "\n"), refusal("%s", strings.Join(errs, "\n"))
	}
	return strings.Join(out, "\n"), nil
}

// notFoundDeleting is delete -f's error for an object of file f that is not
// there: Error from server (NotFound): error when deleting "web.yaml":
// deployments.apps "web" not found.
func notFoundDeleting(f string, r Resource, name string) string {
	return fmt.Sprintf("Error from server (NotFound): error when deleting %q: %s %q not found", f, r.Qualified(), name)
}

// --- node commands ---

func (x *Executor) nodeCmd(cmd Command) (string, error) {
	targets, err := x.resolve(cmd)
	if err != nil {
		return "", err
	}
	c := x.c
	var out []string
	for _, t := range targets {
		n := c.Node(t.Name)
		switch cmd.Verb {
		case Cordon:
			what := "cordoned"
			if n.Unschedulable {
				what = "already cordoned"
			}
			if err := c.Cordon(t.Name); err != nil {
				return "", err
			}
			out = append(out, Done(Nodes, t.Name, what))
		case Uncordon:
			what := "uncordoned"
			if !n.Unschedulable {
				what = "already uncordoned"
			}
			if err := c.Uncordon(t.Name); err != nil {
				return "", err
			}
			out = append(out, Done(Nodes, t.Name, what))
		case Drain:
			lines, err := x.drain(cmd, cmd.Line, n)
			out = append(out, lines...)
			if err != nil {
				return strings.Join(out, "\n"), err
			}
		case Taint:
			for _, ts := range cmd.Taints {
				taint := model.Taint{Key: ts.Key, Value: ts.Value, Effect: model.TaintEffect(ts.Effect)}
				if n.HasTaint(ts.Key, taint.Effect) {
					if !cmd.Overwrite {
						return strings.Join(out, "\n"), TaintExists(t.Name, ts.Key)
					}
					if err := c.UntaintNode(t.Name, ts.Key, taint.Effect); err != nil {
						return "", err
					}
				}
				if err := c.TaintNode(t.Name, taint); err != nil {
					return strings.Join(out, "\n"), fmt.Errorf("error: %v", err)
				}
			}
			for _, ts := range cmd.TaintRemove {
				found := false
				for _, have := range append([]model.Taint(nil), n.Taints...) {
					if have.Key == ts.Key && (ts.Effect == "" || string(have.Effect) == ts.Effect) {
						found = true
						if err := c.UntaintNode(t.Name, have.Key, have.Effect); err != nil {
							return "", err
						}
					}
				}
				if !found {
					return strings.Join(out, "\n"), TaintNotFound(ts)
				}
			}
			what := "tainted"
			if len(cmd.Taints) == 0 {
				what = "untainted"
			}
			out = append(out, Done(Nodes, t.Name, what))
		}
	}
	return strings.Join(out, "\n"), nil
}

func (x *Executor) node(cmd Command) (string, error) {
	name := cmd.Targets[0].Name
	c := x.c
	switch cmd.Verb {
	case NodeAdd:
		lbls := map[string]string{}
		for _, kv := range cmd.Set {
			lbls[kv.Key] = kv.Value
		}
		var taints []model.Taint
		for _, t := range cmd.Taints {
			taints = append(taints, model.Taint{Key: t.Key, Value: t.Value, Effect: model.TaintEffect(t.Effect)})
		}
		capacity := x.defaultCapacity
		if !cmd.CPU.IsZero() {
			capacity.MilliCPU = cmd.CPU.MilliValue()
		}
		if !cmd.Memory.IsZero() {
			capacity.Memory = cmd.Memory.Value()
		}
		if !cmd.PodsCapacity.IsZero() {
			capacity.Pods = cmd.PodsCapacity.Value()
		}
		if _, err := c.AddNode(name, lbls, taints, capacity); err != nil {
			return "", fmt.Errorf("Error from server (AlreadyExists): %v", err)
		}
		return fmt.Sprintf("node/%s added (%s CPU, %s memory, %d pods)", name, strconv.FormatFloat(float64(capacity.MilliCPU)/1000, 'f', -1, 64), humanBytes(capacity.Memory), capacity.Pods), nil
	case NodeRemove:
		if err := c.RemoveNode(name); err != nil {
			return "", fmt.Errorf("Error from server (NotFound): %v", err)
		}
		return fmt.Sprintf("node/%s removed", name), nil
	case NodeReboot:
		if err := c.RebootNode(name, cmd.Downtime); err != nil {
			return "", fmt.Errorf("Error from server (NotFound): %v", err)
		}
		return fmt.Sprintf("node/%s rebooting: down for %v", name, cmd.Downtime), nil
	}
	return "", nil
}

func humanBytes(b int64) string {
	switch {
	case b%(1<<30) == 0:
		return fmt.Sprintf("%dGi", b>>30)
	case b%(1<<20) == 0:
		return fmt.Sprintf("%dMi", b>>20)
	}
	return strconv.FormatInt(b, 10)
}

// --- httping ---

func (x *Executor) httping(cmd Command) (string, error) {
	name := cmd.Targets[0].Name
	s := x.c.ResolveService(x.ns, name)
	if s == nil {
		return "", fmt.Errorf("httping: could not resolve host: %s (no such Service)", name)
	}
	count := cmd.Count
	if count <= 0 {
		count = 3
	}
	interval := cmd.Interval
	if interval <= 0 {
		interval = time.Second
	}
	line := cmd.Line
	if x.net == nil {
		return "", fmt.Errorf("httping: this cluster has no request path")
	}
	x.net.HTTPing(s, count, interval, func(rtts []time.Duration, failed []bool) {
		var b strings.Builder
		var ok []float64
		for i := range rtts {
			if failed[i] {
				fmt.Fprintf(&b, "seq=%d: connect failed\n", i)
				continue
			}
			ms := float64(rtts[i]) / 1e6
			ok = append(ok, ms)
			fmt.Fprintf(&b, "connected to %s:%d, seq=%d time=%.2f ms\n", name, s.Port, i, ms)
		}
		fmt.Fprintf(&b, "--- %s ping statistics ---\n%d connects, %d ok, %.2f%% failed", name, len(rtts), len(ok), 100*float64(len(rtts)-len(ok))/float64(len(rtts)))
		if len(ok) > 0 {
			sort.Float64s(ok)
			sum := 0.0
			for _, v := range ok {
				sum += v
			}
			fmt.Fprintf(&b, "\nround-trip min/avg/max = %.1f/%.1f/%.1f ms", ok[0], sum/float64(len(ok)), ok[len(ok)-1])
		}
		if x.later != nil {
			x.later(line, b.String())
		}
	})
	return fmt.Sprintf("PING %s:%d (GET /), %d probes every %v", name, s.Port, count, interval), nil
}

// samePorts reports whether a manifest's ports (node ports 0 when left to the
// API server) are the Service's.
func samePorts(have, want []model.ServicePort) bool {
	if len(have) != len(want) {
		return false
	}
	for i, w := range want {
		h := have[i]
		if w.Protocol == "" {
			w.Protocol = "TCP"
		}
		if h.Name != w.Name || h.Protocol != w.Protocol || h.Port != w.Port || h.Target() != w.Target() || (w.NodePort != 0 && w.NodePort != h.NodePort) {
			return false
		}
	}
	return true
}

// unsimulatedServiceFields refuses the Service settings kubesim cannot honour,
// rather than drop them (manifest.UnsimulatedServiceSettings): a manifest's
// are refused when it is decoded, with its file and line; this catches a
// Service patched or edited to them.
func unsimulatedServiceFields(o *corev1.Service) error {
	for _, u := range manifest.UnsimulatedServiceSettings(o) {
		return fmt.Errorf("error: %s: %s", u.Field, u.Reason)
	}
	return nil
}

// The kinds' scale, set image, delete and toAPI functions (the kinds table's,
// kinds.go).

func scaleDeployment(c *model.Cluster, d *model.Deployment, n int) error {
	return c.ScaleDeployment(d, n)
}
func scaleReplicaSet(c *model.Cluster, r *model.ReplicaSet, n int) error {
	return c.ScaleReplicaSet(r, n)
}

func setDeploymentImage(c *model.Cluster, d *model.Deployment, image string) error {
	return c.SetImage(d, image)
}

func setDaemonSetImage(c *model.Cluster, ds *model.DaemonSet, image string) error {
	spec := model.DaemonSetSpec{Name: ds.Name, Selector: ds.Selector, Template: ds.Template, Strategy: ds.Strategy, MinReadySeconds: ds.MinReadySeconds}
	spec.Template.Spec.Image = image
	return c.UpdateDaemonSet(ds, spec)
}

func deletePod(c *model.Cluster, p *model.Pod, grace sim.Time) error {
	c.DeletePodGrace(p, grace)
	return nil
}

func deleteDeployment(c *model.Cluster, d *model.Deployment, _ sim.Time) error {
	c.DeleteDeployment(d, true)
	return nil
}

func deleteReplicaSet(c *model.Cluster, r *model.ReplicaSet, _ sim.Time) error {
	c.DeleteReplicaSet(r, true)
	return nil
}

func deleteDaemonSet(c *model.Cluster, d *model.DaemonSet, _ sim.Time) error {
	c.DeleteDaemonSet(d, true)
	return nil
}

func deleteService(c *model.Cluster, s *model.Service, _ sim.Time) error {
	c.DeleteService(s)
	return nil
}

// deleteEndpoints deletes a Service's Endpoints object, which the endpoints
// controller writes again at once from the Service: only what users wrote on
// it goes.
func deleteEndpoints(c *model.Cluster, s *model.Service, _ sim.Time) error {
	c.EndpointsDeleted(s)
	return nil
}

func deleteNode(c *model.Cluster, n *model.Node, _ sim.Time) error { return c.RemoveNode(n.Name) }

func deleteNamespace(c *model.Cluster, ns *model.Namespace, _ sim.Time) error {
	if err := c.DeleteNamespace(ns.Name); err != nil {
		return fmt.Errorf("Error from server (Forbidden): %v", err)
	}
	return nil
}

// parsedStep keeps one step's parse from ChangesCluster to the Exec of the
// same line, so that a step is parsed once (Parse builds its flag sets: about
// 33,000 instructions a step).
type parsedStep struct {
	line string
	ok   bool
	cmd  Command
	err  error
}

// take returns line's parse: the one kept if it is of line, else a new one.
// Either way nothing is kept after.
func (p *parsedStep) take(line string) (Command, error) {
	if p.ok && p.line == line {
		cmd, err := p.cmd, p.err
		*p = parsedStep{}
		return cmd, err
	}
	*p = parsedStep{}
	return Parse(line)
}

// ChangesCluster says whether the step line may change the cluster or its
// load, so that the summary's phases start at it: every step but the
// read-only ones (get, describe, rollout status and history, top, httping's
// probes, cat, sed and redirections, which change files). A step kubesim
// refuses still opens a phase: it is where the user acted. The parse is kept
// for the Exec of line that follows.
func (x *Executor) ChangesCluster(line string) bool {
	if _, r, err := SplitRedirect(line); err == nil && r != nil {
		return false
	}
	cmd, err := Parse(line)
	x.parsed = parsedStep{line: line, ok: true, cmd: cmd, err: err}
	if err != nil {
		return true
	}
	switch cmd.Verb {
	case Get, Describe, RolloutStatus, RolloutHistory, Top, HTTPing, Cat, Sed:
		return false
	}
	return true
}

package kubectl

// The read-only steps: what `kubectl get` and `kubectl describe` print for the
// simulated cluster at the current simulated time.
//
// Tables are laid out as kubectl lays them out (a tabwriter with minimum cell
// width 6, padding 3; the last column unpadded); describe output uses
// kubectl's describe layout (tabwriter padding 2, "Key:\tvalue" lines, two
// spaces per nesting level). Objects are listed by name, as the API server
// returns them; names given on the command line keep their order.
//
// What the model does not hold is synthesised, deterministically:
//   - Pod IPs: 10.244.N.H, N the node's slot (nodeIndex: the order nodes
//     were added; kubeadm + flannel give each node a pod CIDR 10.244.N.0/24,
//     the control plane, added first, 10.244.0.0/24), H = 2 + the
//     order in which pods were bound to that node (host-local IPAM hands out
//     addresses in order from .2). A pod shows its IP once its sandbox exists.
//   - Node addresses: InternalIP 10.0.0.(10+N).
//   - Service ClusterIPs: 10.96.X.Y from a hash of the Service's name (probing
//     past collisions in creation order); 10.96.0.1 is the `kubernetes`
//     Service of the default namespace, which every cluster has and which
//     kubesim lists like kubectl does (443/TCP, endpoint the control plane's
//     6443).
//   - LoadBalancer ingress addresses: a LoadBalancer Service's status shows
//     one ingress IP (ipMode VIP, the API server's default) from the moment
//     it is a LoadBalancer: the traffic model's load balancer serves it from
//     then on (no provisioning delay, where clouds take tens of seconds), so
//     EXTERNAL-IP is never <pending>. The address is 203.0.113.H (RFC 5737's
//     TEST-NET-3, documentation addresses that route nowhere), H in 1-254
//     hashed from the Service's name as the ClusterIP is (probing past
//     collisions in creation order).
//   - Container names: the manifest's; `kubectl run NAME` names it NAME;
//     otherwise the image's base name without tag or digest, as `kubectl
//     create deployment` names them ("dockercoins/rng:v0.1" -> "rng").
//   - Node VERSION is KubeletVersion; OS image, kernel and container runtime
//     (-o wide) are the constants below.
//   - Wall-clock times (describe) are the scenario's start (start:, default
//     model.DefaultStart) plus the simulated time, as the model's
//     kubectl.kubernetes.io/restartedAt annotation.
//
// Known gaps (the model has no field for them): RESTARTS's "(5m ago)" is the restarted
// container's start, as the model keeps no termination time, except for a container
// its liveness probe killed (its last termination's finish, as kubectl shows it).

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"net"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/scenarios/manifest"
	"github.com/kubesim/kubesim/sim"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Synthesised node facts that kubectl get nodes -o wide shows.
const (
	// KubeletVersion is every simulated node's kubelet version (VERSION), the
	// Kubernetes release of the k8s.io/api module kubesim is built against.
	KubeletVersion   = "v1.37.2"
	nodeOSImage      = "Ubuntu 24.04.3 LTS"
	nodeKernel       = "6.8.0-88-generic"
	nodeRuntime      = "containerd://2.1.4"
	defaultNamespace = "default"
)

// Get prints what `kubectl get` prints for cmd (Verb Get) at the
// cluster's current simulated time. Objects that are not found are reported in
// the error (kubectl's NotFound text, one line each) while the ones found are
// printed; nothing matching gives kubectl's "No resources found in default
// namespace." as the output. Like every step's output, it has no trailing
// newline.
func PrintGet(c *model.Cluster, cmd Command) (string, error) {
	if cmd.Verb != Get {
		return "", fmt.Errorf("kubectl.PrintGet: command %q is a %q step, not get", cmd.Line, cmd.Verb)
	}
	if out, err, ok := getSpecial(c, cmd); ok {
		return out, err
	}
	switch cmd.Output {
	case "", "wide", "name":
	default:
		if StructuredOutput(cmd.Output) {
			return NewExecutor(c, Env{}).getStructured(cmd) // objects.go
		}
		return "", &UsageError{Verb: cmd.Verb, Msg: fmt.Sprintf("unable to match a printer suitable for the output format %q, allowed formats are: name,wide", cmd.Output)}
	}
	if cmd.Watch {
		return "", &UsageError{Verb: cmd.Verb, Msg: "get -w (watch) is not supported by kubesim in a step: add get steps at the times to look at"}
	}
	p, objs, errs, out, err := collected(c, cmd)
	if p == nil {
		return out, err
	}
	var b strings.Builder
	if w := warningOf(objs); w != "" {
		b.WriteString(w + "\n") // kubectl prints the API server's warnings first
	}
	if cmd.Output == "name" {
		for _, o := range objs {
			b.WriteString(o.res.Ref(o.name))
			b.WriteByte('\n')
		}
		return strings.TrimSuffix(b.String(), "\n"), joinErrors(errs)
	}
	withKind := false
	for _, o := range objs[1:] {
		if o.res != objs[0].res {
			withKind = true
		}
	}
	p.showLabels = showLabels(cmd.Line)
	p.noHeaders = cmd.NoHeaders
	wide := cmd.Output == "wide"
	for i := 0; i < len(objs); {
		j := i
		for j < len(objs) && objs[j].res == objs[i].res {
			j++
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		p.table(&b, objs[i].res, objs[i:j], wide, withKind)
		i = j
	}
	return strings.TrimSuffix(b.String(), "\n"), joinErrors(errs)
}

// showLabels reports whether the get step asks for --show-labels. The parsed
// Command does not keep that flag, so the step's words are read again (with
// the parser's own word splitting): --show-labels or --show-labels=true
// before a "--".
func showLabels(line string) bool {
	words, err := Split(line)
	if err != nil {
		return false
	}
	on := false
	for _, w := range words {
		switch {
		case w == "--":
			return on
		case w == "--show-labels":
			on = true
		case strings.HasPrefix(w, "--show-labels="):
			v, err := strconv.ParseBool(strings.TrimPrefix(w, "--show-labels="))
			on = err == nil && v
		}
	}
	return on
}

// joinErrors returns the one error as is (a *RefusalError), or the
// errors one per line, as kubectl prints them.
func joinErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

// checkDescribeKinds refuses a describe of kinds kubesim does not describe
// (events), and of a kind described by a printer of its own (endpointslices)
// mixed with others; Parse checks it before a run.
func checkDescribeKinds(cmd Command) error {
	for _, t := range cmd.Targets {
		if why := resources[t.Resource].notDescribed; why != "" {
			return refusal("error: kubesim does not describe %s; %s", t.Resource, why)
		}
		if resources[t.Resource].describeAlone != nil {
			for _, u := range cmd.Targets {
				if u.Resource != t.Resource {
					return &UsageError{Verb: cmd.Verb, Msg: fmt.Sprintf("kubesim describes %s on their own: give them in a describe step of their own", t.Resource)}
				}
			}
		}
	}
	return nil
}

// Describe prints what `kubectl describe` prints for cmd (Verb
// Describe): a faithful subset of kubectl's describers for pods,
// deployments, replicasets, daemonsets, services, endpoints, endpointslices
// (in a describe of their own), nodes and namespaces.
// Several objects are separated by two blank lines, as kubectl does.
func PrintDescribe(c *model.Cluster, cmd Command) (string, error) {
	if cmd.Verb != Describe {
		return "", fmt.Errorf("kubectl.PrintDescribe: command %q is a %q step, not describe", cmd.Line, cmd.Verb)
	}
	if err := checkDescribeKinds(cmd); err != nil {
		return "", err
	}
	for _, t := range cmd.Targets {
		if f := resources[t.Resource].describeAlone; f != nil {
			p, err := newPrinter(c, cmd)
			if err != nil {
				return "", err
			}
			return f(p, cmd)
		}
	}
	p, objs, errs, out, err := collected(c, cmd)
	if p == nil {
		return out, err
	}
	var b strings.Builder
	for i, o := range objs {
		if i > 0 {
			b.WriteString("\n\n")
		}
		p.describe(&b, o)
	}
	return strings.TrimSuffix(b.String(), "\n"), joinErrors(errs)
}

// collected makes cmd's printer and collects the objects it names. With
// nothing to print, p is nil and out and err are the step's answer: the
// errors found, else kubectl's "No resources found".
func collected(c *model.Cluster, cmd Command) (p *printer, objs []object, errs []error, out string, err error) {
	p, err = newPrinter(c, cmd)
	if err != nil {
		return nil, nil, nil, "", err
	}
	objs, errs = p.collect(cmd)
	if len(objs) == 0 {
		if len(errs) > 0 {
			return nil, nil, nil, "", joinErrors(errs)
		}
		return nil, nil, nil, p.noResources(), nil
	}
	return p, objs, errs, "", nil
}

// printer holds one command's view of the cluster: the selector, and the
// synthesised addresses.
type printer struct {
	c   *model.Cluster
	now sim.Time
	ns  string // the namespace asked for
	all bool   // -A
	sel *labels.Selector

	showLabels bool // get --show-labels: a LABELS column
	noHeaders  bool // get --no-headers

	nodeIdx map[string]int
	podIP   map[int]string // by Pod.ID
	svcIP   map[string]string
	lbIP    map[string]string // LoadBalancer Services' ingress IPs by serviceKey
}

func newPrinter(c *model.Cluster, cmd Command) (*printer, error) {
	p := &printer{c: c, now: c.Now(), ns: cmd.Namespace, all: cmd.AllNamespaces}
	if p.ns == "" {
		p.ns = defaultNamespace
	}
	if cmd.Selector != "" {
		sel, err := labels.Parse(cmd.Selector)
		if err != nil {
			return nil, &UsageError{Verb: cmd.Verb, Msg: fmt.Sprintf("invalid label selector %q: %v", cmd.Selector, err)}
		}
		p.sel = sel
	}
	for _, t := range cmd.Targets {
		if t.Name != "" && p.sel != nil {
			return nil, &UsageError{Verb: cmd.Verb, Msg: "name cannot be provided when a selector is specified"}
		}
	}
	return p, nil
}

func (p *printer) noResources() string {
	if p.all {
		return NoResourcesFound("")
	}
	return NoResourcesFound(p.ns)
}

// object is one API object to print: obj is the model's (nil for the
// kubernetes Service, which kubesim synthesises), res the resource asked for
// (an Endpoints object is its Service's).
type object struct {
	res       Resource
	name      string
	namespace string // "" for cluster-scoped kinds
	obj       model.Object
}

// meta returns the object's metadata, nil for the objects kubesim
// synthesises (the kubernetes Service).
func (o object) meta() *model.ObjectMeta {
	if o.obj == nil {
		return nil
	}
	return o.obj.Meta()
}

// svc is the Service of a Service or Endpoints object (nil for the
// kubernetes Service).
func (o object) svc() *model.Service {
	s, _ := o.obj.(*model.Service)
	return s
}

// allOrder is the order of `kubectl get all`'s resources that kubesim models.
var allOrder = []Resource{Pods, Services, DaemonSets, Deployments, ReplicaSets, HPAs}

// collect lists the objects the targets name, in kubectl's order, and a
// NotFound error per missing name.
func (p *printer) collect(cmd Command) ([]object, []error) {
	var objs []object
	var errs []error
	for _, t := range cmd.Targets {
		rs := []Resource{t.Resource}
		if t.Resource == All {
			rs = allOrder
		}
		for _, r := range rs {
			if t.Name != "" {
				o, ok := p.lookup(r, t.Name)
				if !ok {
					errs = append(errs, NotFound(r, t.Name))
					continue
				}
				objs = append(objs, o)
				continue
			}
			objs = append(objs, p.list(r)...)
		}
	}
	return objs, errs
}

// listNamespace is the namespace listed: the one asked for, "" with -A.
func (p *printer) listNamespace() string {
	if p.all {
		return ""
	}
	return p.ns
}

func (p *printer) lookup(r Resource, name string) (object, bool) {
	o := object{res: r, name: name, namespace: p.ns}
	if x := r.Object(p.c, p.ns, name); x != nil {
		return objectOf(r, x), true
	}
	return o, false
}

// objectOf is the model object x of resource r to print.
func objectOf(r Resource, x model.Object) object {
	return object{res: r, name: x.Meta().Name, namespace: x.Meta().Namespace, obj: x}
}

// list returns the objects of r matching the selector, by name.
func (p *printer) list(r Resource) []object {
	var out []object
	add := func(o object) {
		if p.sel == nil || p.sel.MatchesMap(objectLabels(o)) {
			out = append(out, o)
		}
	}
	for _, x := range r.Objects(p.c, p.listNamespace()) {
		add(objectOf(r, x))
	}
	// Names are unique within a resource and namespace: an unstable sort is
	// deterministic. The API server lists by namespace, then name.
	slices.SortFunc(out, func(a, b object) int {
		if c := strings.Compare(a.namespace, b.namespace); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	return out
}

// objectLabels are the object's labels (its metadata.labels).
func objectLabels(o object) map[string]string {
	if s := o.svc(); s != nil && o.res == Endpoints {
		return endpointsLabels(s)
	}
	if m := o.meta(); m != nil {
		return m.Labels
	}
	return nil
}

// ---- tables ----

// newTabWriter is kubectl's table writer (printers.GetNewTabWriter).
// NewTabWriter is a writer of kubectl get's tables (three spaces between columns).
func NewTabWriter(b *strings.Builder) *tabwriter.Writer {
	return tabwriter.NewWriter(b, 6, 4, 3, ' ', 0)
}

func (p *printer) table(b *strings.Builder, r Resource, objs []object, wide, withKind bool) {
	w := NewTabWriter(b)
	header := p.header(r, wide)
	if p.all && r.Namespaced() {
		header = append([]string{"NAMESPACE"}, header...)
	}
	if !p.noHeaders {
		fmt.Fprintln(w, strings.Join(header, "\t"))
	}
	for _, o := range objs {
		row := p.row(o, wide)
		if withKind {
			row[0] = r.Ref(row[0])
		}
		if p.all && r.Namespaced() {
			row = append([]string{o.namespace}, row...)
		}
		fmt.Fprintln(w, strings.Join(row, "\t"))
	}
	w.Flush()
}

func (p *printer) header(r Resource, wide bool) []string {
	info := resources[r]
	h := append([]string(nil), info.columns...)
	if wide {
		h = append(h, info.wideColumns...)
	}
	if p.showLabels {
		h = append(h, "LABELS")
	}
	return h
}

func (p *printer) row(o object, wide bool) []string {
	var row, extra []string
	if f := resources[o.res].row; f != nil {
		row, extra = f(p, o)
	}
	if wide {
		row = append(row, extra...)
	}
	if p.showLabels {
		row = append(row, labelsString(objectLabels(o)))
	}
	return row
}

// The rows of get's tables, one function per kind (the columns are in the
// kinds table, kinds.go): the cells and the ones -o wide adds.

func (p *printer) podRow(x *model.Pod) (row, wide []string) {
	status, ready := podStatus(x)
	node := x.NodeName
	if node == "" {
		node = "<none>"
	}
	return []string{x.Name, ready, status, p.restarts(x), p.age(x.CreationTimestamp)},
		[]string{p.podIPOf(x), node, "<none>", "<none>"}
}

func (p *printer) deploymentRow(x *model.Deployment) (row, wide []string) {
	st := p.c.DeploymentStatus(x)
	return []string{x.Name, fmt.Sprintf("%d/%d", st.Ready, x.Replicas), fmt.Sprint(st.Updated), fmt.Sprint(st.Available), p.age(x.CreationTimestamp)},
		[]string{manifest.ContainerName(x.Template.Spec), x.Template.Spec.Image, selectorString(x.LabelSelector)}
}

func (p *printer) replicaSetRow(x *model.ReplicaSet) (row, wide []string) {
	st := x.Status(p.now)
	return []string{x.Name, fmt.Sprint(x.Replicas), fmt.Sprint(st.Current), fmt.Sprint(st.Ready), p.age(x.CreationTimestamp)},
		[]string{manifest.ContainerName(x.Template.Spec), x.Template.Spec.Image, selectorString(x.Selector)}
}

func (p *printer) daemonSetRow(x *model.DaemonSet) (row, wide []string) {
	st := p.daemonSetStatus(x)
	return []string{x.Name, fmt.Sprint(st.desired), fmt.Sprint(st.current), fmt.Sprint(st.ready), fmt.Sprint(st.updated),
			fmt.Sprint(st.available), mapString(x.Template.Spec.NodeSelector), p.age(x.CreationTimestamp)},
		[]string{manifest.ContainerName(x.Template.Spec), x.Template.Spec.Image, selectorString(x.Selector)}
}

func (p *printer) serviceRow(o object) (row, wide []string) {
	x := o.svc()
	ext := "<none>"
	if ip := p.loadBalancerIP(x.Namespace, x.Name); ip != "" {
		ext = ip
	}
	return []string{x.Name, serviceType(x), p.serviceIPIn(x.Namespace, x.Name), ext, servicePorts(x), p.age(x.CreationTimestamp)},
		[]string{mapString(x.Selector)}
}

func (p *printer) endpointsRow(o object) (row, wide []string) {
	created := sim.Time(0)
	if s := o.svc(); s != nil {
		created = s.CreationTimestamp
	}
	return []string{o.name, formatEndpoints((&Executor{c: p.c}).endpointsObject(p, o)), p.age(created)}, nil
}

// formatEndpoints is kubectl's ENDPOINTS column of an Endpoints object: per
// subset, per port, its ready addresses as IP:port (a subset without ports:
// IP), three of them and "+ N more..." counting what the object holds (at
// most 1,000 addresses: the controller truncates), <none> without subsets.
func formatEndpoints(ep *corev1.Endpoints) string {
	if len(ep.Subsets) == 0 {
		return "<none>"
	}
	const max = 3
	var list []string
	count := 0
	add := func(s string) {
		if count++; len(list) < max {
			list = append(list, s)
		}
	}
	for _, ss := range ep.Subsets {
		if len(ss.Ports) == 0 {
			for _, a := range ss.Addresses {
				add(a.IP)
			}
			continue
		}
		for _, port := range ss.Ports {
			for _, a := range ss.Addresses {
				add(net.JoinHostPort(a.IP, strconv.Itoa(int(port.Port))))
			}
		}
	}
	if count > max {
		return fmt.Sprintf("%s + %d more...", strings.Join(list, ","), count-max)
	}
	return strings.Join(list, ",")
}

func (p *printer) nodeRow(x *model.Node) (row, wide []string) {
	return []string{x.Name, nodeStatus(x), nodeRoles(x), p.nodeAge(x), KubeletVersion},
		[]string{p.nodeIP(x.Name), "<none>", nodeOSImage, nodeKernel, nodeRuntime}
}

func (p *printer) namespaceRow(x *model.Namespace) (row, wide []string) {
	return []string{x.Name, x.Phase, p.age(x.CreationTimestamp)}, nil
}

// restarts is kubectl's RESTARTS: the count and, once restarted, how long
// ago. kubectl shows the last termination's time; the model keeps the start
// of the running container, which follows it by the restart's latency, so
// the time is shown only while the restarted container runs.
func (p *printer) restarts(x *model.Pod) string {
	if t, ok := x.LastTermination(); ok && x.Restarts > 0 {
		// The kubelet killed it: kubectl's lastState.terminated.finishedAt.
		return fmt.Sprintf("%d (%s ago)", x.Restarts, p.age(t.Finished))
	}
	if x.Restarts == 0 || !x.Running {
		return fmt.Sprint(x.Restarts)
	}
	return fmt.Sprintf("%d (%s ago)", x.Restarts, p.age(x.Started))
}

// podStatus is kubectl's STATUS and READY columns for a pod (one container).
func podStatus(x *model.Pod) (status, ready string) {
	ready = "0/1"
	if x.Ready {
		ready = "1/1"
	}
	n := x.Node()
	switch {
	case x.Phase == model.PodSucceeded:
		status = "Completed"
	case x.Phase == model.PodFailed:
		status = "Error"
	case x.Running:
		status = "Running"
	case x.CrashLoopBackOff():
		status = "CrashLoopBackOff"
	case x.NodeName == "":
		status = string(x.Phase) // Pending: not scheduled
	case n != nil && !n.Up:
		// The kubelet is gone: the API keeps the last status it posted.
		status = string(x.Phase)
		if x.Phase == model.PodPending && x.HasIP {
			status = "ContainerCreating"
		}
	default:
		// Bound, sandbox being created, image being pulled or the container
		// (re)starting: the kubelet's waiting reason.
		status = "ContainerCreating"
	}
	if x.Terminating {
		status = "Terminating"
	}
	return status, ready
}

func nodeStatus(n *model.Node) string {
	s := "Ready"
	if !n.Ready {
		s = "NotReady"
	}
	if n.Unschedulable {
		s += ",SchedulingDisabled"
	}
	return s
}

// nodeRoles is kubectl's ROLES: the node-role.kubernetes.io/ROLE labels (and
// kubernetes.io/role), sorted.
func nodeRoles(n *model.Node) string {
	var roles []string
	for k, v := range n.Labels {
		switch {
		case strings.HasPrefix(k, "node-role.kubernetes.io/"):
			if r := strings.TrimPrefix(k, "node-role.kubernetes.io/"); r != "" {
				roles = append(roles, r)
			}
		case k == "kubernetes.io/role" && v != "":
			roles = append(roles, v)
		}
	}
	if len(roles) == 0 {
		return "<none>"
	}
	sort.Strings(roles)
	return strings.Join(roles, ",")
}

func serviceType(s *model.Service) string {
	if s.Type == "" {
		return "ClusterIP"
	}
	return s.Type
}

// servicePorts is kubectl's PORT(S): 80/TCP, or 80:30080/TCP with a node
// port, every port comma-separated.
func servicePorts(s *model.Service) string {
	if len(s.Ports) == 0 {
		return "<none>"
	}
	pieces := make([]string, len(s.Ports))
	for i, sp := range s.Ports {
		if sp.NodePort > 0 {
			pieces[i] = fmt.Sprintf("%d:%d/%s", sp.Port, sp.NodePort, sp.Protocol)
		} else {
			pieces[i] = fmt.Sprintf("%d/%s", sp.Port, sp.Protocol)
		}
	}
	return strings.Join(pieces, ",")
}

// targetPort resolves a Service port's targetPort for a pod as the
// EndpointSlice controller does: a number as it is, a name to the pod's
// container port of that name and protocol; false when the pod has none (the
// pod is then not an endpoint of that port).
func targetPort(x *model.Pod, sp model.ServicePort) (int, bool) {
	t := sp.Target()
	if n, err := strconv.Atoi(t); err == nil {
		return n, true
	}
	for _, cp := range x.Spec.Ports {
		proto := cp.Protocol
		if proto == "" {
			proto = "TCP"
		}
		if cp.Name == t && proto == sp.Protocol {
			return cp.Port, true
		}
	}
	return 0, false
}

// mapString prints a map selector or nodeSelector as kubectl does: k=v sorted
// by key, comma-separated, "<none>" when empty.
func mapString(m map[string]string) string {
	if len(m) == 0 {
		return "<none>"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, ",")
}

// labelsString is kubectl's LABELS cell: k=v sorted by key, "<none>" when
// empty.
func labelsString(m map[string]string) string { return mapString(m) }

func selectorString(s *labels.Selector) string {
	if s == nil || s.IsNothing() {
		return "<none>"
	}
	return s.String()
}

// ---- time ----

// age is kubectl's AGE of an object created at t.
func (p *printer) age(t sim.Time) string { return humanDuration(p.now - t) }

// Age is kubectl's AGE, now, of an object created at t.
func Age(c *model.Cluster, t sim.Time) string { return humanDuration(c.Now() - t) }

// WallClock is kubectl describe's time of t (RFC 1123 with the zone offset, the
// scenario's start plus t).
func WallClock(c *model.Cluster, t sim.Time) string { return c.WallClock(t).Format(time.RFC1123Z) }

// nodeAge is the node object's age.
func (p *printer) nodeAge(n *model.Node) string { return p.age(n.CreationTimestamp) }

// humanDuration formats d as kubectl's AGE column does (apimachinery's
// duration.HumanDuration rules): seconds up to 2 minutes, then minutes and
// seconds up to 10 minutes, minutes up to 3 hours, hours and minutes up to 8
// hours, hours up to 2 days, days and hours up to 8 days, days up to 2 years,
// years and days up to 8 years, then years.
func humanDuration(d time.Duration) string {
	if s := int64(d / time.Second); s < -1 {
		return "<invalid>"
	} else if s < 0 {
		return "0s"
	} else if s < 120 {
		return fmt.Sprintf("%ds", s)
	}
	minutes := int64(d / time.Minute)
	if minutes < 10 {
		if s := int64(d/time.Second) % 60; s != 0 {
			return fmt.Sprintf("%dm%ds", minutes, s)
		}
		return fmt.Sprintf("%dm", minutes)
	}
	if minutes < 3*60 {
		return fmt.Sprintf("%dm", minutes)
	}
	hours := int64(d / time.Hour)
	switch {
	case hours < 8:
		if m := minutes % 60; m != 0 {
			return fmt.Sprintf("%dh%dm", hours, m)
		}
		return fmt.Sprintf("%dh", hours)
	case hours < 48:
		return fmt.Sprintf("%dh", hours)
	case hours < 8*24:
		if h := hours % 24; h != 0 {
			return fmt.Sprintf("%dd%dh", hours/24, h)
		}
		return fmt.Sprintf("%dd", hours/24)
	case hours < 2*365*24:
		return fmt.Sprintf("%dd", hours/24)
	case hours < 8*365*24:
		if dy := hours / 24 % 365; dy != 0 {
			return fmt.Sprintf("%dy%dd", hours/24/365, dy)
		}
		return fmt.Sprintf("%dy", hours/24/365)
	}
	return fmt.Sprintf("%dy", hours/24/365)
}

// wallClock is the simulated time t as a wall-clock time (the scenario's
// start plus t), as describe prints it.
func (p *printer) wallClock(t sim.Time) string { return WallClock(p.c, t) }

// ---- synthesised addresses ----

// nodeIndex is the node's slot in the pod network (10.244.<slot>.0/24) and
// node addresses: its rank among every node ever added, by the time it was
// first added, nodes added at the same
// time in natural name order (node2 before node10). A removed node keeps its
// slot, so that no other node's addresses change.
func (p *printer) nodeIndex(name string) int {
	if p.nodeIdx == nil {
		names := p.c.NodeNamesEverAdded()
		for _, n := range p.c.Nodes() {
			if _, ok := p.c.NodeAddedAt(n.Name); !ok {
				names = append(names, n.Name)
			}
		}
		added := func(n string) float64 {
			if t, ok := p.c.NodeAddedAt(n); ok {
				return t.Seconds()
			}
			return math.Inf(1)
		}
		slices.SortFunc(names, func(a, b string) int {
			if ta, tb := added(a), added(b); ta != tb {
				if ta < tb {
					return -1
				}
				return 1
			}
			return naturalCompare(a, b)
		})
		p.nodeIdx = make(map[string]int, len(names))
		for i, n := range names {
			p.nodeIdx[n] = i
		}
	}
	if i, ok := p.nodeIdx[name]; ok {
		return i
	}
	return len(p.nodeIdx)
}

// naturalCompare orders names with their digit runs compared as numbers:
// node2 < node10.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func (p *printer) nodeIP(name string) string {
	return fmt.Sprintf("10.0.0.%d", 10+p.nodeIndex(name))
}

// podIPOf is the pod's synthesised IP, or "<none>" before its sandbox exists.
func (p *printer) podIPOf(x *model.Pod) string {
	if !x.HasIP || x.NodeName == "" {
		return "<none>"
	}
	if p.podIP == nil {
		p.assignPodIPs()
	}
	return p.podIP[x.ID]
}

// PodIP returns the pod IPs kubectl shows, for the cluster's messages that
// name one (a probe's refused connection).
func PodIP(c *model.Cluster) func(x *model.Pod) string {
	return func(x *model.Pod) string { return (&printer{c: c}).podIPOf(x) }
}

// assignPodIPs numbers the pods ever bound to each node in binding order
// (bind time, then creation order), so that a pod keeps its address while it
// lives whatever happens to others.
func (p *printer) assignPodIPs() {
	p.podIP = map[int]string{}
	byNode := map[string][]*model.Pod{}
	var names []string
	for _, x := range p.c.AllPods() {
		if x.NodeName == "" {
			continue
		}
		if _, ok := byNode[x.NodeName]; !ok {
			names = append(names, x.NodeName)
		}
		byNode[x.NodeName] = append(byNode[x.NodeName], x)
	}
	sort.Strings(names)
	for _, name := range names {
		ps := byNode[name]
		sort.Slice(ps, func(i, j int) bool {
			if ps[i].Scheduled != ps[j].Scheduled {
				return ps[i].Scheduled < ps[j].Scheduled
			}
			return ps[i].ID < ps[j].ID
		})
		idx := p.nodeIndex(name)
		for k, x := range ps {
			p.podIP[x.ID] = fmt.Sprintf("10.244.%d.%d", idx, 2+k%253)
		}
	}
}

// serviceIPIn is the ClusterIP of the Service name of namespace ns: hashed
// from its name in the default namespace, from "ns/name" in another.
func (p *printer) serviceIPIn(ns, name string) string {
	if s := p.c.APIServerService(); s != nil && name == s.Name && ns == s.Namespace {
		return model.APIServerServiceIP
	}
	key := serviceKey
	if p.svcIP == nil {
		p.svcIP = map[string]string{}
		used := map[uint32]bool{1: true, 10: true} // kubernetes, kube-dns
		for _, s := range p.c.Services() {
			k := key(s.Namespace, s.Name)
			h := fnv.New32a()
			h.Write([]byte(k))
			v := 256 + h.Sum32()%(65536-256)
			for used[v] || v&255 == 0 || v&255 == 255 {
				v = 256 + (v+1-256)%(65536-256)
			}
			used[v] = true
			p.svcIP[k] = fmt.Sprintf("10.96.%d.%d", v>>8, v&255)
		}
	}
	return p.svcIP[key(ns, name)]
}

// serviceKey names a Service for the address hashes: its name in the default
// namespace, "ns/name" in another.
func serviceKey(ns, name string) string {
	if ns == model.DefaultNamespace {
		return name
	}
	return ns + "/" + name
}

// loadBalancerIP is the ingress IP of the LoadBalancer Service name of
// namespace ns ("" if it is not one): 203.0.113.H, H hashed from its name as
// serviceIPIn hashes, probing past collisions in creation order.
func (p *printer) loadBalancerIP(ns, name string) string {
	if p.lbIP == nil {
		p.lbIP = map[string]string{}
		used := map[uint32]bool{}
		for _, s := range p.c.Services() {
			if s.Type != "LoadBalancer" {
				continue
			}
			k := serviceKey(s.Namespace, s.Name)
			h := fnv.New32a()
			h.Write([]byte(k))
			v := 1 + h.Sum32()%254
			for i := 0; used[v] && i < 254; i++ {
				v = 1 + v%254
			}
			used[v] = true
			p.lbIP[k] = fmt.Sprintf("203.0.113.%d", v)
		}
	}
	return p.lbIP[serviceKey(ns, name)]
}

// ---- DaemonSet status ----

type dsStatus struct {
	desired, current, ready, updated, available, misscheduled int
}

// daemonPodNode is the node a daemon pod runs on or is pinned to.
func daemonPodNode(x *model.Pod) string {
	if x.NodeName != "" {
		return x.NodeName
	}
	if a := x.Spec.Affinity; a != nil {
		for _, t := range a.Terms {
			for _, r := range t.MatchFields {
				if r.Key == "metadata.name" && r.Operator == "In" && len(r.Values) == 1 {
					return r.Values[0]
				}
			}
		}
	}
	return ""
}

// daemonSetStatus is the DaemonSet controller's status: per node that should
// run the pod, whether one is scheduled, ready, of the current revision and
// available; pods on other nodes are misscheduled.
func (p *printer) daemonSetStatus(ds *model.DaemonSet) dsStatus {
	byNode := map[string][]*model.Pod{}
	for _, x := range ds.Pods() {
		if x.Gone || x.Terminating {
			continue
		}
		byNode[daemonPodNode(x)] = append(byNode[daemonPodNode(x)], x)
	}
	var st dsStatus
	for _, n := range p.c.Nodes() {
		pods := byNode[n.Name]
		if !ds.ShouldRun(n) {
			if len(pods) > 0 {
				st.misscheduled++
			}
			continue
		}
		st.desired++
		if len(pods) == 0 {
			continue
		}
		st.current++
		x := pods[len(pods)-1] // the newest
		if x.Ready {
			st.ready++
			if ds.MinReadySeconds == 0 || p.now-x.ReadyAt >= ds.MinReadySeconds {
				st.available++
			}
		}
		if x.Labels[model.LabelControllerRevHash] == ds.Hash() {
			st.updated++
		}
	}
	return st
}

// ---- describe ----

// DescribeWriter is kubectl's describe PrefixWriter: a tabwriter with padding
// 2, two spaces of indent per level.
// DescribeWriter writes kubectl describe's aligned "Field:\tvalue" lines.
type DescribeWriter struct{ tw *tabwriter.Writer }

// NewDescribeWriter is a DescribeWriter into b.
func NewDescribeWriter(b *strings.Builder) *DescribeWriter {
	return &DescribeWriter{tabwriter.NewWriter(b, 0, 8, 2, ' ', 0)}
}

// Printf writes a line (or part of one) indented by level, with tabs between
// aligned cells.
func (w *DescribeWriter) Printf(level int, format string, args ...any) {
	w.write(level, format, args...)
}

// Flush aligns and writes out what was written.
func (w *DescribeWriter) Flush() { w.tw.Flush() }

func (w *DescribeWriter) write(level int, format string, args ...any) {
	fmt.Fprint(w.tw, strings.Repeat("  ", level))
	fmt.Fprintf(w.tw, format, args...)
}

// multiline prints "title:\tv1\n\tv2\n..." or "title:\t<none>".
func (w *DescribeWriter) multiline(level int, title string, values []string) {
	w.write(level, "%s:\t", title)
	if len(values) == 0 {
		w.write(0, "<none>\n")
		return
	}
	for i, v := range values {
		if i > 0 {
			w.write(level, "\t")
		}
		w.write(0, "%s\n", v)
	}
}

func sortedPairs(m map[string]string, sep string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + sep + m[k]
	}
	return out
}

func (p *printer) describe(b *strings.Builder, o object) {
	w := NewDescribeWriter(b)
	if f := resources[o.res].describe; f != nil {
		f(p, w, o)
	}
	w.tw.Flush()
}

func (p *printer) describeNamespace(w *DescribeWriter, x *model.Namespace) {
	w.write(0, "Name:\t%s\n", x.Name)
	w.multiline(0, "Labels", sortedPairs(x.Labels, "="))
	w.multiline(0, "Annotations", sortedPairs(x.Annotations, ": "))
	w.write(0, "Status:\t%s\n", x.Phase)
	w.write(0, "\nNo resource quota.\n\nNo LimitRange resource.\n")
}

func (p *printer) describePod(w *DescribeWriter, x *model.Pod) {
	w.write(0, "Name:\t%s\n", x.Name)
	w.write(0, "Namespace:\t%s\n", x.Namespace)
	w.write(0, "Priority:\t0\n")
	w.write(0, "Service Account:\tdefault\n")
	if x.NodeName == "" {
		w.write(0, "Node:\t<none>\n")
	} else {
		w.write(0, "Node:\t%s/%s\n", x.NodeName, p.nodeIP(x.NodeName))
		w.write(0, "Start Time:\t%s\n", p.wallClock(x.Scheduled))
	}
	w.multiline(0, "Labels", sortedPairs(x.Labels, "="))
	w.multiline(0, "Annotations", sortedPairs(x.Annotations, ": "))
	if x.Terminating {
		// kubectl's translateTimestampSince(deletionTimestamp): the time since
		// the grace period ended, "<invalid>" while it runs.
		w.write(0, "Status:\tTerminating (lasts %s)\n", humanDuration(p.now-(x.DeletedAt+x.DeletionGrace())))
		w.write(0, "Termination Grace Period:\t%ds\n", int64(x.DeletionGrace()/time.Second))
	} else {
		w.write(0, "Status:\t%s\n", x.Phase)
	}
	ip := p.podIPOf(x)
	if ip == "<none>" {
		w.write(0, "IP:\t\n")
		w.write(0, "IPs:\t<none>\n")
	} else {
		w.write(0, "IP:\t%s\n", ip)
		w.write(0, "IPs:\n")
		w.write(1, "IP:\t%s\n", ip)
	}
	if x.Owner != nil {
		w.write(0, "Controlled By:\t%s/%s\n", x.Owner.Kind, x.Owner.Name)
	}
	w.write(0, "Containers:\n")
	w.write(1, "%s:\n", manifest.ContainerName(x.Spec))
	w.write(2, "Image:\t%s\n", x.Spec.Image)
	writeContainerPorts(w, 2, x.Spec.Ports)
	switch {
	case x.Running:
		w.write(2, "State:\tRunning\n")
		w.write(3, "Started:\t%s\n", p.wallClock(x.Started))
	case x.Phase == model.PodSucceeded || x.Phase == model.PodFailed:
		w.write(2, "State:\tTerminated\n")
	case x.CrashLoopBackOff():
		w.write(2, "State:\tWaiting\n")
		w.write(3, "Reason:\tCrashLoopBackOff\n")
	case x.NodeName != "":
		w.write(2, "State:\tWaiting\n")
		w.write(3, "Reason:\tContainerCreating\n")
	default:
		w.write(2, "State:\tWaiting\n")
	}
	if t, ok := x.LastTermination(); ok {
		w.write(2, "Last State:\tTerminated\n")
		w.write(3, "Reason:\t%s\n", t.Reason)
		w.write(3, "Exit Code:\t%d\n", t.ExitCode)
		w.write(3, "Started:\t%s\n", p.wallClock(t.Started))
		w.write(3, "Finished:\t%s\n", p.wallClock(t.Finished))
	}
	w.write(2, "Ready:\t%s\n", titleBool(x.Ready))
	w.write(2, "Restart Count:\t%d\n", x.Restarts)
	p.writeRequests(w, 2, x.Spec.Requests)
	if pr := x.Spec.Liveness(); pr != nil {
		w.write(2, "Liveness:\t%s\n", describeProbe(pr))
	}
	if pr := x.Spec.Readiness; pr != nil {
		w.write(2, "Readiness:\t%s\n", describeProbe(pr))
	}
	if pr := x.Spec.Startup(); pr != nil {
		w.write(2, "Startup:\t%s\n", describeProbe(pr))
	}
	w.write(0, "Conditions:\n")
	w.write(1, "Type\tStatus\n")
	bound := x.NodeName != ""
	w.write(1, "PodReadyToStartContainers \t%s \n", titleBool(x.HasIP))
	w.write(1, "Initialized \t%s \n", titleBool(bound))
	w.write(1, "Ready \t%s \n", titleBool(x.Ready))
	w.write(1, "ContainersReady \t%s \n", titleBool(x.Ready))
	w.write(1, "PodScheduled \t%s \n", titleBool(bound))
	qos := "BestEffort"
	if x.Spec.Requests.MilliCPU > 0 || x.Spec.Requests.Memory > 0 {
		qos = "Burstable"
	}
	w.write(0, "QoS Class:\t%s\n", qos)
	w.multiline(0, "Node-Selectors", sortedPairs(x.Spec.NodeSelector, "="))
	w.multiline(0, "Tolerations", tolerationStrings(x.Spec.Tolerations))
	p.describeEvents(w, model.PodRef(x))
}

// describeProbe is kubectl's DescribeProbe: the handler and its target,
// then delay, timeout, period and thresholds.
func describeProbe(pr *model.Probe) string {
	attrs := fmt.Sprintf("delay=%ds timeout=%ds period=%ds #success=%d #failure=%d", int64(pr.InitialDelay/time.Second),
		int64(pr.Timeout/time.Second), int64(pr.Period/time.Second), pr.SuccessThreshold, pr.FailureThreshold)
	port := pr.PortName
	if port == "" {
		port = strconv.Itoa(pr.Port)
	}
	switch pr.Handler {
	case model.ProbeHTTPGet:
		u := url.URL{Scheme: strings.ToLower(pr.Scheme), Host: net.JoinHostPort(pr.Host, port), Path: pr.Path}
		return "http-get " + u.String() + " " + attrs
	case model.ProbeTCPSocket:
		return "tcp-socket " + pr.Host + ":" + port + " " + attrs
	case model.ProbeGRPC:
		return fmt.Sprintf("grpc <pod>:%d  %s", pr.Port, attrs)
	case model.ProbeExec:
		return "exec [] " + attrs
	}
	return "unknown " + attrs
}

func (p *printer) writeRequests(w *DescribeWriter, level int, r model.Resources) {
	if r.MilliCPU == 0 && r.Memory == 0 {
		return
	}
	w.write(level, "Requests:\n")
	if r.MilliCPU > 0 {
		w.write(level+1, "cpu:\t%s\n", cpuString(r.MilliCPU))
	}
	if r.Memory > 0 {
		w.write(level+1, "memory:\t%s\n", MemoryString(r.Memory))
	}
}

func cpuString(m int64) string {
	return resource.NewMilliQuantity(m, resource.DecimalSI).String()
}

// MemoryString is a byte count as kubectl prints a quantity (binary SI: 128Mi).
func MemoryString(b int64) string {
	return resource.NewQuantity(b, resource.BinarySI).String()
}

func titleBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// tolerationStrings formats tolerations as kubectl describe does:
// key=value:Effect op=Exists for 300s.
func tolerationStrings(ts []model.Toleration) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		s := t.Key
		if t.Value != "" {
			s += "=" + t.Value
		}
		if t.Effect != "" {
			s += ":" + string(t.Effect)
		}
		if t.Operator == "Exists" && t.Value == "" {
			if s != "" {
				s += " "
			}
			s += "op=Exists"
		}
		if t.Seconds != nil {
			s += fmt.Sprintf(" for %ds", *t.Seconds)
		}
		out = append(out, s)
	}
	return out
}

func taintStrings(ts []model.Taint) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		s := t.Key
		if t.Value != "" {
			s += "=" + t.Value
		}
		out = append(out, s+":"+string(t.Effect))
	}
	return out
}

// writeContainerPorts is describe's Port and Host Port lines, as kubectl's
// describeContainerBasicInfo prints them: "80/TCP", several joined as
// "Ports: 80/TCP, 443/TCP", <none> when the container declares none; a port
// without a hostPort shows host port 0, as kubectl does.
func writeContainerPorts(w *DescribeWriter, level int, ports []model.ContainerPort) {
	line := func(label string, num func(model.ContainerPort) int) {
		if len(ports) == 0 {
			w.write(level, "%s:\t<none>\n", label)
			return
		}
		s := make([]string, len(ports))
		for i, cp := range ports {
			proto := cp.Protocol
			if proto == "" {
				proto = "TCP"
			}
			s[i] = strconv.Itoa(num(cp)) + "/" + proto
		}
		if len(s) > 1 {
			label += "s"
		}
		w.write(level, "%s:\t%s\n", label, strings.Join(s, ", "))
	}
	line("Port", func(cp model.ContainerPort) int { return cp.Port })
	line("Host Port", func(cp model.ContainerPort) int { return cp.HostPort })
}

// describeTemplate prints a controller's "Pod Template:" section.
func (p *printer) describeTemplate(w *DescribeWriter, t model.PodTemplate) {
	w.write(0, "Pod Template:\n")
	w.multiline(1, "Labels", sortedPairs(t.Labels, "="))
	if len(t.Annotations) > 0 {
		w.multiline(1, "Annotations", sortedPairs(t.Annotations, ": "))
	}
	w.write(1, "Containers:\n")
	w.write(1, " %s:\n", manifest.ContainerName(t.Spec))
	w.write(2, "Image:\t%s\n", t.Spec.Image)
	writeContainerPorts(w, 2, t.Spec.Ports)
	p.writeRequests(w, 2, t.Spec.Requests)
	w.write(2, "Environment:\t<none>\n")
	w.write(2, "Mounts:\t<none>\n")
	w.write(1, "Volumes:\t<none>\n")
	w.multiline(1, "Node-Selectors", sortedPairs(t.Spec.NodeSelector, "="))
	w.multiline(1, "Tolerations", tolerationStrings(t.Spec.Tolerations))
}

func (p *printer) describeDeployment(w *DescribeWriter, d *model.Deployment) {
	st := p.c.DeploymentStatus(d)
	newRS := d.NewReplicaSet()
	w.write(0, "Name:\t%s\n", d.Name)
	w.write(0, "Namespace:\t%s\n", d.Namespace)
	w.write(0, "CreationTimestamp:\t%s\n", p.wallClock(d.CreationTimestamp))
	w.multiline(0, "Labels", sortedPairs(d.Labels, "="))
	ann := map[string]string{}
	for k, v := range d.Annotations {
		ann[k] = v
	}
	if newRS != nil {
		ann["deployment.kubernetes.io/revision"] = strconv.Itoa(newRS.Revision)
	}
	w.multiline(0, "Annotations", sortedPairs(ann, ": "))
	w.write(0, "Selector:\t%s\n", selectorString(d.LabelSelector))
	w.write(0, "Replicas:\t%d desired | %d updated | %d total | %d available | %d unavailable\n",
		d.Replicas, st.Updated, st.Replicas, st.Available, st.Unavailable)
	w.write(0, "StrategyType:\t%s\n", d.Strategy.Type)
	w.write(0, "MinReadySeconds:\t%d\n", int64(d.MinReadySeconds/time.Second))
	if d.Strategy.Type == model.RollingUpdate && d.Strategy.MaxSurge != nil && d.Strategy.MaxUnavailable != nil {
		w.write(0, "RollingUpdateStrategy:\t%s max unavailable, %s max surge\n", d.Strategy.MaxUnavailable, d.Strategy.MaxSurge)
	}
	p.describeTemplate(w, d.Template)
	w.write(0, "Conditions:\n")
	w.write(1, "Type\tStatus\tReason\n")
	w.write(1, "----\t------\t------\n")
	maxUnavailable := 0
	if mu := d.Strategy.MaxUnavailable; mu != nil && d.Strategy.Type == model.RollingUpdate {
		maxUnavailable = mu.Value
		if mu.Percent {
			maxUnavailable = mu.Value * d.Replicas / 100
		}
	}
	if st.Available >= d.Replicas-maxUnavailable {
		w.write(1, "Available \tTrue \tMinimumReplicasAvailable\n")
	} else {
		w.write(1, "Available \tFalse \tMinimumReplicasUnavailable\n")
	}
	if st.Complete {
		w.write(1, "Progressing \tTrue \tNewReplicaSetAvailable\n")
	} else {
		w.write(1, "Progressing \tTrue \tReplicaSetUpdated\n")
	}
	var old []string
	for _, rs := range d.ReplicaSets() {
		if rs == newRS {
			continue
		}
		if s := rs.Status(p.now); rs.Replicas > 0 || s.Current > 0 {
			old = append(old, fmt.Sprintf("%s (%d/%d replicas created)", rs.Name, s.Current, rs.Replicas))
		}
	}
	if len(old) == 0 {
		w.write(0, "OldReplicaSets:\t<none>\n")
	} else {
		w.write(0, "OldReplicaSets:\t%s\n", strings.Join(old, ", "))
	}
	if newRS == nil {
		w.write(0, "NewReplicaSet:\t<none>\n")
	} else {
		w.write(0, "NewReplicaSet:\t%s (%d/%d replicas created)\n", newRS.Name, newRS.Status(p.now).Current, newRS.Replicas)
	}
	p.describeEvents(w, model.DeploymentRef(d))
}

// podsStatus is kubectl's "Pods Status:" line of a controller's pods.
func podsStatus(pods []*model.Pod) string {
	var running, waiting, succeeded, failed int
	for _, x := range pods {
		if x.Gone {
			continue
		}
		switch x.Phase {
		case model.PodRunning:
			running++
		case model.PodPending:
			waiting++
		case model.PodSucceeded:
			succeeded++
		case model.PodFailed:
			failed++
		}
	}
	return fmt.Sprintf("%d Running / %d Waiting / %d Succeeded / %d Failed", running, waiting, succeeded, failed)
}

func (p *printer) describeReplicaSet(w *DescribeWriter, rs *model.ReplicaSet) {
	st := rs.Status(p.now)
	w.write(0, "Name:\t%s\n", rs.Name)
	w.write(0, "Namespace:\t%s\n", rs.Namespace)
	w.write(0, "Selector:\t%s\n", selectorString(rs.Selector))
	w.multiline(0, "Labels", sortedPairs(rs.Labels, "="))
	ann := map[string]string{}
	for k, v := range rs.Annotations {
		ann[k] = v
	}
	if rs.Owner != nil {
		ann["deployment.kubernetes.io/revision"] = strconv.Itoa(rs.Revision)
	}
	w.multiline(0, "Annotations", sortedPairs(ann, ": "))
	if rs.Owner != nil {
		w.write(0, "Controlled By:\t%s/%s\n", rs.Owner.Kind, rs.Owner.Name)
	}
	w.write(0, "Replicas:\t%d current / %d desired\n", st.Current, rs.Replicas)
	w.write(0, "Pods Status:\t%s\n", podsStatus(rs.Pods()))
	p.describeTemplate(w, rs.Template)
	p.describeEvents(w, model.ReplicaSetRef(rs))
}

func (p *printer) describeDaemonSet(w *DescribeWriter, ds *model.DaemonSet) {
	st := p.daemonSetStatus(ds)
	w.write(0, "Name:\t%s\n", ds.Name)
	w.write(0, "Namespace:\t%s\n", ds.Namespace)
	w.write(0, "Selector:\t%s\n", selectorString(ds.Selector))
	w.write(0, "Node-Selector:\t%s\n", mapString(ds.Template.Spec.NodeSelector))
	w.multiline(0, "Labels", sortedPairs(ds.Labels, "="))
	w.multiline(0, "Annotations", sortedPairs(ds.Annotations, ": "))
	w.write(0, "Desired Number of Nodes Scheduled: %d\n", st.desired)
	w.write(0, "Current Number of Nodes Scheduled: %d\n", st.current)
	w.write(0, "Number of Nodes Scheduled with Up-to-date Pods: %d\n", st.updated)
	w.write(0, "Number of Nodes Scheduled with Available Pods: %d\n", st.available)
	w.write(0, "Number of Nodes Misscheduled: %d\n", st.misscheduled)
	w.write(0, "Pods Status:\t%s\n", podsStatus(ds.Pods()))
	p.describeTemplate(w, ds.Template)
	p.describeEvents(w, model.DaemonSetRef(ds))
}

// endpoints lists the ready endpoints of the Service's ports as IP:port, ports
// outer and endpoints inner as kubectl's formatEndpoints, with each pod's
// targetPort: at most max of them, and how many there are. ports nil means
// every port.
func (p *printer) endpoints(o object, ports []model.ServicePort, max int) ([]string, int) {
	if o.svc().IsAPIServer() {
		if ip := p.apiServerIP(); ip != "" {
			return []string{ip + ":" + strconv.Itoa(model.APIServerPort)}, 1
		}
		return nil, 0
	}
	if ports == nil {
		ports = o.svc().Ports
	}
	pods, conds := p.c.EndpointPods(o.svc())
	var out []string
	total := 0
	for _, sp := range ports {
		for i, x := range pods {
			if !conds[i].Ready {
				continue
			}
			port, ok := targetPort(x, sp)
			if !ok {
				continue
			}
			if total++; len(out) < max {
				out = append(out, fmt.Sprintf("%s:%d", p.podIPOf(x), port))
			}
		}
	}
	return out, total
}

// apiServerIP is the API server's address: its control-plane node's ("":
// none).
func (p *printer) apiServerIP() string {
	for _, n := range p.c.Nodes() {
		if _, ok := n.Labels[model.LabelControlPlane]; ok {
			return p.nodeIP(n.Name)
		}
	}
	return ""
}

// endpointsString is kubectl's ENDPOINTS: three and "+ N more...", <none>
// when there is none.
func endpointsString(eps []string, total int) string {
	switch {
	case total == 0:
		return "<none>"
	case total > len(eps):
		return fmt.Sprintf("%s + %d more...", strings.Join(eps, ","), total-len(eps))
	}
	return strings.Join(eps, ",")
}

func (p *printer) describeService(w *DescribeWriter, o object) {
	x := o.svc()
	ip := p.serviceIPIn(x.Namespace, x.Name)
	w.write(0, "Name:\t%s\n", x.Name)
	w.write(0, "Namespace:\t%s\n", x.Namespace)
	w.multiline(0, "Labels", sortedPairs(x.Labels, "="))
	w.multiline(0, "Annotations", sortedPairs(x.Annotations, ": "))
	w.write(0, "Selector:\t%s\n", mapString(x.Selector))
	w.write(0, "Type:\t%s\n", serviceType(x))
	w.write(0, "IP Family Policy:\tSingleStack\n")
	w.write(0, "IP Families:\tIPv4\n")
	w.write(0, "IP:\t%s\n", ip)
	w.write(0, "IPs:\t%s\n", ip)
	if lb := p.loadBalancerIP(x.Namespace, x.Name); lb != "" {
		w.write(0, "LoadBalancer Ingress:\t%s (VIP)\n", lb) // kubectl's buildIngressString with ipMode
	}
	// Per port: its target and node port, and (three of) its endpoints with
	// their target ports.
	for _, sp := range x.Ports {
		portName := sp.Name
		if portName == "" {
			portName = "<unset>"
		}
		w.write(0, "Port:\t%s  %d/%s\n", portName, sp.Port, sp.Protocol)
		w.write(0, "TargetPort:\t%s/%s\n", sp.Target(), sp.Protocol)
		if sp.NodePort != 0 {
			w.write(0, "NodePort:\t%s  %d/%s\n", portName, sp.NodePort, sp.Protocol)
		}
		eps, total := p.endpoints(o, []model.ServicePort{sp}, 3)
		w.write(0, "Endpoints:\t%s\n", endpointsString(eps, total))
	}
	affinity := x.SessionAffinity
	if affinity == "" {
		affinity = "None"
	}
	w.write(0, "Session Affinity:\t%s\n", affinity)
	if t := serviceType(x); t == "NodePort" || t == "LoadBalancer" {
		w.write(0, "External Traffic Policy:\tCluster\n")
	}
	w.write(0, "Internal Traffic Policy:\tCluster\n")
	w.write(0, "Events:\t<none>\n")
}

func (p *printer) describeNode(w *DescribeWriter, n *model.Node) {
	w.write(0, "Name:\t%s\n", n.Name)
	w.write(0, "Roles:\t%s\n", nodeRoles(n))
	w.multiline(0, "Labels", sortedPairs(n.Labels, "="))
	w.multiline(0, "Annotations", sortedPairs(n.Annotations, ": "))
	w.write(0, "CreationTimestamp:\t%s\n", p.wallClock(n.CreationTimestamp))
	w.multiline(0, "Taints", taintStrings(n.Taints))
	w.write(0, "Unschedulable:\t%v\n", n.Unschedulable)
	w.write(0, "Conditions:\n")
	w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
	w.write(1, "----\t------\t------------------\t------\t-------\n")
	if n.Ready {
		w.write(1, "Ready \tTrue \t%s \tKubeletReady \tkubelet is posting ready status\n", p.wallClock(n.ReadyAt))
	} else {
		w.write(1, "Ready \tUnknown \t%s \tNodeStatusUnknown \tKubelet stopped posting node status.\n", p.wallClock(n.NotReadyAt))
	}
	w.write(0, "Addresses:\n")
	w.write(1, "InternalIP:\t%s\n", p.nodeIP(n.Name))
	w.write(1, "Hostname:\t%s\n", n.Name)
	capLines := func(title string) {
		w.write(0, "%s:\n", title)
		w.write(1, "cpu:\t%s\n", cpuString(n.Capacity.MilliCPU))
		w.write(1, "memory:\t%s\n", MemoryString(n.Capacity.Memory))
		w.write(1, "pods:\t%d\n", n.Capacity.Pods)
	}
	capLines("Capacity")
	capLines("Allocatable")
	w.write(0, "System Info:\n")
	w.write(1, "Kernel Version:\t%s\n", nodeKernel)
	w.write(1, "OS Image:\t%s\n", nodeOSImage)
	w.write(1, "Container Runtime Version:\t%s\n", nodeRuntime)
	w.write(1, "Kubelet Version:\t%s\n", KubeletVersion)
	w.write(0, "PodCIDR:\t10.244.%d.0/24\n", p.nodeIndex(n.Name))
	w.write(0, "PodCIDRs:\t10.244.%d.0/24\n", p.nodeIndex(n.Name))
	var pods []*model.Pod
	for _, x := range n.Pods() {
		if !x.Gone && !x.Terminating && x.Phase != model.PodSucceeded && x.Phase != model.PodFailed {
			pods = append(pods, x)
		}
	}
	sort.SliceStable(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	pct := func(v, total int64) int64 {
		if total == 0 {
			return 0
		}
		return v * 100 / total
	}
	w.write(0, "Non-terminated Pods:\t(%d in total)\n", len(pods))
	w.write(1, "Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
	w.write(1, "---------\t----\t------------\t----------\t---------------\t-------------\t---\n")
	var req model.Resources
	for _, x := range pods {
		r := x.Spec.Requests
		req = req.Add(r)
		w.write(1, "%s\t%s\t%s (%d%%)\t0 (0%%)\t%s (%d%%)\t0 (0%%)\t%s\n", x.Namespace, x.Name,
			cpuString(r.MilliCPU), pct(r.MilliCPU, n.Capacity.MilliCPU),
			MemoryString(r.Memory), pct(r.Memory, n.Capacity.Memory), p.age(x.CreationTimestamp))
	}
	w.write(0, "Allocated resources:\n")
	w.write(1, "(Total limits may be over 100 percent, i.e., overcommitted.)\n")
	w.write(1, "Resource\tRequests\tLimits\n")
	w.write(1, "--------\t--------\t------\n")
	w.write(1, "cpu\t%s (%d%%)\t0 (0%%)\n", cpuString(req.MilliCPU), pct(req.MilliCPU, n.Capacity.MilliCPU))
	w.write(1, "memory\t%s (%d%%)\t0 (0%%)\n", MemoryString(req.Memory), pct(req.Memory, n.Capacity.Memory))
	p.describeEvents(w, model.NodeRef(n))
}

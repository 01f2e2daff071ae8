package kubectl

// get endpointslices: the Services' EndpointSlices, derived at print time
// from the endpoint index, as the EndpointSlice controller
// (staging/src/k8s.io/endpointslice) keeps them.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apitypes "k8s.io/apimachinery/pkg/types"
)

// The EndpointSlice controller's labels and name.
const (
	labelServiceName      = discoveryv1.LabelServiceName // kubernetes.io/service-name
	labelManagedBy        = discoveryv1.LabelManagedBy   // endpointslice.kubernetes.io/managed-by
	endpointSliceManager  = "endpointslice-controller.k8s.io"
	maxEndpointsPerSlice  = model.MaxEndpointsPerSlice
	endpointSliceResource = "endpointslice.discovery.k8s.io"
)

// endpointSlice is one EndpointSlice of a Service, as the EndpointSlice
// controller keeps them: at most 100 endpoints each.
type endpointSlice struct {
	namespace, name string
	svc             *model.Service
	index           int // the slice's place among its Service's
	ports           []string
	addrs           []string
	created         time.Duration
	// apiPorts, pods and conds are the slice's ports and endpoints (pods
	// with their conditions), for -o yaml/json.
	apiPorts []discoveryv1.EndpointPort
	pods     []*model.Pod
	conds    []model.EndpointConditions
}

// labels are the slice's labels: a user's (kubectl label), until the
// controller's next sync; else the EndpointSlice controller's
// setEndpointSliceLabels copies the Service's labels but its reserved keys
// and sets kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by;
// the API server's own slice (kubernetes) has kubernetes.io/service-name only.
func (s endpointSlice) labels() map[string]string {
	if s.svc.IsAPIServer() {
		return map[string]string{labelServiceName: s.name}
	}
	if u := s.svc.EndpointSliceUser(s.index); u.Labels != nil {
		return u.Labels
	}
	out := make(map[string]string, len(s.svc.Labels)+2)
	for k, v := range s.svc.Labels {
		if k != labelServiceName && k != labelManagedBy && k != corev1.IsHeadlessService {
			out[k] = v
		}
	}
	out[labelServiceName], out[labelManagedBy] = s.svc.Name, endpointSliceManager
	return out
}

// endpointSlices lists the slices of every Service in the namespace asked
// for, by name.
func (p *printer) endpointSlices() []endpointSlice {
	var out []endpointSlice
	sel := p.sel // a label selector picks slices by their labels, not Services
	p.sel = nil
	defer func() { p.sel = sel }()
	for _, o := range p.list(Services) {
		out = append(out, p.slicesOf(o)...)
	}
	slices.SortFunc(out, func(a, b endpointSlice) int {
		if a.namespace != b.namespace {
			return strings.Compare(a.namespace, b.namespace)
		}
		return strings.Compare(a.name, b.name)
	})
	return out
}

// slicesOf is the Service's slices: "kubernetes" for the API server's
// Service (managed by the API server, not generated), else SERVICE-xxxxx
// (generateName; the suffix is derived from the Service's name and the
// slice's index, so that it is stable). Every endpoint is listed, ready or
// not, as the slice lists them; ports are the target ports.
func (p *printer) slicesOf(o object) []endpointSlice {
	svc := o.svc()
	if svc.IsAPIServer() {
		s := endpointSlice{namespace: svc.Namespace, name: svc.Name, svc: svc, ports: []string{strconv.Itoa(model.APIServerPort)}, created: svc.CreationTimestamp,
			apiPorts: []discoveryv1.EndpointPort{{Name: ptrTo("https"), Port: ptrTo(int32(model.APIServerPort)), Protocol: ptrTo(corev1.ProtocolTCP)}}}
		if ip := p.apiServerIP(); ip != "" {
			s.addrs = []string{ip}
		}
		return []endpointSlice{s}
	}
	pods, conds := p.c.EndpointPods(svc)
	// One port per Service port whose target a pod resolves, as the
	// EndpointSlice controller's getEndpointPorts lists them (two Service
	// ports on one target port are two slice ports); none for a Service
	// without endpoints, whose placeholder slice has no ports.
	var ports []string
	var apiPorts []discoveryv1.EndpointPort
	for _, sp := range svc.Ports {
		for _, x := range pods {
			if n, ok := targetPort(x, sp); ok {
				ports = append(ports, strconv.Itoa(n))
				apiPorts = append(apiPorts, discoveryv1.EndpointPort{Name: ptrTo(sp.Name), Port: ptrTo(int32(n)),
					Protocol: ptrTo(corev1.Protocol(sp.Protocol))})
				break
			}
		}
	}
	var out []endpointSlice
	for i := 0; i == 0 || i*maxEndpointsPerSlice < len(pods); i++ {
		lo, hi := min(len(pods), i*maxEndpointsPerSlice), min(len(pods), (i+1)*maxEndpointsPerSlice)
		s := endpointSlice{namespace: svc.Namespace, name: svc.Name + "-" + sliceSuffix(svc.Namespace+"/"+svc.Name, i), svc: svc, index: i,
			ports: ports, created: svc.CreationTimestamp, apiPorts: apiPorts, pods: pods[lo:hi], conds: conds[lo:hi]}
		for _, x := range s.pods {
			s.addrs = append(s.addrs, p.podIPOf(x))
		}
		out = append(out, s)
	}
	return out
}

// sliceSuffix is 5 characters of the generateName alphabet from a hash of the
// Service's name and the slice's index.
func sliceSuffix(name string, i int) string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	h := uint64(14695981039346656037)
	for _, b := range []byte(name + "/" + strconv.Itoa(i)) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	out := make([]byte, 5)
	for j := range out {
		out[j] = alphabet[h%uint64(len(alphabet))]
		h /= uint64(len(alphabet))
	}
	return string(out)
}

// listWithMore is kubectl's listWithMoreString over at most 3 items, <unset>
// when there is none.
func listWithMore(items []string) string {
	switch {
	case len(items) == 0:
		return "<unset>"
	case len(items) > 3:
		return strings.Join(items[:3], ",") + " + " + strconv.Itoa(len(items)-3) + " more..."
	}
	return strings.Join(items, ",")
}

// selectSlices is the slices the targets name (all for a get of the kind)
// that the label selector matches, and a NotFound error per missing name.
func (p *printer) selectSlices(cmd Command) ([]endpointSlice, []error) {
	all := p.endpointSlices()
	var list []endpointSlice
	var errs []error
	for _, t := range cmd.Targets {
		if t.Name == "" {
			list = all
			break
		}
		i := slices.IndexFunc(all, func(s endpointSlice) bool { return s.name == t.Name })
		if i < 0 {
			errs = append(errs, NotFound(EndpointSlices, t.Name))
			continue
		}
		list = append(list, all[i])
	}
	if p.sel != nil {
		kept := []endpointSlice{}
		for _, s := range list {
			if p.sel.MatchesMap(s.labels()) {
				kept = append(kept, s)
			}
		}
		list = kept
	}
	return list, errs
}

func (p *printer) getEndpointSlices(cmd Command) (string, error) {
	list, errs := p.selectSlices(cmd)
	p.showLabels = showLabels(cmd.Line)
	if len(list) == 0 {
		if len(errs) > 0 {
			return "", joinErrors(errs)
		}
		return p.noResources(), nil
	}
	var b strings.Builder
	w := NewTabWriter(&b)
	header := "NAME\tADDRESSTYPE\tPORTS\tENDPOINTS\tAGE"
	if p.all {
		header = "NAMESPACE\t" + header
	}
	if p.showLabels {
		header += "\tLABELS"
	}
	fmt.Fprintln(w, header)
	for _, s := range list {
		row := s.name + "\tIPv4\t" + listWithMore(s.ports) + "\t" + listWithMore(s.addrs) + "\t" + p.age(s.created)
		if p.all {
			row = s.namespace + "\t" + row
		}
		if p.showLabels {
			row += "\t" + labelsString(s.labels())
		}
		fmt.Fprintln(w, row)
	}
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n"), joinErrors(errs)
}

// getEndpointSliceObjects is get endpointslices with -o yaml, json, name,
// jsonpath=... or custom-columns=...: the slices as the API server returns
// discovery.k8s.io/v1 EndpointSlices.
func (p *printer) getEndpointSliceObjects(cmd Command) (string, error) {
	list, errs := p.selectSlices(cmd)
	objs := make([]runtime.Object, len(list))
	names := make([]string, len(list))
	for i, s := range list {
		objs[i], names[i] = p.endpointSliceObject(s), endpointSliceResource+"/"+s.name
	}
	single := len(cmd.Targets) == 1 && cmd.Targets[0].Name != ""
	return p.printObjects(cmd, objs, names, single, errs)
}

// endpointSliceObject is s as the EndpointSlice controller writes it
// (newEndpointSlice, setEndpointSliceLabels): generateName SERVICE-, the
// Service as its controller owner, the Service's Endpoints' uid rule,
// resourceVersion and last-change-trigger-time (endpointsMeta), and each
// endpoint's address, conditions, node, zone and pod.
func (p *printer) endpointSliceObject(s endpointSlice) *discoveryv1.EndpointSlice {
	out := &discoveryv1.EndpointSlice{TypeMeta: metav1.TypeMeta{APIVersion: "discovery.k8s.io/v1", Kind: "EndpointSlice"},
		AddressType: discoveryv1.AddressTypeIPv4, Ports: s.apiPorts}
	if s.svc.IsAPIServer() { // the API server's, written by its endpoint reconciler
		out.ObjectMeta = (&Executor{c: p.c}).apiServerEndpointsMeta(s.svc, "endpointslices")
		out.Generation = 1
		out.Labels = s.labels()
		for _, a := range s.addrs {
			out.Endpoints = append(out.Endpoints, discoveryv1.Endpoint{Addresses: []string{a},
				Conditions: discoveryv1.EndpointConditions{Ready: ptrTo(true)}})
		}
		return out
	}
	x := &Executor{c: p.c}
	out.ObjectMeta = x.endpointsMeta(s.svc, s.name, "endpointslices")
	rv, _ := s.svc.EndpointsMeta()
	rv += 1 + int64(s.index) // a write of its own, after the Endpoints
	u := s.svc.EndpointSliceUser(s.index)
	for k, v := range u.Annotations {
		if _, ok := out.Annotations[k]; !ok { // the controller's keys are its own
			out.Annotations[k] = v
		}
	}
	out.ResourceVersion = strconv.FormatInt(max(rv, u.ResourceVersion), 10)
	out.GenerateName = s.svc.Name + "-"
	out.Labels = s.labels()
	out.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Service", Name: s.svc.Name,
		UID: apitypes.UID(s.svc.UID), Controller: ptrTo(true), BlockOwnerDeletion: ptrTo(true)}}
	out.Endpoints = []discoveryv1.Endpoint{}
	for i, pod := range s.pods {
		c := s.conds[i]
		ep := discoveryv1.Endpoint{Addresses: []string{p.podIPOf(pod)},
			Conditions: discoveryv1.EndpointConditions{Ready: ptrTo(c.Ready && !c.Terminating), Serving: ptrTo(c.Serving), Terminating: ptrTo(c.Terminating)},
			TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: out.Namespace, Name: pod.Name, UID: apitypes.UID(pod.UID)}}
		if pod.NodeName != "" {
			ep.NodeName = ptrTo(pod.NodeName)
			if n := p.c.Node(pod.NodeName); n != nil && n.Labels[model.LabelZone] != "" {
				ep.Zone = ptrTo(n.Labels[model.LabelZone])
			}
		}
		out.Endpoints = append(out.Endpoints, ep)
	}
	return out
}

// describeEndpoints is kubectl's describe of an Endpoints object
// (describeEndpoints): its metadata, then each subset's ready and not ready
// addresses and ports.
func (p *printer) describeEndpoints(w *DescribeWriter, o object) {
	ep := (&Executor{c: p.c}).endpointsObject(p, o)
	w.write(0, "Name:\t%s\n", ep.Name)
	w.write(0, "Namespace:\t%s\n", ep.Namespace)
	w.multiline(0, "Labels", sortedPairs(ep.Labels, "="))
	w.multiline(0, "Annotations", sortedPairs(ep.Annotations, ": "))
	w.write(0, "Subsets:\n")
	ips := func(as []corev1.EndpointAddress) string {
		out := make([]string, len(as))
		for i, a := range as {
			out[i] = a.IP
		}
		if len(out) == 0 {
			return "<none>"
		}
		return strings.Join(out, ",")
	}
	for _, ss := range ep.Subsets {
		w.write(1, "Addresses:\t%s\n", ips(ss.Addresses))
		w.write(1, "NotReadyAddresses:\t%s\n", ips(ss.NotReadyAddresses))
		if len(ss.Ports) > 0 {
			w.write(1, "Ports:\n")
			w.write(2, "Name\tPort\tProtocol\n")
			w.write(2, "----\t----\t--------\n")
			for _, port := range ss.Ports {
				w.write(2, "%s\t%d\t%s\n", orUnset(port.Name), port.Port, port.Protocol)
			}
		}
		w.write(0, "\n")
	}
	p.describeEvents(w, model.ObjectRef{Kind: "Endpoints", Namespace: ep.Namespace, Name: ep.Name, UID: string(ep.UID)})
}

func orUnset(s string) string {
	if s == "" {
		return "<unset>"
	}
	return s
}

// describeEndpointSlices is describe endpointslices [NAME...] (-l): kubectl's
// describeEndpointSliceV1 of each slice.
func (p *printer) describeEndpointSlices(cmd Command) (string, error) {
	list, errs := p.selectSlices(cmd)
	if len(list) == 0 {
		if len(errs) > 0 {
			return "", joinErrors(errs)
		}
		return p.noResources(), nil
	}
	var b strings.Builder
	for i, s := range list {
		if i > 0 {
			b.WriteString("\n\n")
		}
		w := NewDescribeWriter(&b)
		p.describeEndpointSlice(w, p.endpointSliceObject(s))
		w.tw.Flush()
	}
	return strings.TrimSuffix(b.String(), "\n"), joinErrors(errs)
}

func (p *printer) describeEndpointSlice(w *DescribeWriter, eps *discoveryv1.EndpointSlice) {
	w.write(0, "Name:\t%s\n", eps.Name)
	w.write(0, "Namespace:\t%s\n", eps.Namespace)
	w.multiline(0, "Labels", sortedPairs(eps.Labels, "="))
	w.multiline(0, "Annotations", sortedPairs(eps.Annotations, ": "))
	w.write(0, "AddressType:\t%s\n", eps.AddressType)
	if len(eps.Ports) == 0 {
		w.write(0, "Ports: <unset>\n")
	} else {
		w.write(0, "Ports:\n")
		w.write(1, "Name\tPort\tProtocol\n")
		w.write(1, "----\t----\t--------\n")
		for _, port := range eps.Ports {
			w.write(1, "%s\t%d\t%s\n", orUnset(*port.Name), *port.Port, *port.Protocol)
		}
	}
	if len(eps.Endpoints) == 0 {
		w.write(0, "Endpoints: <none>\n")
	} else {
		w.write(0, "Endpoints:\n")
		for _, e := range eps.Endpoints {
			w.write(1, "- Addresses:\t%s\n", orNone(strings.Join(e.Addresses, ", ")))
			w.write(2, "Conditions:\n")
			ready := "<unset>"
			if e.Conditions.Ready != nil {
				ready = strconv.FormatBool(*e.Conditions.Ready)
			}
			w.write(3, "Ready:\t%s\n", ready)
			w.write(2, "Hostname:\t<unset>\n")
			if e.TargetRef != nil {
				w.write(2, "TargetRef:\t%s/%s\n", e.TargetRef.Kind, e.TargetRef.Name)
			}
			w.write(2, "NodeName:\t%s\n", orUnset(deref(e.NodeName)))
			w.write(2, "Zone:\t%s\n", orUnset(deref(e.Zone)))
		}
	}
	p.describeEvents(w, model.ObjectRef{Kind: "EndpointSlice", Namespace: eps.Namespace, Name: eps.Name, UID: string(eps.UID)})
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

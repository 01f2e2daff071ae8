package manifest

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/model/labels"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

type fieldErr struct{ field, reason string }

type checker struct{ errs []fieldErr }

func (c *checker) add(field, format string, args ...any) {
	c.errs = append(c.errs, fieldErr{field, fmt.Sprintf(format, args...)})
}

var (
	dns1123Label     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	dns1035Label     = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)
)

// Messages of the API server's name validation.
const (
	msgSubdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
	msgDNS1035   = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
	msgDNS1123   = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)

// validateObject returns what the API server would refuse in obj (after
// defaults), with field paths.
func validateObject(obj runtime.Object) []fieldErr {
	c := &checker{}
	if k := kindOf(obj); k != nil && k.validate != nil {
		k.validate(c, obj)
	}
	return c.errs
}

// unsimulatedFields returns the settings of obj that kubesim refuses rather
// than drop (kind Unsimulated): a Service's traffic policies Local and
// publishNotReadyAddresses, which would change which endpoints a connection
// reaches.
func unsimulatedFields(obj runtime.Object) []fieldErr {
	o, ok := obj.(*corev1.Service)
	if !ok {
		return nil
	}
	c := &checker{}
	for _, u := range UnsimulatedServiceSettings(o) {
		c.add(u.Field, "%s", u.Reason)
	}
	return c.errs
}

// UnsimulatedSetting is a setting kubesim refuses: its field and why.
type UnsimulatedSetting struct{ Field, Reason string }

// UnsimulatedServiceSettings are the settings of Service o that kubesim
// cannot simulate: externalTrafficPolicy and internalTrafficPolicy Local
// (kube-proxy is modelled cluster-wide: a connection may reach an endpoint
// on any node) and publishNotReadyAddresses (endpoints follow readiness).
func UnsimulatedServiceSettings(o *corev1.Service) []UnsimulatedSetting {
	var out []UnsimulatedSetting
	refuse := func(field, value, why string) {
		out = append(out, UnsimulatedSetting{field, fmt.Sprintf("%s is not simulated by kubesim in Service %q (%s); remove it to run the scenario", value, o.Name, why)})
	}
	if o.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal {
		refuse("spec.externalTrafficPolicy", "Local", "kubesim has no node-local routing of outside traffic: every connection may reach any endpoint")
	}
	if p := o.Spec.InternalTrafficPolicy; p != nil && *p == corev1.ServiceInternalTrafficPolicyLocal {
		refuse("spec.internalTrafficPolicy", "Local", "kube-proxy is modelled cluster-wide, so connections would reach endpoints on other nodes")
	}
	if o.Spec.PublishNotReadyAddresses {
		refuse("spec.publishNotReadyAddresses", "true", "endpoints follow the pods' readiness")
	}
	return out
}

// validateDeployment checks a Deployment as the API server does.
func validateDeployment(c *checker, o *appsv1.Deployment) {
	c.meta(&o.ObjectMeta, "subdomain")
	c.replicas(o.Spec.Replicas, "spec.replicas")
	c.nonNegative(int64(o.Spec.MinReadySeconds), "spec.minReadySeconds")
	if r := o.Spec.RevisionHistoryLimit; r != nil {
		c.nonNegative(int64(*r), "spec.revisionHistoryLimit")
	}
	if pd := o.Spec.ProgressDeadlineSeconds; pd != nil {
		c.nonNegative(int64(*pd), "spec.progressDeadlineSeconds")
		if *pd <= o.Spec.MinReadySeconds {
			c.add("spec.progressDeadlineSeconds", "Invalid value: %d: must be greater than minReadySeconds", *pd)
		}
	}
	c.workload(o.Spec.Selector, &o.Spec.Template, "Deployment")
	st := o.Spec.Strategy
	switch st.Type {
	case appsv1.RecreateDeploymentStrategyType:
		if st.RollingUpdate != nil {
			c.add("spec.strategy.rollingUpdate", "Forbidden: may not be specified when strategy `type` is 'Recreate'")
		}
	case appsv1.RollingUpdateDeploymentStrategyType:
		if ru := st.RollingUpdate; ru != nil {
			// A Deployment's maxSurge may exceed 100% (ValidateRollingUpdateDeployment
			// caps maxUnavailable only).
			c.intOrPercent(ru.MaxSurge, "spec.strategy.rollingUpdate.maxSurge", false)
			c.intOrPercent(ru.MaxUnavailable, "spec.strategy.rollingUpdate.maxUnavailable", true)
			if isZero(ru.MaxSurge) && isZero(ru.MaxUnavailable) {
				c.add("spec.strategy.rollingUpdate.maxUnavailable", "Invalid value: %s: may not be 0 when `maxSurge` is 0", ru.MaxUnavailable.String())
			}
		}
	default:
		c.add("spec.strategy.type", "Unsupported value: %q: supported values: \"Recreate\", \"RollingUpdate\"", st.Type)
	}
}

// validateReplicaSet checks a ReplicaSet as the API server does.
func validateReplicaSet(c *checker, o *appsv1.ReplicaSet) {
	c.meta(&o.ObjectMeta, "subdomain")
	c.replicas(o.Spec.Replicas, "spec.replicas")
	c.nonNegative(int64(o.Spec.MinReadySeconds), "spec.minReadySeconds")
	c.workload(o.Spec.Selector, &o.Spec.Template, "ReplicaSet")
}

// validateDaemonSet checks a DaemonSet as the API server does.
func validateDaemonSet(c *checker, o *appsv1.DaemonSet) {
	c.meta(&o.ObjectMeta, "subdomain")
	c.nonNegative(int64(o.Spec.MinReadySeconds), "spec.minReadySeconds")
	if r := o.Spec.RevisionHistoryLimit; r != nil {
		c.nonNegative(int64(*r), "spec.revisionHistoryLimit")
	}
	c.workload(o.Spec.Selector, &o.Spec.Template, "DaemonSet")
	st := o.Spec.UpdateStrategy
	switch st.Type {
	case appsv1.OnDeleteDaemonSetStrategyType:
	case appsv1.RollingUpdateDaemonSetStrategyType:
		if ru := st.RollingUpdate; ru != nil {
			c.intOrPercent(ru.MaxSurge, "spec.updateStrategy.rollingUpdate.maxSurge", true)
			c.intOrPercent(ru.MaxUnavailable, "spec.updateStrategy.rollingUpdate.maxUnavailable", true)
			if isZero(ru.MaxSurge) && isZero(ru.MaxUnavailable) {
				c.add("spec.updateStrategy.rollingUpdate.maxUnavailable", "Invalid value: %s: may not be 0 when `maxSurge` is 0", ru.MaxUnavailable.String())
			}
		}
	default:
		c.add("spec.updateStrategy.type", "Unsupported value: %q: supported values: \"OnDelete\", \"RollingUpdate\"", st.Type)
	}
}

// validatePod checks a Pod as the API server does.
func validatePod(c *checker, o *corev1.Pod) {
	c.meta(&o.ObjectMeta, "subdomain")
	c.podSpec(&o.Spec, "spec")
}

// validateService checks a Service as the API server does.
func validateService(c *checker, o *corev1.Service) {
	c.meta(&o.ObjectMeta, "dns1035")
	c.labelMap(o.Spec.Selector, "spec.selector")
	if len(o.Spec.Ports) == 0 && o.Spec.ClusterIP != corev1.ClusterIPNone {
		c.add("spec.ports", "Required value")
	}
	names := map[string]bool{}
	for i, p := range o.Spec.Ports {
		f := fmt.Sprintf("spec.ports[%d]", i)
		if len(o.Spec.Ports) > 1 && p.Name == "" {
			c.add(f+".name", "Required value")
		}
		if p.Name != "" && names[p.Name] {
			c.add(f+".name", "Duplicate value: %q", p.Name)
		}
		names[p.Name] = true
		c.port(p.Port, f+".port")
		if p.TargetPort.Type == intstr.Int {
			c.port(p.TargetPort.IntVal, f+".targetPort")
		}
		// The API server's default --service-node-port-range.
		switch {
		case p.NodePort == 0 || o.Spec.Type != corev1.ServiceTypeNodePort && o.Spec.Type != corev1.ServiceTypeLoadBalancer:
		case p.NodePort < 30000 || p.NodePort > 32767:
			c.add(f+".nodePort", "Invalid value: %d: provided port is not in the valid range. The range of valid ports is 30000-32767", p.NodePort)
		}
		switch p.Protocol {
		case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
		default:
			c.add(f+".protocol", "Unsupported value: %q: supported values: \"SCTP\", \"TCP\", \"UDP\"", p.Protocol)
		}
	}
	switch o.Spec.Type {
	case corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeExternalName:
	default:
		c.add("spec.type", "Unsupported value: %q: supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"", o.Spec.Type)
	}
	switch o.Spec.SessionAffinity {
	case corev1.ServiceAffinityNone, corev1.ServiceAffinityClientIP:
	default:
		c.add("spec.sessionAffinity", "Unsupported value: %q: supported values: \"ClientIP\", \"None\"", o.Spec.SessionAffinity)
	}
}

// validateNode checks a Node as the API server does.
func validateNode(c *checker, o *corev1.Node) {
	c.meta(&o.ObjectMeta, "subdomain")
	seen := map[string]bool{}
	for i, t := range o.Spec.Taints {
		f := fmt.Sprintf("spec.taints[%d]", i)
		c.taint(t, f)
		if id := t.Key + ":" + string(t.Effect); seen[id] {
			c.add(f, "Duplicate value: %q: taints must be unique by key and effect pair", id)
		} else {
			seen[id] = true
		}
	}
}

// validateNamespace checks a Namespace as the API server does.
func validateNamespace(c *checker, o *corev1.Namespace) {
	c.meta(&o.ObjectMeta, "dns1123")
}

func isZero(v *intstr.IntOrString) bool {
	if v == nil {
		return false
	}
	if v.Type == intstr.Int {
		return v.IntVal == 0
	}
	return v.StrVal == "0%" || v.StrVal == "0"
}

// intOrPercent checks a maxSurge or maxUnavailable: a non-negative integer or
// percentage, at most 100% if capped.
func (c *checker) intOrPercent(v *intstr.IntOrString, f string, capped bool) {
	if v == nil {
		return
	}
	if v.Type == intstr.Int {
		if v.IntVal < 0 {
			c.add(f, "Invalid value: %d: must be greater than or equal to 0", v.IntVal)
		}
		return
	}
	var n int
	if _, err := fmt.Sscanf(v.StrVal, "%d%%", &n); err != nil || fmt.Sprintf("%d%%", n) != v.StrVal {
		c.add(f, "Invalid value: %q: a valid percent string must be a numeric string followed by an ending '%%' (e.g. '1%%',  or '93%%', regex used for validation is '[0-9]+%%')", v.StrVal)
	} else if capped && n > 100 {
		c.add(f, "Invalid value: %q: must not be greater than 100%%", v.StrVal)
	}
}

func (c *checker) replicas(r *int32, f string) {
	if r != nil && *r < 0 {
		c.add(f, "Invalid value: %d: must be greater than or equal to 0", *r)
	}
}

func (c *checker) nonNegative(v int64, f string) {
	if v < 0 {
		c.add(f, "Invalid value: %d: must be greater than or equal to 0", v)
	}
}

func (c *checker) port(p int32, f string) {
	if p < 1 || p > 65535 {
		c.add(f, "Invalid value: %d: must be between 1 and 65535, inclusive", p)
	}
}

func (c *checker) meta(m *metav1.ObjectMeta, nameRule string) {
	switch {
	case m.Name == "" && m.GenerateName == "":
		c.add("metadata.name", "Required value: name or generateName is required")
	case m.Name == "":
		// generateName: the API server appends 5 characters; kubectl apply
		// refuses it before that.
	case nameRule == "subdomain" && (len(m.Name) > 253 || !dns1123Subdomain.MatchString(m.Name)):
		c.add("metadata.name", "Invalid value: %q: %s", m.Name, msgSubdomain)
	case nameRule == "dns1035" && (len(m.Name) > 63 || !dns1035Label.MatchString(m.Name)):
		c.add("metadata.name", "Invalid value: %q: %s", m.Name, msgDNS1035)
	case nameRule == "dns1123" && (len(m.Name) > 63 || !dns1123Label.MatchString(m.Name)):
		c.add("metadata.name", "Invalid value: %q: %s", m.Name, msgDNS1123)
	}
	if m.Namespace != "" && (len(m.Namespace) > 63 || !dns1123Label.MatchString(m.Namespace)) {
		c.add("metadata.namespace", "Invalid value: %q: %s", m.Namespace, msgDNS1123)
	}
	c.labelMap(m.Labels, "metadata.labels")
	for _, k := range sortedKeys(m.Annotations) {
		if err := labels.ValidateKey(k); err != nil {
			c.add(joinKey("metadata.annotations", k), "Invalid value: %q: %v", k, err)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (c *checker) labelMap(m map[string]string, f string) {
	for _, k := range sortedKeys(m) {
		if err := labels.ValidateKey(k); err != nil {
			c.add(joinKey(f, k), "%v", err)
		}
		if err := labels.ValidateValue(m[k]); err != nil {
			c.add(joinKey(f, k), "%v", err)
		}
	}
}

func (c *checker) labelSelector(s *metav1.LabelSelector, f string) {
	c.labelMap(s.MatchLabels, f+".matchLabels")
	for i, e := range s.MatchExpressions {
		ef := fmt.Sprintf("%s.matchExpressions[%d]", f, i)
		if err := labels.ValidateKey(e.Key); err != nil {
			c.add(ef+".key", "%v", err)
		}
		switch e.Operator {
		case metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn:
			if len(e.Values) == 0 {
				c.add(ef+".values", "Required value: must be specified when `operator` is 'In' or 'NotIn'")
			}
		case metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist:
			if len(e.Values) > 0 {
				c.add(ef+".values", "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
			}
		default:
			c.add(ef+".operator", "Invalid value: %q: not a valid selector operator", e.Operator)
		}
		for j, v := range e.Values {
			if err := labels.ValidateValue(v); err != nil {
				c.add(fmt.Sprintf("%s.values[%d]", ef, j), "%v", err)
			}
		}
	}
}

// workload checks the selector and template of a Deployment, ReplicaSet or
// DaemonSet.
func (c *checker) workload(sel *metav1.LabelSelector, t *corev1.PodTemplateSpec, kind string) {
	c.labelMap(t.Labels, "spec.template.metadata.labels")
	switch {
	case sel == nil:
		c.add("spec.selector", "Required value")
	case len(sel.MatchLabels)+len(sel.MatchExpressions) == 0:
		c.add("spec.selector", "Invalid value: \"null\": empty selector is invalid for %s", strings.ToLower(kind))
	default:
		n := len(c.errs)
		c.labelSelector(sel, "spec.selector")
		if len(c.errs) == n {
			s, err := labels.FromLabelSelector(sel)
			if err != nil {
				c.add("spec.selector", "%v", err)
			} else if !s.MatchesMap(t.Labels) {
				c.add("spec.template.metadata.labels", "Invalid value: %s: `selector` does not match template `labels`", goMap(t.Labels))
			}
		}
	}
	c.podSpec(&t.Spec, "spec.template.spec")
	if t.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		c.add("spec.template.spec.restartPolicy", "Unsupported value: %q: supported values: \"Always\"", t.Spec.RestartPolicy)
	}
}

// goMap prints a map as the API server does (Go syntax, sorted keys).
func goMap(m map[string]string) string {
	var b strings.Builder
	b.WriteString("map[string]string{")
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q:%q", k, m[k])
	}
	b.WriteString("}")
	return b.String()
}

func (c *checker) podSpec(s *corev1.PodSpec, f string) {
	if len(s.Containers) == 0 {
		c.add(f+".containers", "Required value")
	}
	names := map[string]bool{}
	for i := range s.Containers {
		c.container(&s.Containers[i], fmt.Sprintf("%s.containers[%d]", f, i), names)
	}
	for i := range s.InitContainers {
		c.container(&s.InitContainers[i], fmt.Sprintf("%s.initContainers[%d]", f, i), names)
	}
	c.labelMap(s.NodeSelector, f+".nodeSelector")
	switch s.RestartPolicy {
	case corev1.RestartPolicyAlways, corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever:
	default:
		c.add(f+".restartPolicy", "Unsupported value: %q: supported values: \"Always\", \"OnFailure\", \"Never\"", s.RestartPolicy)
	}
	if g := s.TerminationGracePeriodSeconds; g != nil && *g < 0 {
		c.add(f+".terminationGracePeriodSeconds", "Invalid value: %d: must be greater than or equal to 0", *g)
	}
	for i, t := range s.Tolerations {
		tf := fmt.Sprintf("%s.tolerations[%d]", f, i)
		if t.Key != "" {
			if err := labels.ValidateKey(t.Key); err != nil {
				c.add(tf+".key", "%v", err)
			}
		}
		switch t.Operator {
		case corev1.TolerationOpEqual:
		case corev1.TolerationOpExists:
			if t.Value != "" {
				c.add(tf+".operator", "Invalid value: %q: value must be empty when `operator` is 'Exists'", t.Value)
			}
		default:
			c.add(tf+".operator", "Unsupported value: %q: supported values: \"Equal\", \"Exists\"", t.Operator)
		}
		if t.Key == "" && t.Operator != corev1.TolerationOpExists {
			c.add(tf+".operator", "Invalid value: %q: operator must be Exists when `key` is empty, which means \"match all values and all keys\"", t.Operator)
		}
		switch t.Effect {
		case "", corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		default:
			c.add(tf+".effect", "Unsupported value: %q: supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"", t.Effect)
		}
		if t.TolerationSeconds != nil && t.Effect != corev1.TaintEffectNoExecute {
			c.add(tf+".effect", "Invalid value: %q: effect must be 'NoExecute' when `tolerationSeconds` is set", t.Effect)
		}
	}
}

func (c *checker) container(ct *corev1.Container, f string, names map[string]bool) {
	switch {
	case ct.Name == "":
		c.add(f+".name", "Required value")
	case len(ct.Name) > 63 || !dns1123Label.MatchString(ct.Name):
		c.add(f+".name", "Invalid value: %q: %s", ct.Name, msgDNS1123)
	case names[ct.Name]:
		c.add(f+".name", "Duplicate value: %q", ct.Name)
	}
	names[ct.Name] = true
	if strings.TrimSpace(ct.Image) == "" {
		c.add(f+".image", "Required value")
	}
	for i, p := range ct.Ports {
		c.port(p.ContainerPort, fmt.Sprintf("%s.ports[%d].containerPort", f, i))
	}
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := ct.Resources.Requests[name]
		lim, hasLim := ct.Resources.Limits[name]
		if req.Sign() < 0 {
			c.add(fmt.Sprintf("%s.resources.requests[%s]", f, name), "Invalid value: %q: must be greater than or equal to 0", req.String())
		}
		if hasReq && hasLim && req.Cmp(lim) > 0 {
			c.add(fmt.Sprintf("%s.resources.requests", f), "Invalid value: %q: must be less than or equal to %s limit of %s", req.String(), name, lim.String())
		}
	}
	for _, pr := range []struct {
		p    *corev1.Probe
		name string
	}{{ct.ReadinessProbe, "readinessProbe"}, {ct.LivenessProbe, "livenessProbe"}, {ct.StartupProbe, "startupProbe"}} {
		if pr.p == nil {
			continue
		}
		pf := f + "." + pr.name
		h := pr.p.ProbeHandler
		n := 0
		if h.HTTPGet != nil {
			n++
		}
		if h.TCPSocket != nil {
			n++
		}
		if h.Exec != nil {
			n++
		}
		if h.GRPC != nil {
			n++
		}
		if n == 0 {
			c.add(pf, "Required value: must specify a handler type")
		} else if n > 1 {
			c.add(pf, "Forbidden: may not specify more than 1 handler type")
		}
		for _, v := range []struct {
			n    int32
			name string
		}{{pr.p.InitialDelaySeconds, "initialDelaySeconds"}, {pr.p.TimeoutSeconds, "timeoutSeconds"}, {pr.p.PeriodSeconds, "periodSeconds"},
			{pr.p.SuccessThreshold, "successThreshold"}, {pr.p.FailureThreshold, "failureThreshold"}} {
			c.nonNegative(int64(v.n), pf+"."+v.name)
		}
		if g := pr.p.TerminationGracePeriodSeconds; g != nil && *g <= 0 {
			c.add(pf+".terminationGracePeriodSeconds", "Invalid value: %d: must be greater than 0", *g)
		}
		if (pr.name == "livenessProbe" || pr.name == "startupProbe") && pr.p.SuccessThreshold != 1 {
			c.add(pf+".successThreshold", "Invalid value: %d: must be 1", pr.p.SuccessThreshold)
		}
	}
}

func (c *checker) taint(t corev1.Taint, f string) {
	if err := labels.ValidateKey(t.Key); err != nil {
		c.add(f+".key", "%v", err)
	}
	if t.Value != "" {
		if err := labels.ValidateValue(t.Value); err != nil {
			c.add(f+".value", "%v", err)
		}
	}
	switch t.Effect {
	case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
	case "":
		c.add(f+".effect", "Required value")
	default:
		c.add(f+".effect", "Unsupported value: %q: supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"", t.Effect)
	}
}

package endpoints

// PodID is the caller's dense identifier for a pod. The model keeps its own object
// tables and hands the index small non-negative integers; the index sizes its
// per-pod tables by the largest id it has seen.
type PodID int32

// ServiceID is the caller's dense identifier for a Service, like PodID.
type ServiceID int32

// PodState is what the endpoint controller reads from a pod besides its labels.
type PodState struct {
	// HasIP is false until the pod has been given an IP (status.podIP). Pods
	// without an IP are not endpoints.
	HasIP bool
	// Terminal is true once the pod has Succeeded or Failed. Terminal pods are
	// not endpoints.
	Terminal bool
	// Ready is the pod's Ready condition.
	Ready bool
	// Terminating is true once deletion has started (metadata.deletionTimestamp
	// is set).
	Terminating bool
}

// Eligible reports whether a pod in this state can be an endpoint at all: it has
// an IP and has not Succeeded or Failed.
func (s PodState) Eligible() bool { return s.HasIP && !s.Terminal }

// Conditions returns the EndpointSlice conditions of an eligible pod in this
// state: serving is the pod's Ready condition, ready is serving and not
// terminating, terminating is whether deletion has started. For a pod that is not
// eligible it returns the zero Conditions (not an endpoint).
func (s PodState) Conditions() Conditions {
	if !s.Eligible() {
		return Conditions{}
	}
	return Conditions{
		Member:      true,
		Ready:       s.Ready && !s.Terminating,
		Serving:     s.Ready,
		Terminating: s.Terminating,
	}
}

// Conditions are the EndpointSlice conditions of one pod in one Service. The zero
// value (Member false) means the pod is not an endpoint of the Service.
type Conditions struct {
	// Member is true when the pod is listed in the Service's endpoints.
	Member bool
	// Ready: serving and not terminating. kube-proxy sends new connections to
	// ready endpoints.
	Ready bool
	// Serving: the pod's Ready condition, whether or not it is terminating.
	Serving bool
	// Terminating: deletion of the pod has started.
	Terminating bool
}

// String renders the conditions the way kubectl describes an endpoint.
func (c Conditions) String() string {
	if !c.Member {
		return "none"
	}
	b := make([]byte, 0, 40)
	add := func(name string, v bool) {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, name...)
		b = append(b, '=')
		if v {
			b = append(b, "true"...)
		} else {
			b = append(b, "false"...)
		}
	}
	add("ready", c.Ready)
	add("serving", c.Serving)
	add("terminating", c.Terminating)
	return string(b)
}

// Endpoint is one pod listed for a Service, with its conditions.
type Endpoint struct {
	Pod        PodID
	Conditions Conditions
}

// Subscriber receives every change of the index, synchronously, as it happens:
// the pod's conditions in the Service went from old to new. old.Member false means
// the pod was added to the Service's endpoints, new.Member false that it was
// removed. The model uses this to deliver the change to kube-proxy after the
// modelled endpoint-controller and kube-proxy sync delay. The index is up to
// date when subscribers are called, and they may read it; changing it from a
// subscriber is refused with an error (schedule the change as an event).
type Subscriber interface {
	EndpointChanged(svc ServiceID, pod PodID, old, new Conditions)
}

// SubscriberFunc adapts a function to Subscriber.
type SubscriberFunc func(svc ServiceID, pod PodID, old, new Conditions)

// EndpointChanged calls f.
func (f SubscriberFunc) EndpointChanged(svc ServiceID, pod PodID, old, new Conditions) {
	f(svc, pod, old, new)
}

package kubectl

import (
	"fmt"
	"strings"
)

// Resource is a resource type by its canonical plural name, as kubectl's
// RESTMapper resolves it.
type Resource string

// The resources kubesim simulates. All is `kubectl get all`'s category.
const (
	Pods        Resource = "pods"
	Deployments Resource = "deployments"
	ReplicaSets Resource = "replicasets"
	DaemonSets  Resource = "daemonsets"
	Services    Resource = "services"
	Endpoints   Resource = "endpoints"
	Nodes       Resource = "nodes"
	Namespaces  Resource = "namespaces"
	All         Resource = "all"
)

// resourceInfo is what kubectl knows of a resource type.
type resourceInfo struct {
	group, kind string
	names       []string // singular, short names, kind, fully qualified
	namespaced  bool
}

var resources = map[Resource]resourceInfo{
	Pods:        {"", "Pod", []string{"pod", "po"}, true},
	Deployments: {"apps", "Deployment", []string{"deployment", "deploy"}, true},
	ReplicaSets: {"apps", "ReplicaSet", []string{"replicaset", "rs"}, true},
	DaemonSets:  {"apps", "DaemonSet", []string{"daemonset", "ds"}, true},
	Services:    {"", "Service", []string{"service", "svc"}, true},
	Endpoints:   {"", "Endpoints", []string{"ep"}, true},
	Nodes:       {"", "Node", []string{"node", "no"}, false},
	Namespaces:  {"", "Namespace", []string{"namespace", "ns"}, false},
}

// LookupResource resolves a resource name as kubectl does: plural, singular,
// short name, kind (case-insensitively) or resource.group ("deployments.apps",
// "deploy.apps"), and "all".
func LookupResource(s string) (Resource, bool) {
	l := strings.ToLower(s)
	if l == "all" {
		return All, true
	}
	name, group, hasGroup := strings.Cut(l, ".")
	for r, info := range resources {
		if hasGroup && group != info.group && !(group == "v1" && info.group == "") {
			continue
		}
		if name == string(r) || name == strings.ToLower(info.kind) {
			return r, true
		}
		for _, n := range info.names {
			if name == n {
				return r, true
			}
		}
	}
	return "", false
}

// Kind returns the resource's kind, e.g. "Deployment".
func (r Resource) Kind() string { return resources[r].kind }

// GroupKind returns "Kind.group" as kubectl prints a GroupKind, e.g.
// "ReplicaSet.apps", "Pod".
func (r Resource) GroupKind() string {
	if g := resources[r].group; g != "" {
		return resources[r].kind + "." + g
	}
	return resources[r].kind
}

// Namespaced reports whether objects of r live in a namespace.
func (r Resource) Namespaced() bool { return resources[r].namespaced }

// Qualified returns "resource.group" as the API server names it in errors,
// e.g. "deployments.apps", "pods".
func (r Resource) Qualified() string {
	if g := resources[r].group; g != "" {
		return string(r) + "." + g
	}
	return string(r)
}

// Ref returns kubectl's "kind.group/name" for an object of r, e.g.
// "deployment.apps/rng", "pod/rng-xyz".
func (r Resource) Ref(name string) string {
	info := resources[r]
	k := strings.ToLower(info.kind)
	if info.group != "" {
		k += "." + info.group
	}
	return k + "/" + name
}

// ResourceForKind returns the resource of a kind ("Deployment" -> deployments).
func ResourceForKind(kind string) (Resource, bool) {
	for r, info := range resources {
		if info.kind == kind {
			return r, true
		}
	}
	return "", false
}

// Target is one resource type, optionally with one object name. Name "" means
// every object of the type (filtered by the command's selector).
type Target struct {
	Resource Resource
	Name     string
}

func (t Target) String() string {
	if t.Name == "" {
		return string(t.Resource)
	}
	return t.Resource.Ref(t.Name)
}

// unknownResource is kubectl's error for a resource type it cannot map.
func unknownResource(s string) error {
	return &UsageError{Msg: fmt.Sprintf("the server doesn't have a resource type %q", s)}
}

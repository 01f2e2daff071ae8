package manifest

import (
	"slices"
	"strings"
)

type apiStatus uint8

const (
	served    apiStatus = iota // served by default
	notServed                  // alpha, or a beta off by default: the API server must enable it
	removed                    // no longer served
)

// builtinKind is one kind of Kubernetes' own API groups.
type builtinKind struct {
	apiVersion, kind string
	status           apiStatus
	// removedIn is the release that stopped serving it ("1.22"); replacement
	// the "apiVersion kind" to use instead ("" when there is none).
	removedIn, replacement string
}

// extraKinds are built-in kinds whose types are not in k8s.io/api (the
// apiextensions and kube-aggregator groups) or were deleted from it after
// their removal.
var extraKinds = []builtinKind{
	{"apiextensions.k8s.io/v1", "CustomResourceDefinition", served, "", ""},
	{"apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", removed, "1.22", "apiextensions.k8s.io/v1 CustomResourceDefinition"},
	{"apiregistration.k8s.io/v1", "APIService", served, "", ""},
	{"apiregistration.k8s.io/v1beta1", "APIService", removed, "1.22", "apiregistration.k8s.io/v1 APIService"},
	{"autoscaling/v2beta1", "HorizontalPodAutoscaler", removed, "1.25", "autoscaling/v2 HorizontalPodAutoscaler"},
	{"autoscaling/v2beta2", "HorizontalPodAutoscaler", removed, "1.26", "autoscaling/v2 HorizontalPodAutoscaler"},
	{"extensions/v1beta1", "PodSecurityPolicy", removed, "1.16", ""},
	{"policy/v1beta1", "PodSecurityPolicy", removed, "1.25", ""},
	{"extensions/v1beta1", "StatefulSet", removed, "1.16", "apps/v1 StatefulSet"},
	{"apps/v1beta1", "DaemonSet", removed, "1.16", "apps/v1 DaemonSet"},
	{"apps/v1beta1", "ReplicaSet", removed, "1.16", "apps/v1 ReplicaSet"},
}

// lookupBuiltin finds apiVersion and kind among Kubernetes' own kinds.
func lookupBuiltin(apiVersion, kind string) (builtinKind, bool) {
	for _, t := range [][]builtinKind{builtinKinds, extraKinds} {
		for _, k := range t {
			if k.apiVersion == apiVersion && k.kind == kind {
				return k, true
			}
		}
	}
	return builtinKind{}, false
}

// servedVersions is the apiVersion each kind of Kubernetes' own groups is
// served in by default: its core (v1) one, else its newest (HorizontalPodAutoscaler:
// autoscaling/v2).
var servedVersions = func() map[string]string {
	m := map[string]string{}
	for _, k := range builtinKinds { // sorted by apiVersion
		if k.status == served && m[k.kind] != "v1" {
			m[k.kind] = k.apiVersion
		}
	}
	return m
}()

// ServedAPIVersion is the apiVersion of kind as the API server serves it
// ("apps/v1" for Deployment), "v1" for a kind it does not know.
func ServedAPIVersion(kind string) string {
	if v, ok := servedVersions[kind]; ok {
		return v
	}
	return "v1"
}

// builtinGroup reports whether apiVersion's group is one of Kubernetes' own,
// so that an unknown kind in it cannot be a custom resource.
func builtinGroup(apiVersion string) bool {
	group := ""
	if g, _, ok := strings.Cut(apiVersion, "/"); ok {
		group = g
	}
	for _, t := range [][]builtinKind{builtinKinds, extraKinds} {
		for _, k := range t {
			g := ""
			if x, _, ok := strings.Cut(k.apiVersion, "/"); ok {
				g = x
			}
			if g == group {
				return true
			}
		}
	}
	return group == "extensions"
}

// CRD is what kubesim keeps of a CustomResourceDefinition: enough to
// recognise its custom resources.
type CRD struct {
	Name, Group, Kind string
	Versions          []string // served versions
	// Resources are the names kubectl maps to its resource type: the
	// plural, the singular, the short names and the lowercase kind.
	Resources []string
}

// Names reports whether kubectl maps resource (as a step names it: "crontabs",
// "ct", "crontab.stable.example.com") to c's resource type.
func (c CRD) Names(resource string) bool {
	r, g, _ := strings.Cut(strings.ToLower(resource), ".")
	if g != "" && g != c.Group {
		v, group, _ := strings.Cut(g, ".") // resource.version.group
		if group != c.Group || !slices.Contains(c.Versions, v) {
			return false
		}
	}
	return slices.Contains(c.Resources, r)
}

// APIVersions returns the CRD's "group/version"s.
func (c CRD) APIVersions() []string {
	out := make([]string, len(c.Versions))
	for i, v := range c.Versions {
		out[i] = c.Group + "/" + v
	}
	return out
}

// resourceShortNames are the short names kubectl accepts for Kubernetes'
// own served kinds (kubectl api-resources' SHORTNAMES), by kind.
var resourceShortNames = map[string][]string{
	"CertificateSigningRequest": {"csr"}, "ComponentStatus": {"cs"}, "CronJob": {"cj"},
	"CustomResourceDefinition": {"crd", "crds"}, "Ingress": {"ing"}, "LimitRange": {"limits"},
	"NetworkPolicy": {"netpol"}, "PersistentVolume": {"pv"}, "PersistentVolumeClaim": {"pvc"},
	"PriorityClass": {"pc"}, "ReplicationController": {"rc"}, "ResourceQuota": {"quota"},
	"ServiceAccount": {"sa"}, "StatefulSet": {"sts"}, "StorageClass": {"sc"},
}

// BuiltinResource finds the kind a kubectl resource word names among
// Kubernetes' own kinds served by default: its plural as the API server's
// REST mapping spells it ("statefulsets", "ingresses", "networkpolicies"),
// its lowercase kind, or a short name ("sts"), optionally with its group
// ("statefulsets.apps"). It returns the kind's apiVersion and kind.
func BuiltinResource(word string) (apiVersion, kind string, ok bool) {
	w := strings.ToLower(word)
	name, group, hasGroup := strings.Cut(w, ".")
	for _, t := range [][]builtinKind{builtinKinds, extraKinds} {
		for _, k := range t {
			if k.status != served {
				continue
			}
			g := ""
			if x, _, found := strings.Cut(k.apiVersion, "/"); found {
				g = x
			}
			if hasGroup && group != g {
				continue
			}
			singular := strings.ToLower(k.kind)
			names := append([]string{singular, plural(singular)}, resourceShortNames[k.kind]...)
			for _, n := range names {
				if n == name {
					return k.apiVersion, k.kind, true
				}
			}
		}
	}
	return "", "", false
}

// plural is the resource name of a lowercase kind, as
// meta.UnsafeGuessKindToResource makes it (endpoints stays endpoints).
func plural(singular string) string {
	switch {
	case singular == "endpoints":
		return singular
	case strings.HasSuffix(singular, "s"):
		return singular + "es"
	case strings.HasSuffix(singular, "y"):
		return strings.TrimSuffix(singular, "y") + "ies"
	}
	return singular + "s"
}

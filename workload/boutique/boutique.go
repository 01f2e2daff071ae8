// Package boutique is Online Boutique (GoogleCloudPlatform/microservices-demo)
// as a declared workload: its services' call graph, read from the project's
// source, with assumed CPU work per request, and its load generator's locust
// users as a closed-loop client in the loadgenerator's containers. Its
// containers are matched by image path (microservices-demo/frontend, any
// registry and tag), so applying the project's real
// release/kubernetes-manifests.yaml gives the traffic its loadgenerator
// makes. boutique.yaml is the description, with its sources and assumptions.
package boutique

import (
	_ "embed"
	"sync"

	"github.com/kubesim/kubesim/workload"
	"github.com/kubesim/kubesim/workload/decl"
)

func init() {
	workload.RegisterBuiltin(workload.Builtin{Name: Name,
		What:   "built in (declared, workload/boutique): images microservices-demo/frontend, ... and its loadgenerator",
		Source: Source})
}

// Name is the workload's name (kubesim workloads).
const Name = "online-boutique"

//go:embed boutique.yaml
var source []byte

// Source is the workload file.
func Source() []byte { return source }

var (
	once sync.Once
	spec decl.Spec
	err  error
)

// Spec is the parsed workload.
func Spec() decl.Spec {
	once.Do(func() { spec, err = decl.ParseFile("online-boutique.yaml", source) })
	if err != nil {
		panic("workload/boutique: boutique.yaml does not parse: " + err.Error())
	}
	return spec
}

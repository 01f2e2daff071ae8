package workload

import (
	"sort"
	"sync"
)

// Builtin is a workload kubesim knows in every run, its containers matched by
// image (DockerCoins, Online Boutique): registered by its package (in init),
// installed by every run from this registry, listed by `kubesim workloads`.
type Builtin struct {
	// Name is the workload's name; What says in one line what it is and how
	// its containers are matched.
	Name, What string
	// Source is the workload as a file (`kubesim workloads show NAME`).
	Source func() []byte
	// Install registers the workload's behaviours with rt, given its
	// settings (the scenario's config: section of type Settings' value; nil:
	// its defaults), and returns what it installed (its figures are
	// registered with rt.Rec). Nil for a declared workload, which the
	// declarative engine installs (its services are every run's defaults).
	Install func(rt *Runtime, settings any) any
	// Metrics are the study metrics its figures give when it runs (the
	// Source it registers with rt.Rec), for kubesim validate.
	Metrics []string
}

var (
	builtinMu sync.Mutex
	builtins  []Builtin
)

// RegisterBuiltin adds b to the built-in workloads; a second workload of the
// same name is a programming error.
func RegisterBuiltin(b Builtin) {
	builtinMu.Lock()
	defer builtinMu.Unlock()
	for _, o := range builtins {
		if o.Name == b.Name {
			panic("workload: built-in workload " + b.Name + " registered twice")
		}
	}
	builtins = append(builtins, b)
	sort.Slice(builtins, func(i, j int) bool { return builtins[i].Name < builtins[j].Name })
}

// Builtins returns the built-in workloads, by name.
func Builtins() []Builtin {
	builtinMu.Lock()
	defer builtinMu.Unlock()
	return append([]Builtin(nil), builtins...)
}

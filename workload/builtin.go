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
	// settings (a value of the type Settings returns, as the scenario's
	// config: section set it; nil: its defaults), and returns what it
	// installed (its figures are registered with rt.Rec). Nil for a declared
	// workload, which the declarative engine installs (its services are every
	// run's defaults).
	Install func(rt *Runtime, settings any) any
	// Metrics are the study metrics its figures give when it runs (the
	// Source it registers with rt.Rec), for kubesim validate.
	Metrics []string
	// SeriesMetrics are those of Metrics given per window (a study's
	// warm-up removes their first windows); the others are whole-run totals.
	SeriesMetrics []string
	// ConfigKey, if set, is the key of a scenario's config: section the
	// workload owns (DockerCoins': workload, as config.workload.hasherThreads),
	// and Settings returns its settings at their defaults: a struct whose
	// exported fields are that section's keys (the field name in lowerCamel:
	// HasherThreads, hasherThreads), each a sim.DistSpec, sim.Time, int,
	// int64, float64, bool, string or such a struct; a numeric field carries
	// its range in tags (range:"min,max" or range:">0,max", and why:"what it
	// is"). The scenario reader decodes the section into it, checking each
	// value against its range and naming the file and line of a mistake.
	ConfigKey string
	Settings  func() any
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
		if b.ConfigKey != "" && o.ConfigKey == b.ConfigKey {
			panic("workload: built-in workloads " + o.Name + " and " + b.Name + " both own config." + b.ConfigKey)
		}
	}
	if (b.ConfigKey == "") != (b.Settings == nil) {
		panic("workload: built-in workload " + b.Name + ": give both ConfigKey and Settings, or neither")
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

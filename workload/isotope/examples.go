package isotope

import (
	"embed"
	"sort"
	"strings"
)

// The example topologies of isotope (istio/tools isotope/example-topologies,
// Apache-2.0: testdata/NOTICE).
//
//go:embed testdata/*.yaml
var examples embed.FS

// Examples lists isotope's example topologies kubesim carries, by name
// (isotope-canonical, isotope-tree-111-services, ...).
func Examples() []string {
	ents, _ := examples.ReadDir("testdata")
	var out []string
	for _, e := range ents {
		out = append(out, "isotope-"+strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// Example returns the service graph of an example topology.
func Example(name string) ([]byte, bool) {
	if !strings.HasPrefix(name, "isotope-") {
		return nil, false
	}
	b, err := examples.ReadFile("testdata/" + strings.TrimPrefix(name, "isotope-") + ".yaml")
	return b, err == nil
}

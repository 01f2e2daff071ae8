package scenarios

import (
	"embed"
	"fmt"
	"os"
	"sort"
	"strings"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// DefaultName is the scenario `kubesim run` runs when given none.
var DefaultName = "workshop"

// BuiltinNames lists the built-in scenarios, sorted.
func BuiltinNames() []string {
	ents, _ := builtinFS.ReadDir("builtin")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// BuiltinSource returns the YAML of a built-in scenario.
func BuiltinSource(name string) ([]byte, bool) {
	b, err := builtinFS.ReadFile("builtin/" + name + ".yaml")
	return b, err == nil
}

// Builtin parses a built-in scenario.
func Builtin(name string) (*Scenario, error) { return BuiltinWith(name, nil) }

// BuiltinWith parses a built-in scenario with variables set (see ParseFileWith).
func BuiltinWith(name string, set map[string]string) (*Scenario, error) {
	b, ok := BuiltinSource(name)
	if !ok {
		return nil, fmt.Errorf("unknown scenario %q: not a file and not a built-in scenario (built-in: %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	s, err := ParseFileWith(name+".yaml", b, set)
	if err != nil {
		return nil, err
	}
	s.Dir, s.Path = "", ""
	return s, nil
}

// Load returns the built-in scenario called ref, or else parses the file at path
// ref.
func Load(ref string) (*Scenario, error) { return LoadWith(ref, nil) }

// LoadWith is Load with variables set (see ParseFileWith).
func LoadWith(ref string, set map[string]string) (*Scenario, error) {
	if _, ok := BuiltinSource(ref); ok {
		return BuiltinWith(ref, set)
	}
	if _, err := os.Stat(ref); err == nil || strings.ContainsAny(ref, "/.") {
		return LoadFileWith(ref, set)
	}
	return BuiltinWith(ref, set)
}

// Default is the built-in default scenario.
func Default() *Scenario {
	s, err := Builtin(DefaultName)
	if err != nil {
		panic("scenarios: the built-in default scenario does not parse: " + err.Error())
	}
	return s
}

// WorkshopNodes is the workshop's cluster: node1 is the kubeadm control plane,
// node2..node4 are workers.
func WorkshopNodes() []NodeSpec {
	nodes := []NodeSpec{ControlPlaneNode("node1", DefaultNodeCapacity)}
	for _, n := range []string{"node2", "node3", "node4"} {
		nodes = append(nodes, NodeSpec{Name: n, Capacity: DefaultNodeCapacity})
	}
	return nodes
}

//go:embed builtin/studies/*.yaml
var studyFS embed.FS

// BuiltinStudies lists the built-in studies over scenarios, sorted.
func BuiltinStudies() []string {
	ents, _ := studyFS.ReadDir("builtin/studies")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// BuiltinStudyYAML returns the YAML of a built-in study.
func BuiltinStudyYAML(name string) ([]byte, bool) {
	b, err := studyFS.ReadFile("builtin/studies/" + name + ".yaml")
	return b, err == nil
}

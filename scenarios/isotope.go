package scenarios

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/kubesim/kubesim/workload/isotope"
)

// AddGraph adds an isotope service graph (file path, contents data) to s:
// the Deployments and Services isotope's converter creates are applied first,
// at 0s (from a file named after the graph, NAME-isotope.yaml), and the mock
// services' behaviour and the entrypoints' load clients join s's workload. It
// returns what the graph has that is not simulated. load is the entrypoints'
// load client (isotope.DefaultLoad: isotope's example config).
func (s *Scenario) AddGraph(path string, data []byte, load isotope.Load) ([]string, error) {
	g, err := isotope.ConvertLoad(path, data, load)
	if err != nil {
		return nil, err
	}
	file := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + "-isotope.yaml"
	if s.Files == nil {
		s.Files = map[string]string{}
	}
	if _, dup := s.Files[file]; dup {
		return nil, fmt.Errorf("%s: the scenario already has a file %s", path, file)
	}
	if err := s.Workload.Merge(g.Spec); err != nil {
		return nil, err
	}
	s.Files[file] = string(g.Manifest)
	s.Steps = append([]Step{{At: 0, Command: "kubectl apply -f " + file}}, s.Steps...)
	if s.graphAlone {
		s.graphPods += g.Pods
		s.fitGraph()
	}
	return g.Notes, nil
}

// fitGraph adds workers to a graph's own cluster (GraphScenario) until its
// pods fit by the nodes' pod capacity (the mock services request no CPU or
// memory): workers node5, node6, ... as the default ones. isotope runs on a
// cluster made for the graph; a scenario's own cluster is never changed.
func (s *Scenario) fitGraph() {
	slots, workers := int64(0), 0
	for _, n := range s.Nodes {
		if !n.ControlPlane {
			slots += n.Capacity.Pods
			workers++
		}
	}
	added := 0
	for slots < int64(s.graphPods) {
		s.Nodes = append(s.Nodes, NodeSpec{Name: fmt.Sprintf("node%d", len(s.Nodes)+1), Capacity: DefaultNodeCapacity})
		slots += DefaultNodeCapacity.Pods
		added++
	}
	if added > 0 {
		s.Description = fmt.Sprintf("%s; %d workers (%d added) of %d pods each, to hold its %d pods", s.graphDescription, workers+added, added, DefaultNodeCapacity.Pods, s.graphPods)
	}
}

// GraphScenario is the scenario `kubesim run --workload GRAPH` runs when it
// is given no scenario (load: its entrypoints' load client): the default cluster for a minute, to which AddGraph
// adds the graph, and workers if its pods need them (fitGraph).
func GraphScenario(path string, load isotope.Load) (*Scenario, error) {
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	what := fmt.Sprintf("%d closed-loop users (fortio, qps max)", load.Connections)
	if load.QPS > 0 {
		what = "fortio at " + load.String() + " (paced; a slow graph lowers the rate)"
	}
	src := fmt.Sprintf("name: %q\ndescription: %q\nduration: 1m\n", name,
		fmt.Sprintf("isotope service graph %s: each entrypoint called by %s", filepath.Base(path), what))
	s, err := ParseFile(path, []byte(src))
	if err != nil {
		return nil, err
	}
	s.graphAlone, s.graphDescription = true, s.Description
	return s, nil
}

// IsGraph reports whether data is an isotope service graph.
func IsGraph(data []byte) bool { return isotope.IsGraph(data) }

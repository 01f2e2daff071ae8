package scenarios

import "github.com/kubesim/kubesim/model"

// WorkshopNodes is the workshop's cluster: node1 is the kubeadm control plane,
// node2..node4 are workers.
func WorkshopNodes() []NodeSpec {
	nodes := []NodeSpec{ControlPlaneNode("node1", DefaultNodeCapacity)}
	for _, n := range []string{"node2", "node3", "node4"} {
		nodes = append(nodes, NodeSpec{Name: n, Capacity: DefaultNodeCapacity})
	}
	return nodes
}

// dockerCoinsSetup is the workshop's deployment of DockerCoins: one Deployment
// per service, redis, rng and hasher exposed inside the cluster, webui as a
// NodePort.
func dockerCoinsSetup() []Step {
	var steps []Step
	for _, d := range []string{"redis:7", "dockercoins/hasher:v0.1", "dockercoins/rng:v0.1", "dockercoins/webui:v0.1", "dockercoins/worker:v0.1"} {
		steps = append(steps, Step{Command: "kubectl create deployment " + model.AppKind(d) + " --image=" + d})
	}
	steps = append(steps,
		Step{Command: "kubectl expose deployment redis --port 6379"},
		Step{Command: "kubectl expose deployment rng --port 80"},
		Step{Command: "kubectl expose deployment hasher --port 80"},
		Step{Command: "kubectl expose deployment webui --type=NodePort --port=80"},
	)
	return steps
}

// Default is the built-in default scenario: DockerCoins on the workshop's 4-node
// cluster, one replica of each Deployment, worker scaled 1 -> 2 -> 10.
func Default() *Scenario {
	steps := dockerCoinsSetup()
	steps = append(steps,
		Step{At: sec(60), Command: "kubectl scale deployment worker --replicas=2"},
		Step{At: sec(120), Command: "kubectl scale deployment worker --replicas=10"},
	)
	return &Scenario{
		Name:        "scale-workers",
		Description: "DockerCoins on 4 nodes; worker scaled 1 -> 2 -> 10: throughput stops at rng's 10 requests/s",
		Seed:        1,
		Duration:    sec(180),
		Nodes:       WorkshopNodes(),
		Config:      model.DefaultConfig(),
		Steps:       steps,
	}
}

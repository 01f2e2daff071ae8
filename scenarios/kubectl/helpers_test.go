package kubectl_test

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios/kubectl"
)

// The kubectl tests run steps on a cluster made here, as a scenario run makes
// it (scenarios.ControlPlaneNode, DefaultNodeCapacity), with the files a
// scenario would give.

// testCapacity is a workshop VM: 2 CPUs, 4 GiB, 110 pods.
var testCapacity = model.Resources{MilliCPU: 2000, Memory: 4 << 30, Pods: 110}

// controlPlaneNode is a kubeadm control-plane node: its labels and
// NoSchedule taint.
func controlPlaneNode(name string) (string, map[string]string, []model.Taint, model.Resources) {
	return name, map[string]string{model.LabelControlPlane: "", "node.kubernetes.io/exclude-from-external-load-balancers": ""},
		[]model.Taint{{Key: model.TaintControlPlane, Effect: model.NoSchedule}}, testCapacity
}

// newExecutor is an executor of steps on c that reads files (nil: none).
func newExecutor(c *model.Cluster, files kubectl.FileSet) *kubectl.Executor {
	return kubectl.NewExecutor(c, kubectl.Env{Files: files, NodeCapacity: testCapacity})
}

// apply runs one step on c, without files, and returns what kubectl prints.
func apply(c *model.Cluster, command string) (string, error) {
	return newExecutor(c, nil).Exec(command)
}

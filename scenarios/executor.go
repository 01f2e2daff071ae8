package scenarios

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios/kubectl"
)

// The kubectl steps of a run are the kubectl package's Executor
// (scenarios/kubectl/steps.go), made by RunWith with the run's files
// (kubectl.Files); Apply runs one step outside a run.

// Apply runs one step on a cluster that has no scenario files, and returns what
// kubectl would print, or its error.
func Apply(c *model.Cluster, command string) (string, error) {
	return kubectl.NewExecutor(c, kubectl.Env{NodeCapacity: DefaultNodeCapacity}).Exec(command)
}

// Events is the run's events that exist at its end, in creation order (none
// if the cluster recorded none).
func (r *Result) Events() []*model.Event {
	l, _ := r.Cluster.EventSink().(*model.EventLog)
	if l == nil {
		return nil
	}
	return l.Events(r.Cluster.Now())
}

// EventObject is kubectl's OBJECT of an event ("pod/web-xyz"), with its
// namespace in front outside default ("shop/pod/web-xyz").
func EventObject(e *model.Event) string { return kubectl.EventObject(e) }

package scenarios

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios/kubectl"
)

// The kubectl steps of a run are the kubectl package's Executor
// (scenarios/kubectl/steps.go); this file gives it the run's files.

// newExecutor is an executor of steps on c with the files of s (nil: none).
func newExecutor(c *model.Cluster, s *Scenario) *kubectl.Executor {
	if s == nil {
		s = &Scenario{}
	}
	return kubectl.NewExecutor(c, kubectl.Env{Files: s.files(), NodeCapacity: DefaultNodeCapacity})
}

// Apply runs one step on a cluster that has no scenario files, and returns what
// kubectl would print, or its error.
func Apply(c *model.Cluster, command string) (string, error) {
	return newExecutor(c, nil).Exec(command)
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

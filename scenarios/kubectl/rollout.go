package kubectl

// kubectl rollout restart|status|history|undo|pause|resume, through the
// rollout entry of the kinds table (kinds.go): Deployments and DaemonSets.

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// deploymentRollout is rollout of a Deployment.
var deploymentRollout = &rolloutOps{
	restart: func(c *model.Cluster, o model.Object) error { return c.RolloutRestart(o.(*model.Deployment)) },
	status: func(c *model.Cluster, o model.Object) (string, bool, error) {
		d := o.(*model.Deployment)
		st := c.DeploymentStatus(d)
		switch {
		case st.DeadlineExceeded:
			return "", false, RolloutDeadlineExceeded(d.Name)
		case st.Complete:
			return RolloutDone(d.Name), true, nil
		case st.Updated < d.Replicas:
			return RolloutWaiting(d.Name, int32(st.Updated), int32(d.Replicas)), false, nil
		case st.Replicas > st.Updated:
			return RolloutWaitingTermination(d.Name, int32(st.Replicas-st.Updated)), false, nil
		default:
			return RolloutWaitingAvailable(d.Name, int32(st.Available), int32(st.Updated)), false, nil
		}
	},
	history: func(o model.Object) ([]model.Revision, int) {
		d := o.(*model.Deployment)
		current := 0
		if rs := d.NewReplicaSet(); rs != nil {
			current = rs.Revision
		}
		return d.History(), current
	},
	undo: func(c *model.Cluster, o model.Object, rev int) error {
		return c.RolloutUndo(o.(*model.Deployment), rev)
	},
	noPrevious: func(name string) error {
		return fmt.Errorf("error: no rollout history found for deployment %q", name)
	},
	paused: func(o model.Object) bool { return o.(*model.Deployment).Paused },
	pause: func(c *model.Cluster, o model.Object, pause bool) {
		if pause {
			c.PauseDeployment(o.(*model.Deployment))
		} else {
			c.ResumeDeployment(o.(*model.Deployment))
		}
	},
}

// daemonSetRollout is rollout of a DaemonSet (which cannot be paused).
var daemonSetRollout = &rolloutOps{
	restart: func(c *model.Cluster, o model.Object) error {
		ds := o.(*model.DaemonSet)
		spec := model.DaemonSetSpec{Name: ds.Name, Selector: ds.Selector, Template: ds.Template, Strategy: ds.Strategy, MinReadySeconds: ds.MinReadySeconds}
		ann := map[string]string{}
		for k, v := range spec.Template.Annotations {
			ann[k] = v
		}
		ann[model.AnnotationRestartedAt] = c.WallClock(c.Now()).Format(time.RFC3339)
		spec.Template.Annotations = ann
		return c.UpdateDaemonSet(ds, spec)
	},
	status: func(c *model.Cluster, o model.Object) (string, bool, error) {
		ds := o.(*model.DaemonSet)
		desired, updated := 0, 0
		for _, p := range ds.Pods() {
			if p.Terminating {
				continue
			}
			desired++
			if p.Ready && p.Labels[model.LabelControllerRevHash] == ds.Hash() {
				updated++
			}
		}
		if updated >= desired {
			return DaemonSetRolloutDone(ds.Name), true, nil
		}
		return DaemonSetRolloutWaiting(ds.Name, int32(updated), int32(desired)), false, nil
	},
	history: func(o model.Object) ([]model.Revision, int) {
		ds := o.(*model.DaemonSet)
		return ds.History(), ds.CurrentRevision()
	},
	undo: func(c *model.Cluster, o model.Object, rev int) error {
		return c.RolloutUndoDaemonSet(o.(*model.DaemonSet), rev)
	},
	noPrevious: func(string) error { return errors.New("error: no last revision to roll back to") },
}

// rollout runs rollout restart and rollout status.
func (x *Executor) rollout(cmd Command) (string, error) {
	t := cmd.Targets[0]
	if !x.exists(t) {
		return "", NotFound(t.Resource, t.Name)
	}
	ops := resources[t.Resource].rollout
	if ops == nil {
		return "", RestartNotSupported(t.Resource, t.Name)
	}
	o := x.object(t)
	if cmd.Verb == RolloutRestart {
		if err := ops.restart(x.c, o); err != nil {
			return "", err
		}
		return Done(t.Resource, t.Name, "restarted"), nil
	}
	line, done, err := ops.status(x.c, o)
	if err != nil {
		return "", err
	}
	if !done && cmd.Watch && x.later != nil {
		x.watchRollout(cmd, t, o, line)
	}
	return line, nil
}

// rolloutPoll is how often a watching rollout status looks again, beside
// every pod change: what changes with time alone (a pod available after
// minReadySeconds, the progress deadline) is seen within it.
const rolloutPoll = time.Second

// rolloutWatch is one rollout status waiting for its rollout, as kubectl's
// watch of the object does (--watch, its default): it prints the status
// each time it changes (kubectl prints it at each change of the object,
// so a line may repeat there; here it does not), and ends when the rollout
// is done, with the progress deadline's error, when the object is deleted
// or at --timeout.
type rolloutWatch struct {
	x        *Executor
	line     string // the step
	t        Target
	ns       string
	o        model.Object
	last     string
	deadline sim.Time // --timeout's end (0: none)
	ended    bool
}

// rolloutWatcher follows the cluster's pods for the executor's watches.
type rolloutWatcher struct {
	model.NopObserver
	x       *Executor
	watches []*rolloutWatch
	pending bool
}

// PodChanged looks at the watched rollouts once the cluster's current event
// is done (a pod's change may be one of several at that instant).
func (w *rolloutWatcher) PodChanged(*model.Pod) {
	if len(w.watches) == 0 || w.pending {
		return
	}
	w.pending = true
	w.x.c.E.After(0, sim.HandlerFunc(func(*sim.Engine, int64) {
		w.pending = false
		w.checkAll()
	}), 0)
}

func (w *rolloutWatcher) checkAll() {
	kept := w.watches[:0]
	for _, r := range w.watches {
		if r.check(); !r.ended {
			kept = append(kept, r)
		}
	}
	clear(w.watches[len(kept):])
	w.watches = kept
}

// watchRollout starts rollout status's wait for the object t names, whose
// status now is first.
func (x *Executor) watchRollout(cmd Command, t Target, o model.Object, first string) {
	if x.rollouts == nil {
		x.rollouts = &rolloutWatcher{x: x}
		x.c.Observe(x.rollouts)
	}
	r := &rolloutWatch{x: x, line: cmd.Line, t: t, ns: x.ns, o: o, last: first}
	if cmd.Timeout > 0 {
		r.deadline = x.c.Now() + cmd.Timeout
		x.c.E.At(r.deadline, sim.HandlerFunc(func(*sim.Engine, int64) { r.check() }), 0)
	}
	x.rollouts.watches = append(x.rollouts.watches, r)
	var poll func(*sim.Engine, int64)
	poll = func(*sim.Engine, int64) {
		if r.check(); !r.ended {
			x.c.E.After(rolloutPoll, sim.HandlerFunc(poll), 0)
		}
	}
	x.c.E.After(rolloutPoll, sim.HandlerFunc(poll), 0)
}

// check prints the rollout's status if it changed, and ends the watch when
// kubectl's would end.
func (r *rolloutWatch) check() {
	if r.ended {
		return
	}
	c := r.x.c
	end := func(out string) {
		r.ended = true
		r.x.later(r.line, out)
	}
	if r.t.Resource.Object(c, r.ns, r.t.Name) != r.o {
		end("error: object has been deleted")
		return
	}
	line, done, err := resources[r.t.Resource].rollout.status(c, r.o)
	switch {
	case err != nil:
		end(err.Error())
	case done:
		end(line)
	case r.deadline > 0 && c.Now() >= r.deadline:
		end(WaitTimedOut().Error())
	case line != r.last:
		r.last = line
		r.x.later(r.line, line)
	}
}

// rolloutHistory runs rollout history, undo, pause and resume on one
// Deployment or DaemonSet, worded as kubectl does.
func (x *Executor) rolloutHistory(cmd Command) (string, error) {
	t := cmd.Targets[0]
	if t.Name == "" || len(cmd.Targets) > 1 {
		return "", fmt.Errorf("error: kubesim runs rollout %s on one named object, e.g. deployment/web", strings.TrimPrefix(string(cmd.Verb), "rollout "))
	}
	if !x.exists(t) {
		return "", NotFound(t.Resource, t.Name)
	}
	c := x.c
	ops := resources[t.Resource].rollout // parse admits only the kinds that have one
	o := x.object(t)
	history, current := ops.history(o)
	ref := t.Resource.Ref(t.Name)
	find := func(rev int) (model.Revision, bool) {
		for _, r := range history {
			if r.Revision == rev {
				return r, true
			}
		}
		return model.Revision{}, false
	}
	switch cmd.Verb {
	case RolloutPause, RolloutResume:
		switch paused := ops.paused(o); {
		case cmd.Verb == RolloutPause && paused:
			return "", fmt.Errorf("error: %s %q is already paused", t.Resource.Qualified(), t.Name)
		case cmd.Verb == RolloutResume && !paused:
			return "", fmt.Errorf("error: %s %q is not paused", t.Resource.Qualified(), t.Name)
		case cmd.Verb == RolloutPause:
			ops.pause(c, o, true)
			return ref + " paused", nil
		}
		ops.pause(c, o, false)
		return ref + " resumed", nil
	case RolloutHistory:
		if len(history) == 0 {
			return ref + " \nNo rollout history found.", nil
		}
		if cmd.Revision > 0 {
			r, ok := find(int(cmd.Revision))
			if !ok {
				return "", errors.New("error: unable to find the specified revision")
			}
			var b strings.Builder
			p := &printer{c: c, now: c.Now(), ns: defaultNamespace}
			w := NewDescribeWriter(&b)
			p.describeTemplate(w, r.Template)
			w.tw.Flush()
			return fmt.Sprintf("%s with revision #%d\n%s", ref, cmd.Revision, strings.TrimSuffix(b.String(), "\n")), nil
		}
		var b strings.Builder
		tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
		fmt.Fprintf(tw, "REVISION\tCHANGE-CAUSE\n")
		for _, r := range history {
			cause := r.ChangeCause
			if cause == "" {
				cause = "<none>"
			}
			fmt.Fprintf(tw, "%d\t%s\n", r.Revision, cause)
		}
		tw.Flush()
		return ref + " \n" + strings.TrimSuffix(b.String(), "\n"), nil
	}
	// undo
	if ops.paused != nil && ops.paused(o) {
		return "", errors.New("error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again")
	}
	rev := int(cmd.Revision)
	if rev == 0 {
		// The previous revision: the highest below the current one.
		for _, r := range history {
			if r.Revision < current && r.Revision > rev {
				rev = r.Revision
			}
		}
		if rev == 0 {
			return "", ops.noPrevious(t.Name)
		}
	}
	if _, ok := find(rev); !ok {
		return "", fmt.Errorf("error: unable to find specified revision %d in history", rev)
	}
	if rev == current {
		return fmt.Sprintf("%s skipped rollback (current template already matches revision %d)", ref, rev), nil
	}
	if err := ops.undo(c, o, rev); err != nil {
		return "", fmt.Errorf("error: %v", err)
	}
	return ref + " rolled back", nil
}

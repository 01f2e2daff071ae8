package model

import "fmt"

// This file holds the rollout history and pause of Deployments and DaemonSets
// (kubectl rollout history, undo, pause, resume).

// PauseDeployment sets spec.paused (kubectl rollout pause).
func (c *Cluster) PauseDeployment(d *Deployment) {
	if !d.Paused {
		c.bumpGeneration(&d.ObjectMeta)
	}
	d.Paused = true
	c.enqueueDeployment(d)
}

// ResumeDeployment clears spec.paused (kubectl rollout resume): a template
// changed while paused is rolled out now.
func (c *Cluster) ResumeDeployment(d *Deployment) {
	if d.Paused {
		c.bumpGeneration(&d.ObjectMeta)
	}
	d.Paused = false
	c.enqueueDeployment(d)
}

// Revision is one entry of a rollout history: its revision number and pod
// template.
type Revision struct {
	Revision int
	Template PodTemplate
	// ChangeCause is the revision's kubernetes.io/change-cause annotation
	// (rollout history's CHANGE-CAUSE), "" when it has none.
	ChangeCause string
}

// AnnotationChangeCause is what kubectl rollout history prints as a
// revision's CHANGE-CAUSE.
const AnnotationChangeCause = "kubernetes.io/change-cause"

// History returns the Deployment's revisions (its ReplicaSets'
// deployment.kubernetes.io/revision), oldest first.
func (d *Deployment) History() []Revision {
	var out []Revision
	for _, rs := range d.rs {
		if rs.Revision > 0 {
			out = append(out, Revision{rs.Revision, rs.Template.clone(), rs.Annotations[AnnotationChangeCause]})
		}
	}
	sortRevisions(out)
	return out
}

// DaemonSetRevision is one of a DaemonSet's ControllerRevisions.
type DaemonSetRevision struct {
	Revision int
	Hash     string
	Template PodTemplate
	// ChangeCause is the DaemonSet's kubernetes.io/change-cause when the
	// revision was made.
	ChangeCause string
}

// daemonSetHistoryLimit is revisionHistoryLimit's default: the
// ControllerRevisions kept besides the current one.
const daemonSetHistoryLimit = 10

// recordRevision is the DaemonSet controller's ControllerRevision bookkeeping
// for a new template: a template seen before gets the next revision number
// again, a new one a new revision; the oldest beyond the history limit go.
func (ds *DaemonSet) recordRevision() {
	top := 0
	for _, r := range ds.history {
		top = max(top, r.Revision)
	}
	for i, r := range ds.history {
		if r.Hash == ds.hash {
			if r.Revision != top {
				ds.history[i].Revision = top + 1
			}
			sortDSRevisions(ds.history)
			return
		}
	}
	// The ControllerRevision takes the DaemonSet's annotations when it is
	// made (the controller's snapshot), and keeps them.
	ds.history = append(ds.history, DaemonSetRevision{Revision: top + 1, Hash: ds.hash, Template: ds.Template.clone(),
		ChangeCause: ds.Annotations[AnnotationChangeCause]})
	ds.trimHistory()
}

// trimHistory drops the oldest revisions beyond the current one and
// RevisionHistoryLimit others (the controller's cleanupHistory).
func (ds *DaemonSet) trimHistory() {
	cur := -1
	for i, r := range ds.history {
		if r.Hash == ds.hash {
			cur = i
		}
	}
	extra := len(ds.history) - ds.RevisionHistoryLimit
	if cur >= 0 {
		extra--
	}
	var kept []DaemonSetRevision
	for i, r := range ds.history {
		if extra > 0 && i != cur {
			extra--
			continue
		}
		kept = append(kept, r)
	}
	ds.history = kept
}

// History returns the DaemonSet's revisions, oldest first.
func (ds *DaemonSet) History() []Revision {
	out := make([]Revision, len(ds.history))
	for i, r := range ds.history {
		out[i] = Revision{Revision: r.Revision, Template: r.Template.clone(), ChangeCause: r.ChangeCause}
	}
	return out
}

// CurrentRevision is the revision number of the DaemonSet's template.
func (ds *DaemonSet) CurrentRevision() int {
	for _, r := range ds.history {
		if r.Hash == ds.hash {
			return r.Revision
		}
	}
	return 0
}

// RolloutUndoDaemonSet makes the template of the given revision the
// DaemonSet's again (kubectl rollout undo daemonset --to-revision).
func (c *Cluster) RolloutUndoDaemonSet(ds *DaemonSet, revision int) error {
	for _, r := range ds.history {
		if r.Revision == revision {
			s := DaemonSetSpec{Name: ds.Name, Selector: ds.Selector, Template: r.Template.clone(),
				Strategy: ds.Strategy, MinReadySeconds: ds.MinReadySeconds}
			return c.UpdateDaemonSet(ds, s)
		}
	}
	return fmt.Errorf("unable to find specified revision %d in history", revision)
}

func sortRevisions(rs []Revision) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Revision < rs[j-1].Revision; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

func sortDSRevisions(rs []DaemonSetRevision) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Revision < rs[j-1].Revision; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

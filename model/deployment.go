package model

import (
	"fmt"
	"maps"
	"math"
	"sort"
	"time"

	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/sim"
)

// Deployment strategy types.
const (
	RollingUpdate = "RollingUpdate"
	Recreate      = "Recreate"
	OnDelete      = "OnDelete" // DaemonSet only
)

// DeploymentStrategy is spec.strategy. Nil MaxSurge / MaxUnavailable default to
// 25% (surge rounded up, unavailable rounded down).
type DeploymentStrategy struct {
	Type           string // RollingUpdate (default) or Recreate
	MaxSurge       *IntOrPercent
	MaxUnavailable *IntOrPercent
}

// Deployment is an apps/v1 Deployment: it manages ReplicaSets, one per pod
// template (told apart by pod-template-hash), and rolls pods from the old ones
// to the new one.
type Deployment struct {
	// ObjectMeta's labels are the Deployment's own (metadata.labels), not
	// its pod template's.
	ObjectMeta
	// Selector is the equality part of the label selector (kubectl expose uses it).
	Selector map[string]string
	// LabelSelector is the full selector.
	LabelSelector *labels.Selector
	Template      PodTemplate
	Replicas      int
	Strategy      DeploymentStrategy
	// RevisionHistoryLimit is how many old ReplicaSets with no replicas are kept.
	RevisionHistoryLimit int
	MinReadySeconds      sim.Time
	// ProgressDeadline is progressDeadlineSeconds (default 600 s).
	ProgressDeadline sim.Time
	// Paused is spec.paused (kubectl rollout pause): the controller scales but
	// does not roll out a changed template until resumed.
	Paused  bool
	Deleted bool
	// CollisionCount is status.collisionCount: how many times the
	// controller found the name of its new ReplicaSet taken by one with
	// another template (a ReplicaSet whose template was patched); it goes
	// into the pod-template-hash.
	CollisionCount int32

	hash string
	// last observed progress of the rollout, for the progress deadline
	lastProgress  sim.Time
	progressRev   int              // the new ReplicaSet's revision at the last sync
	progressState DeploymentStatus // the status at the last sync
	rs            []*ReplicaSet    // owned, in creation order
	syncPending   bool
}

// DeploymentSpec is what CreateDeploymentSpec needs.
type DeploymentSpec struct {
	Name      string
	Namespace string // "": default
	// Labels and Annotations are the Deployment's metadata.
	Labels, Annotations map[string]string
	// Replicas nil means 1.
	Replicas *int
	// Selector nil means the template labels (as kubectl create deployment does).
	Selector *labels.Selector
	Template PodTemplate
	Strategy DeploymentStrategy
	// RevisionHistoryLimit nil means 10.
	RevisionHistoryLimit *int
	MinReadySeconds      sim.Time
	// ProgressDeadline 0 means 600 s.
	ProgressDeadline sim.Time
}

// ReplicaSets returns the Deployment's ReplicaSets, oldest first.
func (d *Deployment) ReplicaSets() []*ReplicaSet { return append([]*ReplicaSet(nil), d.rs...) }

// NewReplicaSet returns the ReplicaSet of the current template, or nil.
func (d *Deployment) NewReplicaSet() *ReplicaSet {
	for _, rs := range d.rs {
		if rs.hash == d.hash {
			return rs
		}
	}
	return nil
}

func (s DeploymentStrategy) validate(name string) error {
	switch s.Type {
	case RollingUpdate:
		surge, unav := s.MaxSurge, s.MaxUnavailable
		for _, v := range []struct {
			f string
			v *IntOrPercent
		}{{"maxSurge", surge}, {"maxUnavailable", unav}} {
			if v.v != nil && v.v.Value < 0 {
				return fmt.Errorf("deployment %q: spec.strategy.rollingUpdate.%s: Invalid value: %s: must be greater than or equal to 0", name, v.f, v.v)
			}
		}
		if unav != nil && unav.Percent && unav.Value > 100 {
			return fmt.Errorf("deployment %q: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: %s: must not be greater than 100%%", name, unav)
		}
		if surge != nil && unav != nil && surge.Value == 0 && unav.Value == 0 {
			return fmt.Errorf("deployment %q: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0", name)
		}
	case Recreate:
		if s.MaxSurge != nil || s.MaxUnavailable != nil {
			return fmt.Errorf("deployment %q: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'", name)
		}
	default:
		return fmt.Errorf("deployment %q: spec.strategy.type: Unsupported value: %q: supported values: \"Recreate\", \"RollingUpdate\"", name, s.Type)
	}
	return nil
}

func (s DeploymentStrategy) withDefaults() DeploymentStrategy {
	if s.Type == "" {
		s.Type = RollingUpdate
	}
	if s.Type == RollingUpdate {
		if s.MaxSurge == nil {
			s.MaxSurge = Percent(25)
		}
		if s.MaxUnavailable == nil {
			s.MaxUnavailable = Percent(25)
		}
	}
	return s
}

// CreateDeployment creates a Deployment as `kubectl create deployment` does:
// selector and template labels are labels.
func (c *Cluster) CreateDeployment(name string, lbls map[string]string, spec PodSpec, replicas int) (*Deployment, error) {
	return c.CreateDeploymentSpec(DeploymentSpec{Name: name, Labels: lbls, Replicas: &replicas,
		Template: PodTemplate{Labels: lbls, Spec: spec}})
}

// CreateDeploymentSpec creates a Deployment from a full spec (kubectl apply).
func (c *Cluster) CreateDeploymentSpec(s DeploymentSpec) (*Deployment, error) {
	replicas := 1
	if s.Replicas != nil {
		replicas = *s.Replicas
	}
	if replicas < 0 {
		return nil, fmt.Errorf("deployment %q: spec.replicas: Invalid value: %d: must be greater than or equal to 0", s.Name, replicas)
	}
	sel := s.Selector
	if sel == nil {
		if len(s.Template.Labels) == 0 {
			return nil, fmt.Errorf("deployment %q: spec.selector: Required value (or give the template labels)", s.Name)
		}
		sel = labels.SelectorFromMap(s.Template.Labels)
	}
	if err := validateTemplate("Deployment", s.Name, sel, s.Template); err != nil {
		return nil, err
	}
	strat := s.Strategy.withDefaults()
	if err := strat.validate(s.Name); err != nil {
		return nil, err
	}
	ns := orDefault(s.Namespace)
	if err := c.canCreateIn(ns); err != nil {
		return nil, err
	}
	if c.DeploymentIn(ns, s.Name) != nil {
		return nil, fmt.Errorf(`deployments.apps %q already exists`, s.Name)
	}
	hist := 10
	if s.RevisionHistoryLimit != nil {
		if *s.RevisionHistoryLimit < 0 {
			return nil, fmt.Errorf("deployment %q: spec.revisionHistoryLimit: must be greater than or equal to 0", s.Name)
		}
		hist = *s.RevisionHistoryLimit
	}
	eq := map[string]string{}
	for _, r := range sel.Requirements() {
		if v, ok := sel.RequiresExactMatch(r.Key); ok {
			eq[r.Key] = v
		}
	}
	deadline := s.ProgressDeadline
	if deadline == 0 {
		deadline = 600 * time.Second
	}
	if deadline < 0 || s.MinReadySeconds < 0 || deadline <= s.MinReadySeconds {
		return nil, fmt.Errorf("deployment %q: spec.progressDeadlineSeconds (%v) must be positive and greater than minReadySeconds (%v)", s.Name, deadline, s.MinReadySeconds)
	}
	d := &Deployment{ObjectMeta: c.newMeta(s.Name, ns, s.Labels, s.Annotations), Selector: eq, LabelSelector: sel, Template: s.Template.clone(),
		Replicas: replicas, Strategy: strat, RevisionHistoryLimit: hist, MinReadySeconds: s.MinReadySeconds,
		ProgressDeadline: deadline, lastProgress: c.Now()}
	d.hash = computeHash(d.Template)
	c.deployments = append(c.deployments, d)
	c.deployByNm[nsName{d.Namespace, d.Name}] = d
	// Adopt orphaned ReplicaSets whose labels match (left by a
	// `kubectl delete deployment --cascade=orphan`).
	for _, rs := range c.replicasets {
		if !rs.Deleted && rs.Owner == nil && rs.Namespace == d.Namespace && rs.hash != "" && sel.MatchesMap(rs.Template.Labels) {
			rs.Owner = &OwnerRef{Kind: "Deployment", Name: d.Name}
			rs.deploy = d
			rs.desired = d.Replicas
			d.rs = append(d.rs, rs)
		}
	}
	c.enqueueDeployment(d)
	return d, nil
}

// ScaleDeployment sets the Deployment's replicas (kubectl scale).
func (c *Cluster) ScaleDeployment(d *Deployment, replicas int) error {
	if replicas < 0 {
		return fmt.Errorf("deployment %q: replicas must be >= 0, got %d", d.Name, replicas)
	}
	if d.Deleted {
		return fmt.Errorf(`deployments.apps %q not found`, d.Name)
	}
	if d.Replicas != replicas {
		c.bumpGeneration(&d.ObjectMeta)
	}
	d.Replicas = replicas
	c.enqueueDeployment(d)
	return nil
}

// UpdateDeployment replaces the pod template (kubectl apply, set image, edit).
// A changed template starts a rollout with the Deployment's strategy; the
// selector is immutable.
func (c *Cluster) UpdateDeployment(d *Deployment, t PodTemplate) error {
	if d.Deleted {
		return fmt.Errorf(`deployments.apps %q not found`, d.Name)
	}
	if err := validateTemplate("Deployment", d.Name, d.LabelSelector, t); err != nil {
		return err
	}
	if c.SameTemplate(t, d.Template) {
		return nil // the same template once defaulted: no rollout
	}
	d.Template = t.clone()
	h := computeHashCollision(d.Template, d.CollisionCount)
	// The new ReplicaSet is the one whose template equals the Deployment's
	// (FindNewReplicaSet: EqualIgnoreHash), whichever form it was given in.
	for _, rs := range d.rs {
		if !rs.Deleted && c.SameTemplate(rs.Template, d.Template) {
			h = rs.hash
			break
		}
	}
	if h != d.hash {
		d.hash = h
		c.bumpGeneration(&d.ObjectMeta)
	}
	c.enqueueDeployment(d)
	return nil
}

// SetDeploymentStrategy replaces spec.strategy.
func (c *Cluster) SetDeploymentStrategy(d *Deployment, s DeploymentStrategy) error {
	s = s.withDefaults()
	if err := s.validate(d.Name); err != nil {
		return err
	}
	if strategyKey(d.Strategy.Type, d.Strategy.MaxSurge, d.Strategy.MaxUnavailable) != strategyKey(s.Type, s.MaxSurge, s.MaxUnavailable) {
		c.bumpGeneration(&d.ObjectMeta)
	}
	d.Strategy = s
	c.enqueueDeployment(d)
	return nil
}

// DeploymentParams are the fields of a Deployment's spec besides replicas,
// selector, template and strategy.
type DeploymentParams struct {
	MinReadySeconds sim.Time
	// ProgressDeadline 0 means 600 s.
	ProgressDeadline     sim.Time
	RevisionHistoryLimit int
	Paused               bool
}

// SetDeploymentParams sets spec.minReadySeconds, progressDeadlineSeconds,
// revisionHistoryLimit and paused (kubectl apply, patch, edit), validated as
// the API server does. The new ReplicaSet takes the new minReadySeconds (old
// ones keep theirs, as in Kubernetes); a lower history limit cleans up old
// ReplicaSets at the next sync.
func (c *Cluster) SetDeploymentParams(d *Deployment, p DeploymentParams) error {
	if d.Deleted {
		return fmt.Errorf(`deployments.apps %q not found`, d.Name)
	}
	if p.ProgressDeadline == 0 {
		p.ProgressDeadline = 600 * time.Second
	}
	if p.RevisionHistoryLimit < 0 {
		return fmt.Errorf("deployment %q: spec.revisionHistoryLimit: must be greater than or equal to 0", d.Name)
	}
	if p.ProgressDeadline < 0 || p.MinReadySeconds < 0 || p.ProgressDeadline <= p.MinReadySeconds {
		return fmt.Errorf("deployment %q: spec.progressDeadlineSeconds (%v) must be positive and greater than minReadySeconds (%v)", d.Name, p.ProgressDeadline, p.MinReadySeconds)
	}
	if p.Paused != d.Paused {
		if p.Paused {
			c.PauseDeployment(d)
		} else {
			c.ResumeDeployment(d)
		}
	}
	if p.MinReadySeconds == d.MinReadySeconds && p.ProgressDeadline == d.ProgressDeadline && p.RevisionHistoryLimit == d.RevisionHistoryLimit {
		return nil
	}
	c.bumpGeneration(&d.ObjectMeta)
	d.MinReadySeconds, d.ProgressDeadline, d.RevisionHistoryLimit = p.MinReadySeconds, p.ProgressDeadline, p.RevisionHistoryLimit
	if rs := d.NewReplicaSet(); rs != nil {
		rs.MinReadySeconds = d.MinReadySeconds
		c.enqueueReplicaSet(rs)
	}
	c.enqueueDeployment(d)
	return nil
}

// Params returns the Deployment's DeploymentParams.
func (d *Deployment) Params() DeploymentParams {
	return DeploymentParams{MinReadySeconds: d.MinReadySeconds, ProgressDeadline: d.ProgressDeadline,
		RevisionHistoryLimit: d.RevisionHistoryLimit, Paused: d.Paused}
}

// SetImage is kubectl set image: the template's image changes.
func (c *Cluster) SetImage(d *Deployment, image string) error {
	t := d.Template.clone()
	t.Spec.Image = image
	return c.UpdateDeployment(d, t)
}

// RolloutRestart is kubectl rollout restart: the template gets a
// kubectl.kubernetes.io/restartedAt annotation, so every pod is replaced.
func (c *Cluster) RolloutRestart(d *Deployment) error {
	t := d.Template.clone()
	if t.Annotations == nil {
		t.Annotations = map[string]string{}
	}
	t.Annotations[AnnotationRestartedAt] = c.WallClock(c.Now()).Format(time.RFC3339)
	return c.UpdateDeployment(d, t)
}

// RolloutUndo is kubectl rollout undo: the template of the given revision (0:
// the previous one) becomes the Deployment's template again, and is rolled out.
func (c *Cluster) RolloutUndo(d *Deployment, revision int) error {
	cur := d.NewReplicaSet()
	var target *ReplicaSet
	for _, rs := range d.rs {
		switch {
		case rs == cur:
		case revision == 0 && (cur == nil || rs.Revision < cur.Revision):
			if target == nil || rs.Revision > target.Revision {
				target = rs
			}
		case revision != 0 && rs.Revision == revision:
			target = rs
		}
	}
	if target == nil {
		if revision == 0 {
			return fmt.Errorf("deployment %q: no rollout history found", d.Name)
		}
		return fmt.Errorf("deployment %q: unable to find specified revision %d in history", d.Name, revision)
	}
	t := target.Template.clone()
	delete(t.Labels, LabelPodTemplateHash)
	if err := c.UpdateDeployment(d, t); err != nil {
		return err
	}
	// kubectl's rollback patches the annotations too: the Deployment keeps
	// its own of replicaSetOnlyAnnotations and takes the revision's others
	// (its change-cause among them).
	ann := map[string]string{}
	for k, v := range d.Annotations {
		if replicaSetOnlyAnnotations[k] {
			ann[k] = v
		}
	}
	for k, v := range target.Annotations {
		if !replicaSetOnlyAnnotations[k] {
			ann[k] = v
		}
	}
	if !maps.Equal(ann, d.Annotations) {
		c.SetAnnotations(d, ann)
	}
	return nil
}

// DeleteDeployment deletes d. With cascade its ReplicaSets and their pods go
// too (background propagation); without, they are orphaned.
func (c *Cluster) DeleteDeployment(d *Deployment, cascade bool) {
	if d.Deleted {
		return
	}
	d.Deleted = true
	for _, rs := range append([]*ReplicaSet(nil), d.rs...) {
		if cascade {
			c.DeleteReplicaSet(rs, true)
		} else {
			rs.deploy, rs.Owner = nil, nil
		}
	}
	d.rs = nil
}

// DeploymentStatus is what kubectl rollout status and get deploy show.
type DeploymentStatus struct {
	Replicas, Updated, Ready, Available, Unavailable int
	// Complete is the rollout done: every replica updated and available, and no
	// old pod left.
	Complete bool
	// DeadlineExceeded is the Progressing condition's ProgressDeadlineExceeded:
	// the rollout made no progress for ProgressDeadline (kubectl rollout status
	// fails with "exceeded its progress deadline").
	DeadlineExceeded bool
}

// Status computes the Deployment's status from its ReplicaSets.
func (c *Cluster) DeploymentStatus(d *Deployment) DeploymentStatus {
	var st DeploymentStatus
	now := c.Now()
	newRS := d.NewReplicaSet()
	for _, rs := range d.rs {
		s := rs.Status(now)
		st.Replicas += s.Current
		st.Ready += s.Ready
		st.Available += s.Available
		if rs == newRS {
			st.Updated = s.Current
		}
	}
	st.Unavailable = max(d.Replicas-st.Available, 0)
	st.Complete = st.Updated == d.Replicas && st.Replicas == d.Replicas && st.Available == d.Replicas
	st.DeadlineExceeded = !st.Complete && now-d.lastProgress > d.ProgressDeadline
	return st
}

// observeProgress records when the rollout last progressed: a new ReplicaSet,
// or progress as DeploymentProgressing counts it.
func (c *Cluster) observeProgress(d *Deployment) {
	rev := 0
	if newRS := d.NewReplicaSet(); newRS != nil {
		rev = newRS.Revision
	}
	st := c.DeploymentStatus(d)
	if rev != d.progressRev || deploymentProgressing(d.progressState, st) {
		d.lastProgress = c.Now()
	}
	d.progressRev, d.progressState = rev, st
}

// deploymentProgressing is Kubernetes' DeploymentProgressing: against the
// status at the previous sync, more updated pods, fewer old pods (pods not
// updated), more ready or more available pods.
func deploymentProgressing(prev, cur DeploymentStatus) bool {
	return cur.Updated > prev.Updated ||
		cur.Replicas-cur.Updated < prev.Replicas-prev.Updated ||
		cur.Ready > prev.Ready ||
		cur.Available > prev.Available
}

func (c *Cluster) enqueueDeployment(d *Deployment) {
	if d.syncPending || d.Deleted {
		return
	}
	d.syncPending = true
	c.E.After(c.d.controllerSync.Sample(), sim.HandlerFunc(func(*sim.Engine, int64) {
		d.syncPending = false
		c.syncDeployment(d)
	}), 0)
}

// resolve returns maxSurge and maxUnavailable for the current replicas, as
// ResolveFenceposts does: surge rounded up, unavailable down, and unavailable 1
// if both come out 0.
func (d *Deployment) resolve() (surge, unavailable int) {
	if d.Strategy.Type != RollingUpdate {
		return 0, 0
	}
	surge = d.Strategy.MaxSurge.scaled(d.Replicas, true)
	unavailable = d.Strategy.MaxUnavailable.scaled(d.Replicas, false)
	if surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	return surge, unavailable
}

// maxUnavailable is deploymentutil.MaxUnavailable: 0 for Recreate or no
// replicas, else the resolved maxUnavailable clamped to the replicas.
func (d *Deployment) maxUnavailable() int {
	if d.Strategy.Type != RollingUpdate || d.Replicas == 0 {
		return 0
	}
	_, unavailable := d.resolve()
	return min(unavailable, d.Replicas)
}

func (c *Cluster) setRSReplicas(d *Deployment, rs *ReplicaSet, n int) bool {
	surge, _ := d.resolve()
	changed := rs.Replicas != n
	if changed {
		c.eventScaled(d, rs, rs.Replicas, n)
	}
	rs.Replicas = n
	rs.desired, rs.maxReplicas = d.Replicas, d.Replicas+surge
	if changed {
		c.enqueueReplicaSet(rs)
	}
	return changed
}

// syncDeployment is the Deployment controller's reconcile.
func (c *Cluster) syncDeployment(d *Deployment) {
	if d.Deleted {
		return
	}
	newRS := d.NewReplicaSet()
	var old []*ReplicaSet
	for _, rs := range d.rs {
		if rs != newRS {
			old = append(old, rs)
		}
	}
	if newRS != nil {
		// The new ReplicaSet takes the Deployment's minReadySeconds
		// (getNewReplicaSet updates it when it differs).
		newRS.MinReadySeconds = d.MinReadySeconds
		// A template seen before (rollback): its ReplicaSet becomes the newest
		// revision.
		top := 0
		for _, rs := range old {
			top = max(top, rs.Revision)
		}
		if newRS.Revision <= top {
			newRS.Revision = top + 1
		}
		if copyDeploymentAnnotations(d, newRS) {
			c.touch(&newRS.ObjectMeta)
		}
	}
	if d.Paused {
		// A paused Deployment is only scaled (the controller's sync), its
		// history cleaned up; a changed template waits for resume.
		c.scaleDeployment(d, newRS, old)
		c.cleanupDeployment(d)
		return
	}
	switch {
	case c.isScalingEvent(d):
		c.scaleDeployment(d, newRS, old)
	default:
		if d.Strategy.Type == Recreate {
			c.rolloutRecreate(d, newRS, old)
		} else {
			c.rolloutRolling(d, newRS, old)
		}
		// Old ReplicaSets are cleaned up once the rollout is complete.
		if c.DeploymentStatus(d).Complete {
			c.cleanupDeployment(d)
		}
	}
	c.observeProgress(d)
}

// isScalingEvent: some active ReplicaSet was sized for another replica count.
func (c *Cluster) isScalingEvent(d *Deployment) bool {
	for _, rs := range d.rs {
		if rs.Replicas > 0 && rs.desired != d.Replicas {
			return true
		}
	}
	return false
}

func (c *Cluster) createNewRS(d *Deployment, old []*ReplicaSet, replicas int) *ReplicaSet {
	t := d.Template.clone()
	if t.Labels == nil {
		t.Labels = map[string]string{}
	}
	t.Labels[LabelPodTemplateHash] = d.hash
	req, _ := labels.NewRequirement(LabelPodTemplateHash, labels.Equals, []string{d.hash})
	sel, _ := labels.NewSelector(append(d.LabelSelector.Requirements(), req)...)
	rev := 1
	for _, rs := range old {
		rev = max(rev, rs.Revision+1)
	}
	name := replicaSetName(d.Name, d.hash)
	if c.ReplicaSetIn(d.Namespace, name) != nil {
		// A hash collision with a ReplicaSet we do not own: Kubernetes bumps
		// collisionCount; we add a suffix.
		name += "-" + c.randSuffix(3)
	}
	rs := &ReplicaSet{ObjectMeta: ObjectMeta{Name: name, Namespace: d.Namespace, Labels: copyLabels(t.Labels),
		Owner: &OwnerRef{Kind: "Deployment", Name: d.Name}}, Selector: sel, Template: t, MinReadySeconds: d.MinReadySeconds,
		Revision: rev, deploy: d, hash: d.hash}
	copyDeploymentAnnotations(d, rs)
	c.setRSReplicas(d, rs, replicas)
	d.rs = append(d.rs, rs)
	c.addReplicaSet(rs)
	return rs
}

// replicaSetOnlyAnnotations are the annotations the Deployment controller
// does not copy from a Deployment to its ReplicaSets, and kubectl rollout undo
// does not copy back (deployment/util's skipCopyAnnotation, kubectl's
// annotationsToSkip).
var replicaSetOnlyAnnotations = map[string]bool{
	"kubectl.kubernetes.io/last-applied-configuration": true,
	"deployment.kubernetes.io/revision":                true,
	"deployment.kubernetes.io/revision-history":        true,
	"deployment.kubernetes.io/desired-replicas":        true,
	"deployment.kubernetes.io/max-replicas":            true,
	"deprecated.deployment.rollback.to":                true,
}

// copyDeploymentAnnotations is the controller's
// copyDeploymentAnnotationsToReplicaSet for the new ReplicaSet: the
// Deployment's annotations (kubernetes.io/change-cause, ...) are set on it,
// added or overwritten, never removed; it says whether any changed.
func copyDeploymentAnnotations(d *Deployment, rs *ReplicaSet) bool {
	changed := false
	for k, v := range d.Annotations {
		if replicaSetOnlyAnnotations[k] {
			continue
		}
		if old, ok := rs.Annotations[k]; ok && old == v {
			continue
		}
		if rs.Annotations == nil {
			rs.Annotations = map[string]string{}
		}
		rs.Annotations[k] = v
		changed = true
	}
	return changed
}

// replicaSetName is the Deployment controller's name for the ReplicaSet of
// a template: NAME-HASH, the Deployment's name cut so that the whole fits a
// DNS subdomain (253 characters).
func replicaSetName(deployment, hash string) string {
	if max := 253 - 1 - len(hash); len(deployment) > max && max > 0 {
		deployment = deployment[:max]
	}
	return deployment + "-" + hash
}

func sumReplicas(rss []*ReplicaSet) int {
	n := 0
	for _, rs := range rss {
		n += rs.Replicas
	}
	return n
}

func (c *Cluster) available(rss ...*ReplicaSet) int {
	n := 0
	now := c.Now()
	for _, rs := range rss {
		if rs != nil {
			n += rs.Status(now).Available
		}
	}
	return n
}

// rolloutRolling is the RollingUpdate strategy: scale the new ReplicaSet up
// within maxSurge, then the old ones down within maxUnavailable.
func (c *Cluster) rolloutRolling(d *Deployment, newRS *ReplicaSet, old []*ReplicaSet) {
	surge, _ := d.resolve()
	if newRS == nil {
		// NewRSNewReplicas for a new ReplicaSet.
		cur := sumReplicas(old)
		n := min(max(d.Replicas+surge-cur, 0), d.Replicas)
		newRS = c.createNewRS(d, old, n)
		if n > 0 {
			return
		}
	}
	all := append(append([]*ReplicaSet(nil), old...), newRS)
	// reconcileNewReplicaSet
	switch {
	case newRS.Replicas > d.Replicas:
		c.setRSReplicas(d, newRS, d.Replicas)
		return
	case newRS.Replicas < d.Replicas:
		cur := sumReplicas(all)
		if maxTotal := d.Replicas + surge; cur < maxTotal {
			up := min(maxTotal-cur, d.Replicas-newRS.Replicas)
			c.setRSReplicas(d, newRS, newRS.Replicas+up)
			return
		}
	default:
		c.setRSReplicas(d, newRS, d.Replicas) // refresh annotations
	}
	// reconcileOldReplicaSets
	if sumReplicas(old) == 0 {
		return
	}
	minAvailable := d.Replicas - d.maxUnavailable()
	newUnavailable := newRS.Replicas - c.available(newRS)
	maxScaledDown := sumReplicas(all) - minAvailable - newUnavailable
	if maxScaledDown <= 0 {
		return
	}
	sort.SliceStable(old, func(i, j int) bool { return old[i].seq < old[j].seq })
	// cleanupUnhealthyReplicas: old pods that are not available go first.
	cleaned := 0
	for _, rs := range old {
		if cleaned >= maxScaledDown {
			break
		}
		avail := c.available(rs)
		if rs.Replicas == 0 || rs.Replicas == avail {
			continue
		}
		k := min(maxScaledDown-cleaned, rs.Replicas-avail)
		c.setRSReplicas(d, rs, rs.Replicas-k)
		cleaned += k
	}
	// scaleDownOldReplicaSetsForRollingUpdate
	availableAll := c.available(all...)
	if availableAll <= minAvailable {
		return
	}
	total := availableAll - minAvailable
	done := 0
	for _, rs := range old {
		if done >= total {
			break
		}
		if rs.Replicas == 0 {
			continue
		}
		k := min(rs.Replicas, total-done)
		c.setRSReplicas(d, rs, rs.Replicas-k)
		done += k
	}
}

// rolloutRecreate is the Recreate strategy: scale every old ReplicaSet to 0,
// wait until their pods are gone, then create the new ones.
func (c *Cluster) rolloutRecreate(d *Deployment, newRS *ReplicaSet, old []*ReplicaSet) {
	scaled := false
	for _, rs := range old {
		if rs.Replicas > 0 {
			c.setRSReplicas(d, rs, 0)
			scaled = true
		}
	}
	if scaled {
		return
	}
	for _, rs := range old {
		for _, p := range rs.pods {
			if !p.Gone && p.Phase != PodSucceeded && p.Phase != PodFailed {
				return // old pods still running (terminating ones included)
			}
		}
	}
	if newRS == nil {
		c.createNewRS(d, old, d.Replicas)
		return
	}
	c.setRSReplicas(d, newRS, d.Replicas)
}

// scaleDeployment handles a change of replicas: one active ReplicaSet is set
// to the new count; during a rollout the change is spread over the active
// ReplicaSets in proportion to their sizes (proportional scaling).
func (c *Cluster) scaleDeployment(d *Deployment, newRS *ReplicaSet, old []*ReplicaSet) {
	var active []*ReplicaSet
	for _, rs := range d.rs {
		if rs.Replicas > 0 {
			active = append(active, rs)
		}
	}
	if len(active) <= 1 {
		target := newRS
		if len(active) == 1 {
			target = active[0]
		} else if target == nil && len(old) > 0 {
			target = old[len(old)-1]
		}
		if target != nil {
			c.setRSReplicas(d, target, d.Replicas)
		}
		return
	}
	if newRS != nil && newRS.Replicas == d.Replicas && newRS.desired == d.Replicas && c.available(newRS) == d.Replicas {
		for _, rs := range old {
			c.setRSReplicas(d, rs, 0)
		}
		return
	}
	if d.Strategy.Type != RollingUpdate {
		return
	}
	surge, _ := d.resolve()
	allowed := 0
	if d.Replicas > 0 {
		allowed = d.Replicas + surge
	}
	toAdd := allowed - sumReplicas(active)
	if toAdd > 0 { // larger first, newer first among equals
		sort.SliceStable(active, func(i, j int) bool {
			if active[i].Replicas != active[j].Replicas {
				return active[i].Replicas > active[j].Replicas
			}
			return active[i].seq > active[j].seq
		})
	} else { // larger first, older first among equals
		sort.SliceStable(active, func(i, j int) bool {
			if active[i].Replicas != active[j].Replicas {
				return active[i].Replicas > active[j].Replicas
			}
			return active[i].seq < active[j].seq
		})
	}
	size := make([]int, len(active))
	added := 0
	for i, rs := range active {
		size[i] = rs.Replicas
		if toAdd == 0 {
			continue
		}
		var frac int
		if d.Replicas == 0 {
			frac = -rs.Replicas
		} else {
			annotated := rs.maxReplicas
			if annotated == 0 {
				annotated = sumReplicas(active)
			}
			frac = int(math.Round(float64(rs.Replicas*(d.Replicas+surge))/float64(annotated))) - rs.Replicas
		}
		allowedLeft := toAdd - added
		var prop int
		if toAdd > 0 {
			prop = min(frac, allowedLeft)
		} else {
			prop = max(frac, allowedLeft)
		}
		size[i] += prop
		added += prop
	}
	if toAdd != 0 {
		size[0] += toAdd - added
		if size[0] < 0 {
			size[0] = 0
		}
	}
	for i, rs := range active {
		c.setRSReplicas(d, rs, size[i])
	}
}

// cleanupDeployment is the controller's cleanupDeployment: every old
// ReplicaSet counts against revisionHistoryLimit; of the ones beyond it, the
// oldest by revision (one without a revision first; equal revisions by
// creation, then name), those with no replicas and no active pods are
// deleted, the others kept. (Kubernetes also waits for the ReplicaSet
// controller to have observed the scale-down; here it acts in the same sync.)
func (c *Cluster) cleanupDeployment(d *Deployment) {
	newRS := d.NewReplicaSet()
	var old []*ReplicaSet
	for _, rs := range d.rs {
		if rs != newRS && !rs.Deleted {
			old = append(old, rs)
		}
	}
	diff := len(old) - d.RevisionHistoryLimit
	if diff <= 0 {
		return
	}
	sort.SliceStable(old, func(i, j int) bool {
		a, b := old[i], old[j]
		switch {
		case a.Revision != b.Revision:
			return a.Revision < b.Revision
		case a.CreationTimestamp != b.CreationTimestamp:
			return a.CreationTimestamp < b.CreationTimestamp
		}
		return a.Name < b.Name
	})
	now := c.Now()
	for _, rs := range old[:diff] {
		if rs.Replicas != 0 || rs.Status(now).Current != 0 {
			continue
		}
		c.DeleteReplicaSet(rs, true)
	}
}

// mapSelectorMatches reports whether every key=value of sel is in labels.
func mapSelectorMatches(sel, labels map[string]string) bool {
	for k, v := range sel {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

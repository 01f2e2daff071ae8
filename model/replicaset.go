package model

import (
	"fmt"
	"math"
	"sort"

	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/sim"
)

// Controller limits, as in kube-controller-manager.
const (
	// burstReplicas is the ReplicaSet controller's limit of creations or
	// deletions per sync.
	burstReplicas = 500
	// daemonBurst is the DaemonSet controller's limit per sync.
	daemonBurst = 250
)

// ReplicaSet is an apps/v1 ReplicaSet: it keeps Replicas pods matching its
// selector, creating them from its template.
type ReplicaSet struct {
	// ObjectMeta's Owner is the Deployment that owns the ReplicaSet, or nil.
	ObjectMeta
	Selector *labels.Selector
	Template PodTemplate
	Replicas int
	// MinReadySeconds: a pod is available once Ready for this long.
	MinReadySeconds sim.Time
	Deleted         bool
	// Revision is the deployment.kubernetes.io/revision annotation.
	Revision int

	deploy      *Deployment
	hash        string  // pod-template-hash (Deployment-owned only)
	pods        []*Pod  // owned pods that are not gone, terminating included
	adoptQ      []*Pod  // orphans offered for adoption
	relabelled  []*Pod  // owned pods whose labels changed since the last sync
	inflight    int     // creations not yet acknowledged (expectations)
	onNode      []int32 // bound, non-terminating pods per node (by Node.seq)
	syncPending bool
	// desired and maxReplicas are the deployment.kubernetes.io/desired-replicas
	// and max-replicas annotations.
	desired, maxReplicas int
	seq                  int

	counts rsCounts // status counts kept as pods change
	// podShared is what its pods share (podSharedOf); podNamePrefix their
	// generateName.
	podShared     *podShared
	podNamePrefix string
}

// rsCounts keeps a ReplicaSet's status counts up to date as its pods change,
// so that Status and the controllers' syncs cost O(1) instead of a walk over
// every pod. Ready pods that are not yet available (MinReadySeconds) wait in
// a queue ordered by the time they become available.
type rsCounts struct {
	active, ready, available int
	waiting                  []availEntry // sorted by at; entries before head are done
	head                     int
	minReady                 sim.Time // the MinReadySeconds the counts were made with
	now                      sim.Time // the latest time the queue was advanced to
}

type availEntry struct {
	p   *Pod
	gen uint32
	at  sim.Time
}

// podCount is what a pod contributes to its ReplicaSet's counts.
type podCount struct {
	in                   *ReplicaSet
	readyAt              sim.Time
	gen                  uint32 // bumped whenever the contribution changes: invalidates queued entries
	active, ready, avail bool
}

// ReplicaSetSpec is what CreateReplicaSet needs.
type ReplicaSetSpec struct {
	Name      string
	Namespace string // "": default
	// Labels and Annotations are the ReplicaSet's metadata.
	Labels, Annotations map[string]string
	// Replicas nil means 1.
	Replicas *int
	// Selector must be set and match the template labels.
	Selector        *labels.Selector
	Template        PodTemplate
	MinReadySeconds sim.Time
}

// Pods returns the pods the ReplicaSet owns (terminating ones included).
func (rs *ReplicaSet) Pods() []*Pod { return append([]*Pod(nil), rs.pods...) }

// Deployment returns the Deployment owning rs, or nil.
func (rs *ReplicaSet) Deployment() *Deployment { return rs.deploy }

// ReplicaSetStatus is the ReplicaSet's status as kubectl get rs shows it.
type ReplicaSetStatus struct {
	Desired, Current, Ready, Available int
}

// Status counts the ReplicaSet's pods: current (not terminating), ready and
// available.
func (rs *ReplicaSet) Status(now sim.Time) ReplicaSetStatus {
	k := &rs.counts
	if k.minReady != rs.MinReadySeconds {
		rs.recountAll(now)
	}
	if now >= k.now {
		rs.advance(now)
		return ReplicaSetStatus{Desired: rs.Replicas, Current: k.active, Ready: k.ready, Available: k.available}
	}
	return rs.scanStatus(now) // a time before the counts': count by hand
}

// scanStatus is Status by a walk over every pod.
func (rs *ReplicaSet) scanStatus(now sim.Time) ReplicaSetStatus {
	st := ReplicaSetStatus{Desired: rs.Replicas}
	for _, p := range rs.pods {
		if !isActive(p) {
			continue
		}
		st.Current++
		if p.Ready {
			st.Ready++
			if isAvailable(p, rs.MinReadySeconds, now) {
				st.Available++
			}
		}
	}
	return st
}

// countPod updates the counts of p's ReplicaSet (and of the one that counted
// it before) after a change of p.
func countPod(p *Pod, now sim.Time) {
	k := &p.count
	rs := p.rs
	active := rs != nil && isActive(p)
	ready := active && p.Ready
	if k.in == rs && k.active == active && k.ready == ready && (!ready || k.readyAt == p.ReadyAt) &&
		(rs == nil || rs.counts.minReady == rs.MinReadySeconds) {
		return
	}
	if old := k.in; old != nil {
		old.uncount(p)
	}
	if rs != nil {
		rs.count(p, now)
	}
}

func (rs *ReplicaSet) uncount(p *Pod) {
	k := &p.count
	c := &rs.counts
	if k.active {
		c.active--
	}
	if k.ready {
		c.ready--
	}
	if k.avail {
		c.available--
	}
	*k = podCount{gen: k.gen + 1}
}

func (rs *ReplicaSet) count(p *Pod, now sim.Time) {
	k := &p.count
	c := &rs.counts
	if c.minReady != rs.MinReadySeconds {
		rs.recountAll(now) // counts p too
		return
	}
	k.in = rs
	k.active = isActive(p)
	if !k.active {
		return
	}
	c.active++
	if !p.Ready {
		return
	}
	k.ready, k.readyAt = true, p.ReadyAt
	c.ready++
	at := p.ReadyAt + rs.MinReadySeconds
	if at <= now {
		k.avail = true
		c.available++
		return
	}
	// Insert in order (pods become Ready in time order, so almost always at
	// the end).
	i := len(c.waiting)
	c.waiting = append(c.waiting, availEntry{})
	for i > c.head && c.waiting[i-1].at > at {
		c.waiting[i] = c.waiting[i-1]
		i--
	}
	c.waiting[i] = availEntry{p: p, gen: k.gen, at: at}
}

// advance counts the pods that became available by now.
func (rs *ReplicaSet) advance(now sim.Time) {
	c := &rs.counts
	c.now = max(c.now, now)
	for c.head < len(c.waiting) && c.waiting[c.head].at <= now {
		e := c.waiting[c.head]
		c.waiting[c.head] = availEntry{}
		c.head++
		if k := &e.p.count; k.in == rs && k.gen == e.gen && k.ready && !k.avail {
			k.avail = true
			c.available++
		}
	}
	if c.head == len(c.waiting) {
		c.waiting, c.head = c.waiting[:0], 0
	} else if c.head > 64 && c.head > len(c.waiting)/2 {
		n := copy(c.waiting, c.waiting[c.head:])
		clear(c.waiting[n:])
		c.waiting, c.head = c.waiting[:n], 0
	}
}

// nextAvailable is when the next Ready pod becomes available, or false.
func (rs *ReplicaSet) nextAvailable(now sim.Time) (sim.Time, bool) {
	rs.advance(now)
	c := &rs.counts
	for ; c.head < len(c.waiting); c.head++ {
		e := c.waiting[c.head]
		if k := &e.p.count; k.in == rs && k.gen == e.gen && k.ready && !k.avail {
			return e.at, true
		}
		c.waiting[c.head] = availEntry{}
	}
	return 0, false
}

// SetReplicaSetTemplate replaces the pod template of a ReplicaSet (kubectl
// apply, patch, edit): the pods it creates from now on are made from it, the
// ones it has stay as they are (a ReplicaSet does not roll its pods out). The
// selector must still select the template's labels. A Deployment's
// ReplicaSet whose template no longer equals the Deployment's is an old one
// to its controller, which rolls out to a new ReplicaSet of its own template
// (findNewReplicaSet).
func (c *Cluster) SetReplicaSetTemplate(rs *ReplicaSet, t PodTemplate) error {
	if err := validateTemplate("ReplicaSet", rs.Name, rs.Selector, t); err != nil {
		return err
	}
	if c.SameTemplate(t, rs.Template) {
		return nil
	}
	rs.Template = t.clone()
	rs.podShared = nil // the next pod's is made from the new template
	c.bumpGeneration(&rs.ObjectMeta)
	if d := rs.deploy; d != nil && !d.Deleted {
		c.findNewReplicaSet(d)
		c.enqueueDeployment(d)
	}
	return nil
}

// findNewReplicaSet makes the Deployment's new ReplicaSet the one its
// controller finds after a ReplicaSet's template changed under it
// (getNewReplicaSet, FindNewReplicaSet): the oldest whose template equals
// the Deployment's (EqualIgnoreHash). With none (its new ReplicaSet's
// template was patched), the controller's create of NAME-HASH finds the
// patched ReplicaSet under that name with another template: it bumps
// status.collisionCount and hashes again, and the next sync creates a new
// ReplicaSet from the Deployment's template and rolls out to it, the
// patched one scaled down as an old one.
func (c *Cluster) findNewReplicaSet(d *Deployment) {
	for _, r := range d.rs {
		if !r.Deleted && c.SameTemplate(r.Template, d.Template) {
			d.hash = r.hash
			return
		}
	}
	for {
		d.CollisionCount++
		d.hash = computeHashCollision(d.Template, d.CollisionCount)
		if c.ReplicaSetIn(d.Namespace, replicaSetName(d.Name, d.hash)) == nil {
			return
		}
	}
}

// SetReplicaSetMinReady sets spec.minReadySeconds (kubectl apply, patch):
// pods Ready for that long are available.
func (c *Cluster) SetReplicaSetMinReady(rs *ReplicaSet, minReady sim.Time) {
	if rs.MinReadySeconds == minReady {
		return
	}
	c.bumpGeneration(&rs.ObjectMeta)
	rs.MinReadySeconds = minReady
	c.enqueueReplicaSet(rs)
	if rs.deploy != nil {
		c.enqueueDeployment(rs.deploy)
	}
}

// recountAll rebuilds the counts from the pods (after MinReadySeconds changed).
func (rs *ReplicaSet) recountAll(now sim.Time) {
	for _, p := range rs.pods {
		if p.count.in == rs {
			rs.uncount(p)
		}
	}
	rs.counts = rsCounts{minReady: rs.MinReadySeconds, now: now}
	for _, p := range rs.pods {
		if p.rs == rs {
			rs.count(p, now)
		}
	}
}

// isActive is controller.IsPodActive: not terminating and not terminal.
func isActive(p *Pod) bool {
	return !p.Gone && !p.Terminating && p.Phase != PodSucceeded && p.Phase != PodFailed
}

// isAvailable is podutil.IsPodAvailable: Ready for at least minReady.
func isAvailable(p *Pod, minReady, now sim.Time) bool {
	return p.Ready && !p.Terminating && (minReady == 0 || now-p.ReadyAt >= minReady)
}

// ReplicaSets returns the ReplicaSets that exist, in creation order.
func (c *Cluster) ReplicaSets() []*ReplicaSet {
	out := []*ReplicaSet{}
	for _, rs := range c.replicasets {
		if !rs.Deleted {
			out = append(out, rs)
		}
	}
	return out
}

// ReplicaSet returns the ReplicaSet named name in the default namespace, or nil.
func (c *Cluster) ReplicaSet(name string) *ReplicaSet { return c.ReplicaSetIn(DefaultNamespace, name) }

// ReplicaSetIn returns the ReplicaSet named name in namespace ns, or nil.
func (c *Cluster) ReplicaSetIn(ns, name string) *ReplicaSet {
	rs := c.rsByName[nsName{ns, name}]
	if rs == nil || rs.Deleted {
		return nil
	}
	return rs
}

// validateTemplate checks what the API server checks of a controller's selector
// and template.
func validateTemplate(kind, name string, sel *labels.Selector, t PodTemplate) error {
	if name == "" {
		return fmt.Errorf("%s: metadata.name: Required value", kind)
	}
	if sel == nil || sel.IsNothing() || sel.Empty() {
		return fmt.Errorf("%s %q: spec.selector: Invalid value: empty selector is invalid for %s", kind, name, kind)
	}
	if !sel.MatchesMap(t.Labels) {
		return fmt.Errorf("%s %q: spec.template.metadata.labels: Invalid value: %v: `selector` does not match template `labels`", kind, name, t.Labels)
	}
	if err := labels.ValidateLabels(t.Labels); err != nil {
		return fmt.Errorf("%s %q: spec.template.metadata.labels: %v", kind, name, err)
	}
	if t.Spec.Image == "" {
		return fmt.Errorf("%s %q: spec.template.spec.containers[0].image: Required value", kind, name)
	}
	return nil
}

// CreateReplicaSet creates a bare ReplicaSet (kubectl apply of kind ReplicaSet).
// Matching orphans are adopted.
func (c *Cluster) CreateReplicaSet(s ReplicaSetSpec) (*ReplicaSet, error) {
	replicas := 1
	if s.Replicas != nil {
		replicas = *s.Replicas
	}
	if replicas < 0 {
		return nil, fmt.Errorf("replicaset %q: spec.replicas: Invalid value: %d: must be greater than or equal to 0", s.Name, replicas)
	}
	if err := validateTemplate("ReplicaSet", s.Name, s.Selector, s.Template); err != nil {
		return nil, err
	}
	ns := orDefault(s.Namespace)
	if err := c.canCreateIn(ns); err != nil {
		return nil, err
	}
	if c.ReplicaSetIn(ns, s.Name) != nil {
		return nil, fmt.Errorf(`replicasets.apps %q already exists`, s.Name)
	}
	rs := &ReplicaSet{ObjectMeta: ObjectMeta{Name: s.Name, Namespace: ns, Labels: copyLabels(s.Labels), Annotations: copyLabels(s.Annotations)}, Selector: s.Selector, Template: s.Template.clone(), Replicas: replicas,
		MinReadySeconds: s.MinReadySeconds}
	c.addReplicaSet(rs)
	return rs, nil
}

func (c *Cluster) addReplicaSet(rs *ReplicaSet) {
	m := c.newMeta(rs.Name, rs.Namespace, rs.Labels, rs.Annotations)
	m.Owner = rs.Owner
	rs.ObjectMeta = m
	rs.seq = len(c.replicasets)
	c.replicasets = append(c.replicasets, rs)
	c.rsByName[nsName{rs.Namespace, rs.Name}] = rs
	// The controller's first sync claims the matching orphans.
	for _, p := range c.pods {
		if p.Owner == nil && !p.Gone && !p.Terminating && p.Namespace == rs.Namespace && rs.Selector.MatchesMap(p.Labels) {
			rs.adoptQ = append(rs.adoptQ, p)
		}
	}
	c.enqueueReplicaSet(rs)
}

// ScaleReplicaSet sets spec.replicas (kubectl scale rs). A Deployment-owned
// ReplicaSet is scaled back by its Deployment at its next sync.
func (c *Cluster) ScaleReplicaSet(rs *ReplicaSet, replicas int) error {
	if replicas < 0 {
		return fmt.Errorf("replicaset %q: replicas must be >= 0, got %d", rs.Name, replicas)
	}
	if rs.Deleted {
		return fmt.Errorf(`replicasets.apps %q not found`, rs.Name)
	}
	if rs.Replicas != replicas {
		c.bumpGeneration(&rs.ObjectMeta)
	}
	rs.Replicas = replicas
	c.enqueueReplicaSet(rs)
	if rs.deploy != nil {
		c.enqueueDeployment(rs.deploy)
	}
	return nil
}

// DeleteReplicaSet deletes rs. With cascade its pods are deleted (background
// propagation); without, they are orphaned and keep running.
func (c *Cluster) DeleteReplicaSet(rs *ReplicaSet, cascade bool) {
	if rs.Deleted {
		return
	}
	rs.Deleted = true
	for _, p := range append([]*Pod(nil), rs.pods...) {
		if cascade {
			c.DeletePod(p)
		} else {
			c.releasePod(p)
		}
	}
	if d := rs.deploy; d != nil {
		d.rs = removeRS(d.rs, rs)
		c.enqueueDeployment(d)
	}
}

func removeRS(l []*ReplicaSet, rs *ReplicaSet) []*ReplicaSet {
	for i, x := range l {
		if x == rs {
			return append(l[:i], l[i+1:]...)
		}
	}
	return l
}

// enqueueReplicaSet queues a sync after the controller's reaction time; several
// changes before it run one sync (the workqueue deduplicates).
func (c *Cluster) enqueueReplicaSet(rs *ReplicaSet) {
	if rs.syncPending || rs.Deleted {
		return
	}
	rs.syncPending = true
	c.E.After(c.d.controllerSync.Sample(), rsSyncer{c, rs}, 0)
}

type rsSyncer struct {
	c  *Cluster
	rs *ReplicaSet
}

func (s rsSyncer) Handle(*sim.Engine, int64) {
	s.rs.syncPending = false
	s.c.syncReplicaSet(s.rs)
}

// releasePod removes the controller reference of p: it keeps running as an
// orphan (and may be adopted by another controller).
func (c *Cluster) releasePod(p *Pod) {
	switch {
	case p.rs != nil:
		p.rs.pods = removePodFrom(p.rs.pods, p)
		c.enqueueReplicaSet(p.rs)
		if p.rs.deploy != nil {
			c.enqueueDeployment(p.rs.deploy)
		}
	case p.ds != nil:
		p.ds.pods = removePodFrom(p.ds.pods, p)
		c.enqueueDaemonSet(p.ds)
	}
	ds := p.ds
	p.rs, p.ds, p.Owner = nil, nil, nil
	if ds != nil {
		ds.recordPod(p)
	}
	c.podChanged(p)
	c.offerOrphan(p)
}

func (c *Cluster) syncReplicaSet(rs *ReplicaSet) {
	if rs.Deleted {
		return
	}
	// Claim: release pods that stopped matching, adopt matching orphans. Only
	// relabelled pods can have stopped matching.
	for _, p := range rs.relabelled {
		if p.rs == rs && !p.Gone && !p.Terminating && !rs.Selector.MatchesMap(p.Labels) {
			c.releasePod(p)
		}
	}
	clear(rs.relabelled)
	rs.relabelled = rs.relabelled[:0]
	for _, p := range rs.adoptQ {
		if p.Owner == nil && !p.Gone && !p.Terminating && rs.Selector.MatchesMap(p.Labels) {
			p.Owner = &OwnerRef{Kind: "ReplicaSet", Name: rs.Name}
			p.rs = rs
			rs.pods = append(rs.pods, p)
			c.podChanged(p)
		}
	}
	rs.adoptQ = rs.adoptQ[:0]

	active := rs.Status(c.Now()).Current
	diff := active + rs.inflight - rs.Replicas
	switch {
	case diff < 0:
		n := min(-diff, burstReplicas)
		rs.inflight += n
		c.slowStart(&c.rsClient, n, func(created int) {
			rs.inflight -= created
			if !rs.Deleted {
				for i := 0; i < created; i++ {
					c.createReplicaSetPod(rs)
				}
			}
		}, func() { c.enqueueReplicaSet(rs) })
	case diff > 0 && active > 0:
		n := min(diff, burstReplicas, active)
		for _, p := range c.scaleDownVictims(rs, n) {
			c.eventPodDeleted(ReplicaSetRef(rs), SourceReplicaSet, p)
			c.DeletePod(p)
		}
	}
	if rs.deploy != nil {
		// The ReplicaSet's status update reaches the Deployment controller.
		c.enqueueDeployment(rs.deploy)
	}
	if rs.MinReadySeconds > 0 {
		// Requeue when a Ready pod becomes available.
		if next, ok := rs.nextAvailable(c.Now()); ok {
			c.E.At(next, sim.HandlerFunc(func(*sim.Engine, int64) {
				c.enqueueReplicaSet(rs)
				if rs.deploy != nil {
					c.enqueueDeployment(rs.deploy)
				}
			}), 0)
		}
	}
}

func (c *Cluster) createReplicaSetPod(rs *ReplicaSet) {
	sh := c.podSharedOf(rs)
	p := c.newPod(rs.Namespace, rs.podNamePrefix, sh, rs, nil)
	c.eventPodCreated(ReplicaSetRef(rs), SourceReplicaSet, p)
}

// slowStart makes n API creations through client in batches of 1, 2, 4, ...
// (the controllers' slowStartBatch): a batch's calls go out together, each
// once client's rate limit gives it a token, and the next batch starts when
// every call of this one has returned. Calls that go out at the same time
// return together, one APICall latency later; create(k) runs as k of them
// return (the objects then exist), finished after the last.
func (c *Cluster) slowStart(client *apiClient, n int, create func(k int), finished func()) {
	var batch func(remaining, size int)
	batch = func(remaining, size int) {
		k := min(size, remaining)
		now := c.Now()
		pending := 0
		for i := 0; i < k; {
			at := client.reserve(now)
			j := i + 1
			for j < k {
				// A call granted at the same time joins the group.
				saved := *client
				if client.reserve(now) != at {
					*client = saved
					break
				}
				j++
			}
			m := j - i
			i = j
			pending++
			c.E.At(at+c.d.apiCall.Sample(), sim.HandlerFunc(func(*sim.Engine, int64) {
				create(m)
				if pending--; pending > 0 {
					return
				}
				if remaining > k {
					batch(remaining-k, 2*size)
				} else if finished != nil {
					finished()
				}
			}), 0)
		}
	}
	if n > 0 {
		batch(n, 1)
	}
}

// scaleDownVictims ranks the active pods of rs as the ReplicaSet controller does
// (ActivePodsWithRanks, LogarithmicScaleDown) and returns the first n:
// unscheduled before scheduled; Pending before Running; not Ready before Ready;
// lower pod-deletion-cost first; more pods of the same Deployment on the pod's
// node first; more recently Ready first; more restarts first; newer first;
// then at random (the UID). The two times are compared in powers of two of
// their age; two Ready times of the same power are ordered by UID, without
// looking at restarts or creation.
func (c *Cluster) scaleDownVictims(rs *ReplicaSet, n int) []*Pod {
	var pods []*Pod
	for _, p := range rs.pods {
		if isActive(p) {
			pods = append(pods, p)
		}
	}
	// Related pods: those of every ReplicaSet of the same Deployment.
	related := []*ReplicaSet{rs}
	if rs.deploy != nil {
		related = rs.deploy.rs
	}
	onNode := map[*Node]int{}
	for _, r := range related {
		for _, p := range r.pods {
			if isActive(p) && p.node != nil {
				onNode[p.node]++
			}
		}
	}
	now := c.Now()
	logRank := func(t sim.Time) int64 {
		d := now - t
		if d <= 0 {
			return -1
		}
		return int64(math.Log2(float64(d)))
	}
	phaseRank := map[PodPhase]int{PodPending: 0, PodRunning: 2}
	sort.SliceStable(pods, func(i, j int) bool {
		a, b := pods[i], pods[j]
		if (a.node == nil) != (b.node == nil) {
			return a.node == nil
		}
		if pa, pb := phaseRank[a.Phase], phaseRank[b.Phase]; pa != pb {
			return pa < pb
		}
		if a.Ready != b.Ready {
			return !a.Ready
		}
		if ca, cb := a.deletionCost(), b.deletionCost(); ca != cb {
			return ca < cb
		}
		if ra, rb := onNode[a.node], onNode[b.node]; ra != rb {
			return ra > rb
		}
		if a.Ready && b.Ready && a.ReadyAt != b.ReadyAt {
			// Ready times in the same power of two: UID order, restarts
			// are not looked at (ActivePodsWithRanks).
			if la, lb := logRank(a.ReadyAt), logRank(b.ReadyAt); la != lb {
				return la < lb
			}
			return a.uid < b.uid
		}
		if a.Restarts != b.Restarts {
			return a.Restarts > b.Restarts
		}
		if a.CreationTimestamp != b.CreationTimestamp {
			if la, lb := logRank(a.CreationTimestamp), logRank(b.CreationTimestamp); la != lb {
				return la < lb
			}
		}
		return a.uid < b.uid
	})
	return pods[:min(n, len(pods))]
}

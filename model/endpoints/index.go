package endpoints

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kubesim/kubesim/model/labels"
)

// MaxID bounds pod and Service ids: the index keeps dense tables indexed by id,
// so ids must be small non-negative integers handed out by the caller.
const MaxID = 1<<24 - 1

// postRef is one of a pod's labels: the pair's index and the pod's position in
// the pair's posting list.
type postRef struct{ pair, pos int32 }

// membRef is one of a pod's Service memberships: the Service and the pod's
// position in the Service's member list.
type membRef struct {
	svc  ServiceID
	slot int32
}

type podRec struct {
	labels  labels.Labels
	posts   []postRef
	memb    []membRef
	own     labels.Owned // labels of SetPodMap, recompiled in place
	state   PodState
	present bool
	owned   bool // labels are own's
}

// pairRec is an interned key=value pair: the pods that carry it and the
// Services registered under it.
type pairRec struct {
	kid, vid labels.ID
	key      int32 // keyRec index
	pods     []PodID
	svcs     []ServiceID
}

// keyRec is a label key: its pairs, the number of pods that carry it, and the
// Services registered under the key itself.
type keyRec struct {
	pairs []int32
	pods  int32
	svcs  []ServiceID
}

// Where a Service's selector is registered.
const (
	regPair uint8 = iota // pairs[list].svcs
	regKey               // keys[list].svcs
	regScan              // Index.scan
)

type regRef struct {
	kind uint8
	list int32
	pos  int32 // the Service's position in that list
}

type svcRec struct {
	sel            *labels.Selector
	regs           []regRef
	members        []PodID
	ready, serving int32
	present        bool
}

type change struct {
	svc      ServiceID
	pod      PodID
	old, new Conditions
}

// Index is the endpoint index. The zero value is not usable; call NewIndex. It is
// not safe for concurrent use.
type Index struct {
	pods    []podRec
	svcs    []svcRec
	pairIdx map[uint64]int32
	pairs   []pairRec
	keyIdx  map[labels.ID]int32
	keys    []keyRec
	scan    []ServiceID
	subs    []Subscriber

	nPods, nSvcs int
	notifying    bool // subscribers are being called: changes are refused

	// scratch, reused by every operation
	epoch            uint32
	svcOld, svcNew   []uint32 // by ServiceID: epoch of the current operation
	podOld, podNew   []uint32 // by PodID
	changes          []change
	candidateChecked int // Matches calls of the last operation (for tests and benchmarks)
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{pairIdx: make(map[uint64]int32), keyIdx: make(map[labels.ID]int32)}
}

// Subscribe adds s to the subscribers called with every change.
func (ix *Index) Subscribe(s Subscriber) { ix.subs = append(ix.subs, s) }

var errReentrant = fmt.Errorf("endpoints: the index was changed from inside a Subscriber; subscribers may read the index but must schedule changes as later events")

func (ix *Index) checkID(what string, id int32) error {
	if ix.notifying {
		return errReentrant
	}
	if id < 0 || id > MaxID {
		return fmt.Errorf("endpoints: %s id %d is out of range; ids are dense integers in [0, %d] handed out by the caller", what, id, MaxID)
	}
	return nil
}

// bump starts a new operation's marks.
func (ix *Index) bump() {
	ix.epoch++
	if ix.epoch == 0 { // wrapped: old marks could collide
		clear(ix.svcOld)
		clear(ix.svcNew)
		clear(ix.podOld)
		clear(ix.podNew)
		ix.epoch = 1
	}
}

// --- pairs, keys and posting lists ---

func (ix *Index) keyOf(k labels.ID) int32 {
	if i, ok := ix.keyIdx[k]; ok {
		return i
	}
	i := int32(len(ix.keys))
	ix.keys = append(ix.keys, keyRec{})
	ix.keyIdx[k] = i
	return i
}

func (ix *Index) pairOf(k, v labels.ID) int32 {
	pk := uint64(k)<<32 | uint64(v)
	if i, ok := ix.pairIdx[pk]; ok {
		return i
	}
	ki := ix.keyOf(k)
	i := int32(len(ix.pairs))
	ix.pairs = append(ix.pairs, pairRec{kid: k, vid: v, key: ki})
	ix.keys[ki].pairs = append(ix.keys[ki].pairs, i)
	ix.pairIdx[pk] = i
	return i
}

func (ix *Index) addPosting(pod PodID, pair int32) {
	pr := &ix.pairs[pair]
	p := &ix.pods[pod]
	p.posts = append(p.posts, postRef{pair: pair, pos: int32(len(pr.pods))})
	pr.pods = append(pr.pods, pod)
	ix.keys[pr.key].pods++
}

// removePosting removes the pod's i-th label from its pair's posting list and
// from the pod's own list (both by swapping the last entry in).
func (ix *Index) removePosting(pod PodID, i int) {
	p := &ix.pods[pod]
	ref := p.posts[i]
	pr := &ix.pairs[ref.pair]
	last := pr.pods[len(pr.pods)-1]
	pr.pods[ref.pos] = last
	pr.pods = pr.pods[:len(pr.pods)-1]
	if last != pod {
		lp := ix.pods[last].posts
		for j := range lp {
			if lp[j].pair == ref.pair {
				lp[j].pos = ref.pos
				break
			}
		}
	}
	ix.keys[pr.key].pods--
	n := len(p.posts) - 1
	p.posts[i] = p.posts[n]
	p.posts = p.posts[:n]
}

// setPostings changes the pod's posting lists from those of the pairs it is
// listed under to those of l, touching only the pairs that differ: a pair stays
// if l has the same value for its key (a constant-time lookup in the compiled
// label set), and only new pairs are looked up in the pair table. It reads only
// the postings, not the old labels, which SetPodMap recompiles in place.
func (ix *Index) setPostings(pod PodID, l labels.Labels) {
	p := &ix.pods[pod]
	n := l.Len()
	var kept uint64 // bit i: l's i-th label is already posted (for n <= 64)
	for i := len(p.posts) - 1; i >= 0; i-- {
		pr := &ix.pairs[p.posts[i].pair]
		if j := l.Position(pr.kid); j < 0 || l.At(j).Value != pr.vid {
			ix.removePosting(pod, i)
			p = &ix.pods[pod]
		} else if j < 64 {
			kept |= 1 << j
		}
	}
	if len(p.posts) == n {
		return
	}
	for j := 0; j < n; j++ {
		if j < 64 && kept&(1<<j) != 0 {
			continue
		}
		pr := l.At(j)
		if j >= 64 && slices.ContainsFunc(ix.pods[pod].posts, func(r postRef) bool { return ix.pairs[r.pair].kid == pr.Key }) {
			continue
		}
		ix.addPosting(pod, ix.pairOf(pr.Key, pr.Value))
	}
}

// --- Services: registration of selectors ---

func (ix *Index) regList(kind uint8, list int32) *[]ServiceID {
	switch kind {
	case regPair:
		return &ix.pairs[list].svcs
	case regKey:
		return &ix.keys[list].svcs
	}
	return &ix.scan
}

func (ix *Index) addReg(svc ServiceID, kind uint8, list int32) {
	l := ix.regList(kind, list)
	s := &ix.svcs[svc]
	s.regs = append(s.regs, regRef{kind: kind, list: list, pos: int32(len(*l))})
	*l = append(*l, svc)
}

func (ix *Index) unregister(svc ServiceID) {
	s := &ix.svcs[svc]
	for _, r := range s.regs {
		l := ix.regList(r.kind, r.list)
		last := (*l)[len(*l)-1]
		(*l)[r.pos] = last
		*l = (*l)[:len(*l)-1]
		if last != svc {
			lr := ix.svcs[last].regs
			for j := range lr {
				if lr[j].kind == r.kind && lr[j].list == r.list {
					lr[j].pos = r.pos
					break
				}
			}
		}
	}
	s.regs = s.regs[:0]
}

// register files the Service's selector under one of its positive requirements
// (one that a matching pod must satisfy by carrying a key): the one whose
// pairs or key are carried by the fewest pods now; on a tie, a key=value
// requirement over a key-only one (exists, gt, lt), then the one with the fewest
// Services already registered there, then the first by key. An =, == or in
// requirement registers the Service under each of its key=value pairs; exists,
// gt and lt under the key. A selector with no positive requirement (only !=,
// notin, !key, or none at all) goes on the scan list that every pod change
// checks; Nothing() is not registered at all.
func (ix *Index) register(svc ServiceID) {
	sel := ix.svcs[svc].sel
	if sel.IsNothing() {
		return
	}
	reqs := sel.Requirements()
	best := -1
	var bestPods, bestSvcs int
	var bestKeyLevel bool
	var bestPairs []int32
	var pairs []int32
	for i, r := range reqs {
		k := labels.Intern(r.Key)
		var nPods, nSvcs int
		keyLevel := false
		pairs = pairs[:0:0]
		switch r.Operator {
		case labels.Equals, labels.DoubleEquals, labels.In:
			for _, v := range r.Values {
				p := ix.pairOf(k, labels.Intern(v))
				pairs = append(pairs, p)
				nPods += len(ix.pairs[p].pods)
				nSvcs += len(ix.pairs[p].svcs)
			}
		case labels.Exists, labels.GreaterThan, labels.LessThan:
			kr := &ix.keys[ix.keyOf(k)]
			nPods, nSvcs, keyLevel = int(kr.pods), len(kr.svcs), true
		default:
			continue
		}
		better := best < 0 ||
			nPods < bestPods ||
			nPods == bestPods && !keyLevel && bestKeyLevel ||
			nPods == bestPods && keyLevel == bestKeyLevel && nSvcs < bestSvcs
		if better {
			best, bestPods, bestSvcs, bestKeyLevel, bestPairs = i, nPods, nSvcs, keyLevel, pairs
		}
	}
	switch {
	case best < 0:
		ix.addReg(svc, regScan, 0)
	case bestKeyLevel:
		ix.addReg(svc, regKey, ix.keyOf(labels.Intern(reqs[best].Key)))
	default:
		for _, p := range bestPairs {
			ix.addReg(svc, regPair, p)
		}
	}
}

// --- membership ---

func (s *svcRec) count(c Conditions, d int32) {
	if c.Ready {
		s.ready += d
	}
	if c.Serving {
		s.serving += d
	}
}

func (ix *Index) addMember(svc ServiceID, pod PodID, c Conditions) {
	s := &ix.svcs[svc]
	p := &ix.pods[pod]
	p.memb = append(p.memb, membRef{svc: svc, slot: int32(len(s.members))})
	s.members = append(s.members, pod)
	s.count(c, 1)
}

func (ix *Index) removeMember(svc ServiceID, pod PodID, c Conditions) {
	s := &ix.svcs[svc]
	p := &ix.pods[pod]
	mi := slices.IndexFunc(p.memb, func(m membRef) bool { return m.svc == svc })
	slot := p.memb[mi].slot
	last := s.members[len(s.members)-1]
	s.members[slot] = last
	s.members = s.members[:len(s.members)-1]
	if last != pod {
		lm := ix.pods[last].memb
		for j := range lm {
			if lm[j].svc == svc {
				lm[j].slot = slot
				break
			}
		}
	}
	n := len(p.memb) - 1
	p.memb[mi] = p.memb[n]
	p.memb = p.memb[:n]
	s.count(c, -1)
}

// commit applies the collected changes in order and then tells the subscribers.
func (ix *Index) commit(ch []change) {
	for _, c := range ch {
		switch {
		case !c.old.Member:
			ix.addMember(c.svc, c.pod, c.new)
		case !c.new.Member:
			ix.removeMember(c.svc, c.pod, c.old)
		default:
			s := &ix.svcs[c.svc]
			s.count(c.old, -1)
			s.count(c.new, 1)
		}
	}
	if len(ix.subs) > 0 {
		ix.notifying = true
		for _, c := range ch {
			for _, sub := range ix.subs {
				sub.EndpointChanged(c.svc, c.pod, c.old, c.new)
			}
		}
		ix.notifying = false
	}
	ix.changes = ch[:0]
}

func byPod(a, b change) int { return cmp.Compare(a.pod, b.pod) }

// sortBySvc sorts the few changes of a pod operation by Service (an insertion
// sort: cheaper than slices.SortFunc for the handful a pod change makes).
func sortBySvc(ch []change) {
	for i := 1; i < len(ch); i++ {
		c := ch[i]
		j := i
		for ; j > 0 && ch[j-1].svc > c.svc; j-- {
			ch[j] = ch[j-1]
		}
		ch[j] = c
	}
}

// checkCandidate appends the change, if any, of a Service that may select the
// pod: whether it matches now, against whether it did before the operation.
func (ix *Index) checkCandidate(ch []change, svc ServiceID, pod PodID, l labels.Labels, oldC, newC Conditions) []change {
	ix.candidateChecked++
	if !ix.svcs[svc].sel.Matches(l) {
		return ch
	}
	ix.svcNew[svc] = ix.epoch
	if ix.svcOld[svc] != ix.epoch {
		return append(ch, change{svc: svc, pod: pod, new: newC})
	}
	if oldC != newC {
		return append(ch, change{svc: svc, pod: pod, old: oldC, new: newC})
	}
	return ch
}

// recompute finds the pod's Services from its current labels and state through
// the inverted index and commits the difference with its current memberships,
// which were made with conditions oldC.
func (ix *Index) recompute(pod PodID, oldC Conditions) {
	ix.bump()
	ix.candidateChecked = 0
	p := &ix.pods[pod]
	for _, m := range p.memb {
		ix.svcOld[m.svc] = ix.epoch
	}
	newC := p.state.Conditions()
	ch := ix.changes[:0]
	if newC.Member {
		l := p.labels
		for _, r := range p.posts {
			pr := &ix.pairs[r.pair]
			for _, s := range pr.svcs {
				ch = ix.checkCandidate(ch, s, pod, l, oldC, newC)
			}
			for _, s := range ix.keys[pr.key].svcs {
				ch = ix.checkCandidate(ch, s, pod, l, oldC, newC)
			}
		}
		for _, s := range ix.scan {
			ch = ix.checkCandidate(ch, s, pod, l, oldC, newC)
		}
	}
	for _, m := range p.memb {
		if ix.svcNew[m.svc] != ix.epoch {
			ch = append(ch, change{svc: m.svc, pod: pod, old: oldC})
		}
	}
	sortBySvc(ch)
	ix.commit(ch)
}

// --- public operations ---

func (ix *Index) growPods(id PodID) {
	for int(id) >= len(ix.pods) {
		ix.pods = append(ix.pods, podRec{})
		ix.podOld = append(ix.podOld, 0)
		ix.podNew = append(ix.podNew, 0)
	}
}

func (ix *Index) growSvcs(id ServiceID) {
	for int(id) >= len(ix.svcs) {
		ix.svcs = append(ix.svcs, svcRec{})
		ix.svcOld = append(ix.svcOld, 0)
		ix.svcNew = append(ix.svcNew, 0)
	}
}

// SetPod adds the pod or records its new labels and state, and updates the
// endpoints of every Service whose membership or conditions change, telling the
// subscribers (in ServiceID order). The Services to check are found through the
// inverted index, never by scanning all Services. It does not allocate once the
// index's tables have grown to the pod's labels and Services.
func (ix *Index) SetPod(id PodID, l labels.Labels, st PodState) error {
	if err := ix.checkID("pod", int32(id)); err != nil {
		return err
	}
	ix.growPods(id)
	p := &ix.pods[id]
	if !p.present {
		p.present = true
		ix.nPods++
		p.state = st
		p.labels, p.owned = l, false
		ix.setPostings(id, l)
		ix.recompute(id, Conditions{})
		return nil
	}
	same := p.labels.Equal(l)
	if !same {
		p.labels, p.owned = l, false
	}
	return ix.update(id, same, st)
}

// SetPodMap is SetPod with the pod's label map, as the model keeps it. The
// index compiles the map into storage it keeps for the pod (reused from one call
// to the next, and by the next pod given the same id), so that a call does not
// allocate once the pod has had as many labels, and when the labels are those of
// the last call it only compares them (one map lookup per label) instead of
// compiling.
func (ix *Index) SetPodMap(id PodID, m map[string]string, st PodState) error {
	if err := ix.checkID("pod", int32(id)); err != nil {
		return err
	}
	ix.growPods(id)
	p := &ix.pods[id]
	changed := p.own.SetMap(m)
	l := p.own.Labels()
	if !p.present {
		p.present = true
		ix.nPods++
		p.state = st
		p.labels, p.owned = l, true
		ix.setPostings(id, l)
		ix.recompute(id, Conditions{})
		return nil
	}
	same := !changed
	if !p.owned {
		same = p.labels.Equal(l)
	}
	p.labels, p.owned = l, true // the masks change with the labels
	return ix.update(id, same, st)
}

// update records the new state of a present pod whose labels have been set;
// sameLabels says whether they are those it had.
func (ix *Index) update(id PodID, sameLabels bool, st PodState) error {
	p := &ix.pods[id]
	oldC, newC := p.state.Conditions(), st.Conditions()
	if sameLabels && oldC.Member == newC.Member {
		p.state = st
		if oldC == newC || !newC.Member {
			return nil
		}
		// Same Services, new conditions.
		ch := ix.changes[:0]
		for _, m := range p.memb {
			ch = append(ch, change{svc: m.svc, pod: id, old: oldC, new: newC})
		}
		sortBySvc(ch)
		ix.commit(ch)
		return nil
	}
	p.state = st
	if !sameLabels {
		ix.setPostings(id, p.labels)
	}
	ix.recompute(id, oldC)
	return nil
}

// DeletePod removes the pod from the index and from every Service's endpoints.
// Deleting an unknown pod does nothing.
func (ix *Index) DeletePod(id PodID) error {
	if ix.notifying {
		return errReentrant
	}
	if id < 0 || int(id) >= len(ix.pods) || !ix.pods[id].present {
		return nil
	}
	p := &ix.pods[id]
	oldC := p.state.Conditions()
	ch := ix.changes[:0]
	for _, m := range p.memb {
		ch = append(ch, change{svc: m.svc, pod: id, old: oldC})
	}
	sortBySvc(ch)
	ix.commit(ch)
	p = &ix.pods[id]
	for i := len(p.posts) - 1; i >= 0; i-- {
		ix.removePosting(id, i)
		p = &ix.pods[id]
	}
	p.present = false
	p.labels, p.owned = labels.Labels{}, false // own's storage stays for the next pod with this id
	p.state = PodState{}
	ix.nPods--
	return nil
}

// SetService adds the Service or changes its selector, and updates its endpoints,
// telling the subscribers (in PodID order). A nil selector selects no pods. The
// candidate pods are those carrying the pairs (or key) the selector is registered
// under; a selector with no positive requirement checks every pod.
func (ix *Index) SetService(id ServiceID, sel *labels.Selector) error {
	if err := ix.checkID("service", int32(id)); err != nil {
		return err
	}
	if sel == nil {
		sel = labels.Nothing()
	}
	ix.growSvcs(id)
	s := &ix.svcs[id]
	if s.present {
		if s.sel == sel {
			return nil
		}
		ix.unregister(id)
	} else {
		s.present = true
		ix.nSvcs++
	}
	s.sel = sel
	ix.register(id)

	ix.bump()
	s = &ix.svcs[id]
	for _, q := range s.members {
		ix.podOld[q] = ix.epoch
	}
	ch := ix.changes[:0]
	check := func(q PodID) {
		p := &ix.pods[q]
		c := p.state.Conditions()
		if !c.Member || !sel.Matches(p.labels) {
			return
		}
		ix.podNew[q] = ix.epoch
		if ix.podOld[q] != ix.epoch {
			ch = append(ch, change{svc: id, pod: q, new: c})
		}
	}
	for _, r := range s.regs {
		switch r.kind {
		case regPair:
			for _, q := range ix.pairs[r.list].pods {
				check(q)
			}
		case regKey:
			for _, pi := range ix.keys[r.list].pairs {
				for _, q := range ix.pairs[pi].pods {
					check(q)
				}
			}
		case regScan:
			for q := range ix.pods {
				if ix.pods[q].present {
					check(PodID(q))
				}
			}
		}
	}
	for _, q := range s.members {
		if ix.podNew[q] != ix.epoch {
			ch = append(ch, change{svc: id, pod: q, old: ix.pods[q].state.Conditions()})
		}
	}
	slices.SortFunc(ch, byPod)
	ix.commit(ch)
	return nil
}

// DeleteService removes the Service and its endpoints, telling the subscribers
// of each removed endpoint (in PodID order). Deleting an unknown Service does
// nothing.
func (ix *Index) DeleteService(id ServiceID) error {
	if ix.notifying {
		return errReentrant
	}
	if id < 0 || int(id) >= len(ix.svcs) || !ix.svcs[id].present {
		return nil
	}
	ix.unregister(id)
	s := &ix.svcs[id]
	ch := ix.changes[:0]
	for _, q := range s.members {
		ch = append(ch, change{svc: id, pod: q, old: ix.pods[q].state.Conditions()})
	}
	slices.SortFunc(ch, byPod)
	ix.commit(ch)
	s = &ix.svcs[id]
	s.present = false
	s.sel = nil
	s.members = nil
	ix.nSvcs--
	return nil
}

// --- queries ---

// Endpoints appends the Service's endpoints to dst in PodID order and returns it.
func (ix *Index) Endpoints(svc ServiceID, dst []Endpoint) []Endpoint {
	if svc < 0 || int(svc) >= len(ix.svcs) {
		return dst
	}
	n := len(dst)
	for _, q := range ix.svcs[svc].members {
		dst = append(dst, Endpoint{Pod: q, Conditions: ix.pods[q].state.Conditions()})
	}
	slices.SortFunc(dst[n:], func(a, b Endpoint) int { return cmp.Compare(a.Pod, b.Pod) })
	return dst
}

// Count returns the number of the Service's endpoints that are ready and that
// are serving.
func (ix *Index) Count(svc ServiceID) (ready, serving int) {
	if svc < 0 || int(svc) >= len(ix.svcs) {
		return 0, 0
	}
	s := &ix.svcs[svc]
	return int(s.ready), int(s.serving)
}

// Len returns the number of endpoints of the Service.
func (ix *Index) Len(svc ServiceID) int {
	if svc < 0 || int(svc) >= len(ix.svcs) {
		return 0
	}
	return len(ix.svcs[svc].members)
}

// Services appends to dst, in ServiceID order, the Services the pod is an
// endpoint of.
func (ix *Index) Services(pod PodID, dst []ServiceID) []ServiceID {
	if pod < 0 || int(pod) >= len(ix.pods) {
		return dst
	}
	n := len(dst)
	for _, m := range ix.pods[pod].memb {
		dst = append(dst, m.svc)
	}
	slices.Sort(dst[n:])
	return dst
}

// Size returns how many pods and Services are indexed.
func (ix *Index) Size() (pods, services int) { return ix.nPods, ix.nSvcs }

// Checked returns how many selectors the last SetPod matched against the pod
// (the candidates the inverted index found).
func (ix *Index) Checked() int { return ix.candidateChecked }

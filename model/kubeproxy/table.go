package kubeproxy

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kubesim/kubesim/model/endpoints"
	"github.com/kubesim/kubesim/sim"
)

// Mode names, as kube-proxy's --proxy-mode spells them.
const (
	ModeIPTables = "iptables"
	ModeNFTables = "nftables"
	ModeIPVS     = "ipvs"
)

// IPVS scheduler names, as kube-proxy's --ipvs-scheduler spells them.
const (
	SchedulerRoundRobin       = "rr"
	SchedulerLeastConnections = "lc"
)

// DefaultAffinityTimeout is Kubernetes' default ClientIP session affinity timeout
// (service.spec.sessionAffinityConfig.clientIP.timeoutSeconds, 10800 s).
const DefaultAffinityTimeout = 10800 * time.Second

// MaxAffinityTimeout is the largest timeout the API server accepts (one day).
const MaxAffinityTimeout = 86400 * time.Second

// Config is kube-proxy's load-balancing configuration.
type Config struct {
	// Mode is "iptables" (the default when empty), "nftables" or "ipvs".
	Mode string
	// Scheduler is the IPVS scheduler, "rr" (the default when empty) or "lc".
	// It must be empty for the other modes.
	Scheduler string
}

// algo is the resolved picking algorithm.
type algo uint8

const (
	algoRandom algo = iota
	algoRR
	algoLC
)

func (c Config) algo() (algo, error) {
	switch c.Mode {
	case "", ModeIPTables, ModeNFTables:
		if c.Scheduler != "" {
			return 0, fmt.Errorf("kube-proxy: scheduler %q is only valid with mode %q; mode %q picks endpoints at random (leave the scheduler empty)", c.Scheduler, ModeIPVS, c.modeName())
		}
		return algoRandom, nil
	case ModeIPVS:
		switch c.Scheduler {
		case "", SchedulerRoundRobin:
			return algoRR, nil
		case SchedulerLeastConnections:
			return algoLC, nil
		}
		return 0, fmt.Errorf("kube-proxy: unknown IPVS scheduler %q; use %q (round robin, the default) or %q (least connections)", c.Scheduler, SchedulerRoundRobin, SchedulerLeastConnections)
	}
	return 0, fmt.Errorf("kube-proxy: unknown proxy mode %q; use %q, %q or %q", c.Mode, ModeIPTables, ModeNFTables, ModeIPVS)
}

func (c Config) modeName() string {
	if c.Mode == "" {
		return ModeIPTables
	}
	return c.Mode
}

// Validate reports whether c names a known mode and scheduler.
func (c Config) Validate() error {
	_, err := c.algo()
	return err
}

// Affinity is a Service's session affinity (service.spec.sessionAffinity).
type Affinity struct {
	// ClientIP is true for sessionAffinity: ClientIP; false is None.
	ClientIP bool
	// Timeout is how long a client stays with its endpoint after its last new
	// connection. Zero means DefaultAffinityTimeout.
	Timeout sim.Time
}

func (a Affinity) timeout() (sim.Time, error) {
	if !a.ClientIP {
		if a.Timeout != 0 {
			return 0, fmt.Errorf("kube-proxy: affinity timeout %v given without ClientIP session affinity; set ClientIP or leave the timeout at 0", a.Timeout)
		}
		return 0, nil
	}
	switch {
	case a.Timeout == 0:
		return DefaultAffinityTimeout, nil
	case a.Timeout < 0 || a.Timeout > MaxAffinityTimeout:
		return 0, fmt.Errorf("kube-proxy: ClientIP affinity timeout %v is out of range; it must be in (0, %v] (0 selects the default %v)", a.Timeout, MaxAffinityTimeout, DefaultAffinityTimeout)
	}
	return a.Timeout, nil
}

// ClientID identifies a client for ClientIP session affinity (its source IP in
// a real cluster).
type ClientID uint32

// Pools of a table: new connections go to the ready pool; only when it is empty
// to the fallback pool (serving and terminating endpoints).
const (
	poolReady    = 0
	poolFallback = 1
	poolNone     = -1
)

const nilIdx = -1

type entry struct {
	pod   endpoints.PodID
	conns int32 // open connections, counted in every mode
	pool  int8  // poolReady, poolFallback or poolNone
	pos   int32 // position in pools[pool].members
	// least-connections: intrusive list of the entries of one count bucket
	lprev, lnext int32
	mark         uint32 // Replace's sweep epoch
}

// bucket holds the entries of a pool with the same connection count, and links
// the non-empty buckets in increasing count order.
type bucket struct {
	head, tail int32 // entries
	prev, next int32 // counts of the neighbouring non-empty buckets
}

type pool struct {
	members []int32 // entry indices; random and rr pick from here
	rr      int     // rr: position of the next pick
	buckets []bucket
	minB    int32 // lc: count of the first non-empty bucket, nilIdx if empty
}

type affEntry struct {
	pod  endpoints.PodID
	last sim.Time
}

// Table is one Service's load-balancing state in one kube-proxy: its endpoints as
// last applied, split into the ready pool and the fallback pool
// (serving and terminating), the picking state of the mode and the ClientIP
// affinity table. It is not safe for concurrent use.
type Table struct {
	algo    algo
	rng     *rand.PCG
	timeout sim.Time // 0: no session affinity

	ents  []entry
	free  []int32
	byPod map[endpoints.PodID]int32
	pools [2]pool
	epoch uint32

	aff       map[ClientID]affEntry
	reapAfter int
}

// NewTable returns an empty table. rng is used by the random modes; it may be nil
// for IPVS.
func NewTable(cfg Config, rng *rand.PCG) (*Table, error) {
	a, err := cfg.algo()
	if err != nil {
		return nil, err
	}
	if a == algoRandom && rng == nil {
		return nil, fmt.Errorf("kube-proxy: mode %q picks at random and needs a random stream; pass one from sim.NewStreamPCG", cfg.modeName())
	}
	t := &Table{algo: a, rng: rng, byPod: make(map[endpoints.PodID]int32)}
	for i := range t.pools {
		t.pools[i].minB = nilIdx
	}
	return t, nil
}

// SetAffinity sets the Service's session affinity. Changing it forgets the
// clients' current endpoints.
func (t *Table) SetAffinity(a Affinity) error {
	to, err := a.timeout()
	if err != nil {
		return err
	}
	t.timeout = to
	t.aff = nil
	t.reapAfter = 0
	if to > 0 {
		t.aff = make(map[ClientID]affEntry)
		t.reapAfter = 64
	}
	return nil
}

func poolOf(c endpoints.Conditions) int8 {
	switch {
	case !c.Member:
		return poolNone
	case c.Ready:
		return poolReady
	case c.Serving && c.Terminating:
		return poolFallback
	}
	return poolNone
}

// Set applies one endpoint's conditions as delivered by the endpoint index:
// c.Member false removes the endpoint. Connections already open to the pod
// stay counted until released, even while it is not an endpoint.
func (t *Table) Set(pod endpoints.PodID, c endpoints.Conditions) {
	p := poolOf(c)
	ei, ok := t.byPod[pod]
	if !ok {
		if p == poolNone {
			return
		}
		ei = t.newEntry(pod)
	}
	e := &t.ents[ei]
	if e.pool == p {
		return
	}
	if e.pool != poolNone {
		t.leave(ei)
	}
	if p != poolNone {
		t.join(ei, p)
	} else if t.ents[ei].conns == 0 {
		t.freeEntry(ei)
	}
}

// Delete removes the pod's endpoint, as Set with the zero Conditions.
func (t *Table) Delete(pod endpoints.PodID) { t.Set(pod, endpoints.Conditions{}) }

// Replace makes the table hold exactly the given endpoints (a full resync).
func (t *Table) Replace(eps []endpoints.Endpoint) {
	t.epoch++
	for _, ep := range eps {
		t.Set(ep.Pod, ep.Conditions)
		if ei, ok := t.byPod[ep.Pod]; ok {
			t.ents[ei].mark = t.epoch
		}
	}
	for pi := range t.pools {
		for i := 0; i < len(t.pools[pi].members); {
			ei := t.pools[pi].members[i]
			if t.ents[ei].mark == t.epoch {
				i++
				continue
			}
			t.Delete(t.ents[ei].pod) // swaps the last member into i
		}
	}
}

func (t *Table) newEntry(pod endpoints.PodID) int32 {
	var ei int32
	if n := len(t.free); n > 0 {
		ei = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		ei = int32(len(t.ents))
		t.ents = append(t.ents, entry{})
	}
	t.ents[ei] = entry{pod: pod, pool: poolNone, pos: nilIdx, lprev: nilIdx, lnext: nilIdx}
	t.byPod[pod] = ei
	return ei
}

func (t *Table) freeEntry(ei int32) {
	delete(t.byPod, t.ents[ei].pod)
	t.ents[ei] = entry{pool: poolNone}
	t.free = append(t.free, ei)
}

func (t *Table) join(ei int32, p int8) {
	pl := &t.pools[p]
	e := &t.ents[ei]
	e.pool = p
	e.pos = int32(len(pl.members))
	pl.members = append(pl.members, ei)
	if t.algo == algoLC {
		t.lcInsert(pl, ei)
	}
}

func (t *Table) leave(ei int32) {
	e := &t.ents[ei]
	pl := &t.pools[e.pool]
	last := pl.members[len(pl.members)-1]
	pl.members[e.pos] = last
	t.ents[last].pos = e.pos
	pl.members = pl.members[:len(pl.members)-1]
	if pl.rr >= len(pl.members) {
		pl.rr = 0
	}
	if t.algo == algoLC {
		t.lcRemove(pl, ei)
	}
	e.pool = poolNone
	e.pos = nilIdx
}

// Pick chooses the endpoint for a new connection from client at time now: a ready
// endpoint, or a serving and terminating one only when no endpoint is ready. ok is
// false when there is neither (kube-proxy rejects the connection: connection
// refused). With ClientIP affinity, a client whose last connection to a still
// usable endpoint is less than the timeout ago goes to it again. In every mode the
// chosen endpoint's connection count goes up by one; call Release when the
// connection closes. Pick does not allocate (the affinity table grows with the
// number of distinct clients).
func (t *Table) Pick(client ClientID, now sim.Time) (endpoints.PodID, bool) {
	pod, _, ok := t.PickConn(client, now)
	return pod, ok
}

// Conn is where Pick counted a connection in its table: ReleaseConn with it
// finds the entry without looking the pod up.
type Conn int32

// PickConn is Pick, with the connection's place in the table for
// ReleaseConn.
func (t *Table) PickConn(client ClientID, now sim.Time) (endpoints.PodID, Conn, bool) {
	var pi int8 = poolReady
	if len(t.pools[poolReady].members) == 0 {
		pi = poolFallback
		if len(t.pools[poolFallback].members) == 0 {
			return 0, 0, false
		}
	}
	pl := &t.pools[pi]
	if t.timeout > 0 {
		if a, ok := t.aff[client]; ok && now-a.last < t.timeout {
			if ei, ok := t.byPod[a.pod]; ok && t.ents[ei].pool == pi {
				t.connect(pl, ei)
				t.aff[client] = affEntry{pod: a.pod, last: now}
				return a.pod, Conn(ei), true
			}
		}
	}
	var ei int32
	switch t.algo {
	case algoRandom:
		ei = pl.members[sim.IntN(t.rng, len(pl.members))]
	case algoRR:
		if pl.rr >= len(pl.members) {
			pl.rr = 0
		}
		ei = pl.members[pl.rr]
		pl.rr++
	case algoLC:
		ei = pl.buckets[pl.minB].head
	}
	t.connect(pl, ei)
	pod := t.ents[ei].pod
	if t.timeout > 0 {
		t.aff[client] = affEntry{pod: pod, last: now}
		if len(t.aff) >= t.reapAfter {
			t.reap(now)
		}
	}
	return pod, Conn(ei), true
}

// reap forgets expired affinities once the table has doubled since the last
// sweep, so that it stays proportional to the clients seen within a timeout.
// Deleting expired entries gives the same result in any iteration order.
func (t *Table) reap(now sim.Time) {
	for c, a := range t.aff {
		if now-a.last >= t.timeout {
			delete(t.aff, c)
		}
	}
	t.reapAfter = max(64, 2*len(t.aff))
}

func (t *Table) connect(pl *pool, ei int32) {
	if t.algo == algoLC {
		t.lcMove(pl, ei, +1)
	} else {
		t.ents[ei].conns++
	}
}

// Release records that a connection to pod has closed. Releasing a pod with no
// open connections does nothing.
func (t *Table) Release(pod endpoints.PodID) {
	ei, ok := t.byPod[pod]
	if !ok || t.ents[ei].conns == 0 {
		return
	}
	t.release(ei)
}

// ReleaseConn is Release of a connection PickConn counted at c. An entry
// with open connections stays in place (byPod[pod] is c while the pod's
// count is above 0), so when c still holds pod with connections it is the
// entry Release would find; otherwise (the table was replaced meanwhile)
// ReleaseConn looks the pod up as Release does.
func (t *Table) ReleaseConn(pod endpoints.PodID, c Conn) {
	ei := int32(c)
	if uint(ei) >= uint(len(t.ents)) || t.ents[ei].pod != pod || t.ents[ei].conns == 0 {
		t.Release(pod)
		return
	}
	t.release(ei)
}

// release is Release of entry ei, which has open connections.
func (t *Table) release(ei int32) {
	e := &t.ents[ei]
	switch {
	case e.pool == poolNone:
		e.conns--
		if e.conns == 0 {
			t.freeEntry(ei)
		}
	case t.algo == algoLC:
		t.lcMove(&t.pools[e.pool], ei, -1)
	default:
		e.conns--
	}
}

// Conns returns the number of open connections to pod through this table.
func (t *Table) Conns(pod endpoints.PodID) int {
	if ei, ok := t.byPod[pod]; ok {
		return int(t.ents[ei].conns)
	}
	return 0
}

// Len returns the number of ready endpoints and of fallback (serving and
// terminating, not ready) endpoints.
func (t *Table) Len() (ready, fallback int) {
	return len(t.pools[poolReady].members), len(t.pools[poolFallback].members)
}

// --- least connections: buckets of entries by connection count ---

func (t *Table) bucketAt(pl *pool, c int32) *bucket {
	for int32(len(pl.buckets)) <= c {
		pl.buckets = append(pl.buckets, bucket{head: nilIdx, tail: nilIdx, prev: nilIdx, next: nilIdx})
	}
	return &pl.buckets[c]
}

// linkBucket puts the empty bucket c into the non-empty list between prev and
// next (either may be nilIdx).
func (pl *pool) linkBucket(c, prev, next int32) {
	b := &pl.buckets[c]
	b.prev, b.next = prev, next
	if prev == nilIdx {
		pl.minB = c
	} else {
		pl.buckets[prev].next = c
	}
	if next != nilIdx {
		pl.buckets[next].prev = c
	}
}

func (pl *pool) unlinkBucket(c int32) {
	b := &pl.buckets[c]
	if b.prev == nilIdx {
		pl.minB = b.next
	} else {
		pl.buckets[b.prev].next = b.next
	}
	if b.next != nilIdx {
		pl.buckets[b.next].prev = b.prev
	}
	b.prev, b.next = nilIdx, nilIdx
}

func (t *Table) pushEntry(pl *pool, c, ei int32) {
	b := &pl.buckets[c]
	e := &t.ents[ei]
	e.lprev, e.lnext = b.tail, nilIdx
	if b.tail == nilIdx {
		b.head = ei
	} else {
		t.ents[b.tail].lnext = ei
	}
	b.tail = ei
}

// popEntry takes ei out of its bucket and reports whether the bucket is now empty.
func (t *Table) popEntry(pl *pool, c, ei int32) bool {
	b := &pl.buckets[c]
	e := &t.ents[ei]
	if e.lprev == nilIdx {
		b.head = e.lnext
	} else {
		t.ents[e.lprev].lnext = e.lnext
	}
	if e.lnext == nilIdx {
		b.tail = e.lprev
	} else {
		t.ents[e.lnext].lprev = e.lprev
	}
	e.lprev, e.lnext = nilIdx, nilIdx
	return b.head == nilIdx
}

// lcInsert adds an entry with any count; finding its place among the non-empty
// buckets walks them (endpoint changes only, never Pick or Release).
func (t *Table) lcInsert(pl *pool, ei int32) {
	c := t.ents[ei].conns
	b := t.bucketAt(pl, c)
	if b.head == nilIdx {
		prev, next := int32(nilIdx), pl.minB
		for next != nilIdx && next < c {
			prev, next = next, pl.buckets[next].next
		}
		pl.linkBucket(c, prev, next)
	}
	t.pushEntry(pl, c, ei)
}

func (t *Table) lcRemove(pl *pool, ei int32) {
	c := t.ents[ei].conns
	if t.popEntry(pl, c, ei) {
		pl.unlinkBucket(c)
	}
}

// lcMove changes the entry's count by d (+1 or -1) in O(1): the neighbouring count
// is linked next to the current, non-empty, bucket before the entry leaves it.
func (t *Table) lcMove(pl *pool, ei int32, d int32) {
	c := t.ents[ei].conns
	n := c + d
	nb := t.bucketAt(pl, n)
	if nb.head == nilIdx {
		cur := &pl.buckets[c]
		if d > 0 {
			pl.linkBucket(n, c, cur.next)
		} else {
			pl.linkBucket(n, cur.prev, c)
		}
	}
	if t.popEntry(pl, c, ei) {
		pl.unlinkBucket(c)
	}
	t.ents[ei].conns = n
	t.pushEntry(pl, n, ei)
}

package bench

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	k8slabels "k8s.io/apimachinery/pkg/labels"

	"github.com/kubesim/kubesim/model/endpoints"
	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/sim"
)

// epCluster is a synthetic cluster at Kubernetes' scalability limits, with the
// label vocabulary of real workloads: every pod of a Deployment carries app,
// tier, env, team, version, pod-template-hash and the app.kubernetes.io
// name/part-of labels; most Services select app=X or app=X,tier=Y, some use the
// recommended labels, and one in ten is set-based.
type epCluster struct {
	podMaps  []map[string]string
	svcSrc   []string // selector strings
	svcSel   []*labels.Selector
	podApp   []int // app index of each pod
	apps     []string
	appPods  [][]int // pods of each app
	appSvcs  [][]int // services whose selector names the app
	flipPod  int
	flipFrom map[string]string
	flipTo   map[string]string
}

var (
	epClusterOnce  sync.Once
	epClusterCache *epCluster
)

const (
	benchPods     = 150000
	benchServices = 10000
)

var (
	epAppWords = []string{"web", "api", "auth", "cart", "payments", "search", "catalog", "users", "orders",
		"inventory", "billing", "notify", "gateway", "worker", "cache", "db", "queue", "ml", "report", "media"}
	epTiers    = []string{"frontend", "backend", "cache", "database", "worker"}
	epEnvs     = []string{"prod", "prod", "prod", "prod", "prod", "prod", "prod", "staging", "staging", "dev"}
	epVersions = []string{"v1", "v2", "v3", "v4", "v5"}
)

func buildEPCluster() *epCluster {
	r := sim.NewStream(1, "bench/endpoints/cluster")
	c := &epCluster{}
	const nApps = benchServices / 2
	type epAppInfo struct {
		tier, env, team, version, hash, partOf string
	}
	infos := make([]epAppInfo, nApps)
	for a := range nApps {
		c.apps = append(c.apps, fmt.Sprintf("%s-%d", epAppWords[a%len(epAppWords)], a/len(epAppWords)))
		infos[a] = epAppInfo{
			tier:    epTiers[r.IntN(len(epTiers))],
			env:     epEnvs[r.IntN(len(epEnvs))],
			team:    fmt.Sprintf("team-%d", r.IntN(40)),
			version: epVersions[r.IntN(len(epVersions))],
			hash:    fmt.Sprintf("%010x", r.Uint64()&0xffffffffff),
			partOf:  fmt.Sprintf("system-%d", r.IntN(200)),
		}
	}
	c.appPods = make([][]int, nApps)
	for p := range benchPods {
		a := p % nApps // 30 pods per app
		in := infos[a]
		c.podApp = append(c.podApp, a)
		c.appPods[a] = append(c.appPods[a], p)
		c.podMaps = append(c.podMaps, map[string]string{
			"app": c.apps[a], "tier": in.tier, "env": in.env, "team": in.team, "version": in.version,
			"pod-template-hash": in.hash, "app.kubernetes.io/name": c.apps[a], "app.kubernetes.io/part-of": in.partOf,
		})
	}
	c.appSvcs = make([][]int, nApps)
	for s := range benchServices {
		a := s / 2
		in := infos[a]
		var src string
		named := []int{a}
		switch k := r.IntN(100); {
		case k < 55:
			src = "app=" + c.apps[a]
		case k < 85:
			src = "app=" + c.apps[a] + ",tier=" + in.tier
		case k < 90:
			src = "app.kubernetes.io/name=" + c.apps[a] + ",app.kubernetes.io/part-of=" + in.partOf
		case k < 93:
			b := (a + 1) % nApps
			src = "app in (" + c.apps[a] + "," + c.apps[b] + ")"
			named = append(named, b)
		case k < 96:
			src = "app=" + c.apps[a] + ",version in (v1,v2,v3)"
		case k < 98:
			src = "app=" + c.apps[a] + ",env notin (dev)"
		default:
			src = "app=" + c.apps[a] + ",track!=canary"
		}
		c.svcSrc = append(c.svcSrc, src)
		c.svcSel = append(c.svcSel, labels.MustParse(src))
		for _, n := range named {
			c.appSvcs[n] = append(c.appSvcs[n], s)
		}
	}
	// The benchmark relabels one pod from app a to app b (app and
	// app.kubernetes.io/name), choosing the first pair of apps for which that
	// flips the pod's membership in four Services: those of a and of b.
	for a := 0; a < nApps && c.flipTo == nil; a++ {
		for b := a + 1; b < min(a+50, nApps); b++ {
			p := c.appPods[a][0]
			from := c.podMaps[p]
			to := map[string]string{}
			for k, v := range from {
				to[k] = v
			}
			to["app"] = c.apps[b]
			to["app.kubernetes.io/name"] = c.apps[b]
			lf, lt := labels.NewLabels(from), labels.NewLabels(to)
			flips := 0
			for _, s := range append(append([]int(nil), c.appSvcs[a]...), c.appSvcs[b]...) {
				if c.svcSel[s].Matches(lf) != c.svcSel[s].Matches(lt) {
					flips++
				}
			}
			if flips == 4 {
				c.flipPod, c.flipFrom, c.flipTo = p, from, to
				break
			}
		}
	}
	return c
}

func getEPCluster() *epCluster {
	epClusterOnce.Do(func() { epClusterCache = buildEPCluster() })
	return epClusterCache
}

func epHeapInUse() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

type epCountingSub struct{ n int }

func (c *epCountingSub) EndpointChanged(endpoints.ServiceID, endpoints.PodID, endpoints.Conditions, endpoints.Conditions) {
	c.n++
}

// BenchmarkEndpointUpdate: one pod label change that flips its membership in a
// few Services, with 150,000 pods and 10,000 Services indexed. Outside the timer:
// the index is built, and the pod's two label maps are compiled (labels.NewLabels)
// once; timed: SetPod alternating between the two compiled sets. The change is
// picked to touch four candidate selectors (the pod's app and the one it moves
// to, two Services each); BenchmarkEndpointUpdateCompile puts the compile in the
// timer and BenchmarkEndpointChurn draws changes from a realistic mix instead.
// Baselines: BenchmarkEndpointUpdateNaive and ...NaiveApimachinery.
func BenchmarkEndpointUpdate(b *testing.B) {
	b.Run(fmt.Sprintf("pods=%d", benchPods), func(b *testing.B) {
		b.Run(fmt.Sprintf("services=%d", benchServices), func(b *testing.B) {
			c := getEPCluster()
			st := endpoints.PodState{HasIP: true, Ready: true}
			compiled := make([]labels.Labels, len(c.podMaps))
			before := epHeapInUse()
			for p, m := range c.podMaps {
				compiled[p] = labels.NewLabels(m)
			}
			afterLabels := epHeapInUse()
			ix := endpoints.NewIndex()
			for s, sel := range c.svcSel {
				if err := ix.SetService(endpoints.ServiceID(s), sel); err != nil {
					b.Fatal(err)
				}
			}
			afterSvcs := epHeapInUse()
			for p, l := range compiled {
				if err := ix.SetPod(endpoints.PodID(p), l, st); err != nil {
					b.Fatal(err)
				}
			}
			afterPods := epHeapInUse()
			sub := &epCountingSub{}
			ix.Subscribe(sub)
			from, to := labels.NewLabels(c.flipFrom), labels.NewLabels(c.flipTo)
			pod := endpoints.PodID(c.flipPod)
			i := 0
			for b.Loop() {
				l := to
				if i&1 == 1 {
					l = from
				}
				i++
				ix.SetPod(pod, l, st)
			}
			b.ReportMetric(float64(sub.n)/float64(i), "flips/op")
			b.ReportMetric(float64(ix.Checked()), "selectors-matched/op")
			b.ReportMetric(float64(afterPods-afterSvcs)/benchPods, "index-B/pod")
			b.ReportMetric(float64(afterLabels-before)/benchPods, "labels-B/pod")
			b.ReportMetric(float64(afterSvcs-afterLabels)/benchServices, "index-B/service")
			runtime.KeepAlive(compiled)
		})
	})
}

// BenchmarkEndpointUpdateCompile is BenchmarkEndpointUpdate with the label
// compile in the timer: each op hands the index the pod's new label map, by
// SetPodMap (what the model calls: the index recompiles the map into the pod's
// storage) or by labels.NewLabels and SetPod (a new compiled set each time).
// Outside the timer: the index and the two label maps.
func BenchmarkEndpointUpdateCompile(b *testing.B) {
	b.Run(fmt.Sprintf("pods=%d", benchPods), func(b *testing.B) {
		b.Run(fmt.Sprintf("services=%d", benchServices), func(b *testing.B) {
			for _, api := range []string{"SetPodMap", "NewLabels"} {
				b.Run(api, func(b *testing.B) {
					c := getEPCluster()
					st := endpoints.PodState{HasIP: true, Ready: true}
					ix := buildEPIndex(c, st)
					sub := &epCountingSub{}
					ix.Subscribe(sub)
					pod := endpoints.PodID(c.flipPod)
					i := 0
					for b.Loop() {
						m := c.flipTo
						if i&1 == 1 {
							m = c.flipFrom
						}
						i++
						if api == "SetPodMap" {
							epSetPodMapOp(ix, pod, m, st)
						} else {
							epNewLabelsOp(ix, pod, m, st)
						}
					}
					b.ReportMetric(float64(sub.n)/float64(i), "flips/op")
				})
			}
		})
	})
}

// buildEPIndex indexes the cluster's Services and pods, every pod in state st.
func buildEPIndex(c *epCluster, st endpoints.PodState) *endpoints.Index {
	return buildEPIndexAPI(c, st, false)
}

// buildEPIndexAPI is buildEPIndex giving the pods' label maps by SetPodMap if
// fromMaps, else compiled by NewLabels.
func buildEPIndexAPI(c *epCluster, st endpoints.PodState, fromMaps bool) *endpoints.Index {
	ix := endpoints.NewIndex()
	for s, sel := range c.svcSel {
		ix.SetService(endpoints.ServiceID(s), sel)
	}
	for p, m := range c.podMaps {
		if fromMaps {
			ix.SetPodMap(endpoints.PodID(p), m, st)
		} else {
			ix.SetPod(endpoints.PodID(p), labels.NewLabels(m), st)
		}
	}
	return ix
}

// BenchmarkEndpointReadyFlip: the Ready condition of one pod that is an
// endpoint of two Services flips (readiness probe), at the same scale. Only
// the pod's current memberships are touched. Outside the timer: the index and
// the pod's compiled label set.
func BenchmarkEndpointReadyFlip(b *testing.B) {
	b.Run(fmt.Sprintf("pods=%d", benchPods), func(b *testing.B) {
		b.Run(fmt.Sprintf("services=%d", benchServices), func(b *testing.B) {
			c := getEPCluster()
			ix := endpoints.NewIndex()
			for s, sel := range c.svcSel {
				ix.SetService(endpoints.ServiceID(s), sel)
			}
			for p, m := range c.podMaps {
				ix.SetPod(endpoints.PodID(p), labels.NewLabels(m), endpoints.PodState{HasIP: true, Ready: true})
			}
			sub := &epCountingSub{}
			ix.Subscribe(sub)
			from := labels.NewLabels(c.flipFrom)
			pod := endpoints.PodID(c.flipPod)
			i := 0
			for b.Loop() {
				i++
				ix.SetPod(pod, from, endpoints.PodState{HasIP: true, Ready: i&1 == 0})
			}
			b.ReportMetric(float64(sub.n)/float64(i), "changes/op")
		})
	})
}

// BenchmarkEndpointUpdateNaive is the same change handled as Kubernetes'
// EndpointSlice controller does: match the pod's old and new labels against
// every Service's selector and resync those whose match flipped. The selectors
// are our compiled ones (the same Matches as the index uses), so the difference
// is the algorithm alone. Outside the timer: the selectors and the two label sets
// are compiled.
func BenchmarkEndpointUpdateNaive(b *testing.B) {
	b.Run(fmt.Sprintf("pods=%d", benchPods), func(b *testing.B) {
		b.Run(fmt.Sprintf("services=%d", benchServices), func(b *testing.B) {
			c := getEPCluster()
			from, to := labels.NewLabels(c.flipFrom), labels.NewLabels(c.flipTo)
			i, flips := 0, 0
			for b.Loop() {
				old, cur := from, to
				if i&1 == 1 {
					old, cur = to, from
				}
				i++
				for _, sel := range c.svcSel {
					if sel.Matches(old) != sel.Matches(cur) {
						flips++
					}
				}
			}
			b.ReportMetric(float64(flips)/float64(i), "flips/op")
		})
	})
}

// BenchmarkEndpointUpdateNaiveApimachinery is the naive algorithm with
// k8s.io/apimachinery's selectors (parsed outside the timer, as the controller's
// selector cache keeps them) on the pod's plain label maps, which is what the
// controller runs; the baseline of BenchmarkEndpointUpdate and ...UpdateCompile.
func BenchmarkEndpointUpdateNaiveApimachinery(b *testing.B) {
	b.Run(fmt.Sprintf("pods=%d", benchPods), func(b *testing.B) {
		b.Run(fmt.Sprintf("services=%d", benchServices), func(b *testing.B) {
			c := getEPCluster()
			sels := make([]k8slabels.Selector, len(c.svcSrc))
			for s, src := range c.svcSrc {
				var err error
				if sels[s], err = k8slabels.Parse(src); err != nil {
					b.Fatal(err)
				}
			}
			from, to := k8slabels.Set(c.flipFrom), k8slabels.Set(c.flipTo)
			i, flips := 0, 0
			for b.Loop() {
				old, cur := from, to
				if i&1 == 1 {
					old, cur = to, from
				}
				i++
				for _, sel := range sels {
					if sel.Matches(old) != sel.Matches(cur) {
						flips++
					}
				}
			}
			b.ReportMetric(float64(flips)/float64(i), "flips/op")
		})
	})
}

// TestBenchClusterIsRealistic checks the synthetic cluster the benchmarks use:
// the index and a brute-force match agree on a sample of Services, and the
// flipped pod changes membership in a few Services.
func TestBenchClusterIsRealistic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 150,000-pod epCluster")
	}
	c := getEPCluster()
	if c.flipTo == nil {
		t.Fatal("no pair of apps whose relabelling flips four Services")
	}
	ix := endpoints.NewIndex()
	st := endpoints.PodState{HasIP: true, Ready: true}
	for s, sel := range c.svcSel {
		ix.SetService(endpoints.ServiceID(s), sel)
	}
	compiled := make([]labels.Labels, len(c.podMaps))
	for p, m := range c.podMaps {
		compiled[p] = labels.NewLabels(m)
		ix.SetPod(endpoints.PodID(p), compiled[p], st)
	}
	r := rand.New(rand.NewPCG(3, 4))
	var buf []endpoints.Endpoint
	for range 50 {
		s := r.IntN(len(c.svcSel))
		want := 0
		for _, l := range compiled {
			if c.svcSel[s].Matches(l) {
				want++
			}
		}
		if got := len(ix.Endpoints(endpoints.ServiceID(s), buf[:0])); got != want || want == 0 {
			t.Errorf("service %d (%s): %d endpoints, brute force %d", s, c.svcSrc[s], got, want)
		}
	}
	sub := &epCountingSub{}
	ix.Subscribe(sub)
	ix.SetPod(endpoints.PodID(c.flipPod), labels.NewLabels(c.flipTo), st)
	if sub.n != 4 {
		t.Errorf("the benchmark's label change flips %d memberships, want 4", sub.n)
	}
}

// epEvent is one pod change the endpoint controller sees: the pod's labels and
// state after it, or its deletion.
type epEvent struct {
	pod    int32
	delete bool
	st     endpoints.PodState
	labels map[string]string
}

// epChurn is a stream of pod changes drawn from a realistic mix. It starts and
// ends with every pod Ready with its original labels, so a benchmark can replay
// it.
type epChurn struct {
	events []epEvent
	kinds  map[string]int
}

const churnEvents = 1 << 17

var (
	epChurnOnce  sync.Once
	epChurnCache *epChurn
)

// buildEPChurn draws about churnEvents pod changes. Up to 1,000 actions are in
// progress at a time, each on a pod picked uniformly from the 150,000 Ready ones;
// every event either starts an action or advances a random one by a step:
//
//	80% replace (rollouts, scale-down and up, evictions): deletion starts
//	    (Terminating, still serving), deleted, recreated by its ReplicaSet with
//	    the same labels (no IP), IP assigned (not Ready), Ready;
//	15% readiness flap: not Ready, Ready;
//	 5% relabel and back: half move the pod to another app (app and
//	    app.kubernetes.io/name), half change its version.
//
// So 91% of the changes are the steps of pod replacements, 7% readiness flaps
// and 2% label changes. Actions still in progress at the end are finished.
func buildEPChurn(c *epCluster) *epChurn {
	r := sim.NewStream(1, "bench/endpoints/churn")
	type action struct {
		pod  int
		kind int // 0 replace, 1 flap, 2 relabel
		step int
	}
	busy := make([]bool, len(c.podMaps))
	var inflight []action
	ch := &epChurn{kinds: map[string]int{}}
	emit := func(a *action) (done bool) {
		p := a.pod
		ev := epEvent{pod: int32(p), labels: c.podMaps[p], st: endpoints.PodState{HasIP: true, Ready: true}}
		var kind string
		switch a.kind {
		case 0:
			kind = [...]string{"terminate", "delete", "create", "ip", "ready"}[a.step]
			switch a.step {
			case 0:
				ev.st.Terminating = true
			case 1:
				ev.delete = true
			case 2:
				ev.st = endpoints.PodState{}
			case 3:
				ev.st.Ready = false
			}
			done = a.step == 4
		case 1:
			kind = [...]string{"unready", "ready"}[a.step]
			ev.st.Ready = a.step == 1
			done = a.step == 1
		default:
			kind = "relabel"
			if a.step == 0 {
				m := maps.Clone(c.podMaps[p])
				if r.IntN(2) == 0 {
					to := c.apps[r.IntN(len(c.apps))]
					m["app"], m["app.kubernetes.io/name"] = to, to
				} else {
					m["version"] = epVersions[r.IntN(len(epVersions))]
				}
				ev.labels = m
			}
			done = a.step == 1
		}
		a.step++
		ch.kinds[kind]++
		ch.events = append(ch.events, ev)
		return done
	}
	advance := func() {
		i := r.IntN(len(inflight))
		if emit(&inflight[i]) {
			busy[inflight[i].pod] = false
			inflight[i] = inflight[len(inflight)-1]
			inflight = inflight[:len(inflight)-1]
		}
	}
	for len(ch.events) < churnEvents {
		if len(inflight) == 0 || len(inflight) < 1000 && r.IntN(2) == 0 {
			p := r.IntN(len(c.podMaps))
			if busy[p] {
				continue
			}
			busy[p] = true
			kind := 0
			if x := r.IntN(100); x >= 95 {
				kind = 2
			} else if x >= 80 {
				kind = 1
			}
			inflight = append(inflight, action{pod: p, kind: kind})
		}
		advance()
	}
	for len(inflight) > 0 {
		advance()
	}
	return ch
}

func getEPChurn(c *epCluster) *epChurn {
	epChurnOnce.Do(func() { epChurnCache = buildEPChurn(c) })
	return epChurnCache
}

// BenchmarkEndpointChurn: the average pod change, drawn from a realistic mix
// (see buildEPChurn: mostly the steps of pods being replaced, some readiness
// flaps, 2% label changes), on pods picked uniformly from 150,000 with 10,000
// Services indexed. Each op hands the pod's label map and state to the index
// (SetPodMap, as the model does, or labels.NewLabels and SetPod), or deletes
// the pod (DeletePod). Outside the timer: the index
// is built (every pod Ready) and the event stream drawn; the stream ends in the
// state it starts from and replays. Baseline:
// BenchmarkEndpointChurnNaiveApimachinery.
func BenchmarkEndpointChurn(b *testing.B) {
	b.Run(fmt.Sprintf("pods=%d", benchPods), func(b *testing.B) {
		b.Run(fmt.Sprintf("services=%d", benchServices), func(b *testing.B) {
			for _, api := range []string{"SetPodMap", "NewLabels"} {
				b.Run(api, func(b *testing.B) {
					c := getEPCluster()
					ch := getEPChurn(c)
					ready := endpoints.PodState{HasIP: true, Ready: true}
					ix := buildEPIndexAPI(c, ready, api == "SetPodMap")
					i, checked := 0, 0
					for b.Loop() {
						ev := &ch.events[i]
						if i++; i == len(ch.events) {
							i = 0
						}
						if api == "SetPodMap" {
							checked += epChurnOp(ix, ev)
						} else {
							checked += epChurnNewLabelsOp(ix, ev)
						}
					}
					b.ReportMetric(float64(checked)/float64(b.N), "selectors-matched/op")
				})
			}
		})
	})
}

// BenchmarkEndpointChurnNaiveApimachinery is the same stream handled as
// Kubernetes' EndpointSlice controller finds the Services to sync: on a pod's
// creation or deletion, and on an update that changes its endpoint (IP,
// readiness, termination) or its labels, it matches the pod's labels against
// every Service's selector, and its old labels too if they changed
// (GetServicesToUpdateOnPodChange). Outside the timer: the selectors are parsed
// (the controller's selector cache) and the stream drawn. The syncs themselves
// are not counted.
func BenchmarkEndpointChurnNaiveApimachinery(b *testing.B) {
	b.Run(fmt.Sprintf("pods=%d", benchPods), func(b *testing.B) {
		b.Run(fmt.Sprintf("services=%d", benchServices), func(b *testing.B) {
			c := getEPCluster()
			ch := getEPChurn(c)
			sels := make([]k8slabels.Selector, len(c.svcSrc))
			for s, src := range c.svcSrc {
				var err error
				if sels[s], err = k8slabels.Parse(src); err != nil {
					b.Fatal(err)
				}
			}
			cur := make([]map[string]string, len(c.podMaps))
			copy(cur, c.podMaps)
			i, matched := 0, 0
			for b.Loop() {
				ev := &ch.events[i]
				if i++; i == len(ch.events) {
					i = 0
				}
				matched += epChurnNaiveOp(sels, cur, ev)
			}
			b.ReportMetric(float64(matched)/float64(b.N), "matched/op")
		})
	})
}

// The ep...Op functions are one op of the endpoint benchmarks, kept out of
// line so that an instruction counter can count them alone (callgrind
// --toggle-collect).
//
//go:noinline
func epSetPodMapOp(ix *endpoints.Index, pod endpoints.PodID, m map[string]string, st endpoints.PodState) {
	ix.SetPodMap(pod, m, st)
}

//go:noinline
func epNewLabelsOp(ix *endpoints.Index, pod endpoints.PodID, m map[string]string, st endpoints.PodState) {
	ix.SetPod(pod, labels.NewLabels(m), st)
}

// epChurnOp applies one churn event by SetPodMap and returns the number of
// selectors matched.
//
//go:noinline
func epChurnOp(ix *endpoints.Index, ev *epEvent) int {
	if ev.delete {
		ix.DeletePod(endpoints.PodID(ev.pod))
		return 0
	}
	ix.SetPodMap(endpoints.PodID(ev.pod), ev.labels, ev.st)
	return ix.Checked()
}

//go:noinline
func epChurnNewLabelsOp(ix *endpoints.Index, ev *epEvent) int {
	if ev.delete {
		ix.DeletePod(endpoints.PodID(ev.pod))
		return 0
	}
	ix.SetPod(endpoints.PodID(ev.pod), labels.NewLabels(ev.labels), ev.st)
	return ix.Checked()
}

// epChurnNaiveOp finds the Services to sync for one churn event as the
// EndpointSlice controller does, with cur the pods' label maps before it.
//
//go:noinline
func epChurnNaiveOp(sels []k8slabels.Selector, cur []map[string]string, ev *epEvent) int {
	matched := 0
	old := cur[ev.pod]
	cur[ev.pod] = ev.labels
	for _, sel := range sels {
		if sel.Matches(k8slabels.Set(ev.labels)) {
			matched++
		}
	}
	if !ev.delete && !maps.Equal(old, ev.labels) {
		for _, sel := range sels {
			if sel.Matches(k8slabels.Set(old)) {
				matched++
			}
		}
	}
	return matched
}

// TestEndpointChurnMix checks the churn stream's mix and that every event is a
// real change for the index (none is a no-op, so that the benchmark measures
// changes), against the index's own subscriber notifications.
func TestEndpointChurnMix(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 150,000-pod epCluster")
	}
	c := getEPCluster()
	ch := getEPChurn(c)
	n := len(ch.events)
	for kind, lo := range map[string]float64{"terminate": 0.15, "delete": 0.15, "create": 0.15, "ip": 0.15, "ready": 0.15, "unready": 0.02, "relabel": 0.01} {
		if f := float64(ch.kinds[kind]) / float64(n); f < lo {
			t.Errorf("%s: %.3f of the events, want at least %.3f (mix %v)", kind, f, lo, ch.kinds)
		}
	}
	ready := endpoints.PodState{HasIP: true, Ready: true}
	ix := buildEPIndex(c, ready)
	sub := &epCountingSub{}
	ix.Subscribe(sub)
	silent := 0
	for _, ev := range ch.events {
		before := sub.n
		if ev.delete {
			ix.DeletePod(endpoints.PodID(ev.pod))
		} else {
			ix.SetPodMap(endpoints.PodID(ev.pod), ev.labels, ev.st)
		}
		if sub.n == before && ev.st.HasIP {
			silent++
		}
	}
	// A relabel to an app without Services, or a version change no selector
	// reads, changes no endpoint; anything else does.
	if silent > ch.kinds["relabel"] {
		t.Errorf("%d events changed no endpoint, more than the %d relabels", silent, ch.kinds["relabel"])
	}
	// The stream closes: the index ends as it started, so that replays are alike.
	// (The fresh index is built from compiled labels, so this also checks
	// SetPodMap against SetPod.)
	fresh := buildEPIndex(c, ready)
	for s := range c.svcSel {
		if got, want := ix.Len(endpoints.ServiceID(s)), fresh.Len(endpoints.ServiceID(s)); got != want {
			t.Fatalf("after the stream service %d has %d endpoints, at the start %d", s, got, want)
		}
	}
}

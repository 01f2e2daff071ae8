package bench

import (
	"fmt"
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
// few Services, with 150,000 pods and 10,000 Services indexed.
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

// BenchmarkEndpointReadyFlip: the Ready condition of one pod that is an
// endpoint of two Services flips (readiness probe), at the same scale. Only
// the pod's current memberships are touched.
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
// is the algorithm alone.
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
// k8s.io/apimachinery's selectors (pre-parsed) on the pod's label maps, which is
// what the controller runs.
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

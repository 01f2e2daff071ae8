package endpoints

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	k8slabels "k8s.io/apimachinery/pkg/labels"

	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/sim"
)

// ---- brute-force oracle ----

type oraclePod struct {
	labels map[string]string
	state  PodState
}

type oracleSvc struct {
	src string             // selector string, for messages
	k8s k8slabels.Selector // nil: selects nothing
}

// oracle recomputes every Service's endpoints from scratch with
// k8s.io/apimachinery's selectors, independently of the index.
type oracle struct {
	pods map[PodID]oraclePod
	svcs map[ServiceID]oracleSvc
}

func (o *oracle) endpoints(svc ServiceID) []Endpoint {
	s, ok := o.svcs[svc]
	if !ok || s.k8s == nil {
		return nil
	}
	var out []Endpoint
	for id, p := range o.pods {
		if p.state.HasIP && !p.state.Terminal && s.k8s.Matches(k8slabels.Set(p.labels)) {
			out = append(out, Endpoint{Pod: id, Conditions: Conditions{
				Member: true, Ready: p.state.Ready && !p.state.Terminating,
				Serving: p.state.Ready, Terminating: p.state.Terminating,
			}})
		}
	}
	slices.SortFunc(out, func(a, b Endpoint) int { return int(a.Pod) - int(b.Pod) })
	return out
}

// mirror rebuilds the endpoints from the subscriber's notifications alone.
type mirror struct {
	t     testing.TB
	state map[[2]int32]Conditions
	step  *int
}

func (m *mirror) EndpointChanged(svc ServiceID, pod PodID, old, new Conditions) {
	k := [2]int32{int32(svc), int32(pod)}
	if old != m.state[k] {
		m.t.Fatalf("step %d: notification for service %d pod %d says old=%v, but the last one left %v", *m.step, svc, pod, old, m.state[k])
	}
	if old == new {
		m.t.Fatalf("step %d: notification for service %d pod %d without a change (%v)", *m.step, svc, pod, old)
	}
	if new.Member {
		m.state[k] = new
	} else {
		delete(m.state, k)
	}
}

var (
	vocabKeys   = []string{"app", "tier", "env", "version", "track"}
	vocabValues = []string{"a", "b", "c", "", "1", "3"}
	// Selector strings of every shape: equality, set-based, negative only,
	// exists, gt/lt, contradictions, and the empty selector (everything).
	vocabSelectors = []string{
		"app=a", "app=b", "app=a,tier=b", "app in (a,b)", "app in (a,c),tier notin (a)",
		"tier", "!tier", "env!=a", "app=a,env=a", "version>2", "version<2,app", "",
		"app notin (a,b)", "track=,app=c", "app=a,app=b", "env in (a,b,c),version",
		"tier==b", "!app,env", "version in (1,3),track", "app,tier,env",
	}
)

// driver applies a sequence of operations to an index and the oracle and
// compares them after each one. next(n) returns a choice in [0, n), or ok=false
// when the operations are exhausted.
type driver struct {
	t      testing.TB
	ix     *Index
	o      oracle
	m      *mirror
	step   int
	nPods  int
	nSvcs  int
	next   func(n int) (int, bool)
	buf    []Endpoint
	svcBuf []ServiceID
}

func newDriver(t testing.TB, nPods, nSvcs int, next func(n int) (int, bool)) *driver {
	d := &driver{t: t, ix: NewIndex(), nPods: nPods, nSvcs: nSvcs, next: next,
		o: oracle{pods: map[PodID]oraclePod{}, svcs: map[ServiceID]oracleSvc{}}}
	d.m = &mirror{t: t, state: map[[2]int32]Conditions{}, step: &d.step}
	d.ix.Subscribe(d.m)
	return d
}

func (d *driver) choose(n int) (int, bool) { return d.next(n) }

func (d *driver) randLabels() (map[string]string, bool) {
	m := map[string]string{}
	for _, k := range vocabKeys {
		c, ok := d.choose(len(vocabValues) + 3) // key absent 3 times in 9
		if !ok {
			return nil, false
		}
		if c < len(vocabValues) {
			m[k] = vocabValues[c]
		}
	}
	return m, true
}

func (d *driver) randState() (PodState, bool) {
	c, ok := d.choose(64)
	if !ok {
		return PodState{}, false
	}
	return PodState{
		HasIP:       c&7 != 0, // 7 in 8
		Terminal:    c&8 != 0 && c&16 != 0,
		Ready:       c&16 == 0 || c&32 != 0,
		Terminating: c&32 != 0 && c&1 != 0,
	}, true
}

// stepOnce applies one random operation; false when the input is exhausted.
func (d *driver) stepOnce() bool {
	op, ok := d.choose(20)
	if !ok {
		return false
	}
	pc, ok1 := d.choose(d.nPods)
	sc, ok2 := d.choose(d.nSvcs)
	if !ok1 || !ok2 {
		return false
	}
	pod, svc := PodID(pc), ServiceID(sc)
	d.step++
	switch {
	case op < 6: // new labels and state
		l, ok1 := d.randLabels()
		st, ok2 := d.randState()
		if !ok1 || !ok2 {
			return false
		}
		d.setPod(pod, l, st)
	case op < 10: // state only (Ready flips, termination starts, ...)
		st, ok := d.randState()
		if !ok {
			return false
		}
		l := map[string]string{}
		if p, ok := d.o.pods[pod]; ok {
			l = p.labels
		}
		d.setPod(pod, l, st)
	case op < 13: // one label changed
		p, ok := d.o.pods[pod]
		if !ok {
			p = oraclePod{labels: map[string]string{}, state: PodState{HasIP: true, Ready: true}}
		}
		k, ok1 := d.choose(len(vocabKeys))
		v, ok2 := d.choose(len(vocabValues) + 1)
		if !ok1 || !ok2 {
			return false
		}
		// Every other time the pod's map itself changes, as the model's maps
		// do (kubectl label), so SetPodMap must not trust a map it has seen.
		l := p.labels
		if d.step%2 == 0 {
			l = maps.Clone(p.labels)
		}
		if v == len(vocabValues) {
			delete(l, vocabKeys[k])
		} else {
			l[vocabKeys[k]] = vocabValues[v]
		}
		d.setPod(pod, l, p.state)
	case op < 15:
		d.ix.DeletePod(pod)
		delete(d.o.pods, pod)
	case op < 18:
		c, ok := d.choose(len(vocabSelectors) + 2)
		if !ok {
			return false
		}
		d.setService(svc, c)
	default:
		d.ix.DeleteService(svc)
		delete(d.o.svcs, svc)
	}
	d.compare()
	return true
}

// setPod sets the pod's labels and state with SetPod (compiled labels) one
// time in three, else with SetPodMap, so that both and the switches between
// them are checked.
func (d *driver) setPod(pod PodID, l map[string]string, st PodState) {
	var err error
	if (d.step+int(pod))%3 == 0 {
		err = d.ix.SetPod(pod, labels.NewLabels(l), st)
	} else {
		err = d.ix.SetPodMap(pod, l, st)
	}
	if err != nil {
		d.t.Fatal(err)
	}
	d.o.pods[pod] = oraclePod{labels: l, state: st}
}

// setService sets selector c: an index into vocabSelectors, or one past it for a
// nil selector (selects nothing), or two past it for a Service map selector.
func (d *driver) setService(svc ServiceID, c int) {
	var sel *labels.Selector
	var o oracleSvc
	switch {
	case c < len(vocabSelectors):
		src := vocabSelectors[c]
		sel = labels.MustParse(src)
		k, err := k8slabels.Parse(src)
		if err != nil {
			d.t.Fatalf("apimachinery rejects %q: %v", src, err)
		}
		o = oracleSvc{src: src, k8s: k}
	case c == len(vocabSelectors):
		o = oracleSvc{src: "<nil>"}
	default:
		m := map[string]string{"app": "b", "tier": "a"}
		sel = labels.ServiceSelector(m)
		o = oracleSvc{src: "map app=b,tier=a", k8s: k8slabels.SelectorFromSet(m)}
	}
	if err := d.ix.SetService(svc, sel); err != nil {
		d.t.Fatal(err)
	}
	d.o.svcs[svc] = o
}

func (d *driver) compare() {
	d.t.Helper()
	total := 0
	memberOf := map[PodID][]ServiceID{}
	for s := range ServiceID(d.nSvcs) {
		want := d.o.endpoints(s)
		d.buf = d.ix.Endpoints(s, d.buf[:0])
		if !slices.Equal(d.buf, want) {
			d.t.Fatalf("step %d: service %d (%s): endpoints\n got %v\nwant %v", d.step, s, d.o.svcs[s].src, d.buf, want)
		}
		var r, sv int
		for _, e := range want {
			if e.Conditions.Ready {
				r++
			}
			if e.Conditions.Serving {
				sv++
			}
			memberOf[e.Pod] = append(memberOf[e.Pod], s)
			if got := d.m.state[[2]int32{int32(s), int32(e.Pod)}]; got != e.Conditions {
				d.t.Fatalf("step %d: subscriber sees service %d pod %d as %v, want %v", d.step, s, e.Pod, got, e.Conditions)
			}
		}
		if gr, gs := d.ix.Count(s); gr != r || gs != sv {
			d.t.Fatalf("step %d: service %d: Count = %d ready %d serving, want %d %d", d.step, s, gr, gs, r, sv)
		}
		total += len(want)
	}
	if len(d.m.state) != total {
		d.t.Fatalf("step %d: subscriber holds %d endpoints, want %d", d.step, len(d.m.state), total)
	}
	for p := range PodID(d.nPods) {
		d.svcBuf = d.ix.Services(p, d.svcBuf[:0])
		if !slices.Equal(d.svcBuf, memberOf[p]) {
			d.t.Fatalf("step %d: pod %d: Services = %v, want %v", d.step, p, d.svcBuf, memberOf[p])
		}
	}
	if np, ns := d.ix.Size(); np != len(d.o.pods) || ns != len(d.o.svcs) {
		d.t.Fatalf("step %d: Size = %d pods %d services, want %d %d", d.step, np, ns, len(d.o.pods), len(d.o.svcs))
	}
}

func rngNext(r *rand.Rand) func(int) (int, bool) {
	return func(n int) (int, bool) { return r.IntN(n), true }
}

// TestIndexAgainstOracle is the fuzz target's check as a plain seeded test:
// many thousands of random operations, compared with the oracle after each.
func TestIndexAgainstOracle(t *testing.T) {
	steps := 20000
	if testing.Short() {
		steps = 3000
	}
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			d := newDriver(t, 40, 24, rngNext(sim.NewStream(seed, "endpoints/oracle")))
			for range steps {
				d.stepOnce()
			}
		})
	}
}

func FuzzEndpointIndex(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	r := sim.NewStream(99, "endpoints/fuzz-seed")
	for range 4 {
		b := make([]byte, 400)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		next := func(n int) (int, bool) {
			if len(data) == 0 {
				return 0, false
			}
			c := int(data[0]) % n
			data = data[1:]
			return c, true
		}
		d := newDriver(t, 8, 6, next)
		for d.stepOnce() {
		}
	})
}

// ---- conditions ----

func TestConditions(t *testing.T) {
	none := Conditions{}
	cases := []struct {
		name  string
		state PodState
		want  Conditions
	}{
		{"running and ready", PodState{HasIP: true, Ready: true}, Conditions{Member: true, Ready: true, Serving: true}},
		{"running, not ready", PodState{HasIP: true}, Conditions{Member: true}},
		{"no IP yet", PodState{Ready: true}, none},
		{"succeeded", PodState{HasIP: true, Terminal: true}, none},
		{"failed while ready", PodState{HasIP: true, Terminal: true, Ready: true}, none},
		{"terminating, still ready", PodState{HasIP: true, Ready: true, Terminating: true}, Conditions{Member: true, Serving: true, Terminating: true}},
		{"terminating, not ready", PodState{HasIP: true, Terminating: true}, Conditions{Member: true, Terminating: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ix := NewIndex()
			ix.SetService(0, labels.MustParse("app=web"))
			ix.SetPod(7, labels.NewLabels(map[string]string{"app": "web"}), tc.state)
			got := ix.Endpoints(0, nil)
			var want []Endpoint
			if tc.want.Member {
				want = []Endpoint{{Pod: 7, Conditions: tc.want}}
			}
			if !slices.Equal(got, want) {
				t.Errorf("endpoints %v, want %v", got, want)
			}
			r, s := ix.Count(0)
			if wr, ws := b2i(tc.want.Ready), b2i(tc.want.Serving); r != wr || s != ws {
				t.Errorf("Count = %d ready %d serving, want %d %d", r, s, wr, ws)
			}
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestPodLifecycle follows one pod through the life the model gives it and
// checks the notifications a subscriber receives.
func TestPodLifecycle(t *testing.T) {
	ix := NewIndex()
	var got []string
	ix.Subscribe(SubscriberFunc(func(svc ServiceID, pod PodID, old, new Conditions) {
		got = append(got, fmt.Sprintf("svc%d pod%d: %v -> %v", svc, pod, old, new))
	}))
	web := labels.NewLabels(map[string]string{"app": "web", "tier": "front"})
	ix.SetService(1, labels.MustParse("app=web"))
	ix.SetService(0, labels.MustParse("tier in (front,back)"))
	ix.SetService(2, labels.MustParse("app=db"))
	steps := []struct {
		do   func()
		want []string
	}{
		{func() { ix.SetPod(5, web, PodState{}) }, nil}, // pending, no IP
		{func() { ix.SetPod(5, web, PodState{HasIP: true}) }, []string{
			"svc0 pod5: none -> ready=false serving=false terminating=false",
			"svc1 pod5: none -> ready=false serving=false terminating=false"}},
		{func() { ix.SetPod(5, web, PodState{HasIP: true, Ready: true}) }, []string{
			"svc0 pod5: ready=false serving=false terminating=false -> ready=true serving=true terminating=false",
			"svc1 pod5: ready=false serving=false terminating=false -> ready=true serving=true terminating=false"}},
		{func() { // relabel: leaves app=web, joins app=db, stays in tier
			ix.SetPod(5, labels.NewLabels(map[string]string{"app": "db", "tier": "front"}), PodState{HasIP: true, Ready: true})
		}, []string{
			"svc1 pod5: ready=true serving=true terminating=false -> none",
			"svc2 pod5: none -> ready=true serving=true terminating=false"}},
		{func() {
			ix.SetPod(5, labels.NewLabels(map[string]string{"app": "db", "tier": "front"}), PodState{HasIP: true, Ready: true, Terminating: true})
		}, []string{
			"svc0 pod5: ready=true serving=true terminating=false -> ready=false serving=true terminating=true",
			"svc2 pod5: ready=true serving=true terminating=false -> ready=false serving=true terminating=true"}},
		{func() { ix.DeletePod(5) }, []string{
			"svc0 pod5: ready=false serving=true terminating=true -> none",
			"svc2 pod5: ready=false serving=true terminating=true -> none"}},
	}
	for i, s := range steps {
		got = nil
		s.do()
		if !slices.Equal(got, s.want) {
			t.Errorf("step %d: notifications\n%s\nwant\n%s", i, strings.Join(got, "\n"), strings.Join(s.want, "\n"))
		}
	}
}

func TestServiceChanges(t *testing.T) {
	ix := NewIndex()
	for i := range 6 {
		app := []string{"a", "b"}[i%2]
		ix.SetPod(PodID(i), labels.NewLabels(map[string]string{"app": app, "n": fmt.Sprint(i)}), PodState{HasIP: true, Ready: i != 4})
	}
	pods := func(svc ServiceID) []PodID {
		var out []PodID
		for _, e := range ix.Endpoints(svc, nil) {
			out = append(out, e.Pod)
		}
		return out
	}
	ix.SetService(3, labels.MustParse("app=a"))
	if got := pods(3); !slices.Equal(got, []PodID{0, 2, 4}) {
		t.Errorf("app=a: %v", got)
	}
	if r, s := ix.Count(3); r != 2 || s != 2 {
		t.Errorf("app=a Count = %d %d, want 2 2 (pod 4 not ready)", r, s)
	}
	ix.SetService(3, labels.MustParse("n>2"))
	if got := pods(3); !slices.Equal(got, []PodID{3, 4, 5}) {
		t.Errorf("n>2: %v", got)
	}
	ix.SetService(3, labels.MustParse("app!=a"))
	if got := pods(3); !slices.Equal(got, []PodID{1, 3, 5}) {
		t.Errorf("app!=a: %v", got)
	}
	ix.SetService(3, nil)
	if got := pods(3); got != nil {
		t.Errorf("nil selector: %v", got)
	}
	ix.SetService(3, labels.Everything())
	if got := pods(3); len(got) != 6 {
		t.Errorf("everything: %v", got)
	}
	ix.DeleteService(3)
	if got := pods(3); got != nil || ix.Len(3) != 0 {
		t.Errorf("deleted service: %v", got)
	}
}

func TestBadIDs(t *testing.T) {
	ix := NewIndex()
	if err := ix.SetPod(-1, labels.Labels{}, PodState{}); err == nil || !strings.Contains(err.Error(), "pod id -1") {
		t.Errorf("SetPod(-1): %v", err)
	}
	if err := ix.SetService(MaxID+1, nil); err == nil || !strings.Contains(err.Error(), "service id") {
		t.Errorf("SetService(MaxID+1): %v", err)
	}
	ix.DeletePod(-3)
	ix.DeleteService(99)
	if ix.Endpoints(-1, nil) != nil || ix.Len(12) != 0 {
		t.Error("queries of unknown services returned endpoints")
	}
}

// TestNoServiceScan checks that a pod change matches only the selectors the
// inverted index offers, not every Service, and does not allocate.
func TestNoServiceScan(t *testing.T) {
	ix := NewIndex()
	for s := range 1000 {
		sel := fmt.Sprintf("app=app%d", s/2)
		if s%2 == 1 {
			sel += ",tier=front"
		}
		ix.SetService(ServiceID(s), labels.MustParse(sel))
	}
	ix.SetService(1000, labels.MustParse("env notin (dev)"))
	ix.SetService(1001, labels.MustParse("tier in (front,back),app in (app3,app4)"))
	a := labels.NewLabels(map[string]string{"app": "app3", "tier": "front", "env": "prod"})
	b := labels.NewLabels(map[string]string{"app": "app4", "tier": "front", "env": "prod"})
	st := PodState{HasIP: true, Ready: true}
	for p := range 200 {
		ix.SetPod(PodID(p), labels.NewLabels(map[string]string{"app": fmt.Sprint("app", p%50), "tier": "front"}), st)
	}
	ix.SetPod(500, a, st)
	if got := ix.Services(500, nil); !slices.Equal(got, []ServiceID{6, 7, 1000, 1001}) {
		t.Errorf("pod with app=app3: services %v", got)
	}
	ix.SetPod(500, b, st)
	if got := ix.Services(500, nil); !slices.Equal(got, []ServiceID{8, 9, 1000, 1001}) {
		t.Errorf("pod with app=app4: services %v", got)
	}
	if c := ix.Checked(); c > 5 {
		t.Errorf("a label change matched %d selectors; the inverted index should offer about 4 of 1002", c)
	}
	i := 0
	flip := func() {
		l := a
		if i%2 == 1 {
			l = b
		}
		i++
		ix.SetPod(500, l, st)
	}
	if n := testing.AllocsPerRun(1000, flip); n != 0 {
		t.Errorf("SetPod label flip: %v allocs", n)
	}
	ready := func() {
		i++
		ix.SetPod(500, b, PodState{HasIP: true, Ready: i%2 == 0})
	}
	if n := testing.AllocsPerRun(1000, ready); n != 0 {
		t.Errorf("SetPod Ready flip: %v allocs", n)
	}
	// The same from label maps, as the model calls it: a label change
	// recompiles in place, a state change only compares.
	am, bm := a.Map(), b.Map()
	flipMap := func() {
		m := am
		if i%2 == 1 {
			m = bm
		}
		i++
		ix.SetPodMap(500, m, st)
	}
	flipMap()
	if n := testing.AllocsPerRun(1000, flipMap); n != 0 {
		t.Errorf("SetPodMap label flip: %v allocs", n)
	}
	if c := ix.Checked(); c > 5 {
		t.Errorf("a label change from a map matched %d selectors; the inverted index should offer about 4 of 1002", c)
	}
	readyMap := func() {
		i++
		ix.SetPodMap(500, bm, PodState{HasIP: true, Ready: i%2 == 0})
	}
	if n := testing.AllocsPerRun(1000, readyMap); n != 0 {
		t.Errorf("SetPodMap Ready flip: %v allocs", n)
	}
	// A pod deleted and created again with the same id reuses the storage.
	recreate := func() {
		ix.DeletePod(500)
		ix.SetPodMap(500, am, st)
	}
	if n := testing.AllocsPerRun(1000, recreate); n != 0 {
		t.Errorf("SetPodMap after DeletePod: %v allocs", n)
	}
}

// TestRegistrationPrefersRarePairs: a Service set after its pods is registered
// under the pair the fewest pods carry, whatever the key order, so a change of a
// pod that shares only the common pair does not check it.
func TestRegistrationPrefersRarePairs(t *testing.T) {
	ix := NewIndex()
	st := PodState{HasIP: true, Ready: true}
	for p := range 300 {
		ix.SetPod(PodID(p), labels.NewLabels(map[string]string{"app": fmt.Sprint("app", p%100), "tier": "front", "zone": "a"}), st)
	}
	for s := range 100 {
		// "tier" and "zone" sort after "app" here; "aaa" sorts first.
		ix.SetService(ServiceID(s), labels.MustParse(fmt.Sprintf("aaa notin (x),tier=front,zone in (a,b),app=app%d", s)))
	}
	ix.SetService(100, labels.MustParse("tier,zone=a,app in (app1,app2)"))
	ix.SetPod(7, labels.NewLabels(map[string]string{"app": "app50", "tier": "front", "zone": "a"}), st)
	if c := ix.Checked(); c != 1 {
		t.Errorf("a pod of app50 was matched against %d selectors, want 1 (only app=app50's)", c)
	}
	if got := ix.Services(7, nil); !slices.Equal(got, []ServiceID{50}) {
		t.Errorf("pod 7: services %v, want [50]", got)
	}
	ix.SetPod(8, labels.NewLabels(map[string]string{"app": "app2", "tier": "front", "zone": "a"}), st)
	if got := ix.Services(8, nil); !slices.Equal(got, []ServiceID{2, 100}) || ix.Checked() != 2 {
		t.Errorf("pod 8: services %v after %d matches, want [2 100] after 2", got, ix.Checked())
	}
}

func TestSubscriberCannotChangeIndex(t *testing.T) {
	ix := NewIndex()
	var errs []error
	ix.Subscribe(SubscriberFunc(func(svc ServiceID, pod PodID, old, new Conditions) {
		if r, _ := ix.Count(svc); r != 1 {
			t.Errorf("during the notification Count = %d, want the updated 1", r)
		}
		errs = append(errs, ix.SetPod(pod+1, labels.Labels{}, PodState{}), ix.SetService(svc+1, nil),
			ix.DeletePod(pod), ix.DeleteService(svc))
	}))
	ix.SetService(0, labels.MustParse("app=a"))
	if err := ix.SetPod(0, labels.NewLabels(map[string]string{"app": "a"}), PodState{HasIP: true, Ready: true}); err != nil {
		t.Fatal(err)
	}
	if len(errs) != 4 {
		t.Fatalf("%d calls from the subscriber, want 4", len(errs))
	}
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "inside a Subscriber") {
			t.Errorf("call %d from a subscriber: error %v", i, err)
		}
	}
	if got := ix.Services(0, nil); !slices.Equal(got, []ServiceID{0}) {
		t.Errorf("pod 0 services %v after refused changes", got)
	}
}

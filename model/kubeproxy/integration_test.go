package kubeproxy

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/model/endpoints"
	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/sim"
)

// TestPropagationDelay wires the endpoint index to a kube-proxy through a
// Pending queue on a sim.Engine: the data path sees each change only after the
// modelled delay.
func TestPropagationDelay(t *testing.T) {
	const delay = 1500 * time.Millisecond
	eng := sim.New(1)
	ix := endpoints.NewIndex()
	px, err := NewProxier(Config{Mode: ModeIPTables}, sim.NewStreamPCG(eng.Seed(), "kube-proxy/node-1"))
	if err != nil {
		t.Fatal(err)
	}
	var q Pending
	syncer := sim.HandlerFunc(func(e *sim.Engine, _ int64) { q.ApplyDue(px, e.Now()) })
	ix.Subscribe(endpoints.SubscriberFunc(func(svc endpoints.ServiceID, pod endpoints.PodID, _, new endpoints.Conditions) {
		q.Add(eng.Now()+delay, svc, pod, new)
		eng.After(delay, syncer, 0)
	}))
	web := labels.NewLabels(map[string]string{"app": "web"})
	running := endpoints.PodState{HasIP: true, Ready: true}
	do := func(at sim.Time, f func()) {
		eng.At(at, sim.HandlerFunc(func(*sim.Engine, int64) { f() }), 0)
	}
	do(0, func() {
		ix.SetService(0, labels.MustParse("app=web"))
		ix.SetPod(1, web, running)
	})
	do(5*time.Second, func() { // pod 1 starts terminating, pod 2 comes up
		ix.SetPod(1, web, endpoints.PodState{HasIP: true, Ready: true, Terminating: true})
		ix.SetPod(2, web, running)
	})
	do(5500*time.Millisecond, func() { ix.SetPod(2, web, endpoints.PodState{HasIP: true}) }) // 2 not ready
	do(8*time.Second, func() { ix.DeletePod(1) })

	for _, c := range []struct {
		at   sim.Time
		want []endpoints.PodID // pods that get connections; nil: refused
	}{
		{1499 * time.Millisecond, nil},
		{1500 * time.Millisecond, []endpoints.PodID{1}},
		{6400 * time.Millisecond, []endpoints.PodID{1}}, // changes of 5 s not yet applied
		{6500 * time.Millisecond, []endpoints.PodID{2}}, // 2 ready, 1 terminating: only 2
		{7 * time.Second, []endpoints.PodID{1}},         // 2 not ready: fall back to terminating 1
		{9500 * time.Millisecond, nil},                  // 1 deleted, 2 not ready: refused
	} {
		eng.RunUntil(c.at)
		got := map[endpoints.PodID]bool{}
		for i := range 50 {
			if pod, ok := px.Pick(0, ClientID(i), c.at); ok {
				got[pod] = true
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("at %v connections went to %v, want %v", c.at, got, c.want)
			continue
		}
		for _, p := range c.want {
			if !got[p] {
				t.Errorf("at %v connections went to %v, want %v", c.at, got, c.want)
			}
		}
	}
}

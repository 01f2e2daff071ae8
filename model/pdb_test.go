package model

import (
	"fmt"
	"testing"

	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/sim"
)

// The disruption controller's own test cases (pkg/controller/disruption,
// disruption_test.go), on hand-made pods as its fake stores hold them. A
// ReplicationController there is a bare ReplicaSet here (both count their
// replicas).

type pdbCase struct {
	t *testing.T
	c *Cluster
	b *PodDisruptionBudget
}

func newPDBCase(t *testing.T, min, maxUn *IntOrPercent) *pdbCase {
	c := NewCluster(sim.New(1), DefaultConfig())
	sel, err := labels.SelectorFromMap(map[string]string{"foo": "bar"}), error(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.CreatePDB(PDBSpec{Name: "foobar", Selector: sel, MinAvailable: min, MaxUnavailable: maxUn})
	if err != nil {
		t.Fatal(err)
	}
	return &pdbCase{t: t, c: c, b: b}
}

func (k *pdbCase) pod(name string, rs *ReplicaSet, ready bool) *Pod {
	p := &Pod{ID: len(k.c.pods), ObjectMeta: ObjectMeta{Name: name, Namespace: "default", Labels: map[string]string{"foo": "bar"}},
		Phase: PodRunning, Running: true, Ready: ready, rs: rs}
	if rs != nil {
		p.Owner = &OwnerRef{Kind: "ReplicaSet", Name: rs.Name}
	}
	k.c.pods = append(k.c.pods, p)
	return p
}

// verify is VerifyPdbStatus: disruptionsAllowed, currentHealthy,
// desiredHealthy, expectedPods.
func (k *pdbCase) verify(allowed, current, desired, expected int) {
	k.t.Helper()
	st := k.c.PDBStatus(k.b)
	got := [4]int{st.DisruptionsAllowed, st.CurrentHealthy, st.DesiredHealthy, st.ExpectedPods}
	if want := [4]int{allowed, current, desired, expected}; got != want {
		k.t.Errorf("allowed, current, desired, expected = %v, want %v", got, want)
	}
}

func (k *pdbCase) allowed(want int) {
	k.t.Helper()
	if got := k.c.PDBStatus(k.b).DisruptionsAllowed; got != want {
		k.t.Errorf("disruptionsAllowed %d, want %d", got, want)
	}
}

// TestUnavailable: minAvailable 3 of 4 ready pods, then one unready.
func TestPDBUnavailable(t *testing.T) {
	k := newPDBCase(t, Int(3), nil)
	k.allowed(0)
	var pods []*Pod
	for i := 0; i < 4; i++ {
		pods = append(pods, k.pod(fmt.Sprintf("yo-yo-yo %d", i), nil, true))
	}
	k.verify(1, 4, 3, 4)
	pods[0].Ready = false
	k.verify(0, 3, 3, 4)
}

// TestIntegerMaxUnavailable: no pods, then a naked pod: no disruption.
func TestPDBIntegerMaxUnavailable(t *testing.T) {
	k := newPDBCase(t, nil, Int(1))
	k.allowed(0)
	k.pod("naked", nil, true)
	k.allowed(0)
	if st := k.c.PDBStatus(k.b); len(st.Unmanaged) != 1 || st.SyncFailed != "" {
		t.Errorf("naked pod: %+v (want one unmanaged pod, no sync error)", st)
	}
}

// TestIntegerMaxUnavailableWithScaling and the percentage variant: the scale
// of the pods' controller sets the expected count.
func TestPDBMaxUnavailableWithScaling(t *testing.T) {
	k := newPDBCase(t, nil, Int(2))
	rs := &ReplicaSet{ObjectMeta: ObjectMeta{Name: "rs"}, Replicas: 7}
	k.pod("pod", rs, true)
	k.verify(0, 1, 5, 7)
	rs.Replicas = 5
	k.verify(0, 1, 3, 5)

	k = newPDBCase(t, nil, Percent(30))
	rs = &ReplicaSet{ObjectMeta: ObjectMeta{Name: "rs"}, Replicas: 7}
	k.pod("pod", rs, true)
	k.verify(0, 1, 4, 7)
	rs.Replicas = 3
	k.verify(0, 1, 2, 3)
}

// TestNakedPod and TestReplicaSet: a percentage needs controllers; a bare
// ReplicaSet's replicas count.
func TestPDBNakedPodAndReplicaSet(t *testing.T) {
	k := newPDBCase(t, Percent(28), nil)
	k.allowed(0)
	k.pod("naked", nil, true)
	k.allowed(0)

	k = newPDBCase(t, Percent(20), nil)
	k.pod("pod", &ReplicaSet{ObjectMeta: ObjectMeta{Name: "rs"}, Replicas: 10}, true)
	k.verify(0, 1, 2, 10)
}

// TestReplicationController: 34% of 3 rounds up to 2; a rogue pod with no
// controller counts as healthy but not as expected.
func TestPDBReplicationController(t *testing.T) {
	k := newPDBCase(t, Percent(34), nil)
	rc := &ReplicaSet{ObjectMeta: ObjectMeta{Name: "rc"}, Replicas: 3}
	k.verify(0, 0, 0, 0)
	for i := 0; i < 3; i++ {
		k.pod(fmt.Sprintf("foobar %d", i), rc, true)
		if i < 2 {
			k.verify(0, i+1, 2, 3)
		} else {
			k.verify(1, 3, 2, 3)
		}
	}
	k.pod("rogue", nil, true)
	k.allowed(2)
}

// TestTwoControllers: 28% over an RC of 11 and a Deployment of 11.
func TestPDBTwoControllers(t *testing.T) {
	const size, minOne, minTwo = 11, 4, 7
	k := newPDBCase(t, Percent(28), nil)
	rc := &ReplicaSet{ObjectMeta: ObjectMeta{Name: "rc"}, Replicas: size}
	k.verify(0, 0, 0, 0)
	var pods []*Pod
	unavailable := size - minOne - 1
	for i := 1; i <= size; i++ {
		pods = append(pods, k.pod(fmt.Sprintf("quux %d", i), rc, i > unavailable))
		switch {
		case i <= unavailable:
			k.verify(0, 0, minOne, size)
		case i-unavailable <= minOne:
			k.verify(0, i-unavailable, minOne, size)
		default:
			k.verify(1, i-unavailable, minOne, size)
		}
	}
	rs := &ReplicaSet{ObjectMeta: ObjectMeta{Name: "rs"}, Replicas: size, deploy: &Deployment{ObjectMeta: ObjectMeta{Name: "d"}, Replicas: size}}
	unavailable = 2*size - (minTwo + 2) - unavailable
	for i := 1; i <= size; i++ {
		pods = append(pods, k.pod(fmt.Sprintf("quuux %d", i), rs, i > unavailable))
		switch {
		case i <= unavailable:
			k.verify(0, minOne+1, minTwo, 2*size)
		case i-unavailable <= minTwo-(minOne+1):
			k.verify(0, (minOne+1)+(i-unavailable), minTwo, 2*size)
		default:
			k.verify(i-unavailable-(minTwo-(minOne+1)), (minOne+1)+(i-unavailable), minTwo, 2*size)
		}
	}
	k.verify(2, 2+minTwo, minTwo, 2*size)
	pods[size-1].Ready = false
	k.verify(1, 1+minTwo, minTwo, 2*size)
	pods[size-2].Ready = false
	k.verify(0, minTwo, minTwo, 2*size)
	pods[size-1].Ready = true
	k.verify(1, 1+minTwo, minTwo, 2*size)
}

// The eviction API: a budget with no disruption left refuses with 429 and
// the API server's message; an unready pod may go while the budget is
// healthy; two budgets are a 500; a terminating pod is not counted healthy.
func TestEvictRespectsBudget(t *testing.T) {
	k := newPDBCase(t, Int(1), nil)
	rs := &ReplicaSet{ObjectMeta: ObjectMeta{Name: "rs"}, Replicas: 3}
	a, b, d := k.pod("a", rs, true), k.pod("b", rs, true), k.pod("d", rs, false)
	if err := k.c.Evict(a, 0); err != nil {
		t.Fatalf("first eviction: %v", err)
	}
	if !a.Gone {
		t.Errorf("evicted pod a not deleted")
	}
	err := k.c.Evict(b, 0)
	e, ok := err.(*EvictionError)
	if !ok || e.Code != 429 || e.Error() != "Cannot evict pod as it would violate the pod's disruption budget." ||
		e.Cause != "The disruption budget foobar needs 1 healthy pods and has 1 currently" {
		t.Fatalf("second eviction: %#v", err)
	}
	// The unready pod d may go: the budget is healthy (1 >= 1).
	if err := k.c.Evict(d, 0); err != nil {
		t.Errorf("unready pod of a healthy budget refused: %v", err)
	}
	// An unhealthy budget protects its unready pods too.
	k3 := newPDBCase(t, Int(2), nil)
	k3.pod("r", rs, true)
	if err := k3.c.Evict(k3.pod("u", rs, false), 0); err == nil {
		t.Errorf("unready pod evicted from an unhealthy budget")
	}
	k2 := newPDBCase(t, Int(1), nil)
	x := k2.pod("x", rs, true)
	sel := labels.SelectorFromMap(map[string]string{"foo": "bar"})
	if _, err := k2.c.CreatePDB(PDBSpec{Name: "second", Selector: sel, MaxUnavailable: Int(1)}); err != nil {
		t.Fatal(err)
	}
	if err, _ := k2.c.Evict(x, 0).(*EvictionError); err == nil || err.Code != 500 {
		t.Errorf("two budgets: %v", err)
	}
}

func TestPDBValidation(t *testing.T) {
	for _, tc := range []struct {
		s    PDBSpec
		want string
	}{
		{PDBSpec{Name: "x", MinAvailable: Int(1), MaxUnavailable: Int(1)}, "spec: Invalid value: minAvailable and maxUnavailable cannot be both set"},
		{PDBSpec{Name: "x", MinAvailable: Percent(101)}, "spec.minAvailable: Invalid value: 101%: must not be greater than 100%"},
		{PDBSpec{Name: "x", MaxUnavailable: Int(-1)}, "spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0"},
	} {
		if err := tc.s.validate(); err == nil || err.Error() != tc.want {
			t.Errorf("%+v: %v, want %s", tc.s, err, tc.want)
		}
	}
}

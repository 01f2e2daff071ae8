package model

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

const gi = int64(1) << 30

var workerCap = Resources{MilliCPU: 2000, Memory: 4 * gi, Pods: 110}

// newWorkshop returns the workshop's cluster, with every delay its mean (so
// tests can assert exact times): node1 is a kubeadm control plane (labelled
// and tainted), node2..node<n> are workers.
func newWorkshop(t testing.TB, seed uint64, n int) *Cluster {
	t.Helper()
	c := NewCluster(sim.New(seed), deterministicConfig())
	if _, err := c.AddNode("node1", map[string]string{LabelControlPlane: ""},
		[]Taint{{Key: TaintControlPlane, Effect: NoSchedule}}, workerCap); err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= n; i++ {
		if _, err := c.AddNode(fmt.Sprintf("node%d", i), nil, nil, workerCap); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func runFor(c *Cluster, d sim.Time) { c.E.RunUntil(c.Now() + d) }

func sec(s float64) sim.Time { return sim.Time(s * float64(time.Second)) }

// placement returns "node=count" for the live, non-terminating pods matching f,
// for every node, in node order.
func placement(c *Cluster, f func(*Pod) bool) string {
	var parts []string
	for _, n := range c.Nodes() {
		k := 0
		for _, p := range n.pods {
			if !p.Gone && !p.Terminating && f(p) {
				k++
			}
		}
		parts = append(parts, fmt.Sprintf("%s=%d", n.Name, k))
	}
	return strings.Join(parts, " ")
}

func counts(c *Cluster, f func(*Pod) bool) []int {
	var out []int
	for _, n := range c.Nodes() {
		k := 0
		for _, p := range n.pods {
			if !p.Gone && !p.Terminating && f(p) {
				k++
			}
		}
		out = append(out, k)
	}
	return out
}

func withLabel(k, v string) func(*Pod) bool {
	return func(p *Pod) bool { return p.Labels[k] == v }
}

// live returns the pods that exist and are not terminating, matching f.
func live(c *Cluster, f func(*Pod) bool) []*Pod {
	var out []*Pod
	for _, p := range c.pods {
		if !p.Gone && !p.Terminating && (f == nil || f(p)) {
			out = append(out, p)
		}
	}
	return out
}

func readyCount(ps []*Pod) int {
	n := 0
	for _, p := range ps {
		if p.Ready {
			n++
		}
	}
	return n
}

func mustDeploy(t testing.TB, c *Cluster, name, image string, replicas int) *Deployment {
	t.Helper()
	d, err := c.CreateDeployment(name, map[string]string{"app": name}, PodSpec{Image: image}, replicas)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// trace is a determinism fingerprint: every pod's node and transition times.
func trace(c *Cluster) string {
	var b strings.Builder
	for _, p := range c.pods {
		fmt.Fprintf(&b, "%s %s %v %v %v %v\n", p.Name, p.NodeName, p.Scheduled, p.ReadyAt, p.DeletedAt, p.GoneAt)
	}
	return b.String()
}

func TestDeterministicControllers(t *testing.T) {
	run := func() string {
		c := newWorkshop(t, 7, 4)
		d := mustDeploy(t, c, "rng", "dockercoins/rng:v0.1", 5)
		runFor(c, sec(10))
		if err := c.SetImage(d, "dockercoins/rng:v0.2"); err != nil {
			t.Fatal(err)
		}
		runFor(c, sec(30))
		if err := c.RebootNode("node3", sec(120)); err != nil {
			t.Fatal(err)
		}
		runFor(c, sec(600))
		return trace(c)
	}
	a, b := run(), run()
	if a != b {
		t.Fatalf("same seed, different runs:\n%s\n---\n%s", a, b)
	}
}

func TestBadInputErrors(t *testing.T) {
	c := newWorkshop(t, 1, 3)
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"negative replicas", func() error {
			_, err := c.CreateDeployment("x", map[string]string{"app": "x"}, PodSpec{Image: "i"}, -1)
			return err
		}(), "spec.replicas"},
		{"no image", func() error {
			_, err := c.CreateDeployment("x", map[string]string{"app": "x"}, PodSpec{}, 1)
			return err
		}(), "image: Required"},
		{"bad strategy", func() error {
			_, err := c.CreateDeploymentSpec(DeploymentSpec{Name: "x", Template: PodTemplate{Labels: map[string]string{"a": "b"}, Spec: PodSpec{Image: "i"}},
				Strategy: DeploymentStrategy{MaxSurge: Int(0), MaxUnavailable: Int(0)}})
			return err
		}(), "may not be 0 when `maxSurge` is 0"},
		{"unknown node", c.Cordon("nope"), `nodes "nope" not found`},
		{"bad taint effect", c.TaintNode("node2", Taint{Key: "k", Effect: "Sometimes"}), "want NoSchedule"},
		{"negative downtime", c.RebootNode("node2", -1), "must not be negative"},
		{"owner on CreatePod", func() error {
			_, err := c.CreatePod("p", nil, PodSpec{Image: "i"}, &OwnerRef{Kind: "ReplicaSet", Name: "r"})
			return err
		}(), "ownerReferences are set by controllers"},
	}
	for _, tc := range cases {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want one containing %q", tc.name, tc.err, tc.want)
		}
	}
}

func sortedNames(ps []*Pod) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	sort.Strings(out)
	return out
}

// deterministicConfig is DefaultConfig with every delay its mean.
func deterministicConfig() Config {
	cfg := DefaultConfig()
	sim.UseMeans(&cfg)
	return cfg
}

package dockercoins_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/traffic"
	"github.com/kubesim/kubesim/workload"
	"github.com/kubesim/kubesim/workload/dockercoins"
)

var nodeCap = model.Resources{MilliCPU: 2000, Memory: 4 << 30, Pods: 110}

// newWorkshop is the workshop's cluster (node1 a tainted control plane, node2..
// nodeN workers) running DockerCoins.
func newWorkshop(t *testing.T, seed uint64, n int) (*model.Cluster, *workload.Runtime) {
	t.Helper()
	c := model.NewCluster(sim.New(seed), model.DefaultConfig())
	rt := workload.New(c, traffic.DefaultNetwork())
	dockercoins.Install(rt, dockercoins.DefaultConfig())
	if _, err := c.AddNode("node1", map[string]string{model.LabelControlPlane: ""},
		[]model.Taint{{Key: model.TaintControlPlane, Effect: model.NoSchedule}}, nodeCap); err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= n; i++ {
		if _, err := c.AddNode(fmt.Sprintf("node%d", i), nil, nil, nodeCap); err != nil {
			t.Fatal(err)
		}
	}
	rt.Start()
	return c, rt
}

// A node killed while requests are in flight: they fail (nothing is lost from
// the accounting); new connections to its pods time out until the endpoints
// drop them.
func TestInFlightRequestsFailOnNodeDeath(t *testing.T) {
	c, rt := newWorkshop(t, 8, 4)
	for _, d := range []struct {
		name, image string
		n           int
	}{{"redis", "redis:7", 1}, {"hasher", "dockercoins/hasher:v0.1", 1}, {"rng", "dockercoins/rng:v0.1", 3}, {"worker", "dockercoins/worker:v0.1", 6}} {
		if _, err := c.CreateDeployment(d.name, map[string]string{"app": d.name}, model.PodSpec{Image: d.image}, d.n); err != nil {
			t.Fatal(err)
		}
		if d.name != "worker" {
			c.CreateService(d.name, map[string]string{"app": d.name}, 80)
		}
	}
	c.E.RunUntil(60 * time.Second)
	var rngNode string
	for _, p := range c.Pods() {
		if p.Labels["app"] == "rng" && p.NodeName != "" {
			rngNode = p.NodeName
		}
	}
	before := rt.Rec.Summary()
	if before.Requests.Completed == 0 {
		t.Fatalf("no traffic before the node died: %+v", before.Requests)
	}
	c.StopNode(rngNode)
	c.E.RunUntil(660 * time.Second)
	a := rt.Rec.Summary().Requests
	if a.Sent != a.Completed+a.Refused+a.Failed+a.InFlight || int64(rt.Net.LiveRequests()) != a.InFlight {
		t.Errorf("accounting: %+v, %d live requests", a, rt.Net.LiveRequests())
	}
	if a.Failed <= before.Requests.Failed {
		t.Errorf("no request failed when %s died: %+v", rngNode, a)
	}
}

// Without a webui Service the browser polls a running webui container
// directly (the first created), and stops when none runs.
func TestBrowserPollsWebUIPodWithoutService(t *testing.T) {
	c := model.NewCluster(sim.New(3), model.DefaultConfig())
	rt := workload.New(c, traffic.DefaultNetwork())
	d := dockercoins.Install(rt, dockercoins.DefaultConfig())
	if _, err := c.AddNode("node2", nil, nil, nodeCap); err != nil {
		t.Fatal(err)
	}
	rt.Start()
	if _, err := c.CreateDeployment("redis", map[string]string{"app": "redis"}, model.PodSpec{Image: "redis"}, 1); err != nil {
		t.Fatal(err)
	}
	c.CreateService("redis", map[string]string{"app": "redis"}, 6379)
	webui, err := c.CreateDeployment("webui", map[string]string{"app": "webui"}, model.PodSpec{Image: "dockercoins/webui:v0.1"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(30 * time.Second)
	polled := len(d.Samples())
	if polled < 20 {
		t.Fatalf("%d web UI polls in 30 s with two webui pods and no webui Service, want one a second once they run", polled)
	}
	if err := c.ScaleDeployment(webui, 0); err != nil {
		t.Fatal(err)
	}
	c.E.RunUntil(90 * time.Second)
	after := len(d.Samples())
	c.E.RunUntil(120 * time.Second)
	if n := len(d.Samples()); n != after {
		t.Errorf("%d web UI polls after every webui pod was gone, want none", n-after)
	}
}

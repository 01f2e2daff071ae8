package model

import (
	"testing"

	"github.com/kubesim/kubesim/sim"
)

// Cluster DNS: NAME in the caller's namespace, NAME.NS[.svc[.cluster.local]]
// in NS; anything else does not resolve.
func TestResolveService(t *testing.T) {
	c := NewCluster(sim.New(1), DefaultConfig())
	if _, err := c.CreateNamespace("shop", nil); err != nil {
		t.Fatal(err)
	}
	def, _ := c.CreateService("db", map[string]string{"app": "db"}, 80)
	shop, err := c.CreateServiceIn("shop", "db", map[string]string{"app": "db"}, 80)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from, name string
		want       *Service
	}{
		{"default", "db", def}, {"", "db", def}, {"shop", "db", shop},
		{"default", "db.shop", shop}, {"default", "db.shop.svc", shop},
		{"default", "db.shop.svc.cluster.local", shop}, {"default", "db.shop.svc.cluster.local.", shop},
		{"shop", "db.default", def}, {"shop", "db.nope", nil}, {"default", "db.shop.example.com", nil},
		{"default", "web", nil},
	} {
		if got := c.ResolveService(tc.from, tc.name); got != tc.want {
			t.Errorf("from %q, %q: got %v", tc.from, tc.name, got)
		}
	}
	if n := testing.AllocsPerRun(100, func() { c.ResolveService("default", "db.shop.svc.cluster.local") }); n != 0 {
		t.Errorf("ResolveService allocates %v times", n)
	}
}

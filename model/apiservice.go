package model

import (
	"crypto/sha256"
	"fmt"

	"github.com/kubesim/kubesim/sim"
)

// The API server's own Service: kubernetes in namespace default, ClusterIP
// 10.96.0.1, port https 443 to the API server's 6443, labels
// component=apiserver and provider=kubernetes, no selector. Its Endpoints and
// EndpointSlice, also named kubernetes, hold the API server's address: its
// endpoint reconciler writes them, not the endpoints controllers. The API
// server's kubernetesservice controller creates the Service at start and,
// every 10 s (its EndpointInterval), again when it is gone and no Service of
// that name exists (pkg/controlplane/controller/kubernetesservice).
//
// It is not among Services(): nothing selects pods for it and no workload in
// kubesim calls the API server.

// The kubernetes Service's name, ClusterIP and port.
const (
	APIServerServiceName = "kubernetes"
	APIServerServiceIP   = "10.96.0.1"
	APIServerPort        = 6443
	// apiServerInterval is the kubernetesservice controller's period.
	apiServerInterval = sim.Time(10e9)
)

// APIServerService is the kubernetes Service, nil while it is deleted and not
// yet created again.
func (c *Cluster) APIServerService() *Service { return c.apiSvc }

// IsAPIServer reports whether s is the API server's kubernetes Service.
func (s *Service) IsAPIServer() bool { return s.ID < 0 }

// createAPIServerService is the controller's create: a new object (uid,
// creation time, resourceVersion), then its Endpoints and EndpointSlice.
func (c *Cluster) createAPIServerService() {
	c.apiSvcGen++
	s := &Service{ID: -1, Port: 443, ObjectMeta: ObjectMeta{Name: APIServerServiceName, Namespace: DefaultNamespace,
		UID: derivedUID(fmt.Sprintf("apiserver/%s/%d", APIServerServiceName, c.apiSvcGen)), CreationTimestamp: c.Now(),
		Labels: map[string]string{"component": "apiserver", "provider": "kubernetes"}}}
	s.Type, s.SessionAffinity = "ClusterIP", "None"
	s.Ports = []ServicePort{{Name: "https", Protocol: "TCP", Port: 443, TargetPort: "6443"}}
	c.touch(&s.ObjectMeta)
	c.rv += 2 // its Endpoints, then its EndpointSlice
	s.epRV, s.epChanged = c.rv-1, c.Now()
	c.apiSvc = s
}

// deleteAPIServerService deletes the kubernetes Service; the controller
// creates it again at its next tick.
func (c *Cluster) deleteAPIServerService(s *Service) {
	if s.Deleted {
		return
	}
	s.Deleted = true
	c.apiSvc = nil
	c.recreateAPIServerService()
}

// recreateAPIServerService arms the controller's next tick (every 10 s since
// the start): it creates the Service unless one of its name exists then.
func (c *Cluster) recreateAPIServerService() {
	next := (c.Now()/apiServerInterval + 1) * apiServerInterval
	c.E.After(next-c.Now(), sim.HandlerFunc(func(*sim.Engine, int64) {
		if c.apiSvc == nil && c.ServiceIn(DefaultNamespace, APIServerServiceName) == nil {
			c.createAPIServerService()
		}
	}), 0)
}

// derivedUID is a version 4 UUID drawn from a hash of s (no draw from the
// objects' uid stream: the other objects' uids stay as they were).
func derivedUID(s string) string {
	u := sha256.Sum256([]byte(s))
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

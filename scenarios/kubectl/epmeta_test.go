package kubectl_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A Service's Endpoints and EndpointSlices carry the metadata the endpoints
// and EndpointSlice controllers give them: a uid, a resourceVersion that
// changes when the endpoints change (and only then), the creation time, the
// last-change-trigger-time annotation; Endpoints the Service's labels;
// slices kubernetes.io/service-name and managed-by labels, generateName
// SERVICE- and the Service as controller owner. -l, --show-labels and -o name
// see them.
func TestEndpointsMetadata(t *testing.T) {
	c := eventCluster(t)
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 2); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateService("rng", rngLabels, 80); err != nil {
		t.Fatal(err)
	}
	if _, err := apply(c, "kubectl label service rng tier=back"); err != nil {
		t.Fatal(err)
	}
	advance(c, time.Minute)
	svcUID := regexp.MustCompile(`(?m)^  uid: (\S+)$`).FindStringSubmatch(kc(t, c, "get service rng -o yaml"))
	if svcUID == nil {
		t.Fatal("service rng has no uid")
	}
	field := func(out, re string) string {
		t.Helper()
		m := regexp.MustCompile(`(?m)` + re).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no %s in:\n%s", re, out)
		}
		return m[1]
	}
	uuid := `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`

	ep := kc(t, c, "get endpoints rng -o yaml")
	epUID := field(ep, `^  uid: (`+uuid+`)$`)
	epRV := field(ep, `^  resourceVersion: "(\d+)"$`)
	field(ep, `^    endpoints.kubernetes.io/last-change-trigger-time: "(20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ)"$`)
	field(ep, `^  creationTimestamp: "(20\d\d-[^"]+)"$`)
	if field(ep, `^    tier: (\S+)$`) != "back" {
		t.Errorf("Endpoints lack the Service's label tier=back:\n%s", ep)
	}

	sl := kc(t, c, "get endpointslices -l kubernetes.io/service-name=rng -o yaml")
	for _, want := range []string{
		"    endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io\n",
		"    kubernetes.io/service-name: rng\n",
		"    tier: back\n",
		"    generateName: rng-\n",
		"    ownerReferences:\n    - apiVersion: v1\n      blockOwnerDeletion: true\n      controller: true\n      kind: Service\n      name: rng\n      uid: " + svcUID[1] + "\n",
		"\n- addressType: IPv4\n",
		"\n    conditions:\n      ready: true\n      serving: true\n      terminating: false\n",
	} {
		if !strings.Contains(sl, want) {
			t.Errorf("slice of rng lacks %q:\n%s", want, sl)
		}
	}
	slUID := field(sl, `^    uid: (`+uuid+`)$`)
	if slUID == epUID || slUID == svcUID[1] {
		t.Errorf("slice uid %s is the Endpoints' or the Service's", slUID)
	}
	if slRV := field(sl, `^    resourceVersion: "(\d+)"$`); slRV == epRV {
		t.Errorf("slice resourceVersion %s is the Endpoints' (two objects: two writes)", slRV)
	}
	name := field(sl, `^    name: (rng-[a-z0-9]{5})$`)
	if out := kc(t, c, "get endpointslices -l kubernetes.io/service-name=rng -o name"); out != "endpointslice.discovery.k8s.io/"+name {
		t.Errorf("-o name: %q", out)
	}
	if out := kc(t, c, "get endpointslices --show-labels"); !strings.Contains(out, "endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io,kubernetes.io/service-name=rng,tier=back") {
		t.Errorf("--show-labels:\n%s", out)
	}
	if out := kc(t, c, "get endpoints -l tier=back"); !strings.Contains(out, "rng ") || strings.Contains(out, "kubernetes") {
		t.Errorf("get endpoints -l tier=back:\n%s", out)
	}

	// Nothing changes: same resourceVersion, same uid.
	advance(c, time.Minute)
	if again := kc(t, c, "get endpoints rng -o yaml"); again != ep {
		t.Errorf("Endpoints changed with no endpoint change:\n%s\nthen\n%s", ep, again)
	}
	// Scaling to 3 adds an endpoint: a new resourceVersion and trigger time.
	if _, err := apply(c, "kubectl scale deployment rng --replicas=3"); err != nil {
		t.Fatal(err)
	}
	advance(c, time.Minute)
	ep2 := kc(t, c, "get endpoints rng -o yaml")
	if field(ep2, `^  uid: (\S+)$`) != epUID {
		t.Errorf("Endpoints uid changed")
	}
	if rv2 := field(ep2, `^  resourceVersion: "(\d+)"$`); rv2 == epRV {
		t.Errorf("resourceVersion %s unchanged after an endpoint was added", rv2)
	}
	if field(ep2, `last-change-trigger-time: "([^"]+)"`) == field(ep, `last-change-trigger-time: "([^"]+)"`) {
		t.Errorf("last-change-trigger-time unchanged after an endpoint was added")
	}
}

// describe endpoints and describe endpointslices print what kubectl's
// describers print: metadata (labels, the trigger-time annotation), the
// addresses, ports and, for slices, each endpoint's conditions, pod and node.
func TestDescribeEndpointsAndSlices(t *testing.T) {
	c := eventCluster(t)
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateService("rng", rngLabels, 80); err != nil {
		t.Fatal(err)
	}
	advance(c, time.Minute)
	pod := c.Pods()[0]
	ip := regexp.MustCompile(`10\.244\.\d+\.\d+`).FindString(kc(t, c, "get endpoints rng"))
	out, err := apply(c, "kubectl describe endpoints rng")
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`^Name:         rng
Namespace:    default
Labels:       <none>
Annotations:  endpoints.kubernetes.io/last-change-trigger-time: 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ
Subsets:
  Addresses:          ` + regexp.QuoteMeta(ip) + `
  NotReadyAddresses:  <none>
  Ports:
    Name     Port  Protocol
    ----     ----  --------
    <unset>  80    TCP

Events:  <none>$`)
	if !want.MatchString(out) {
		t.Errorf("describe endpoints rng:\n%s", out)
	}
	out, err = apply(c, "kubectl describe endpointslices -l kubernetes.io/service-name=rng")
	if err != nil {
		t.Fatal(err)
	}
	want = regexp.MustCompile(`^Name:         rng-[a-z0-9]{5}
Namespace:    default
Labels:       endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io
              kubernetes.io/service-name=rng
Annotations:  endpoints.kubernetes.io/last-change-trigger-time: 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ
AddressType:  IPv4
Ports:
  Name     Port  Protocol
  ----     ----  --------
  <unset>  80    TCP
Endpoints:
  - Addresses:  ` + regexp.QuoteMeta(ip) + `
    Conditions:
      Ready:    true
    Hostname:   <unset>
    TargetRef:  Pod/` + regexp.QuoteMeta(pod.Name) + `
    NodeName:   ` + regexp.QuoteMeta(pod.NodeName) + `
    Zone:       <unset>
Events:         <none>$`)
	if !want.MatchString(out) {
		t.Errorf("describe endpointslices:\n%s", out)
	}
	if _, err := apply(c, "kubectl describe endpointslices,pods"); err == nil || !strings.Contains(err.Error(), "on their own") {
		t.Errorf("describe endpointslices,pods: %v", err)
	}
}

// label and annotate of Endpoints and EndpointSlices, as Kubernetes keeps
// them: the label is stored on the object (not on the Service: it labelled
// the Service before 2624dd1, then was refused) and seen by -l; a label
// change alone triggers no sync, so it stays; the controllers' next sync of
// the Service (here an endpoint added) writes the Service's labels back, as
// the endpoints controller's syncService and the EndpointSlice reconciler's
// setEndpointSliceLabels do; annotations stay. A Service label change is a
// sync too. A slice's reserved labels are refused.
func TestLabelEndpoints(t *testing.T) {
	c := eventCluster(t)
	d, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateService("rng", rngLabels, 80); err != nil {
		t.Fatal(err)
	}
	if _, err := apply(c, "kubectl label service rng app=rng"); err != nil {
		t.Fatal(err)
	}
	advance(c, time.Minute)
	slice := strings.TrimPrefix(kc(t, c, "get endpointslices -l kubernetes.io/service-name=rng -o name"), "endpointslice.discovery.k8s.io/")
	rv := func(out string) string {
		m := regexp.MustCompile(`(?m)^ {2,4}resourceVersion: "(\d+)"$`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no resourceVersion in:\n%s", out)
		}
		return m[1]
	}
	epRV := rv(kc(t, c, "get endpoints rng -o yaml"))
	for line, want := range map[string]string{
		"kubectl label endpoints rng tier=db":            "endpoints/rng labeled",
		"kubectl annotate ep rng note=mine":              "endpoints/rng annotated",
		"kubectl label endpointslices " + slice + " a=b": "endpointslice.discovery.k8s.io/" + slice + " labeled",
	} {
		if out, err := apply(c, line); err != nil || out != want {
			t.Errorf("%s: %q, %v; want %q", line, out, err, want)
		}
	}
	if s := c.ServiceIn("default", "rng"); len(s.Labels) != 1 || len(s.Annotations) != 0 {
		t.Errorf("Service rng got labels %v, annotations %v", s.Labels, s.Annotations)
	}
	advance(c, time.Minute) // no sync: the labels stay
	if out := kc(t, c, "get endpoints -l tier=db --no-headers"); !strings.Contains(out, "\nrng ") {
		t.Errorf("get endpoints -l tier=db: %q", out)
	}
	ep := kc(t, c, "get endpoints rng -o yaml")
	if !strings.Contains(ep, "\n  labels:\n    app: rng\n    tier: db\n") || !strings.Contains(ep, "\n    note: mine\n") {
		t.Errorf("Endpoints after label and annotate:\n%.500s", ep)
	}
	if rv(ep) == epRV {
		t.Errorf("resourceVersion %s unchanged by label and annotate", epRV)
	}
	if out := kc(t, c, "get endpointslices -l a=b -o name"); out != "endpointslice.discovery.k8s.io/"+slice {
		t.Errorf("get endpointslices -l a=b: %q", out)
	}
	if _, err := apply(c, "kubectl label endpointslices "+slice+" kubernetes.io/service-name=other --overwrite"); err == nil ||
		!strings.Contains(err.Error(), "kubesim does not model changing an EndpointSlice's kubernetes.io/service-name label") {
		t.Errorf("relabelling the slice's service-name: %v", err)
	}
	// An endpoint added: the controllers sync rng and write its labels back.
	if err := c.ScaleDeployment(d, 3); err != nil {
		t.Fatal(err)
	}
	advance(c, time.Minute)
	ep = kc(t, c, "get endpoints rng -o yaml")
	if !strings.Contains(ep, "\n  labels:\n    app: rng\n  name: rng\n") || !strings.Contains(ep, "\n    note: mine\n") {
		t.Errorf("Endpoints after the sync: want labels app=rng only, note: mine kept:\n%.500s", ep)
	}
	if out := kc(t, c, "get endpointslices --show-labels --no-headers"); strings.Contains(out, "a=b") {
		t.Errorf("slice keeps the user's label after the sync:\n%s", out)
	}
	// A Service label change syncs too: the Endpoints' user label goes.
	if _, err := apply(c, "kubectl label endpoints rng tier=db"); err != nil {
		t.Fatal(err)
	}
	if _, err := apply(c, "kubectl label service rng team=x"); err != nil {
		t.Fatal(err)
	}
	if out := kc(t, c, "get endpoints rng --show-labels --no-headers"); !strings.HasSuffix(out, "app=rng,team=x") {
		t.Errorf("get endpoints after labelling the Service: %q, want labels app=rng,team=x", out)
	}
	// Deleted, the Endpoints are created again from the Service: the
	// annotation goes.
	if _, err := apply(c, "kubectl delete endpoints rng"); err != nil {
		t.Fatal(err)
	}
	if ep := kc(t, c, "get endpoints rng -o yaml"); strings.Contains(ep, "note: mine") {
		t.Errorf("the user's annotation outlives the Endpoints' deletion:\n%.400s", ep)
	}
}

// Over 1,000 addresses, the Endpoints keep 1,000 and say
// endpoints.kubernetes.io/over-capacity: truncated, as the endpoints
// controller writes them, and get endpoints' row counts those 1,000; the
// slices keep every endpoint, 100 a slice, each with its own resourceVersion.
func TestEndpointsOverCapacity(t *testing.T) {
	c := eventCluster(t)
	for i := range 10 {
		if _, err := c.AddNode(fmt.Sprintf("big%d", i), nil, nil, testCapacity); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateDeployment("rng", rngLabels, rngSpec(), 1001); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateService("rng", rngLabels, 80); err != nil {
		t.Fatal(err)
	}
	advance(c, 5*time.Minute)
	if pods, _ := c.EndpointPods(c.ServiceIn("default", "rng")); len(pods) != 1001 {
		t.Fatalf("%d endpoints, want 1001", len(pods))
	}
	out := kc(t, c, "get endpoints rng -o yaml")
	if n := strings.Count(out, "\n  - ip: "); n != 1000 {
		t.Errorf("%d addresses in the Endpoints, want 1000", n)
	}
	if !strings.Contains(out, "\n    endpoints.kubernetes.io/over-capacity: truncated\n") {
		t.Errorf("no over-capacity annotation:\n%.600s", out)
	}
	slices := kc(t, c, "get endpointslices -l kubernetes.io/service-name=rng -o yaml")
	if n := strings.Count(slices, "\n  - addresses:\n"); n != 1001 {
		t.Errorf("%d endpoints in the slices, want 1001", n)
	}
	// get endpoints counts what the Endpoints object holds: 3 shown, 997 more.
	row := kc(t, c, "get endpoints rng --no-headers")
	if !strings.Contains(row, " + 997 more... ") {
		t.Errorf("get endpoints rng: %q, want 3 addresses + 997 more...", row)
	}
	// 11 slices, each written on its own: 11 resourceVersions.
	rvs := regexp.MustCompile(`(?m)^    resourceVersion: "(\d+)"$`).FindAllStringSubmatch(slices, -1)
	seen := map[string]bool{}
	for _, m := range rvs {
		seen[m[1]] = true
	}
	if len(rvs) != 11 || len(seen) != 11 {
		t.Errorf("%d slices with %d resourceVersions, want 11 and 11", len(rvs), len(seen))
	}
}

// The API server's kubernetes Service is an object like the others: uid,
// resourceVersion and creationTimestamp in -o yaml, labels component=apiserver
// and provider=kubernetes that label and -l see, its Endpoints and slice the
// control plane's 6443. Deleted, the API server's controller creates it again
// at its next 10 s tick, a new object; while it exists no other Service may
// take its name.
func TestAPIServerService(t *testing.T) {
	c := eventCluster(t)
	advance(c, 5*time.Second)
	svc := kc(t, c, "get svc kubernetes -o yaml")
	uid := regexp.MustCompile(`(?m)^  uid: ([0-9a-f-]{36})$`).FindStringSubmatch(svc)
	for _, want := range []string{
		"\n  creationTimestamp: \"2026-01-05T09:00:00Z\"\n  labels:\n    component: apiserver\n    provider: kubernetes\n  name: kubernetes\n  namespace: default\n  resourceVersion: \"",
		"\n  clusterIP: 10.96.0.1\n", "\n  - name: https\n    port: 443\n    protocol: TCP\n    targetPort: 6443\n",
	} {
		if !strings.Contains(svc, want) {
			t.Errorf("get svc kubernetes -o yaml lacks %q:\n%s", want, svc)
		}
	}
	if uid == nil {
		t.Fatalf("no uid:\n%s", svc)
	}
	ep := kc(t, c, "get endpoints kubernetes -o yaml")
	if !regexp.MustCompile(`(?s)labels:\n    endpointslice.kubernetes.io/skip-mirror: "true"\n.*resourceVersion: "\d+"\n  uid: `).MatchString(ep) ||
		!strings.Contains(ep, "- ip: 10.0.0.10\n  ports:\n  - name: https\n    port: 6443\n") {
		t.Errorf("get endpoints kubernetes -o yaml:\n%s", ep)
	}
	if _, err := apply(c, "kubectl label svc kubernetes team=core"); err != nil {
		t.Fatal(err)
	}
	if out := kc(t, c, "get svc -l team=core --no-headers"); !strings.HasPrefix(out, "kubernetes   ClusterIP   10.96.0.1 ") {
		t.Errorf("get svc -l team=core: %q", out)
	}
	if _, err := apply(c, "kubectl create deployment kubernetes --image=nginx"); err != nil {
		t.Fatal(err)
	}
	if _, err := apply(c, "kubectl expose deployment kubernetes --port 80"); err == nil || !strings.Contains(err.Error(), `services "kubernetes" already exists`) {
		t.Errorf("expose as kubernetes: %v", err)
	}
	advance(c, 7*time.Second) // 12 s
	if _, err := apply(c, "kubectl delete svc kubernetes"); err != nil {
		t.Fatal(err)
	}
	if out, err := kcErr(t, c, "get svc kubernetes"); err == nil {
		t.Errorf("deleted, get svc kubernetes: %q", out)
	}
	advance(c, 8*time.Second+time.Millisecond) // past the tick at 20 s
	again := kc(t, c, "get svc kubernetes -o yaml")
	if !strings.Contains(again, "creationTimestamp: \"2026-01-05T09:00:20Z\"") || strings.Contains(again, uid[1]) || strings.Contains(again, "team: core") {
		t.Errorf("created again at 20 s, a new object without the label:\n%s", again)
	}
}

package kubectl_test

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/scenarios/kubectl"
	"github.com/kubesim/kubesim/scenarios/manifest"
)

const webDeploy = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - {name: http, containerPort: 8080}
        - {name: https, containerPort: 8443}
`

func svcDoc(name, typ, ports string) string {
	return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + "}\nspec:\n  type: " + typ +
		"\n  selector: {app: web}\n  ports:\n" + ports
}

// Services' node ports, target ports and multiple ports, as kubectl shows them.
func TestServicePorts(t *testing.T) {
	files := map[string]string{
		"web.yaml":   webDeploy,
		"np.yaml":    svcDoc("np", "NodePort", "  - {port: 80, targetPort: http}\n"),
		"fixed.yaml": svcDoc("fixed", "NodePort", "  - {port: 80, nodePort: 30080}\n"),
		"dup.yaml":   svcDoc("dup", "LoadBalancer", "  - {port: 80, nodePort: 30080}\n"),
		"low.yaml":   svcDoc("low", "NodePort", "  - {port: 80, nodePort: 5}\n"),
		"cip.yaml":   svcDoc("cip", "ClusterIP", "  - {port: 80, nodePort: 30081}\n"),
		"multi.yaml": svcDoc("multi", "NodePort", "  - {name: http, port: 80, targetPort: http}\n  - {name: https, port: 443, targetPort: 8443}\n"),
		"lb.yaml":    svcDoc("lb", "LoadBalancer", "  - {port: 80}\n"),
		"same.yaml":  svcDoc("same", "ClusterIP", "  - {name: a, port: 80, targetPort: http}\n  - {name: b, port: 81, targetPort: 8080}\n"),
	}
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{Inline: files})
	run := func(line string) (string, error) { return x.Exec(line) }
	must := func(line string) string {
		t.Helper()
		out, err := run(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return out
	}
	must("kubectl apply -f web.yaml")
	must("kubectl apply -f np.yaml")
	must("kubectl apply -f fixed.yaml")
	must("kubectl apply -f multi.yaml")
	must("kubectl apply -f lb.yaml")
	must("kubectl apply -f same.yaml")
	c.E.RunUntil(c.Now() + 30*time.Second)

	for _, tc := range []struct{ file, want string }{
		{"dup.yaml", `The Service "dup" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated`},
		{"low.yaml", `The Service "low" is invalid: spec.ports[0].nodePort: Invalid value: 5: provided port is not in the valid range. The range of valid ports is 30000-32767`},
		{"cip.yaml", "The Service \"cip\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"},
	} {
		if _, err := run("kubectl apply -f " + tc.file); err == nil || err.Error() != tc.want {
			t.Errorf("apply %s: %v\nwant %s", tc.file, err, tc.want)
		}
		name := strings.TrimSuffix(tc.file, ".yaml")
		if c.Service(name) != nil {
			t.Errorf("refused Service %s exists", name)
		}
	}

	out := must("kubectl get svc")
	_, svcRows := rows(t, out)
	nodePort := regexp.MustCompile(`^80:(3\d{4})/TCP$`)
	var npPort string
	if m := nodePort.FindStringSubmatch(svcRows["np"][4]); m == nil {
		t.Errorf("np PORT(S) %q, want 80:3xxxx/TCP\n%s", svcRows["np"][4], out)
	} else {
		npPort = m[1]
	}
	if svcRows["fixed"][4] != "80:30080/TCP" {
		t.Errorf("fixed PORT(S) %q, want 80:30080/TCP", svcRows["fixed"][4])
	}
	if !regexp.MustCompile(`^80:3\d{4}/TCP,443:3\d{4}/TCP$`).MatchString(svcRows["multi"][4]) {
		t.Errorf("multi PORT(S) %q, want both ports with node ports", svcRows["multi"][4])
	}
	if !nodePort.MatchString(svcRows["lb"][4]) || !regexp.MustCompile(`^203\.0\.113\.\d+$`).MatchString(svcRows["lb"][3]) {
		t.Errorf("lb: %q", svcRows["lb"])
	}
	seen := map[string]bool{}
	for _, s := range c.Services() {
		for _, p := range s.Ports {
			k := strconv.Itoa(p.NodePort)
			if p.NodePort != 0 && seen[k] {
				t.Errorf("node port %d allocated twice", p.NodePort)
			}
			seen[k] = true
		}
	}

	// Re-applying keeps the allocated node port: unchanged.
	if out := must("kubectl apply -f np.yaml"); out != "service/np unchanged" {
		t.Errorf("re-apply: %q", out)
	}
	if got := must("kubectl get svc np"); !strings.Contains(got, "80:"+npPort+"/TCP") {
		t.Errorf("node port changed on re-apply:\n%s", got)
	}

	// Endpoints show the target port: named (http -> 8080) and numbered.
	out = must("kubectl get endpoints")
	if !strings.HasPrefix(out, "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\nNAME") {
		t.Errorf("get endpoints lacks kubectl's deprecation warning:\n%s", out)
	}
	_, eps := rows(t, out[strings.Index(out, "\n")+1:])
	if !regexp.MustCompile(`^10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080$`).MatchString(eps["np"][1]) {
		t.Errorf("np endpoints %q, want both pods on 8080 (targetPort http)", eps["np"][1])
	}
	if !regexp.MustCompile(`^10\.244\.\d+\.\d+:80,10\.244\.\d+\.\d+:80$`).MatchString(eps["fixed"][1]) {
		t.Errorf("fixed endpoints %q, want port 80", eps["fixed"][1])
	}
	if !regexp.MustCompile(`^(10\.244\.\d+\.\d+:8080,){2}10\.244\.\d+\.\d+:8443 \+ 1 more\.\.\.$`).MatchString(eps["multi"][1]) {
		t.Errorf("multi endpoints %q, want kubectl's ports-outer listing with + 1 more...", eps["multi"][1])
	}
	// EndpointSlices list a port per Service port, as the EndpointSlice
	// controller does: two Service ports on one target port are two (was:
	// one, "8080").
	out = must("kubectl get endpointslices")
	for _, l := range strings.Split(out, "\n")[1:] {
		r := cells(l)
		svc, _, _ := strings.Cut(r[0], "-")
		if want := map[string]string{"multi": "8080,8443", "same": "8080,8080", "np": "8080"}[svc]; want != "" && r[2] != want {
			t.Errorf("slice %s PORTS %q, want %q", r[0], r[2], want)
		}
	}
	if !strings.Contains(out, "\nsame-") || !strings.Contains(out, "\nmulti-") {
		t.Errorf("get endpointslices lacks same or multi:\n%s", out)
	}
	out = must("kubectl describe svc multi")
	for _, re := range []string{`\nPort: +http  80/TCP\nTargetPort: +http/TCP\nNodePort: +http  3\d{4}/TCP\nEndpoints: +10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080\n`,
		`\nPort: +https  443/TCP\nTargetPort: +8443/TCP\nNodePort: +https  3\d{4}/TCP\nEndpoints: +10\.244\.\d+\.\d+:8443,10\.244\.\d+\.\d+:8443\n`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("describe svc multi does not match %s:\n%s", re, out)
		}
	}

	// Type back to ClusterIP: the node ports go, and can be taken again.
	files["fixed.yaml"] = svcDoc("fixed", "ClusterIP", "  - {port: 80}\n")
	if out := must("kubectl apply -f fixed.yaml"); out != "service/fixed configured" {
		t.Errorf("to ClusterIP: %q", out)
	}
	if out := must(`kubectl patch svc np -p '{"spec":{"type":"ClusterIP"}}'`); out != "service/np patched" {
		t.Errorf("patch type ClusterIP: %q", out)
	}
	if got := must("kubectl get svc np"); !strings.Contains(got, " 80/TCP ") {
		t.Errorf("node port kept after the type went ClusterIP:\n%s", got)
	}
	if out := must("kubectl apply -f dup.yaml"); out != "service/dup created" {
		t.Errorf("30080 after it was released: %q", out)
	}
	must("kubectl delete svc dup")
	files["dup.yaml"] = svcDoc("dup2", "NodePort", "  - {port: 80, nodePort: 30080}\n")
	if out := must("kubectl apply -f dup.yaml"); out != "service/dup2 created" {
		t.Errorf("30080 after its Service was deleted: %q", out)
	}
}

// A LoadBalancer Service gets its cloud load balancer's address at once (the
// simulated load balancer serves from the Service's creation): EXTERNAL-IP,
// -o yaml's status.loadBalancer.ingress (ipMode VIP, the API server's
// default) and describe's 'LoadBalancer Ingress:' show it, as kubectl prints
// them (was: EXTERNAL-IP <pending> for ever, no status, no describe line);
// other types show none, and a Service that stops being a LoadBalancer loses
// it.
func TestLoadBalancerIngress(t *testing.T) {
	files := map[string]string{
		"web.yaml": webDeploy,
		"lb.yaml":  svcDoc("lb", "LoadBalancer", "  - {port: 80}\n"),
		"lb2.yaml": svcDoc("lb2", "LoadBalancer", "  - {port: 80}\n"),
		"np.yaml":  svcDoc("np", "NodePort", "  - {port: 80}\n"),
	}
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{Inline: files})
	must := func(line string) string {
		t.Helper()
		out, err := x.Exec(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return out
	}
	for _, f := range []string{"web", "lb", "lb2", "np"} {
		must("kubectl apply -f " + f + ".yaml")
	}
	out := must("kubectl get svc")
	_, r := rows(t, out)
	addr := regexp.MustCompile(`^203\.0\.113\.([1-9]\d*)$`)
	m := addr.FindStringSubmatch(r["lb"][3])
	if m == nil || addr.FindStringSubmatch(r["lb2"][3]) == nil || r["lb"][3] == r["lb2"][3] {
		t.Fatalf("LoadBalancer EXTERNAL-IPs %q and %q, want two distinct 203.0.113.H (TEST-NET-3):\n%s", r["lb"][3], r["lb2"][3], out)
	}
	if h, _ := strconv.Atoi(m[1]); h > 254 {
		t.Errorf("EXTERNAL-IP %s is not a host address", r["lb"][3])
	}
	ip := r["lb"][3]
	if r["np"][3] != "<none>" || r["kubernetes"][3] != "<none>" {
		t.Errorf("NodePort/ClusterIP EXTERNAL-IP %q/%q, want <none>", r["np"][3], r["kubernetes"][3])
	}
	if got := must("kubectl get svc lb -o yaml"); !strings.Contains(got, "\nstatus:\n  loadBalancer:\n    ingress:\n    - ip: "+ip+"\n      ipMode: VIP") {
		t.Errorf("-o yaml lacks status.loadBalancer.ingress[0] ip %s, ipMode VIP:\n%s", ip, got)
	}
	if got := must("kubectl get svc lb -o jsonpath={.status.loadBalancer.ingress[0].ip}"); got != ip {
		t.Errorf("jsonpath ingress ip %q, want %s", got, ip)
	}
	if got := must("kubectl describe svc lb"); !regexp.MustCompile(`\nIPs: +10\.96\.\d+\.\d+\nLoadBalancer Ingress: +` + regexp.QuoteMeta(ip) + ` \(VIP\)\nPort: `).MatchString(got) {
		t.Errorf("describe svc lb lacks 'LoadBalancer Ingress:  %s (VIP)' after IPs:\n%s", ip, got)
	}
	if got := must("kubectl describe svc np"); strings.Contains(got, "LoadBalancer Ingress") {
		t.Errorf("describe of a NodePort Service shows an ingress:\n%s", got)
	}
	if got := must("kubectl get svc np -o yaml"); !strings.Contains(got, "\nstatus:\n  loadBalancer: {}") {
		t.Errorf("NodePort Service's status, want loadBalancer: {}:\n%s", got)
	}
	// Same name, same address (deterministic); not a LoadBalancer any more: none.
	if got := must("kubectl get svc lb"); !strings.Contains(got, " "+ip+" ") {
		t.Errorf("address changed between gets:\n%s", got)
	}
	must(`kubectl patch svc lb -p '{"spec":{"type":"NodePort"}}'`)
	if _, r := rows(t, must("kubectl get svc lb")); r["lb"][3] != "<none>" {
		t.Errorf("after the type went NodePort EXTERNAL-IP %q, want <none>", r["lb"][3])
	}
}

// Settings kubesim cannot honour are refused, not dropped, naming the file and
// line (was: the Service only) when a manifest sets them; the manifest's
// decoding reports them, so kubesim validate (of the manifest, or of a
// scenario applying it) catches them too; a patch to them is refused.
func TestServiceUnsimulatedFieldsRefused(t *testing.T) {
	for _, tc := range []struct{ extra, want string }{
		{"  externalTrafficPolicy: Local\n", "spec.externalTrafficPolicy: Local is not simulated by kubesim in Service \"s\""},
		{"  internalTrafficPolicy: Local\n", "spec.internalTrafficPolicy: Local is not simulated by kubesim in Service \"s\""},
		{"  publishNotReadyAddresses: true\n", "spec.publishNotReadyAddresses: true is not simulated by kubesim in Service \"s\""},
	} {
		doc := svcDoc("s", "NodePort", "  - {port: 80}\n") + tc.extra
		want := fmt.Sprintf("s.yaml:%d: %s", strings.Count(doc, "\n"), tc.want)
		c := printCluster(t, 1)
		x := newExecutor(c, kubectl.Files{Inline: map[string]string{"s.yaml": doc}})
		if _, err := x.Exec("kubectl apply -f s.yaml"); err == nil || !strings.Contains(err.Error(), "error: "+want) {
			t.Errorf("%s: %v; want %q", strings.TrimSpace(tc.extra), err, want)
		}
		if c.Service("s") != nil {
			t.Errorf("%s: the Service was created", strings.TrimSpace(tc.extra))
		}
		_, _, err := manifest.Decode("s.yaml", []byte(doc), manifest.Options{})
		var me *manifest.Error
		if !errors.As(err, &me) || len(me.Problems) != 1 || me.Problems[0].Kind != manifest.Unsimulated || !strings.HasPrefix(me.Problems[0].String(), want) {
			t.Errorf("%s: decoding: %v; want one Unsimulated problem %q...", strings.TrimSpace(tc.extra), err, want)
		}
	}
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{Inline: map[string]string{"s.yaml": svcDoc("s", "NodePort", "  - {port: 80}\n")}})
	if _, err := x.Exec("kubectl apply -f s.yaml"); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Exec(`kubectl patch svc s -p '{"spec":{"publishNotReadyAddresses":true}}'`); err == nil || !strings.Contains(err.Error(), "spec.publishNotReadyAddresses: true is not simulated by kubesim") {
		t.Errorf("patch publishNotReadyAddresses: %v", err)
	}
}

// A Service outside the default namespace has its ClusterIP in -o yaml,
// -o json, jsonpath and custom-columns, the one get svc and describe show
// (found on the tour: 'kubectl get svc api -n shop -o yaml' printed
// clusterIPs: [""] and no clusterIP).
func TestServiceClusterIPInNamespace(t *testing.T) {
	files := map[string]string{"shop.yaml": `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports:
  - {port: 80, targetPort: 8080}
`}
	c := printCluster(t, 1)
	x := newExecutor(c, kubectl.Files{Inline: files})
	must := func(line string) string {
		t.Helper()
		out, err := x.Exec(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return out
	}
	must("kubectl apply -f shop.yaml")
	m := regexp.MustCompile(`(?m)^api\s+ClusterIP\s+(10\.96\.\d+\.\d+)\s`).FindStringSubmatch(must("kubectl get svc -n shop -o wide"))
	if m == nil {
		t.Fatal("get svc -n shop shows no ClusterIP for api")
	}
	ip := m[1]
	if out := must("kubectl get svc api -n shop -o jsonpath={.spec.clusterIP}"); out != ip {
		t.Errorf("jsonpath .spec.clusterIP = %q, want %q (get svc's)", out, ip)
	}
	if out := must("kubectl get svc api -n shop -o yaml"); !strings.Contains(out, "  clusterIP: "+ip+"\n  clusterIPs:\n  - "+ip+"\n") {
		t.Errorf("-o yaml lacks clusterIP %s:\n%s", ip, out)
	}
	if out := must("kubectl describe svc api -n shop"); !strings.Contains(out, "IP:                       "+ip+"\n") {
		t.Errorf("describe lacks IP %s:\n%s", ip, out)
	}
}

package scenarios

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/scenarios/study"
)

// shopYAML is a new user's own two-service app: a web front end calling a
// database, described in 15 lines of workload.
const shopYAML = `name: shop
duration: 2m
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=example/web --replicas=2
      kubectl expose deployment web --port 80 --type=LoadBalancer
      kubectl create deployment db --image=registry.example.com/team/db:v3
      kubectl expose deployment db --port 5432
workload:
  services:
    - name: web
      image: web
      concurrency: 8
      routes:
        - {name: /, service: exp(5ms), script: [{call: db/query}]}
    - name: db
      image: db
      routes: [{name: /query, service: exp(2ms)}]
  clients:
    - {name: shoppers, users: 20, think: exp(1s), call: web}
`

// The two-service app gives traffic through both Services: every shopper's
// call to web makes one to db, so they see about the same number of requests
// (20 users thinking 1 s: about 20 per second once the pods run), and web's
// latency includes db's.
func TestOwnTwoServiceAppGivesTraffic(t *testing.T) {
	s, err := ParseFile("shop.yaml", []byte(shopYAML))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	web, db := res.Summary.Services["web"], res.Summary.Services["db"]
	if web.Requests < 2000 || db.Requests < 2000 {
		t.Fatalf("web %d, db %d requests in 2 min: want about 20/s each", web.Requests, db.Requests)
	}
	if d := web.Requests - db.Requests; d < 0 || d > web.Requests/10 {
		t.Errorf("web %d requests, db %d: each web request calls db once", web.Requests, db.Requests)
	}
	if web.LatencyMs.P50 <= db.LatencyMs.P50 {
		t.Errorf("web p50 %.2f ms <= db p50 %.2f ms: web's requests wait for db's", web.LatencyMs.P50, db.LatencyMs.P50)
	}
	if res.Mining() != nil {
		t.Errorf("DockerCoins figures in a run without DockerCoins")
	}
	for _, f := range res.Summary.Extra {
		if f.Key == "assumed" {
			t.Errorf("defaults assumed although both images are declared: %v", f.Value)
		}
	}
	a := res.Summary.Requests
	if a.Sent != a.Completed+a.Refused+a.Failed+a.InFlight {
		t.Errorf("accounting: %+v", a)
	}
}

// A container nothing declares serves as an echo server (and the run says so)
// on its containerPorts, and on the targetPort of a Service selecting it: a
// real server listens on its port whatever the pod declares. kubectl create
// deployment and run --port declare the container port as kubectl does, and
// expose without --port takes it (was: --port ignored, and web, x and quiet
// were refused: connect failed).
func TestUndeclaredContainersEchoOnTheirPorts(t *testing.T) {
	src := `name: echo
duration: 30s
files:
  web.yml: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: nginx, image: nginx:1.27, ports: [{containerPort: 80}]}]
timeline:
  - at: 0s
    run: |
      kubectl apply -f web.yml
      kubectl expose deployment web --port 80
      kubectl create deployment api --image=nginx --port=8080
      kubectl expose deployment api
      kubectl run x --image=nginx --port=80
      kubectl expose pod x --port=80
      kubectl create deployment quiet --image=busybox
      kubectl create deployment later --image=busybox
  - at: 10s
    run: |
      kubectl get deploy api -o jsonpath={.spec.template.spec.containers[0].ports}
      kubectl get pod x -o jsonpath={.spec.containers[0].ports[0].containerPort}
      kubectl get svc api -o jsonpath={.spec.ports[0].targetPort}
      kubectl expose deployment later --port 80
  - at: 20s
    run: |
      httping web -c 3
      httping api -c 3
      httping x -c 3
      httping later -c 3
`
	s, err := ParseFile("echo.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, st := range res.Timeline {
		out[st.Command] = st.Output
		if st.Error != "" {
			t.Errorf("%s: %s", st.Command, st.Error)
		}
	}
	for cmd, want := range map[string]string{
		"kubectl get deploy api -o jsonpath={.spec.template.spec.containers[0].ports}": `[{"containerPort":8080,"protocol":"TCP"}]`,
		"kubectl get pod x -o jsonpath={.spec.containers[0].ports[0].containerPort}":   "80",
		"kubectl get svc api -o jsonpath={.spec.ports[0].targetPort}":                  "8080",
	} {
		if out[cmd] != want {
			t.Errorf("%s: %q, want %q", cmd, out[cmd], want)
		}
	}
	for _, svc := range []string{"web", "api", "x", "later"} {
		if got := out["httping "+svc+" -c 3"]; !strings.Contains(got, "3 connects, 3 ok") {
			t.Errorf("httping %s: %q, want 3 ok", svc, got)
		}
	}
	// nginx served in web, api and x; busybox only in later (exposed at
	// 10s, after its container started): quiet, which nothing selects, never
	// served.
	as := res.Declared.Assumed()
	want := []string{"image busybox (1 container start, first later-", "image nginx (2 container starts, first x)", "image nginx:1.27 (1 container start, first web-"}
	if len(as) != len(want) {
		t.Fatalf("assumed %q, want %d lines", as, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(as[i], w) || !strings.Contains(as[i], "served as an echo server") {
			t.Errorf("assumed %q, want %q...", as[i], w)
		}
	}
}

// Mistakes in a workload are reported with the file, the line and the field.
func TestWorkloadErrorsNameTheLine(t *testing.T) {
	src := `name: bad
duration: 1m
workload:
  services:
    - name: web
      concurency: 4
      routes: [{name: /, service: exp(-1ms)}]
    - name: db
      image: db
      routes: [{name: /, script: [{branch: [{p: 0.7, do: [{sleep: 1ms}]}, {p: 0.6, do: [{sleep: 2ms}]}]}]}]
  clients:
    - {name: u, users: 5, rate: 3, call: web}
    - {name: lg, image: "loadgen:v1", rate: 3, call: web}
    - {name: t1, users: 3, totalUsers: 9, image: gen, call: web}
    - {name: t2, totalUsers: 9, call: web}
    - {name: n1, image: gen, users: 1, node: node2, call: web}
`
	_, err := ParseFile("bad.yaml", []byte(src))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		`bad.yaml:6: workload.services[0]: unknown field "concurency"`,
		`bad.yaml:7: workload.services[0].routes[0].service`,
		`bad.yaml:5: workload.services[0]: give image:`,
		`bad.yaml:10: workload.services[1].routes[0].script[0].branch: the probabilities add up to 1.3, more than 1`,
		`bad.yaml:12: workload.clients[0]: a client is closed-loop (users:) or open-loop (rate: or schedule:), not both`,
		`bad.yaml:13: workload.clients[1].image: "loadgen:v1": give the image's name`,
		`bad.yaml:14: workload.clients[2]: give users: (per container) or totalUsers: (over all the client's containers), not both`,
		`bad.yaml:15: workload.clients[3].totalUsers: only a client in containers (image: or labels:) spreads its users`,
		`bad.yaml:16: workload.clients[4].node: only a client outside the cluster is pointed at a node`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}

// Little's law holds for every Service in every built-in scenario: the
// time-average number of requests in flight through it (sent, not yet
// answered, as its clients see them) is its throughput times their mean
// latency, plus the time the requests still in flight at the end have spent
// (measured apart: L = lambda W + residual, to the nanosecond).
func TestLittlesLawPerServiceInEveryBuiltin(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every built-in scenario")
	}
	for _, name := range BuiltinNames() {
		s, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		res, err := RunWith(s, Options{Little: true})
		if err != nil {
			t.Fatal(err)
		}
		figs := res.Rec.Little()
		if len(figs) == 0 {
			t.Errorf("%s: no Service had traffic", name)
		}
		worst := 0.0
		for svc, f := range figs {
			lw := f.Throughput*f.MeanLatency + f.Residual
			worst = math.Max(worst, math.Abs(f.MeanInFlight-lw))
			if math.Abs(f.MeanInFlight-lw) > 1e-9*math.Max(1, f.MeanInFlight) {
				t.Errorf("%s: Service %s: L = %.9f, lambda W + residual = %.9f (lambda %.3f/s, W %.6f s, residual %.6f)", name, svc, f.MeanInFlight, lw, f.Throughput, f.MeanLatency, f.Residual)
			}
			if got := res.Summary.Services[svc].Requests; !strings.Contains(svc, "#") && got != int64(math.Round(f.Throughput*res.Summary.SimSeconds)) {
				t.Errorf("%s: Service %s: %d requests in the summary, %g x %g s in the Little figures", name, svc, got, f.Throughput, res.Summary.SimSeconds)
			}
		}
		t.Logf("%s: %d Services, largest |L - (lambda W + residual)| %.2g", name, len(figs), worst)
	}
}

// closedNetwork is N closed-loop users (exponential think time Z) each calling
// two single-server stations in turn, with exponential service demands D1 and
// D2, on a network without delay: a product-form closed network.
func closedNetwork(n int, seed uint64) string {
	return fmt.Sprintf(`name: mva
seed: %d
duration: 610s
config:
  network: {sameNode: 0s, crossNode: 0s}
timeline:
  - at: 0s
    run: |
      kubectl create deployment s1 --image=mva/s1
      kubectl expose deployment s1 --port 80 --type=LoadBalancer
      kubectl create deployment s2 --image=mva/s2
      kubectl expose deployment s2 --port 80 --type=LoadBalancer
workload:
  services:
    - {name: s1, image: s1, concurrency: 1, backlog: 0, routes: [{name: /, service: exp(10ms)}]}
    - {name: s2, image: s2, concurrency: 1, backlog: 0, routes: [{name: /, service: exp(20ms)}]}
  clients:
    - {name: users, users: %d, think: exp(100ms), start: 10s, script: [{call: s1}, {call: s2}]}
`, seed, n)
}

// mva is exact Mean Value Analysis of a closed network with a delay station
// (think time z) and single-server stations of demands d: throughput and
// response time (the sum of the stations') with n customers.
func mva(n int, z float64, d []float64) (x, r float64) {
	q := make([]float64, len(d))
	for k := 1; k <= n; k++ {
		r = 0
		rs := make([]float64, len(d))
		for i := range d {
			rs[i] = d[i] * (1 + q[i])
			r += rs[i]
		}
		x = float64(k) / (z + r)
		for i := range d {
			q[i] = x * rs[i]
		}
	}
	return x, r
}

// meanCI is the mean of xs and the half-width of its 95% Student-t interval.
func meanCI(xs []float64) (float64, float64) {
	var m, v float64
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	v /= float64(len(xs) - 1)
	t975 := map[int]float64{4: 2.776, 7: 2.365, 9: 2.262}[len(xs)-1]
	return m, t975 * math.Sqrt(v/float64(len(xs)))
}

// Closed-loop clients against a closed network of exponential stations:
// throughput and response time fall within the 95% confidence interval of
// eight replications around exact MVA, for several populations.
func TestClosedNetworkAgainstMVA(t *testing.T) {
	if testing.Short() {
		t.Skip("24 runs")
	}
	for _, n := range []int{1, 4, 10} {
		var xs, rs []float64
		for seed := uint64(1); seed <= 8; seed++ {
			s, err := ParseFile("mva.yaml", []byte(closedNetwork(n, seed)))
			if err != nil {
				t.Fatal(err)
			}
			res, err := RunWith(s, Options{Little: true})
			if err != nil {
				t.Fatal(err)
			}
			lf := res.Rec.Little()
			s1, s2 := lf["s1"], lf["s2"]
			T := res.Summary.SimSeconds
			xs = append(xs, s2.Throughput*T/(T-10))
			rs = append(rs, s1.MeanLatency+s2.MeanLatency)
		}
		wantX, wantR := mva(n, 0.1, []float64{0.01, 0.02})
		x, hx := meanCI(xs)
		r, hr := meanCI(rs)
		t.Logf("N=%d: X %.3f ± %.3f /s (MVA %.3f), R %.2f ± %.2f ms (MVA %.2f)", n, x, hx, wantX, r*1e3, hr*1e3, wantR*1e3)
		if math.Abs(x-wantX) > hx {
			t.Errorf("N=%d: throughput %.3f ± %.3f /s, MVA %.3f", n, x, hx, wantX)
		}
		if math.Abs(r-wantR) > hr {
			t.Errorf("N=%d: response time %.3f ± %.3f ms, MVA %.3f", n, r*1e3, hr*1e3, wantR*1e3)
		}
	}
}

// Retries and timeouts amplify load as computed by hand. flaky answers half
// its requests with an error; a call tried up to 3 times (2 retries) makes
// 1 + 1/2 + 1/4 = 1.75 requests on average, 7/8 of them answered with an
// error ... of which 1/8 of the calls fail for good. slow takes 200 ms and its
// callers give up after 100 ms: every call makes exactly 3 requests, all timed
// out, and slow still serves every one of them.
func TestRetryAndTimeoutAmplification(t *testing.T) {
	src := `name: retries
duration: 510s
config:
  network: {sameNode: 0s, crossNode: 0s}
timeline:
  - at: 0s
    run: |
      kubectl create deployment a --image=t/a
      kubectl expose deployment a --port 80 --type=LoadBalancer
      kubectl create deployment b --image=t/b
      kubectl expose deployment b --port 80 --type=LoadBalancer
      kubectl create deployment flaky --image=t/flaky
      kubectl expose deployment flaky --port 80 --type=LoadBalancer
      kubectl create deployment slow --image=t/slow
      kubectl expose deployment slow --port 80 --type=LoadBalancer
workload:
  services:
    - {name: a, image: a}
    - {name: b, image: b}
    - {name: flaky, image: flaky, concurrency: 64, routes: [{name: /, service: 1ms, errorRate: 0.5}]}
    - {name: slow, image: slow, concurrency: 64, routes: [{name: /, service: 200ms}]}
  clients:
    - {name: ca, rate: 20, start: 10s, script: [{call: a}, {call: flaky, retries: 2, backoff: 10ms}]}
    - {name: cb, rate: 20, start: 10s, script: [{call: b}, {call: slow, timeout: 100ms, retries: 2, backoff: 10ms}]}
`
	s, err := ParseFile("retries.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	sv := res.Summary.Services
	calls := float64(sv["a"].Requests)
	if calls < 9000 {
		t.Fatalf("%v calls in 500 s at 20/s", calls)
	}
	// Attempts per call: mean 1.75, standard deviation 0.83 per call.
	amp := float64(sv["flaky"].Requests) / calls
	t.Logf("flaky: %d requests for %v calls: %.4f per call (by hand 1.75 ± %.4f, 4 standard errors), error rate %.4f (0.5)", sv["flaky"].Requests, calls, amp, 4*0.83/math.Sqrt(calls), float64(sv["flaky"].Errors)/float64(sv["flaky"].Requests))
	t.Logf("slow: %d requests, %d timed out, for %d calls (by hand 3 per call)", sv["slow"].Requests, sv["slow"].Errors, sv["b"].Requests)
	if se := 0.83 / math.Sqrt(calls); math.Abs(amp-1.75) > 4*se {
		t.Errorf("flaky: %.4f requests per call, want 1.75 ± %.4f", amp, 4*se)
	}
	if er := float64(sv["flaky"].Errors) / float64(sv["flaky"].Requests); math.Abs(er-0.5) > 0.02 {
		t.Errorf("flaky: error rate %.4f, want 0.5", er)
	}
	callsB := sv["b"].Requests
	slow := sv["slow"]
	// Calls still under way at the end (20/s, each up to 3 x 100 ms plus
	// backoffs) have made fewer.
	if slow.Requests < 3*callsB-30 || slow.Requests > 3*callsB || slow.Errors != slow.Requests {
		t.Errorf("slow: %d requests (%d errors) for %d calls: want 3 per call, all timed out", slow.Requests, slow.Errors, callsB)
	}
	if a := res.Summary.Requests; a.TimedOut != slow.Requests || a.AppErrors != sv["flaky"].Errors {
		t.Errorf("accounting %+v: want %d timed out, %d application errors", a, slow.Requests, sv["flaky"].Errors)
	}
	var served int64
	for _, p := range res.Summary.Pods {
		if p.App == "slow" {
			served += p.Served
		}
	}
	if served < slow.Requests-10 || served > slow.Requests {
		t.Errorf("slow's pod served %d of the %d requests its callers gave up on", served, slow.Requests)
	}
}

// Errors are counted by kind per Service, and declared routes and clients are
// measured on their own: web's pods are not ready for the first seconds
// (refused), db answers slower than its caller waits (timeouts), web's route
// fails 10% of its answers (application errors), and db's pod is deleted at
// once while serving (resets, then refused connections until its replacement
// is ready).
func TestErrorsByKindRoutesAndClients(t *testing.T) {
	src := `name: kinds
duration: 2m
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=example/web --replicas=2
      kubectl expose deployment web --port 80 --type=LoadBalancer
      kubectl create deployment db --image=example/db
      kubectl expose deployment db --port 5432
  - at: 60s
    run: kubectl delete pod -l app=db --force --grace-period=0
workload:
  services:
    - name: web
      image: web
      routes:
        - {name: /, service: exp(5ms), errorRate: 0.1, script: [{call: db/query, timeout: 20ms}]}
    - name: db
      image: db
      concurrency: 2
      routes: [{name: /query, service: exp(10ms)}]
  clients:
    - {name: shoppers, users: 20, think: exp(100ms), call: web}
`
	s, err := ParseFile("kinds.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	sum := res.Summary
	web, db := sum.Services["web"], sum.Services["db"]
	if web.ErrorsByKind == nil || db.ErrorsByKind == nil {
		t.Fatalf("no errors by kind: web %+v, db %+v", web, db)
	}
	wk, dk := *web.ErrorsByKind, *db.ErrorsByKind
	if wk.Refused == 0 || wk.AppError == 0 || dk.Timeout == 0 || dk.Reset == 0 || dk.Refused == 0 {
		t.Errorf("web %+v, db %+v: want refused and app errors at web, timeouts, resets and refused at db", wk, dk)
	}
	for name, v := range map[string]metrics.ServiceSummary{"web": web, "db": db} {
		if k := v.ErrorsByKind; k.Refused+k.Reset+k.Timeout+k.AppError != v.Errors {
			t.Errorf("%s: errors %d, by kind %+v", name, v.Errors, *k)
		}
	}
	// Every call to db/query is a try of the route; every shopper's run one call to web.
	q, root, shoppers := sum.Routes["db/query"], sum.Routes["web/"], sum.Clients["shoppers"]
	if q.Requests != db.Requests || q.Errors != db.Errors || root.Requests != web.Requests {
		t.Errorf("routes db/query %d (%d errors), web/ %d; Services db %d (%d), web %d", q.Requests, q.Errors, root.Requests, db.Requests, db.Errors, web.Requests)
	}
	if shoppers.Requests != web.Requests || shoppers.Errors != web.Errors || shoppers.LatencyMs.P50 <= 0 {
		t.Errorf("client shoppers %+v; web %+v", shoppers, web)
	}
	m := StudyMetrics(res)
	if m.Scalars["db.timeout"] != float64(dk.Timeout) || m.Scalars["routes.db/query.requests"] != float64(q.Requests) {
		t.Errorf("study scalars: db.timeout %v, routes.db/query.requests %v", m.Scalars["db.timeout"], m.Scalars["routes.db/query.requests"])
	}
	if _, ok := m.Series["clients.shoppers.latency_ms.p99"]; !ok {
		t.Errorf("no clients.shoppers.latency_ms.p99 series")
	}
}

// A run without declared routes or clients reports none.
func TestNoRoutesOrClientsWithoutDeclarations(t *testing.T) {
	s, err := Builtin("scale-workers")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Routes != nil || res.Summary.Clients != nil {
		t.Errorf("routes %v, clients %v in a DockerCoins run", res.Summary.Routes, res.Summary.Clients)
	}
}

// Online Boutique, built in: requests flow from the load generators' locust
// users through the frontend to every backend Service, each with its own
// latency and errors; the clients' latency rises when 300 users saturate the
// single frontend's CPU limit and falls again once the frontend is scaled to
// 3 replicas; nothing is about DockerCoins.
func TestOnlineBoutique(t *testing.T) {
	s, err := Builtin("online-boutique")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unexpected) > 0 {
		t.Fatalf("steps failed: %v", res.Unexpected)
	}
	sum := res.Summary
	for _, name := range []string{"frontend", "productcatalogservice", "currencyservice", "cartservice", "redis-cart",
		"recommendationservice", "adservice", "shippingservice", "checkoutservice", "paymentservice", "emailservice"} {
		v, ok := sum.Services[name]
		if !ok || v.Requests == 0 || v.LatencyMs.P50 <= 0 {
			t.Errorf("Service %s: %+v: want requests and a latency", name, v)
		}
	}
	if res.Mining() != nil {
		t.Errorf("DockerCoins figures (Mining speed) in Online Boutique")
	}
	for _, f := range sum.Extra {
		if f.Key != "clients_from_env" {
			t.Errorf("workload figure %q in Online Boutique (assumed defaults or DockerCoins')", f.Key)
		}
	}
	// Every checkout charges a card and sends one email.
	co, pay, mail := sum.Services["checkoutservice"], sum.Services["paymentservice"], sum.Services["emailservice"]
	if pay.Requests != co.Requests-co.Errors && pay.Requests > co.Requests {
		t.Errorf("checkout %d, payment %d", co.Requests, pay.Requests)
	}
	if mail.Requests > pay.Requests {
		t.Errorf("payment %d, email %d: an email follows a charge", pay.Requests, mail.Requests)
	}
	lg, ok := sum.Clients["loadgenerator"]
	if !ok {
		t.Fatalf("no loadgenerator client: %v", sum.Clients)
	}
	p50 := func(from, to float64) float64 {
		var worst float64
		for _, w := range lg.Windows {
			if w.Start >= from && w.End <= to {
				worst = math.Max(worst, w.LatencyMs.P50)
			}
		}
		return worst
	}
	calm, overloaded, scaled := p50(60, 180), p50(220, 360), p50(400, 540)
	if !(overloaded > 5*calm && overloaded > 5*scaled) {
		t.Errorf("locust users' median latency (worst window): %.1f ms with 10 users, %.1f ms with 300 on one frontend, %.1f ms on three: want the middle one well above the others", calm, overloaded, scaled)
	}
}

// The project's real release/kubernetes-manifests.yaml applies and its
// loadgenerator's users make traffic through the frontend and its backends;
// the run says it read USERS and RATE from the container's env.
func TestOnlineBoutiqueRealManifests(t *testing.T) {
	res := runRealBoutique(t, 2*60, "", "")
	sum := res.Summary
	if fe, pc := sum.Services["frontend"], sum.Services["productcatalogservice"]; fe.Requests < 100 || pc.Requests < 100 {
		t.Errorf("frontend %d, productcatalogservice %d requests in 2 minutes of 10 locust users", fe.Requests, pc.Requests)
	}
	if res.Mining() != nil {
		t.Errorf("DockerCoins in Online Boutique")
	}
	want := `client loadgenerator: env USERS="10", RATE="1": 10 users per container, spawned 1 per second (1 container start, first loadgenerator-`
	for _, f := range sum.Extra {
		if l, _ := f.Value.([]string); f.Key != "clients_from_env" || len(l) != 1 || !strings.HasPrefix(l[0], want) {
			t.Errorf("summary %s: %v; want only clients_from_env: [%s...]", f.Key, f.Value, want)
		}
	}
}

// runRealBoutique runs the project's real release/kubernetes-manifests.yaml
// for secs simulated seconds, with the loadgenerator's USERS and RATE set to
// users and rate instead of the release's "10" and "1" (when not "").
func runRealBoutique(t *testing.T, secs int, users, rate string) *Result {
	t.Helper()
	b, err := os.ReadFile("../workload/boutique/testdata/kubernetes-manifests.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := string(b)
	for name, v := range map[string]string{"USERS": users, "RATE": rate} {
		if v == "" {
			continue
		}
		old := map[string]string{"USERS": "10", "RATE": "1"}[name]
		from := fmt.Sprintf("- name: %s\n          value: %q", name, old)
		if strings.Count(m, from) != 1 {
			t.Fatalf("the release's manifests have no single %q", from)
		}
		m = strings.Replace(m, from, fmt.Sprintf("- name: %s\n          value: %q", name, v), 1)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "kubernetes-manifests.yaml"), []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("name: real-boutique\nduration: %ds\ntimeline:\n  - at: 0s\n    run: kubectl apply -f kubernetes-manifests.yaml\n", secs)
	s, err := ParseFile(filepath.Join(dir, "real-boutique.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unexpected) > 0 {
		t.Fatalf("steps failed: %v", res.Unexpected)
	}
	return res
}

// A user who edits the loadgenerator's USERS in the real manifests gets
// proportionally more traffic, as locust -u "${USERS}" runs that many users
// (each a weighted task, then 1-10 s of wait): 40 users spawned at once
// (RATE 40) make about four times the runs of 10 spawned at once. A USERS
// that is not a number runs no users (locust would exit with a usage error),
// and the run says so.
func TestOnlineBoutiqueUsersEnv(t *testing.T) {
	runs := func(res *Result) float64 { return float64(res.Summary.Clients["loadgenerator"].Requests) }
	ten, forty := runRealBoutique(t, 4*60, "10", "10"), runRealBoutique(t, 4*60, "40", "40")
	if r := runs(forty) / runs(ten); r < 3.4 || r > 4.6 {
		t.Errorf("loadgenerator runs: %v with USERS=40, %v with USERS=10: ratio %.2f, want about 4", runs(forty), runs(ten), r)
	}
	// 10 users waiting uniform(1s,10s) and taking a few ms each: about
	// 10/5.5 = 1.8 runs per second.
	if r := runs(ten) / 240; r < 1.5 || r > 2.1 {
		t.Errorf("10 users: %.2f runs/s, want about 1.8", r)
	}
	if fe := forty.Summary.Services["frontend"].Requests; fe < 3*ten.Summary.Services["frontend"].Requests {
		t.Errorf("frontend: %d requests with 40 users, %d with 10", fe, ten.Summary.Services["frontend"].Requests)
	}
	bad := runRealBoutique(t, 60, "ten", "")
	if n := bad.Summary.Services["frontend"].Requests; n != 0 {
		t.Errorf("USERS=\"ten\": %d frontend requests, want none", n)
	}
	got := fmt.Sprint(bad.Declared.FromEnv())
	if want := `client loadgenerator: env USERS="ten" is not a whole number of users: the load generator would exit with a usage error; its containers run no users`; !strings.Contains(got, want) {
		t.Errorf("FromEnv: %s\nwant %s", got, want)
	}
}

// An open-loop client on a sine schedule (a daily cycle, here of 2 minutes)
// sends mean + amplitude x sin(2 pi t / period) per second: about
// 20 + 15 x 2/pi = 29.5/s over the first half period and 10.5/s over the
// second.
func TestSineSchedule(t *testing.T) {
	src := `name: sine
duration: 2m
window: 1m
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=example/web
      kubectl expose deployment web --port 80 --type=LoadBalancer
workload:
  services:
    - {name: web, image: web}
  clients:
    - {name: day, sine: {mean: 20, amplitude: 15, period: 2m}, call: web}
`
	s, err := ParseFile("sine.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	w := res.Summary.Clients["day"].Windows
	if len(w) != 2 {
		t.Fatalf("windows %+v", w)
	}
	first, second := float64(w[0].Requests)/60, float64(w[1].Requests)/60
	if math.Abs(first-29.5) > 3 || math.Abs(second-10.5) > 2 {
		t.Errorf("%.1f/s then %.1f/s, want about 29.5 and 10.5", first, second)
	}
	if _, err := ParseFile("bad.yaml", []byte(strings.Replace(src, "amplitude: 15", "amplitude: 25", 1))); err == nil || !strings.Contains(err.Error(), "bad.yaml:13: workload.clients[0].sine: amplitude 25 is above mean 20") {
		t.Errorf("amplitude above mean: %v", err)
	}
}

// The workload section takes ${var} like the timeline: --set (or a study's
// vars.NAME) changes the sine's mean and amplitude, and so the load the run
// sends: mean 40 +- 30 gives about 40 + 30 x 2/pi = 59.1/s over the first
// half period and 20.9/s over the second.
func TestSineLoadFromVars(t *testing.T) {
	src := `name: sine
duration: 2m
window: 1m
vars: {mean: "20", amp: "15"}
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=example/web
      kubectl expose deployment web --port 80 --type=LoadBalancer
workload:
  services:
    - {name: web, image: web}
  clients:
    - name: day
      call: web
      sine:
        mean: ${mean}
        amplitude: "${amp}"
        period: 2m
`
	s, err := ParseFileWith("sine.yaml", []byte(src), map[string]string{"mean": "40", "amp": "30"})
	if err != nil {
		t.Fatal(err)
	}
	if sn := s.Workload.Clients[0].Sine; sn == nil || sn.Mean != 40 || sn.Amplitude != 30 {
		t.Fatalf("sine %+v, want mean 40 amplitude 30", sn)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	w := res.Summary.Clients["day"].Windows
	if len(w) != 2 {
		t.Fatalf("windows %+v", w)
	}
	first, second := float64(w[0].Requests)/60, float64(w[1].Requests)/60
	if math.Abs(first-59.1) > 4 || math.Abs(second-20.9) > 3 {
		t.Errorf("%.1f/s then %.1f/s, want about 59.1 and 20.9", first, second)
	}
	// A study may vary it: the parameter changes the scenario.
	if err := checkPoint([]byte(src), "sine.yaml", study.Point{{Path: "vars.mean", Value: study.Number(30)}}); err != nil {
		t.Errorf("a study varying vars.mean: %v", err)
	}
	// The errors of the values still name the line, after substitution.
	if _, err := ParseFileWith("bad.yaml", []byte(src), map[string]string{"amp": "50"}); err == nil || !strings.Contains(err.Error(), "bad.yaml:17: workload.clients[0].sine: amplitude 50 is above mean 20") {
		t.Errorf("amplitude above mean: %v", err)
	}
	if _, err := ParseFile("undef.yaml", []byte(strings.Replace(src, "${mean}", "${avg}", 1))); err == nil || !strings.Contains(err.Error(), "undef.yaml:17: workload.clients[0].sine.mean: ${avg} is not defined: add it under vars: (defined: amp, mean)") || strings.Contains(err.Error(), "not a number") {
		t.Errorf("undefined variable: %v", err)
	}
}

// A closed-loop user with onStart runs it once, then the script at once, then
// thinks between runs (locust's on_start, first task, wait); without onStart it
// thinks first. 3 users starting at 30 s (the pods ready), thinking 10 s, in a
// run that ends at 55 s: with onStart 3 logins and runs at 30, 40 and 50 s (9);
// without, runs at 40 and 50 s (6) and no login. onStart's calls are measured
// per route and Service, not as runs of the client's script.
func TestClientOnStart(t *testing.T) {
	src := `name: onstart
duration: 55s
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=example/web
      kubectl expose deployment web --port 80 --type=LoadBalancer
workload:
  services:
    - name: web
      image: web
      routes: [{name: /page, service: 1ms}, {name: /login, service: 1ms}]
  clients:
    - name: shoppers
      users: 3
      start: 30s
      think: 10s
      ONSTART
      call: web/page
`
	for _, c := range []struct {
		onStart     string
		login, runs int64
	}{
		{"onStart: [{call: web/login}]", 3, 9},
		{"", 0, 6},
	} {
		s, err := ParseFile("onstart.yaml", []byte(strings.Replace(src, "ONSTART", c.onStart, 1)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(s)
		if err != nil {
			t.Fatal(err)
		}
		sum := res.Summary
		login, page, runs := sum.Routes["web/login"].Requests, sum.Routes["web/page"].Requests, sum.Clients["shoppers"].Requests
		if login != c.login || page != c.runs || runs != c.runs || sum.Services["web"].Requests != c.login+c.runs {
			t.Errorf("%q: web/login %d, web/page %d, client runs %d, web %d; want %d logins and %d runs", c.onStart, login, page, runs, sum.Services["web"].Requests, c.login, c.runs)
		}
	}
	_, err := ParseFile("bad.yaml", []byte(`name: bad
duration: 1m
workload:
  clients:
    - {name: u, rate: 3, call: web, onStart: [{call: web/login}]}
`))
	if want := `bad.yaml:5: workload.clients[0].onStart: only closed-loop clients (users:) have users who start`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("onStart on an open loop: %v; want %q", err, want)
	}
}

// A call to a name no Service has (a typo: dbb for db) is refused at once, as
// cluster DNS answers "no such host", and the Services table says so in its
// row's name (was "?"); the Routes table names the call.
func TestCallToNoSuchService(t *testing.T) {
	s, err := ParseFile("shop.yaml", []byte(strings.Replace(shopYAML, "call: db/query", "call: dbb/query", 1)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Summary.Services["?"]; ok {
		t.Errorf("Services has a row named ?: %v", res.Summary.Services)
	}
	none, ok := res.Summary.Services[metrics.NoService]
	if !ok {
		t.Fatalf("no %q row in Services: %v", metrics.NoService, res.Summary.Services)
	}
	if none.Requests < 2000 || none.ErrorsByKind == nil || none.ErrorsByKind.Refused != none.Requests {
		t.Fatalf("%s: %+v; want about 20 requests/s, all refused", metrics.NoService, none)
	}
	if r, ok := res.Summary.Routes["dbb/query"]; !ok || r.ErrorsByKind == nil || r.ErrorsByKind.Refused != none.Requests {
		t.Errorf("route dbb/query: %+v (present %v); want the %d refusals", r, ok, none.Requests)
	}
	if db, ok := res.Summary.Services["db"]; ok && db.Requests != 0 {
		t.Errorf("db got %d requests; nothing calls it", db.Requests)
	}
}

// A client running in a pod resolves Service names in its pod's namespace, as
// cluster DNS's search path does: gen in namespace shop calling web reaches
// web.shop (was: web.default, which does not exist, so every call was
// refused).
func TestClientInPodResolvesInItsNamespace(t *testing.T) {
	src := `name: nsclient
duration: 30s
timeline:
  - at: 0s
    run: |
      kubectl create namespace shop
      kubectl -n shop create deployment web --image=example/web
      kubectl -n shop expose deployment web --port 80
      kubectl -n shop create deployment gen --image=example/gen
workload:
  services:
    - {name: web, image: web, routes: [{name: /, service: exp(5ms)}]}
  clients:
    - {name: gen, image: gen, users: 2, think: 1s, call: web}
`
	s, err := ParseFile("nsclient.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := res.Summary.Services[metrics.NoService]; ok {
		t.Errorf("%d calls found no Service", n.Requests)
	}
	web := res.Summary.Services["shop/web"]
	if web.Requests < 40 || web.Errors > 5 {
		t.Errorf("shop/web: %d requests, %d errors in 30 s of 2 users thinking 1 s; want about 50, (almost) all answered (Services: %v)", web.Requests, web.Errors, res.Summary.Services)
	}
}

// An open-loop client in containers sends rate arrivals a second from each
// container it matches, from its pod: three replicas send about three times
// what one does, and scaling the Deployment to 0 stops them once the pods'
// grace period ends (was: refused,
// 'a client in containers is closed-loop').
func TestOpenLoopClientInPods(t *testing.T) {
	runs := func(replicas int, scaleTo0 bool) float64 {
		src := fmt.Sprintf(`name: openpod
duration: 122s
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=example/web
      kubectl expose deployment web --port 80
      kubectl create deployment gen --image=example/gen --replicas=%d
`, replicas)
		if scaleTo0 {
			src += "  - at: 32s\n    run: kubectl scale deployment gen --replicas=0\n"
		}
		src += `workload:
  services:
    - {name: web, image: web, concurrency: 64, routes: [{name: /, service: exp(5ms)}]}
  clients:
    - {name: gen, image: gen, rate: 10, call: web}
`
		s, err := ParseFile("openpod.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(s)
		if err != nil {
			t.Fatal(err)
		}
		gen := res.Summary.Clients["gen"]
		if gen.Errors > gen.Requests/20 {
			t.Errorf("%d replicas: %d of %d runs failed", replicas, gen.Errors, gen.Requests)
		}
		return float64(gen.Requests)
	}
	one, three, stopped := runs(1, false), runs(3, false), runs(3, true)
	t.Logf("runs: 1 replica %v, 3 replicas %v, 3 scaled to 0 at 32 s %v", one, three, stopped)
	// The pods run from about 2 s: about 10/s for 120 s from each; scaled
	// to 0 at 32 s, they stop at the end of their 30 s grace period.
	if one < 1100 || one > 1300 {
		t.Errorf("1 replica at 10/s for about 120 s: %v runs, want about 1,200", one)
	}
	if r := three / one; r < 2.6 || r > 3.4 {
		t.Errorf("3 replicas: %v runs, 1 replica: %v; ratio %.2f, want about 3", three, one, r)
	}
	if r := stopped / three; r < 0.4 || r > 0.6 {
		t.Errorf("scaled to 0 halfway: %v runs against %v; ratio %.2f, want about 1/2", stopped, three, r)
	}
}

// Every client declared for a container runs in it, beside the service that
// serves it: two open-loop clients of gen's image each send 2 a second from
// each of gen's 2 pods, and web's 2 pods serve and run their own client, 1 a
// second each (was: the first declaration matching a container was its only
// behaviour: clients b and beacon ran nothing and were not in the summary).
func TestSeveralClientsInOneContainer(t *testing.T) {
	res := runText(t, "several.yaml", `name: several
duration: 60s
config: {deterministic: true}
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=example/web --replicas=2
      kubectl expose deployment web --port 80
      kubectl create deployment gen --image=example/gen --replicas=2
workload:
  services:
    - {name: web, image: web, routes: [{name: /, service: 1ms}]}
  clients:
    - {name: a, image: gen, rate: 2, arrival: constant, start: 10s, call: web}
    - {name: b, image: gen, rate: 2, arrival: constant, start: 10s, call: web}
    - {name: beacon, image: web, rate: 1, arrival: constant, start: 10s, call: web}
`)
	sum := res.Summary
	total := int64(0)
	runs := map[string]int64{}
	for _, name := range []string{"a", "b", "beacon"} {
		c, ok := sum.Clients[name]
		if !ok {
			t.Fatalf("client %s: not in the summary %v", name, sum.Clients)
		}
		if c.Errors != 0 {
			t.Errorf("client %s: %d of %d runs failed", name, c.Errors, c.Requests)
		}
		runs[name] = c.Requests
		total += c.Requests
	}
	// From 10 s after each container's start (about 5 s) to 60 s: about
	// 2 pods x 2/s x 45 s = 180 runs for a and b, half that for beacon.
	if a, b, beacon := runs["a"], runs["b"], runs["beacon"]; a < 160 || a > 200 || b != a || math.Abs(float64(beacon)-float64(a)/2) > 0.1*float64(a)/2 {
		t.Errorf("runs: a %d, b %d, beacon %d: want a = b (about 180) and beacon about half", a, b, beacon)
	}
	if web := sum.Services["web"]; web.Requests != total || web.Errors != 0 {
		t.Errorf("web: %d requests (%d errors), want the clients' %d", web.Requests, web.Errors, total)
	}
	for name, p := range sum.Pods {
		if p.App == "web" && p.Served == 0 {
			t.Errorf("pod %s served nothing", name)
		}
	}
}

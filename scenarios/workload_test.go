package scenarios

import (
	"strings"
	"testing"
)

// shopYAML is a new user's own two-service app: a web front end calling a
// database, described in 15 lines of workload.
const shopYAML = `name: shop
duration: 2m
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=example/web --replicas=2
      kubectl expose deployment web --port 80
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

// A container nothing declares serves on its containerPorts as an echo server
// (and the run says so); one without ports refuses.
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
      kubectl create deployment quiet --image=busybox
      kubectl expose deployment quiet --port 80
  - at: 10s
    run: |
      httping web -c 3
      httping quiet -c 3
`
	s, err := ParseFile("echo.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	var web, quiet string
	for _, st := range res.Timeline {
		if strings.Contains(st.Output, "--- web ping") {
			web = st.Output
		}
		if strings.Contains(st.Output, "--- quiet ping") {
			quiet = st.Output
		}
	}
	if !strings.Contains(web, "3 ok") || !strings.Contains(quiet, "0 ok") {
		t.Errorf("httping web (nginx, port 80): %q\nhttping quiet (busybox, no port): %q", web, quiet)
	}
	as := res.Declared.Assumed()
	if len(as) != 1 || !strings.Contains(as[0], "nginx:1.27") || !strings.Contains(as[0], "echo server") {
		t.Errorf("assumed %q, want the nginx image as an echo server", as)
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
  clients:
    - {name: u, users: 5, rate: 3, call: web}
`
	_, err := ParseFile("bad.yaml", []byte(src))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		`bad.yaml:6: workload.services[0]: unknown field "concurency"`,
		`bad.yaml:7: workload.services[0].routes[0].service`,
		`bad.yaml:5: workload.services[0]: give image:`,
		`bad.yaml:9: workload.clients[0]: a client is closed-loop (users:) or open-loop (rate: or schedule:), not both`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}

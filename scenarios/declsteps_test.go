package scenarios

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// featWorkload is a workload file (named by the scenario's workload: {file:})
// whose front end runs each script step kind once per route: a parallel pair
// of calls (a 20 ms, b 50 ms), the same calls in turn, three calls in a loop
// with and without keepAlive, and a call to an undeclared nginx (an echo
// server of 7 ms, as echo: sets it); b is matched by its pod labels. The
// clients are open loop at a constant rate, the ramp client's rate going
// from 0 to 20 a second over the 2 minutes and the steps client's from 5 to
// 15 at 1 minute.
const featWorkload = `services:
  - name: front
    image: front
    routes:
      - {name: /par, service: 1ms, script: [{parallel: [{call: a/x}, {call: b/x}]}]}
      - {name: /seq, service: 1ms, script: [{call: a/x}, {call: b/x}]}
      - {name: /ka, service: 1ms, script: [{loop: 3, do: [{call: a/x, keepAlive: true}]}]}
      - {name: /nka, service: 1ms, script: [{loop: 3, do: [{call: a/x}]}]}
      - {name: /echo, script: [{call: plain}]}
  - {name: a, image: a, routes: [{name: /x, service: 20ms}]}
  - {name: b, labels: {app: b}, routes: [{name: /x, service: 50ms}]}
clients:
  - {name: par, rate: 1, arrival: constant, start: 10s, call: front/par}
  - {name: seq, rate: 1, arrival: constant, start: 10s, call: front/seq}
  - {name: ka, rate: 1, arrival: constant, start: 10s, call: front/ka}
  - {name: nka, rate: 1, arrival: constant, start: 10s, call: front/nka}
  - {name: echo, rate: 1, arrival: constant, start: 10s, call: front/echo}
  - {name: ramp, schedule: [{at: 0s, rate: 0}, {at: 2m, rate: 20}], shape: ramp, arrival: constant, call: front/echo}
  - {name: steps, schedule: [{at: 0s, rate: 5}, {at: 1m, rate: 15}], arrival: constant, call: front/echo}
echo: {service: 7ms}
`

const featScenario = `name: feat
duration: 2m
window: 30s
config: {deterministic: true}
timeline:
  - at: 0s
    run: |
      kubectl create deployment front --image=example/front
      kubectl expose deployment front --port 80 --type=NodePort
      kubectl create deployment a --image=example/a
      kubectl expose deployment a --port 80
      kubectl create deployment b --image=example/b
      kubectl expose deployment b --port 80
      kubectl create deployment plain --image=nginx --port=80
      kubectl expose deployment plain --port 80
workload: {file: feat-wl.yaml}
`

// A declared script's steps behave as README says, measured on a
// deterministic run (every hop and service time its mean): a parallel group
// ends with its slower call, so /par is /seq less a's call; keepAlive saves
// each call the SYN and SYN-ACK round trip; the echo default serves in the
// time echo: gives and the run says it assumed it; a ramp schedule's rate
// grows linearly and a steps schedule's jumps.
func TestDeclaredStepsAndSchedules(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"feat.yaml": featScenario, "feat-wl.yaml": featWorkload} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := LoadFile(filepath.Join(dir, "feat.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	sum := res.Summary
	p50 := func(client string) float64 {
		c, ok := sum.Clients[client]
		if !ok || c.Requests < 100 || c.Errors != 0 {
			t.Fatalf("client %s: %+v: want over 100 runs without error", client, c)
		}
		return c.LatencyMs.P50
	}
	aCall := sum.Routes["a/x"].LatencyMs.P50
	if aCall < 20 || aCall > 22 {
		t.Errorf("a/x: p50 %.2f ms, want 20 ms and the network", aCall)
	}
	if b := sum.Services["b"]; b.Requests == 0 {
		t.Errorf("b (matched by its pod labels) served nothing")
	}
	par, seq := p50("par"), p50("seq")
	if math.Abs(seq-aCall-par) > 0.1 {
		t.Errorf("/par %.2f ms, /seq %.2f ms, a's call %.2f ms: want /par = /seq - a's call (the pair at once)", par, seq, aCall)
	}
	// a runs on another node than front: a round trip is 2 x 250 us.
	ka, nka := p50("ka"), p50("nka")
	if d := nka - ka; math.Abs(d-1.5) > 0.05 {
		t.Errorf("3 calls: %.2f ms kept alive, %.2f ms new connections: %.2f ms saved, want 3 x 0.5 ms", ka, nka, d)
	}
	if e := sum.Routes["plain/"].LatencyMs.P50; e < 7 || e > 7.6 {
		t.Errorf("nginx's echo: p50 %.2f ms, want echo's 7 ms and the network", e)
	}
	if as := fmt.Sprint(res.Summary.Extra); !strings.Contains(as, "image nginx") || !strings.Contains(as, "const(7ms) per request") {
		t.Errorf("summary's assumed: %s", as)
	}
	// Per 30 s window: the ramp's mean rates 2.5, 7.5, 12.5, 17.5 a second;
	// the steps' 5, 5, 15, 15.
	for client, want := range map[string][]float64{"ramp": {2.5, 7.5, 12.5, 17.5}, "steps": {5, 5, 15, 15}} {
		ws := sum.Clients[client].Windows
		if len(ws) != len(want) {
			t.Fatalf("%s: %d windows, want %d", client, len(ws), len(want))
		}
		for i, w := range ws {
			if r := float64(w.Requests) / (w.End - w.Start); math.Abs(r-want[i]) > 0.2 {
				t.Errorf("%s: window %v-%v s: %.2f runs/s, want %v", client, w.Start, w.End, r, want[i])
			}
		}
	}
}

// A server's backlog caps the connections waiting for its slots: beyond it,
// SYNs are dropped (and retried after 1, 2, 4 ... s). With one slot of 1 s, a
// backlog of 2 and 5 arrivals a second, no more than 2 ever wait, so a
// request that got in took at most 3 s; with no limit (backlog: 0) the queue
// grows by 4 a second and the last requests served waited most of a minute.
func TestBacklogLimitsTheQueue(t *testing.T) {
	run := func(backlog int) (maxQueue int, maxMs float64) {
		res := runText(t, "bl.yaml", fmt.Sprintf(`name: bl
duration: 60s
config: {deterministic: true}
timeline:
  - at: 0s
    run: |
      kubectl create deployment s --image=example/s
      kubectl expose deployment s --port 80 --type=LoadBalancer
workload:
  services:
    - {name: s, image: s, concurrency: 1, backlog: %d, routes: [{name: /, service: 1s}]}
  clients:
    - {name: c, rate: 5, arrival: constant, start: 10s, call: s}
`, backlog))
		for _, p := range res.Summary.Pods {
			if p.App == "s" {
				maxQueue = p.MaxQueue
			}
		}
		return maxQueue, res.Summary.Clients["c"].LatencyMs.Max
	}
	q, slowest := run(2)
	if q != 2 || slowest < 2900 || slowest > 3100 {
		t.Errorf("backlog 2: at most %d waiting, slowest run %.0f ms; want 2, and 3 s (2 ahead, then its own)", q, slowest)
	}
	if q, slowest := run(0); q < 100 || slowest < 30000 {
		t.Errorf("no backlog limit: at most %d waiting, slowest run %.0f ms; want over 100 (5 a second for 50 s, 1 served) and over 30 s", q, slowest)
	}
}

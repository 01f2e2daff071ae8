package scenarios

import (
	"strings"
	"testing"
)

// cpuYAML is one pod serving requests of 100 ms of CPU under a CPU limit,
// one user at a time with 1 s of think time.
const cpuYAML = `name: cpu-limit
duration: 10m
config: {network: {sameNode: 10us, crossNode: 10us}}
timeline:
  - at: 0s
    run: |
      kubectl apply -f busy.yaml
      kubectl expose deployment busy --port 80 --type=LoadBalancer
files:
  busy.yaml: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: busy}
    spec:
      selector: {matchLabels: {app: busy}}
      template:
        metadata: {labels: {app: busy}}
        spec:
          containers:
            - name: busy
              image: example/busy
              resources: {requests: {cpu: 250m}, limits: {cpu: LIMIT}}
workload:
  services:
    - {name: busy, image: busy, concurrency: 1, routes: [{name: /, cpu: 100ms}]}
  clients:
    - {name: user, users: 1, think: exp(1s), call: busy, start: 1m}
`

// A 250m limit gives 25 ms of CPU per 100 ms period: 100 ms of work arriving
// x ms into a period ends at 325 ms from the period's start if x <= 75 (it
// runs 25 ms in each of four periods), or 325 ms after it arrived if x > 75
// (100-x, 25, 25, 25, x-75). Arrivals uniform over the period: uniform
// between 250 and 325 ms with probability 0.75, 325 ms otherwise; the
// median is 250 + 75 x (0.5/0.75) = 300 ms, the p90 325 ms. A request that
// arrives in the period where the previous one used the quota waits for the
// next: at most 75 + 325 = 400 ms. Without a limit, 100 ms.
func TestCPULimitThrottlesRequests(t *testing.T) {
	for _, c := range []struct {
		limit        string
		p50, p90, hi float64
	}{{"250m", 300, 325, 400}, {"\"2\"", 100, 100, 100}} {
		s, err := ParseFile("cpu.yaml", []byte(strings.Replace(cpuYAML, "LIMIT", c.limit, 1)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(s)
		if err != nil {
			t.Fatal(err)
		}
		l := res.Summary.Services["busy"].LatencyMs
		n := res.Summary.Services["busy"].Requests
		// 4 network hops of 10 us: 0.04 ms.
		if n < 300 || l.P50 < c.p50-8 || l.P50 > c.p50+8 || l.P90 < c.p90-1 || l.Max > c.hi+1 {
			t.Errorf("limit %s: %d requests, latency p50 %.2f ms (want %.0f ± 8), p90 %.2f (want %.0f), max %.2f (want %.0f plus the network)",
				c.limit, n, l.P50, c.p50, l.P90, c.p90, l.Max, c.hi)
		}
	}
}

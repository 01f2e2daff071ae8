package scenarios

import (
	"fmt"
	"math"
	"testing"
)

// openNetwork is an open network of exponential stations: Poisson arrivals
// at rate lambda enter station s1 (one server, mean 10 ms); on leaving it, half
// of them go to s2 (one server, 20 ms), the other half to s3 (three servers,
// 80 ms each), then leave. The client sequences the visits (a call ends
// before the next begins, the network has no delay, every station has an
// unlimited accept queue), so routing is probabilistic and instantaneous: a
// Jackson network.
func openNetwork(lambda float64, seed uint64) string {
	return fmt.Sprintf(`name: jackson
seed: %d
duration: 1010s
config:
  network: {sameNode: 0s, crossNode: 0s}
timeline:
  - at: 0s
    run: |
      kubectl create deployment s1 --image=jackson/s1
      kubectl expose deployment s1 --port 80 --type=LoadBalancer
      kubectl create deployment s2 --image=jackson/s2
      kubectl expose deployment s2 --port 80 --type=LoadBalancer
      kubectl create deployment s3 --image=jackson/s3
      kubectl expose deployment s3 --port 80 --type=LoadBalancer
workload:
  services:
    - {name: s1, image: s1, concurrency: 1, backlog: 0, routes: [{name: /, service: exp(10ms)}]}
    - {name: s2, image: s2, concurrency: 1, backlog: 0, routes: [{name: /, service: exp(20ms)}]}
    - {name: s3, image: s3, concurrency: 3, backlog: 0, routes: [{name: /, service: exp(80ms)}]}
  clients:
    - name: arrivals
      rate: %g
      start: 10s
      script:
        - call: s1
        - branch: [{p: 0.5, do: [{call: s2}]}, {p: 0.5, do: [{call: s3}]}]
`, seed, lambda)
}

// mmcResponse is the mean response time (queueing and service) of an M/M/c
// station with arrival rate lambda and service rate mu per server: Erlang's C
// formula for the probability of waiting, over c mu - lambda, plus 1/mu.
func mmcResponse(lambda, mu float64, c int) float64 {
	a := lambda / mu
	rho := a / float64(c)
	term, sum := 1.0, 0.0 // a^k / k!
	for k := 0; k < c; k++ {
		sum += term
		term *= a / float64(k+1)
	}
	last := term / (1 - rho) // a^c / c! / (1 - rho)
	pWait := last / (sum + last)
	return pWait/(float64(c)*mu-lambda) + 1/mu
}

// Poisson arrivals through an open network of exponential single- and
// multi-server stations with probabilistic routing: each station's mean
// response time falls within the 95% confidence interval of eight
// replications around the product-form (Jackson) solution, each station an
// M/M/c queue fed at its own arrival rate: s1 at 60/s (utilisation 0.6),
// s2 and s3 at 30/s (0.6 and 0.8).
func TestOpenNetworkAgainstJackson(t *testing.T) {
	if testing.Short() {
		t.Skip("8 runs")
	}
	const lambda = 60.0
	stations := []struct {
		name    string
		lambda  float64
		service float64
		servers int
	}{
		{"s1", lambda, 0.010, 1},
		{"s2", lambda / 2, 0.020, 1},
		{"s3", lambda / 2, 0.080, 3},
	}
	got := map[string][]float64{}
	var rates []float64
	for seed := uint64(1); seed <= 8; seed++ {
		s, err := ParseFile("jackson.yaml", []byte(openNetwork(lambda, seed)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := RunWith(s, Options{Little: true})
		if err != nil {
			t.Fatal(err)
		}
		lf := res.Rec.Little()
		for _, st := range stations {
			got[st.name] = append(got[st.name], lf[st.name].MeanLatency)
		}
		T := res.Summary.SimSeconds
		rates = append(rates, lf["s1"].Throughput*T/(T-10))
	}
	x, hx := meanCI(rates)
	t.Logf("arrivals: %.3f ± %.3f /s (offered %g)", x, hx, lambda)
	if math.Abs(x-lambda) > hx {
		t.Errorf("s1 throughput %.3f ± %.3f /s, offered %g", x, hx, lambda)
	}
	for _, st := range stations {
		want := mmcResponse(st.lambda, 1/st.service, st.servers)
		w, h := meanCI(got[st.name])
		t.Logf("%s (M/M/%d, %g/s, utilisation %.2f): W %.3f ± %.3f ms, Jackson %.3f ms", st.name, st.servers, st.lambda,
			st.lambda*st.service/float64(st.servers), w*1e3, h*1e3, want*1e3)
		if math.Abs(w-want) > h {
			t.Errorf("%s: mean response time %.3f ± %.3f ms, Jackson %.3f ms", st.name, w*1e3, h*1e3, want*1e3)
		}
	}
}

// feedbackNetwork is an open network with feedback: Poisson arrivals at rate
// lambda visit s1 (one server, mean 10 ms), and after each visit go back to
// s1 with probability p (to the back of its queue), else on to s2 (one
// server, 20 ms), then leave. The loop back is a branch taken with
// probability p after each visit, nested depth times (a visit count is
// geometric; more than depth visits, probability p^depth, are cut short), in
// a loop of one that groups them before the call to s2.
func feedbackNetwork(lambda, p float64, depth int, seed uint64) string {
	visits := "[{call: s1}]"
	for i := 1; i < depth; i++ {
		visits = fmt.Sprintf("[{call: s1}, {branch: [{p: %g, do: %s}]}]", p, visits)
	}
	return fmt.Sprintf(`name: feedback
seed: %d
duration: 1010s
config:
  network: {sameNode: 0s, crossNode: 0s}
timeline:
  - at: 0s
    run: |
      kubectl create deployment s1 --image=jackson/s1
      kubectl expose deployment s1 --port 80 --type=LoadBalancer
      kubectl create deployment s2 --image=jackson/s2
      kubectl expose deployment s2 --port 80 --type=LoadBalancer
workload:
  services:
    - {name: s1, image: s1, concurrency: 1, backlog: 0, routes: [{name: /, service: exp(10ms)}]}
    - {name: s2, image: s2, concurrency: 1, backlog: 0, routes: [{name: /, service: exp(20ms)}]}
  clients:
    - name: arrivals
      rate: %g
      start: 10s
      script:
        - {loop: 1, do: %s}
        - call: s2
`, seed, lambda, visits)
}

// A network with feedback against Jackson's solution: the traffic equations
// give s1's arrival rate lambda1 = lambda + p lambda1, so lambda / (1 - p):
// 30/s external with p = 0.5 make 60/s at s1 (utilisation 0.6), 30/s at s2
// (0.6). s1's throughput and each station's mean response time per visit
// (M/M/1 at its lambda_i: 1 / (mu - lambda_i), 25 ms and 50 ms) fall within
// the 95% confidence interval of eight replications, as does a customer's
// mean number of visits to s1, 1 / (1 - p) = 2.
func TestFeedbackNetworkAgainstJackson(t *testing.T) {
	if testing.Short() {
		t.Skip("8 runs")
	}
	const lambda, p, depth = 30.0, 0.5, 40
	lambda1 := lambda / (1 - p)
	var rate1, visits []float64
	w := map[string][]float64{}
	for seed := uint64(1); seed <= 8; seed++ {
		s, err := ParseFile("feedback.yaml", []byte(feedbackNetwork(lambda, p, depth, seed)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := RunWith(s, Options{Little: true})
		if err != nil {
			t.Fatal(err)
		}
		lf := res.Rec.Little()
		T := res.Summary.SimSeconds
		rate1 = append(rate1, lf["s1"].Throughput*T/(T-10))
		visits = append(visits, lf["s1"].Throughput/lf["s2"].Throughput)
		for _, st := range []string{"s1", "s2"} {
			w[st] = append(w[st], lf[st].MeanLatency)
		}
	}
	x, hx := meanCI(rate1)
	t.Logf("s1 arrivals: %.3f ± %.3f /s (traffic equations: %g)", x, hx, lambda1)
	if math.Abs(x-lambda1) > hx {
		t.Errorf("s1 throughput %.3f ± %.3f /s, traffic equations %g", x, hx, lambda1)
	}
	v, hv := meanCI(visits)
	t.Logf("visits to s1 per customer: %.4f ± %.4f (1/(1-p) = %g)", v, hv, 1/(1-p))
	if math.Abs(v-1/(1-p)) > hv {
		t.Errorf("visits to s1 per customer %.4f ± %.4f, want %g", v, hv, 1/(1-p))
	}
	for _, st := range []struct {
		name         string
		lambda, mean float64
	}{{"s1", lambda1, 0.010}, {"s2", lambda, 0.020}} {
		want := mmcResponse(st.lambda, 1/st.mean, 1)
		m, h := meanCI(w[st.name])
		t.Logf("%s (M/M/1, %g/s, utilisation %.2f): W %.3f ± %.3f ms, Jackson %.3f ms", st.name, st.lambda, st.lambda*st.mean, m*1e3, h*1e3, want*1e3)
		if math.Abs(m-want) > h {
			t.Errorf("%s: mean response time per visit %.3f ± %.3f ms, Jackson %.3f ms", st.name, m*1e3, h*1e3, want*1e3)
		}
	}
}

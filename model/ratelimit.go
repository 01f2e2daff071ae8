package model

import (
	"math"

	"github.com/kubesim/kubesim/sim"
)

// apiClient is the rate limit of one controller's API client, as client-go's
// tokenBucketRateLimiter (golang.org/x/time/rate): a bucket of burst tokens,
// full at start, refilled at qps per second; each call takes a token, and a
// call that finds none waits for the time its token is due. Calls reserve in
// order, so waiting calls are spaced 1/qps apart.
type apiClient struct {
	qps    float64
	burst  float64
	tokens float64
	last   sim.Time // when tokens was last brought up to date
}

func newAPIClient(qps float64, burst int) apiClient {
	return apiClient{qps: qps, burst: float64(burst), tokens: float64(burst)}
}

// reserve takes one token at now and returns when the call may go out (now
// if a token was there).
func (a *apiClient) reserve(now sim.Time) sim.Time {
	if now > a.last {
		a.tokens = math.Min(a.burst, a.tokens+float64(now-a.last)*a.qps/1e9)
		a.last = now
	}
	a.tokens--
	if a.tokens >= 0 {
		return now
	}
	return a.last + sim.Time(math.Ceil(-a.tokens/a.qps*1e9))
}

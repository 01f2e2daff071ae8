package scenarios

import "github.com/kubesim/kubesim/workload/dockercoins"

// dockerCoins is the run's DockerCoins workload.
func (r *Result) dockerCoins() *dockercoins.DockerCoins {
	d, _ := r.Builtins["dockercoins"].(*dockercoins.DockerCoins)
	return d
}

// Mining is DockerCoins' figures of the run (nil if no DockerCoins container
// ran), up to the current simulated time.
func (r *Result) Mining() *dockercoins.Figures {
	if d := r.dockerCoins(); d != nil && d.Used() {
		return d.Figures()
	}
	return nil
}

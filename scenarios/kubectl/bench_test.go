package kubectl

import "testing"

// BenchmarkParse parses a mix of the walkthroughs' commands per op.
func BenchmarkParse(b *testing.B) {
	lines := []string{
		"kubectl apply -f rng.yml --validate=false",
		"kubectl label pods -l app=rng enabled=yes",
		"kubectl scale deployment worker --replicas=10",
		"kubectl get pods -o wide",
		`kubectl patch pod/labeldemo-854f7df968-p2rk9 -p '{"metadata":{"labels":{"isactive":"no"}}}'`,
		"kubectl drain node2 --ignore-daemonsets",
		"node reboot node2 --downtime 60s",
		"httping rng -c 10",
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			if _, err := Parse(l); err != nil {
				b.Fatal(err)
			}
		}
	}
}

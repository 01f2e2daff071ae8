package bench

import (
	"fmt"
	"time"
)

// BusyYAML is the scenario file of BenchmarkRunLarge, BenchmarkRunBusy and
// the scale table (bench/scaletable): DockerCoins on one control plane and
// nodes worker nodes, rng as a DaemonSet (one pod per node), worker scaled to
// workers at 30 s, and hasher to hashers (0: left at one), for d of simulated
// time, seed 1. kube-controller-manager's client rate limit is raised
// (config.timings.kubeAPIQPS, as large clusters raise --kube-api-qps), so
// that 10,000 or 50,000 workers exist within seconds: at the default 20
// creations a second, 50,000 workers would take 40 simulated minutes to
// appear.
func BusyYAML(nodes, workers, hashers int, d time.Duration) string {
	scale := fmt.Sprintf("kubectl scale deployment worker --replicas=%d", workers)
	if hashers > 0 {
		scale = fmt.Sprintf("|\n      %s\n      kubectl scale deployment hasher --replicas=%d", scale, hashers)
	}
	return fmt.Sprintf(`name: large
description: "DockerCoins on %d nodes, rng a DaemonSet, worker scaled to %d and hasher to %d at 30 s"
seed: 1
duration: %s
cluster: {controlPlanes: 1, workers: %d}
config: {timings: {kubeAPIQPS: 1e9, kubeAPIBurst: 1000000000}}
files:
  rng.yml: |
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: rng, labels: {app: rng}}
    spec:
      selector: {matchLabels: {app: rng}}
      template:
        metadata: {labels: {app: rng}}
        spec:
          containers: [{name: rng, image: "dockercoins/rng:v0.1"}]
  rng-service.yml: |
    apiVersion: v1
    kind: Service
    metadata: {name: rng, labels: {app: rng}}
    spec:
      selector: {app: rng}
      ports: [{port: 80}]
timeline:
  - at: 0s
    run: |
      kubectl create deployment redis --image=redis
      kubectl create deployment hasher --image=dockercoins/hasher:v0.1
      kubectl create deployment webui --image=dockercoins/webui:v0.1
      kubectl create deployment worker --image=dockercoins/worker:v0.1
      kubectl apply -f rng.yml -f rng-service.yml
      kubectl expose deployment redis --port 6379
      kubectl expose deployment hasher --port 80
      kubectl expose deployment webui --type=NodePort --port=80
  - at: 30s
    run: %s
`, nodes, workers, max(hashers, 1), d, nodes, scale)
}

// MillionYAML is the scale table's million-replica run: DockerCoins on one
// control plane and 3 worker nodes, worker scaled to replicas at 30 s (client
// limits raised as in BusyYAML, so that they are all created at once; all but
// a few hundred stay Pending), 2 simulated minutes, seed 1.
func MillionYAML(replicas int) string {
	return fmt.Sprintf(`name: million
description: "DockerCoins on 3 worker nodes, worker scaled to %d replicas at 30 s"
seed: 1
duration: 2m
cluster: {controlPlanes: 1, workers: 3}
config: {timings: {kubeAPIQPS: 1e9, kubeAPIBurst: 1000000000}}
timeline:
  - at: 0s
    run: |
      kubectl create deployment redis --image=redis
      kubectl create deployment hasher --image=dockercoins/hasher:v0.1
      kubectl create deployment rng --image=dockercoins/rng:v0.1
      kubectl create deployment webui --image=dockercoins/webui:v0.1
      kubectl create deployment worker --image=dockercoins/worker:v0.1
      kubectl expose deployment redis --port 6379
      kubectl expose deployment rng --port 80
      kubectl expose deployment hasher --port 80
      kubectl expose deployment webui --type=NodePort --port=80
  - at: 30s
    run: kubectl scale deployment worker --replicas=%d
`, replicas, replicas)
}

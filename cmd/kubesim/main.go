// Command kubesim simulates Kubernetes workloads: DockerCoins on a simulated
// cluster, driven by scenarios of kubectl-style steps.
package main

import (
	"os"
)

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

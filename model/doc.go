// Package model owns the simulated cluster and its workload: nodes, pods, the
// workload controllers, the scheduler, Services, endpoints and kube-proxy, and the
// DockerCoins services that send requests through them. Everything it does happens
// as events on a sim.Engine.
package model

// Package model owns the simulated cluster: nodes, pods, the workload
// controllers, the scheduler, node lifecycle, Services, endpoints and
// kube-proxy. It knows nothing of what runs in the containers nor of
// measurements: the layers above (traffic, metrics, workload) follow it as
// Observers. Everything it does happens as events on a sim.Engine.
package model

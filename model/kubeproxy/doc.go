// Package kubeproxy owns the data path of Services in the model: kube-proxy's
// per-Service load-balancing tables, programmed from the endpoint index's changes
// (after the delays the model chooses), and the choice of a backend pod for each
// new connection.
//
// # Semantics (from kube-proxy)
//
// A new connection goes to a ready endpoint. Only when the Service has no ready
// endpoint does it go to an endpoint that is serving and terminating (the
// terminating-endpoints fallback). With neither, the connection is rejected
// (connection refused). Endpoints that are neither ready nor serving+terminating
// receive nothing.
//
// Modes are named as kube-proxy names them: "iptables" and "nftables" pick a
// uniformly random endpoint per new connection (statistic/numgen random); "ipvs"
// with scheduler "rr" (round robin, the default) cycles through the endpoints, and
// with "lc" (least connections) picks an endpoint with the fewest open
// connections. IPVS's lc weighs inactive connections at 1/256 of active ones; the
// model has no inactive connections, so only open ones count. Ties go to the
// endpoint that has waited longest at that count.
//
// ClientIP session affinity sends a client back to the endpoint of its previous
// connection if that connection started less than the timeout ago (default
// 10800 s) and the endpoint is still in the pool being used; each connection
// restarts the timeout, like iptables' "recent" match.
//
// # Cost
//
// Pick is O(1) and does not allocate in any mode: random and rr index a dense
// slice of the pool's endpoints; lc keeps the endpoints in buckets by connection
// count, the non-empty buckets in a linked list ordered by count, so that a pick
// (count+1) or a release (count-1) moves one endpoint to a neighbouring bucket.
// Endpoint changes are O(1) except that an lc endpoint joining with open
// connections walks the non-empty buckets once. Determinism: nothing depends on
// map iteration order; the random modes draw only from the stream they are given.
package kubeproxy

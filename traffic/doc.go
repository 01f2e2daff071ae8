// Package traffic is the request path every workload uses: how a request is
// served. A client connects through a Service (kube-proxy picks the endpoint),
// the connection crosses the network (SYN, SYN-ACK, request: three hops for a
// new connection, one on a kept-alive one), is reset by a node whose pod does
// not run, times out after the SYN retries to a node that does not answer,
// waits in the server's accept queue (a full backlog drops the SYN, retried
// after 1, 2, 4, ... s) and for one of its concurrency slots, is served, and its
// response travels back; a pod that dies fails the requests it holds. A
// request's size (SendSized) and its answer's (Request.ResponseBytes, set by
// the server) add their transfer at Network.LinkGbps to their hop, without
// contention between messages.
//
// Requests are pooled: sending one allocates nothing. What a server does with a
// request (its service time, its effects) and what a client does next are the
// workload's (package workload); every request is measured (package metrics).
package traffic

// Package metrics measures a run: per Service and per pod, requests, errors and
// latency (HdrHistogram layouts) for the whole run and per time window; per
// serving pod, requests served, utilisation and queue length; endpoints and
// pods per node over time. It follows the cluster as a model.Observer and is
// told about requests by the request path (package traffic). It never
// schedules events, so measuring does not change what is simulated.
package metrics

// Package custommetrics is what serves the HPA's Pods, Object and External
// metrics in a real cluster: exporters, Prometheus, and prometheus-adapter
// (the custom.metrics.k8s.io and external.metrics.k8s.io APIs), as the
// workshop's hpa-v2 chapter sets them up.
//
// # Semantics
//
// httplat (jpetazzo/httplat, image name httplat): a Prometheus exporter that
// sends `GET URL` every 10 s (a ticker from its start, each probe on a new
// connection from its pod, with a 10 s client timeout) and observes each
// probe's duration (a timed-out probe counts 10 s, an error its time to fail)
// into the histogram httplat_latency_seconds (its _sum and _count). The URL
// is its one argument (`kubectl create deployment httplat
// --image=jpetazzo/httplat -- httplat http://rng/`); the host is a Service
// name as cluster DNS resolves it from the pod's namespace. Without exactly
// one URL the real httplat exits; here it does nothing.
//
// Prometheus (the prometheus-community chart's defaults): every
// ScrapeInterval (1 m, its global scrape_interval), at a phase drawn once
// per run from the stream "prometheus", it scrapes
//   - the httplat exporters of the ready endpoints of every Service annotated
//     prometheus.io/scrape: "true" (the chart's kubernetes-service-endpoints
//     job; series labelled with the Service's name), and
//   - a service mesh's counters of every Service (requests completed, their
//     errors and the summed latency of the successful ones, as the
//     Recorder counts them at the client) and of every serving pod
//     (requests its server completed).
//
// Series. Prometheus holds httplat_latency_seconds_sum and _count (labels
// namespace, service: the chart's kubernetes-service-endpoints job), and
// the mesh's kubesim_service_requests_total,
// kubesim_service_request_errors_total,
// kubesim_service_request_duration_seconds_sum and _count (successful
// requests; labels namespace, service) and kubesim_pod_requests_served_total
// (labels namespace, pod).
//
// Rules. The adapter serves what its rules say (rules.go), read from the
// ConfigMap prometheus-adapter's config.yaml (the chart's; any namespace,
// the first made) when there is one, otherwise from DefaultRules (the
// workshop's httplat rule and the mesh metrics below). Of
// prometheus-adapter's rule fields kubesim evaluates: seriesQuery (NAME{...}
// or {__name__=~"REGEX",...}: which of the series above it selects),
// seriesFilters (is, isNot), resources (overrides or template <<.Resource>>
// mapping the labels namespace and service or pod to those resources),
// name (matches, as: $0 or $1 by default, as the adapter) and metricsQuery
// of the forms rate(SERIES{<<.LabelMatchers>>}[RANGE]) and
// rate(A{...}[RANGE])/rate(B{...}[RANGE]) (each optionally in sum(...) by
// (<<.GroupBy>>); SERIES a name or <<.Series>>; one RANGE of at least a
// scrape interval; a ratio sums the deltas of the object's series). Any
// other field, query, label or resource is refused naming the rule and the
// field: the adapter then serves nothing (as one that cannot start) and a
// Warning event FailedToLoadConfig on the ConfigMap says why. The
// configuration is read again at the scrape after the ConfigMap changes
// (the real adapter needs a rollout restart).
//
// prometheus-adapter: a metric of an object becomes visible at the first
// relist (every RelistInterval, 1 m, the chart's metricsRelistInterval, at
// a phase drawn from the same stream) after its first scrape; before that
// the HPA gets no value. Its value is computed when the HPA asks (every
// 15 s) from the samples Prometheus holds in the last RateWindow (2 m):
// with the first and last sample of each series in the window,
//
//	Service httplat_latency_seconds   sum of d(_sum) / sum of d(_count)   the workshop's rule: rate(_sum[2m]) / rate(_count[2m])
//	Service requests_per_second       d(requests) / d(t)                  rate(requests[2m])
//	Service latency_seconds           d(latency sum) / d(ok requests)     mean latency of the successful requests
//	Pods    requests_per_second       d(served) / d(t), per pod           rate(served[2m]) per pod
//
// (Prometheus's rate extrapolates to the window's edges; the ratios cancel
// it and for a single rate it is the difference over the samples' span: not
// modelled.) A window with fewer than two samples, or no probe in it, has no
// value (Prometheus would return nothing or NaN). Values are milli-units,
// truncated as the adapter converts them (NewMilliQuantity(int64(v*1000))).
// So a value is 0 to 1 min old when scraped and averages the 1-2 min before:
// the delay the workshop observes ("probably between 1 and 2 minutes").
//
// External metrics have the values a scenario scripts (SetExternal): a
// step function of time, the same for every selector.
//
// Not modelled: histogram buckets (httplat's _bucket series), PromQL beyond
// the two forms above, externalRules and resourceRules, the annotations'
// port and path (any exporter behind the Service is scraped), label
// selectors on metrics.
//
// # Costs and determinism
//
// Nothing runs until Start (the first HPA with a Pods, Object or External
// metric, or an httplat container). A scrape lists the Services and pods
// (O(pods + Services) per minute); each series keeps the samples of the last
// RateWindow + ScrapeInterval (at most 4), and a series with no sample in
// that span is dropped, so memory follows the live objects. A probe is one
// request on the request path (no allocation). Random draws: the two phases
// only, from the stream "prometheus".
package custommetrics

package plots

import (
	"sort"

	"github.com/kubesim/kubesim/metrics"
)

// PodBudget is how many pods a JSON summary describes one by one. A run with
// more (detailed measurement on a large cluster) keeps the busiest pods of
// each app within the budget and summarises every app's pods in pod_apps, so
// that summary.json stays of bounded size; pods.csv and pod_windows.csv have
// every pod.
const PodBudget = 200

// NodeBudget is how many nodes a JSON summary describes one by one (their pod
// names and pods over time). A larger cluster keeps the nodes with the most
// pods and summarises all of them in node_counts; pods_on_nodes.csv and
// node_pods.csv have every node.
const NodeBudget = 50

// BoundedSummary is a run's summary with per-pod detail within PodBudget and
// per-node detail within NodeBudget.
type BoundedSummary struct {
	metrics.Summary
	// PodApps is, when pods were left out, every app's pods summarised.
	PodApps map[string]AppPods `json:"pod_apps,omitempty"`
	// NodeCounts is, when nodes were left out, every node summarised.
	NodeCounts *NodeCounts `json:"node_counts,omitempty"`
}

// NodeCounts summarises the nodes of a cluster larger than NodeBudget.
type NodeCounts struct {
	Nodes  int `json:"nodes"`
	Listed int `json:"listed"` // of them in nodes
	// Pods is the number of pods bound to a node at the end, PodsPerNode
	// their spread over the nodes.
	Pods        int    `json:"pods"`
	PodsPerNode Spread `json:"pods_per_node"`
}

// MarshalJSON writes the summary's fields, then pod_apps.
func (b BoundedSummary) MarshalJSON() ([]byte, error) { return b.AppendJSON() }

// AppendJSON is MarshalJSON with more fields after pod_apps.
func (b BoundedSummary) AppendJSON(more ...metrics.Field) ([]byte, error) {
	var f []metrics.Field
	if b.PodApps != nil {
		f = append(f, metrics.Field{Key: "pod_apps", Value: b.PodApps})
	}
	if b.NodeCounts != nil {
		f = append(f, metrics.Field{Key: "node_counts", Value: b.NodeCounts})
	}
	return b.Summary.AppendJSON(append(f, more...)...)
}

// AppPods summarises the pods of one app that received requests or ran a
// server.
type AppPods struct {
	Pods     int   `json:"pods"`
	Listed   int   `json:"listed"` // of them in pods
	Requests int64 `json:"requests"`
	Errors   int64 `json:"errors"`
	Served   int64 `json:"served"`
	// ServedPerS is requests served per second of a pod's life; Utilisation
	// and MeanQueue as in pods; over the pods that ran a server.
	ServedPerS  Spread `json:"served_per_s"`
	Utilisation Spread `json:"utilisation"`
	MeanQueue   Spread `json:"mean_queue"`
	MaxQueue    int    `json:"max_queue"`
}

// Spread is a distribution over pods: minimum, 10th percentile, median, 90th
// percentile and maximum (nearest rank).
type Spread struct {
	Min float64 `json:"min"`
	P10 float64 `json:"p10"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	Max float64 `json:"max"`
}

func spreadOf(vs []float64) Spread {
	if len(vs) == 0 {
		return Spread{}
	}
	sort.Float64s(vs)
	r := func(v float64) float64 { return float64(int64(v*1e6+0.5)) / 1e6 }
	return Spread{Min: r(vs[0]), P10: r(quantile(vs, 0.1)), P50: r(quantile(vs, 0.5)), P90: r(quantile(vs, 0.9)), Max: r(vs[len(vs)-1])}
}

// BoundSummary returns sum with at most PodBudget pods: unchanged when it has
// no more, otherwise the busiest of each app (by requests served, then
// received; ties by name), the budget shared equally between the apps (what
// an app does not use goes to the others), and every app summarised; and with
// at most NodeBudget nodes: the ones with the most pods (ties in natural name
// order), and every node summarised.
func BoundSummary(sum metrics.Summary) BoundedSummary {
	b := boundSummary(sum, PodBudget)
	b.Summary.Nodes, b.NodeCounts = boundNodes(sum.Nodes, NodeBudget)
	return b
}

// boundNodes keeps the budget nodes with the most pods, and counts them all
// (nil when every node is kept).
func boundNodes(nodes map[string]metrics.NodeSummary, budget int) (map[string]metrics.NodeSummary, *NodeCounts) {
	if len(nodes) <= budget {
		return nodes, nil
	}
	names := make([]string, 0, len(nodes))
	counts := make([]float64, 0, len(nodes))
	nc := &NodeCounts{Nodes: len(nodes), Listed: budget}
	for name, n := range nodes {
		names = append(names, name)
		counts = append(counts, float64(len(n.Pods)))
		nc.Pods += len(n.Pods)
	}
	nc.PodsPerNode = spreadOf(counts)
	sort.Slice(names, func(i, j int) bool {
		a, b := len(nodes[names[i]].Pods), len(nodes[names[j]].Pods)
		if a != b {
			return a > b
		}
		return natLess(names[i], names[j])
	})
	kept := make(map[string]metrics.NodeSummary, budget)
	for _, name := range names[:budget] {
		kept[name] = nodes[name]
	}
	return kept, nc
}

func boundSummary(sum metrics.Summary, budget int) BoundedSummary {
	if len(sum.Pods) <= budget {
		return BoundedSummary{Summary: sum}
	}
	byApp := map[string][]string{}
	for name, p := range sum.Pods {
		byApp[p.App] = append(byApp[p.App], name)
	}
	apps := make([]string, 0, len(byApp))
	for a := range byApp {
		apps = append(apps, a)
	}
	sort.Strings(apps)
	out := BoundedSummary{Summary: sum, PodApps: map[string]AppPods{}}
	for _, a := range apps {
		names := byApp[a]
		sort.Slice(names, func(i, j int) bool {
			p, q := sum.Pods[names[i]], sum.Pods[names[j]]
			if p.Served != q.Served {
				return p.Served > q.Served
			}
			if p.Requests != q.Requests {
				return p.Requests > q.Requests
			}
			return names[i] < names[j]
		})
	}
	// Share the budget: apps with fewer pods than an equal share give the rest
	// to the others, smallest apps first.
	order := append([]string(nil), apps...)
	sort.SliceStable(order, func(i, j int) bool { return len(byApp[order[i]]) < len(byApp[order[j]]) })
	quota := map[string]int{}
	left := budget
	for i, a := range order {
		q := min(len(byApp[a]), left/(len(order)-i))
		quota[a] = q
		left -= q
	}
	out.Pods = make(map[string]metrics.PodSummary, budget)
	for _, a := range apps {
		names := byApp[a]
		ap := AppPods{Pods: len(names), Listed: quota[a]}
		var rates, utils, queues []float64
		for i, name := range names {
			p := sum.Pods[name]
			if i < quota[a] {
				out.Pods[name] = p
			}
			ap.Requests += p.Requests
			ap.Errors += p.Errors
			ap.Served += p.Served
			ap.MaxQueue = max(ap.MaxQueue, p.MaxQueue)
			if p.Slots > 0 {
				r := 0.0
				if p.LifeSeconds > 0 {
					r = float64(p.Served) / p.LifeSeconds
				}
				rates, utils, queues = append(rates, r), append(utils, p.Utilisation), append(queues, p.MeanQueue)
			}
		}
		ap.ServedPerS, ap.Utilisation, ap.MeanQueue = spreadOf(rates), spreadOf(utils), spreadOf(queues)
		out.PodApps[a] = ap
	}
	return out
}

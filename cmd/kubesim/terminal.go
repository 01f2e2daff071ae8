package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/kubesim/kubesim/metrics"
)

// The terminal output stays readable at any scale: at most maxRateRows rows
// of a workload's rate (the mining speed), one line per node up to maxNodeLines nodes (the busiest
// ones beyond that), and pod names only on nodes with at most maxPodNames pods
// (counts per workload otherwise).
const (
	maxRateRows  = 60
	maxNodeLines = 20
	maxPodNames  = 8
	maxWorkloads = 4
)

// naturalLess orders strings with their digit runs compared as numbers:
// node2 before node10.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			if da != db { // equal values: fewer leading zeros first
				return da < db
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// workloadOf is the workload a pod's name comes from: the name without the
// suffixes Kubernetes generates (a ReplicaSet's pod-template-hash and the
// pod's 5 random characters: worker-565b857ddd-5clrt -> worker; a DaemonSet's
// pod rng-cbq8n -> rng); a name without them is its own.
func workloadOf(pod string) string {
	parts := strings.Split(pod, "-")
	n := len(parts)
	if n >= 3 && len(parts[n-1]) == 5 && len(parts[n-2]) >= 8 && len(parts[n-2]) <= 10 {
		return strings.Join(parts[:n-2], "-")
	}
	if n >= 2 && len(parts[n-1]) == 5 {
		return strings.Join(parts[:n-1], "-")
	}
	return pod
}

// workloadCounts summarises pods as "worker x57, rng x1, ...": the maxWorkloads
// largest groups, then how many pods the others hold.
func workloadCounts(pods []string) string {
	count := map[string]int{}
	for _, p := range pods {
		count[workloadOf(p)]++
	}
	names := make([]string, 0, len(count))
	for n := range count {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if count[names[i]] != count[names[j]] {
			return count[names[i]] > count[names[j]]
		}
		return names[i] < names[j]
	})
	var parts []string
	rest, restGroups := 0, 0
	for i, n := range names {
		if i < maxWorkloads {
			parts = append(parts, fmt.Sprintf("%s x%d", n, count[n]))
		} else {
			rest += count[n]
			restGroups++
		}
	}
	if restGroups > 0 {
		parts = append(parts, fmt.Sprintf("%d more pods of %d other workloads", rest, restGroups))
	}
	return strings.Join(parts, ", ")
}

// printPodsPerNode prints the pods bound to each node at the end, nodes in
// natural order: pod names where a node has few, counts per workload where it
// has many; beyond maxNodeLines nodes, the spread of pods per node and the
// busiest nodes only.
func printPodsPerNode(w io.Writer, podsOf map[string][]string) {
	nodes := make([]string, 0, len(podsOf))
	total := 0
	for n, pods := range podsOf {
		nodes = append(nodes, n)
		total += len(pods)
	}
	sort.Slice(nodes, func(i, j int) bool { return naturalLess(nodes[i], nodes[j]) })
	line := func(n string) {
		pods := podsOf[n]
		detail := strings.Join(pods, " ")
		if len(pods) > maxPodNames {
			detail = workloadCounts(pods)
		}
		fmt.Fprintf(w, "  %-8s %3d  %s\n", n, len(pods), detail)
	}
	if len(nodes) <= maxNodeLines {
		fmt.Fprintln(w, "\nPods per node at the end:")
		for _, n := range nodes {
			line(n)
		}
		return
	}
	counts := make([]int, len(nodes))
	empty := 0
	for i, n := range nodes {
		counts[i] = len(podsOf[n])
		if counts[i] == 0 {
			empty++
		}
	}
	sorted := append([]int(nil), counts...)
	sort.Ints(sorted)
	fmt.Fprintf(w, "\nPods per node at the end: %s on %s; per node min %d, median %d, max %d; %s without pods\n",
		count(total, "pod"), count(len(nodes), "node"), sorted[0], sorted[len(sorted)/2], sorted[len(sorted)-1], count(empty, "node"))
	busiest := append([]string(nil), nodes...)
	sort.SliceStable(busiest, func(i, j int) bool { return len(podsOf[busiest[i]]) > len(podsOf[busiest[j]]) })
	busiest = busiest[:maxNodeLines]
	sort.Slice(busiest, func(i, j int) bool { return naturalLess(busiest[i], busiest[j]) })
	fmt.Fprintf(w, "  the %d busiest nodes:\n", len(busiest))
	for _, n := range busiest {
		line(n)
	}
	fmt.Fprintf(w, "  ... and %d more nodes (JSON: nodes.NAME.pods)\n", len(nodes)-len(busiest))
}

// fmtSecs formats a window bound in seconds with the decimals its width needs.
func fmtSecs(v, width float64) string {
	prec := 0
	for prec < 3 && math.Abs(width*math.Pow(10, float64(prec))-math.Round(width*math.Pow(10, float64(prec)))) > 1e-9 {
		prec++
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// printRate is a workload's rate per window (DockerCoins' mining speed), as
// bars; beyond maxRateRows windows, consecutive windows share a row (their
// time-weighted mean).
func printRate(w io.Writer, m *metrics.Rate) {
	type row struct{ start, end, rate float64 }
	var rows []row
	per := (len(m.Windows) + maxRateRows - 1) / maxRateRows
	for i := 0; i < len(m.Windows); i += per {
		ws := m.Windows[i:min(i+per, len(m.Windows))]
		var count, secs float64
		for _, win := range ws {
			count += win.PerSec * (win.End - win.Start)
			secs += win.End - win.Start
		}
		r := row{start: ws[0].Start, end: ws[len(ws)-1].End}
		if secs > 0 {
			r.rate = count / secs
		}
		rows = append(rows, r)
	}
	peak, width := 0.0, 0.0
	for _, r := range rows {
		peak = max(peak, r.rate)
	}
	if len(m.Windows) > 0 {
		width = m.Windows[0].End - m.Windows[0].Start
	}
	scale := barScale(peak)
	note := ""
	if scale > 1 {
		note = fmt.Sprintf("; # = %g %s/s", scale, m.Unit)
	}
	if per > 1 {
		note += fmt.Sprintf("; %d windows of %gs a row", per, width)
	}
	fmt.Fprintf(w, "\n%s (%s), %d %s in all%s:\n", m.Title, m.What, m.Total, m.Unit, note)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  window\t%s/s\t\n", m.Unit)
	for _, r := range rows {
		bar := strings.Repeat("#", barLen(r.rate/scale))
		fmt.Fprintf(tw, "  %s-%ss\t%8.2f\t%s\n", pad(fmtSecs(r.start, width), 4), pad(fmtSecs(r.end, width), 4), r.rate, bar)
	}
	tw.Flush()
}

func pad(s string, n int) string {
	if len(s) < n {
		return strings.Repeat(" ", n-len(s)) + s
	}
	return s
}

// itOrThem and isOrAre agree with a count of n.
func itOrThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func isOrAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// count is n and the noun, plural unless n is 1: "1 pod", "3 pods".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// The phases table's bounds: phases (metrics.Recorder.Phases merges the
// shortest beyond it) and Services (those with the most requests).
const (
	maxPhases        = 8
	maxPhaseServices = 8
)

// printPhases prints each Service's throughput and latency in each phase of
// the run: the run split at its steps that change the cluster or its load.
// Nothing when no such step came after 0 s or no Service had requests.
// Latency not measured (detailed false: --coarse) is "-", with a note.
func printPhases(w io.Writer, ps []metrics.Phase, detailed bool) {
	names, more := metrics.TopServices(ps, maxPhaseServices)
	if len(ps) < 2 || len(names) == 0 {
		return
	}
	fmt.Fprintln(w, "\nServices by phase (the run split at its steps that change the cluster or its load; the requests that ended in each phase, exact; latency ms):")
	span := func(p metrics.Phase) string { return fmtAt(p.Start) + "-" + fmtAt(p.End) }
	for _, p := range ps {
		from := "(start)"
		if len(p.Steps) > 0 {
			from = p.Steps[0]
			if len(p.Steps) > 1 {
				from += fmt.Sprintf(" (+%d more at %s)", len(p.Steps)-1, fmtAt(p.Start))
			}
		}
		if len(p.Merged) > 0 {
			at := make([]string, len(p.Merged))
			for i, m := range p.Merged {
				at[i] = fmtAt(m)
			}
			from += fmt.Sprintf(" (and the %s from %s, merged: at most %d phases)", plural(len(at), "phase", "phases"), strings.Join(at, ", "), maxPhases)
		}
		fmt.Fprintf(w, "  %-14s %s\n", span(p), from)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  service\tphase\trequests\tok/s\terrors\tp50\tp99\t")
	unmeasured := false
	for _, n := range names {
		for i, p := range ps {
			label := ""
			if i == 0 {
				label = n
			}
			v, ok := p.Services[n]
			if !ok && detailed {
				// No request in the phase: 0.0, as before (built-in outputs
				// unchanged), though nothing was measured either.
				v.LatencyMs = &metrics.Latency{}
			}
			rate := 0.0
			if d := p.End - p.Start; d > 0 {
				rate = float64(v.Requests-v.Errors) / d
			}
			unmeasured = unmeasured || v.LatencyMs == nil
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%.2f\t%d\t%s\t%s\t\n", label, span(p), v.Requests, rate, v.Errors, latMs(v.LatencyMs, p50), latMs(v.LatencyMs, p99))
		}
	}
	tw.Flush()
	if unmeasured {
		fmt.Fprintln(w, notMeasured("p50, p99"))
	}
	if more > 0 {
		fmt.Fprintf(w, "  ... and %d more %s with requests (the Services table above has them all)\n", more, plural(more, "Service", "Services"))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

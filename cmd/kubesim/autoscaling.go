package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kubesim/kubesim/model/autoscaler"
	"github.com/kubesim/kubesim/scenarios"
)

// maxAutoscalerEvents bounds the autoscaler events the table prints.
const maxAutoscalerEvents = 20

// printAutoscaling is the node groups' part of the table: size, node-hours
// and cost per group, the total, and the autoscaler's scale-up and
// scale-down events (the cluster-autoscaler-status configmap's and the
// nodes').
func printAutoscaling(w io.Writer, a *autoscaler.Autoscaler) {
	s := scenarios.AutoscalingOf(a)
	fmt.Fprintln(w, "\nNode groups (cluster autoscaler; cost = node-hours x price per hour):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  group\tmin\tmax\tnodes\tpeak\tnode-hours\tper hour\tcost\t")
	for _, g := range s.NodeGroups {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%.3f\t%.4g\t%.2f\t\n", g.Name, g.Min, g.Max, g.Nodes, g.Peak, g.NodeHours, g.CostPerHour, g.Cost)
	}
	fmt.Fprintf(tw, "  total\t\t\t\t\t%.3f\t\t%.2f\t\n", s.NodeHours, s.Cost)
	tw.Flush()
	peak := 0
	for _, p := range s.PendingPods {
		peak = max(peak, int(p.V))
	}
	fmt.Fprintf(w, "  %s, %s removed; at most %s unschedulable at once\n", count(s.ScaleUps, "scale-up"), count(s.ScaleDowns, "node"), count(peak, "pod"))
	var lines []string
	for _, e := range a.Events() {
		if strings.HasPrefix(e.Object, "pod/") {
			continue
		}
		l := fmt.Sprintf("  %7s  %s  %s  %s", fmtAt(e.First.Seconds()), e.Reason, e.Object, e.Message)
		if e.Count > 1 {
			l += fmt.Sprintf(" (x%d, last at %s)", e.Count, fmtAt(e.Last.Seconds()))
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, "Cluster autoscaler events:")
	for i, l := range lines {
		if i == maxAutoscalerEvents {
			fmt.Fprintf(w, "  ... %d more\n", len(lines)-i)
			break
		}
		fmt.Fprintln(w, l)
	}
}

package plots

import (
	"bytes"
	"encoding/csv"
	"strconv"

	"github.com/kubesim/kubesim/metrics"
)

// num formats a float the shortest way that reads back exactly: byte-identical
// for identical runs, and equal to the JSON summary's value.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func integer(v int64) string { return strconv.FormatInt(v, 10) }

func latencyCols(l metrics.Latency) []string {
	return []string{num(l.P50), num(l.P90), num(l.P99), num(l.P999), num(l.Max)}
}

var latencyHeader = []string{"p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms"}

type table struct {
	name string
	rows [][]string
}

func (t *table) add(cols ...string) { t.rows = append(t.rows, cols) }

func (t *table) bytes() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(t.rows) // writes to memory: cannot fail
	return b.Bytes()
}

func header(name string, cols ...string) *table { return &table{name: name, rows: [][]string{cols}} }

// csvTables builds every CSV file of the run: long ("tidy") tables, one row per
// observation, sorted by name then time.
func csvTables(run Run) []*table {
	s, sum := run.Series, run.Summary
	var out []*table

	tl := header("timeline.csv", "t_s", "command", "output", "error")
	for _, st := range run.Timeline {
		tl.add(num(st.T), st.Command, st.Output, st.Error)
	}
	out = append(out, tl)

	wu := header("webui.csv", "t_s", "hashes", "hashes_per_s")
	for i, smp := range s.WebUI {
		speed := ""
		if i > 0 && smp.T > s.WebUI[i-1].T {
			speed = num(float64(smp.Hashes-s.WebUI[i-1].Hashes) / (smp.T - s.WebUI[i-1].T))
		}
		wu.add(num(smp.T), integer(smp.Hashes), speed)
	}
	out = append(out, wu)

	if len(s.Throughput) > 0 {
		tp := header("throughput.csv", "start_s", "end_s", "hashes_computed", "hashes_per_s")
		for _, b := range s.Throughput {
			tp.add(num(b.Start), num(b.End), integer(b.Hashes), num(b.PerSec))
		}
		out = append(out, tp)
	}

	wn := header("windows.csv", "start_s", "end_s", "hashes_per_s", "hashes_computed_per_s")
	for _, w := range sum.Windows {
		computed := ""
		if w.ComputedPerSec != nil {
			computed = num(*w.ComputedPerSec)
		}
		wn.add(num(w.Start), num(w.End), num(w.HashesPerSec), computed)
	}
	out = append(out, wn)

	sv := header("services.csv", append([]string{"service", "requests", "errors"}, latencyHeader...)...)
	sw := header("service_windows.csv", append([]string{"service", "start_s", "end_s", "requests", "errors"}, latencyHeader...)...)
	cd := header("latency_cdf.csv", "service", "latency_ms", "fraction")
	for _, ss := range s.Services {
		v := sum.Services[ss.Name]
		sv.add(append([]string{ss.Name, integer(v.Requests), integer(v.Errors)}, latencyCols(v.LatencyMs)...)...)
		for _, w := range ss.Windows {
			sw.add(append([]string{ss.Name, num(w.Start), num(w.End), integer(w.Requests), integer(w.Errors)}, latencyCols(w.LatencyMs)...)...)
		}
		for _, c := range ss.CDF {
			cd.add(ss.Name, num(c.Ms), num(c.Fraction))
		}
	}
	out = append(out, sv)
	if s.Detailed {
		out = append(out, sw, cd)
	}

	if s.Detailed {
		pd := header("pods.csv", append(append([]string{"pod", "app", "node", "requests", "errors"}, latencyHeader...),
			"slots", "served", "busy_s", "life_s", "utilisation", "max_queue", "mean_queue")...)
		pw := header("pod_windows.csv", append([]string{"pod", "start_s", "end_s", "requests", "errors"}, latencyHeader...)...)
		pl := header("pod_load.csv", "pod", "start_s", "end_s", "served", "utilisation", "mean_queue", "max_queue")
		for _, p := range s.Pods {
			v := p.Summary
			pd.add(append(append([]string{p.Name, v.App, v.Node, integer(v.Requests), integer(v.Errors)}, latencyCols(v.LatencyMs)...),
				strconv.Itoa(v.Slots), integer(v.Served), num(v.BusySeconds), num(v.LifeSeconds), num(v.Utilisation), strconv.Itoa(v.MaxQueue), num(v.MeanQueue))...)
			for _, w := range v.Windows {
				pw.add(append([]string{p.Name, num(w.Start), num(w.End), integer(w.Requests), integer(w.Errors)}, latencyCols(w.LatencyMs)...)...)
			}
			for _, b := range p.Bins {
				pl.add(p.Name, num(b.Start), num(b.End), integer(b.Served), num(b.Utilisation), num(b.MeanQueue), strconv.Itoa(b.MaxQueue))
			}
		}
		out = append(out, pd, pw, pl)
	}

	ep := header("endpoints.csv", "service", "t_s", "ready")
	for _, ns := range s.Endpoints {
		for _, pt := range ns.Points {
			ep.add(ns.Name, num(pt.T), num(pt.V))
		}
	}
	np := header("node_pods.csv", "node", "t_s", "pods")
	for _, ns := range s.NodePods {
		for _, pt := range ns.Points {
			np.add(ns.Name, num(pt.T), num(pt.V))
		}
	}
	return append(out, ep, np)
}

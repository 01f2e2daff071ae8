package plots

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
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

// latencyColsOf is latencyCols, or empty cells for a latency not measured
// (nil: --coarse), as JSON omits it.
func latencyColsOf(l *metrics.Latency) []string {
	if l == nil {
		return make([]string, len(latencyHeader))
	}
	return latencyCols(*l)
}

var latencyHeader = []string{"p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms"}

// table is one CSV file being written: rows go straight to the file through
// a buffer, so that per-pod detail of any size streams out.
type table struct {
	name string
	path string
	f    *os.File
	bw   *bufio.Writer
	w    *csv.Writer
	err  error
}

func (t *table) add(cols ...string) {
	if t.err == nil {
		t.err = t.w.Write(cols)
	}
}

// close flushes and closes the file, returning the first error.
func (t *table) close() error {
	t.w.Flush()
	if t.err == nil {
		t.err = t.w.Error()
	}
	if err := t.bw.Flush(); t.err == nil {
		t.err = err
	}
	if err := t.f.Close(); t.err == nil {
		t.err = err
	}
	if t.err != nil {
		return fmt.Errorf("writing %s: %w", t.path, t.err)
	}
	return nil
}

// csvWriter creates the CSV files of a directory, in order.
type csvWriter struct {
	dir    string
	tables []*table
	err    error
}

// header creates DIR/name and writes its header row. After an error, it
// returns a table that discards what it is given.
func (cw *csvWriter) header(name string, cols ...string) *table {
	path := filepath.Join(cw.dir, name)
	t := &table{name: name, path: path}
	f, err := os.Create(path)
	if err != nil {
		if cw.err == nil {
			cw.err = fmt.Errorf("writing %s: %w", path, err)
		}
		f, _ = os.Open(os.DevNull)
		t.err = err
	}
	t.f, t.bw = f, bufio.NewWriterSize(f, 64<<10)
	t.w = csv.NewWriter(t.bw)
	cw.tables = append(cw.tables, t)
	t.add(cols...)
	return t
}

// writeCSVs writes every CSV file of the run into dir and returns their
// names in order.
func writeCSVs(dir string, run Run) ([]string, error) {
	cw := &csvWriter{dir: dir}
	csvTables(cw, run)
	var names []string
	err := cw.err
	for _, t := range cw.tables {
		if e := t.close(); e != nil && err == nil {
			err = e
		}
		names = append(names, t.name)
	}
	return names, err
}

// csvTables writes every CSV file of the run: long ("tidy") tables, one row
// per observation, sorted by name then time.
func csvTables(cw *csvWriter, run Run) {
	s, sum := run.Series, run.Summary
	header := cw.header

	tl := header("timeline.csv", "t_s", "command", "output", "error")
	for _, st := range run.Timeline {
		tl.add(num(st.T), st.Command, st.Output, st.Error)
	}

	for _, f := range run.Workloads {
		workloadTables(cw, f.Tables)
	}

	flowTable(header, "services.csv", "service", names(s.Services), sum.Services)
	if len(sum.Routes) > 0 {
		flowTable(header, "routes.csv", "route", sortedKeys(sum.Routes), sum.Routes)
	}
	if len(sum.Clients) > 0 {
		flowTable(header, "clients.csv", "client", sortedKeys(sum.Clients), sum.Clients)
	}
	if s.Detailed {
		sw := header("service_windows.csv", append([]string{"service", "start_s", "end_s", "requests", "errors"}, latencyHeader...)...)
		for _, ss := range s.Services {
			for _, w := range ss.Windows {
				sw.add(append([]string{ss.Name, num(w.Start), num(w.End), integer(w.Requests), integer(w.Errors)}, latencyCols(w.LatencyMs)...)...)
			}
		}
		cd := header("latency_cdf.csv", "service", "latency_ms", "fraction")
		for _, ss := range s.Services {
			for _, c := range ss.CDF {
				cd.add(ss.Name, num(c.Ms), num(c.Fraction))
			}
		}
	}

	if s.Detailed {
		pd := header("pods.csv", append(append([]string{"pod", "app", "node", "requests", "errors"}, latencyHeader...),
			"slots", "served", "busy_s", "life_s", "utilisation", "max_queue", "mean_queue")...)
		pw := header("pod_windows.csv", append([]string{"pod", "start_s", "end_s", "requests", "errors"}, latencyHeader...)...)
		pl := header("pod_load.csv", "pod", "start_s", "end_s", "served", "utilisation", "mean_queue", "max_queue")
		row := make([]string, 7) // reused: pod_load.csv has a row per pod and second
		for _, p := range s.Pods {
			v := p.Summary
			pd.add(append(append([]string{p.Name, v.App, v.Node, integer(v.Requests), integer(v.Errors)}, latencyCols(v.LatencyMs)...),
				strconv.Itoa(v.Slots), integer(v.Served), num(v.BusySeconds), num(v.LifeSeconds), num(v.Utilisation), strconv.Itoa(v.MaxQueue), num(v.MeanQueue))...)
			for _, w := range v.Windows {
				pw.add(append([]string{p.Name, num(w.Start), num(w.End), integer(w.Requests), integer(w.Errors)}, latencyCols(w.LatencyMs)...)...)
			}
			for _, b := range p.Bins {
				row[0], row[1], row[2], row[3], row[4], row[5], row[6] = p.Name, num(b.Start), num(b.End), integer(b.Served), num(b.Utilisation), num(b.MeanQueue), strconv.Itoa(b.MaxQueue)
				pl.add(row...)
			}
		}
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
			if math.IsNaN(pt.V) {
				np.add(ns.Name, num(pt.T), "") // the node was deleted
				continue
			}
			np.add(ns.Name, num(pt.T), num(pt.V))
		}
	}
	pn := header("pods_on_nodes.csv", "node", "pod")
	nodes := make([]string, 0, len(sum.Nodes))
	for n := range sum.Nodes {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return natLess(nodes[i], nodes[j]) })
	for _, n := range nodes {
		for _, p := range sum.Nodes[n].Pods {
			pn.add(n, p)
		}
	}
}

// errorKindsHeader are the columns of errors by kind (metrics.ErrorKinds).
var errorKindsHeader = []string{"refused", "reset", "timeout", "app_error"}

// flowTable writes a file of one row per Service, route or client: requests,
// errors, latency, errors by kind.
func flowTable(header func(string, ...string) *table, file, what string, order []string, flows map[string]metrics.ServiceSummary) {
	t := header(file, append(append([]string{what, "requests", "errors"}, latencyHeader...), errorKindsHeader...)...)
	for _, name := range order {
		v := flows[name]
		var k metrics.ErrorKinds
		if v.ErrorsByKind != nil {
			k = *v.ErrorsByKind
		}
		t.add(append(append([]string{name, integer(v.Requests), integer(v.Errors)}, latencyColsOf(v.LatencyMs)...),
			integer(k.Refused), integer(k.Reset), integer(k.Timeout), integer(k.AppError))...)
	}
}

func names(ss []metrics.ServiceSeries) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Name
	}
	return out
}

func sortedKeys(m map[string]metrics.ServiceSummary) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// workloadTables writes a workload's CSV files (metrics.Table).
func workloadTables(cw *csvWriter, tables []metrics.Table) {
	for _, t := range tables {
		w := cw.header(t.Name, t.Columns...)
		row := make([]string, len(t.Columns))
		for _, r := range t.Rows {
			for i := range row {
				row[i] = ""
				if i < len(r) {
					row[i] = cell(r[i])
				}
			}
			w.add(row...)
		}
	}
}

// cell is a table cell's text: a float64 as num, an int64 as integer, nil
// empty.
func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case float64:
		return num(v)
	case int64:
		return integer(v)
	case int:
		return strconv.Itoa(v)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

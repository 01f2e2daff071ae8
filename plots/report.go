package plots

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/metrics"
)

// reportData is what the HTML template shows.
type reportData struct {
	Title, Description string
	Facts              []fact
	Timeline           []stepRow
	Services           []serviceRow
	Pods               []podRow
	Nodes              []nodeRow
	NodesNote          string
	Accounting         metrics.Accounting
	Figures            []figure
	Files              []string
	Detailed           bool
	// RateUnit is the unit of the rate the timeline gives before and after
	// each step ("hashes/s"; empty: none), RateNote whose rate it is.
	RateUnit, RateNote string
	// Events: the latest Warning events, and a count by reason (events.go).
	Events     []eventRow
	EventsNote string
}

type fact struct{ Name, Value, Note string }

type stepRow struct {
	T, Command, Result string
	Error              bool
	Before, After      string
	// A result of several lines (kubectl get) is folded under its first line.
	First string
	Lines int
}

type serviceRow struct {
	Name                               string
	Requests, Errors                   int64
	ErrorPct, P50, P90, P99, P999, Max string
}

type podRow struct {
	Name, App, Node, Util, MeanQueue, P99 string
	Served                                int64
	MaxQueue                              int
	Share                                 string
	// Note, when set, is a row summarising pods not listed.
	Note string
}

type nodeRow struct {
	Name  string
	Count int
	Pods  []string // the first maxPodNames
	More  int      // pods not named
}

// The report lists at most podRowsPerApp serving pods of an app (the busiest,
// the others summarised), maxNodeRows nodes (those with the most pods) and
// maxPodNames pod names per node: its size does not grow with the cluster.
const (
	podRowsPerApp = 12
	maxNodeRows   = 30
	maxPodNames   = 12
)

type figure struct {
	Name, Title string
	PNG         template.URL
}

func ms(v float64) string {
	switch {
	case v == 0:
		return "–"
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 1000:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// meanSpeed is the time-weighted mean of the web UI's speeds shown in (a, b].
func meanSpeed(pts []metrics.Point, a, b float64) (float64, bool) {
	var sum, span float64
	prev := math.NaN()
	for _, p := range pts {
		if p.T > a && p.T <= b && !math.IsNaN(prev) {
			sum += p.V * (p.T - prev)
			span += p.T - prev
		}
		prev = p.T
	}
	if span == 0 {
		return 0, false
	}
	return sum / span, true
}

func speedText(v float64, ok bool) string {
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.1f", v)
}

// settle is how long before a step (or before the next step) the speed is
// averaged to say what it was before and after.
const settle = 10.0

func reportOf(run Run, figs []figure, files []string) reportData {
	s, sum := run.Series, run.Summary
	d := reportData{Title: run.title(), Description: run.Description, Accounting: sum.Requests,
		Figures: figs, Files: files, Detailed: s.Detailed}

	evps := "–"
	if sum.WallSeconds > 0 {
		evps = fmt.Sprintf("%s events/s, %s× real time", si(float64(sum.Events)/sum.WallSeconds), si(sum.SimSeconds/sum.WallSeconds))
	}
	d.Facts = []fact{{"Simulated", fmt.Sprintf("%.0f s", sum.SimSeconds), fmt.Sprintf("seed %d", sum.Seed)}}
	// The first workload rate observed at instants is the timeline's.
	var instant []metrics.Point
	for _, f := range run.Workloads {
		for _, x := range f.Facts {
			d.Facts = append(d.Facts, fact{x.Name, x.Value, x.Note})
		}
		if r := f.Rate; r != nil && r.Instant != nil && d.RateUnit == "" {
			d.RateUnit, d.RateNote, instant = r.Unit+"/s", r.InstantWhat, r.Instant
		}
	}
	d.Facts = append(d.Facts,
		fact{"Requests", fmt.Sprintf("%d sent, %d failed, %d refused", sum.Requests.Sent, sum.Requests.Failed, sum.Requests.Refused), fmt.Sprintf("%d in flight at the end", sum.Requests.InFlight)},
		fact{"Simulation", fmt.Sprintf("%d events in %.3f s", sum.Events, sum.WallSeconds), evps})

	// Timeline, with the speed before each step and once it settled.
	times := []float64{}
	for _, st := range run.Timeline {
		if len(times) == 0 || times[len(times)-1] != st.T {
			times = append(times, st.T)
		}
	}
	for _, st := range run.Timeline {
		r := stepRow{T: fmtSeconds(st.T), Command: st.Command, Result: st.Output}
		if st.Error != "" {
			r.Result, r.Error = st.Error, true
		}
		r.Result = strings.TrimRight(r.Result, "\n")
		if lines := strings.Split(r.Result, "\n"); len(lines) > 1 {
			r.First, r.Lines = lines[0], len(lines)
		}
		next := s.End
		for _, t := range times {
			if t > st.T {
				next = t
				break
			}
		}
		if d.RateUnit != "" {
			r.Before = speedText(meanSpeed(instant, st.T-settle, st.T))
			r.After = speedText(meanSpeed(instant, math.Max(st.T, next-settle), next))
		}
		d.Timeline = append(d.Timeline, r)
	}

	d.Events, d.EventsNote = eventsOf(run.Events)

	names := make([]string, 0, len(sum.Services))
	for n := range sum.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := sum.Services[n]
		pct := "0"
		if v.Requests > 0 && v.Errors > 0 {
			pct = fmt.Sprintf("%.2g", 100*float64(v.Errors)/float64(v.Requests))
		}
		d.Services = append(d.Services, serviceRow{Name: n, Requests: v.Requests, Errors: v.Errors, ErrorPct: pct,
			P50: "-", P90: "-", P99: "-", P999: "-", Max: "-"}) // not measured (--coarse)
		if l := v.LatencyMs; l != nil {
			r := &d.Services[len(d.Services)-1]
			r.P50, r.P90, r.P99, r.P999, r.Max = ms(l.P50), ms(l.P90), ms(l.P99), ms(l.P999), ms(l.Max)
		}
	}

	served := map[string]int64{}
	for _, p := range s.Pods {
		served[p.Summary.App] += p.Summary.Served
	}
	byApp := map[string][]metrics.PodSeries{}
	var apps []string
	for _, p := range s.Pods {
		if p.Summary.Slots == 0 {
			continue // not a server (a pod that only got refused connections)
		}
		if _, ok := byApp[p.Summary.App]; !ok {
			apps = append(apps, p.Summary.App)
		}
		byApp[p.Summary.App] = append(byApp[p.Summary.App], p)
	}
	sort.Strings(apps)
	for _, app := range apps {
		pods := byApp[app]
		if len(pods) > podRowsPerApp {
			// The busiest, then one row for the rest.
			sort.SliceStable(pods, func(i, j int) bool { return pods[i].Summary.Served > pods[j].Summary.Served })
		} else {
			sort.SliceStable(pods, func(i, j int) bool { return natLess(pods[i].Name, pods[j].Name) })
		}
		listed := pods
		if len(pods) > podRowsPerApp {
			listed = pods[:podRowsPerApp-1]
		}
		for _, p := range listed {
			v := p.Summary
			share := "–"
			if t := served[v.App]; t > 0 {
				share = percent(float64(v.Served) / float64(t))
			}
			d.Pods = append(d.Pods, podRow{Name: p.Name, App: v.App, Node: v.Node, Served: v.Served, Share: share,
				Util: fmt.Sprintf("%.0f%%", 100*v.Utilisation), MeanQueue: fmt.Sprintf("%.1f", v.MeanQueue), MaxQueue: v.MaxQueue, P99: ms(v.LatencyMs.P99)})
		}
		if len(listed) < len(pods) {
			rest := pods[len(listed):]
			var rates, utils []float64
			for _, p := range pods {
				rates, utils = append(rates, rate(p)), append(utils, p.Summary.Utilisation)
			}
			r, u := spreadOf(rates), spreadOf(utils)
			d.Pods = append(d.Pods, podRow{App: app, Note: fmt.Sprintf(
				"… and %d more %s pods (every pod is in pods.csv). Over all %d: requests served per second of life min %s, median %s, max %s; utilisation min %.0f%%, median %.0f%%, max %.0f%%",
				len(rest), app, len(pods), sig4(r.Min), sig4(r.P50), sig4(r.Max), 100*u.Min, 100*u.P50, 100*u.Max)})
		}
	}

	nodes := make([]string, 0, len(sum.Nodes))
	for n := range sum.Nodes {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return natLess(nodes[i], nodes[j]) })
	if len(nodes) > maxNodeRows {
		counts := make([]float64, len(nodes))
		for i, n := range nodes {
			counts[i] = float64(len(sum.Nodes[n].Pods))
		}
		sp := spreadOf(append([]float64(nil), counts...))
		d.NodesNote = fmt.Sprintf("%d nodes, with %s to %s pods (median %s); the %d with the most pods are listed (every node is in pods_on_nodes.csv and node_pods.csv).",
			len(nodes), sig4(sp.Min), sig4(sp.Max), sig4(sp.P50), maxNodeRows)
		sort.SliceStable(nodes, func(i, j int) bool { return len(sum.Nodes[nodes[i]].Pods) > len(sum.Nodes[nodes[j]].Pods) })
		nodes = nodes[:maxNodeRows]
	}
	for _, n := range nodes {
		pods := sum.Nodes[n].Pods
		r := nodeRow{Name: n, Count: len(pods), Pods: pods}
		if len(pods) > maxPodNames {
			r.Pods, r.More = pods[:maxPodNames], len(pods)-maxPodNames
		}
		d.Nodes = append(d.Nodes, r)
	}
	return d
}

// percent formats a fraction as a percentage: whole percents, two
// significant digits below 1%.
func percent(f float64) string {
	if f > 0 && f < 0.01 {
		return fmt.Sprintf("%.2g%%", 100*f)
	}
	return fmt.Sprintf("%.0f%%", 100*f)
}

func pngURL(png []byte) template.URL {
	// The bytes are our own PNG encoding: safe to trust as a data URL.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}

// pageCSS is the stylesheet the run report and the study report share.
const pageCSS = `  body { font-family: system-ui, -apple-system, "Segoe UI", "Liberation Sans", Arial, sans-serif; color: #222;
         max-width: 1000px; margin: 2em auto; padding: 0 1em; line-height: 1.4; background: #fff; }
  h1 { font-size: 1.6em; margin-bottom: 0.1em; }
  h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
  .facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 0.6em; margin: 1em 0; }
  .fact { border: 1px solid #e3e3e3; border-radius: 6px; padding: 0.5em 0.7em; background: #fafafa; }
  .fact .n { font-size: 0.8em; color: #666; text-transform: uppercase; letter-spacing: 0.03em; }
  .fact .v { font-size: 1.15em; font-weight: 600; overflow-wrap: anywhere; }
  .fact .x { font-size: 0.8em; color: #777; }
  table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
  th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
  th { background: #f3f3f3; font-weight: 600; }
  td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
  code { font-family: ui-monospace, "Liberation Mono", Menlo, monospace; font-size: 0.95em; }
  /* Figures use the window's width (up to 1400px), wider than the text. */
  figure { margin: 1.2em calc(50% - min(50vw, 700px) + 8px); }
  figure img { width: 100%; height: auto; border: 1px solid #eee; }
  figcaption { font-size: 0.85em; color: #666; }
  .small { font-size: 0.85em; color: #666; }`

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"join": strings.Join,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kubesim: {{.Title}}</title>
<style>
` + pageCSS + `
  .desc { color: #555; margin-top: 0; }
  td.err { color: #b00020; }
  pre { font-family: ui-monospace, "Liberation Mono", Menlo, monospace; font-size: 0.8em; white-space: pre; overflow-x: auto; margin: 0.3em 0; }
  summary { cursor: pointer; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{if .Description}}<p class="desc">{{.Description}}</p>{{end}}

<div class="facts">
{{range .Facts}}<div class="fact"><div class="n">{{.Name}}</div><div class="v">{{.Value}}</div><div class="x">{{.Note}}</div></div>
{{end}}</div>

<h2>Timeline</h2>
<table>
<tr><th class="r">time</th><th>command</th><th>result</th>{{if .RateUnit}}<th class="r">{{.RateUnit}} before</th><th class="r">after (settled)</th>{{end}}</tr>
{{range .Timeline}}<tr><td class="r">{{.T}}</td><td><code>{{.Command}}</code></td><td{{if .Error}} class="err"{{end}}>{{if .Lines}}<details><summary>{{.First}} <span class="small">({{.Lines}} lines)</span></summary><pre>{{.Result}}</pre></details>{{else}}{{.Result}}{{end}}</td>{{if $.RateUnit}}<td class="r">{{.Before}}</td><td class="r">{{.After}}</td>{{end}}</tr>
{{end}}</table>
{{if .RateUnit}}<p class="small">Before and after each step: {{.RateNote}}, averaged over the 10 s before the step and the 10 s before the next step (or the end).</p>{{end}}

{{range .Figures}}<figure id="{{.Name}}"><img src="{{.PNG}}" alt="{{.Title}}"><figcaption>{{.Title}}: <a href="{{.Name}}.svg">{{.Name}}.svg</a>, <a href="{{.Name}}.png">{{.Name}}.png</a></figcaption></figure>
{{end}}

{{if .EventsNote}}<h2>Events</h2>
<p class="small">{{.EventsNote}}</p>
{{if .Events}}<table>
<tr><th class="r">time</th><th>type</th><th>reason</th><th>object</th><th>message</th></tr>
{{range .Events}}<tr><td class="r">{{.T}}</td><td class="err">{{.Type}}</td><td>{{.Reason}}</td><td><code>{{.Object}}</code></td><td>{{.Message}}</td></tr>
{{end}}</table>{{end}}{{end}}

<h2>Services</h2>
<p class="small">As clients saw them: every request through the Service, latency of the successful ones (ms){{if not .Detailed}}; "-": latency not measured with --coarse{{end}}.</p>
<table>
<tr><th>Service</th><th class="r">requests</th><th class="r">errors</th><th class="r">error %</th><th class="r">p50</th><th class="r">p90</th><th class="r">p99</th><th class="r">p99.9</th><th class="r">max</th></tr>
{{range .Services}}<tr><td>{{.Name}}</td><td class="r">{{.Requests}}</td><td class="r">{{.Errors}}</td><td class="r">{{.ErrorPct}}</td><td class="r">{{.P50}}</td><td class="r">{{.P90}}</td><td class="r">{{.P99}}</td><td class="r">{{.P999}}</td><td class="r">{{.Max}}</td></tr>
{{end}}</table>
<p class="small">Requests: {{.Accounting.Sent}} sent = {{.Accounting.Completed}} completed + {{.Accounting.Refused}} refused + {{.Accounting.Failed}} failed + {{.Accounting.InFlight}} in flight.</p>

{{if .Pods}}<h2>Serving pods</h2>
<table>
<tr><th>pod</th><th>app</th><th>node</th><th class="r">served</th><th class="r">share</th><th class="r">utilisation</th><th class="r">mean queue</th><th class="r">max queue</th><th class="r">p99 (ms)</th></tr>
{{range .Pods}}{{if .Note}}<tr><td colspan="9" class="small">{{.Note}}</td></tr>{{else}}<tr><td><code>{{.Name}}</code></td><td>{{.App}}</td><td>{{.Node}}</td><td class="r">{{.Served}}</td><td class="r">{{.Share}}</td><td class="r">{{.Util}}</td><td class="r">{{.MeanQueue}}</td><td class="r">{{.MaxQueue}}</td><td class="r">{{.P99}}</td></tr>{{end}}
{{end}}</table>{{else if not .Detailed}}<p class="small">Detailed measurements were off for this run: no per-pod figures.</p>{{end}}

<h2>Pods per node at the end</h2>
{{if .NodesNote}}<p class="small">{{.NodesNote}}</p>{{end}}
<table>
<tr><th>node</th><th class="r">pods</th><th>names</th></tr>
{{range .Nodes}}<tr><td>{{.Name}}</td><td class="r">{{.Count}}</td><td><code>{{join .Pods " "}}</code>{{if .More}} <span class="small">… and {{.More}} more</span>{{end}}</td></tr>
{{end}}</table>

<h2>Data</h2>
<p class="small">Written next to this report (CSV: one row per observation; the schema is in kubesim's README.md):</p>
<p class="small">{{range .Files}}<a href="{{.}}">{{.}}</a> {{end}}</p>
<p class="small">Generated by kubesim. This page is self-contained: it loads nothing from the network.</p>
</body>
</html>
`))

func renderReport(d reportData) ([]byte, error) { return render(reportTmpl, d, "the report") }

// render executes an HTML template into bytes.
func render(t *template.Template, d any, what string) ([]byte, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", what, err)
	}
	return b.Bytes(), nil
}

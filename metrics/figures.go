package metrics

// Figures are a workload's own measurements of a run (DockerCoins: the mining
// speed, the web UI's polls, the hashes computed), described as data so that
// every output (the terminal summary, the CSV files, the charts, the HTML
// report, a study's metrics) shows them without knowing the workload. The
// generic figures (Services, routes, clients, pods) are the Summary's and the
// Series'; these come after them only in what they add.
type Figures struct {
	// Workload names the workload ("dockercoins").
	Workload string
	// Rate is its headline rate per summary window (nil: none): the terminal
	// summary draws it as bars, a study gets it as the series Rate.Metric.
	Rate *Rate
	// Facts are the report's key figures, after the simulated time.
	Facts []Fact
	// Tables are CSV files, written before the Services' ones.
	Tables []Table
	// Charts are drawn before the Services' charts.
	Charts []Chart
	// Scalars are study metrics over the whole run, in order.
	Scalars []Scalar
}

// Rate is a count per second, per summary window.
type Rate struct {
	// Title names it ("Mining speed"); What says what is counted, per what
	// ("hashes counted in redis per second, per window"); Unit is what one
	// count is ("hashes": the bars are in hashes/s).
	Title, What, Unit string
	// Total is the count over the whole run.
	Total int64
	// Metric is its name as a study series ("hashes_per_s").
	Metric string
	// Windows are the summary's windows with the rate in each.
	Windows []RateWindow
	// Instant, if set, is the rate as an observer saw it at instants (the web
	// UI's speed after each poll): the report gives its mean before and after
	// every timeline step. InstantWhat names whose it is ("the web UI's").
	Instant     []Point
	InstantWhat string
}

// RateWindow is the rate in one summary window, [Start, End] seconds.
type RateWindow struct {
	Start, End, PerSec float64
}

// Fact is one key figure: its name, its value with its unit, and a note
// saying what it is measured from.
type Fact struct{ Name, Value, Note string }

// Scalar is a named number (a study metric).
type Scalar struct {
	Name  string
	Value float64
}

// Table is a CSV file: Name ("webui.csv"), its column names, and its rows;
// a cell is a float64, an int64, a string, or nil (empty).
type Table struct {
	Name    string
	Columns []string
	Rows    [][]any
}

// Chart is a chart of values over simulated time, with the timeline's steps
// marked.
type Chart struct {
	// Name is the file's name (NAME.png, NAME.svg); Title the report's
	// heading and, lower-cased after the run's name, the chart's own;
	// YLabel the unit of the y axis.
	Name, Title, YLabel string
	Lines               []Line
}

// Line is one line of a chart, from Points (a line through them) or Steps
// (a value held over each interval).
type Line struct {
	// Label is the legend's text; for Counts, " per Ns" is added (N the
	// width of the steps drawn).
	Label  string
	Points []Point
	Steps  []Step
	// Gap, if above 0: Points more than Gap seconds apart are not joined,
	// for nothing was measured between them (a poller that got no answer).
	Gap float64
	// Counts: the Steps' values are counts in their interval; they are drawn
	// as rates, a long run's merged into at most 300 steps.
	Counts bool
	// Width is the line's width in points; Colour its index in the charts'
	// palette; Faint draws it translucent.
	Width  float64
	Colour int
	Faint  bool
}

// Step is a value over [Start, End] seconds.
type Step struct {
	Start, End, V float64
}

// Source is a workload's figures as the Recorder knows them.
type Source struct {
	// Workload names the workload.
	Workload string
	// Metrics are the names of the study metrics its figures give (its Rate's
	// and its Scalars); Absent says why they are missing from a run in which
	// the workload did not run.
	Metrics []string
	Absent  string
	// Figures returns the figures up to now, or nil if the workload did not
	// run.
	Figures func() *Figures
}

// AddFigures registers a workload's figures.
func (r *Recorder) AddFigures(s Source) { r.sources = append(r.sources, s) }

// Sources are the workloads' registered figures, in the order they were
// registered.
func (r *Recorder) Sources() []Source { return r.sources }

// Figures returns the figures of the workloads that ran, up to now, in the
// order they were registered.
func (r *Recorder) Figures() []*Figures {
	var out []*Figures
	for _, s := range r.sources {
		if f := s.Figures(); f != nil {
			out = append(out, f)
		}
	}
	return out
}

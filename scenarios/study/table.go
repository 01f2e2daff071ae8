package study

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Table is the analysed study: one row per (point, metric), points in study order
// and metrics in Study.Metrics order within a point, and the answers to the
// study's question if it has one.
type Table struct {
	Study      string
	Parameters []string
	Metrics    []string
	Rows       []Row
	Question   *Question
	Answers    []Answer
}

// Row is the summary of one metric at one point. Error is set for a point that
// failed: its Summary is then N 0 and NaN everywhere, never an average.
type Row struct {
	Point  int
	Params Point
	Metric string
	Summary
	Error string
}

// Table analyses the results: it summarises every metric of every point and
// answers the study's question.
func (r *Results) Table() (*Table, error) {
	s := r.Study
	if s == nil {
		return nil, fmt.Errorf("results without a study")
	}
	t := &Table{Study: s.Name, Parameters: s.paths, Metrics: s.Metrics, Question: s.Question}
	for i := range r.Results {
		pr := &r.Results[i]
		for mi, m := range s.Metrics {
			if pr.Error != "" {
				t.Rows = append(t.Rows, Row{Point: pr.Index, Params: pr.Point, Metric: m, Summary: Summarise(nil), Error: pr.Error})
				continue
			}
			t.Rows = append(t.Rows, Row{Point: pr.Index, Params: pr.Point, Metric: m, Summary: Summarise(pr.values(mi))})
		}
	}
	if s.Question != nil {
		t.Answers = t.answer(*s.Question)
	}
	return t, nil
}

// CSV columns after the point index and the parameter paths.
var csvStatColumns = []string{"metric", "n", "mean", "stddev", "half_width", "ci_low", "ci_high", "rel_half_width", "error", "identical"}

// WriteCSV writes the rows as CSV: the header is point, each parameter path (in
// Parameters order), then metric, n, mean, stddev, half_width, ci_low, ci_high,
// rel_half_width, error, identical. Numbers use strconv 'g' with the shortest
// exact precision (NaN, +Inf, -Inf for non-finite values); a parameter a point
// does not set is an empty cell. error is empty, or for a failed point the
// failure (its statistics are then empty cells and n is 0). identical is true
// when every replication gave the same value (Summary.Identical): stddev is 0
// and the interval's cells are empty, as no interval is claimed.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := append(append([]string{"point"}, t.Parameters...), csvStatColumns...)
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range t.Rows {
		rec := []string{strconv.Itoa(r.Point)}
		for _, p := range t.Parameters {
			v, ok := r.Params.Get(p)
			if ok {
				rec = append(rec, v.String())
			} else {
				rec = append(rec, "")
			}
		}
		if r.Error != "" {
			rec = append(rec, r.Metric, "0", "", "", "", "", "", "", r.Error, "false")
		} else if r.Identical() {
			rec = append(rec, r.Metric, strconv.Itoa(r.N), formatFloat(r.Mean), formatFloat(r.StdDev),
				"", "", "", "", "", "true")
		} else {
			rec = append(rec, r.Metric, strconv.Itoa(r.N), formatFloat(r.Mean), formatFloat(r.StdDev),
				formatFloat(r.HalfWidth), formatFloat(r.Low), formatFloat(r.High), formatFloat(r.RelHalfWidth()), "", "false")
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// TableFormat names the version of the JSON table layout.
const TableFormat = "kubesim.study-table/v1"

type jsonTable struct {
	Format     string       `json:"format"`
	Study      string       `json:"study"`
	Confidence Float        `json:"confidence"`
	Parameters []string     `json:"parameters"`
	Metrics    []string     `json:"metrics"`
	Rows       []jsonRow    `json:"rows"`
	Question   *Question    `json:"question,omitempty"`
	Answers    []jsonAnswer `json:"answers,omitempty"`
	// Failed is the number of failed points (omitted when none failed).
	Failed int `json:"failed_points,omitempty"`
}

type jsonRow struct {
	Point        int              `json:"point"`
	Params       map[string]Value `json:"params"`
	Metric       string           `json:"metric"`
	N            int              `json:"n"`
	Mean         Float            `json:"mean"`
	StdDev       Float            `json:"stddev"`
	HalfWidth    Float            `json:"half_width"`
	Low          Float            `json:"ci_low"`
	High         Float            `json:"ci_high"`
	RelHalfWidth Float            `json:"rel_half_width"`
	Error        string           `json:"error,omitempty"`
	// Identical: every replication gave the same value; the interval's fields
	// are then "NaN" (no interval is claimed).
	Identical bool `json:"identical,omitempty"`
}

type jsonPick struct {
	Value Value `json:"value"`
	Point int   `json:"point"`
	N     int   `json:"n"`
	Mean  Float `json:"mean"`
	Low   Float `json:"ci_low"`
	High  Float `json:"ci_high"`
}

type jsonAnswer struct {
	Given          map[string]Value `json:"given"`
	WithConfidence *jsonPick        `json:"with_confidence"`
	OnMean         *jsonPick        `json:"on_mean"`
	// FailedPoint is the failed point that leaves the answer undetermined.
	FailedPoint *int `json:"failed_point,omitempty"`
}

// WriteJSON writes the table as indented JSON with the field names of the CSV
// (params is a map from path to value, keys sorted), then a newline. Numbers are
// formatted as in the CSV; non-finite ones are the strings "NaN", "+Inf", "-Inf".
// A failed point's rows have n 0, "NaN" statistics and error; failed_points
// counts the failed points.
func (t *Table) WriteJSON(w io.Writer) error {
	jt := jsonTable{Format: TableFormat, Study: t.Study, Confidence: Confidence, Parameters: t.Parameters,
		Metrics: t.Metrics, Rows: make([]jsonRow, len(t.Rows)), Question: t.Question}
	if jt.Parameters == nil {
		jt.Parameters = []string{}
	}
	for i, r := range t.Rows {
		jt.Rows[i] = jsonRow{Point: r.Point, Params: paramMap(r.Params), Metric: r.Metric, N: r.N,
			Mean: Float(r.Mean), StdDev: Float(r.StdDev), HalfWidth: Float(r.HalfWidth),
			Low: Float(r.Low), High: Float(r.High), RelHalfWidth: Float(r.RelHalfWidth()), Error: r.Error}
		if r.Error == "" && r.Identical() {
			nan := Float(math.NaN())
			jt.Rows[i].HalfWidth, jt.Rows[i].Low, jt.Rows[i].High, jt.Rows[i].RelHalfWidth = nan, nan, nan, nan
			jt.Rows[i].Identical = true
		}
	}
	jt.Failed = len(t.FailedPoints())
	for _, a := range t.Answers {
		ja := jsonAnswer{Given: paramMap(a.Given), WithConfidence: a.WithConfidence.json(), OnMean: a.OnMean.json()}
		if a.Failed != nil {
			ja.FailedPoint = &a.Failed.Point
		}
		jt.Answers = append(jt.Answers, ja)
	}
	b, err := json.MarshalIndent(jt, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func paramMap(p Point) map[string]Value {
	m := make(map[string]Value, len(p))
	for _, q := range p {
		m[q.Path] = q.Value
	}
	return m
}

// Answer is the answer to the study's question for one combination of the other
// parameters (Given). WithConfidence is the first value, in the search order,
// whose whole confidence interval meets the bound; OnMean the first whose mean
// does. Either is nil when no value qualifies, or when a failed point comes
// first in the search order: Failed is then that point's row, and the answer is
// undetermined (the failed value might have qualified).
type Answer struct {
	Question       Question
	Given          Point
	WithConfidence *Pick
	OnMean         *Pick
	Failed         *Row
}

// FailedPoints lists the indices of the failed points, in table order.
func (t *Table) FailedPoints() []int {
	var out []int
	for _, r := range t.Rows {
		if r.Error != "" && (len(out) == 0 || out[len(out)-1] != r.Point) {
			out = append(out, r.Point)
		}
	}
	return out
}

// Pick is a parameter value chosen by a question, with the row that justified it.
type Pick struct {
	Value Value
	Row   Row
}

func (p *Pick) json() *jsonPick {
	if p == nil {
		return nil
	}
	return &jsonPick{Value: p.Value, Point: p.Row.Point, N: p.Row.N, Mean: Float(p.Row.Mean), Low: Float(p.Row.Low), High: Float(p.Row.High)}
}

// answer searches, for each combination of the other parameters (in order of
// first appearance), the question's parameter's values in order: numerically
// ascending when they are all numbers, otherwise in order of first appearance.
// "smallest" takes the first value that meets the bound, "largest" the last.
// Points that do not set the parameter are ignored.
func (t *Table) answer(q Question) []Answer {
	type group struct {
		given Point
		rows  []Row
	}
	var groups []*group
	byKey := map[string]*group{}
	order := map[string]int{}
	allNumbers := true
	for _, r := range t.Rows {
		if r.Metric != q.Metric {
			continue
		}
		v, ok := r.Params.Get(q.Parameter)
		if !ok {
			continue
		}
		if v.Kind() != NumberValue {
			allNumbers = false
		}
		vk := Point{{Path: q.Parameter, Value: v}}.Key()
		if _, ok := order[vk]; !ok {
			order[vk] = len(order)
		}
		var given Point
		for _, p := range r.Params {
			if p.Path != q.Parameter {
				given = append(given, p)
			}
		}
		k := given.Key()
		g := byKey[k]
		if g == nil {
			g = &group{given: given}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, r)
	}
	var out []Answer
	for _, g := range groups {
		rows := g.rows
		sort.SliceStable(rows, func(a, b int) bool {
			va, _ := rows[a].Params.Get(q.Parameter)
			vb, _ := rows[b].Params.Get(q.Parameter)
			if allNumbers {
				fa, _ := va.Float()
				fb, _ := vb.Float()
				return fa < fb
			}
			return order[Point{{Path: q.Parameter, Value: va}}.Key()] < order[Point{{Path: q.Parameter, Value: vb}}.Key()]
		})
		if q.Find == "largest" {
			for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
				rows[i], rows[j] = rows[j], rows[i]
			}
		}
		a := Answer{Question: q, Given: g.given}
		for _, r := range rows {
			if r.Error != "" {
				if a.WithConfidence == nil || a.OnMean == nil {
					r := r
					a.Failed = &r
				}
				break
			}
			v, _ := r.Params.Get(q.Parameter)
			if a.WithConfidence == nil && meets(q, r.Low) && meets(q, r.High) {
				a.WithConfidence = &Pick{Value: v, Row: r}
			}
			if a.OnMean == nil && meets(q, r.Mean) {
				a.OnMean = &Pick{Value: v, Row: r}
			}
		}
		out = append(out, a)
	}
	return out
}

func meets(q Question, x float64) bool {
	if math.IsNaN(x) {
		return false
	}
	if q.Op == "<=" {
		return x <= *q.Bound
	}
	return x >= *q.Bound
}

// String states the answer in one line, e.g. "smallest cluster.nodes with
// hashes_per_s >= 10 (given workload.rng.replicas=5): 4 with 95% confidence
// (mean 10.8, CI [10.2, 11.4], n 10); 3 on the mean (...)".
func (a Answer) String() string {
	q := a.Question
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %s with %s %s %s", q.Find, q.Parameter, q.Metric, q.Op, formatFloat(*q.Bound))
	if len(a.Given) > 0 {
		fmt.Fprintf(&sb, " (given %s)", a.Given)
	}
	sb.WriteString(": ")
	pick := func(p *Pick, how string) {
		if p == nil && a.Failed != nil {
			fmt.Fprintf(&sb, "undetermined %s (point %d, %s, failed)", how, a.Failed.Point, a.Failed.Params)
			return
		}
		if p == nil {
			fmt.Fprintf(&sb, "none %s", how)
			return
		}
		fmt.Fprintf(&sb, "%s %s (mean %s, %g%% CI [%s, %s], n %d)", p.Value, how, formatFloat(p.Row.Mean), Confidence*100,
			formatFloat(p.Row.Low), formatFloat(p.Row.High), p.Row.N)
	}
	pick(a.WithConfidence, "with 95% confidence")
	sb.WriteString("; ")
	pick(a.OnMean, "on the mean")
	return sb.String()
}

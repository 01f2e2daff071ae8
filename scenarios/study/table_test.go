package study

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// handResults builds results with the given replication values per point key.
func handResults(t *testing.T, s *Study, vals map[string][]float64) *Results {
	t.Helper()
	r, err := newResults(s, Shard{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Results {
		pr := &r.Results[i]
		v, ok := vals[pr.Point.String()]
		if !ok {
			t.Fatalf("no values for point %s", pr.Point)
		}
		for _, x := range v {
			pr.Replications = append(pr.Replications, Replication{Values: []Float{Float(x)}, Truncated: []int{-1}})
		}
	}
	return r
}

const questionStudy = `
name: q
base: b
replications: {min: 3}
metrics: [m]
parameters:
  grid:
    p: [3, 1, 4, 2]
    q: [a, b]
question: {find: smallest, parameter: p, metric: m, op: ">=", bound: 10}
`

var questionValues = map[string][]float64{
	"p=1, q=a": {5, 6, 7},      // mean 6: fails
	"p=2, q=a": {9, 11, 13},    // mean 11, CI [6.03, 15.97]: meets on the mean only
	"p=3, q=a": {12, 12.5, 13}, // mean 12.5, CI [11.26, 13.74]: meets with confidence
	"p=4, q=a": {20, 20, 20},   // meets both
	"p=1, q=b": {1, 2, 3},
	"p=2, q=b": {1, 2, 3},
	"p=3, q=b": {1, 2, 3},
	"p=4, q=b": {1, 2, 3},
}

func TestQuestionSmallestAndLargest(t *testing.T) {
	s := mustParse(t, questionStudy)
	tb, err := handResults(t, s, questionValues).Table()
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Answers) != 2 {
		t.Fatalf("%d answers, want one per value of q", len(tb.Answers))
	}
	a := tb.Answers[0]
	if a.Given.String() != "q=a" || a.WithConfidence == nil || a.WithConfidence.Value.String() != "3" || a.OnMean == nil || a.OnMean.Value.String() != "2" {
		t.Fatalf("q=a: %s", a)
	}
	if !strings.Contains(a.String(), "smallest p with m >= 10 (given q=a): 3 with 95% confidence (mean 12.5") {
		t.Errorf("answer text %q", a)
	}
	if b := tb.Answers[1]; b.Given.String() != "q=b" || b.WithConfidence != nil || b.OnMean != nil || !strings.Contains(b.String(), "none with 95% confidence; none on the mean") {
		t.Errorf("q=b: %s", b)
	}
	s = mustParse(t, strings.Replace(questionStudy, "find: smallest", "find: largest", 1))
	tb, _ = handResults(t, s, questionValues).Table()
	if a := tb.Answers[0]; a.WithConfidence.Value.String() != "4" || a.OnMean.Value.String() != "4" {
		t.Errorf("largest: %s", a)
	}
	s = mustParse(t, strings.Replace(questionStudy, `op: ">=", bound: 10`, `op: "<=", bound: 12`, 1))
	tb, _ = handResults(t, s, questionValues).Table()
	// <= 12: p=1 (CI [3.5, 8.5]) meets with confidence and on the mean.
	if a := tb.Answers[0]; a.WithConfidence.Value.String() != "1" || a.OnMean.Value.String() != "1" {
		t.Errorf("<= 12: %s", a)
	}
}

func TestQuestionOnStringsUsesFirstAppearance(t *testing.T) {
	s := mustParse(t, `
name: q
base: b
replications: {min: 3}
metrics: [m]
parameters:
  points:
    - {placement: DaemonSet}
    - {placement: Deployment}
question: {find: smallest, parameter: placement, metric: m, op: "<=", bound: 5}
`)
	tb, _ := handResults(t, s, map[string][]float64{"placement=DaemonSet": {1, 1, 1}, "placement=Deployment": {1, 1, 1}}).Table()
	if a := tb.Answers[0]; a.WithConfidence.Value.String() != "DaemonSet" {
		t.Errorf("strings: %s, want the first listed, DaemonSet", a)
	}
}

func TestTableCSVAndJSON(t *testing.T) {
	s := mustParse(t, questionStudy)
	tb, _ := handResults(t, s, questionValues).Table()
	var c bytes.Buffer
	if err := tb.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(c.String(), "\n"), "\n")
	if len(lines) != 9 {
		t.Fatalf("%d CSV lines, want header + 8 rows", len(lines))
	}
	if lines[0] != "point,p,q,metric,n,mean,stddev,half_width,ci_low,ci_high,rel_half_width,error,identical" {
		t.Errorf("header %q", lines[0])
	}
	// Grid order: p in file order 3, 1, 4, 2; q fastest. Row 4 is p=4, q=a:
	// three identical replications, so no interval.
	if lines[5] != "4,4,a,m,3,20,0,,,,,,true" {
		t.Errorf("row for p=4 q=a: %q", lines[5])
	}
	// p=2, q=a: mean 11, sd 2, hw = t(0.975,2)*2/sqrt(3).
	hw := TQuantile(0.975, 2) * 2 / math.Sqrt(3)
	want := "6,2,a,m,3,11,2," + formatFloat(hw) + "," + formatFloat(11-hw) + "," + formatFloat(11+hw) + "," + formatFloat(hw/11) + ",,false"
	if lines[7] != want {
		t.Errorf("row for p=2 q=a: %q, want %q", lines[7], want)
	}
	var j bytes.Buffer
	if err := tb.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Format  string
		Rows    []map[string]any
		Answers []struct {
			Given          map[string]any `json:"given"`
			WithConfidence struct {
				Value float64 `json:"value"`
			} `json:"with_confidence"`
		}
	}
	if err := json.Unmarshal(j.Bytes(), &decoded); err != nil {
		t.Fatalf("table JSON does not decode: %v", err)
	}
	if decoded.Format != TableFormat || len(decoded.Rows) != 8 || decoded.Rows[4]["mean"] != 20.0 || decoded.Answers[0].WithConfidence.Value != 3 ||
		decoded.Rows[4]["identical"] != true || decoded.Rows[4]["half_width"] != "NaN" || decoded.Rows[6]["identical"] != nil {
		t.Errorf("decoded JSON table: %+v", decoded)
	}
	for _, k := range []string{"point", "params", "metric", "n", "mean", "stddev", "half_width", "ci_low", "ci_high", "rel_half_width"} {
		if _, ok := decoded.Rows[0][k]; !ok {
			t.Errorf("JSON row lacks %q", k)
		}
	}
}

func TestNonFiniteValuesSurviveJSON(t *testing.T) {
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e-300, 0.1, -3} {
		b, err := json.Marshal(Float(x))
		if err != nil {
			t.Fatal(err)
		}
		var back Float
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !(float64(back) == x || math.IsNaN(x) && math.IsNaN(float64(back))) {
			t.Errorf("%v -> %s -> %v", x, b, back)
		}
	}
}

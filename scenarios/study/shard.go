package study

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Shard selects a deterministic subset of a study's points: shard I of N runs the
// points whose index i has i mod N == I. Sharding is by point, never by
// replication, so that each point's sequential stopping rule sees all its
// replications. The zero Shard means "all points" (the same as 0/1).
type Shard struct {
	I int `json:"i"`
	N int `json:"n"`
}

// ParseShard reads "I/N" (0 <= I < N).
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want I/N, e.g. 0/4 for the first of four shards", s)
	}
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: I and N must be whole numbers, e.g. 0/4", s)
	}
	if n < 1 {
		return Shard{}, fmt.Errorf("shard %q: N must be at least 1", s)
	}
	sh := Shard{I: i, N: n}
	return sh, sh.check()
}

func (s Shard) norm() Shard {
	if s.N == 0 && s.I == 0 {
		return Shard{0, 1}
	}
	return s
}

func (s Shard) check() error {
	s = s.norm()
	if s.N < 1 || s.I < 0 || s.I >= s.N {
		return fmt.Errorf("shard %d/%d: need N >= 1 and 0 <= I < N (shard indices count from 0)", s.I, s.N)
	}
	return nil
}

// String formats the shard as I/N.
func (s Shard) String() string { s = s.norm(); return fmt.Sprintf("%d/%d", s.I, s.N) }

// Has reports whether the shard runs the point with index i.
func (s Shard) Has(i int) bool { s = s.norm(); return i%s.N == s.I }

// FileName is the conventional name of the shard's output file,
// "shard-III-of-NNN.json" with enough digits for N, so that names sort by index.
func (s Shard) FileName() string {
	s = s.norm()
	w := len(strconv.Itoa(s.N - 1))
	return fmt.Sprintf("shard-%0*d-of-%d.json", w, s.I, s.N)
}

// ResultsFormat names the version of the Results file layout.
const ResultsFormat = "kubesim.study-results/v1"

// Results are the raw per-replication outcomes of a study or of one shard of it:
// what a shard writes and what Merge combines. They carry the validated study,
// so a set of shard files is enough to build the table.
type Results struct {
	Format string `json:"format"`
	Digest string `json:"digest"`
	Study  *Study `json:"study"`
	Shard  Shard  `json:"shard"`
	// Points is the number of points in the whole study.
	Points int `json:"points"`
	// Results holds this shard's points by increasing index.
	Results []PointResult `json:"results"`
}

func newResults(s *Study, sh Shard) (*Results, error) {
	dg, err := s.Digest()
	if err != nil {
		return nil, err
	}
	sh = sh.norm()
	r := &Results{Format: ResultsFormat, Digest: dg, Study: s, Shard: sh, Points: len(s.points)}
	for i, p := range s.points {
		if sh.Has(i) {
			r.Results = append(r.Results, PointResult{Index: i, Point: p})
		}
	}
	return r, nil
}

// WriteJSON writes r as indented JSON followed by a newline. The same results
// always give the same bytes.
func (r *Results) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// WriteFile writes r as dir/<Shard.FileName()> and returns the path.
func (r *Results) WriteFile(dir string) (string, error) {
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		return "", err
	}
	p := filepath.Join(dir, r.Shard.FileName())
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("writing study results: %w", err)
	}
	return p, nil
}

// ReadResultsFile reads the Results file at path (see ReadResults).
func ReadResultsFile(path string) (*Results, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading study results: %w", err)
	}
	defer f.Close()
	return ReadResults(path, f)
}

// ReadResults reads a Results file written by WriteJSON and checks it: known
// format, valid study, matching digest, points belonging to the shard.
func ReadResults(name string, rd io.Reader) (*Results, error) {
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	r := new(Results)
	if err := dec.Decode(r); err != nil {
		return nil, fmt.Errorf("%s: not a study results file: %v", name, err)
	}
	if r.Format != ResultsFormat {
		return nil, fmt.Errorf("%s: format %q, want %q: was it written by another kubesim version?", name, r.Format, ResultsFormat)
	}
	if r.Study == nil {
		return nil, fmt.Errorf("%s: no study in the results file", name)
	}
	r.Study.file = name + " (embedded study)"
	if err := r.Study.Validate(); err != nil {
		return nil, err
	}
	dg, err := r.Study.Digest()
	if err != nil {
		return nil, err
	}
	if dg != r.Digest {
		return nil, fmt.Errorf("%s: the embedded study does not match its digest: the file was edited or damaged", name)
	}
	if err := r.Shard.check(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if r.Points != len(r.Study.points) {
		return nil, fmt.Errorf("%s: says the study has %d points, the study expands to %d", name, r.Points, len(r.Study.points))
	}
	prev := -1
	for _, pr := range r.Results {
		if pr.Index <= prev || pr.Index >= r.Points || !r.Shard.Has(pr.Index) {
			return nil, fmt.Errorf("%s: point index %d is out of order, out of range or not in shard %s", name, pr.Index, r.Shard)
		}
		prev = pr.Index
		if pr.Point.Key() != r.Study.points[pr.Index].Key() {
			return nil, fmt.Errorf("%s: point %d is (%s), the study says (%s)", name, pr.Index, pr.Point, r.Study.points[pr.Index])
		}
		for k, rep := range pr.Replications {
			if rep.Error != "" {
				if len(rep.Values) != 0 || len(rep.Truncated) != 0 {
					return nil, fmt.Errorf("%s: point %d replication %d failed but has values", name, pr.Index, k)
				}
				continue
			}
			if len(rep.Values) != len(r.Study.Metrics) || len(rep.Truncated) != len(r.Study.Metrics) {
				return nil, fmt.Errorf("%s: point %d replication %d has %d values for %d metrics", name, pr.Index, k, len(rep.Values), len(r.Study.Metrics))
			}
		}
		want := ""
		if f := failedRep(pr.Replications); f >= 0 {
			want = pr.Replications[f].Error
		}
		if pr.Error != want {
			return nil, fmt.Errorf("%s: point %d: its error %q is not that of its first failed replication (%q): the file was edited or damaged", name, pr.Index, pr.Error, want)
		}
	}
	return r, nil
}

// Merge combines the outputs of all N shards of one study into the Results of the
// whole study, identical to an unsharded run. It fails if shards are missing or
// repeated, or come from different studies or different shard counts.
func Merge(shards ...*Results) (*Results, error) {
	if len(shards) == 0 {
		return nil, fmt.Errorf("merge: no shard results given")
	}
	first := shards[0]
	n := first.Shard.norm().N
	seen := make([]bool, n)
	for k, sh := range shards {
		if sh.Digest != first.Digest {
			return nil, fmt.Errorf("merge: shard %s (input %d) is from another study (%s, digest %.12s) than input 0 (%s, digest %.12s)", sh.Shard, k, studyName(sh), sh.Digest, studyName(first), first.Digest)
		}
		s := sh.Shard.norm()
		if s.N != n {
			return nil, fmt.Errorf("merge: input %d is shard %s but input 0 is shard %s: merge the shards of one split", k, s, first.Shard)
		}
		if seen[s.I] {
			return nil, fmt.Errorf("merge: shard %s is given twice", s)
		}
		seen[s.I] = true
	}
	var missing []string
	for i, ok := range seen {
		if !ok {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		noun, them := "shards", "them"
		if len(missing) == 1 {
			noun, them = "shard", "it"
		}
		return nil, fmt.Errorf("merge: missing %s %s of %d; run %s (kubesim sweep --shard I/%d) and merge again", noun, strings.Join(missing, ", "), n, them, n)
	}
	out := &Results{Format: ResultsFormat, Digest: first.Digest, Study: first.Study, Shard: Shard{0, 1}, Points: first.Points}
	for _, sh := range shards {
		out.Results = append(out.Results, sh.Results...)
	}
	sort.Slice(out.Results, func(a, b int) bool { return out.Results[a].Index < out.Results[b].Index })
	if len(out.Results) != out.Points {
		return nil, fmt.Errorf("merge: the shards hold %d points, the study has %d", len(out.Results), out.Points)
	}
	for i, pr := range out.Results {
		if pr.Index != i {
			return nil, fmt.Errorf("merge: point %d is missing or repeated", i)
		}
	}
	return out, nil
}

func studyName(r *Results) string {
	if r.Study == nil {
		return "?"
	}
	return r.Study.Name
}

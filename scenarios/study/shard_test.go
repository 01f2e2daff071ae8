package study

import (
	"bytes"
	"strings"
	"testing"
)

// roundTrip writes shard results to bytes and reads them back, as kubesim merge
// does with shard files.
func roundTrip(t *testing.T, r *Results) *Results {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	back, err := ReadResults(r.Shard.FileName(), &b)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func TestMergedShardsEqualUnshardedRun(t *testing.T) {
	s := mustParse(t, fakeStudy)
	full, fullBytes := runBytes(t, s, 2, Shard{})
	fullCSV, fullJSON := tableBytes(t, full)
	for _, n := range []int{1, 2, 3, 8} {
		var shards []*Results
		// Give the shards in reverse order: Merge must not care.
		for i := n - 1; i >= 0; i-- {
			r, _ := runBytes(t, s, 1+i%3, Shard{I: i, N: n})
			for _, pr := range r.Results {
				if pr.Index%n != i {
					t.Fatalf("shard %d/%d ran point %d", i, n, pr.Index)
				}
			}
			shards = append(shards, roundTrip(t, r))
		}
		m, err := Merge(shards...)
		if err != nil {
			t.Fatalf("%d shards: %v", n, err)
		}
		var mb bytes.Buffer
		if err := m.WriteJSON(&mb); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(mb.Bytes(), fullBytes) {
			t.Errorf("%d shards: merged results differ from the unsharded run", n)
		}
		c, j := tableBytes(t, m)
		if !bytes.Equal(c, fullCSV) || !bytes.Equal(j, fullJSON) {
			t.Errorf("%d shards: merged table differs from the unsharded run", n)
		}
	}
}

func TestResultsFiles(t *testing.T) {
	s := mustParse(t, fakeStudy)
	dir := t.TempDir()
	var shards []*Results
	for i := 0; i < 2; i++ {
		r, _ := runBytes(t, s, 2, Shard{I: i, N: 2})
		p, err := r.WriteFile(dir)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(p, "shard-"+string(rune('0'+i))+"-of-2.json") {
			t.Errorf("file %s", p)
		}
		back, err := ReadResultsFile(p)
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, back)
	}
	if _, err := Merge(shards...); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadResultsFile(dir + "/nope.json"); err == nil {
		t.Error("missing file: no error")
	}
}

func TestMergeRefusesBadSets(t *testing.T) {
	s := mustParse(t, fakeStudy)
	other := mustParse(t, strings.Replace(fakeStudy, "seed: 7", "seed: 8", 1))
	sh := func(st *Study, i, n int) *Results {
		r, _ := runBytes(t, st, 2, Shard{I: i, N: n})
		return r
	}
	a, b, c := sh(s, 0, 3), sh(s, 1, 3), sh(s, 2, 3)
	for _, tc := range []struct {
		name   string
		shards []*Results
		want   string
	}{
		{"none", nil, "no shard"},
		{"missing", []*Results{a, c}, "missing shard 1 of 3; run it"},
		{"duplicate", []*Results{a, b, b, c}, "shard 1/3 is given twice"},
		{"other study", []*Results{a, sh(other, 1, 3), c}, "another study"},
		{"other split", []*Results{a, b, sh(s, 1, 2)}, "one split"},
	} {
		_, err := Merge(tc.shards...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestReadResultsRejectsDamage(t *testing.T) {
	s := mustParse(t, fakeStudy)
	_, b := runBytes(t, s, 2, Shard{I: 1, N: 2})
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"edited study", `"seed": 7`, `"seed": 9`, "digest"},
		{"format", ResultsFormat, "other/v9", "format"},
		{"unknown field", `"points": 8`, `"points": 8, "extra": 1`, "unknown field"},
		{"foreign point", `"index": 1,`, `"index": 2,`, "not in shard"},
	} {
		damaged := strings.Replace(string(b), tc.from, tc.to, 1)
		if damaged == string(b) {
			t.Fatalf("%s: %q not found in the results file", tc.name, tc.from)
		}
		_, err := ReadResults("x.json", strings.NewReader(damaged))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestParseShard(t *testing.T) {
	if s, err := ParseShard("2/5"); err != nil || s != (Shard{2, 5}) {
		t.Errorf("ParseShard(2/5) = %v, %v", s, err)
	}
	for _, bad := range []string{"5/5", "-1/3", "1", "a/b", "0/0"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q): no error", bad)
		}
	}
	if got := (Shard{I: 3, N: 12}).FileName(); got != "shard-03-of-12.json" {
		t.Errorf("FileName = %q", got)
	}
	if got := (Shard{}).String(); got != "0/1" {
		t.Errorf("zero shard = %q, want 0/1", got)
	}
}

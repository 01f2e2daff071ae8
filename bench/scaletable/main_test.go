package main

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestEventsOf(t *testing.T) {
	n, err := eventsOf("Scenario large (seed 1): 300 s simulated in 26.78 s, 42962402 events")
	if err != nil || n != 42962402 {
		t.Errorf("eventsOf = %d, %v; want 42962402", n, err)
	}
	if _, err := eventsOf("error: large.yaml:3: duration: ..."); err == nil || !strings.Contains(err.Error(), "no event count") {
		t.Errorf("eventsOf of an error line: %v, want an error naming the missing count", err)
	}
}

func TestFormat(t *testing.T) {
	r, _ := rowNamed("5000out")
	got := format(r, result{wall: 30 * time.Second, cpu: 29 * time.Second, rssMB: 750.4, events: 42962402, outBytes: 66e6, load: [2]string{"1.5", "2.0"}},
		result{wall: 25 * time.Second, cpu: 25 * time.Second, rssMB: 410}, true)
	want := "| 5,000 / 50,000 with `--out` | 30.00 s | 29.00 s | 750 MB | 42,962,402 | 1.43 M, 1.48 M | 66.0 MB written; 1.20x the wall, 1.16x the CPU, 1.83x the RSS of the run without | 1.5, 2.0 |"
	if got != want {
		t.Errorf("format:\n got %s\nwant %s", got, want)
	}
	if got := rate(46372, 5*time.Second); got != "9.3 k" {
		t.Errorf("rate = %s, want 9.3 k", got)
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 2234658: "2,234,658", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestUnknownRow(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"nope"}, &out, &errs); code != 2 || !strings.Contains(errs.String(), `no row "nope"`) {
		t.Errorf("exit %d, stderr %q; want 2 naming the row", code, errs.String())
	}
}

// The smallest row, measured end to end: kubesim built from this module, run
// in its own process, its events and peak memory read back; -dir is created.
func TestRowMeasured(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs kubesim")
	}
	var out, errs bytes.Buffer
	dir := filepath.Join(t.TempDir(), "new") // -dir is created if missing
	if code := run([]string{"-dir", dir, "100"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errs.String())
	}
	var line string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "| 100 / 1,000 |") {
			line = l
		}
	}
	cols := strings.Split(line, " | ")
	if len(cols) != 8 {
		t.Fatalf("no row for 100 nodes in:\n%s", out.String())
	}
	events, _ := strconv.Atoi(strings.ReplaceAll(cols[4], ",", ""))
	rss, _ := strconv.Atoi(strings.TrimSuffix(strings.ReplaceAll(cols[3], ",", ""), " MB"))
	// 1,000 workers looping for about 4 simulated minutes: millions of events.
	if events < 1000000 || (haveRSS && rss <= 0) {
		t.Errorf("events %d, peak RSS %d MB, want over a million and some memory: %s", events, rss, line)
	}
}

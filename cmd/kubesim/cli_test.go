package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func jsonWithoutWall(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, s)
	}
	if _, ok := m["wall_seconds"]; !ok {
		t.Fatal("no wall_seconds field")
	}
	delete(m, "wall_seconds")
	return m
}

func TestRunJSONIsDeterministic(t *testing.T) {
	code1, a, _ := run(t, "run", "-o", "json", "--seed", "42")
	code2, b, _ := run(t, "run", "-o", "json", "--seed", "42")
	if code1 != 0 || code2 != 0 {
		t.Fatalf("exit codes %d, %d", code1, code2)
	}
	ja, jb := jsonWithoutWall(t, a), jsonWithoutWall(t, b)
	ea, _ := json.Marshal(ja)
	eb, _ := json.Marshal(jb)
	if !bytes.Equal(ea, eb) {
		t.Fatal("same seed gave different JSON")
	}
	_, c, _ := run(t, "run", "-o", "json", "--seed", "43")
	ec, _ := json.Marshal(jsonWithoutWall(t, c))
	if bytes.Equal(ea, ec) {
		t.Fatal("another seed gave identical JSON")
	}
	for _, f := range []string{"scenario", "seed", "sim_seconds", "events", "hashes", "windows", "services", "nodes"} {
		if _, ok := ja[f]; !ok {
			t.Errorf("JSON summary lacks %q", f)
		}
	}
	if ja["seed"].(float64) != 42 {
		t.Errorf("seed = %v", ja["seed"])
	}
}

func TestRunTable(t *testing.T) {
	code, out, _ := run(t, "run")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"hashes/s", "rng", "hasher", "node2", "Requests:"} {
		if !strings.Contains(out, want) {
			t.Errorf("table output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunOutWritesPlotAndSummary(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "run", "--out", dir, "--duration", "60s"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range []string{"summary.json", "throughput.png", "throughput.svg"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("missing %s: %v", f, err)
		} else if st.Size() < 500 {
			t.Errorf("%s is only %d bytes", f, st.Size())
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "throughput.png"))
	if err == nil && !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Error("throughput.png is not a PNG")
	}
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"run", "--bogus"}, 2, "unknown flag"},
		{[]string{"run", "-o", "yaml"}, 2, "output format"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"run", "no-such-scenario"}, 1, "unknown scenario"},
		{[]string{"run", "--duration", "-5s"}, 2, "duration"},
	}
	for _, c := range cases {
		code, _, errs := run(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("kubesim %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(c.args, " "), code, errs, c.code, c.msg)
		}
	}
	if code, out, _ := run(t, "--help"); code != 0 || !strings.Contains(out, "Examples") {
		t.Errorf("--help: exit %d, output %q", code, out)
	}
}

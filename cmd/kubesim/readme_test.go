package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every kubesim command in README's sh blocks works as written, in order (the
// tour writes my.yaml and rng.yml, then validates them): exit 0, and a
// redirection writes its file.
func TestReadmeCommandsWork(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	in := false
	for _, l := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(l, "```sh"):
			in = true
		case strings.HasPrefix(l, "```"):
			in = false
		case in && strings.HasPrefix(l, "go run ./cmd/kubesim"):
			if i := strings.Index(l, "  #"); i >= 0 {
				l = l[:i]
			}
			cmds = append(cmds, strings.TrimSpace(strings.TrimPrefix(l, "go run ./cmd/kubesim")))
		}
	}
	if len(cmds) < 10 {
		t.Fatalf("found %d kubesim commands in README's sh blocks", len(cmds))
	}
	t.Chdir(t.TempDir())
	for _, c := range cmds {
		line, target, redirect := strings.Cut(c, " > ")
		code, out, errs := run(t, strings.Fields(line)...)
		if code != 0 {
			t.Errorf("kubesim %s: exit %d\n%s", c, code, errs)
			continue
		}
		if redirect {
			if err := os.WriteFile(strings.TrimSpace(target), []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range []string{"my.yaml", "rng.yml", "out/report.html", "study/study.html"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("the README's commands did not write %s", f)
		}
	}
}

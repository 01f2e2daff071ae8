package main

import (
	"encoding/json"
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
	for name, body := range readmeFiles(string(b)) {
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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

// readmeFiles are README's yaml blocks whose first line names a file
// ("# shop.yaml"): the commands after them use them as written.
func readmeFiles(readme string) map[string]string {
	files := map[string]string{}
	for _, block := range strings.Split(readme, "```yaml\n")[1:] {
		body, _, _ := strings.Cut(block, "```")
		first, _, _ := strings.Cut(body, "\n")
		if name, ok := strings.CutPrefix(first, "# "); ok && strings.HasSuffix(name, ".yaml") && !strings.Contains(name, " ") {
			files[name] = body
		}
	}
	return files
}

// README's own two-service app (shop.yaml, under Workloads) gives traffic
// through both its Services: each shopper's call to web makes one to db.
func TestReadmeShopExampleGivesTraffic(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	shop, ok := readmeFiles(string(b))["shop.yaml"]
	if !ok {
		t.Fatal("README has no yaml block # shop.yaml")
	}
	if n := strings.Count(shop[strings.Index(shop, "\nworkload:")+1:], "\n"); n > 15 {
		t.Errorf("the example's workload: section has %d lines; the README promises a short one", n)
	}
	t.Chdir(t.TempDir())
	if err := os.WriteFile("shop.yaml", []byte(shop), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "run", "shop.yaml", "-o", "json")
	if code != 0 {
		t.Fatalf("kubesim run shop.yaml: exit %d\n%s", code, errs)
	}
	var sum struct {
		Services map[string]struct {
			Requests, Errors int64
		} `json:"services"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	web, db := sum.Services["web"], sum.Services["db"]
	// 20 users thinking 1 s on average, for 2 minutes; their calls of the
	// first seconds are refused (no endpoint: the pods are starting), none
	// after.
	if web.Requests < 2000 || db.Requests < 2000 || web.Errors > web.Requests/10 || db.Errors > 0 {
		t.Errorf("web %+v, db %+v: want about 20 requests/s each, errors only at the start", web, db)
	}
}

package workload_test

import (
	"errors"
	"go/build"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/kubesim/kubesim/"

// layer is the rank of a package of the module in the layering
// cmd -> scenarios, plots -> workload -> traffic -> metrics -> model -> sim:
// a package imports packages of its own rank or lower only. internal/...
// are leaf helpers (internal/yamlerr: where a YAML syntax error is), at the
// bottom with sim. bench (the benchmarks, and bench/scaletable, the scale
// table's command) may import anything.
func layer(pkg string) (int, bool) {
	for _, l := range []struct {
		prefix string
		rank   int
	}{
		{"sim", 0}, {"internal", 0}, {"model", 1}, {"metrics", 2}, {"traffic", 3}, {"workload", 4},
		{"scenarios", 5}, {"plots", 5}, {"cmd", 6},
	} {
		if pkg == l.prefix || strings.HasPrefix(pkg, l.prefix+"/") {
			return l.rank, true
		}
	}
	return 0, false
}

// imports are the module's packages and what each imports of the module
// (production code: test files are not read).
func imports(t *testing.T) map[string][]string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != root && (name == "testdata" || strings.HasPrefix(name, ".")) {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(path, 0)
		var none *build.NoGoError
		if errors.As(err, &none) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		pkg := filepath.ToSlash(rel)
		out[pkg] = nil
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, module) {
				out[pkg] = append(out[pkg], strings.TrimPrefix(imp, module))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("found %d packages under %s", len(out), root)
	}
	return out
}

// deps is every package of the module pkg depends on, directly or not.
func deps(all map[string][]string, pkg string) map[string]bool {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		for _, q := range all[p] {
			if !seen[q] {
				seen[q] = true
				walk(q)
			}
		}
	}
	walk(pkg)
	return seen
}

// Imports point one way: the cluster model knows nothing of the request path,
// the workloads or measurement; no layer imports one above it; the charts,
// tables and report (plots) know no workload, and the CLI knows DockerCoins
// only through the workload registry and the Recorder's figures.
func TestLayersImportDownward(t *testing.T) {
	all := imports(t)
	for pkg, imps := range all {
		rank, ok := layer(pkg)
		if !ok {
			if pkg != "bench" && !strings.HasPrefix(pkg, "bench/") {
				t.Errorf("package %s is in no layer: add it to layer()", pkg)
			}
			continue
		}
		for _, imp := range imps {
			if r, _ := layer(imp); r > rank {
				t.Errorf("%s imports %s, a layer above it", pkg, imp)
			}
		}
	}
	for _, pkg := range []string{"model", "model/endpoints", "model/kubeproxy", "model/labels", "model/hpa", "model/autoscaler"} {
		if _, ok := all[pkg]; !ok {
			t.Errorf("package %s not found", pkg)
		}
		for d := range deps(all, pkg) {
			for _, not := range []string{"traffic", "workload", "metrics"} {
				if d == not || strings.HasPrefix(d, not+"/") {
					t.Errorf("%s depends on %s: the cluster model must not know the request path, workloads or measurement", pkg, d)
				}
			}
		}
	}
	for d := range deps(all, "plots") {
		if strings.HasPrefix(d, "workload") || d == "scenarios" || d == "traffic" {
			t.Errorf("plots depends on %s: it draws what the Recorder gives (metrics), whatever the workload", d)
		}
	}
	for _, imp := range all["cmd/kubesim"] {
		if imp == "workload/dockercoins" {
			t.Errorf("cmd/kubesim imports workload/dockercoins: use the workload registry and the run's figures")
		}
	}
}

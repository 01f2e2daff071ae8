package decl

import (
	"strings"
	"testing"

	"github.com/kubesim/kubesim/model"
)

// TestMatchesImagePath: a declared image with a path matches the pod's image
// with any registry before it and any tag or digest after, and only on a
// whole path element.
func TestMatchesImagePath(t *testing.T) {
	for _, c := range []struct {
		image, pod string
		want       bool
	}{
		{"microservices-demo/frontend", "gcr.io/google-samples/microservices-demo/frontend:v0.10.1", true},
		{"microservices-demo/frontend", "microservices-demo/frontend", true},
		{"microservices-demo/frontend", "microservices-demo/frontend@sha256:abc", true},
		{"microservices-demo/frontend", "gcr.io/x/othermicroservices-demo/frontend:v1", false},
		{"microservices-demo/frontend", "gcr.io/x/microservices-demo/frontend2:v1", false},
		{"microservices-demo/frontend", "frontend", false},
		{"frontend", "gcr.io/google-samples/microservices-demo/frontend:v0.10.1", true},
	} {
		p := &model.Pod{}
		p.Spec.Image = c.pod
		if got := matches(c.image, nil, p); got != c.want {
			t.Errorf("matches(%q, pod image %q) = %v, want %v", c.image, c.pod, got, c.want)
		}
	}
	// Matching is done for every pod against every declared service: it
	// does not allocate, whatever the length of the names.
	p := &model.Pod{}
	p.Spec.Image = "gcr.io/google-samples/microservices-demo/frontend-with-a-long-name:v0.10.1"
	if n := testing.AllocsPerRun(100, func() { matches("microservices-demo/frontend-with-a-long-name", nil, p) }); n != 0 {
		t.Errorf("matches allocates %v times per call, want 0", n)
	}
}

// A service's memory: base and perRequest as Kubernetes quantities; a
// quantity that is not one, or a negative one, names the field and line.
func TestMemoryDeclaration(t *testing.T) {
	spec, err := ParseFile("w.yaml", []byte("services:\n  - {name: web, image: web, memory: {base: 50Mi, perRequest: 1M}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m := spec.Services[0].Memory; m == nil || m.Base != 50<<20 || m.PerRequest != 1000000 {
		t.Errorf("memory %+v, want 52428800 and 1000000 bytes", m)
	}
	if spec, _ := ParseFile("w.yaml", []byte("services:\n  - {name: web, image: web}\n")); spec.Services[0].Memory != nil {
		t.Error("memory without a declaration")
	}
	_, err = ParseFile("w.yaml", []byte("services:\n  - name: web\n    image: web\n    memory: {base: lots, perRequest: -1Mi, heap: 1Gi}\n"))
	for _, want := range []string{
		`w.yaml:4: services[0].memory.base: "lots" is not a quantity of bytes >= 0 (e.g. 128Mi, 1Gi)`,
		`w.yaml:4: services[0].memory.perRequest: "-1Mi" is not a quantity of bytes >= 0`,
		`services[0].memory: unknown field "heap"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nwant %q", err, want)
		}
	}
}

// A workload file's YAML syntax error names the line to fix (found on the
// tour: the line of the enclosing list was given instead).
func TestParseFileSyntaxErrorNamesTheLine(t *testing.T) {
	_, err := ParseFile("w.yaml", []byte("services:\n  - name: web\n    image: web\n   concurrency: 8\n"))
	want := "w.yaml:4: not valid YAML: did not find expected '-' indicator (check the indentation here: keys of one mapping must line up, list items start with '- ')"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant  %s", err, want)
	}
}

// A distribution with a comma, unquoted inside { }, is cut at the comma by
// YAML; the error says so and how to quote it (found on the tour:
// '{name: /, service: uniform(50ms,150ms)}' said 'missing closing
// parenthesis' and 'unknown field "150ms)"', without why).
func TestDistributionCutByAComma(t *testing.T) {
	_, err := ParseFile("w.yaml", []byte("services:\n  - name: web\n    image: web\n    routes:\n      - {name: /, service: uniform(50ms,150ms)}\n"))
	want := `w.yaml:5: services[0].routes[0].service: a comma cut "uniform(50ms,150ms)": inside { } or [ ] a comma ends an unquoted value; quote it: service: "uniform(50ms,150ms)"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v\nwant it to contain %s", err, want)
	}
	if _, err := ParseFile("w.yaml", []byte("services:\n  - name: web\n    image: web\n    routes:\n      - {name: /, service: \"uniform(50ms,150ms)\"}\n")); err != nil {
		t.Errorf("quoted: %v", err)
	}
}

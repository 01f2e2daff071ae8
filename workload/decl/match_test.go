package decl

import (
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

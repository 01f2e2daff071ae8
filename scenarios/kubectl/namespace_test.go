package kubectl_test

import (
	"testing"
)

// Namespaces' errors, in kubectl's and the API server's words.
func TestNamespaceErrors(t *testing.T) {
	c := printCluster(t, 1)
	for _, tc := range []struct{ line, out, err string }{
		{"kubectl create namespace shop", "namespace/shop created", ""},
		{"kubectl create ns shop", "", `Error from server (AlreadyExists): namespaces "shop" already exists`},
		{"kubectl delete namespace default", "", `Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted`},
		{"kubectl -n nope create deployment web --image=nginx", "", `error: failed to create deployment: namespaces "nope" not found`},
		{"kubectl -n shop create deployment web --image=nginx", "deployment.apps/web created", ""},
		{"kubectl get deploy", "No resources found in default namespace.", ""},
		{"kubectl get deploy web", "", `Error from server (NotFound): deployments.apps "web" not found`},
		{"kubectl -n shop label deploy web tier=front", "deployment.apps/web labeled", ""},
		{"kubectl get deploy -A -l tier=front -o name", "deployment.apps/web", ""},
		{"kubectl get ns shop --show-labels", "NAME   STATUS   AGE   LABELS\nshop   Active   0s    kubernetes.io/metadata.name=shop", ""},
	} {
		out, err := apply(c, tc.line)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if out != tc.out || got != tc.err {
			t.Errorf("%s:\n got %q, %q\nwant %q, %q", tc.line, out, got, tc.out, tc.err)
		}
	}
}

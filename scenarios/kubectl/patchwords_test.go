package kubectl_test

import (
	"testing"
)

// kubectl patch words a refused patch as the API server answers it (found on
// the tour: 'kubectl patch deploy web -p {"spec":{"replicas":-1}}' said
// 'patch:1: spec.replicas: Invalid value: ...', a file:line of a file that
// does not exist).
func TestPatchRefusalWording(t *testing.T) {
	c := printCluster(t, 1)
	x := newExecutor(c, nil)
	if _, err := x.Exec("kubectl create deployment web --image=nginx"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ line, want string }{
		{`kubectl patch deploy web -p '{"spec":{"replicas":-1}}'`,
			`The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`},
		{`kubectl patch deploy web -p '{"spec":{"replicas":-1,"template":{"spec":{"containers":[{"name":"nginx","resources":{"limits":{"cpu":"100m"},"requests":{"cpu":"1"}}}]}}}}'`,
			"The Deployment \"web\" is invalid: \n* spec.replicas: Invalid value: -1: must be greater than or equal to 0\n* spec.template.spec.containers[0].resources.requests: Invalid value: \"1\": must be less than or equal to cpu limit of 100m"},
		{`kubectl patch deploy web -p '{"spec":{"replicaz":2}}'`,
			`Error from server (BadRequest): strict decoding error: unknown field "spec.replicaz"`},
	} {
		_, err := x.Exec(tc.line)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.line, err, tc.want)
		}
	}
}

package scenarios

import (
	"fmt"
	"strings"
	"testing"
)

func TestBuiltinScenariosParse(t *testing.T) {
	names := BuiltinNames()
	if len(names) < 10 {
		t.Fatalf("only %d built-in scenarios: %v", len(names), names)
	}
	for _, name := range names {
		s, err := Builtin(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if s.Name != name || s.Description == "" || len(s.Steps) == 0 {
			t.Errorf("%s: name %q, description %q, %d steps", name, s.Name, s.Description, len(s.Steps))
		}
	}
}

func TestValidateManifest(t *testing.T) {
	cast := `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: rng
spec:
  replicas: 1
  selector: {matchLabels: {app: rng}}
  template:
    metadata: {labels: {app: rng, enabled: yes}}
    spec:
      containers: [{name: rng, image: dockercoins/rng:v0.1}]
`
	problems := ValidateData("rng.yml", []byte(cast))
	text := strings.Join(problems, "\n")
	for _, want := range []string{"rng.yml:6: spec.replicas", "rng.yml:9: spec.template.metadata.labels.enabled", "quote it"} {
		if !strings.Contains(text, want) {
			t.Errorf("problems %q lack %q", text, want)
		}
	}
	if p := ValidateData("ok.yml", []byte(strings.Replace(strings.Replace(cast, "  replicas: 1\n", "", 1), "enabled: yes", `enabled: "yes"`, 1))); len(p) != 0 {
		t.Errorf("valid manifest reported: %v", p)
	}
}

func TestValidateScenario(t *testing.T) {
	p := ValidateData("s.yaml", []byte("name: s\nduration: 1m\ntimeline:\n  - at: 0s\n    run: kubectl frobnicate pods\n"))
	if len(p) != 1 || !strings.HasPrefix(p[0], "s.yaml:5: kubectl frobnicate pods:") {
		t.Errorf("problems: %q", p)
	}
}

func TestValidateScenarioFiles(t *testing.T) {
	src := "name: s\nduration: 1m\nfiles:\n  bad.yml: |\n    kind: [Deployment\ntimeline:\n  - at: 0s\n    run: |\n      kubectl apply -f missing.yml\n      kubectl apply -f bad.yml\n"
	p := ValidateData("s.yaml", []byte(src))
	text := strings.Join(p, "\n")
	if len(p) != 2 || !strings.Contains(text, `s.yaml:9: kubectl apply -f missing.yml: error: the path "missing.yml" does not exist`) || !strings.Contains(text, "s.yaml:10: kubectl apply -f bad.yml: bad.yml:") {
		t.Errorf("problems:\n%s", text)
	}
	// -f - says once what to do (was: followed by "(add it under files: or
	// next to the scenario)", a second hint about a path that is not one).
	p = ValidateData("s.yaml", []byte("name: s\nduration: 1m\ntimeline:\n  - at: 0s\n    run: kubectl apply -f -\n"))
	if want := "s.yaml:5: kubectl apply -f -: error: kubesim steps have no standard input, so -f - reads nothing; put the manifest under files: in the scenario and apply it by name"; len(p) != 1 || p[0] != want {
		t.Errorf("problems: %q\nwant %q", p, want)
	}
	// Every built-in scenario is valid, the strict failure of the cast included.
	for _, name := range BuiltinNames() {
		b, _ := BuiltinSource(name)
		if p := ValidateData(name+".yaml", b); len(p) != 0 {
			t.Errorf("%s: %v", name, p)
		}
	}
}

// A step naming a custom resource's type, after an earlier step applied its
// CustomResourceDefinition, is refused saying kubesim does not simulate it
// (bug: 'the server doesn't have a resource type "crontabs"', which the API
// server, with the CRD, does have); before the CRD, kubectl's message stays.
func TestCheckNamesCustomResourceTypes(t *testing.T) {
	const file = `name: crd
duration: 30s
files:
  crd.yaml: |
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: crontabs.stable.example.com}
    spec:
      group: stable.example.com
      scope: Namespaced
      names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
      versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
timeline:
  - at: 0s
    run: |
      kubectl get ct
      kubectl apply -f crd.yaml
  - at: 5s
    run: |
      kubectl get crontabs
      kubectl describe ct/x
      kubectl get crontab.stable.example.com,crontabs.v1.stable.example.com
      kubectl get crontabs.other.example.com
`
	s, err := ParseFile("crd.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	const cr = "error: kubesim does not simulate %s (stable.example.com/v1 CronTab, a custom resource: CustomResourceDefinition crontabs.stable.example.com): apply -f skips them with a warning, so no step can get, describe or change one; remove this step"
	want := []string{
		`crd.yaml:16: kubectl get ct: error: the server doesn't have a resource type "ct"`,
		"crd.yaml:20: kubectl get crontabs: " + fmt.Sprintf(cr, "crontabs"),
		"crd.yaml:21: kubectl describe ct/x: " + fmt.Sprintf(cr, "ct"),
		"crd.yaml:22: kubectl get crontab.stable.example.com,crontabs.v1.stable.example.com: " + fmt.Sprintf(cr, "crontab.stable.example.com"),
		`crd.yaml:23: kubectl get crontabs.other.example.com: error: the server doesn't have a resource type "crontabs.other.example.com"`,
	}
	got := s.Check()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Check:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

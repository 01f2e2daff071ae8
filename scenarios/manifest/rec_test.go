package manifest

import (
	"strings"
	"testing"
)

func TestRecursiveAndExplodingAliases(t *testing.T) {
	cases := map[string]string{
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: i\n    resources:\n      requests: &x {cpu: *x}\n": "r.yml:10: recursive YAML alias *x: it refers to a node that contains it",
		"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n  labels: &x\n    <<: *x\n":                                                                "r.yml:6: recursive YAML alias *x",
	}
	var bomb strings.Builder
	bomb.WriteString("apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\nx0: &a0 [a, a, a, a, a, a, a, a, a, a]\n")
	for i := 1; i < 9; i++ {
		bomb.WriteString("x" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat("*a"+string(rune('0'+i-1))+", ", 9) + "*a" + string(rune('0'+i-1)) + "]\n")
	}
	cases[bomb.String()] = "document too large once YAML aliases are expanded"
	for src, want := range cases {
		_, _, err := Decode("r.yml", []byte(src), Options{Validate: true})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
	}
	svc := decodeOne(t, rngService).Obj
	if _, err := ApplyPatch(svc, "metadata: &x {labels: *x}", MergePatch, "p"); err == nil || !strings.Contains(err.Error(), "recursive YAML alias") {
		t.Errorf("patch: %v", err)
	}
}

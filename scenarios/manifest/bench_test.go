package manifest

import (
	"bytes"
	"os"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/yaml"
)

// BenchmarkDecodeDockerCoins decodes the five `kubectl get -o yaml`
// Deployments (strict checks, defaults, validation) per op.
func BenchmarkDecodeDockerCoins(b *testing.B) {
	data, err := os.ReadFile("testdata/dockercoins.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		objs, _, err := Decode("dockercoins.yaml", data, Options{Validate: true})
		if err != nil || len(objs) != 5 {
			b.Fatal(objs, err)
		}
	}
}

// BenchmarkBaselineSigsYAMLStrict is the baseline: the same five documents
// split on "---" and decoded with sigs.k8s.io/yaml.UnmarshalStrict into
// appsv1.Deployment (what a client-side strict decode costs, without line
// numbers, YAML 1.1 checks, defaults or validation).
func BenchmarkBaselineSigsYAMLStrict(b *testing.B) {
	data, err := os.ReadFile("testdata/dockercoins.yaml")
	if err != nil {
		b.Fatal(err)
	}
	docs := bytes.Split(data, []byte("\n---\n"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			var dep appsv1.Deployment
			if err := yaml.UnmarshalStrict(d, &dep); err != nil {
				b.Fatal(err)
			}
		}
	}
}

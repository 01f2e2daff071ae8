package study

import (
	"bytes"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

func TestEmitJobDecodesStrictly(t *testing.T) {
	s := mustParse(t, strings.Replace(fakeStudy, "name: fake", "name: RNG Capacity_2026", 1))
	job, cm, err := EmitJob(s, JobOptions{Image: "ghcr.io/kubesim/kubesim:v1", Shards: 4, Parallelism: 2, ClaimName: "sweep-results",
		Namespace: "sims", Files: map[string][]byte{"scenarios/rng.yaml": []byte("kind: scenario\n")}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteManifests(&b, job, cm); err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(b.String(), "\n---\n")
	if len(docs) != 2 {
		t.Fatalf("%d YAML documents, want ConfigMap and Job", len(docs))
	}
	var gotCM corev1.ConfigMap
	if err := yaml.UnmarshalStrict([]byte(docs[0]), &gotCM); err != nil {
		t.Fatalf("ConfigMap: %v", err)
	}
	var got batchv1.Job
	if err := yaml.UnmarshalStrict([]byte(docs[1]), &got); err != nil {
		t.Fatalf("Job: %v", err)
	}
	if got.APIVersion != "batch/v1" || got.Kind != "Job" || gotCM.APIVersion != "v1" || gotCM.Kind != "ConfigMap" {
		t.Errorf("type meta: %v / %v", got.TypeMeta, gotCM.TypeMeta)
	}
	sp := got.Spec
	if sp.CompletionMode == nil || *sp.CompletionMode != batchv1.IndexedCompletion || *sp.Completions != 4 || *sp.Parallelism != 2 {
		t.Errorf("spec: mode %v completions %v parallelism %v", sp.CompletionMode, sp.Completions, sp.Parallelism)
	}
	if got.Namespace != "sims" || gotCM.Namespace != "sims" {
		t.Errorf("namespaces %q %q", got.Namespace, gotCM.Namespace)
	}
	for _, n := range []string{got.Name, gotCM.Name, got.Labels["kubesim.io/study"]} {
		if errs := validation.IsDNS1123Label(n); len(errs) > 0 {
			t.Errorf("name %q: %v", n, errs)
		}
	}
	if got.Name != "kubesim-sweep-rng-capacity-2026" {
		t.Errorf("job name %q", got.Name)
	}
	pod := sp.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever || len(pod.Containers) != 1 {
		t.Fatalf("pod: restart %q, %d containers", pod.RestartPolicy, len(pod.Containers))
	}
	c := pod.Containers[0]
	cmd := strings.Join(append(c.Command, c.Args...), " ")
	if cmd != "kubesim sweep /etc/kubesim/study.yaml --shard $(JOB_COMPLETION_INDEX)/4 --out /results" {
		t.Errorf("command %q", cmd)
	}
	if len(c.Env) != 1 || c.Env[0].Name != "JOB_COMPLETION_INDEX" || c.Env[0].ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("env %+v", c.Env)
	}
	vols := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		vols[v.Name] = v
	}
	if v := vols["results"]; v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != "sweep-results" {
		t.Errorf("results volume %+v", v)
	}
	st := vols["study"].ConfigMap
	if st == nil || st.Name != gotCM.Name || len(st.Items) != 2 || st.Items[1].Path != "scenarios/rng.yaml" {
		t.Fatalf("study volume %+v", st)
	}
	if gotCM.Data[st.Items[1].Key] != "kind: scenario\n" {
		t.Errorf("extra file content %q", gotCM.Data[st.Items[1].Key])
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	if mounts["study"] != StudyDir || mounts["results"] != "/results" || c.WorkingDir != StudyDir {
		t.Errorf("mounts %v, workdir %q", mounts, c.WorkingDir)
	}
	// The study in the ConfigMap is the same study: same digest.
	back, err := Parse("configmap", []byte(gotCM.Data[StudyFileKey]))
	if err != nil {
		t.Fatalf("study in ConfigMap: %v", err)
	}
	d1, _ := s.Digest()
	d2, _ := back.Digest()
	if d1 != d2 || got.Annotations["kubesim.io/study-digest"] != d1 {
		t.Errorf("digest local %s, ConfigMap study %s, annotation %s", d1, d2, got.Annotations["kubesim.io/study-digest"])
	}

	// Without a claim: an emptyDir.
	job, _, err = EmitJob(s, JobOptions{Image: "img", Shards: 8})
	if err != nil {
		t.Fatal(err)
	}
	if v := job.Spec.Template.Spec.Volumes[1]; v.EmptyDir == nil || *job.Spec.Parallelism != 8 {
		t.Errorf("default volume %+v parallelism %d", v, *job.Spec.Parallelism)
	}
}

func TestEmitJobCanonicalStudyKeepsDigest(t *testing.T) {
	// Awkward values: a big seed, strings that look like numbers or booleans,
	// floats needing exponents.
	s := mustParse(t, `
name: awkward
base: b
seed: 18446744073709551615
replications: {min: 2}
metrics: [m]
parameters:
  grid:
    a: ["3", "yes", "on", 1e-9, 1e21, true]
`)
	_, cm, err := EmitJob(s, JobOptions{Image: "img", Shards: 2})
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("configmap", []byte(cm.Data[StudyFileKey]))
	if err != nil {
		t.Fatal(err)
	}
	j1, _ := s.JSON()
	j2, _ := back.JSON()
	if !bytes.Equal(j1, j2) {
		t.Errorf("study changed through the ConfigMap:\n%s\n%s", j1, j2)
	}
}

func TestEmitJobErrors(t *testing.T) {
	s := mustParse(t, fakeStudy) // 8 points
	for _, c := range []struct {
		o    JobOptions
		want string
	}{
		{JobOptions{Shards: 2}, "image"},
		{JobOptions{Image: "i"}, "shards"},
		{JobOptions{Image: "i", Shards: 9}, "at most 8"},
		{JobOptions{Image: "i", Shards: 2, ResultsPath: "results"}, "absolute"},
		{JobOptions{Image: "i", Shards: 2, Name: "Bad_Name"}, "name"},
		{JobOptions{Image: "i", Shards: 2, Files: map[string][]byte{"../x.yaml": nil}}, "relative"},
		{JobOptions{Image: "i", Shards: 2, Files: map[string][]byte{"/etc/x.yaml": nil}}, "relative"},
	} {
		if _, _, err := EmitJob(s, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one mentioning %q", c.o, err, c.want)
		}
	}
}

package study

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// JobOptions describe the Kubernetes Indexed Job EmitJob writes.
type JobOptions struct {
	// Image is the container image holding the kubesim binary (required).
	Image string
	// Shards is N, the Job's completions: index I runs shard I/N (required).
	Shards int
	// Parallelism is how many shards run at once (default Shards).
	Parallelism int
	// ResultsPath is where the results volume is mounted and where each pod
	// writes its shard file (default /results).
	ResultsPath string
	// ClaimName names a PersistentVolumeClaim for the results volume. Without
	// one the volume is an emptyDir, which disappears with its pod: only use
	// that to try the Job out. A claim shared by pods on several nodes needs
	// access mode ReadWriteMany.
	ClaimName string
	// Name of the Job (default kubesim-sweep-<study name>); the ConfigMap is
	// <Name>-study.
	Name string
	// Namespace of both objects (default: none, that is kubectl's namespace).
	Namespace string
	// Files are extra files the pods need next to the study, by path relative to
	// the study (for example the base scenario file): they are put in the
	// ConfigMap and mounted at that path under StudyDir.
	Files map[string][]byte
	// Flags are extra kubesim sweep flags every pod gets (such as --keep-going).
	Flags []string
}

// StudyDir is where the ConfigMap is mounted in the pods; it is also their
// working directory, so relative paths in the study resolve against it.
const StudyDir = "/etc/kubesim"

// StudyFileKey is the ConfigMap key (and file name under StudyDir) of the study.
const StudyFileKey = "study.yaml"

// EmitJob builds the objects that run the study on Kubernetes: a ConfigMap
// holding the study (canonical YAML, so its digest is the local one) and any
// extra files, and a batch/v1 Job with completionMode Indexed, completions
// Shards and restartPolicy Never whose container runs
//
//	kubesim sweep /etc/kubesim/study.yaml --shard $(JOB_COMPLETION_INDEX)/N --out RESULTS
//
// JOB_COMPLETION_INDEX is declared explicitly from the pod's
// batch.kubernetes.io/job-completion-index annotation (the Job controller sets
// the same variable; declaring it makes the $(...) expansion in args certain).
// Each index may be retried once (backoffLimitPerIndex 1) without failing the
// others. Gather the shard files from the volume and run kubesim merge.
func EmitJob(s *Study, o JobOptions) (*batchv1.Job, *corev1.ConfigMap, error) {
	if s.points == nil {
		if err := s.Validate(); err != nil {
			return nil, nil, err
		}
	}
	if strings.TrimSpace(o.Image) == "" {
		return nil, nil, fmt.Errorf("emit job: no container image; give the image that holds the kubesim binary")
	}
	if o.Shards < 1 {
		return nil, nil, fmt.Errorf("emit job: %d shards; give N >= 1", o.Shards)
	}
	if o.Shards > len(s.points) {
		return nil, nil, fmt.Errorf("emit job: %d shards but study %s has %d points, and shards split points; use at most %d", o.Shards, s.Name, len(s.points), len(s.points))
	}
	if o.Parallelism == 0 || o.Parallelism > o.Shards {
		o.Parallelism = o.Shards
	}
	if o.Parallelism < 0 {
		return nil, nil, fmt.Errorf("emit job: parallelism %d must be positive", o.Parallelism)
	}
	if o.ResultsPath == "" {
		o.ResultsPath = "/results"
	}
	if !path.IsAbs(o.ResultsPath) || o.ResultsPath == StudyDir || strings.HasPrefix(o.ResultsPath, StudyDir+"/") {
		return nil, nil, fmt.Errorf("emit job: results path %q must be absolute and outside %s", o.ResultsPath, StudyDir)
	}
	name := o.Name
	if name == "" {
		name = "kubesim-sweep-" + dnsLabel(s.Name, 36)
	}
	if dnsLabel(name, 50) != name {
		return nil, nil, fmt.Errorf("emit job: name %q must be at most 50 lower-case letters, digits and '-', starting and ending with a letter or digit", name)
	}
	studyYAML, err := s.YAML()
	if err != nil {
		return nil, nil, err
	}
	digest, err := s.Digest()
	if err != nil {
		return nil, nil, err
	}
	labels := map[string]string{
		"app.kubernetes.io/name":      "kubesim",
		"app.kubernetes.io/component": "sweep",
		"kubesim.io/study":            dnsLabel(s.Name, 63),
	}
	annotations := map[string]string{"kubesim.io/study-digest": digest}
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: name + "-study", Namespace: o.Namespace, Labels: labels, Annotations: annotations},
		Data:       map[string]string{StudyFileKey: string(studyYAML)},
	}
	items := []corev1.KeyToPath{{Key: StudyFileKey, Path: StudyFileKey}}
	files := make([]string, 0, len(o.Files))
	for p := range o.Files {
		files = append(files, p)
	}
	sort.Strings(files)
	for i, p := range files {
		clean := path.Clean(p)
		if path.IsAbs(p) || clean == ".." || strings.HasPrefix(clean, "../") || clean == "." || clean == StudyFileKey {
			return nil, nil, fmt.Errorf("emit job: file %q: give a relative path inside the study's directory, other than %s", p, StudyFileKey)
		}
		key := fmt.Sprintf("file-%d-%s", i, configMapKey(path.Base(clean)))
		cm.Data[key] = string(o.Files[p])
		items = append(items, corev1.KeyToPath{Key: key, Path: clean})
	}
	results := corev1.Volume{Name: "results"}
	if o.ClaimName != "" {
		results.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: o.ClaimName}
	} else {
		results.EmptyDir = &corev1.EmptyDirVolumeSource{}
	}
	indexed := batchv1.IndexedCompletion
	n := int32(o.Shards)
	par := int32(o.Parallelism)
	perIndex := int32(1)
	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: o.Namespace, Labels: labels, Annotations: annotations},
		Spec: batchv1.JobSpec{
			CompletionMode:       &indexed,
			Completions:          &n,
			Parallelism:          &par,
			BackoffLimitPerIndex: &perIndex,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{
						Name:       "kubesim",
						Image:      o.Image,
						WorkingDir: StudyDir,
						Command:    []string{"kubesim"},
						Args: append([]string{"sweep", path.Join(StudyDir, StudyFileKey),
							"--shard", "$(JOB_COMPLETION_INDEX)/" + strconv.Itoa(o.Shards),
							"--out", o.ResultsPath}, o.Flags...),
						Env: []corev1.EnvVar{{
							Name: "JOB_COMPLETION_INDEX",
							ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{
								FieldPath: "metadata.annotations['" + batchv1.JobCompletionIndexAnnotation + "']",
							}},
						}},
						VolumeMounts: []corev1.VolumeMount{
							{Name: "study", MountPath: StudyDir, ReadOnly: true},
							{Name: "results", MountPath: o.ResultsPath},
						},
					}},
					Volumes: []corev1.Volume{
						{Name: "study", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
							LocalObjectReference: corev1.LocalObjectReference{Name: cm.Name}, Items: items,
						}}},
						results,
					},
				},
			},
		},
	}
	return job, cm, nil
}

// WriteManifests writes the ConfigMap and the Job as one multi-document YAML
// stream (ConfigMap first, so kubectl apply -f creates it before the Job).
func WriteManifests(w io.Writer, job *batchv1.Job, cm *corev1.ConfigMap) error {
	var buf bytes.Buffer
	for i, obj := range []any{cm, job} {
		b, err := yaml.Marshal(obj)
		if err != nil {
			return err
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(b)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// dnsLabel turns s into a DNS-1123 label of at most max characters: lower case,
// runs of other characters become '-', no '-' at either end ("study" if nothing
// is left).
func dnsLabel(s string, max int) string {
	var b []byte
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b = append(b, byte(r))
			dash = false
		} else if !dash && len(b) > 0 {
			b = append(b, '-')
			dash = true
		}
	}
	if len(b) > max {
		b = b[:max]
	}
	out := strings.Trim(string(b), "-")
	if out == "" {
		return "study"
	}
	return out
}

// configMapKey keeps the characters a ConfigMap key allows ([-._a-zA-Z0-9]).
func configMapKey(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

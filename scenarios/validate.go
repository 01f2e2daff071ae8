package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/kubesim/kubesim/workload/decl"
	"github.com/kubesim/kubesim/workload/isotope"
	"os"
	"strings"

	"github.com/kubesim/kubesim/scenarios/kubectl"
	"github.com/kubesim/kubesim/scenarios/manifest"
	"github.com/kubesim/kubesim/scenarios/study"
	"github.com/kubesim/kubesim/workload/custommetrics"
	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
)

// IsManifest reports whether a YAML file holds Kubernetes manifests (its first
// document has apiVersion or kind) rather than a scenario.
func IsManifest(data []byte) bool {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil || len(doc.Content) == 0 {
		return false
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i].Value; k == "apiVersion" || k == "kind" {
			return true
		}
	}
	return false
}

// IsStudy reports whether a YAML file is a study (its top level has base:)
// rather than a scenario.
func IsStudy(data []byte) bool {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil || len(doc.Content) == 0 {
		return false
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "base" {
			return true
		}
	}
	return false
}

// CheckStudy finds the problems of a parsed study that only show against its
// base scenario: a base that does not exist, and every point whose parameters
// do not apply, give an invalid scenario or change nothing the scenario reads
// (what kubesim sweep checks before running).
func CheckStudy(st *study.Study) []string {
	if st.Base == study.MMCBase {
		var out []string
		for i, p := range st.Points() {
			if _, err := study.MMCFromPoint(p); err != nil {
				out = append(out, fmt.Sprintf("%s: point %d (%s): %v", st.File(), i, p, err))
			}
		}
		return out
	}
	src, name, err := BaseSource(st.Base, st.File())
	if err != nil {
		return []string{fmt.Sprintf("%s: base: %v", st.File(), err)}
	}
	var out []string
	var points []*Scenario
	for i, p := range st.Points() {
		if err := checkPoint(src, name, p); err != nil {
			out = append(out, fmt.Sprintf("%s: point %d (%s): %v", st.File(), i, p, err))
		}
		if s, err := pointScenario(src, name, p, 1); err == nil {
			points = append(points, s)
			if err := warmupProblem(st, i, p, s); err != nil {
				out = append(out, err.Error())
			}
		}
	}
	if len(points) > 0 {
		out = append(out, metricProblems(st, points, false)...)
	}
	return out
}

// ValidateFile checks a scenario file, a study file or a manifest file without
// running it and returns every problem found, each naming the file and the
// line or field.
func ValidateFile(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return []string{fmt.Sprintf("%s: cannot read: %v", path, err)}
	}
	return ValidateData(path, data)
}

// ValidateData is ValidateFile on data already read.
func ValidateData(path string, data []byte) []string {
	if IsGraph(data) {
		if _, err := isotope.Convert(path, data); err != nil {
			return strings.Split(err.Error(), "\n")
		}
		return nil
	}
	if IsManifest(data) {
		return manifestProblems(path, data)
	}
	if decl.IsWorkloadFile(data) {
		if _, err := decl.ParseFile(path, data); err != nil {
			return strings.Split(err.Error(), "\n")
		}
		return nil
	}
	if IsStudy(data) {
		st, err := study.Parse(path, data)
		if err != nil {
			return []string{err.Error()}
		}
		return CheckStudy(st)
	}
	s, err := ParseFile(path, data)
	if err != nil {
		return errorLines(err)
	}
	return s.Check()
}

func errorLines(err error) []string {
	var fe FileErrors
	if errors.As(err, &fe) {
		out := make([]string, len(fe))
		for i, e := range fe {
			out[i] = e.Error()
		}
		return out
	}
	return strings.Split(err.Error(), "\n")
}

func manifestProblems(path string, data []byte) []string {
	_, _, err := manifest.Decode(path, data, manifest.Options{Validate: true})
	if err == nil {
		return nil
	}
	var me *manifest.Error
	if errors.As(err, &me) {
		out := make([]string, len(me.Problems))
		for i, p := range me.Problems {
			out[i] = p.String()
		}
		return out
	}
	return []string{err.Error()}
}

// files is the scenario's files as kubectl's -f, cat and sed read them: its
// inline files, else paths relative to the scenario file's directory.
func (s *Scenario) files() kubectl.Files { return kubectl.Files{Inline: s.Files, Dir: s.Dir} }

// Check finds the problems of a parsed scenario that only show when its steps
// are read: commands that do not parse, and files `apply -f` or `delete -f` name
// that do not exist or are not YAML. A manifest that strict validation refuses
// is not a problem of the scenario: kubectl refuses it at run time, as the
// workshop's DaemonSet cast shows.
func (s *Scenario) Check() []string {
	var out []string
	var crds []manifest.CRD      // applied by earlier steps
	written := map[string]bool{} // files earlier steps write (> FILE): read at run time
	for _, st := range s.Steps {
		where := fmt.Sprintf("%s:%d", s.Source(), st.Line)
		line, redirect, err := kubectl.SplitRedirect(st.Command)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %s: error: %v", where, st.Command, err))
			continue
		}
		cmd, err := kubectl.Parse(line)
		if err != nil {
			var u *kubectl.UsageError
			if errors.As(err, &u) {
				if cr := kubectl.CustomResourceError(u, crds); cr != nil {
					err = cr
				}
			}
			out = append(out, fmt.Sprintf("%s: %s: %v", where, st.Command, err))
			continue
		}
		var files []string
		for _, f := range cmd.Files {
			if written[f] {
				continue
			}
			fs, err := s.files().ExpandPath(f, cmd.Recursive)
			if err != nil {
				hint := " (add it under files: or next to the scenario)"
				if f == "-" {
					hint = "" // the error says what to do instead
				}
				out = append(out, fmt.Sprintf("%s: %s: %v%s", where, st.Command, err, hint))
				continue
			}
			files = append(files, fs...)
		}
		if redirect != nil {
			written[redirect.File] = true
		}
		if cmd.Verb == kubectl.Sed || cmd.Verb == kubectl.Cat {
			continue // any text file
		}
		var newCRDs []manifest.CRD
		for _, f := range files {
			data, _, err := s.files().ReadFile(f)
			if err != nil {
				out = append(out, fmt.Sprintf("%s: %s: %v (add it under files: or next to the scenario)", where, st.Command, err))
				continue
			}
			objs, warnings, err := manifest.Decode(f, data, manifest.Options{Validate: false, CRDs: crds})
			if err == nil && len(objs)+len(warnings) == 0 {
				out = append(out, fmt.Sprintf("%s: %s: %s is empty (or only comments): kubectl would answer: error: no objects passed to %s", where, st.Command, f, cmd.Verb))
				continue
			}
			for _, o := range objs {
				if o.CRD != nil && (cmd.Verb == kubectl.Apply || cmd.Verb == kubectl.Create) {
					newCRDs = append(newCRDs, *o.CRD)
				}
				// prometheus-adapter's rules, as the adapter will read them.
				if cm, ok := o.Obj.(*corev1.ConfigMap); ok && cm.Name == custommetrics.ConfigMapName && cmd.Verb != kubectl.Delete {
					if err := custommetrics.CheckConfig(cm.Data[custommetrics.ConfigMapKey]); err != nil {
						out = append(out, fmt.Sprintf("%s: %s: %s:%d: ConfigMap %s: the adapter would refuse its %s: %v", where, st.Command, f, o.Line, cm.Name, custommetrics.ConfigMapKey, err))
					}
				}
			}
			var me *manifest.Error
			if errors.As(err, &me) {
				for _, p := range me.Problems {
					if p.Kind != manifest.UnknownField {
						out = append(out, fmt.Sprintf("%s: %s: %s", where, st.Command, p.String()))
					}
				}
			}
		}
		crds = append(crds, newCRDs...)
	}
	return append(out, s.OutsideClientProblems()...)
}

// Source is the scenario's file name.
func (s *Scenario) Source() string {
	if s.Path != "" {
		return s.Path
	}
	return s.Name + ".yaml"
}

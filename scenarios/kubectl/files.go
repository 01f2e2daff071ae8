package kubectl

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Files is a FileSet: the files a scenario gives inline, by name, and the
// directory other names are relative to (the scenario file's; "" for the
// working directory).
type Files struct {
	Inline map[string]string
	Dir    string
}

// ReadFile returns the content of a file a step names (`kubectl apply -f
// NAME`): one of the inline files, or a path relative to Dir, and the name to
// print for it.
func (f Files) ReadFile(name string) ([]byte, string, error) {
	if b, ok := f.Inline[name]; ok {
		return []byte(b), name, nil
	}
	path := name
	if !filepath.IsAbs(path) && f.Dir != "" {
		path = filepath.Join(f.Dir, name)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, path, fmt.Errorf("error: the path %q does not exist", name)
	}
	return b, path, nil
}

// manifestExtensions are the file extensions kubectl reads from a directory.
var manifestExtensions = []string{".json", ".yaml", ".yml"}

func isManifestName(name string) bool {
	for _, e := range manifestExtensions {
		if strings.HasSuffix(name, e) {
			return true
		}
	}
	return false
}

// ExpandPath returns the files `kubectl apply -f NAME` reads, as names ReadFile
// takes: NAME itself for a file; for a directory (among the inline files:
// the names under NAME/; else on disk) every .json, .yaml and .yml file in it,
// in lexical order as kubectl walks it, and in its subdirectories too when
// recursive (-R).
func (f Files) ExpandPath(name string, recursive bool) ([]string, error) {
	if name == "-" {
		return nil, fmt.Errorf("error: kubesim steps have no standard input, so -f - reads nothing; put the manifest under files: in the scenario and apply it by name")
	}
	if strings.Contains(name, "://") {
		return nil, fmt.Errorf("error: kubesim does not fetch %s; put the manifest under files: in the scenario and apply it by name", name)
	}
	if _, ok := f.Inline[name]; ok {
		return []string{name}, nil
	}
	prefix := strings.TrimSuffix(name, "/") + "/"
	if name == "." || name == "./" {
		prefix = ""
	}
	var inline []string
	for n := range f.Inline {
		rest, ok := strings.CutPrefix(n, prefix)
		if !ok || !isManifestName(n) || (!recursive && strings.Contains(rest, "/")) {
			continue
		}
		inline = append(inline, n)
	}
	if len(inline) > 0 {
		sort.Strings(inline)
		return inline, nil
	}
	path := name
	if !filepath.IsAbs(path) && f.Dir != "" {
		path = filepath.Join(f.Dir, name)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("error: the path %q does not exist", name)
	}
	if !st.IsDir() {
		return []string{name}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && !recursive {
				return filepath.SkipDir
			}
			return nil
		}
		if isManifestName(p) {
			rel, _ := filepath.Rel(path, p)
			out = append(out, filepath.Join(name, rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("error: reading %s: %v", name, err)
	}
	return out, nil
}

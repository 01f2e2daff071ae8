package study

import (
	"errors"
	"strconv"
	"strings"

	yaml3 "go.yaml.in/yaml/v3"
)

// withLine puts the line of the field an error of Parse names after the file
// name ("study.yaml:7: replications.min: ..."), as the scenario reader does.
// The study is decoded through JSON, which has no lines, so the field is
// looked up again in the YAML; an error that names no field is left as it is.
func withLine(file string, data []byte, err error) error {
	msg := err.Error()
	rest, ok := strings.CutPrefix(msg, file+": ")
	if !ok {
		return err
	}
	var path string
	if f, ok := strings.CutPrefix(rest, `unknown field "`); ok {
		path, _, _ = strings.Cut(f, `"`)
	} else if i := strings.Index(rest, ": "); i > 0 && !strings.ContainsAny(rest[:i], " ()") {
		path = rest[:i]
	}
	if path == "" {
		return err
	}
	var doc yaml3.Node
	if yaml3.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return err
	}
	line := lineOf(doc.Content[0], path)
	if line == 0 {
		return err
	}
	return errors.New(file + ":" + strconv.Itoa(line) + ": " + rest)
}

// lineOf finds the line of a field path such as replications.min,
// parameters.grid.vars.workers[2] or metrics[1] (a grid key may itself contain
// dots: the longest key that fits is taken); 0 when it is not there.
func lineOf(n *yaml3.Node, path string) int {
	for path != "" {
		switch {
		case strings.HasPrefix(path, "["):
			end := strings.Index(path, "]")
			i, err := strconv.Atoi(path[1:max(end, 1)])
			if end < 0 || err != nil || n.Kind != yaml3.SequenceNode || i < 0 || i >= len(n.Content) {
				return 0
			}
			n, path = n.Content[i], strings.TrimPrefix(path[end+1:], ".")
		case n.Kind == yaml3.MappingNode:
			var best *yaml3.Node
			var bestKey string
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if (path == k || strings.HasPrefix(path, k+".") || strings.HasPrefix(path, k+"[")) && len(k) > len(bestKey) {
					best, bestKey = n.Content[i], k
				}
			}
			if best == nil {
				return 0
			}
			rest := strings.TrimPrefix(path[len(bestKey):], ".")
			if rest == "" {
				return best.Line
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i] == best {
					n = n.Content[i+1]
				}
			}
			path = rest
		default:
			return 0
		}
	}
	return n.Line
}

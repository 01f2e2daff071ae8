// Package yamlerr locates a YAML syntax error: the line to fix and what to
// check there, for every file kubesim reads (scenarios, manifests, workload
// files, isotope graphs, studies); and a value a comma cut in a { } mapping.
package yamlerr

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	yaml2 "go.yaml.in/yaml/v2"
	"go.yaml.in/yaml/v3"
)

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// IndentHint is added to errors that wrong indentation causes.
const IndentHint = " (check the indentation here: keys of one mapping must line up, list items start with '- ')"

// TabHint is added to an error on a line indented with a tab.
const TabHint = " (a tab: YAML indents with spaces only)"

// Locate returns the line (1-based; 0 when unknown) and the reason, with a
// hint, of the YAML syntax error in data, and goyaml.v2's message as kubectl
// prints it; err is the error a parser gave, used as it is when goyaml.v2
// finds none. The message and line come from
// goyaml.v2, the parser kubectl uses, so the wording is kubectl's: v2
// reports "did not find expected ..." errors on the line before the
// offending token, and an unexpected end after the last line, which Locate
// corrects (go.yaml.in/yaml/v3 names the line where the enclosing block
// starts instead).
func Locate(data []byte, err error) (line int, reason, msg string) {
	msg = err.Error()
	d2 := yaml2.NewDecoder(bytes.NewReader(data))
	for {
		var v any
		e := d2.Decode(&v)
		if e == nil {
			continue
		}
		if !errors.Is(e, io.EOF) {
			msg = e.Error()
		}
		break
	}
	reason = strings.TrimPrefix(msg, "yaml: ")
	lines := strings.Split(string(data), "\n")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		reason = m[2]
		if strings.HasPrefix(reason, "did not find expected") {
			line++
		}
		last := 0
		for i, l := range lines {
			if strings.TrimSpace(l) != "" {
				last = i + 1
			}
		}
		if line > last && last > 0 {
			line = last
		}
	}
	switch {
	case strings.Contains(reason, "did not find expected key") || strings.Contains(reason, "mapping values are not allowed") ||
		strings.Contains(reason, "indicator"):
		reason += IndentHint
	case line > 0 && line <= len(lines) && strings.Contains(reason, "cannot start any token") &&
		strings.Contains(lines[line-1][:len(lines[line-1])-len(strings.TrimLeft(lines[line-1], " \t"))], "\t"):
		reason += TabHint
	}
	return line, reason, msg
}

// CommaCut reports whether the key at m.Content[i] of the flow mapping m is
// part of a value a comma cut off: YAML reads {service: uniform(50ms,150ms)}
// as service: "uniform(50ms" and a key "150ms)" with no value. It returns
// the field the value belongs to and the value as written
// ("uniform(50ms,150ms)").
func CommaCut(m *yaml.Node, i int) (field, value string, ok bool) {
	if m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle == 0 || i%2 != 0 || i+1 >= len(m.Content) {
		return "", "", false
	}
	isRest := func(j int) bool {
		k, v := m.Content[j], m.Content[j+1]
		return k.Kind == yaml.ScalarNode && k.Style == 0 && v.Kind == yaml.ScalarNode && v.Tag == "!!null" && v.Value == ""
	}
	if !isRest(i) {
		return "", "", false
	}
	start := i
	for start >= 2 && isRest(start-2) && !strings.Contains(m.Content[start-2].Value, ")") {
		start -= 2
	}
	if start < 2 {
		return "", "", false
	}
	k, v := m.Content[start-2], m.Content[start-1]
	if v.Kind != yaml.ScalarNode || v.Style != 0 || !strings.Contains(v.Value, "(") || strings.Contains(v.Value, ")") {
		return "", "", false
	}
	parts := []string{v.Value}
	for j := start; j+1 < len(m.Content) && isRest(j); j += 2 {
		parts = append(parts, m.Content[j].Value)
		if strings.Contains(m.Content[j].Value, ")") {
			return k.Value, strings.Join(parts, ","), j >= i
		}
	}
	return "", "", false
}

// CommaCutMsg is the error for a value CommaCut found.
func CommaCutMsg(field, value string) string {
	return fmt.Sprintf("%s: a comma cut %q: inside { } or [ ] a comma ends an unquoted value; quote it: %s: %q", field, value, field, value)
}

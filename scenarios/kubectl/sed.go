package kubectl

// sed -i 's/OLD/NEW/[g]' FILE...: the one sed command kubesim runs, on the
// run's file set (the Executor's sed, objects.go).

import (
	"fmt"
	"regexp"
	"strings"
)

// SedScript is a `sed -i 's/OLD/NEW/[g]' FILE...` step's substitution: OLD is
// a POSIX basic regular expression, NEW may use & and \1..\9.
type SedScript struct {
	re     *regexp.Regexp
	repl   string // a regexp.Expand template
	global bool
}

// parseSed reads sed's arguments: -i (required: kubesim's sed edits files in
// place), -e SCRIPT or the script as first argument, and the files; problem
// is what is wrong with them ("" if nothing), in sed's words.
func parseSed(args []string) (s *SedScript, files []string, problem string) {
	inPlace := false
	var script string
	haveScript := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-i" || a == "--in-place":
			inPlace = true
		case strings.HasPrefix(a, "-i") || strings.HasPrefix(a, "--in-place="):
			return nil, nil, fmt.Sprintf("sed: kubesim's sed -i keeps no backup (%s): use -i alone", a)
		case a == "-e" || a == "--expression":
			if i+1 >= len(args) || haveScript {
				return nil, nil, fmt.Sprintf("sed: kubesim's sed takes one s/OLD/NEW/ script")
			}
			i++
			script, haveScript = args[i], true
		case strings.HasPrefix(a, "-") && a != "-":
			return nil, nil, fmt.Sprintf("sed: option %s is not supported by kubesim (it supports sed -i 's/OLD/NEW/[g]' FILE...)", a)
		case !haveScript:
			script, haveScript = a, true
		default:
			files = append(files, a)
		}
	}
	if !haveScript {
		return nil, nil, fmt.Sprintf("sed: no script: kubesim supports sed -i 's/OLD/NEW/[g]' FILE...")
	}
	if !inPlace {
		return nil, nil, fmt.Sprintf("sed: kubesim's sed edits files in place: add -i (sed -i 's/OLD/NEW/' FILE)")
	}
	if len(files) == 0 {
		return nil, nil, fmt.Sprintf("sed: no input files")
	}
	s, err := ParseSedScript(script)
	if err != nil {
		return nil, nil, fmt.Sprintf("sed: -e expression #1, char %d: %v", err.(*sedError).char, err.(*sedError).msg)
	}
	return s, files, ""
}

type sedError struct {
	char int
	msg  string
}

func (e *sedError) Error() string { return fmt.Sprintf("char %d: %s", e.char, e.msg) }

// ParseSedScript parses s/OLD/NEW/FLAGS (any delimiter), the one sed command
// kubesim runs; flags: g. Errors are GNU sed's where it has one.
func ParseSedScript(script string) (*SedScript, error) {
	if script == "" || script[0] != 's' {
		return nil, &sedError{1, "kubesim's sed runs only the s command (s/OLD/NEW/[g])"}
	}
	if len(script) < 2 {
		return nil, &sedError{1, "unterminated `s' command"}
	}
	delim := script[1]
	if delim == '\\' || delim == '\n' {
		return nil, &sedError{2, "delimiter cannot be a backslash or newline"}
	}
	var parts []string
	var cur strings.Builder
	i := 2
	for ; i < len(script) && len(parts) < 2; i++ {
		c := script[i]
		switch {
		case c == '\\' && i+1 < len(script) && script[i+1] == delim:
			cur.WriteByte(delim)
			i++
		case c == '\\' && i+1 < len(script):
			cur.WriteByte(c)
			cur.WriteByte(script[i+1])
			i++
		case c == delim:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if len(parts) < 2 {
		return nil, &sedError{len(script), "unterminated `s' command"}
	}
	s := &SedScript{}
	for _, f := range script[i:] {
		switch f {
		case 'g':
			s.global = true
		default:
			return nil, &sedError{i + 1, "unknown option to `s'"}
		}
	}
	re, err := regexp.Compile(breToRE2(parts[0]))
	if err != nil {
		return nil, &sedError{len(script), fmt.Sprintf("invalid regular expression %q: %v", parts[0], err)}
	}
	s.re, s.repl = re, sedReplacement(parts[1])
	return s, nil
}

// breToRE2 converts a POSIX basic regular expression to Go's syntax: . * ^ $
// [...] keep their meaning, \( \) \{ \} group and count, and + ? ( ) { } |
// are literal.
func breToRE2(bre string) string {
	var b strings.Builder
	for i := 0; i < len(bre); i++ {
		c := bre[i]
		switch {
		case c == '\\' && i+1 < len(bre):
			i++
			switch n := bre[i]; n {
			case '(', ')', '{', '}':
				b.WriteByte(n)
			case 'n':
				b.WriteString(`\n`)
			case 't':
				b.WriteString(`\t`)
			default:
				b.WriteString(regexp.QuoteMeta(string(n)))
			}
		case c == '[':
			j := i + 1
			if j < len(bre) && bre[j] == '^' {
				j++
			}
			if j < len(bre) && bre[j] == ']' {
				j++
			}
			for j < len(bre) && bre[j] != ']' {
				j++
			}
			if j >= len(bre) {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(bre[i : j+1])
			i = j
		case strings.IndexByte("+?(){}|", c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// sedReplacement turns sed's NEW (& the match, \1..\9 groups, \& a literal &,
// \n a newline) into a regexp.Expand template.
func sedReplacement(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '&':
			b.WriteString("${0}")
		case c == '$':
			b.WriteString("$$")
		case c == '\\' && i+1 < len(s):
			i++
			switch n := s[i]; {
			case n >= '0' && n <= '9':
				b.WriteString("${" + string(n) + "}")
			case n == 'n':
				b.WriteByte('\n')
			case n == 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(n)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Apply runs the substitution on every line of text, as sed does: the first
// match of each line, or every match with g.
func (s *SedScript) Apply(text string) string {
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		body := strings.TrimSuffix(l, "\n")
		nl := l[len(body):]
		var out []byte
		last, matched := 0, false
		for _, m := range s.re.FindAllStringSubmatchIndex(body, -1) {
			if m[1] == m[0] && m[0] < last {
				continue
			}
			out = append(out, body[last:m[0]]...)
			out = s.re.ExpandString(out, s.repl, body, m)
			last, matched = m[1], true
			if !s.global {
				break
			}
		}
		if matched {
			lines[i] = string(out) + body[last:] + nl
		}
	}
	return strings.Join(lines, "")
}

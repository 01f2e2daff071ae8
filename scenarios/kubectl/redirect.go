package kubectl

import (
	"errors"
	"fmt"
	"strings"
)

// Redirect is a step's `> FILE` (or `>> FILE`): its standard output goes to
// FILE in the scenario's file set, where later steps' -f FILE read it.
type Redirect struct {
	File   string
	Append bool // >>
}

// SplitRedirect splits a trailing `> FILE` or `>> FILE` (with or without
// blanks, e.g. `>rng.yml`) off a step, the way a shell reads it: a > inside
// quotes or after a backslash is part of a word. It returns the command
// without the redirection and nil when there is none. Redirecting another
// stream (2>, &>), more than one redirection, or anything after FILE is
// refused with an error saying what kubesim supports.
func SplitRedirect(line string) (string, *Redirect, error) {
	at := -1
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case '\\':
			i++
		case '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return line, nil, nil // Split reports the unterminated quote
			}
			i += j + 1
		case '"':
			for i++; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' {
					i++
				}
			}
		case '#':
			if i == 0 || line[i-1] == ' ' || line[i-1] == '\t' {
				i = len(line)
			}
		case '>':
			if at >= 0 {
				return "", nil, errors.New("kubesim steps support one redirection of standard output (> FILE or >> FILE)")
			}
			at = i
			if i+1 < len(line) && line[i+1] == '>' {
				i++
			}
		}
	}
	if at < 0 {
		return line, nil, nil
	}
	cmd, rest := line[:at], line[at+1:]
	r := &Redirect{}
	if strings.HasPrefix(rest, ">") {
		r.Append, rest = true, rest[1:]
	}
	if n := len(cmd); n > 0 && (cmd[n-1] == '2' || cmd[n-1] == '&') && (n == 1 || cmd[n-2] == ' ' || cmd[n-2] == '\t') {
		return "", nil, fmt.Errorf("kubesim steps redirect only standard output (> FILE); errors are shown in the timeline")
	}
	if n := len(cmd); n > 0 && cmd[n-1] == '1' && (n == 1 || cmd[n-2] == ' ' || cmd[n-2] == '\t') {
		cmd = cmd[:n-1] // 1> FILE
	}
	if strings.HasPrefix(strings.TrimSpace(rest), "&") {
		return "", nil, fmt.Errorf("kubesim steps redirect only standard output to a file (> FILE)")
	}
	words, err := Split(rest)
	if err != nil {
		return "", nil, err
	}
	if len(words) != 1 {
		if len(words) == 0 {
			return "", nil, errors.New("a redirection needs a file name: > FILE")
		}
		return "", nil, fmt.Errorf("kubesim steps take one file after >, got %q; put flags and arguments before the redirection", strings.Join(words, " "))
	}
	r.File = words[0]
	if strings.TrimSpace(cmd) == "" {
		return "", nil, errors.New("a redirection needs a command before it: kubectl get ... > FILE")
	}
	return cmd, r, nil
}

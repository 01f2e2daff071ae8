package kubectl

import (
	"errors"
	"strings"
)

// Split splits a command line into words as a POSIX shell would for the
// commands people type: blanks separate words, '...' is literal, "..." allows
// \" \\ \$ and \` escapes, a backslash outside quotes escapes the next
// character, and # starts a comment at the start of a word. What a scenario
// cannot do is refused with a clear error: shell variables and command
// substitution ($VAR, $(...), `...`), pipes, redirections and command lists.
func Split(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '#' && !inWord:
			return words, nil
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated ' quote")
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				switch line[i] {
				case '\\':
					if i+1 < len(line) && strings.IndexByte("\"\\$`\n", line[i+1]) >= 0 {
						i++
					}
				case '$', '`':
					return nil, shellExpansion(line[i:])
				}
				cur.WriteByte(line[i])
			}
			if i >= len(line) {
				return nil, errors.New(`unterminated " quote`)
			}
			inWord = true
		case c == '\\':
			if i+1 < len(line) {
				i++
				cur.WriteByte(line[i])
			}
			inWord = true
		case c == '$' || c == '`':
			return nil, shellExpansion(line[i:])
		case c == '|' || c == '>' || c == '<' || c == ';' || c == '&':
			return nil, errors.New("kubesim steps are single commands: pipes, redirections and command lists (| > < ; &) are not supported; quote the character if it is part of a value")
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func shellExpansion(rest string) error {
	end := len(rest)
	if i := strings.IndexAny(rest, " \t\"'"); i > 0 {
		end = i
	}
	return errors.New("kubesim steps do not expand shell variables or commands (" + rest[:end] +
		"); write the value itself, quoted if needed")
}

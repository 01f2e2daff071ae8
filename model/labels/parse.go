package labels

import (
	"fmt"
	"sort"
)

// ParseError is a selector string that does not parse: where and what was expected.
type ParseError struct {
	Selector string // the input
	Pos      int    // byte offset of the problem in Selector
	Msg      string // what was found and what was expected
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("invalid label selector %q: at column %d: %s", e.Selector, e.Pos+1, e.Msg)
}

// Parse reads a selector in the string grammar of kubectl -l and
// k8s.io/apimachinery/pkg/labels.Parse:
//
//	selector    = "" | requirement { "," requirement }
//	requirement = [ "!" ] KEY
//	            | KEY ( "=" | "==" | "!=" ) VALUE
//	            | KEY ( ">" | "<" ) INTEGER
//	            | KEY ( "in" | "notin" ) "(" [ VALUE ] { "," [ VALUE ] } ")"
//
// Requirements are ANDed; there is no OR. Whitespace (space, tab, CR, LF) may
// surround any token. The characters = ! ( ) , > < end a word; any other run of
// bytes is a word, and words must then be valid label keys and values. "in" and
// "notin" are ordinary words where a key or value is expected. A missing value is
// the empty value: "x=" is x="", "x in ()" is x in (""), "x in (a,)" is
// x in ("",a). The same key may appear in several requirements. The empty string is
// the empty selector, which matches everything.
//
// As in apimachinery, a NUL byte where a token would start ends the input, and a
// NUL byte right after a token is skipped.
//
// The requirements are sorted by key (as apimachinery sorts them) and the in/notin
// values sorted and deduplicated.
func Parse(s string) (*Selector, error) {
	p := parser{in: s}
	p.advance()
	reqs := make([]Requirement, 0, 4)
	for p.tok.kind != tEOF {
		if len(reqs) > 0 {
			if p.tok.kind != tComma {
				return nil, p.errorf("found %s, expected ',' or the end of the selector", p.tok.describe())
			}
			p.advance()
			if k := p.tok.kind; k != tWord && k != tIn && k != tNotIn && k != tNot {
				return nil, p.errorf("found %s after ',', expected a key or '!'", p.tok.describe())
			}
		}
		r, err := p.requirement()
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, r)
	}
	sort.Sort(byKey(reqs))
	return compile(reqs), nil
}

// byKey sorts requirements by key with sort.Sort, as apimachinery does, so that
// requirements with equal keys end up in the same order as there.
type byKey []Requirement

func (a byKey) Len() int           { return len(a) }
func (a byKey) Swap(i, j int)      { a[i], a[j] = a[j], a[i] }
func (a byKey) Less(i, j int) bool { return a[i].Key < a[j].Key }

type tokKind uint8

const (
	tEOF    tokKind = iota
	tWord           // a key or value
	tIn             // the word "in"
	tNotIn          // the word "notin"
	tNot            // !
	tEq             // =
	tEqEq           // ==
	tNotEq          // !=
	tGT             // >
	tLT             // <
	tLParen         // (
	tRParen         // )
	tComma          // ,
)

type token struct {
	kind tokKind
	pos  int
	text string
}

// describe names the token for an error message.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end of the selector"
	case tWord, tIn, tNotIn:
		return fmt.Sprintf("%q", t.text)
	}
	return "'" + t.text + "'"
}

// isWord reports whether the token is a key or value ("in" and "notin" are words
// where a key or value is expected).
func (t token) isWord() bool { return t.kind == tWord || t.kind == tIn || t.kind == tNotIn }

type parser struct {
	in  string
	pos int   // next byte to lex
	tok token // current token
}

func (p *parser) errorf(format string, args ...any) error {
	return p.errorAt(p.tok.pos, format, args...)
}

func (p *parser) errorAt(pos int, format string, args ...any) error {
	return &ParseError{Selector: p.in, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isSpecial(c byte) bool {
	switch c {
	case '=', '!', '(', ')', ',', '>', '<':
		return true
	}
	return false
}

// advance lexes the next token into p.tok.
func (p *parser) advance() {
	in := p.in
	i := p.pos
	for i < len(in) && isSpace(in[i]) {
		i++
	}
	if i >= len(in) || in[i] == 0 {
		p.tok = token{kind: tEOF, pos: i}
		p.pos = len(in) // a NUL where a token starts ends the input
		return
	}
	start := i
	var k tokKind
	if c := in[i]; isSpecial(c) {
		i++
		switch c {
		case '=':
			k = tEq
			if i < len(in) && in[i] == '=' {
				k, i = tEqEq, i+1
			}
		case '!':
			k = tNot
			if i < len(in) && in[i] == '=' {
				k, i = tNotEq, i+1
			}
		case '>':
			k = tGT
		case '<':
			k = tLT
		case '(':
			k = tLParen
		case ')':
			k = tRParen
		case ',':
			k = tComma
		}
		p.tok = token{kind: k, pos: start, text: in[start:i]}
	} else {
		for i < len(in) && in[i] != 0 && !isSpace(in[i]) && !isSpecial(in[i]) {
			i++
		}
		text := in[start:i]
		switch text {
		case "in":
			k = tIn
		case "notin":
			k = tNotIn
		default:
			k = tWord
		}
		p.tok = token{kind: k, pos: start, text: text}
	}
	if i < len(in) && in[i] == 0 {
		i++ // a NUL right after a token is skipped
	}
	p.pos = i
}

// requirement parses one requirement starting at the current token.
func (p *parser) requirement() (Requirement, error) {
	neg := false
	if p.tok.kind == tNot {
		neg = true
		p.advance()
	}
	if !p.tok.isWord() {
		if neg {
			return Requirement{}, p.errorf("found %s after '!', expected a key", p.tok.describe())
		}
		return Requirement{}, p.errorf("found %s, expected a key or '!'", p.tok.describe())
	}
	key, keyPos := p.tok.text, p.tok.pos
	if msg := keyProblem(key); msg != "" {
		return Requirement{}, p.errorAt(keyPos, "invalid key %q: %s", key, msg)
	}
	p.advance()
	if neg && p.tok.kind != tEOF && p.tok.kind != tComma {
		return Requirement{}, p.errorf("found %s after '!%s', expected ',' or the end of the selector ('!key' takes no operator or value)", p.tok.describe(), key)
	}
	if neg || p.tok.kind == tEOF || p.tok.kind == tComma {
		op := Exists
		if neg {
			op = DoesNotExist
		}
		return Requirement{Key: key, Operator: op}, nil
	}
	var op Operator
	switch p.tok.kind {
	case tEq:
		op = Equals
	case tEqEq:
		op = DoubleEquals
	case tNotEq:
		op = NotEquals
	case tGT:
		op = GreaterThan
	case tLT:
		op = LessThan
	case tIn:
		op = In
	case tNotIn:
		op = NotIn
	default:
		return Requirement{}, p.errorf("found %s after key %q, expected an operator (=, ==, !=, in, notin, >, <), ',' or the end of the selector", p.tok.describe(), key)
	}
	opTok := p.tok
	p.advance()
	if op == In || op == NotIn {
		return p.valueSet(key, op, opTok)
	}
	// A single value, possibly empty.
	val, valPos := "", p.tok.pos
	switch {
	case p.tok.kind == tEOF || p.tok.kind == tComma:
	case p.tok.isWord():
		val = p.tok.text
		p.advance()
	default:
		return Requirement{}, p.errorf("found %s after '%s', expected a value, ',' or the end of the selector", p.tok.describe(), opTok.text)
	}
	if op == GreaterThan || op == LessThan {
		if _, ok := parseInt64(val); !ok {
			return Requirement{}, p.errorAt(valPos, "found %q after '%s', expected an integer (int64)", val, opTok.text)
		}
	}
	if msg := valueProblem(val); msg != "" {
		return Requirement{}, p.errorAt(valPos, "invalid value %q for key %q: %s", val, key, msg)
	}
	return Requirement{Key: key, Operator: op, Values: []string{val}}, nil
}

// valueSet parses "(v1,v2,...)" after in or notin. Empty items are the empty value.
func (p *parser) valueSet(key string, op Operator, opTok token) (Requirement, error) {
	if p.tok.kind != tLParen {
		return Requirement{}, p.errorf("found %s after '%s', expected '('", p.tok.describe(), opTok.text)
	}
	p.advance()
	var vals []string
	var bad []int // positions of values, to report an invalid one
	if p.tok.kind == tRParen {
		vals = append(vals, "")
		bad = append(bad, p.tok.pos)
	} else {
		expectItem := true // at the start or after ','
		for done := false; !done; {
			switch {
			case p.tok.isWord() && expectItem:
				vals = append(vals, p.tok.text)
				bad = append(bad, p.tok.pos)
				expectItem = false
				p.advance()
			case p.tok.kind == tComma:
				if expectItem { // empty item before this ','
					vals = append(vals, "")
					bad = append(bad, p.tok.pos)
				}
				expectItem = true
				p.advance()
				if p.tok.kind == tRParen { // empty item before ')'
					vals = append(vals, "")
					bad = append(bad, p.tok.pos)
					done = true
				}
			case p.tok.kind == tRParen && !expectItem:
				done = true
			case expectItem:
				return Requirement{}, p.errorf("found %s in the values of %q, expected a value, ',' or ')'", p.tok.describe(), key)
			default:
				return Requirement{}, p.errorf("found %s after value %q, expected ',' or ')'", p.tok.describe(), vals[len(vals)-1])
			}
		}
	}
	p.advance() // the ')'
	for i, v := range vals {
		if msg := valueProblem(v); msg != "" {
			return Requirement{}, p.errorAt(bad[i], "invalid value %q for key %q: %s", v, key, msg)
		}
	}
	return Requirement{Key: key, Operator: op, Values: sortedSet(vals)}, nil
}

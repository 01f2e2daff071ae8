package labels

import (
	"math/rand/v2"
	"strings"

	k8s "k8s.io/apimachinery/pkg/labels"
)

// gen draws adversarial selector strings and label sets from a seeded stream.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{rand.New(rand.NewPCG(seed, 0x6c6162656c73))} }

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

var (
	genKeys = []string{
		"a", "b", "app", "tier", "x", "y", "in", "notin", "n", "k8s.io/name", "example.com/app",
		"a.b_c-d", "A", "Z9", "x/y", "app.kubernetes.io/component",
		// invalid
		"-a", "a-", "_a", "a/", "/a", "a/b/c", "UP.com/x", "a..b/x", "-x.com/y", "a_b.com/c",
		"a b", "a|b", "é", "a*", strings.Repeat("k", 63), strings.Repeat("k", 64),
		strings.Repeat("p", 253) + "/k", strings.Repeat("p", 254) + "/k",
		strings.Repeat("p.", 126) + "q/k",
	}
	genValues = []string{
		"", "a", "b", "v1", "in", "notin", "x", "1", "2", "5", "007", "0", "10", "-1", "+5", "-0",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "1_000", "0x10", "1e3",
		"a.b", "a_b", "a-b", "A9", "a||b", "_a", "a_", ".a", "a.", "é", "a/b", "a*b",
		strings.Repeat("v", 63), strings.Repeat("v", 64),
	}
	genOps = []string{"=", "==", "!=", ">", "<", " in ", " notin ", "", "!", "===", "=!", ">=", "<=", "!!", "in", "notin"}
	genWS  = []string{"", "", "", " ", "  ", "\t", "\n", "\r", " \t"}
	genRaw = []string{
		"(", ")", ",", "!", "=", "==", "!=", ">", "<", " ", "\t", "\n", "in", "notin", "a", "b", "x", "1", "-",
		"_", ".", "/", "|", "k8s.io/", "é", "\x00", "", "app", "in (", "notin (", ",)", "(,", ",,",
	}
)

func (g *gen) ws() string { return g.pick(genWS) }

// value draws a label value, mostly a valid one.
func (g *gen) value() string {
	if g.r.IntN(6) == 0 {
		return g.pick(genValues)
	}
	return g.pick(genValues[:14])
}

// requirement draws one requirement, mostly well formed.
func (g *gen) requirement() string {
	k := g.pick(genKeys[:16]) // valid keys mostly
	if g.r.IntN(8) == 0 {
		k = g.pick(genKeys)
	}
	var b strings.Builder
	switch g.r.IntN(10) {
	case 0:
		b.WriteString("!" + g.ws() + k)
	case 1:
		b.WriteString(k)
	case 2, 3:
		op := g.pick([]string{" in ", " notin ", " in", "notin ", "\tin\t", " notin"})
		if g.r.IntN(10) == 0 {
			op = g.pick([]string{"in", "notin", "in(", " =in "})
		}
		b.WriteString(k + op + g.ws() + "(")
		n := g.r.IntN(4)
		for i := 0; i < n; i++ {
			if i > 0 || g.r.IntN(5) == 0 {
				b.WriteString(g.ws() + "," + g.ws())
			}
			if g.r.IntN(6) != 0 {
				b.WriteString(g.value())
			}
		}
		if g.r.IntN(5) == 0 {
			b.WriteString(",")
		}
		if g.r.IntN(12) != 0 {
			b.WriteString(g.ws() + ")")
		}
	default:
		op := g.pick(genOps[:5])
		if g.r.IntN(8) == 0 {
			op = g.pick(genOps)
		}
		v := g.value()
		if (op == ">" || op == "<") && g.r.IntN(2) == 0 {
			v = g.pick([]string{"1", "5", "0", "10", "007", "-1", "99999999999999999999"})
		}
		b.WriteString(k + g.ws() + op + g.ws() + v)
	}
	return b.String()
}

// selector draws a selector string: well-formed requirements joined by ',', token
// soup, or either mutated.
func (g *gen) selector() string {
	var s string
	switch g.r.IntN(4) {
	case 0: // token soup
		var b strings.Builder
		n := g.r.IntN(10)
		for i := 0; i < n; i++ {
			b.WriteString(g.pick(genRaw))
		}
		s = b.String()
	default:
		n := 1 + g.r.IntN(4)
		if g.r.IntN(20) == 0 {
			n = 0
		}
		var b strings.Builder
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(g.ws() + "," + g.ws())
			}
			b.WriteString(g.requirement())
		}
		if n > 0 && g.r.IntN(20) == 0 {
			b.WriteString(",")
		}
		s = g.ws() + b.String() + g.ws()
	}
	if g.r.IntN(6) == 0 { // mutate: insert, delete or replace a byte
		s = g.mutate(s)
	}
	return s
}

func (g *gen) mutate(s string) string {
	const alphabet = "=!(),<> \t\nabinotx01-_./|\x00"
	c := string(alphabet[g.r.IntN(len(alphabet))])
	if s == "" {
		return c
	}
	i := g.r.IntN(len(s))
	switch g.r.IntN(3) {
	case 0:
		return s[:i] + c + s[i:]
	case 1:
		return s[:i] + s[i+1:]
	default:
		return s[:i] + c + s[i+1:]
	}
}

// labelsFor draws a label set that often has the keys and values selector s
// mentions, so that matches go both ways.
func (g *gen) labelsFor(reqs []k8s.Requirement) map[string]string {
	m := g.labels()
	for _, r := range reqs {
		if g.r.IntN(4) == 0 {
			continue
		}
		vals := r.ValuesUnsorted()
		switch {
		case len(vals) > 0 && g.r.IntN(3) != 0:
			m[r.Key()] = vals[g.r.IntN(len(vals))]
		case g.r.IntN(2) == 0:
			delete(m, r.Key())
		default:
			m[r.Key()] = g.pick(genValues)
		}
	}
	return m
}

// labels draws a label map (not necessarily valid: matching takes any strings).
func (g *gen) labels() map[string]string {
	m := map[string]string{}
	n := g.r.IntN(9)
	for i := 0; i < n; i++ {
		k := g.pick(genKeys[:16])
		if g.r.IntN(8) == 0 {
			k = g.pick(genKeys)
		}
		m[k] = g.pick(genValues)
	}
	return m
}

package study

import (
	"fmt"
	"sort"
	"strings"
)

// builtins are the studies kubesim ships, by name, as study files.
var builtins = map[string]string{
	"mmc-validation": `# Validation of the simulation engine against queueing theory: the mean
# waiting time in queue of an M/M/c queue (Poisson arrivals, c exponential
# servers with mu = 1/s, FIFO) against the Erlang C formula
# Wq = C(c, a) / (c*mu - lambda), for several c and utilisations rho.
# wq_s is Lq/lambda per 100 s period (Little's law), wait_s the mean wait of
# the customers entering service in each period divided by lambda*100 s
# (an unbiased estimate of the mean wait), p_wait the fraction of
# arrivals that wait (Erlang C itself); the *_theory metrics are the formulas.
name: mmc-validation
base: mmc
seed: 20261123
replications:
  min: 10
warmup: mser5
metrics: [wq_s, wq_theory_s, wait_s, p_wait, p_wait_theory, utilisation, rho]
parameters:
  grid:
    c: [1, 2, 4]
    rho: [0.5, 0.8]
`,
}

// Builtins lists the names of the built-in studies, sorted.
func Builtins() []string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// BuiltinYAML returns the study file of a built-in study.
func BuiltinYAML(name string) ([]byte, bool) {
	s, ok := builtins[name]
	return []byte(s), ok
}

// Builtin parses the built-in study called name.
func Builtin(name string) (*Study, error) {
	y, ok := BuiltinYAML(name)
	if !ok {
		return nil, fmt.Errorf("no built-in study %q; the built-in studies are %s", name, strings.Join(Builtins(), ", "))
	}
	return Parse("builtin:"+name, y)
}

// RunnerForBase returns the runner of a base this package implements itself
// (MMCBase); other bases are scenarios, run by the caller's runner.
func RunnerForBase(base string) (Runner, bool) {
	if base == MMCBase {
		return MMCRunner(), true
	}
	return nil, false
}

package kubectl

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Verbs of autoscaling and load (parsed here, run by the scenarios package).
const (
	Autoscale Verb = "autoscale"
	Top       Verb = "top"
	AB        Verb = "ab" // ApacheBench: ab -c N (-n COUNT | -t SECONDS) URL
)

// Extra holds the arguments of autoscale, top and ab.
type Extra struct {
	// autoscale: --min (-1: not given, the server's default 1), --max,
	// --cpu-percent or --cpu N% (-1: not given, 80%), --name.
	Min, Max, CPUPercent int32
	Name                 string
	// top: Kind is "pods" or "nodes", Name a pod or node ("": all).
	Kind string
	// ab: -c concurrency, -n requests (0: until Duration), -t duration
	// (ab's -t also caps -n at 50000 requests), the Service of the URL and
	// its path.
	Concurrency int
	Requests    int
	Duration    time.Duration
	Service     string
	Path        string
}

// parseExtra parses autoscale, top and ab; handled is false for other
// verbs.
func parseExtra(c *Command, verb string, rest []string) (handled bool, err error) {
	switch verb {
	case "autoscale":
		c.Verb = Autoscale
		return true, parseAutoscale(c, rest)
	case "top":
		c.Verb = Top
		return true, parseTop(c, rest)
	case "ab":
		c.Verb = AB
		return true, parseAB(c, rest)
	}
	return false, nil
}

func parseAutoscale(c *Command, args []string) error {
	fs := newFlags(c)
	x := &Extra{}
	c.Extra = x
	fs.Int32Var(&x.Min, "min", -1, "")
	fs.Int32Var(&x.Max, "max", -1, "")
	fs.Int32Var(&x.CPUPercent, "cpu-percent", -1, "")
	cpu := fs.String("cpu", "", "")
	fs.StringVar(&x.Name, "name", "", "")
	if err := fs.Parse(args); err != nil {
		return &UsageError{Verb: c.Verb, Msg: err.Error(), Hint: "See 'kubectl autoscale --help' for usage."}
	}
	if *cpu != "" {
		v, ok := strings.CutSuffix(*cpu, "%")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 1 {
			return plain(c.Verb, "invalid --cpu %q: kubesim reads a utilization target such as --cpu=80%%", *cpu)
		}
		x.CPUPercent = int32(n)
	}
	if err := parseTargets(c, fs.Args()); err != nil {
		return err
	}
	if len(c.Targets) != 1 || c.Targets[0].Name == "" {
		return usage(c.Verb, "You must provide one or more resources by argument or filename.")
	}
	if c.Targets[0].Resource != Deployments && c.Targets[0].Resource != ReplicaSets {
		return plain(c.Verb, "cannot autoscale a %s: kubesim autoscales Deployments and ReplicaSets", strings.TrimSuffix(string(c.Targets[0].Resource), "s"))
	}
	if x.Max < 1 {
		return plain(c.Verb, "--max=MAXPODS is required and must be at least 1, max replicas: %d", max(x.Max, 0))
	}
	if x.Min > x.Max {
		return plain(c.Verb, "--max=MAXPODS must be larger or equal to --min=MINPODS, max replicas: %d, min replicas: %d", x.Max, x.Min)
	}
	return nil
}

func parseTop(c *Command, args []string) error {
	fs := newFlags(c)
	x := &Extra{}
	c.Extra = x
	if err := fs.Parse(args); err != nil {
		return &UsageError{Verb: c.Verb, Msg: err.Error(), Hint: "See 'kubectl top --help' for usage."}
	}
	pos := fs.Args()
	if len(pos) == 0 {
		return usage(c.Verb, "top needs a subcommand: node, pod")
	}
	switch pos[0] {
	case "pod", "pods", "po":
		x.Kind = "pods"
	case "node", "nodes", "no":
		x.Kind = "nodes"
	default:
		return &UsageError{Verb: c.Verb, Msg: fmt.Sprintf("unknown command %q for \"kubectl top\"; kubesim supports: node, pod", pos[0])}
	}
	if len(pos) > 2 {
		return usage(c.Verb, "one NAME at most")
	}
	if len(pos) == 2 {
		x.Name = pos[1]
	}
	return nil
}

func parseAB(c *Command, args []string) error {
	fs := pflag.NewFlagSet("ab", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	x := &Extra{}
	c.Extra = x
	fs.IntVarP(&x.Concurrency, "concurrency", "c", 1, "")
	fs.IntVarP(&x.Requests, "requests", "n", 0, "")
	secs := fs.IntP("timelimit", "t", 0, "")
	if err := fs.Parse(args); err != nil {
		return &UsageError{Verb: c.Verb, Msg: "ab: " + err.Error() + " (kubesim's ab reads -c N, -n COUNT, -t SECONDS and a URL)"}
	}
	if *secs > 0 {
		x.Duration = time.Duration(*secs) * time.Second
		if x.Requests == 0 {
			x.Requests = 50000 // ab -t implies -n 50000
		}
	}
	if x.Requests <= 0 {
		x.Requests = 1 // ab's default: one request
	}
	if x.Concurrency < 1 {
		return plain(c.Verb, "ab: -c must be at least 1")
	}
	if x.Concurrency > x.Requests {
		return plain(c.Verb, "ab: Cannot use concurrency level greater than total number of requests")
	}
	pos := fs.Args()
	if len(pos) != 1 {
		return plain(c.Verb, "ab: wrong number of arguments: give one URL, e.g. ab -c 3 -t 60 http://busyhttp/")
	}
	u := strings.TrimPrefix(pos[0], "http://")
	host, path, _ := strings.Cut(u, "/")
	host, _, _ = strings.Cut(host, ":")
	if host == "" || strings.HasPrefix(pos[0], "https://") {
		return plain(c.Verb, "ab: invalid URL %q: give http://SERVICE[:PORT]/PATH", pos[0])
	}
	x.Service, x.Path = host, "/"+path
	return nil
}

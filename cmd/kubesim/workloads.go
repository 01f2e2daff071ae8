package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kubesim/kubesim/workload"
	"github.com/kubesim/kubesim/workload/isotope"
	"github.com/spf13/pflag"
)

// builtinWorkload is a workload kubesim knows: its name, what it is, and the
// file `workloads show` prints.
type builtinWorkload struct {
	name, what string
	source     func() []byte
}

func builtinWorkloads() []builtinWorkload {
	var out []builtinWorkload
	for _, b := range workload.Builtins() {
		out = append(out, builtinWorkload{b.Name, b.What, b.Source})
	}
	for _, n := range isotope.Examples() {
		b, _ := isotope.Example(n)
		out = append(out, builtinWorkload{n, "isotope example topology: kubesim run --workload FILE", func() []byte { return b }})
	}
	return out
}

func cmdWorkloads(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("workloads", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	help := func(w io.Writer) {
		fmt.Fprintf(w, "Usage:\n  kubesim workloads\n  kubesim workloads show NAME\n\nLists the workloads kubesim knows: the built-in behaviours (DockerCoins, Online\nBoutique), matched to containers by image in every run, and isotope's example\nservice graphs; show prints one as a file to copy, edit and use with\nkubesim run --workload FILE (or under a scenario's workload:).\n\nExamples:\n  kubesim workloads show online-boutique > boutique.yaml\n  kubesim workloads show isotope-canonical > graph.yaml\n  kubesim run --workload graph.yaml --duration 10s\n")
	}
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		return flagError("workloads", err, help, stdout, stderr)
	}
	args = fs.Args()
	all := builtinWorkloads()
	switch {
	case len(args) == 0:
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, w := range all {
			fmt.Fprintf(tw, "%s\t%s\n", w.name, w.what)
		}
		tw.Flush()
		return exitOK
	case len(args) == 2 && args[0] == "show":
		var names []string
		for _, w := range all {
			if w.name == args[1] {
				stdout.Write(w.source())
				return exitOK
			}
			names = append(names, w.name)
		}
		fmt.Fprintf(stderr, "error: unknown workload %q (known: %s)\n", args[1], strings.Join(names, ", "))
		return exitFail
	}
	fmt.Fprintf(stderr, "error: usage: kubesim workloads [show NAME]\nSee 'kubesim workloads --help' for usage.\n")
	return exitUsage
}

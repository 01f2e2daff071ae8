package kubectl

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model/labels"
	"github.com/spf13/pflag"
	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Verb is the command a step runs.
type Verb string

// Verbs: kubectl's, and kubesim's own node and probe steps.
const (
	Apply            Verb = "apply"
	Create           Verb = "create" // create -f FILE
	CreateDeployment Verb = "create deployment"
	CreateNamespace  Verb = "create namespace"           // also create ns
	CreatePDB        Verb = "create poddisruptionbudget" // also create pdb
	Run              Verb = "run"
	Expose           Verb = "expose"
	Scale            Verb = "scale"
	Label            Verb = "label"
	Annotate         Verb = "annotate"
	SetSelector      Verb = "set selector"
	SetImage         Verb = "set image"
	Patch            Verb = "patch"
	Edit             Verb = "edit"
	Delete           Verb = "delete"
	Get              Verb = "get"
	Describe         Verb = "describe"
	RolloutRestart   Verb = "rollout restart"
	RolloutStatus    Verb = "rollout status"
	RolloutHistory   Verb = "rollout history"
	RolloutUndo      Verb = "rollout undo"
	RolloutPause     Verb = "rollout pause"
	RolloutResume    Verb = "rollout resume"
	Cordon           Verb = "cordon"
	Uncordon         Verb = "uncordon"
	Drain            Verb = "drain"
	Taint            Verb = "taint"
	NodeAdd          Verb = "node add"
	NodeRemove       Verb = "node remove"
	NodeReboot       Verb = "node reboot"
	HTTPing          Verb = "httping"
	Sed              Verb = "sed" // sed -i 's/OLD/NEW/[g]' FILE... (sed.go)
	Cat              Verb = "cat" // cat FILE...: prints files of the run's file set
	// Autoscaling and load (autoscale.go runs them with the run's HPAs and
	// metrics-server: Autoscaling).
	Autoscale Verb = "autoscale"
	Top       Verb = "top"
	AB        Verb = "ab" // ApacheBench: ab -c N (-n COUNT | -t SECONDS) URL
)

// KeyValue is one label, annotation or selector entry to set.
type KeyValue struct{ Key, Value string }

// TaintSpec is a node taint as `kubectl taint` writes it: key[=value]:Effect.
// For a removal Effect may be "" (every effect of the key).
type TaintSpec struct{ Key, Value, Effect string }

func (t TaintSpec) String() string {
	s := t.Key
	if t.Value != "" {
		s += "=" + t.Value
	}
	if t.Effect != "" {
		s += ":" + t.Effect
	}
	return s
}

// FieldEdit is one field set by an edit step: Path is the dotted field path
// (spec.selector.enabled), Value the YAML text given for it, unparsed so that
// an unquoted yes is refused as `kubectl edit` refuses it.
type FieldEdit struct{ Path, Value string }

// Command is one parsed step, ready for the runner to apply. Fields not used
// by the verb keep their zero value (or the default noted).
type Command struct {
	Line string // the step as written
	Verb Verb
	// Targets are the objects or types named: TYPE NAME..., TYPE/NAME...,
	// TYPE[,TYPE...]. A Target with Name "" means every object of the type
	// that matches Selector (or all of them with --all). Commands on nodes
	// (cordon, drain, node ...) and httping name their target here too.
	Targets []Target

	Namespace     string        // -n; "" means the default namespace
	AllNamespaces bool          // -A
	Selector      string        // -l, validated label selector syntax
	All           bool          // --all
	Output        string        // -o: "", wide, yaml, json, name, jsonpath=..., custom-columns=...
	DryRun        string        // create deployment/run/expose --dry-run: "" (none), client or server
	Watch         bool          // get -w; rollout status --watch (default true)
	Timeout       time.Duration // rollout status --timeout (0: none)
	NoHeaders     bool          // get --no-headers: tables and custom columns without their header line
	SortBy        string        // get --sort-by (a JSONPath such as .lastTimestamp)
	FieldSelector string        // get --field-selector, as given

	Files     []string   // apply/delete -f; sed's files
	Sed       *SedScript // sed's substitution
	Recursive bool       // apply/delete -R: directories' subdirectories too
	Validate  bool       // apply: false with --validate=false, ignore or warn (default true)
	// ValidateWarn is --validate=warn: unknown and duplicate fields are
	// dropped with the API server's warning (with false or ignore: silently).
	ValidateWarn bool

	Overwrite bool       // label/annotate/taint --overwrite
	Set       []KeyValue // label/annotate changes, set selector entries, node add --label
	Remove    []string   // label/annotate KEY-

	Replicas   int32  // scale --replicas, create deployment --replicas (-1 when not given)
	Image      string // create deployment/run --image (create deployment: the first image)
	Images     []string
	Containers []KeyValue // set image CONTAINER=IMAGE
	Port       int32      // expose/create deployment/run --port (0 when not given)
	TargetPort string     // expose --target-port
	Type       string     // expose --type: ClusterIP, NodePort, LoadBalancer
	Name       string     // expose --name
	Args       []string   // create deployment/run: command after --

	MinAvailable, MaxUnavailable string // create pdb --min-available, --max-unavailable (N or N%)

	Revision int64 // rollout history --revision, rollout undo --to-revision (0: not given)

	Patch     string      // patch -p, as given (JSON or YAML)
	PatchType string      // patch --type: strategic (default), merge, json
	Edits     []FieldEdit // edit

	GracePeriod      int64 // delete/drain --grace-period (-1 when not given)
	Force            bool  // delete/drain --force
	IgnoreNotFound   bool  // delete --ignore-not-found
	IgnoreDaemonSets bool  // drain --ignore-daemonsets
	DeleteEmptyDir   bool  // drain --delete-emptydir-data

	Taints      []TaintSpec // taint, node add --taint
	TaintRemove []TaintSpec // taint KEY[:Effect]-

	CPU, Memory, PodsCapacity resource.Quantity // node add (zero when not given)
	Downtime                  time.Duration     // node reboot --downtime
	Count                     int               // httping -c (0: until the run ends)
	Interval                  time.Duration     // httping -i (default 1s)

	Extra *Extra // autoscale, top, ab
}

// UsageError is a command kubectl would refuse before talking to the server.
// Its text is kubectl's: "error: ..." and, for flag errors, the help hint.
type UsageError struct {
	Verb Verb
	Msg  string // without the "error: " prefix
	// Hint is "See 'kubectl scale -h' for help and examples" where kubectl
	// prints it.
	Hint string
	// Resource is the resource type named, when kubectl could not map it
	// (Msg: the server doesn't have a resource type): a custom resource's,
	// maybe, whose CustomResourceDefinition an earlier step applies.
	Resource string
}

func (e *UsageError) Error() string {
	s := "error: " + e.Msg
	if e.Hint != "" {
		s += "\n" + e.Hint
	}
	return s
}

func usage(v Verb, format string, args ...any) error {
	return &UsageError{Verb: v, Msg: fmt.Sprintf(format, args...),
		Hint: fmt.Sprintf("See 'kubectl %s -h' for help and examples", v)}
}

func plain(v Verb, format string, args ...any) error {
	return &UsageError{Verb: v, Msg: fmt.Sprintf(format, args...)}
}

// Parse parses one step: a kubectl command line (with or without the leading
// "kubectl" or "k") or a kubesim step (node add|remove|reboot, httping).
// Errors are *UsageError, or *RefusalError for the few refusals a real
// kubectl gets from the server whatever the cluster holds (scaling a
// DaemonSet).
func Parse(line string) (Command, error) {
	words, err := Split(line)
	if err != nil {
		return Command{}, &UsageError{Msg: err.Error()}
	}
	if len(words) > 0 && words[0] == "sed" {
		c := Command{Line: line, Verb: Sed}
		s, files, problem := parseSed(words[1:])
		if problem != "" {
			return c, plain(c.Verb, "%s", problem)
		}
		c.Sed, c.Files = s, files
		return c, nil
	}
	if len(words) > 0 && words[0] == "cat" {
		c := Command{Line: line, Verb: Cat, Files: words[1:]}
		if len(c.Files) == 0 {
			return c, plain(Cat, "cat: kubesim steps have no standard input: name the files (cat FILE...)")
		}
		for _, f := range c.Files {
			if strings.HasPrefix(f, "-") {
				return c, plain(Cat, "cat: option %s is not supported by kubesim (it prints files: cat FILE...)", f)
			}
		}
		return c, nil
	}
	if len(words) > 0 && (words[0] == "kubectl" || words[0] == "k") {
		words = words[1:]
	}
	if len(words) == 0 {
		return Command{}, &UsageError{Msg: "empty step: expected a kubectl command (apply, get, label, scale...) or node/httping"}
	}
	c := Command{Line: line, Replicas: -1, GracePeriod: -1, Validate: true}
	// Global flags may come before the command: kubectl -n NS get pods.
	var global []string
	for len(words) > 0 && strings.HasPrefix(words[0], "-") {
		w := words[0]
		switch {
		case w == "-n" || w == "--namespace":
			if len(words) < 2 {
				return c, &UsageError{Msg: "flag needs an argument: " + w}
			}
			global, words = append(global, w, words[1]), words[2:]
		case strings.HasPrefix(w, "--namespace=") || strings.HasPrefix(w, "-n"):
			global, words = append(global, w), words[1:]
		default:
			return c, &UsageError{Msg: "unknown flag: " + w + " (only -n/--namespace may come before the command)"}
		}
	}
	if len(words) == 0 {
		return c, &UsageError{Msg: "empty step: expected a kubectl command (apply, get, label, scale...) or node/httping"}
	}
	verb, rest := words[0], words[1:]
	if verb == "create" && len(rest) > 0 && (rest[0] == "-f" || strings.HasPrefix(rest[0], "--filename") || strings.HasPrefix(rest[0], "-f=") ||
		rest[0] == "-R" || rest[0] == "--recursive" || strings.HasPrefix(rest[0], "--validate")) {
		c.Verb = Create
		return c, parseVerb(&c, append(rest, global...))
	}
	if ok, err := parseExtra(&c, verb, append(rest, global...)); ok {
		return c, err
	}
	switch verb {
	case "create", "rollout", "set", "node":
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return c, usage(Verb(verb), "%s needs a subcommand: %s", verb, subcommands[verb])
		}
		sub := verb + " " + rest[0]
		switch sub {
		case "create ns":
			sub = string(CreateNamespace)
		case "create pdb":
			sub = string(CreatePDB)
		}
		if !knownVerbs[Verb(sub)] {
			return c, &UsageError{Verb: Verb(verb), Msg: fmt.Sprintf("unknown command %q for \"kubectl %s\"; kubesim supports: %s", rest[0], verb, subcommands[verb])}
		}
		c.Verb, rest = Verb(sub), rest[1:]
	default:
		if !knownVerbs[Verb(verb)] {
			return c, &UsageError{Msg: fmt.Sprintf("unknown command %q for \"kubectl\"; kubesim supports: %s", verb, verbList())}
		}
		c.Verb = Verb(verb)
	}
	err = parseVerb(&c, append(rest, global...))
	return c, err
}

var subcommands = map[string]string{
	"create":  "deployment, namespace, poddisruptionbudget (pdb) (or create -f FILE)",
	"rollout": "history, pause, restart, resume, status, undo",
	"set":     "selector, image",
	"node":    "add, remove, reboot",
}

var knownVerbs = map[Verb]bool{}

func init() {
	for _, v := range []Verb{Apply, CreateDeployment, CreateNamespace, CreatePDB, Run, Expose, Scale, Label, Annotate, SetSelector, SetImage, Patch, Edit,
		Delete, Get, Describe, RolloutRestart, RolloutStatus, RolloutHistory, RolloutUndo, RolloutPause, RolloutResume, Cordon, Uncordon, Drain, Taint, NodeAdd, NodeRemove, NodeReboot, HTTPing} {
		knownVerbs[v] = true
	}
}

func verbList() string {
	seen := map[string]bool{}
	var out []string
	// The verbs parseExtra and the shell steps parse before the table.
	for _, v := range []Verb{Autoscale, Top, AB, Sed, Cat} {
		seen[string(v)] = true
		out = append(out, string(v))
	}
	for v := range knownVerbs {
		w, _, _ := strings.Cut(string(v), " ")
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// flags builds the verb's flag set; common flags are added for every verb.
func newFlags(c *Command) *pflag.FlagSet {
	fs := pflag.NewFlagSet(string(c.Verb), pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.StringVarP(&c.Namespace, "namespace", "n", "", "")
	return fs
}

func parseVerb(c *Command, args []string) error {
	fs := newFlags(c)
	var (
		validate  string
		labelsCSV string
		nodeLabel []string
		nodeTaint []string
		cpu, mem  string
		podsCap   string
		port      string
		replicas  int32
		exposeSel string
		interval  string
		dryRun    string
	)
	switch c.Verb {
	case CreateDeployment, Run, Expose, CreatePDB:
		fs.StringVar(&dryRun, "dry-run", "none", "")
		fs.Lookup("dry-run").NoOptDefVal = "unchanged"
		fs.StringVarP(&c.Output, "output", "o", "", "")
	}
	switch c.Verb {
	case Apply, Create:
		fs.StringSliceVarP(&c.Files, "filename", "f", nil, "")
		fs.BoolVarP(&c.Recursive, "recursive", "R", false, "")
		fs.StringVar(&validate, "validate", "strict", "")
		fs.Lookup("validate").NoOptDefVal = "strict"
		fs.StringVarP(&c.Output, "output", "o", "", "")
	case CreateDeployment:
		fs.StringSliceVar(&c.Images, "image", nil, "")
		fs.Int32Var(&replicas, "replicas", 1, "")
		fs.StringVar(&port, "port", "", "")
	case CreatePDB:
		fs.StringVar(&c.Selector, "selector", "", "")
		fs.StringVar(&c.MinAvailable, "min-available", "", "")
		fs.StringVar(&c.MaxUnavailable, "max-unavailable", "", "")
	case Run:
		fs.StringVar(&c.Image, "image", "", "")
		fs.StringVarP(&labelsCSV, "labels", "l", "", "")
		fs.StringVar(&port, "port", "", "")
	case Expose:
		fs.StringVar(&port, "port", "", "")
		fs.StringVar(&c.TargetPort, "target-port", "", "")
		fs.StringVar(&c.Type, "type", "", "")
		fs.StringVar(&c.Name, "name", "", "")
		fs.StringVarP(&exposeSel, "selector", "l", "", "")
	case Scale:
		fs.Int32Var(&replicas, "replicas", -1, "")
		fs.StringVarP(&c.Selector, "selector", "l", "", "")
		fs.BoolVar(&c.All, "all", false, "")
	case Label, Annotate:
		fs.StringVarP(&c.Selector, "selector", "l", "", "")
		fs.BoolVar(&c.All, "all", false, "")
		fs.BoolVar(&c.Overwrite, "overwrite", false, "")
		fs.BoolVarP(&c.AllNamespaces, "all-namespaces", "A", false, "")
	case SetSelector:
		fs.BoolVar(&c.All, "all", false, "")
	case SetImage:
		fs.StringVarP(&c.Selector, "selector", "l", "", "")
		fs.BoolVar(&c.All, "all", false, "")
	case Patch:
		fs.StringVarP(&c.Patch, "patch", "p", "", "")
		fs.StringVar(&c.PatchType, "type", "strategic", "")
	case Edit:
	case Delete:
		fs.StringSliceVarP(&c.Files, "filename", "f", nil, "")
		fs.BoolVarP(&c.Recursive, "recursive", "R", false, "")
		fs.StringVarP(&c.Selector, "selector", "l", "", "")
		fs.BoolVar(&c.All, "all", false, "")
		fs.Int64Var(&c.GracePeriod, "grace-period", -1, "")
		fs.BoolVar(&c.Force, "force", false, "")
		fs.BoolVar(&c.IgnoreNotFound, "ignore-not-found", false, "")
		now := fs.Bool("now", false, "")
		defer func() {
			if *now && c.GracePeriod < 0 {
				c.GracePeriod = 1
			}
		}()
		fs.BoolP("wait", "", true, "")
	case Get, Describe:
		fs.StringVarP(&c.Selector, "selector", "l", "", "")
		fs.BoolVarP(&c.AllNamespaces, "all-namespaces", "A", false, "")
		if c.Verb == Get {
			fs.StringVarP(&c.Output, "output", "o", "", "")
			fs.BoolVarP(&c.Watch, "watch", "w", false, "")
			fs.Bool("show-labels", false, "")
			fs.BoolVar(&c.NoHeaders, "no-headers", false, "")
			fs.StringVar(&c.SortBy, "sort-by", "", "")
			fs.StringVar(&c.FieldSelector, "field-selector", "", "")
		}
	case RolloutRestart:
		fs.StringVarP(&c.Selector, "selector", "l", "", "")
	case RolloutStatus:
		fs.BoolVarP(&c.Watch, "watch", "w", true, "")
		fs.DurationVar(&c.Timeout, "timeout", 0, "")
	case RolloutHistory:
		fs.Int64Var(&c.Revision, "revision", 0, "")
		fs.StringVarP(&c.Selector, "selector", "l", "", "")
	case RolloutUndo:
		fs.Int64Var(&c.Revision, "to-revision", 0, "")
		fs.StringVarP(&c.Selector, "selector", "l", "", "")
	case RolloutPause, RolloutResume:
		fs.StringVarP(&c.Selector, "selector", "l", "", "")
	case Cordon, Uncordon:
		fs.StringVarP(&c.Selector, "selector", "l", "", "")
	case Drain:
		fs.StringVarP(&c.Selector, "selector", "l", "", "")
		fs.BoolVar(&c.IgnoreDaemonSets, "ignore-daemonsets", false, "")
		fs.BoolVar(&c.Force, "force", false, "")
		fs.Int64Var(&c.GracePeriod, "grace-period", -1, "")
		fs.BoolVar(&c.DeleteEmptyDir, "delete-emptydir-data", false, "")
		fs.BoolVar(&c.DeleteEmptyDir, "delete-local-data", false, "")
		fs.Lookup("delete-local-data").Deprecated = "use --delete-emptydir-data"
		fs.Duration("timeout", 0, "")
	case Taint:
		fs.StringVarP(&c.Selector, "selector", "l", "", "")
		fs.BoolVar(&c.All, "all", false, "")
		fs.BoolVar(&c.Overwrite, "overwrite", false, "")
	case NodeAdd:
		fs.StringArrayVar(&nodeLabel, "label", nil, "")
		fs.StringArrayVar(&nodeTaint, "taint", nil, "")
		fs.StringVar(&cpu, "cpu", "", "")
		fs.StringVar(&mem, "memory", "", "")
		fs.StringVar(&podsCap, "pods", "", "")
	case NodeRemove:
	case NodeReboot:
		fs.DurationVar(&c.Downtime, "downtime", 0, "")
	case HTTPing:
		fs.IntVarP(&c.Count, "count", "c", 0, "")
		fs.StringVarP(&interval, "interval", "i", "1s", "")
	}
	if err := fs.Parse(args); err != nil {
		return &UsageError{Verb: c.Verb, Msg: err.Error(), Hint: fmt.Sprintf("See 'kubectl %s --help' for usage.", c.Verb)}
	}
	pos := fs.Args()
	if fs.Lookup("dry-run") != nil {
		if err := checkDryRun(c, dryRun); err != nil {
			return err
		}
	}
	if dash := fs.ArgsLenAtDash(); dash >= 0 {
		c.Args = pos[dash:]
		pos = pos[:dash]
		if c.Verb != CreateDeployment && c.Verb != Run {
			return usage(c.Verb, "unexpected arguments after --: %s", strings.Join(c.Args, " "))
		}
	}
	if c.Selector != "" {
		if _, err := labels.Parse(c.Selector); err != nil {
			return plain(c.Verb, "unable to parse requirement: %v", err)
		}
	}
	if fs.Changed("replicas") {
		c.Replicas = replicas
	} else if c.Verb == CreateDeployment {
		c.Replicas = 1
	}

	switch c.Verb {
	case Apply, Create:
		switch validate {
		case "strict", "true":
			c.Validate = true
		case "warn":
			c.Validate, c.ValidateWarn = false, true
		case "ignore", "false":
			c.Validate = false
		default:
			return plain(c.Verb, "invalid - validate option %q; must be one of: strict (or true), warn, ignore (or false)", validate)
		}
		if len(c.Files) == 0 {
			return usage(c.Verb, "must specify one of -f and -k")
		}
		if len(pos) > 0 {
			return usage(c.Verb, "Unexpected args: %v", pos)
		}
		return checkOutput(c, []string{"", "name", "yaml", "json"})
	case CreateNamespace:
		if len(pos) != 1 {
			return usage(c.Verb, "exactly one NAME is required, got %d", len(pos))
		}
		c.Targets = []Target{{Namespaces, pos[0]}}
		return nil
	case CreatePDB:
		// kubectl's PodDisruptionBudgetOpts.Validate, in its order.
		if len(pos) != 1 {
			return usage(c.Verb, "exactly one NAME is required, got %d", len(pos))
		}
		c.Targets = []Target{{PodDisruptionBudgets, pos[0]}}
		amount := regexp.MustCompile(`^[0-9]+%?$`)
		switch {
		case c.Selector == "":
			return plain(c.Verb, "a selector must be specified")
		case c.MinAvailable == "" && c.MaxUnavailable == "":
			return plain(c.Verb, "one of min-available or max-unavailable must be specified")
		case c.MinAvailable != "" && c.MaxUnavailable != "":
			return plain(c.Verb, "min-available and max-unavailable cannot be both specified")
		case c.MinAvailable != "" && !amount.MatchString(c.MinAvailable):
			return plain(c.Verb, "invalid format specified for min-available")
		case c.MaxUnavailable != "" && !amount.MatchString(c.MaxUnavailable):
			return plain(c.Verb, "invalid format specified for max-unavailable")
		}
		return checkOutput(c, []string{"", "name", "yaml", "json"})
	case CreateDeployment:
		if len(pos) != 1 {
			return usage(c.Verb, "exactly one NAME is required, got %d", len(pos))
		}
		c.Targets = []Target{{Deployments, pos[0]}}
		if len(c.Images) == 0 {
			return usage(c.Verb, "required flag(s) \"image\" not set")
		}
		c.Image = c.Images[0]
		if len(c.Images) > 1 && len(c.Args) > 0 {
			return plain(c.Verb, "cannot specify multiple --image options and command")
		}
		if c.Replicas < 0 {
			return plain(c.Verb, "--replicas must be greater than or equal to 0")
		}
		if err := parsePort(c, port, "port"); err != nil {
			return err
		}
		return checkName(c, pos[0], "a lowercase RFC 1123 subdomain")
	case Run:
		if len(pos) < 1 {
			return usage(c.Verb, "NAME is required for run")
		}
		c.Targets = []Target{{Pods, pos[0]}}
		c.Args = append(pos[1:], c.Args...)
		if c.Image == "" {
			return usage(c.Verb, "required flag(s) \"image\" not set")
		}
		if labelsCSV != "" {
			for _, kv := range strings.Split(labelsCSV, ",") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return plain(c.Verb, "invalid label spec: %s", kv)
				}
				if err := checkLabel(k, v); err != nil {
					return plain(c.Verb, "%v", err)
				}
				c.Set = append(c.Set, KeyValue{k, v})
			}
		}
		if err := parsePort(c, port, "port"); err != nil {
			return err
		}
		return checkName(c, pos[0], "a lowercase RFC 1123 subdomain")
	case Expose:
		if err := parseTargets(c, pos); err != nil {
			return err
		}
		if len(c.Targets) == 0 {
			return usage(c.Verb, "You must provide one or more resources by argument or filename.")
		}
		for _, t := range c.Targets {
			if resources[t.Resource].expose == nil {
				return plain(c.Verb, "cannot expose a %s", t.Resource.Kind())
			}
			if t.Name == "" {
				return plain(c.Verb, "resource(s) were provided, but no name was specified")
			}
		}
		if exposeSel != "" {
			for _, kv := range strings.Split(exposeSel, ",") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return plain(c.Verb, "invalid selector %q: expected key=value pairs", exposeSel)
				}
				c.Set = append(c.Set, KeyValue{strings.TrimSpace(k), strings.TrimSpace(v)})
			}
		}
		switch c.Type {
		case "", "ClusterIP", "NodePort", "LoadBalancer":
		default:
			return plain(c.Verb, "invalid service type %q: supported values: ClusterIP, NodePort, LoadBalancer", c.Type)
		}
		if tp, err := strconv.Atoi(c.TargetPort); err == nil && (tp < 1 || tp > 65535) {
			name := c.Name
			if name == "" {
				name = c.Targets[0].Name
			}
			// The API server refuses the Service kubectl sends.
			return plain(c.Verb, "The Service %q is invalid: spec.ports[0].targetPort: Invalid value: %d: must be between 1 and 65535, inclusive", name, tp)
		}
		return parsePort(c, port, "port")
	case Scale:
		if err := parseTargets(c, pos); err != nil {
			return err
		}
		if c.Replicas < 0 {
			if fs.Changed("replicas") {
				return plain(c.Verb, "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
			}
			return usage(c.Verb, "required flag(s) \"replicas\" not set")
		}
		if len(c.Targets) == 0 {
			return usage(c.Verb, "You must provide one or more resources by argument or filename.")
		}
		for _, t := range c.Targets {
			if t.Resource != Deployments && t.Resource != ReplicaSets {
				// No scale subresource: the server answers 404.
				return refusal("Error from server (NotFound): the server could not find the requested resource")
			}
		}
		return needNames(c)
	case Label, Annotate:
		noun := "label"
		if c.Verb == Annotate {
			noun = "annotation"
		}
		var res, changes []string
		for _, a := range pos {
			isChange := strings.Contains(a, "=") || strings.HasSuffix(a, "-")
			switch {
			case isChange:
				changes = append(changes, a)
			case len(changes) > 0:
				return usage(c.Verb, "all resources must be specified before %s changes: %s", noun, a)
			default:
				res = append(res, a)
			}
		}
		if len(res) == 0 {
			return usage(c.Verb, "one or more resources must be specified as <resource> <name> or <resource>/<name>")
		}
		if len(changes) == 0 {
			return usage(c.Verb, "at least one %s update is required", noun)
		}
		if err := parseChanges(c, changes, noun); err != nil {
			return err
		}
		if err := parseTargets(c, res); err != nil {
			return err
		}
		return needNames(c)
	case SetSelector:
		if len(pos) < 2 || !strings.Contains(pos[len(pos)-1], "=") {
			return usage(c.Verb, "one or more resources and a selector expression must be specified, e.g. kubectl set selector svc rng app=rng,enabled=yes")
		}
		expr := pos[len(pos)-1]
		if err := parseTargets(c, pos[:len(pos)-1]); err != nil {
			return err
		}
		for _, kv := range strings.Split(expr, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || strings.TrimSpace(k) == "" {
				return plain(c.Verb, "invalid selector expression %q: expected key=value[,key=value...]", expr)
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if err := checkLabel(k, v); err != nil {
				return plain(c.Verb, "%v", err)
			}
			c.Set = append(c.Set, KeyValue{k, v})
		}
		return needNames(c)
	case SetImage:
		var res []string
		for _, a := range pos {
			if k, v, ok := strings.Cut(a, "="); ok {
				if k == "" || v == "" {
					return plain(c.Verb, "invalid image spec %q: expected CONTAINER=IMAGE", a)
				}
				c.Containers = append(c.Containers, KeyValue{k, v})
			} else if len(c.Containers) > 0 {
				return usage(c.Verb, "all resources must be specified before image changes: %s", a)
			} else {
				res = append(res, a)
			}
		}
		if len(c.Containers) == 0 {
			return usage(c.Verb, "at least one image update is required")
		}
		if err := parseTargets(c, res); err != nil {
			return err
		}
		return needNames(c)
	case Patch:
		if err := parseTargets(c, pos); err != nil {
			return err
		}
		if len(c.Targets) != 1 || c.Targets[0].Name == "" {
			return usage(c.Verb, "patch requires exactly one TYPE NAME or TYPE/NAME")
		}
		if !fs.Changed("patch") || strings.TrimSpace(c.Patch) == "" {
			return usage(c.Verb, "must specify --patch or --patch-file containing the contents of the patch")
		}
		switch c.PatchType {
		case "strategic", "merge", "json":
		default:
			return plain(c.Verb, "--type must be one of [json merge strategic], not %q", c.PatchType)
		}
		return checkPatch(c)
	case Edit:
		var res []string
		for _, a := range pos {
			if p, v, ok := strings.Cut(a, "="); ok && strings.Contains(p, ".") {
				c.Edits = append(c.Edits, FieldEdit{p, v})
			} else if len(c.Edits) > 0 {
				return usage(c.Verb, "all resources must be specified before field changes: %s", a)
			} else {
				res = append(res, a)
			}
		}
		if err := parseTargets(c, res); err != nil {
			return err
		}
		if len(c.Targets) != 1 || c.Targets[0].Name == "" {
			return usage(c.Verb, "edit requires exactly one TYPE NAME or TYPE/NAME")
		}
		if len(c.Edits) == 0 {
			return usage(c.Verb, "kubesim edits are non-interactive: give the fields to change as PATH=VALUE, e.g. kubectl edit service rng spec.selector.enabled='\"yes\"'")
		}
		for _, e := range c.Edits {
			if err := checkEditPath(e.Path); err != nil {
				return plain(c.Verb, "%v", err)
			}
		}
		_, err := c.EditPatch()
		if err != nil {
			return plain(c.Verb, "%v", err)
		}
		return nil
	case Delete:
		if len(c.Files) > 0 {
			if len(pos) > 0 {
				return plain(c.Verb, "Unexpected args: %v", pos)
			}
			return nil
		}
		if len(pos) == 0 {
			return usage(c.Verb, "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
		}
		if err := parseTargets(c, pos); err != nil {
			return err
		}
		if c.All && c.Selector != "" {
			return plain(c.Verb, "cannot set --all and --selector at the same time")
		}
		if c.GracePeriod < -1 {
			return plain(c.Verb, "--grace-period must be -1 or greater")
		}
		if c.Force && c.GracePeriod < 0 {
			c.GracePeriod = 0
		}
		return needNames(c)
	case Get, Describe:
		if len(pos) == 0 {
			if c.Verb == Describe {
				return usage(c.Verb, "You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.")
			}
			return usage(c.Verb, "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.")
		}
		if err := parseTargets(c, pos); err != nil {
			return err
		}
		if c.Verb == Get {
			if _, err := getAloneKinds(*c); err != nil {
				return err
			}
			return checkGetOutput(c)
		}
		return checkDescribeKinds(*c)
	case RolloutRestart, RolloutStatus, RolloutHistory, RolloutUndo, RolloutPause, RolloutResume:
		if err := parseTargets(c, pos); err != nil {
			return err
		}
		if len(c.Targets) == 0 {
			return usage(c.Verb, "required resource not specified")
		}
		if c.Revision < 0 {
			return plain(c.Verb, "revision must be a positive integer: %d", c.Revision)
		}
		for _, t := range c.Targets {
			ops := resources[t.Resource].rollout
			if ops == nil {
				switch c.Verb {
				case RolloutStatus:
					return plain(c.Verb, "no status viewer has been implemented for %s", t.Resource.GroupKind())
				case RolloutHistory:
					return plain(c.Verb, "no history viewer has been implemented for %q", t.Resource.GroupKind())
				case RolloutUndo:
					return plain(c.Verb, "no rollbacker has been implemented for %q", t.Resource.GroupKind())
				case RolloutPause:
					return plain(c.Verb, "%s %q pausing is not supported", t.Resource.Qualified(), t.Name)
				case RolloutResume:
					return plain(c.Verb, "%s %q resuming is not supported", t.Resource.Qualified(), t.Name)
				}
				return plain(c.Verb, "%s %q restarting is not supported", t.Resource.Qualified(), t.Name)
			}
			if ops.pause == nil && (c.Verb == RolloutPause || c.Verb == RolloutResume) {
				what := "pausing"
				if c.Verb == RolloutResume {
					what = "resuming"
				}
				return plain(c.Verb, "%s %q %s is not supported", t.Resource.Qualified(), t.Name, what)
			}
		}
		if c.Verb == RolloutStatus && (len(c.Targets) != 1 || c.Targets[0].Name == "") {
			return plain(c.Verb, "rollout status requires exactly one resource, e.g. deployment/rng")
		}
		return needNames(c)
	case Cordon, Uncordon, Drain:
		if len(pos) == 0 && c.Selector == "" {
			return usage(c.Verb, "USAGE: %s NODE [flags]", c.Verb)
		}
		if len(pos) > 1 {
			return usage(c.Verb, "USAGE: %s NODE [flags]", c.Verb)
		}
		for _, n := range pos {
			c.Targets = append(c.Targets, Target{Nodes, n})
		}
		if len(pos) == 0 {
			c.Targets = []Target{{Nodes, ""}}
		}
		return nil
	case Taint:
		var res, changes []string
		for _, a := range pos {
			if strings.Contains(a, "=") || strings.Contains(a, ":") || strings.HasSuffix(a, "-") {
				changes = append(changes, a)
			} else if len(changes) > 0 {
				return usage(c.Verb, "all resources must be specified before taint changes: %s", a)
			} else {
				res = append(res, a)
			}
		}
		if len(res) == 0 {
			return usage(c.Verb, "one or more resources must be specified as <resource> <name> or <resource>/<name>")
		}
		if err := parseTargets(c, res); err != nil {
			return err
		}
		for _, t := range c.Targets {
			if t.Resource != Nodes {
				return plain(c.Verb, "resource type %s is not supported: taints apply to nodes", t.Resource)
			}
		}
		if len(changes) == 0 {
			return usage(c.Verb, "at least one taint update is required")
		}
		for _, s := range changes {
			if strings.HasSuffix(s, "-") {
				t, err := parseTaint(strings.TrimSuffix(s, "-"), true)
				if err != nil {
					return plain(c.Verb, "%v", err)
				}
				c.TaintRemove = append(c.TaintRemove, t)
				continue
			}
			t, err := parseTaint(s, false)
			if err != nil {
				return plain(c.Verb, "%v", err)
			}
			c.Taints = append(c.Taints, t)
		}
		for _, a := range c.Taints {
			for _, r := range c.TaintRemove {
				if a.Key == r.Key && (r.Effect == "" || r.Effect == a.Effect) {
					return plain(c.Verb, "can not both modify and remove the following taint(s) in the same command: %s", r)
				}
			}
		}
		return needNames(c)
	case NodeAdd, NodeRemove, NodeReboot:
		if len(pos) != 1 {
			return &UsageError{Verb: c.Verb, Msg: fmt.Sprintf("%s needs exactly one NODE name, got %d", c.Verb, len(pos))}
		}
		c.Targets = []Target{{Nodes, pos[0]}}
		if err := checkName(c, pos[0], "a lowercase RFC 1123 subdomain"); err != nil {
			return err
		}
		if c.Verb == NodeReboot && c.Downtime <= 0 {
			if fs.Changed("downtime") {
				return &UsageError{Verb: c.Verb, Msg: fmt.Sprintf("invalid --downtime %v: the time the node is down must be positive (e.g. --downtime 60s)", c.Downtime)}
			}
			return &UsageError{Verb: c.Verb, Msg: "node reboot needs --downtime, the time the node is down (e.g. --downtime 60s)"}
		}
		for _, l := range nodeLabel {
			k, v, ok := strings.Cut(l, "=")
			if !ok {
				return &UsageError{Verb: c.Verb, Msg: fmt.Sprintf("invalid --label %q: expected key=value", l)}
			}
			if err := checkLabel(k, v); err != nil {
				return &UsageError{Verb: c.Verb, Msg: err.Error()}
			}
			c.Set = append(c.Set, KeyValue{k, v})
		}
		for _, s := range nodeTaint {
			t, err := parseTaint(s, false)
			if err != nil {
				return &UsageError{Verb: c.Verb, Msg: "--taint: " + err.Error()}
			}
			c.Taints = append(c.Taints, t)
		}
		for _, q := range []struct {
			s    string
			dst  *resource.Quantity
			flag string
		}{{cpu, &c.CPU, "cpu"}, {mem, &c.Memory, "memory"}, {podsCap, &c.PodsCapacity, "pods"}} {
			if q.s == "" {
				continue
			}
			v, err := resource.ParseQuantity(q.s)
			if err != nil || v.Sign() <= 0 {
				return &UsageError{Verb: c.Verb, Msg: fmt.Sprintf("invalid --%s %q: expected a positive quantity (e.g. --cpu 2, --cpu 3500m, --memory 4Gi, --pods 110)", q.flag, q.s)}
			}
			*q.dst = v
		}
		return nil
	case HTTPing:
		if len(pos) != 1 {
			return &UsageError{Verb: c.Verb, Msg: fmt.Sprintf("httping needs exactly one SERVICE name, got %d", len(pos))}
		}
		name := pos[0]
		if r, n, ok := strings.Cut(name, "/"); ok {
			if res, found := LookupResource(r); !found || res != Services {
				return &UsageError{Verb: c.Verb, Msg: fmt.Sprintf("httping probes a Service, not %q", name)}
			}
			name = n
		}
		c.Targets = []Target{{Services, name}}
		if c.Count < 0 {
			return &UsageError{Verb: c.Verb, Msg: "-c must be 0 (until the run ends) or a positive count"}
		}
		d, err := time.ParseDuration(interval)
		if err != nil {
			if f, ferr := strconv.ParseFloat(interval, 64); ferr == nil {
				d, err = time.Duration(f*float64(time.Second)), nil
			}
		}
		if err != nil || d <= 0 {
			return &UsageError{Verb: c.Verb, Msg: fmt.Sprintf("invalid -i %q: expected a positive interval (e.g. 1s, 200ms, 0.5)", interval)}
		}
		c.Interval = d
		return nil
	}
	return nil
}

func checkOutput(c *Command, allowed []string) error {
	for _, a := range allowed {
		if c.Output == a {
			return nil
		}
	}
	return plain(c.Verb, "unable to match a printer suitable for the output format %q, allowed formats are: %s", c.Output, strings.Join(allowed[1:], ","))
}

func parsePort(c *Command, s, flag string) error {
	if s == "" {
		return nil
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return plain(c.Verb, "invalid --%s %q: must be a port number between 1 and 65535", flag, s)
	}
	c.Port = int32(p)
	return nil
}

func checkName(c *Command, name, what string) error {
	if !dnsSubdomain(name) {
		return plain(c.Verb, "invalid name %q: must be %s (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)", name, what)
	}
	return nil
}

func dnsSubdomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" || part[0] == '-' || part[len(part)-1] == '-' {
			return false
		}
		for i := 0; i < len(part); i++ {
			ch := part[i]
			if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-') {
				return false
			}
		}
	}
	return true
}

func checkLabel(k, v string) error {
	if err := labels.ValidateKey(k); err != nil {
		return err
	}
	return labels.ValidateValue(v)
}

// parseTargets reads TYPE NAME..., TYPE/NAME... and TYPE[,TYPE...] forms.
func parseTargets(c *Command, pos []string) error {
	if len(pos) == 0 {
		return nil
	}
	if strings.Contains(pos[0], "/") {
		for _, p := range pos {
			r, n, ok := strings.Cut(p, "/")
			if !ok {
				return plain(c.Verb, "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl %s resource/<resource_name>' instead of 'kubectl %s resource resource/<resource_name>'", c.Verb, c.Verb)
			}
			if n == "" {
				return plain(c.Verb, "arguments in resource/name form must have a single resource and name")
			}
			res, found := LookupResource(r)
			if !found {
				return unknownResource(r)
			}
			if res == All {
				return plain(c.Verb, "arguments in resource/name form must have a single resource and name")
			}
			c.Targets = append(c.Targets, Target{res, n})
		}
		return nil
	}
	types := strings.Split(pos[0], ",")
	var rs []Resource
	for _, t := range types {
		res, found := LookupResource(t)
		if !found {
			return unknownResource(t)
		}
		if res == All && c.Verb != Get && c.Verb != Delete && c.Verb != Describe {
			return unknownResource(t)
		}
		rs = append(rs, res)
	}
	for _, n := range pos[1:] {
		if strings.Contains(n, "/") {
			return plain(c.Verb, "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl %s resource/<resource_name>' instead of 'kubectl %s resource resource/<resource_name>'", c.Verb, c.Verb)
		}
	}
	for _, r := range rs {
		if len(pos) == 1 {
			c.Targets = append(c.Targets, Target{r, ""})
			continue
		}
		for _, n := range pos[1:] {
			c.Targets = append(c.Targets, Target{r, n})
		}
	}
	return nil
}

// needNames refuses a command that names a type but no object, no selector
// and not --all, as kubectl's resource builder does.
func needNames(c *Command) error {
	for _, t := range c.Targets {
		if t.Name == "" && c.Selector == "" && !c.All {
			return plain(c.Verb, "resource(s) were provided, but no name was specified")
		}
		if t.Name != "" && (c.Selector != "" || c.All) {
			if c.All {
				return plain(c.Verb, "setting 'all' parameter but found a non empty selector.")
			}
			return plain(c.Verb, "name cannot be provided when a selector is specified")
		}
	}
	return nil
}

// parseChanges reads label/annotation changes KEY=VALUE and KEY-.
func parseChanges(c *Command, changes []string, noun string) error {
	set := map[string]bool{}
	for _, s := range changes {
		if strings.Contains(s, "=") {
			parts := strings.Split(s, "=")
			if noun == "label" && len(parts) != 2 {
				return usage(c.Verb, "invalid label spec: %s", s)
			}
			k, v, _ := strings.Cut(s, "=")
			if noun == "label" {
				if err := labels.ValidateValue(v); err != nil {
					return usage(c.Verb, "invalid label value: %q: %v", s, err)
				}
			}
			if err := labels.ValidateKey(k); err != nil {
				return usage(c.Verb, "invalid %s spec: %s: %v", noun, s, err)
			}
			c.Set = append(c.Set, KeyValue{k, v})
			set[k] = true
			continue
		}
		k := strings.TrimSuffix(s, "-")
		if err := labels.ValidateKey(k); err != nil {
			return usage(c.Verb, "invalid %s spec: %s: %v", noun, s, err)
		}
		c.Remove = append(c.Remove, k)
	}
	var both []string
	for _, k := range c.Remove {
		if set[k] {
			both = append(both, k)
		}
	}
	if len(both) > 0 {
		return usage(c.Verb, "can not both modify and remove the following %s(s) in the same command: %s", noun, strings.Join(both, ", "))
	}
	return nil
}

// parseTaint reads key[=value]:Effect (a removal may omit :Effect).
func parseTaint(s string, removal bool) (TaintSpec, error) {
	var t TaintSpec
	kv, effect, hasEffect := strings.Cut(s, ":")
	if !hasEffect && !removal {
		return t, fmt.Errorf("invalid taint spec: %v, unknown taint spec format: expected key[=value]:Effect", s)
	}
	t.Key, t.Value, _ = strings.Cut(kv, "=")
	t.Effect = effect
	if removal && strings.Contains(kv, "=") {
		// kubectl accepts key=value:Effect- and ignores the value.
		t.Value = ""
	}
	if err := labels.ValidateKey(t.Key); err != nil {
		return t, fmt.Errorf("invalid taint spec: %v, %v", s, err)
	}
	if t.Value != "" {
		if err := labels.ValidateValue(t.Value); err != nil {
			return t, fmt.Errorf("invalid taint spec: %v, %v", s, err)
		}
	}
	switch t.Effect {
	case "NoSchedule", "PreferNoSchedule", "NoExecute":
	case "":
		if !removal {
			return t, fmt.Errorf("invalid taint spec: %v, unknown taint spec format: expected key[=value]:Effect", s)
		}
	default:
		return t, fmt.Errorf("invalid taint effect: %v, unsupported taint effect", t.Effect)
	}
	return t, nil
}

// checkPatch checks that a patch parses (JSON or YAML, as kubectl accepts it).
func checkPatch(c *Command) error {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(c.Patch), &n); err != nil {
		return plain(c.Verb, "unable to parse %q: %v", c.Patch, err)
	}
	if len(n.Content) == 0 {
		return usage(c.Verb, "must specify --patch or --patch-file containing the contents of the patch")
	}
	top := n.Content[0]
	if c.PatchType == "json" {
		if top.Kind != yaml.SequenceNode {
			return plain(c.Verb, "unable to parse %q: a JSON patch is a list of operations, e.g. [{\"op\": \"replace\", \"path\": \"/spec/replicas\", \"value\": 3}]", c.Patch)
		}
		return nil
	}
	if top.Kind != yaml.MappingNode {
		return plain(c.Verb, "unable to parse %q: a %s patch is a mapping (a partial object)", c.Patch, c.PatchType)
	}
	return nil
}

func checkEditPath(p string) error {
	for _, part := range strings.Split(p, ".") {
		if part == "" {
			return fmt.Errorf("invalid field path %q: empty part", p)
		}
	}
	return nil
}

// EditPatch returns the edit step's changes as a YAML merge patch (a partial
// object), keeping each value's YAML text as written so that the runner's
// strict decoding refuses an unquoted yes like kubectl edit does. A field
// path part may be quoted with [..] for keys that contain dots:
// metadata.labels[app.kubernetes.io/name]=rng.
func (c Command) EditPatch() (string, error) {
	root := &yaml.Node{Kind: yaml.MappingNode}
	for _, e := range c.Edits {
		parts, err := splitPath(e.Path)
		if err != nil {
			return "", err
		}
		var val yaml.Node
		if err := yaml.Unmarshal([]byte(e.Value), &val); err != nil {
			return "", fmt.Errorf("invalid value for %s: %v", e.Path, err)
		}
		v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
		if len(val.Content) > 0 {
			v = val.Content[0]
		}
		m := root
		for i, p := range parts {
			var next *yaml.Node
			for j := 0; j+1 < len(m.Content); j += 2 {
				if m.Content[j].Value == p {
					next = m.Content[j+1]
				}
			}
			if i == len(parts)-1 {
				if next != nil {
					return "", fmt.Errorf("field %s given twice", e.Path)
				}
				m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: p, Style: yaml.DoubleQuotedStyle}, v)
				break
			}
			if next == nil {
				next = &yaml.Node{Kind: yaml.MappingNode}
				m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: p, Style: yaml.DoubleQuotedStyle}, next)
			} else if next.Kind != yaml.MappingNode {
				return "", fmt.Errorf("field %s conflicts with another edit", e.Path)
			}
			m = next
		}
	}
	out, err := yaml.Marshal(root)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

func splitPath(p string) ([]string, error) {
	var parts []string
	for p != "" {
		if p[0] == '[' {
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, errors.New("unterminated [ in field path")
			}
			parts = append(parts, p[1:end])
			p = strings.TrimPrefix(p[end+1:], ".")
			continue
		}
		i := strings.IndexAny(p, ".[")
		if i < 0 {
			parts = append(parts, p)
			break
		}
		parts = append(parts, p[:i])
		p = strings.TrimPrefix(p[i:], ".")
	}
	return parts, nil
}

// RefusalError is a command kubectl accepted but the cluster refused (or
// kubectl refused after reading the cluster). Error() is kubectl's text.
type RefusalError struct{ Msg string }

func (e *RefusalError) Error() string { return e.Msg }

func refusal(format string, args ...any) error {
	return &RefusalError{Msg: fmt.Sprintf(format, args...)}
}

// getOutputFormats is what `kubectl get -o` lists as allowed formats, in
// kubectl's order (JSON/YAML, name, templates, custom columns, wide).
var getOutputFormats = []string{"json", "yaml", "kyaml", "name", "go-template", "go-template-file", "template", "templatefile",
	"jsonpath", "jsonpath-as-json", "jsonpath-file", "custom-columns", "custom-columns-file", "wide"}

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

// StructuredOutput reports whether an -o value prints objects rather than a
// table: yaml, json, jsonpath=..., jsonpath-as-json=..., custom-columns=...
func StructuredOutput(output string) bool {
	format, _, _ := strings.Cut(output, "=")
	switch format {
	case "yaml", "json", "jsonpath", "jsonpath-as-json", "custom-columns":
		return true
	}
	return false
}

// checkGetOutput accepts the -o values kubesim prints for get and refuses
// the others: kubectl's own error for a format kubectl does not know, a
// kubesim error naming the alternatives for one it knows but kubesim does
// not print.
func checkGetOutput(c *Command) error {
	out := c.Output
	switch out {
	case "", "wide", "name", "yaml", "json":
		return nil
	}
	format, arg, hasArg := strings.Cut(out, "=")
	switch format {
	case "jsonpath", "jsonpath-as-json", "custom-columns":
		if !hasArg || arg == "" {
			if format == "custom-columns" {
				return plain(c.Verb, "custom-columns format specified but no custom columns given")
			}
			return plain(c.Verb, "template format specified but no template given")
		}
		return nil
	case "kyaml", "go-template", "go-template-file", "template", "templatefile", "jsonpath-file", "custom-columns-file":
		return plain(c.Verb, "-o %s is not supported by kubesim; it prints -o yaml, json, name, wide, jsonpath=TEMPLATE, jsonpath-as-json=TEMPLATE and custom-columns=SPEC", format)
	}
	return plain(c.Verb, "unable to match a printer suitable for the output format %q, allowed formats are: %s", out, strings.Join(getOutputFormats, ","))
}

// checkDryRun reads --dry-run as kubectl does: none (the default), client or
// server; a bare --dry-run is refused as kubectl refuses it.
func checkDryRun(c *Command, value string) error {
	switch value {
	case "none", "":
		c.DryRun = ""
	case "client", "server":
		c.DryRun = value
	default:
		return plain(c.Verb, "Invalid dry-run value (%s). Must be \"none\", \"server\", or \"client\".", value)
	}
	switch c.Output {
	case "", "name", "yaml", "json":
		return nil
	}
	return plain(c.Verb, "unable to match a printer suitable for the output format %q, allowed formats are: %s", c.Output,
		strings.Join(dryRunOutputFormats, ","))
}

// dryRunOutputFormats are the -o values of create, run and expose.
var dryRunOutputFormats = []string{"json", "yaml", "kyaml", "name", "go-template", "go-template-file", "template", "templatefile",
	"jsonpath", "jsonpath-as-json", "jsonpath-file"}

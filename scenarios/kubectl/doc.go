// Package kubectl owns the command grammar of scenario steps: kubectl command
// lines as people type them, and kubesim's own node and probe steps, parsed
// into a typed Command the scenario runner applies to the model.
//
// Parse(line) accepts, with or without a leading "kubectl" (or "k"):
//
//	apply -f FILE|DIR... [-R] [--validate=false|ignore|warn|strict] [-o name|yaml|json]; create -f FILE|DIR... [-R]
//	create deployment NAME --image=IMAGE [--replicas=N] [--port=P] [--dry-run=client [-o yaml|json|name]] [-- CMD ARGS...]
//	run NAME --image=IMAGE [--labels=k=v,...] [--port=P] [--dry-run=client [-o yaml|json|name]] [-- CMD ARGS...]
//	expose TYPE NAME --port=P [--target-port=T] [--type=NodePort] [--name=N] [--selector=k=v] [--dry-run=client [-o ...]]
//	scale TYPE NAME --replicas=N
//	label TYPE (NAME... | -l SEL | --all) k=v... k-... [--overwrite]
//	annotate TYPE (NAME... | -l SEL | --all) k=v... k-... [--overwrite]
//	set selector TYPE NAME k=v[,k=v...]
//	set image TYPE NAME CONTAINER=IMAGE...
//	patch TYPE NAME -p PATCH [--type=strategic|merge|json]
//	edit TYPE NAME PATH=VALUE...            (kubesim: a non-interactive edit)
//	delete TYPE (NAME... | -l SEL | --all) [--grace-period=S] [--force] [--now] | delete -f FILE
//	get TYPE[,TYPE...] [NAME...] [-l SEL] [-o wide|yaml|json|name|jsonpath=T|jsonpath-as-json=T|custom-columns=SPEC] [--no-headers]; get all
//	describe TYPE [NAME...] [-l SEL]
//	rollout restart|status|pause|resume TYPE NAME
//	rollout history TYPE NAME [--revision N]; rollout undo TYPE NAME [--to-revision N]
//	cordon|uncordon NODE; drain NODE [--ignore-daemonsets] [--force] [--grace-period=S] [--delete-emptydir-data]
//	taint nodes NODE key[=value]:Effect... key[:Effect]-... [--overwrite]
//	node add NAME [--label k=v]... [--taint k=v:Effect]... [--cpu 2] [--memory 4Gi] [--pods 110]
//	node remove NAME
//	node reboot NAME --downtime 60s
//	httping SERVICE [-c N] [-i INTERVAL]
//	sed -i 's/OLD/NEW/[g]' FILE...         (edits files of the run's file set)
//	cat FILE...                              (prints them)
//
// Any step may end with `> FILE` or `>> FILE` (SplitRedirect): its standard
// output goes to FILE in the run's file set, which later steps' -f FILE and
// sed read.
//
// -n/--namespace is accepted everywhere. TYPE is any name kubectl resolves for
// the simulated resources: po/pod/pods, deploy/deployment(s), rs/replicaset(s),
// ds/daemonset(s), svc/service(s), no/node(s), ns/namespace(s), Kind names and
// resource.group forms (deployments.apps); TYPE/NAME works wherever TYPE NAME
// does. Flags follow kubectl's (pflag) syntax: --flag=value, --flag value,
// -l value, interspersed with arguments, -- ending flags.
//
// The line is split into words as a POSIX shell would (quotes and backslash
// escapes); shell variables, command substitution, pipes and other
// redirections are refused with an error saying so, since a step is one command.
//
// A command kubectl would refuse before reaching the server fails with a
// *UsageError whose text is kubectl's, e.g. `error: required flag(s)
// "replicas" not set` or `error: the server doesn't have a resource type
// "deploymnt"`. The refusals that need the cluster's state (a label that
// already has a value, an object not found, a drain blocked by daemon pods)
// are the executor's to detect; messages.go provides their constructors
// (LabelOverwrite, NotFound, DrainRefused...) and success lines (Done, Deleted,
// RolloutDone...) so that they are worded exactly like kubectl.
//
// # Executor and printers
//
// Executor (steps.go) applies parsed commands to a model.Cluster, which gives
// it the clock, the objects and the event log; Env gives it the rest of the
// scenario run: its file set (Files, files.go: -f FILE|DIR, cat, sed, > FILE),
// the request path (httping) and the autoscaling steps and HPA creation
// (Autoscaling, which scenarios/autoscale.go implements; HPAs are found with
// hpa.ControllerOf(c) and printed here, hpa.go). NewExecutor(c, env).Exec(line) runs one
// step and returns what kubectl would print, or its error. Conversions between
// API objects and the model are the manifest package's (manifest/convert.go).
//
// The kinds table (kinds.go; its fields in resources.go) has one entry per
// kind: its names, group and scope, how to get and list its objects, and what
// each verb does with them. Adding a kind is adding an entry, and its API
// types to the manifest package's kinds (decode.go), which Decode reads:
// TestKindsTableMatchesManifestKinds fails until the two agree. Where to look:
//
//	get, describe: tables and describers       printers.go (row, describe); events.go, pdb.go
//	get -o yaml|json|jsonpath|custom-columns    objects.go (apiObject), manifest.Printer
//	apply, create -f, patch, edit               steps.go (apply, patch), apply.go (apply per kind)
//	scale, set image, delete, expose            steps.go (scale, setImage, delete, expose per kind)
//	rollout                                     rollout.go (rollout per kind)
//	autoscale, top, ab; HorizontalPodAutoscalers autoscale.go; hpa.go (the HPA kind's entry functions)
//	parsing every step (flags, -o, --dry-run)   parse.go; sed.go (sed's s/OLD/NEW/ script)
//	kubectl's words (errors, success lines)     messages.go
//
// The tests (*_test.go) run steps on a small cluster and compare what kubectl
// would print.
//
// The edit step takes PATH=VALUE pairs (spec.selector.enabled=VALUE) where
// VALUE is YAML after shell unquoting: `spec.selector.enabled=yes` is the
// YAML boolean that `kubectl edit` refuses, `spec.selector.enabled='"yes"'`
// the string. Command.EditPatch turns the pairs into a YAML merge patch.
package kubectl

package kubectl

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// base is a parsed command with Parse's defaults.
func base(line string, v Verb, targets ...Target) Command {
	return Command{Line: line, Verb: v, Targets: targets, Replicas: -1, GracePeriod: -1, Validate: true}
}

func normalize(c Command) Command {
	if len(c.Targets) == 0 {
		c.Targets = nil
	}
	if len(c.Files) == 0 {
		c.Files = nil
	}
	if len(c.Images) == 0 {
		c.Images = nil
	}
	if len(c.Args) == 0 {
		c.Args = nil
	}
	c.CPU, c.Memory, c.PodsCapacity = c.CPU.DeepCopy(), c.Memory.DeepCopy(), c.PodsCapacity.DeepCopy()
	return c
}

func TestParseCommands(t *testing.T) {
	dep := func(n string) Target { return Target{Deployments, n} }
	pod := func(n string) Target { return Target{Pods, n} }
	svc := func(n string) Target { return Target{Services, n} }
	node := func(n string) Target { return Target{Nodes, n} }
	cases := []struct {
		line string
		want func(c *Command)
		verb Verb
		tgts []Target
	}{
		{"kubectl apply -f rng.yml", func(c *Command) { c.Files = []string{"rng.yml"} }, Apply, nil},
		{"kubectl apply -f rng.yml --validate=false", func(c *Command) { c.Files = []string{"rng.yml"}; c.Validate = false }, Apply, nil},
		{"apply --validate=ignore -f a.yml,b.yml -f c.yml", func(c *Command) { c.Files = []string{"a.yml", "b.yml", "c.yml"}; c.Validate = false }, Apply, nil},
		{"k apply -f rng.yml --validate", func(c *Command) { c.Files = []string{"rng.yml"} }, Apply, nil},
		{"kubectl apply --filename=x.yaml -n dockercoins", func(c *Command) { c.Files = []string{"x.yaml"}; c.Namespace = "dockercoins" }, Apply, nil},
		{"kubectl create deployment rng --image=dockercoins/rng:v0.1", func(c *Command) {
			c.Image, c.Images, c.Replicas = "dockercoins/rng:v0.1", []string{"dockercoins/rng:v0.1"}, 1
		}, CreateDeployment, []Target{dep("rng")}},
		{"kubectl create deployment worker --image dockercoins/worker:v0.1 --replicas 3 --port=80 -- python worker.py", func(c *Command) {
			c.Image, c.Images, c.Replicas, c.Port, c.Args = "dockercoins/worker:v0.1", []string{"dockercoins/worker:v0.1"}, 3, 80, []string{"python", "worker.py"}
		}, CreateDeployment, []Target{dep("worker")}},
		{"kubectl run labeldemo --labels isactive=yes --image alpine ping 1.1.1.1", func(c *Command) {
			c.Image, c.Set, c.Args = "alpine", []KeyValue{{"isactive", "yes"}}, []string{"ping", "1.1.1.1"}
		}, Run, []Target{pod("labeldemo")}},
		{"kubectl expose deployment rng --port 80", func(c *Command) { c.Port = 80 }, Expose, []Target{dep("rng")}},
		{"kubectl expose deploy/webui --type=NodePort --port=80 --target-port=http --name=webui-np", func(c *Command) {
			c.Port, c.Type, c.TargetPort, c.Name = 80, "NodePort", "http", "webui-np"
		}, Expose, []Target{dep("webui")}},
		{"kubectl expose deployment rng", nil, Expose, []Target{dep("rng")}},
		{"kubectl scale deployment worker --replicas=10", func(c *Command) { c.Replicas = 10 }, Scale, []Target{dep("worker")}},
		{"kubectl scale --replicas 0 deploy/worker rs/hasher-abc", func(c *Command) { c.Replicas = 0 }, Scale, []Target{dep("worker"), {ReplicaSets, "hasher-abc"}}},
		{"kubectl scale deploy -l app=worker --replicas=2", func(c *Command) { c.Replicas, c.Selector = 2, "app=worker" }, Scale, []Target{dep("")}},
		{"kubectl label pods -l app=rng enabled=yes", func(c *Command) {
			c.Selector, c.Set = "app=rng", []KeyValue{{"enabled", "yes"}}
		}, Label, []Target{pod("")}},
		{"kubectl label pod -l app=rng,pod-template-hash enabled-", func(c *Command) {
			c.Selector, c.Remove = "app=rng,pod-template-hash", []string{"enabled"}
		}, Label, []Target{pod("")}},
		{"kubectl label --overwrite pods rng-abc rng-def enabled=no foo= bar-", func(c *Command) {
			c.Overwrite, c.Set, c.Remove = true, []KeyValue{{"enabled", "no"}, {"foo", ""}}, []string{"bar"}
		}, Label, []Target{pod("rng-abc"), pod("rng-def")}},
		{"kubectl label nodes node1 gpu=true", func(c *Command) { c.Set = []KeyValue{{"gpu", "true"}} }, Label, []Target{node("node1")}},
		{"kubectl label po --all app.kubernetes.io/part-of=dockercoins", func(c *Command) {
			c.All, c.Set = true, []KeyValue{{"app.kubernetes.io/part-of", "dockercoins"}}
		}, Label, []Target{pod("")}},
		{"kubectl annotate svc rng kubesim.io/note='canary traffic' old-", func(c *Command) {
			c.Set, c.Remove = []KeyValue{{"kubesim.io/note", "canary traffic"}}, []string{"old"}
		}, Annotate, []Target{svc("rng")}},
		{"kubectl set selector svc rng app=rng,enabled=yes", func(c *Command) {
			c.Set = []KeyValue{{"app", "rng"}, {"enabled", "yes"}}
		}, SetSelector, []Target{svc("rng")}},
		{"kubectl set image deploy/worker worker=dockercoins/worker:v0.2", func(c *Command) {
			c.Containers = []KeyValue{{"worker", "dockercoins/worker:v0.2"}}
		}, SetImage, []Target{dep("worker")}},
		{`kubectl patch pod/labeldemo-854f7df968-p2rk9 -p '{"metadata":{"labels":{"isactive":"no"}}}'`, func(c *Command) {
			c.Patch, c.PatchType = `{"metadata":{"labels":{"isactive":"no"}}}`, "strategic"
		}, Patch, []Target{pod("labeldemo-854f7df968-p2rk9")}},
		{"kubectl patch deployment rng --type merge -p 'spec: {replicas: 3}'", func(c *Command) {
			c.Patch, c.PatchType = "spec: {replicas: 3}", "merge"
		}, Patch, []Target{dep("rng")}},
		{`kubectl patch svc rng --type=json -p '[{"op":"remove","path":"/spec/selector/enabled"}]'`, func(c *Command) {
			c.Patch, c.PatchType = `[{"op":"remove","path":"/spec/selector/enabled"}]`, "json"
		}, Patch, []Target{svc("rng")}},
		{"kubectl edit service rng spec.selector.enabled=yes", func(c *Command) {
			c.Edits = []FieldEdit{{"spec.selector.enabled", "yes"}}
		}, Edit, []Target{svc("rng")}},
		{`kubectl edit ds/rng spec.template.metadata.labels.isactive='"yes"' spec.selector.matchLabels.isactive='"yes"'`, func(c *Command) {
			c.Edits = []FieldEdit{{"spec.template.metadata.labels.isactive", `"yes"`}, {"spec.selector.matchLabels.isactive", `"yes"`}}
		}, Edit, []Target{{DaemonSets, "rng"}}},
		{"kubectl delete pod rng-abc", nil, Delete, []Target{pod("rng-abc")}},
		{"kubectl delete pods -l app=rng --grace-period=0 --force", func(c *Command) {
			c.Selector, c.GracePeriod, c.Force = "app=rng", 0, true
		}, Delete, []Target{pod("")}},
		{"kubectl delete deploy,svc rng", nil, Delete, []Target{dep("rng"), svc("rng")}},
		{"kubectl delete ds/rng deploy/rng --now", func(c *Command) { c.GracePeriod = 1 }, Delete, []Target{{DaemonSets, "rng"}, dep("rng")}},
		{"kubectl delete pods --all --force", func(c *Command) { c.All, c.Force, c.GracePeriod = true, true, 0 }, Delete, []Target{pod("")}},
		{"kubectl delete -f rng.yml", func(c *Command) { c.Files = []string{"rng.yml"} }, Delete, nil},
		{"kubectl get all", nil, Get, []Target{{All, ""}}},
		{"kubectl get pods -o wide", func(c *Command) { c.Output = "wide" }, Get, []Target{pod("")}},
		{"kubectl get pods -w", func(c *Command) { c.Watch = true }, Get, []Target{pod("")}},
		{"kubectl get deploy/rng -o yaml", func(c *Command) { c.Output = "yaml" }, Get, []Target{dep("rng")}},
		{"kubectl get pod -l app=rng,pod-template-hash -o name", func(c *Command) {
			c.Selector, c.Output = "app=rng,pod-template-hash", "name"
		}, Get, []Target{pod("")}},
		{"kubectl get pods --selector app=rng", func(c *Command) { c.Selector = "app=rng" }, Get, []Target{pod("")}},
		{"kubectl get deployments.apps,ds -A", func(c *Command) { c.AllNamespaces = true }, Get, []Target{dep(""), {DaemonSets, ""}}},
		{"kubectl get no", nil, Get, []Target{node("")}},
		{"kubectl get ns", nil, Get, []Target{{Namespaces, ""}}},
		{"kubectl get nodes -l gpu=true --show-labels", func(c *Command) { c.Selector = "gpu=true" }, Get, []Target{node("")}},
		{"kubectl describe service rng", nil, Describe, []Target{svc("rng")}},
		{"kubectl describe rs -l run=rng", func(c *Command) { c.Selector = "run=rng" }, Describe, []Target{{ReplicaSets, ""}}},
		{"kubectl -n my-awesome-ns describe ds my-awesome-daemonset", func(c *Command) { c.Namespace = "my-awesome-ns" }, Describe, []Target{{DaemonSets, "my-awesome-daemonset"}}},
		{"kubectl rollout restart deploy/rng", nil, RolloutRestart, []Target{dep("rng")}},
		{"kubectl rollout restart daemonset rng", nil, RolloutRestart, []Target{{DaemonSets, "rng"}}},
		{"kubectl rollout status deployment/worker", func(c *Command) { c.Watch = true }, RolloutStatus, []Target{dep("worker")}},
		{"kubectl cordon node2", nil, Cordon, []Target{node("node2")}},
		{"kubectl uncordon node2", nil, Uncordon, []Target{node("node2")}},
		{"kubectl cordon -l zone=b", func(c *Command) { c.Selector = "zone=b" }, Cordon, []Target{node("")}},
		{"kubectl drain node2 --ignore-daemonsets --delete-emptydir-data --grace-period=10 --force", func(c *Command) {
			c.IgnoreDaemonSets, c.DeleteEmptyDir, c.GracePeriod, c.Force = true, true, 10, true
		}, Drain, []Target{node("node2")}},
		{"kubectl taint nodes node1 dedicated=gpu:NoSchedule", func(c *Command) {
			c.Taints = []TaintSpec{{"dedicated", "gpu", "NoSchedule"}}
		}, Taint, []Target{node("node1")}},
		{"kubectl taint node node1 node-role.kubernetes.io/control-plane:NoSchedule --overwrite", func(c *Command) {
			c.Taints, c.Overwrite = []TaintSpec{{"node-role.kubernetes.io/control-plane", "", "NoSchedule"}}, true
		}, Taint, []Target{node("node1")}},
		{"kubectl taint no node1 dedicated:NoSchedule- other-", func(c *Command) {
			c.TaintRemove = []TaintSpec{{"dedicated", "", "NoSchedule"}, {"other", "", ""}}
		}, Taint, []Target{node("node1")}},
		{"kubectl taint nodes --all dedicated=gpu:NoExecute", func(c *Command) {
			c.All, c.Taints = true, []TaintSpec{{"dedicated", "gpu", "NoExecute"}}
		}, Taint, []Target{node("")}},
		{"node remove node3", nil, NodeRemove, []Target{node("node3")}},
		{"node reboot node2 --downtime 60s", func(c *Command) { c.Downtime = time.Minute }, NodeReboot, []Target{node("node2")}},
		{"node add node4", nil, NodeAdd, []Target{node("node4")}},
		{"httping rng", func(c *Command) { c.Interval = time.Second }, HTTPing, []Target{svc("rng")}},
		{"httping svc/hasher -c 10 -i 200ms -n dockercoins", func(c *Command) {
			c.Count, c.Interval, c.Namespace = 10, 200*time.Millisecond, "dockercoins"
		}, HTTPing, []Target{svc("hasher")}},
		{"  kubectl   get   pods   # watch them", nil, Get, []Target{pod("")}},
	}
	for _, tc := range cases {
		got, err := Parse(tc.line)
		if err != nil {
			t.Errorf("%s: %v", tc.line, err)
			continue
		}
		want := base(tc.line, tc.verb, tc.tgts...)
		if tc.want != nil {
			tc.want(&want)
		}
		if g, w := normalize(got), normalize(want); !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", tc.line, g, w)
		}
	}
}

func TestParseNodeAddResources(t *testing.T) {
	c, err := Parse("node add node4 --label gpu=true --label zone=b --taint dedicated=gpu:NoSchedule --cpu 2 --memory 4Gi --pods 110")
	if err != nil {
		t.Fatal(err)
	}
	if c.CPU.MilliValue() != 2000 || c.Memory.Value() != 4<<30 || c.PodsCapacity.Value() != 110 ||
		!reflect.DeepEqual(c.Set, []KeyValue{{"gpu", "true"}, {"zone", "b"}}) ||
		!reflect.DeepEqual(c.Taints, []TaintSpec{{"dedicated", "gpu", "NoSchedule"}}) {
		t.Errorf("%+v", c)
	}
	c, err = Parse("node add node5 --cpu 3500m")
	if err != nil || c.CPU.MilliValue() != 3500 || !c.Memory.IsZero() {
		t.Errorf("%+v %v", c, err)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ line, want string }{
		{"", "error: empty step: expected a kubectl command (apply, get, label, scale...) or node/httping"},
		{"kubectl", "error: empty step: expected a kubectl command (apply, get, label, scale...) or node/httping"},
		{"kubectl frobnicate pods", `error: unknown command "frobnicate" for "kubectl"; kubesim supports: ab, annotate, apply, autoscale, cat, cordon, create, delete, describe, drain, edit, expose, get, httping, label, node, patch, rollout, run, scale, sed, set, taint, top, uncordon`},
		{"kubectl create secret generic x", `error: unknown command "secret" for "kubectl create"; kubesim supports: deployment, namespace, poddisruptionbudget (pdb) (or create -f FILE)`},
		// kubectl create pdb's checks (PodDisruptionBudgetOpts.Validate), in order.
		{"kubectl create pdb", "error: exactly one NAME is required, got 0\nSee 'kubectl create poddisruptionbudget -h' for help and examples"},
		{"kubectl create pdb web --min-available=1", "error: a selector must be specified"},
		{"kubectl create pdb web --selector=app=web", "error: one of min-available or max-unavailable must be specified"},
		{"kubectl create pdb web --selector=app=web --min-available=1 --max-unavailable=50%", "error: min-available and max-unavailable cannot be both specified"},
		{"kubectl create pdb web --selector=app=web --min-available=10Gb", "error: invalid format specified for min-available"},
		{"kubectl create poddisruptionbudget web --selector=app=web --max-unavailable=1.5", "error: invalid format specified for max-unavailable"},
		{"kubectl rollout", "error: rollout needs a subcommand: history, pause, restart, resume, status, undo\nSee 'kubectl rollout -h' for help and examples"},
		{"kubectl apply rng.yml", "error: must specify one of -f and -k\nSee 'kubectl apply -h' for help and examples"},
		{"kubectl apply -f rng.yml --validate=maybe", `error: invalid - validate option "maybe"; must be one of: strict (or true), warn, ignore (or false)`},
		{"kubectl apply -f rng.yml -o wide", `error: unable to match a printer suitable for the output format "wide", allowed formats are: name,yaml,json`},
		{"kubectl apply -f", "error: flag needs an argument: 'f' in -f\nSee 'kubectl apply --help' for usage."},
		{"kubectl create deployment rng", "error: required flag(s) \"image\" not set\nSee 'kubectl create deployment -h' for help and examples"},
		{"kubectl create deployment --image=x", "error: exactly one NAME is required, got 0\nSee 'kubectl create deployment -h' for help and examples"},
		{"kubectl create deployment Rng --image=x", "error: invalid name \"Rng\": must be a lowercase RFC 1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)"},
		{"kubectl create deployment rng --image=x --replicas=-2", "error: --replicas must be greater than or equal to 0"},
		{"kubectl run x", "error: required flag(s) \"image\" not set\nSee 'kubectl run -h' for help and examples"},
		{"kubectl run x --image=i --labels=a", "error: invalid label spec: a"},
		{"kubectl expose deployment", "error: resource(s) were provided, but no name was specified"},
		{"kubectl expose ds rng --port 80", "error: cannot expose a DaemonSet"},
		{"kubectl expose deploy rng --port 0", `error: invalid --port "0": must be a port number between 1 and 65535`},
		{"kubectl expose deploy rng --port 80 --target-port 70000", `error: The Service "rng" is invalid: spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive`},
		{"kubectl expose deploy rng --port 80 --type=External", `error: invalid service type "External": supported values: ClusterIP, NodePort, LoadBalancer`},
		{"kubectl scale deployment worker", "error: required flag(s) \"replicas\" not set\nSee 'kubectl scale -h' for help and examples"},
		{"kubectl scale deployment worker --replicas=-1", "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"},
		{"kubectl scale deployment worker --replicas=ten", "error: invalid argument \"ten\" for \"--replicas\" flag: strconv.ParseInt: parsing \"ten\": invalid syntax\nSee 'kubectl scale --help' for usage."},
		{"kubectl scale deploymnt worker --replicas=3", `error: the server doesn't have a resource type "deploymnt"`},
		{"kubectl scale ds rng --replicas=3", "Error from server (NotFound): the server could not find the requested resource"},
		{"kubectl scale deployment --replicas=3", "error: resource(s) were provided, but no name was specified"},
		{"kubectl scale --replicas=3", "error: You must provide one or more resources by argument or filename.\nSee 'kubectl scale -h' for help and examples"},
		{"kubectl label pods foo", "error: at least one label update is required\nSee 'kubectl label -h' for help and examples"},
		{"kubectl label enabled=yes", "error: one or more resources must be specified as <resource> <name> or <resource>/<name>\nSee 'kubectl label -h' for help and examples"},
		{"kubectl label pods a=b foo", "error: all resources must be specified before label changes: foo\nSee 'kubectl label -h' for help and examples"},
		{"kubectl label pods enabled=yes", "error: resource(s) were provided, but no name was specified"},
		{"kubectl label pods foo -l app=rng a=b", "error: name cannot be provided when a selector is specified"},
		{"kubectl label pods foo a=b=c", "error: invalid label spec: a=b=c\nSee 'kubectl label -h' for help and examples"},
		{"kubectl label pods foo 'a=b c'", `error: invalid label value: "a=b c": invalid label value "b c": a value must be empty or consist of letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. 'app', 'my.name', 'app_v-2')` + "\nSee 'kubectl label -h' for help and examples"},
		{"kubectl label pods foo a=b a-", "error: can not both modify and remove the following label(s) in the same command: a\nSee 'kubectl label -h' for help and examples"},
		{"kubectl label pods foo a=b --overwrit", "error: unknown flag: --overwrit\nSee 'kubectl label --help' for usage."},
		{"kubectl label pods -l 'app in (rng' a=b", `error: unable to parse requirement: invalid label selector "app in (rng": at column 12: found the end of the selector after value "rng", expected ',' or ')'`},
		{"kubectl annotate pods foo", "error: at least one annotation update is required\nSee 'kubectl annotate -h' for help and examples"},
		{"kubectl set selector svc rng", "error: one or more resources and a selector expression must be specified, e.g. kubectl set selector svc rng app=rng,enabled=yes\nSee 'kubectl set selector -h' for help and examples"},
		{"kubectl set selector svc rng app", "error: one or more resources and a selector expression must be specified, e.g. kubectl set selector svc rng app=rng,enabled=yes\nSee 'kubectl set selector -h' for help and examples"},
		{"kubectl set selector svc rng app=rng,tier", `error: invalid selector expression "app=rng,tier": expected key=value[,key=value...]`},
		{"kubectl -x get pods", "error: unknown flag: -x (only -n/--namespace may come before the command)"},
		{"kubectl set image deploy/worker", "error: at least one image update is required\nSee 'kubectl set image -h' for help and examples"},
		{"kubectl patch pod/x", "error: must specify --patch or --patch-file containing the contents of the patch\nSee 'kubectl patch -h' for help and examples"},
		{"kubectl patch pod x y -p '{}'", "error: patch requires exactly one TYPE NAME or TYPE/NAME\nSee 'kubectl patch -h' for help and examples"},
		{"kubectl patch pod/x -p '{\"a\": '", `error: unable to parse "{\"a\": ": yaml: line 1: did not find expected node content`},
		{"kubectl patch pod/x -p '[1]'", `error: unable to parse "[1]": a strategic patch is a mapping (a partial object)`},
		{"kubectl patch pod/x --type=apply -p '{}'", `error: --type must be one of [json merge strategic], not "apply"`},
		{`kubectl patch pod/x -p "$PATCH"`, "error: kubesim steps do not expand shell variables or commands ($PATCH); write the value itself, quoted if needed"},
		{"kubectl edit service rng", "error: kubesim edits are non-interactive: give the fields to change as PATH=VALUE, e.g. kubectl edit service rng spec.selector.enabled='\"yes\"'\nSee 'kubectl edit -h' for help and examples"},
		{"kubectl edit service spec.selector.a=b", "error: edit requires exactly one TYPE NAME or TYPE/NAME\nSee 'kubectl edit -h' for help and examples"},
		{"kubectl edit svc rng spec.selector.a=b spec.selector.a=c", "error: field spec.selector.a given twice"},
		{"kubectl delete", "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\nSee 'kubectl delete -h' for help and examples"},
		{"kubectl delete pod", "error: resource(s) were provided, but no name was specified"},
		{"kubectl delete pods --all -l app=rng", "error: cannot set --all and --selector at the same time"},
		{"kubectl delete pods foo --all", "error: setting 'all' parameter but found a non empty selector."},
		{"kubectl delete pod pod/foo", "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl delete resource/<resource_name>' instead of 'kubectl delete resource resource/<resource_name>'"},
		{"kubectl delete pod/", "error: arguments in resource/name form must have a single resource and name"},
		{"kubectl delete -f x.yml pods", "error: Unexpected args: [pods]"},
		{"kubectl get", "error: You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\nSee 'kubectl get -h' for help and examples"},
		{"kubectl get pods -o table", `error: unable to match a printer suitable for the output format "table", allowed formats are: json,yaml,kyaml,name,go-template,go-template-file,template,templatefile,jsonpath,jsonpath-as-json,jsonpath-file,custom-columns,custom-columns-file,wide`},
		{"kubectl get secrets", `error: kubesim does not simulate secrets (v1 Secret): apply -f skips them with a warning, so no step can get, describe or change one; remove this step`},
		{"kubectl get sts", `error: kubesim does not simulate sts (apps/v1 StatefulSet): apply -f skips them with a warning, so no step can get, describe or change one; remove this step`},
		{"kubectl describe statefulsets.apps db", `error: kubesim does not simulate statefulsets.apps (apps/v1 StatefulSet): apply -f skips them with a warning, so no step can get, describe or change one; remove this step`},
		{"kubectl delete ingresses/web", `error: kubesim does not simulate ingresses (networking.k8s.io/v1 Ingress): apply -f skips them with a warning, so no step can get, describe or change one; remove this step`},
		{"kubectl get networkpolicies", `error: kubesim does not simulate networkpolicies (networking.k8s.io/v1 NetworkPolicy): apply -f skips them with a warning, so no step can get, describe or change one; remove this step`},
		{"kubectl get statefulsets.batch", `error: the server doesn't have a resource type "statefulsets.batch"`},
		// Refused before the run, not at its time in the timeline.
		{"kubectl get all,events -n t", "error: kubesim lists events and endpointslices on their own: give them in a get step of their own"},
		{"kubectl get endpointslices,events", "error: kubesim lists events and endpointslices on their own: give them in a get step of their own"},
		{"kubectl describe events", "error: kubesim does not describe events; get events lists them"},
		{"kubectl describe endpointslices,pods", "error: kubesim describes endpointslices on their own: give them in a describe step of their own"},
		{"kubectl get pods/", "error: arguments in resource/name form must have a single resource and name"},
		{"kubectl describe", "error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\nSee 'kubectl describe -h' for help and examples"},
		{"kubectl rollout restart pod/x", `error: pods "x" restarting is not supported`},
		{"kubectl rollout status rs/x", "error: no status viewer has been implemented for ReplicaSet.apps"},
		{"kubectl rollout status pod/x", "error: no status viewer has been implemented for Pod"},
		{"kubectl rollout restart deploy", "error: resource(s) were provided, but no name was specified"},
		{"kubectl rollout status deploy", "error: rollout status requires exactly one resource, e.g. deployment/rng"},
		{"kubectl cordon", "error: USAGE: cordon NODE [flags]\nSee 'kubectl cordon -h' for help and examples"},
		{"kubectl drain a b", "error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples"},
		{"kubectl drain node2 --ignore-daemonset", "error: unknown flag: --ignore-daemonset\nSee 'kubectl drain --help' for usage."},
		{"kubectl taint nodes node1", "error: at least one taint update is required\nSee 'kubectl taint -h' for help and examples"},
		{"kubectl taint pods x a=b:NoSchedule", "error: resource type pods is not supported: taints apply to nodes"},
		{"kubectl taint nodes node1 dedicated=gpu:Nope", "error: invalid taint effect: Nope, unsupported taint effect"},
		{"kubectl taint nodes node1 dedicated=gpu", "error: invalid taint spec: dedicated=gpu, unknown taint spec format: expected key[=value]:Effect"},
		{"kubectl taint nodes node1 a:NoSchedule a:NoSchedule-", "error: can not both modify and remove the following taint(s) in the same command: a:NoSchedule"},
		{"node", "error: node needs a subcommand: add, remove, reboot\nSee 'kubectl node -h' for help and examples"},
		{"node explode n1", `error: unknown command "explode" for "kubectl node"; kubesim supports: add, remove, reboot`},
		{"node add", "error: node add needs exactly one NODE name, got 0"},
		{"node add node4 --cpu lots", `error: invalid --cpu "lots": expected a positive quantity (e.g. --cpu 2, --cpu 3500m, --memory 4Gi, --pods 110)`},
		{"node add node4 --label gpu", `error: invalid --label "gpu": expected key=value`},
		{"node add node4 --taint gpu", "error: --taint: invalid taint spec: gpu, unknown taint spec format: expected key[=value]:Effect"},
		{"node reboot node2", "error: node reboot needs --downtime, the time the node is down (e.g. --downtime 60s)"},
		{"node reboot node2 --downtime -1m", "error: invalid --downtime -1m0s: the time the node is down must be positive (e.g. --downtime 60s)"},
		{"node reboot node2 --downtime 0s", "error: invalid --downtime 0s: the time the node is down must be positive (e.g. --downtime 60s)"},
		{"node reboot node2 --downtime 60", "error: invalid argument \"60\" for \"--downtime\" flag: time: missing unit in duration \"60\"\nSee 'kubectl node reboot --help' for usage."},
		{"httping", "error: httping needs exactly one SERVICE name, got 0"},
		{"httping deploy/rng", `error: httping probes a Service, not "deploy/rng"`},
		{"httping rng -c -1", "error: -c must be 0 (until the run ends) or a positive count"},
		{"httping rng -i never", `error: invalid -i "never": expected a positive interval (e.g. 1s, 200ms, 0.5)`},
		{"kubectl get pods | grep rng", "error: kubesim steps are single commands: pipes, redirections and command lists (| > < ; &) are not supported; quote the character if it is part of a value"},
		{"kubectl get deploy/rng -o yaml >rng.yml", "error: kubesim steps are single commands: pipes, redirections and command lists (| > < ; &) are not supported; quote the character if it is part of a value"},
		{"kubectl label pods 'foo a=b", "error: unterminated ' quote"},
		{"POD=$(kubectl get pod -o name)", "error: kubesim steps do not expand shell variables or commands ($(kubectl); write the value itself, quoted if needed"},
	}
	for _, tc := range cases {
		_, err := Parse(tc.line)
		if err == nil {
			t.Errorf("%q: no error, want %q", tc.line, tc.want)
			continue
		}
		var ue *UsageError
		var re *RefusalError
		if !errors.As(err, &ue) && !errors.As(err, &re) {
			t.Errorf("%q: error %T, want *UsageError or *RefusalError", tc.line, err)
		}
		if err.Error() != tc.want {
			t.Errorf("%q:\ngot  %q\nwant %q", tc.line, err.Error(), tc.want)
		}
	}
}

func TestSplit(t *testing.T) {
	cases := []struct {
		line string
		want []string
	}{
		{`a 'b c' "d e"`, []string{"a", "b c", "d e"}},
		{`a b\ c`, []string{"a", "b c"}},
		{`-p '{"a": "$x"}'`, []string{"-p", `{"a": "$x"}`}},
		{`"a\"b" 'c'"d"`, []string{`a"b`, "cd"}},
		{`a=""`, []string{"a="}},
		{"a\tb  # c d", []string{"a", "b"}},
		{"a#b", []string{"a#b"}},
		{`"x\$y"`, []string{"x$y"}},
	}
	for _, c := range cases {
		got, err := Split(c.line)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Split(%q) = %q, %v; want %q", c.line, got, err, c.want)
		}
	}
}

func TestLookupResource(t *testing.T) {
	want := map[string]Resource{
		"po": Pods, "pod": Pods, "pods": Pods, "Pod": Pods,
		"deploy": Deployments, "deployment": Deployments, "deployments": Deployments, "deployments.apps": Deployments, "deploy.apps": Deployments,
		"rs": ReplicaSets, "replicaset": ReplicaSets, "replicasets": ReplicaSets,
		"ds": DaemonSets, "daemonset": DaemonSets, "daemonsets": DaemonSets, "DaemonSet": DaemonSets,
		"svc": Services, "service": Services, "services": Services, "services.v1": Services,
		"no": Nodes, "node": Nodes, "nodes": Nodes,
		"ns": Namespaces, "namespace": Namespaces, "namespaces": Namespaces,
		"cm": ConfigMaps, "configmap": ConfigMaps, "configmaps": ConfigMaps, "ConfigMap": ConfigMaps,
		"all": All,
	}
	for s, r := range want {
		got, ok := LookupResource(s)
		if !ok || got != r {
			t.Errorf("LookupResource(%q) = %q, %v; want %q", s, got, ok, r)
		}
	}
	for _, s := range []string{"deploymnt", "pods.apps", "secret", "statefulsets", ""} {
		if r, ok := LookupResource(s); ok {
			t.Errorf("LookupResource(%q) = %q", s, r)
		}
	}
	if Deployments.Qualified() != "deployments.apps" || Pods.Qualified() != "pods" || DaemonSets.Ref("rng") != "daemonset.apps/rng" ||
		Services.Ref("rng") != "service/rng" {
		t.Error("Qualified/Ref")
	}
}

func TestEditPatch(t *testing.T) {
	c, err := Parse(`kubectl edit svc rng spec.selector.enabled=yes spec.selector.app='"rng"' 'metadata.labels[app.kubernetes.io/name]=rng'`)
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.EditPatch()
	if err != nil {
		t.Fatal(err)
	}
	want := "\"spec\":\n    \"selector\":\n        \"enabled\": yes\n        \"app\": \"rng\"\n\"metadata\":\n    \"labels\":\n        \"app.kubernetes.io/name\": rng\n"
	if p != want {
		t.Errorf("EditPatch:\n%s\nwant\n%s", p, want)
	}
}

func TestMessages(t *testing.T) {
	cases := []struct{ got, want string }{
		{LabelOverwrite("enabled", "yes").Error(), "error: 'enabled' already has a value (yes), and --overwrite is false"},
		{NotFound(Deployments, "rng").Error(), `Error from server (NotFound): deployments.apps "rng" not found`},
		{NotFound(Pods, "x").Error(), `Error from server (NotFound): pods "x" not found`},
		{AlreadyExists(Services, "rng").Error(), `Error from server (AlreadyExists): services "rng" already exists`},
		{CreateAlreadyExists(Deployments, "rng").Error(), `error: failed to create deployment: deployments.apps "rng" already exists`},
		{AnnotationOverwrite([]KeyValue{{"a", "b"}}).Error(), "error: --overwrite is false but found the following declared annotation(s): 'a' already has a value (b)"},
		{NoResourcesFound("default"), "No resources found in default namespace."},
		{Done(Deployments, "rng", "scaled"), "deployment.apps/rng scaled"},
		{Done(Nodes, "node2", "cordoned"), "node/node2 cordoned"},
		{Deleted(Pods, "rng-x", "default"), `pod "rng-x" deleted from default namespace`},
		{Deleted(Nodes, "node3", "default"), `node "node3" deleted`},
		{Deleted(Deployments, "rng", "default"), `deployment.apps "rng" deleted from default namespace`},
		{DrainRefused("node2", []string{"default/rng-b", "default/rng-a"}, nil).Error(),
			"error: unable to drain node \"node2\" due to error: cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/rng-a, default/rng-b, continuing command...\nThere are pending nodes to be drained:\n node2\ncannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/rng-a, default/rng-b"},
		{DrainRefused("n", []string{"d/x"}, []string{"d/y"}).Error(),
			"error: unable to drain node \"n\" due to error: [cannot delete Pods that declare no controller (use --force to override): d/y, cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): d/x], continuing command...\nThere are pending nodes to be drained:\n n\ncannot delete Pods that declare no controller (use --force to override): d/y\ncannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): d/x"},
		{DrainIgnoringDaemonSets([]string{"kube-system/kube-proxy-b", "default/rng-a"}), "Warning: ignoring DaemonSet-managed Pods: default/rng-a, kube-system/kube-proxy-b"},
		{TaintExists("node1", "dedicated").Error(), "error: node node1 already has dedicated taint(s) with same effect(s) and --overwrite is false"},
		{TaintNotFound(TaintSpec{"dedicated", "", "NoSchedule"}).Error(), `error: taint "dedicated:NoSchedule" not found`},
		{RolloutDone("rng"), `deployment "rng" successfully rolled out`},
		{RolloutWaitingAvailable("worker", 2, 3), `Waiting for deployment "worker" rollout to finish: 2 of 3 updated replicas are available...`},
		{DaemonSetRolloutDone("rng"), `daemon set "rng" successfully rolled out`},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got  %q\nwant %q", c.got, c.want)
		}
	}
	var re *RefusalError
	if !errors.As(LabelOverwrite("a", "b"), &re) {
		t.Error("LabelOverwrite is not a *RefusalError")
	}
	_ = strings.TrimSpace
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"kubectl label pods -l app=rng enabled=yes", "kubectl taint nodes n a=b:NoSchedule-",
		"node add n --cpu 2 --memory 4Gi", `kubectl patch pod/x -p '{"a":1}'`, "kubectl edit svc rng spec.selector.a=yes",
		"kubectl -n x get deploy,svc rng -o wide", "httping rng -c 3 -i 0.5", "kubectl delete -f a.yml"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c, err := Parse(line)
		if err != nil {
			if err.Error() == "" || !strings.HasPrefix(err.Error(), "error: ") && !strings.HasPrefix(err.Error(), "Error from server") {
				t.Fatalf("bad error text %q", err)
			}
			return
		}
		if c.Verb == "" || !knownVerbs[c.Verb] {
			t.Fatalf("parsed without a verb: %+v", c)
		}
		if c.Verb == Edit {
			if _, err := c.EditPatch(); err != nil {
				t.Fatalf("EditPatch failed after Parse succeeded: %v", err)
			}
		}
	})
}

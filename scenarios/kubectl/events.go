package kubectl

// kubectl get events, the Events: section of describe, and kubectl get
// endpointslices.
//
// Events come from the model's EventLog (model/eventlog.go), which records
// them as client-go's recorder does; a run attaches one to its cluster.
// `get events` lists them as the API server returns them, by name
// (INVOLVEDOBJECT.%x of the creation time in nanoseconds, as the recorder
// names them), so one object's events come together, oldest first, unless
// --sort-by=.lastTimestamp (or .firstTimestamp, .metadata.creationTimestamp,
// .count) orders them; --field-selector takes the Event fields the API server
// indexes (involvedObject.kind|name|namespace|fieldPath, reason, type,
// source, reportingComponent, metadata.name) with =, == and !=.

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios/manifest"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
)

// getAloneKinds is the kinds of cmd's targets that get lists with printers
// of their own (events, endpointslices), each once; it refuses them mixed
// with other kinds or with each other, which Parse checks before a run.
func getAloneKinds(cmd Command) ([]Resource, error) {
	var alone []Resource
	others := false
	for _, t := range cmd.Targets {
		switch {
		case resources[t.Resource].getAlone == nil:
			others = true
		case !slices.Contains(alone, t.Resource):
			alone = append(alone, t.Resource)
		}
	}
	if len(alone) > 0 && (others || len(alone) > 1) {
		return nil, &UsageError{Verb: cmd.Verb, Msg: "kubesim lists events and endpointslices on their own: give them in a get step of their own"}
	}
	return alone, nil
}

// getSpecial prints get of the kinds that have printers of their own (their
// entry's getAlone: events, endpointslices), and refuses --sort-by and
// --field-selector on the kinds that take none; ok is false when the generic
// printer handles cmd.
func getSpecial(c *model.Cluster, cmd Command) (out string, err error, ok bool) {
	alone, err := getAloneKinds(cmd)
	if err != nil {
		return "", err, true
	}
	var kind resourceInfo
	if len(alone) > 0 {
		kind = resources[alone[0]]
	}
	switch {
	case !kind.selectsFields && (cmd.SortBy != "" || cmd.FieldSelector != ""):
		return "", &UsageError{Verb: cmd.Verb, Msg: "kubesim supports --sort-by and --field-selector on events only (kubectl get events --sort-by=.lastTimestamp --field-selector involvedObject.name=NAME)"}, true
	case len(alone) == 0 || cmd.Watch:
		return "", nil, false
	}
	show := kind.getAlone
	switch {
	case StructuredOutput(cmd.Output) || cmd.Output == "name":
		show = kind.getAloneObjects
	case cmd.Output != "" && cmd.Output != "wide":
		show = nil
	}
	if show == nil {
		return "", &UsageError{Verb: cmd.Verb, Msg: fmt.Sprintf("-o %s is not supported by kubesim for %s: it prints their tables (get, get -o wide)", cmd.Output, cmd.Targets[0].Resource)}, true
	}
	p, err := newPrinter(c, cmd)
	if err != nil {
		return "", err, true
	}
	out, err = show(p, cmd)
	return out, err, true
}

// eventLog is the cluster's event log (nil when the run records none).
func eventLog(c *model.Cluster) *model.EventLog {
	l, _ := c.EventSink().(*model.EventLog)
	return l
}

// namedEvent is an event with its API object name.
type namedEvent struct {
	*model.Event
	name string
}

// eventName is the recorder's name for an event: the involved object's name,
// ".", and the creation time's Unix nanoseconds in hex (the wall clock of the
// run's start plus the simulated time, so that names sort by time as the API
// server lists them).
func eventName(c *model.Cluster, e *model.Event) string {
	return e.Object.Name + "." + strconv.FormatInt(c.WallClock(e.First).UnixNano(), 16)
}

// events lists the events that exist now in the namespace asked for (every
// namespace with -A), sorted by name.
func (p *printer) events() []namedEvent {
	l := eventLog(p.c)
	if l == nil {
		return nil
	}
	var out []namedEvent
	for _, e := range l.Events(p.now) {
		if !p.all && eventNamespace(e) != p.ns {
			continue
		}
		out = append(out, namedEvent{e, eventName(p.c, e)})
	}
	slices.SortStableFunc(out, func(a, b namedEvent) int { return strings.Compare(a.name, b.name) })
	return out
}

// eventNamespace is where an event lives: its object's namespace; events of
// cluster-scoped objects (nodes) are in default, as the recorder puts them.
func eventNamespace(e *model.Event) string {
	if e.Object.Namespace == "" {
		return defaultNamespace
	}
	return e.Object.Namespace
}

// fieldRequirement is one term of a field selector.
type fieldRequirement struct {
	field, value string
	not          bool
}

// eventFields are the Event fields the API server can select on.
var eventFields = map[string]func(namedEvent) string{
	"involvedObject.kind":      func(e namedEvent) string { return e.Object.Kind },
	"involvedObject.name":      func(e namedEvent) string { return e.Object.Name },
	"involvedObject.namespace": func(e namedEvent) string { return e.Object.Namespace },
	"involvedObject.fieldPath": func(e namedEvent) string { return e.Object.FieldPath },
	"reason":                   func(e namedEvent) string { return e.Reason },
	"type":                     func(e namedEvent) string { return e.Type },
	"source":                   func(e namedEvent) string { return e.Source },
	"reportingComponent":       func(e namedEvent) string { return e.Source },
	"metadata.name":            func(e namedEvent) string { return e.name },
	"metadata.namespace":       func(e namedEvent) string { return eventNamespace(e.Event) },
}

// parseFieldSelector parses "a=b,c!=d" as apimachinery's fields.ParseSelector
// does (=, ==, !=; terms ANDed).
func parseFieldSelector(s string) ([]fieldRequirement, error) {
	var out []fieldRequirement
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	for _, term := range strings.Split(s, ",") {
		var r fieldRequirement
		var ok bool
		switch {
		case strings.Contains(term, "!="):
			r.field, r.value, _ = strings.Cut(term, "!=")
			r.not, ok = true, true
		case strings.Contains(term, "=="):
			r.field, r.value, ok = strings.Cut(term, "==")
		default:
			r.field, r.value, ok = strings.Cut(term, "=")
		}
		if !ok || r.field == "" {
			return nil, fmt.Errorf("invalid selector: '%s'; can't understand '%s'", s, term)
		}
		r.field = strings.TrimSpace(r.field)
		out = append(out, r)
	}
	return out, nil
}

// selectEvents is the events a get asks for (names, --field-selector,
// --sort-by), with a NotFound error for each name that has none; none when a
// label selector is given (events carry no labels).
func (p *printer) selectEvents(cmd Command) ([]namedEvent, []error, error) {
	reqs, err := parseFieldSelector(cmd.FieldSelector)
	if err != nil {
		return nil, nil, fmt.Errorf("error: %v", err)
	}
	for _, r := range reqs {
		if eventFields[r.field] == nil {
			return nil, nil, fmt.Errorf("Error from server (BadRequest): Unable to find \"/v1, Resource=events\" that match label selector %q, field selector %q: field label not supported: %s", cmd.Selector, cmd.FieldSelector, r.field)
		}
	}
	if p.sel != nil {
		return nil, nil, nil
	}
	evs := p.events()
	var names []string
	for _, t := range cmd.Targets {
		if t.Name != "" {
			names = append(names, t.Name)
		}
	}
	kept := evs[:0]
	for _, e := range evs {
		ok := len(names) == 0 || slices.Contains(names, e.name)
		for _, r := range reqs {
			if (eventFields[r.field](e) == r.value) == r.not {
				ok = false
			}
		}
		if ok {
			kept = append(kept, e)
		}
	}
	evs = kept
	var errs []error
	for _, n := range names {
		if !slices.ContainsFunc(evs, func(e namedEvent) bool { return e.name == n }) {
			errs = append(errs, NotFound(Events, n))
		}
	}
	if err := sortEvents(evs, cmd.SortBy); err != nil {
		return nil, nil, err
	}
	return evs, errs, nil
}

func (p *printer) getEvents(cmd Command) (string, error) {
	evs, errs, err := p.selectEvents(cmd)
	if err != nil {
		return "", err
	}
	if len(evs) == 0 {
		if len(errs) > 0 {
			return "", joinErrors(errs)
		}
		return p.noResources(), nil
	}
	var b strings.Builder
	w := NewTabWriter(&b)
	wide := cmd.Output == "wide"
	header := []string{"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"}
	if wide {
		header = []string{"LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT", "NAME"}
	}
	if p.all {
		header = append([]string{"NAMESPACE"}, header...)
	}
	fmt.Fprintln(w, strings.Join(header, "\t"))
	for _, e := range evs {
		target := strings.ToLower(e.Object.Kind) + "/" + e.Object.Name
		row := []string{p.age(e.Last), e.Type, e.Reason, target}
		if wide {
			src := e.Source
			if e.Host != "" {
				src += ", " + e.Host
			}
			row = append(row, e.Object.FieldPath, src, e.Message, p.age(e.First), strconv.Itoa(e.Count), e.name)
		} else {
			row = append(row, e.Message)
		}
		if p.all {
			row = append([]string{eventNamespace(e.Event)}, row...)
		}
		fmt.Fprintln(w, strings.Join(row, "\t"))
	}
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n"), joinErrors(errs)
}

// sortEvents orders events by a --sort-by JSONPath (stably, as kubectl's
// sorter: equal keys keep the API server's order).
func sortEvents(evs []namedEvent, by string) error {
	key := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(by, "{"), "."), "}")
	key = strings.TrimPrefix(key, ".")
	var cmp func(a, b namedEvent) int
	switch key {
	case "":
		return nil
	case "lastTimestamp":
		cmp = func(a, b namedEvent) int { return cmpInt(int64(a.Last), int64(b.Last)) }
	case "firstTimestamp", "metadata.creationTimestamp", "eventTime":
		cmp = func(a, b namedEvent) int { return cmpInt(int64(a.First), int64(b.First)) }
	case "count":
		cmp = func(a, b namedEvent) int { return cmpInt(int64(a.Count), int64(b.Count)) }
	case "metadata.name":
		cmp = func(a, b namedEvent) int { return strings.Compare(a.name, b.name) }
	case "reason":
		cmp = func(a, b namedEvent) int { return strings.Compare(a.Reason, b.Reason) }
	case "type":
		cmp = func(a, b namedEvent) int { return strings.Compare(a.Type, b.Type) }
	case "involvedObject.name":
		cmp = func(a, b namedEvent) int { return strings.Compare(a.Object.Name, b.Object.Name) }
	case "involvedObject.kind":
		cmp = func(a, b namedEvent) int { return strings.Compare(a.Object.Kind, b.Object.Kind) }
	default:
		return &UsageError{Verb: Get, Msg: fmt.Sprintf("--sort-by %q: kubesim sorts events by .lastTimestamp, .firstTimestamp, .metadata.creationTimestamp, .count, .metadata.name, .reason, .type, .involvedObject.name or .involvedObject.kind", by)}
	}
	slices.SortStableFunc(evs, cmp)
	return nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// DescribeEvents writes describe's Events: section of the object ref names
// (for the objects printed outside this package: HorizontalPodAutoscalers).
func DescribeEvents(c *model.Cluster, w *DescribeWriter, ref model.ObjectRef) {
	(&printer{c: c, now: c.Now(), ns: defaultNamespace}).describeEvents(w, ref)
}

// describeEvents is describe's Events: section for the object ref names
// (kubectl's DescribeEvents): the object's events by last time seen, with
// Type, Reason, Age ("LAST (xN over FIRST)" for repeated ones), From and
// Message (prefixed by the sub-object's field path), "<none>" when there is
// none. Node events are matched by name, as kubectl matches them.
func (p *printer) describeEvents(w *DescribeWriter, ref model.ObjectRef) {
	var evs []*model.Event
	if l := eventLog(p.c); l != nil {
		for _, e := range l.Events(p.now) {
			o := e.Object
			if o.Kind == ref.Kind && o.Name == ref.Name && o.Namespace == ref.Namespace && (ref.Kind == "Node" || o.UID == ref.UID) {
				evs = append(evs, e)
			}
		}
	}
	if len(evs) == 0 {
		w.write(0, "Events:\t<none>\n")
		return
	}
	w.tw.Flush()
	slices.SortStableFunc(evs, func(a, b *model.Event) int { return cmpInt(int64(a.Last), int64(b.Last)) })
	w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
	w.write(1, "----\t------\t----\t----\t-------\n")
	for _, e := range evs {
		age := p.age(e.First)
		if e.Count > 1 {
			age = fmt.Sprintf("%s (x%d over %s)", p.age(e.Last), e.Count, age)
		}
		msg := e.Message
		if e.Object.FieldPath != "" {
			msg = e.Object.FieldPath + ": " + msg
		}
		w.write(1, "%s\t%s\t%s\t%s\t%s\n", e.Type, e.Reason, age, e.Source, msg)
	}
}

// EventObject is kubectl's OBJECT of an event ("pod/web-xyz"), with its
// namespace in front outside default ("shop/pod/web-xyz").
func EventObject(e *model.Event) string {
	s := strings.ToLower(e.Object.Kind) + "/" + e.Object.Name
	if ns := eventNamespace(e); ns != defaultNamespace {
		s = ns + "/" + s
	}
	return s
}

// getEventObjects is get events with -o yaml, json, name, jsonpath=... or
// custom-columns=...: the events as the API server returns core/v1 Events.
func (p *printer) getEventObjects(cmd Command) (string, error) {
	evs, errs, err := p.selectEvents(cmd)
	if err != nil {
		return "", err
	}
	objs := make([]runtime.Object, len(evs))
	names := make([]string, len(evs))
	for i, e := range evs {
		objs[i], names[i] = p.eventObject(e), "event/"+e.name
	}
	single := len(cmd.Targets) == 1 && cmd.Targets[0].Name != ""
	return p.printObjects(cmd, objs, names, single, errs)
}

// printObjects prints the objects of a kind listed on its own (events,
// endpointslices) with -o yaml, json, name (names), jsonpath=... or
// custom-columns=..., then the errors of the names not found.
func (p *printer) printObjects(cmd Command, objs []runtime.Object, names []string, single bool, errs []error) (string, error) {
	if len(objs) == 0 {
		if len(errs) > 0 {
			return "", joinErrors(errs)
		}
		if cmd.Output == "yaml" || cmd.Output == "json" {
			single = false // kubectl prints an empty List
		} else {
			return p.noResources(), nil
		}
	}
	if cmd.Output == "name" {
		return strings.Join(names, "\n"), joinErrors(errs)
	}
	pr, err := manifest.NewPrinter(cmd.Output)
	if err != nil {
		return "", &UsageError{Verb: cmd.Verb, Msg: err.Error()}
	}
	out, err := pr.Print(objs, single)
	if err != nil {
		return "", fmt.Errorf("error: %v", err)
	}
	return out, joinErrors(errs)
}

// eventObject is e as a core/v1 Event. Controllers and the kubelet record
// with client-go's core/v1 recorder: count, firstTimestamp, lastTimestamp,
// source, and reportingComponent/reportingInstance copied from the source.
// The scheduler records through events.k8s.io/v1 (as v1.37's does): the
// core/v1 view has eventTime, action, reportingInstance
// default-scheduler-HOST, a series once repeated, and no count, timestamps
// or source. The uid is derived from the event's name (kubesim keeps no
// resourceVersion for events: none is printed).
func (p *printer) eventObject(e namedEvent) *corev1.Event {
	ns := eventNamespace(e.Event)
	ref := corev1.ObjectReference{Kind: e.Object.Kind, Namespace: e.Object.Namespace, Name: e.Object.Name,
		UID: types.UID(e.Object.UID), APIVersion: manifest.ServedAPIVersion(e.Object.Kind), FieldPath: e.Object.FieldPath}
	first := metav1.NewTime(p.c.WallClock(e.First))
	sum := sha256.Sum256([]byte(ns + "/" + e.name))
	uid := fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
	out := &corev1.Event{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Event"},
		ObjectMeta:     metav1.ObjectMeta{Name: e.name, Namespace: ns, UID: types.UID(uid), CreationTimestamp: first},
		InvolvedObject: ref, Reason: e.Reason, Message: e.Message, Type: e.Type, ReportingController: e.Source}
	if e.Source == model.SourceScheduler {
		out.EventTime = metav1.NewMicroTime(p.c.WallClock(e.First))
		out.ReportingInstance = e.Source
		if h := controlPlaneHost(p.c); h != "" {
			out.ReportingInstance += "-" + h
		}
		out.Action = "Scheduling"
		if e.Reason == "Scheduled" {
			out.Action = "Binding"
		}
		if e.Count > 1 {
			out.Series = &corev1.EventSeries{Count: int32(e.Count), LastObservedTime: metav1.NewMicroTime(p.c.WallClock(e.Last))}
		}
		return out
	}
	out.Count = int32(e.Count)
	out.FirstTimestamp, out.LastTimestamp = first, metav1.NewTime(p.c.WallClock(e.Last))
	out.Source = corev1.EventSource{Component: e.Source, Host: e.Host}
	out.ReportingInstance = e.Host
	return out
}

// controlPlaneHost is the first control-plane node's name (where
// kube-scheduler runs), "" when the cluster has none.
func controlPlaneHost(c *model.Cluster) string {
	for _, n := range c.Nodes() {
		if _, ok := n.Labels[model.LabelControlPlane]; ok {
			return n.Name
		}
	}
	return ""
}

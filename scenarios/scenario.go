package scenarios

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/autoscaler"
	"github.com/kubesim/kubesim/scenarios/kubectl"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/traffic"
	"github.com/kubesim/kubesim/workload"
	"github.com/kubesim/kubesim/workload/boutique"
	"github.com/kubesim/kubesim/workload/custommetrics"
	"github.com/kubesim/kubesim/workload/decl"
)

// Config is every setting of a run: the cluster model's (timings, kube-proxy
// mode), the request path's (network) and the built-in workloads' (each
// workload that has settings owns a section of config:, workload.Builtin's
// ConfigKey and Settings: DockerCoins' service times are config.workload). A
// scenario file sets them by field name under config: (see
// fileParser.config).
type Config struct {
	Timings   model.Timings
	Network   traffic.Network
	ProxyMode string
	// ImageSize is the size in bytes every image reports to the scheduler's
	// ImageLocality score (0: model.DefaultImageSize; -1: unknown).
	ImageSize int64
	// Autoscaler is the cluster autoscaler's flags (it runs when the
	// cluster declares nodeGroups).
	Autoscaler autoscaler.Config
	// Deterministic replaces every distribution of the other settings by a
	// constant, its mean (sim.UseMeans). Runs of different seeds still differ
	// where Kubernetes itself chooses at random: the scheduler's tie-breaks,
	// kube-proxy's balancing, pod names.
	Deterministic bool
	// Start is the wall-clock time the run starts at (the scenario's
	// start:; zero: model.DefaultStart).
	Start time.Time
	// Workloads is the settings of the built-in workloads that have some,
	// by workload name: a pointer to the struct its Settings returned, as
	// the section it owns under config: set it (WorkloadSettings reads
	// one). Not a section of its own (config:"-").
	Workloads map[string]any `config:"-"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	m := model.DefaultConfig()
	c := Config{Timings: m.Timings, Network: traffic.DefaultNetwork(), ProxyMode: m.ProxyMode,
		Autoscaler: autoscaler.DefaultConfig(), Workloads: map[string]any{}}
	for _, b := range workload.Builtins() {
		if b.Settings != nil {
			c.Workloads[b.Name] = settingsPointer(b.Settings())
		}
	}
	return c
}

// settingsPointer is a pointer to a copy of the struct v (settable by
// reflection).
func settingsPointer(v any) any {
	x := reflect.ValueOf(v)
	p := reflect.New(x.Type())
	p.Elem().Set(x)
	return p.Interface()
}

// WorkloadSettings is the settings of built-in workload name, a value of the
// type its Settings returns (nil: it has none, or c was not made by
// DefaultConfig: the workload's defaults).
func (c *Config) WorkloadSettings(name string) any {
	p, ok := c.Workloads[name]
	if !ok {
		return nil
	}
	return reflect.ValueOf(p).Elem().Interface()
}

// clone is c with its own copy of the workloads' settings.
func (c Config) clone() Config {
	w := make(map[string]any, len(c.Workloads))
	for name, p := range c.Workloads {
		w[name] = settingsPointer(reflect.ValueOf(p).Elem().Interface())
	}
	c.Workloads = w
	return c
}

// configSection is one key of config:: a field of Config or a built-in
// workload's settings, the value to set (addressable).
type configSection struct {
	key string
	v   reflect.Value
}

// sections are c's config: keys: its fields (but those tagged config:"-"),
// then the built-in workloads' ConfigKeys (by workload name).
func (c *Config) sections() []configSection {
	v := reflect.ValueOf(c).Elem()
	var out []configSection
	for i := 0; i < v.NumField(); i++ {
		if f := v.Type().Field(i); f.IsExported() && f.Tag.Get("config") != "-" {
			out = append(out, configSection{lowerCamel(f.Name), v.Field(i)})
		}
	}
	for _, b := range workload.Builtins() {
		if b.ConfigKey == "" {
			continue
		}
		p, ok := c.Workloads[b.Name]
		if !ok {
			if c.Workloads == nil {
				c.Workloads = map[string]any{}
			}
			p = settingsPointer(b.Settings())
			c.Workloads[b.Name] = p
		}
		out = append(out, configSection{b.ConfigKey, reflect.ValueOf(p).Elem()})
	}
	return out
}

// Model is the cluster model's part.
func (c Config) Model() model.Config {
	return model.Config{Timings: c.Timings, ProxyMode: c.ProxyMode, ImageSize: c.ImageSize, Start: c.Start}
}

// Effective is the configuration a run uses: c, or with Deterministic its
// distributions' means.
func (c Config) Effective() Config {
	c = c.clone()
	if c.Deterministic {
		sim.UseMeans(&c)
		for _, p := range c.Workloads {
			sim.UseMeans(p)
		}
	}
	return c
}

// NodeSpec describes one node of the cluster.
type NodeSpec struct {
	Name         string
	Labels       map[string]string
	Taints       []model.Taint
	Capacity     model.Resources
	ControlPlane bool
}

// Step is one timeline step: a kubectl-style command run at a simulated time.
type Step struct {
	At      sim.Time
	Command string
	// Line is the step's line in its scenario file (0 for steps made in Go).
	Line int
	// ExpectError says the step is meant to fail (expect: error in the file),
	// as the workshop's DaemonSet cast is refused; a study fails a point whose
	// steps do not do what they are meant to.
	ExpectError bool
}

// Scenario is what to simulate.
type Scenario struct {
	// graphAlone: the scenario of an isotope graph run alone
	// (GraphScenario): AddGraph sizes its cluster to the graph's graphPods.
	graphAlone       bool
	graphPods        int
	graphDescription string

	Name        string
	Description string
	Seed        uint64
	Duration    sim.Time
	Nodes       []NodeSpec
	// NodeGroups are the cluster autoscaler's node groups (cluster.nodeGroups).
	NodeGroups []autoscaler.NodeGroup
	Config     Config
	Steps      []Step
	// Window is the width of the summary's time windows.
	Window sim.Time
	// Files are the files `kubectl apply -f NAME` can read, by name; other names
	// are paths relative to Dir.
	Files     map[string]string
	FileLines []int
	Dir       string
	// Path is the scenario file's path ("" for a built-in scenario).
	Path string
	// Workload is the declared workload (the workload: section, and kubesim
	// run --workload files).
	Workload decl.Spec
	// External is the scripted values of external metrics (externalMetrics:).
	External []ExternalValue
}

// ExternalValue is an external metric's value from time At on (milli-units).
type ExternalValue struct {
	Name  string
	At    sim.Time
	Milli int64
	Line  int
}

// StepResult is what a step did.
type StepResult struct {
	At      float64 `json:"t_s"`
	Command string  `json:"command"`
	Output  string  `json:"output,omitempty"`
	Error   string  `json:"error,omitempty"`
	// Later: the output of an earlier step that arrived at At (httping's
	// probes, ab's report, the rest of a drain), not a step of its own.
	Later bool `json:"-"`
}

// Result is a finished run.
type Result struct {
	auto     *autoscaling
	Summary  metrics.Summary
	Timeline []StepResult
	Cluster  *model.Cluster
	// Rec is the run's measurements; Net its request path.
	Rec *metrics.Recorder
	Net *traffic.Net
	// Builtins are the built-in workloads the run installed, by name (what
	// their Install returned: "dockercoins" is a *dockercoins.DockerCoins).
	Builtins map[string]any
	// Declared is the declared workload of the run (and the echo default).
	Declared *decl.Engine
	// Autoscaler is the run's cluster autoscaler (nil without node groups).
	Autoscaler *autoscaler.Autoscaler
	// Unexpected describes every step that failed without expect: error, or
	// succeeded with it, naming the step; a study fails such a point.
	Unexpected []string
	// Pending is what holds back the pods the scheduler found no node for
	// at the end of the run (nil: none); JSON pending_pods.
	Pending *PendingPods
}

// Workloads are the figures of the run's workloads that ran (DockerCoins'
// mining speed), up to the current simulated time: what the outputs show
// beside the Services.
func (r *Result) Workloads() []*metrics.Figures { return r.Rec.Figures() }

// The summary's windows are at least MinWindow wide, and a run has at most
// MaxWindows of them: memory and output stay bounded whatever the window.
const (
	MinWindow  = time.Millisecond
	MaxWindows = 5000
)

// SmallestWindow is the narrowest window a run of duration d may have: d over
// MaxWindows, rounded up to a whole millisecond, and at least MinWindow.
func SmallestWindow(d sim.Time) sim.Time {
	w := (d + MaxWindows - 1) / MaxWindows
	w = (w + MinWindow - 1) / MinWindow * MinWindow
	return max(w, MinWindow)
}

// CheckWindow reports what is wrong with a summary window of width w in a run
// of duration d (0 means automatic, see AutoWindow).
func CheckWindow(w, d sim.Time) error {
	switch {
	case w < 0:
		return fmt.Errorf("%v is negative; give a positive width such as 30s, or leave it out for an automatic one", w)
	case w > 0 && w < MinWindow:
		return fmt.Errorf("%v is too fine: the smallest window is %v", w, MinWindow)
	case w > 0 && w < SmallestWindow(d):
		return fmt.Errorf("%v gives %d windows in a %v run, more than %d: the smallest window for this duration is %v", w, (d+w-1)/w, d, MaxWindows, SmallestWindow(d))
	}
	return nil
}

// MaxBins is the most fine bins (true throughput, each pod's load) a run
// keeps: longer runs get wider bins, so that what is measured per bin does not
// grow with the duration.
const MaxBins = 1000

// AutoBin is the width of the fine bins of a run of duration d with summary
// windows of width w: 1 s, or for runs longer than MaxBins seconds the
// smallest of 2 s, 5 s, 10 s, 20 s, 50 s, ... giving at most MaxBins bins; never
// wider than a window (so a window's true throughput is whole bins).
func AutoBin(d, w sim.Time) sim.Time {
	b := sim.Time(time.Second)
	for step := 0; d > MaxBins*b; step++ {
		b = b / []sim.Time{1, 2, 5}[step%3] * []sim.Time{2, 5, 10}[step%3] // 1 s, 2 s, 5 s, 10 s, 20 s, ...
	}
	if w > 0 && w < b {
		b = w
	}
	return b
}

// AutoWindow is the summary's window width for a run of duration d when the
// scenario sets none: the smallest of 10 s, 15 s, 20 s, 30 s, 1 m, 2 m, 5 m,
// 10 m that gives at most 30 windows.
func AutoWindow(d sim.Time) sim.Time {
	for _, w := range []sim.Time{10, 15, 20, 30, 60, 120, 300, 600} {
		if d <= 30*w*sim.Time(time.Second) {
			return w * sim.Time(time.Second)
		}
	}
	return d / 30
}

// ControlPlaneNode returns the spec of a kubeadm control-plane node: the
// labels and NoSchedule taint kubeadm's mark-control-plane phase gives it
// (cmd/kubeadm/app/phases/markcontrolplane: node-role.kubernetes.io/control-plane
// and node.kubernetes.io/exclude-from-external-load-balancers, the latter
// keeping it out of LoadBalancer Services' backend pools: traffic.Entry).
func ControlPlaneNode(name string, capacity model.Resources) NodeSpec {
	return NodeSpec{Name: name, ControlPlane: true, Capacity: capacity,
		Labels: map[string]string{model.LabelControlPlane: "", traffic.LabelExcludeFromLB: ""},
		Taints: []model.Taint{{Key: model.TaintControlPlane, Effect: model.NoSchedule}}}
}

// Options change how a run is carried out, never what it simulates.
type Options struct {
	// Progress, if set, is called every simulated second with the simulated time,
	// the end, and the events handled so far.
	Progress func(now, end sim.Time, events uint64)
	// Coarse switches the Recorder's detailed collection off (per-pod and
	// per-window figures), to measure what measuring costs.
	Coarse bool
	// Little keeps the figures of Little's law per Service (Recorder.Little).
	Little bool
}

// Run simulates s.
func Run(s *Scenario) (*Result, error) { return RunWith(s, Options{}) }

// RunWith simulates s with options.
func RunWith(s *Scenario, opt Options) (*Result, error) {
	if s.Duration <= 0 {
		return nil, fmt.Errorf("scenario %q: duration must be positive", s.Name)
	}
	if err := CheckWindow(s.Window, s.Duration); err != nil {
		return nil, fmt.Errorf("scenario %q: window %v", s.Name, err)
	}
	e := sim.New(s.Seed)
	cfg := s.Config.Effective()
	c := model.NewCluster(e, cfg.Model())
	c.RecordEvents(model.NewEventLog())
	c.SetPodIPs(kubectl.PodIP(c))
	rt := workload.New(c, cfg.Network)
	// Declared services come first: a declaration wins over a built-in
	// workload's behaviour for the same image (DockerCoins'), and over the
	// built-in Online Boutique's declarations for the same name.
	dw := decl.Install(rt, s.Workload.WithDefaults(boutique.Spec()))
	builtins := map[string]any{}
	for _, b := range workload.Builtins() {
		if b.Install != nil {
			builtins[b.Name] = b.Install(rt, cfg.WorkloadSettings(b.Name))
		}
	}
	cm := custommetrics.Install(rt)
	rec := rt.Rec
	rec.SetDetailed(!opt.Coarse)
	if opt.Little {
		rec.TrackLittle()
	}
	rec.Window = s.Window
	if rec.Window <= 0 {
		rec.Window = AutoWindow(s.Duration)
	}
	rec.Bin = AutoBin(s.Duration, rec.Window)
	for _, n := range s.Nodes {
		if _, err := c.AddNode(n.Name, n.Labels, n.Taints, n.Capacity); err != nil {
			return nil, fmt.Errorf("scenario %q: node %s: %v", s.Name, n.Name, err)
		}
	}
	res := &Result{Cluster: c, Rec: rec, Net: rt.Net, Builtins: builtins, Declared: dw}
	if err := startAutoscaler(res, s, cfg); err != nil {
		return nil, err
	}
	res.auto = newAutoscaling(c, rt, cm)
	for _, ev := range s.External {
		if ev.At > s.Duration {
			return nil, fmt.Errorf("scenario %q: externalMetrics.%s: a value at %v, after the end of the run (%v)", s.Name, ev.Name, ev.At, s.Duration)
		}
		e.At(ev.At, sim.HandlerFunc(func(*sim.Engine, int64) { cm.SetExternal(ev.Name, ev.Milli) }), 0)
	}
	if s.Workload.UsesCPU() {
		res.auto.ms.Start()
	}
	x := kubectl.NewExecutor(c, kubectl.Env{Files: s.files(), Net: rt.Net, Autoscaling: res.auto, NodeCapacity: DefaultNodeCapacity,
		Later: func(command, output string) {
			res.Timeline = append(res.Timeline, StepResult{At: e.Now().Seconds(), Command: command, Output: output, Later: true})
		}})
	for i := range s.Steps {
		st := s.Steps[i]
		if st.At > s.Duration {
			return nil, fmt.Errorf("scenario %q: step %d (%q) is at %v, after the end of the run (%v)", s.Name, i+1, st.Command, st.At, s.Duration)
		}
		e.At(st.At, sim.HandlerFunc(func(*sim.Engine, int64) {
			if x.ChangesCluster(st.Command) {
				rec.MarkPhase(st.Command)
			}
			out, err := x.Exec(st.Command)
			r := StepResult{At: e.Now().Seconds(), Command: st.Command, Output: out}
			if err != nil {
				r.Error = err.Error()
			}
			res.Timeline = append(res.Timeline, r)
			if (err != nil) != st.ExpectError {
				where := fmt.Sprintf("step %d (at %s", i+1, kubectl.ShortDuration(st.At))
				if st.Line > 0 {
					where += fmt.Sprintf(", %s:%d", s.Source(), st.Line)
				}
				where += fmt.Sprintf(": %s)", st.Command)
				if err != nil {
					res.Unexpected = append(res.Unexpected, fmt.Sprintf("%s failed: %s", where, strings.ReplaceAll(r.Error, "\n", "; ")))
				} else {
					res.Unexpected = append(res.Unexpected, where+" succeeded, but the scenario says expect: error")
				}
			}
		}), 0)
	}
	rt.Start()
	if opt.Progress == nil {
		e.RunUntil(s.Duration)
	} else {
		// Running in slices changes nothing simulated: events run in the same order.
		for t := sim.Time(0); t < s.Duration; {
			t = min(t+time.Second, s.Duration)
			e.RunUntil(t)
			opt.Progress(t, s.Duration, e.Events())
		}
	}
	res.Summary = rec.Summary()
	res.Summary.Scenario = s.Name
	if res.Autoscaler != nil {
		res.Summary.Extra = append(res.Summary.Extra, metrics.Field{Key: "autoscaling", Value: AutoscalingOf(res.Autoscaler)})
	}
	if hs := res.auto.hpaSummaries(); len(hs) > 0 {
		res.Summary.Extra = append(res.Summary.Extra, metrics.Field{Key: "hpas", Value: hs})
	}
	if res.Pending = pendingPods(c); res.Pending != nil {
		res.Summary.Extra = append(res.Summary.Extra, metrics.Field{Key: "pending_pods", Value: res.Pending})
	}
	return res, nil
}

// Gi is a gibibyte.
const Gi = int64(1) << 30

// DefaultNodeCapacity is a workshop VM: 2 CPUs, 4 GiB, 110 pods.
var DefaultNodeCapacity = model.Resources{MilliCPU: 2000, Memory: 4 * Gi, Pods: 110}

package scenarios

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// settingRange is the range a numeric setting under config: accepts: a whole
// number, a float or a duration (in seconds) from Min to Max, inclusive, and
// above 0 when Positive. Why says what the setting is, for the error.
type settingRange struct {
	Min, Max float64
	Positive bool
	Why      string
}

// maxCount bounds thread pools and queues: a typo must not allocate the machine.
const maxCount = 1_000_000

// replacedZero explains why 0 is refused for settings whose zero the model
// reads as "use the default".
const replacedZero = "0 would silently mean the default"

// settingRanges holds the range of every numeric setting of Config, by its
// path in a scenario file, but for those whose struct field carries its own
// (tags range:"min,max" or range:">0,max", and why:"what it is", as a
// built-in workload's settings do: rangeOf). TestEverySettingHasARange keeps
// it complete: a new numeric setting needs its range here or in its tags. Distributions are checked by
// sim.ParseDist (no negative argument, a positive mean for exp and lognormal).
var settingRanges = map[string]settingRange{
	"config.timings.proxyMinSync":                     {Min: 0, Max: 3600, Why: "kube-proxy's minSyncPeriod"},
	"config.timings.gracePeriod":                      {Positive: true, Max: 86400, Why: "terminationGracePeriodSeconds when the pod spec sets none; " + replacedZero + " (a pod spec may set 0)"},
	"config.timings.nodeStatusUpdate":                 {Positive: true, Max: 3600, Why: "the kubelet's heartbeat period"},
	"config.timings.nodeMonitorPeriod":                {Positive: true, Max: 3600, Why: "how often the node lifecycle controller checks nodes"},
	"config.timings.nodeMonitorGracePeriod":           {Positive: true, Max: 86400, Why: "how long a node may miss heartbeats; " + replacedZero},
	"config.timings.defaultTolerationSeconds":         {Positive: true, Max: 31536000, Why: "the tolerationSeconds pods get for not-ready/unreachable; " + replacedZero},
	"config.timings.nodeEvictionRate":                 {Positive: true, Max: maxCount, Why: "nodes tainted per second; " + replacedZero},
	"config.timings.podGCQuarantine":                  {Positive: true, Max: 86400, Why: "how long PodGC waits after a node is deleted; " + replacedZero},
	"config.timings.podGCPeriod":                      {Positive: true, Max: 86400, Why: "how often PodGC checks"},
	"config.timings.kubeAPIQPS":                       {Positive: true, Max: 1e9, Why: "kube-controller-manager --kube-api-qps, API calls per second of each controller's client; " + replacedZero},
	"config.timings.kubeAPIBurst":                     {Min: 1, Max: 1e9, Why: "kube-controller-manager --kube-api-burst, the calls a controller's client may make at once"},
	"config.network.connectTimeout":                   {Positive: true, Max: 86400, Why: "how long a client waits for a node that does not answer"},
	"config.network.linkGbps":                         {Min: 0, Max: 100000, Why: "the link speed in Gbit/s at which requests' and responses' sizes are sent (0: sizes take no time)"},
	"config.network.lbCheckInterval":                  {Positive: true, Max: 3600, Why: "how often a LoadBalancer Service's load balancer checks each node's health"},
	"config.network.lbCheckTimeout":                   {Min: 0, Max: 3600, Why: "how long a load balancer's health check waits for an answer"},
	"config.network.lbHealthyThreshold":               {Min: 1, Max: 100, Why: "successful health checks in a row before a load balancer sends to a node"},
	"config.network.lbUnhealthyThreshold":             {Min: 1, Max: 100, Why: "failed health checks in a row before a load balancer stops sending to a node"},
	"config.autoscaler.scanInterval":                  {Positive: true, Max: 3600, Why: "--scan-interval, how often the cluster autoscaler runs; " + replacedZero},
	"config.autoscaler.scaleDownUnneededTime":         {Positive: true, Max: 604800, Why: "--scale-down-unneeded-time; " + replacedZero},
	"config.autoscaler.scaleDownDelayAfterAdd":        {Positive: true, Max: 604800, Why: "--scale-down-delay-after-add; " + replacedZero},
	"config.autoscaler.scaleDownDelayAfterDelete":     {Min: 0, Max: 604800, Why: "--scale-down-delay-after-delete (0: the scan interval)"},
	"config.autoscaler.scaleDownDelayAfterFailure":    {Positive: true, Max: 604800, Why: "--scale-down-delay-after-failure; " + replacedZero},
	"config.autoscaler.scaleDownUtilizationThreshold": {Positive: true, Max: 1, Why: "--scale-down-utilization-threshold, a fraction of a node's capacity; " + replacedZero},
	"config.autoscaler.maxNodesTotal":                 {Min: 0, Max: MaxNodes, Why: "--max-nodes-total (0: no limit)"},
	"config.autoscaler.maxGracefulTermination":        {Positive: true, Max: 86400, Why: "--max-graceful-termination-sec; " + replacedZero},
	"config.imageSize":                                {Min: -1, Max: 1e12, Why: "bytes every image reports to the scheduler's ImageLocality (0: 100 MiB; -1: unknown, no score)"},
}

// rangeOf is the range of the setting at path (config.a.b): settingRanges',
// or its struct field's tags range and why.
func rangeOf(path string) (settingRange, bool) {
	if r, ok := settingRanges[path]; ok {
		return r, true
	}
	f, ok := settingField(path)
	if !ok {
		return settingRange{}, false
	}
	tag, ok := f.Tag.Lookup("range")
	if !ok {
		return settingRange{}, false
	}
	lo, hi, ok := strings.Cut(tag, ",")
	r := settingRange{Why: f.Tag.Get("why")}
	if strings.HasPrefix(lo, ">") {
		r.Positive, lo = true, strings.TrimPrefix(lo, ">")
	}
	var err1, err2 error
	r.Min, err1 = strconv.ParseFloat(lo, 64)
	r.Max, err2 = strconv.ParseFloat(hi, 64)
	if !ok || err1 != nil || err2 != nil {
		panic(fmt.Sprintf("scenarios: setting %s: bad range tag %q: want \"min,max\" or \">0,max\"", path, tag))
	}
	return r, true
}

// settingField is the struct field of the setting at path (config.a.b): in
// Config, or in the settings of the built-in workload owning config.a.
func settingField(path string) (reflect.StructField, bool) {
	parts := strings.Split(strings.TrimPrefix(path, "config."), ".")
	var field reflect.StructField
	c := DefaultConfig()
	var t reflect.Type
	for _, sec := range c.sections() {
		if sec.key == parts[0] {
			t = sec.v.Type()
			if f, ok := reflect.TypeOf(c).FieldByName(sectionField(sec.key)); ok {
				field = f
			}
		}
	}
	if t == nil {
		return field, false
	}
	for _, part := range parts[1:] {
		if t.Kind() != reflect.Struct {
			return field, false
		}
		found := false
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && lowerCamel(f.Name) == part {
				field, t, found = f, f.Type, true
				break
			}
		}
		if !found {
			return field, false
		}
	}
	if len(parts) == 1 && field.Name == "" {
		// a workload's section itself: not a field
		return field, false
	}
	return field, true
}

// sectionField is the name of Config's field for config: key k (k with a
// capital first letter: imageSize, ImageSize; none for a workload's section).
func sectionField(k string) string {
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() && f.Tag.Get("config") != "-" && lowerCamel(f.Name) == k {
			return f.Name
		}
	}
	return ""
}

// checkRange reports a numeric setting outside its range. x is the value (for
// a duration, in seconds) and text as written.
func (p *fileParser) checkRange(n *yaml.Node, where string, x float64, text string, f reflect.Value, def reflect.Value) bool {
	r, ok := rangeOf(where)
	if !ok {
		return true
	}
	if x >= r.Min && x <= r.Max && !(r.Positive && x <= 0) {
		return true
	}
	unit := func(v float64) string {
		if f.Type() == timeType {
			return time.Duration(v * float64(time.Second)).String()
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	lo := "from " + unit(r.Min)
	if r.Positive && r.Min <= 0 {
		lo = "above 0"
		if f.Type() == timeType {
			lo = "above 0s"
		}
	}
	p.errorf(n, "%s: %s is out of range (%s): give a value %s up to %s (default %s)", where, text, r.Why, lo, unit(r.Max), defaultText(def))
	return false
}

func defaultText(v reflect.Value) string {
	if !v.IsValid() {
		return "none"
	}
	if v.Type() == timeType {
		return time.Duration(v.Int()).String()
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', 4, 64)
	}
	return fmt.Sprint(v.Interface())
}

// defaultSetting is the default value of the setting at path (config.a.b).
func defaultSetting(path string) reflect.Value {
	parts := strings.Split(strings.TrimPrefix(path, "config."), ".")
	c := DefaultConfig()
	var v reflect.Value
	for _, sec := range c.sections() {
		if sec.key == parts[0] {
			v = sec.v
		}
	}
	if !v.IsValid() {
		return v
	}
	for _, part := range parts[1:] {
		if v.Kind() != reflect.Struct {
			return reflect.Value{}
		}
		found := false
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && lowerCamel(v.Type().Field(i).Name) == part {
				v, found = v.Field(i), true
				break
			}
		}
		if !found {
			return reflect.Value{}
		}
	}
	return v
}

// numericSettings lists the paths of every numeric (int, float, duration)
// setting of Config.
func numericSettings() []string {
	var out []string
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			p := path + "." + lowerCamel(f.Name)
			switch {
			case f.Type == distType:
			case f.Type == timeType || f.Type.Kind() == reflect.Int || f.Type.Kind() == reflect.Int64 || f.Type.Kind() == reflect.Float64:
				out = append(out, p)
			case f.Type.Kind() == reflect.Struct:
				walk(f.Type, p)
			}
		}
	}
	c := DefaultConfig()
	for _, sec := range c.sections() {
		p, t := "config."+sec.key, sec.v.Type()
		switch {
		case t == distType:
		case t == timeType || t.Kind() == reflect.Int || t.Kind() == reflect.Int64 || t.Kind() == reflect.Float64:
			out = append(out, p)
		case t.Kind() == reflect.Struct:
			walk(t, p)
		}
	}
	return out
}

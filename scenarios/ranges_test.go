package scenarios

import (
	"strings"
	"testing"
)

// Every numeric setting under config: has a range: a new one must be given
// its range in settingRanges or in its struct field's tags (rangeOf).
func TestEverySettingHasARange(t *testing.T) {
	all := map[string]bool{}
	for _, p := range numericSettings() {
		all[p] = true
		if _, ok := rangeOf(p); !ok {
			t.Errorf("%s has no range in settingRanges or its field's tags", p)
		}
		if !defaultSetting(p).IsValid() {
			t.Errorf("%s: no default", p)
		}
	}
	for p := range settingRanges {
		if !all[p] {
			t.Errorf("settingRanges has %s, which is not a numeric setting", p)
		}
	}
	// The defaults are in range.
	for _, p := range numericSettings() {
		r, _ := rangeOf(p)
		key, end := strings.TrimPrefix(p, "config."), ""
		if strings.Contains(key, ".") { // a section's setting
			key, end = strings.Replace(key, ".", ": {", 1), "}"
		}
		src := "name: d\nduration: 1m\nconfig:\n  " + key + ": " + defaultText(defaultSetting(p)) + end + "\n"
		if _, err := ParseFile("d.yaml", []byte(src)); err != nil {
			t.Errorf("%s: the default is refused (%+v): %v", p, r, err)
		}
	}
}

// Out-of-range settings are refused with the file, the line, the field, the
// range and the default.
func TestSettingRanges(t *testing.T) {
	for _, c := range []struct{ config, want string }{
		{"workload: {hasherThreads: 0}", "s.yaml:4: config.workload.hasherThreads: 0 is out of range (the hasher's thread pool: it serves that many requests at once): give a value from 1 up to 1000000 (default 20)"},
		{"workload: {hasherThreads: -3}", "config.workload.hasherThreads: -3 is out of range"},
		{"workload: {rngBacklog: 0}", "config.workload.rngBacklog: 0 is out of range"},
		{"workload: {webUIPoll: 0s}", "config.workload.webUIPoll: 0s is out of range (the web UI's poll period): give a value above 0s up to 1h0m0s (default 1s)"},
		{"workload: {coinProbability: 1.5}", "config.workload.coinProbability: 1.5 is out of range (a probability): give a value from 0 up to 1 (default 0.0625)"},
		{"workload: {coinProbability: .nan}", `config.workload.coinProbability: ".nan" is not a finite non-negative number`},
		{"network: {connectTimeout: 0s}", "config.network.connectTimeout: 0s is out of range"},
		{"timings: {nodeStatusUpdate: 0s}", "config.timings.nodeStatusUpdate: 0s is out of range (the kubelet's heartbeat period)"},
		{"timings: {gracePeriod: 0s}", "0 would silently mean the default"},
		{"timings: {nodeEvictionRate: 0}", "config.timings.nodeEvictionRate: 0 is out of range"},
		{"timings: {proxyMinSync: -1s}", "config.timings.proxyMinSync: -1s is negative; a duration here must be 0 or more"},
		{"timings: {podGCPeriod: 1000h}", "config.timings.podGCPeriod: 1000h0m0s is out of range"},
		{"workload: {rngService: \"normal(100ms,-5ms)\"}", "config.workload.rngService: distribution \"normal(100ms,-5ms)\""},
	} {
		_, err := ParseFile("s.yaml", []byte("name: s\nduration: 1m\nconfig:\n  "+c.config+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", c.config, err, c.want)
		}
	}
	for _, c := range []struct{ cluster, want string }{
		{"controlPlanes: 0\n  workers: 0", "s.yaml:4: cluster: controlPlanes (0) + workers (0) = 0 nodes; give 1 to 100000"},
		{"workers: 1000000000", "= 1000000001 nodes; give 1 to 100000"},
		{"nodes: []", "cluster.nodes: the list is empty; a cluster needs at least one node"},
		{"workers: -1", `cluster.workers: "-1" is not a whole number >= 0`},
		{"capacity: {pods: 0}", `cluster.capacity.pods: "0" is not a whole number >= 1`},
		{"capacity: {cpu: \"-2\"}", `cluster.capacity.cpu: "-2" is not a positive Kubernetes quantity`},
	} {
		_, err := ParseFile("s.yaml", []byte("name: s\nduration: 1m\ncluster:\n  "+c.cluster+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", c.cluster, err, c.want)
		}
	}
	for _, c := range []struct{ field, want string }{
		{"duration: -1m", "duration: -1m: the run must last some time"},
		{"seed: -1", `seed: "-1" is not a whole number >= 0`},
	} {
		_, err := ParseFile("s.yaml", []byte("name: s\nduration: 1m\n"+c.field+"\n"))
		if c.field == "duration: -1m" {
			_, err = ParseFile("s.yaml", []byte("name: s\n"+c.field+"\n"))
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", c.field, err, c.want)
		}
	}
}

package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/workload"
)

// testSettings is the settings of a built-in workload registered by this
// file's tests only: any workload owns a config: section as DockerCoins does.
type testSettings struct {
	Rate  float64      `range:"0,10" why:"the test workload's rate"`
	Delay sim.DistSpec // a distribution
	Pause sim.Time     `range:"0,60" why:"the test workload's pause"`
}

func init() {
	workload.RegisterBuiltin(workload.Builtin{Name: "settings-test", What: "a test workload",
		Source:    func() []byte { return nil },
		ConfigKey: "settingsTest",
		Settings:  func() any { return testSettings{Rate: 2, Delay: sim.Exp(time.Millisecond), Pause: time.Second} },
		// Install returns the settings it was given (Result.Builtins).
		Install: func(_ *workload.Runtime, settings any) any { return settings }})
}

// A built-in workload's config: section is decoded into its own settings and
// handed to its Install: defaults without one, the file's values with one,
// the means with config.deterministic; out-of-range values are refused with
// the line and the workload's own range; the defaults of one scenario are not
// changed by another's run.
func TestWorkloadOwnsItsConfigSection(t *testing.T) {
	run := func(config string) testSettings {
		t.Helper()
		s, err := ParseFile("w.yaml", []byte("name: w\nduration: 10s\n"+config))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(s)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := res.Builtins["settings-test"].(testSettings)
		if !ok {
			t.Fatalf("%q: Install got %T", config, res.Builtins["settings-test"])
		}
		return got
	}
	if got := run(""); got.Rate != 2 || got.Delay.String() != sim.Exp(time.Millisecond).String() || got.Pause != time.Second {
		t.Errorf("defaults: %+v", got)
	}
	if got := run("config:\n  settingsTest: {rate: 7.5, delay: const(3ms), pause: 5s}\n"); got.Rate != 7.5 || got.Delay.String() != sim.Const(3*time.Millisecond).String() || got.Pause != 5*time.Second {
		t.Errorf("config.settingsTest: %+v", got)
	}
	if got := run("config:\n  deterministic: true\n"); got.Delay.String() != sim.Const(time.Millisecond).String() {
		t.Errorf("deterministic: delay %v, want its mean", got.Delay)
	}
	for _, c := range []struct{ config, want string }{
		{"settingsTest: {rate: 11}", "w.yaml:4: config.settingsTest.rate: 11 is out of range (the test workload's rate): give a value from 0 up to 10 (default 2)"},
		{"settingsTest: {pause: 2m}", "config.settingsTest.pause: 2m0s is out of range (the test workload's pause): give a value from 0s up to 1m0s (default 1s)"},
		{"settingsTest: {rat: 1}", `config.settingsTest: unknown field "rat" (known fields: delay, pause, rate)`},
		{"settingTest: {rate: 1}", `config: unknown field "settingTest"`},
	} {
		_, err := ParseFile("w.yaml", []byte("name: w\nduration: 1m\nconfig:\n  "+c.config+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", c.config, err, c.want)
		}
	}
	// Effective copies the settings: a deterministic run leaves the parsed
	// scenario's distributions as they were.
	s, err := ParseFile("w.yaml", []byte("name: w\nduration: 1m\nconfig: {deterministic: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Config.Effective()
	if got := s.Config.WorkloadSettings("settings-test").(testSettings).Delay; got.String() != sim.Exp(time.Millisecond).String() {
		t.Errorf("Effective changed the scenario's settings: delay %v", got)
	}
}

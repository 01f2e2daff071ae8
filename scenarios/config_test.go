package scenarios

import (
	"reflect"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// distFields lists the distributions of a Config by field path.
func distFields(v reflect.Value, path string, out map[string]sim.DistSpec) {
	for i := 0; i < v.NumField(); i++ {
		f, name := v.Field(i), path+v.Type().Field(i).Name
		switch {
		case f.Type() == reflect.TypeOf(sim.DistSpec{}):
			out[name] = f.Interface().(sim.DistSpec)
		case f.Kind() == reflect.Struct:
			distFields(f, name+".", out)
		case f.Kind() == reflect.Map && f.Type().Elem().Kind() == reflect.Interface: // Config.Workloads
			for _, k := range f.MapKeys() {
				distFields(f.MapIndex(k).Elem().Elem(), name+"."+k.String()+".", out)
			}
		}
	}
}

// Every default service, network and control-plane time varies; with
// config.deterministic each is a constant, the default's mean. The 0.1 s
// sleeps never end early.
func TestDefaultTimesVaryAndDeterministicUsesMeans(t *testing.T) {
	def, det := map[string]sim.DistSpec{}, map[string]sim.DistSpec{}
	d := DefaultConfig()
	distFields(reflect.ValueOf(d), "", def)
	d.Deterministic = true
	distFields(reflect.ValueOf(d.Effective()), "", det)
	if len(def) < 13 {
		t.Fatalf("found %d distributions: %v", len(def), def)
	}
	for name, spec := range def {
		x := spec.New(sim.NewStream(1, name))
		a, b := x.Sample(), x.Sample()
		if a == b {
			t.Errorf("%s = %v: two draws are both %v", name, spec, a)
		}
		if got := det[name]; got.String() != sim.Const(spec.Mean()).String() {
			t.Errorf("%s with deterministic: %v, want const(%v)", name, got, spec.Mean())
		}
	}
	for _, name := range []string{"Workloads.dockercoins.WorkerSleep", "Workloads.dockercoins.RNGService", "Workloads.dockercoins.HasherService"} {
		x := def[name].New(sim.NewStream(2, name))
		for i := 0; i < 10000; i++ {
			if v := x.Sample(); v < 100*time.Millisecond {
				t.Fatalf("%s: a 0.1 s sleep took %v", name, v)
			}
		}
	}
}

// config.imageSize reaches the scheduler's ImageLocality.
func TestConfigImageSize(t *testing.T) {
	s, err := ParseFile("x.yaml", []byte("name: x\nduration: 1m\nconfig: {imageSize: 52428800}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Config.Model().ImageSize; got != 50<<20 {
		t.Errorf("ImageSize %d, want 50 MiB", got)
	}
}

package kubectl

import "testing"

// autoscale, top and ab parse as kubectl (and ab) read them, and refuse
// what they refuse with their words.
func TestParseAutoscaleTopAB(t *testing.T) {
	c, err := Parse("kubectl autoscale deployment busyhttp --max=10")
	if err != nil || c.Verb != Autoscale || c.Extra.Max != 10 || c.Extra.Min != -1 || c.Extra.CPUPercent != -1 || c.Targets[0] != (Target{Deployments, "busyhttp"}) {
		t.Errorf("autoscale: %+v %+v %v", c, c.Extra, err)
	}
	c, err = Parse("kubectl autoscale deploy/web --min=2 --max=5 --cpu=50%")
	if err != nil || c.Extra.Min != 2 || c.Extra.Max != 5 || c.Extra.CPUPercent != 50 {
		t.Errorf("autoscale --cpu: %+v %v", c.Extra, err)
	}
	c, err = Parse("ab -c 3 -t 60 http://busyhttp/")
	if err != nil || c.Verb != AB || c.Extra.Concurrency != 3 || c.Extra.Requests != 50000 || c.Extra.Duration.Seconds() != 60 || c.Extra.Service != "busyhttp" || c.Extra.Path != "/" {
		t.Errorf("ab: %+v %v", c.Extra, err)
	}
	c, err = Parse("kubectl top pods")
	if err != nil || c.Verb != Top || c.Extra.Kind != "pods" {
		t.Errorf("top: %+v %v", c.Extra, err)
	}
	for line, want := range map[string]string{
		"kubectl autoscale deployment web":                   "error: --max=MAXPODS is required and must be at least 1, max replicas: 0",
		"kubectl autoscale deployment web --min=5 --max=2":   "error: --max=MAXPODS must be larger or equal to --min=MINPODS, max replicas: 2, min replicas: 5",
		"ab -c 10 -n 5 http://web/":                          "error: ab: Cannot use concurrency level greater than total number of requests",
		"kubectl top services":                               `error: unknown command "services" for "kubectl top"; kubesim supports: node, pod`,
		"kubectl autoscale deployment web --max=3 --cpu=0.5": `error: invalid --cpu "0.5": kubesim reads a utilization target such as --cpu=80%`,
	} {
		if _, err := Parse(line); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", line, err, want)
		}
	}
}

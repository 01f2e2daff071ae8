package scenarios

import (
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/spf13/pflag"
)

// CheckCommand reports whether a step's command can be run (it parses and is
// a command kubesim knows), without running it.
func CheckCommand(command string) error {
	args := strings.Fields(command)
	if len(args) > 0 && args[0] == "kubectl" {
		args = args[1:]
	}
	if len(args) == 0 {
		return fmt.Errorf("empty command")
	}
	switch args[0] {
	case "create", "expose", "scale":
		return nil
	}
	return fmt.Errorf("error: unknown command %q", args[0])
}

// Apply runs one kubectl-style command against the cluster at the current
// simulated time and returns what kubectl would print.
func Apply(c *model.Cluster, command string) (string, error) {
	args := strings.Fields(command)
	if len(args) > 0 && args[0] == "kubectl" {
		args = args[1:]
	}
	if len(args) == 0 {
		return "", fmt.Errorf("empty command")
	}
	fs := pflag.NewFlagSet(args[0], pflag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	image := fs.String("image", "", "")
	replicas := fs.Int("replicas", -1, "")
	port := fs.Int("port", 0, "")
	fs.String("type", "ClusterIP", "")
	fs.String("target-port", "", "")
	if err := fs.Parse(args[1:]); err != nil {
		return "", fmt.Errorf("error: %v", err)
	}
	rest := fs.Args()
	resource, name := "", ""
	if len(rest) > 0 {
		resource = rest[0]
		if i := strings.IndexByte(resource, '/'); i >= 0 {
			resource, name = resource[:i], resource[i+1:]
		} else if len(rest) > 1 {
			name = rest[1]
		}
	}
	switch args[0] {
	case "create":
		if resource != "deployment" || name == "" {
			return "", fmt.Errorf("error: kubesim supports `create deployment NAME --image=IMAGE` here")
		}
		if *image == "" {
			return "", fmt.Errorf("error: required flag(s) \"image\" not set")
		}
		n := *replicas
		if n < 0 {
			n = 1
		}
		if _, err := c.CreateDeployment(name, map[string]string{"app": name}, model.PodSpec{Image: *image}, n); err != nil {
			return "", fmt.Errorf("error: failed to create deployment: %v", err)
		}
		return "deployment.apps/" + name + " created", nil
	case "expose":
		d := c.Deployment(name)
		if d == nil {
			return "", fmt.Errorf(`Error from server (NotFound): deployments.apps %q not found`, name)
		}
		if _, err := c.CreateService(name, d.Selector, *port); err != nil {
			return "", fmt.Errorf("Error from server (AlreadyExists): %v", err)
		}
		return "service/" + name + " exposed", nil
	case "scale":
		d := c.Deployment(name)
		if d == nil {
			return "", fmt.Errorf(`Error from server (NotFound): deployments.apps %q not found`, name)
		}
		if *replicas < 0 {
			return "", fmt.Errorf("error: required flag(s) \"replicas\" not set")
		}
		if err := c.ScaleDeployment(d, *replicas); err != nil {
			return "", fmt.Errorf("error: %v", err)
		}
		return "deployment.apps/" + name + " scaled", nil
	}
	return "", fmt.Errorf("error: unknown command %q", args[0])
}

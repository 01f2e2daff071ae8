package kubectl

import "strings"

// getOutputFormats is what `kubectl get -o` lists as allowed formats, in
// kubectl's order (JSON/YAML, name, templates, custom columns, wide).
var getOutputFormats = []string{"json", "yaml", "kyaml", "name", "go-template", "go-template-file", "template", "templatefile",
	"jsonpath", "jsonpath-as-json", "jsonpath-file", "custom-columns", "custom-columns-file", "wide"}

// StructuredOutput reports whether an -o value prints objects rather than a
// table: yaml, json, jsonpath=..., jsonpath-as-json=..., custom-columns=...
func StructuredOutput(output string) bool {
	format, _, _ := strings.Cut(output, "=")
	switch format {
	case "yaml", "json", "jsonpath", "jsonpath-as-json", "custom-columns":
		return true
	}
	return false
}

// checkGetOutput accepts the -o values kubesim prints for get and refuses
// the others: kubectl's own error for a format kubectl does not know, a
// kubesim error naming the alternatives for one it knows but kubesim does
// not print.
func checkGetOutput(c *Command) error {
	out := c.Output
	switch out {
	case "", "wide", "name", "yaml", "json":
		return nil
	}
	format, arg, hasArg := strings.Cut(out, "=")
	switch format {
	case "jsonpath", "jsonpath-as-json", "custom-columns":
		if !hasArg || arg == "" {
			if format == "custom-columns" {
				return plain(c.Verb, "custom-columns format specified but no custom columns given")
			}
			return plain(c.Verb, "template format specified but no template given")
		}
		return nil
	case "kyaml", "go-template", "go-template-file", "template", "templatefile", "jsonpath-file", "custom-columns-file":
		return plain(c.Verb, "-o %s is not supported by kubesim; it prints -o yaml, json, name, wide, jsonpath=TEMPLATE, jsonpath-as-json=TEMPLATE and custom-columns=SPEC", format)
	}
	return plain(c.Verb, "unable to match a printer suitable for the output format %q, allowed formats are: %s", out, strings.Join(getOutputFormats, ","))
}

// checkDryRun reads --dry-run as kubectl does: none (the default), client or
// server; a bare --dry-run is refused as kubectl refuses it.
func checkDryRun(c *Command, value string) error {
	switch value {
	case "none", "":
		c.DryRun = ""
	case "client", "server":
		c.DryRun = value
	default:
		return plain(c.Verb, "Invalid dry-run value (%s). Must be \"none\", \"server\", or \"client\".", value)
	}
	switch c.Output {
	case "", "name", "yaml", "json":
		return nil
	}
	return plain(c.Verb, "unable to match a printer suitable for the output format %q, allowed formats are: %s", c.Output,
		strings.Join(dryRunOutputFormats, ","))
}

// dryRunOutputFormats are the -o values of create, run and expose.
var dryRunOutputFormats = []string{"json", "yaml", "kyaml", "name", "go-template", "go-template-file", "template", "templatefile",
	"jsonpath", "jsonpath-as-json", "jsonpath-file"}

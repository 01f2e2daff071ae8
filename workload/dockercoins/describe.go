package dockercoins

import _ "embed"

// description is DockerCoins written in kubesim's workload format, as near as
// the format goes (its header says where it differs from this package).
//
//go:embed dockercoins.yaml
var description []byte

// Description is DockerCoins' behaviour as a workload file (kubesim workloads
// show dockercoins), to copy and change.
func Description() []byte { return description }

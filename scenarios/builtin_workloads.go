package scenarios

// The built-in workloads written in Go register themselves (in init) with the
// workload registry; every run installs what is registered, with the settings
// of the config: section each owns. This is the list of them linked into
// kubesim (Online Boutique, a declared workload, is imported where its spec
// is merged into every run's).
import (
	_ "github.com/kubesim/kubesim/workload/dockercoins"
)

package dockercoins

import (
	_ "embed"

	"github.com/kubesim/kubesim/workload"
)

// description is DockerCoins written in kubesim's workload format, as near as
// the format goes (its header says where it differs from this package).
//
//go:embed dockercoins.yaml
var description []byte

// Description is DockerCoins' behaviour as a workload file (kubesim workloads
// show dockercoins), to copy and change.
func Description() []byte { return description }

func init() {
	workload.RegisterBuiltin(workload.Builtin{Name: "dockercoins",
		What:          "built in (Go, workload/dockercoins): images rng, hasher, redis, worker, webui; show prints it in the workload format",
		Source:        Description,
		Metrics:       studyMetrics,
		SeriesMetrics: []string{"hashes_per_s"},
		// config.workload is DockerCoins' section (its key since before
		// kubesim had other workloads).
		ConfigKey: "workload",
		Settings:  func() any { return DefaultConfig() },
		Install: func(rt *workload.Runtime, settings any) any {
			cfg, ok := settings.(Config)
			if !ok {
				cfg = DefaultConfig()
			}
			return Install(rt, cfg)
		}})
}

// Package study owns capacity-planning studies: running a base scenario at many
// parameter points with replications, analysing the metrics with confidence
// intervals, answering "smallest value of X such that metric M meets a bound",
// sharding a study over Kubernetes Indexed Jobs and merging the shards, and the
// built-in validation study of the engine against queueing theory. It does not
// know scenarios: it drives an abstract Runner, and treats the base, parameter
// paths and metric names as opaque strings.
//
// # Study files
//
// A study is YAML (or JSON), read strictly with sigs.k8s.io/yaml: an unknown
// field is an error naming it.
//
//	name: rng-capacity            # required
//	base: dockercoins             # required: built-in scenario name or file
//	seed: 42                      # study seed (default 0)
//	replications:
//	  min: 10                     # required, >= 2
//	  max: 40                     # only with a target; default min
//	  batch: 5                    # replications added at a time (default min)
//	  target_rel_half_width: 0.05 # stop when half-width/|mean| <= 5%
//	  target_metrics: [hashes_per_s] # metrics the target applies to (default all)
//	warmup: mser5                 # "30s" (fixed), "mser5", or none (default)
//	metrics: [hashes_per_s, rng.latency_ms.p99]
//	parameters:
//	  grid:                       # every combination...
//	    cluster.nodes: [3, 5, 7]
//	    workload.rng.placement: [Deployment, DaemonSet]
//	  # points:                   # ...or an explicit list (not both)
//	  #   - {cluster.nodes: 3, workload.rng.replicas: 2}
//	question:                     # optional
//	  find: smallest              # or largest
//	  parameter: cluster.nodes
//	  metric: hashes_per_s
//	  op: ">="                    # or "<="
//	  bound: 10
//
// Parameter values are scalars: numbers, strings or booleans (quote strings such
// as "on" or "yes" that YAML would read as booleans). In YAML flow maps ({...})
// quote paths with brackets: {"timeline[2].replicas": 3}. Points are expanded in a
// fixed order. For a grid, the parameter paths are sorted byte-wise (so
// "timeline[10]" sorts before "timeline[2]") and combined like an odometer: the
// first path varies slowest and the last fastest, each path's values in file
// order. A list of points keeps file order; each point's parameters are sorted
// by path; repeated points are errors. No parameters at all means one point, the
// base scenario unchanged. Numbers are float64 (integers exact up to 2^53). A
// study may have at most MaxPoints points and MaxRuns = points x
// replications.max runs. Errors name the file and the field and say what to do.
//
// # Running
//
// Run calls the Runner for every (point, replication) job on Options.Parallelism
// goroutines (default GOMAXPROCS). Replication r of a point gets the seed
// ReplicationSeed(study seed, Point.Key(), r), a hash that depends on nothing
// else, and results are stored by (point, replication) index, so the results do
// not depend on parallelism, scheduling or sharding. Sequential stopping: each
// point runs min replications; when all its planned replications are done, if
// some target metric's relative half-width (RelHalfWidth: half-width/|mean|, 0
// when the half-width is 0, +Inf when only the mean is 0) exceeds
// target_rel_half_width, batch more are planned, up to max. The rule looks at
// replications 0..n-1 only, never at timing. A Progress callback sees (done,
// planned total, worst-case total, elapsed, ETA) after each replication; a
// ProgressBar draws it on a terminal (IsTerminal).
//
// A Runner returns scalar metrics and time series (Result). A study metric found
// as a series is reduced to the mean of its samples after warm-up removal: a
// fixed warm-up W drops the ceil(W/period) samples that start before W (an
// error if nothing is left), and MSER-5 drops 5*d samples where d minimises the
// MSER statistic of the batch means of 5 over the first half of the batches
// (see MSER5). A metric found only as a scalar is used as given; a runner
// computing scalars over the whole run should honour Study.WarmupSetting itself.
// A metric the run does not report is an error listing the metrics it does
// report; so is a series with no observation left after warm-up (NaN marks a
// window without one, such as a latency percentile with no successful request).
// A runner panic becomes an error naming the point, replication and seed.
//
// # Failures
//
// By default the first failed replication (the runner's error, a missing
// metric) stops the study: Run returns the error, naming the point, the
// replication and its seed. With Options.KeepGoing the failure is recorded in
// the replication (Replication.Error) and its point (PointResult.Error, the
// first failed replication's); the point gets no further replications, its
// table rows have n 0, NaN statistics and the error, and it is never averaged.
// A question whose search meets a failed point before an answer is
// undetermined (Answer.Failed).
//
// # Statistics and output
//
// For each point and metric, Summarise gives n, the mean, the sample standard
// deviation (n-1) and the 95% Student-t interval mean ± t(0.975, n-1)*sd/sqrt(n)
// (gonum stat and distuv.StudentsT). Results.Table builds one row per (point,
// metric), points in study order, metrics in file order. Table.WriteCSV has
// the header
//
//	point,<parameter paths...>,metric,n,mean,stddev,half_width,ci_low,ci_high,rel_half_width,error,identical
//
// (error is empty except for a failed point, whose statistics are empty cells;
// identical is true when every replication gave the same value: the spread is
// 0 and no interval is claimed, so half_width, ci_low, ci_high and
// rel_half_width are empty cells, "NaN" in JSON, where the row has
// "identical": true)
// and Table.WriteJSON the same fields (format "kubesim.study-table/v1", params as a
// map). Every float is written with strconv.FormatFloat(x, 'g', -1, 64), the
// shortest text that reads back to the same float64, and non-finite values as
// NaN, +Inf, -Inf (strings in JSON), so a table is byte-stable.
//
// # Questions
//
// The question is answered per combination of the other parameters (Given). The
// parameter's values are searched numerically ascending if they are all numbers,
// otherwise in order of first appearance; find: smallest takes the first that
// meets the bound, largest the last. "With confidence" means the whole interval
// is on the right side (ci_high <= bound for "<=", ci_low >= bound for ">=");
// "on the mean" compares only the mean. Either may be none. A value is picked on
// its own row: the search does not require every later value to meet the bound.
//
// # Sharding and Kubernetes
//
// Shard{I, N} (ParseShard "I/N") selects the points whose index i has
// i mod N == I; shards split points, never a point's replications, so sequential
// stopping works unchanged. Run with a shard returns Results holding the raw
// per-replication values (seeds, values, warm-up samples removed), the embedded
// canonical study and its SHA-256 digest; Results.WriteJSON writes them
// (format "kubesim.study-results/v1"), Results.WriteFile as
// DIR/shard-I-of-N.json, and ReadResults / ReadResultsFile read them back
// strictly (unknown fields, edited studies and foreign points are errors).
// Merge checks that all N shards of one study are present exactly once and
// returns Results identical, byte for byte once written, to an unsharded run,
// hence the same table.
//
// EmitJob builds a ConfigMap holding the canonical study (and any extra files,
// such as the base scenario, at their relative paths) mounted at /etc/kubesim,
// and a batch/v1 Job with completionMode Indexed, completions N, restartPolicy
// Never and backoffLimitPerIndex 1, whose pod runs
//
//	kubesim sweep /etc/kubesim/study.yaml --shard $(JOB_COMPLETION_INDEX)/N --out /results
//
// The results volume is a PersistentVolumeClaim when JobOptions.ClaimName is set
// (ReadWriteMany if pods land on several nodes), otherwise an emptyDir, which
// is deleted with its pod and so only good for trying the Job out. WriteManifests
// writes both objects as one multi-document YAML stream for kubectl apply -f.
// After the Job completes, copy the shard files out of the volume and run
// kubesim merge.
//
// # Validation study
//
// MMC is an M/M/c queue on the sim engine (mmc.go); MMCRunner runs points that
// set c, rho or lambda, mu, horizon and period. The built-in study
// "mmc-validation" (Builtin, Builtins) runs c in {1, 2, 4} and rho in {0.5, 0.8}
// and reports the simulated mean wait next to Erlang C, Wq = C(c, a)/(c mu - lambda)
// (ErlangC, MMC.WaitTheory). RunnerForBase returns MMCRunner for its base, "mmc".
// Each replication simulates 50000 s (mu = 1/s) from an empty system, sampled
// every 100 s, with MSER-5 warm-up removal. The waiting time is estimated two
// ways: wq_s = Lq/lambda per period (Little's law on the time-average queue
// length) and wait_s = (total wait of the customers entering service in the
// period)/(lambda*period); the plain per-period mean wait is not used because
// it is biased low (a congested period weighs no more than a quiet one: it came
// out 3-5% under Erlang C). p_wait and utilisation check the Erlang C
// probability and rho. The test accepts a value when the theory lies in the
// 95% interval or within 5% of the mean, and checks that the same criterion
// rejects the Wq of a 10% heavier load.
package study

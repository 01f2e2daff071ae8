// Package cpu is the CPU of a node as the Linux scheduler shares it between
// containers: a fluid (processor-sharing) model of CFS with Kubernetes'
// cgroup settings, driven by the events of package sim.
//
// # Semantics
//
// A request that needs CPU is a job of a given amount of work, in core-time
// (1 s of work takes 1 s on one idle core). A job runs on one thread: it never
// gets more than one core. A container runs its jobs at once, sharing its rate
// equally between them (its threads have equal weights); a container with k
// jobs can use at most k cores (and at most Threads).
//
// A node's cores are shared between its running containers as CFS shares them
// between cgroups: weighted processor sharing, work-conserving. Each container
// weighs its cpu.shares, which the kubelet sets from the CPU request
// (MilliCPUToShares: request x 1024 / 1000, at least 2); a container without a
// request (best effort) weighs 2, the kernel's minimum, so it gets what the
// others leave. Rates are the weighted max-min fair allocation (water-filling):
// a container whose cap (its jobs, its threads) is below its weighted share
// gets its cap; the rest is divided by weight among the others. An uncontended
// node gives every container its cap.
//
// A CPU limit is CFS bandwidth control: a quota of limit x 100 ms of CPU time
// per 100 ms period (cpu.cfs_quota_us / cpu.cfs_period_us; cgroup v2: cpu.max
// "quota period"), as the kubelet sets it. Once a container has used its quota
// in a period it is throttled: its jobs wait for the next period, which
// stretches their service time. Periods are aligned on the container's start
// (the kernel's period timer keeps its grid while the group is busy). A 250m
// limit and a job of 100 ms of work arriving at the start of a period: it
// runs 25 ms in each of four periods and ends at 3 x 100 + 25 = 325 ms.
//
// Sources: the kernel's "CFS Bandwidth Control" (Documentation/scheduler/
// sched-bwc.rst: quota, period, throttling until the next refill), "CFS
// Scheduler" (sched-design-CFS.rst: weighted fair sharing between group
// entities, cpu.shares), cgroup v2's cpu.weight and cpu.max
// (Documentation/admin-guide/cgroup-v2.rst), and the kubelet's
// MilliCPUToShares / MilliCPUToQuota (pkg/kubelet/cm: quota = limit x period
// / 1000 with period 100 ms, shares = request x 1024 / 1000, minimum 2).
//
// Not modelled: the per-CPU 5 ms quota slices the kernel hands out (a
// container may overrun its quota by a slice), cpu.cfs_burst_us, the
// scheduler's latency and context-switch costs, cgroup v2's conversion of
// shares to cpu.weight (1..10000, which rounds small ratios: the model keeps
// the shares' exact proportions), the node's system-reserved CPU (the whole
// capacity is shared), and pods' QoS-class parent cgroups (every container is
// weighed directly against the others).
//
// # Costs
//
// A node holds a list of its containers that have jobs. Starting or ending a
// job, a container's quota running out and a period boundary of a throttled
// or busy limited container are events of the node: each advances the
// node's running jobs (O(jobs)) and recomputes its rates (O(k log k) for k
// busy containers, insertion-sorted: k is small). A node has at most one
// pending timer. Jobs are pooled: Run allocates nothing once the pool is
// warm. A node without busy containers costs nothing.
//
// # Determinism
//
// No random draws; containers are visited in the order they became busy, and
// ties of the water-filling by that order too, so a run is reproducible.
// Completion times are rounded up to the nanosecond.
package cpu

// Package autoscaler is the cluster autoscaler: node groups that grow when
// pods cannot be scheduled and shrink when their nodes are idle, with what
// the nodes cost. It follows kubernetes/autoscaler's cluster-autoscaler
// (its static autoscaler loop, binpacking estimator, expanders and scale-down
// planner; FAQ "How does scale-up work?", "How does scale-down work?",
// "What types of pods can prevent CA from removing a node?"), acting on a
// model.Cluster only through its exported API, as the real one acts through
// the API server and the cloud provider.
//
// # Semantics
//
// Every ScanInterval (--scan-interval, 10 s) the loop runs once:
//
//   - Scale-up. The pods the scheduler tried and found no node for
//     (PodScheduled=False, Unschedulable) are first packed, first fit, onto
//     the existing schedulable nodes and onto the nodes still being
//     provisioned (upcoming nodes count as their group's template): pods
//     that fit there need no new node. For every group below its max, the
//     binpacking estimator packs the rest, largest first (CPU plus memory
//     as fractions of the template), onto new template nodes (the group's
//     machine, labels and taints, minus the requests of the DaemonSets that
//     would run there), each pod checked by the scheduler's filters
//     (model.PodFits). The expander picks one group: least-waste (default:
//     the least idle CPU fraction plus idle memory fraction of the new
//     nodes after placement), most-pods, priority (the group's priority,
//     highest wins) or random; ties, and random itself, draw from the
//     seeded "cluster-autoscaler" stream. The group grows by the estimate,
//     capped by its max and by MaxNodesTotal (every node of the cluster,
//     upcoming included). Each new node joins Ready after a draw of its
//     group's provisioning delay. Pods that fit no group get a
//     NotTriggerScaleUp event naming why per group.
//   - Scale-down. A node of a group is unneeded when the requests of its
//     pods (DaemonSet pods included, as with
//     --ignore-daemonsets-utilization=false) are below
//     ScaleDownUtilizationThreshold (0.5) of its capacity, for CPU and for
//     memory, and all its other pods can move: none is blocked (annotation
//     cluster-autoscaler.kubernetes.io/safe-to-evict: "false"; without
//     safe-to-evict: "true": a pod no controller owns, a kube-system pod no
//     budget covers, a pod with local storage), their
//     PodDisruptionBudgets allow the evictions, and the scheduler's filters
//     find each a place on the other nodes (nodes found removable earlier in
//     the same pass are not places, and a node that takes their pods in the
//     simulation is not removable in that pass). A node unneeded for
//     ScaleDownUnneededTime (10 min) is removed, unless its group is at its
//     min or scale-down is cooling down: ScaleDownDelayAfterAdd (10 min)
//     after a scale-up, ScaleDownDelayAfterDelete (one scan interval) after
//     a removal, 3 min after a failed drain, and never in a loop that scaled
//     up. Empty nodes (DaemonSet pods only) go together, up to 10 per loop;
//     otherwise one node is drained per loop: tainted
//     ToBeDeletedByClusterAutoscaler:NoSchedule, its non-DaemonSet pods
//     evicted through the eviction API (model.Cluster.Evict, which honours
//     budgets), a refused eviction retried every 10 s for up to 2 min (then
//     the drain fails and the taint is removed); once those pods are gone (at
//     most their grace period, capped at 10 min) the node is deleted.
//
// Events (TriggeredScaleUp, NotTriggerScaleUp on pods; ScaleDown,
// ScaleDownEmpty, ScaleDownFailed on nodes; ScaledUpGroup and the scale-down
// lines on the kube-system/cluster-autoscaler-status ConfigMap, which the
// autoscaler writes after every loop: status.go) go to the
// cluster's event sink (source cluster-autoscaler, model.Cluster.Emit) and
// are kept aggregated for the summary: one entry per object, reason and
// message, with a count.
//
// Not simulated: node group balancing (--balance-similar-node-groups),
// scale-up from 0 with cloud-provided templates (templates are always the
// group's declared machine), unready-node handling, GPU and ephemeral storage
// limits, the 15-minute max-node-provision-time (a node always comes up),
// pod priority cut-off and expendable pods.
//
// # Cost
//
// A node is billed from the scale-up that launched it (the instance starts
// then) until it is deleted; the min nodes a group starts with from time 0.
// Cost is node-hours times the group's CostPerHour. Nodes declared outside
// node groups are not billed.
//
// # Determinism
//
// Everything runs on the engine's events; the only draws are the
// provisioning delays (one stream per group, "cluster-autoscaler/GROUP") and
// the expander's tie-breaks ("cluster-autoscaler"). Nodes, pods and groups
// are walked in creation order, never in map order.
//
// # Costs of a loop
//
// A loop walks the unschedulable pods against every node (first fit) and
// every group's template, and for scale-down every group node's pods against
// the other nodes: O(pending x nodes + group pods x nodes) filter checks,
// each a few comparisons. Nothing happens between loops.
package autoscaler

package autoscaler

import (
	"math/rand/v2"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// The status ConfigMap: kube-system/cluster-autoscaler-status, created when
// the autoscaler starts (autoscalerStatus Initializing) and rewritten at the
// end of every loop, as cluster-autoscaler's WriteStatusConfigMap does
// (--write-status-configmap, on by default): data.status is its
// ClusterAutoscalerStatus (clusterstate/api) marshalled by sigs.k8s.io/yaml
// (keys in alphabetical order), the annotation
// cluster-autoscaler.kubernetes.io/last-updated the loop's time.
//
// What kubesim fills: health is always Healthy (nodes come up Ready; no
// unready or long-unregistered nodes); registered counts the cluster's nodes
// (the group's, for a group) and the Ready ones, unregistered the nodes
// launched and not yet Ready (cloudProviderTarget counts both); scaleUp is
// InProgress while a group has such nodes, NoActivity otherwise (no backoff:
// a scale-up never fails); scaleDown is CandidatesPresent with the number of
// unneeded nodes, NoCandidates without. lastTransitionTime is the loop at
// which the status last changed.

// StatusConfigMap is the status ConfigMap's name, in kube-system.
const StatusConfigMap = "cluster-autoscaler-status"

const systemNamespace = "kube-system"

// LastUpdatedAnnotation is the annotation holding the last update's time.
const LastUpdatedAnnotation = "cluster-autoscaler.kubernetes.io/last-updated"

// lastUpdateFormat is ConfigMapLastUpdateFormat.
const lastUpdateFormat = "2006-01-02 15:04:05.999999999 -0700 MST"

// The types of cluster-autoscaler's clusterstate/api, with their JSON names
// (sigs.k8s.io/yaml marshals through JSON).
type caStatus struct {
	Time             string        `json:"time,omitempty"`
	AutoscalerStatus string        `json:"autoscalerStatus,omitempty"`
	Message          string        `json:"message,omitempty"`
	ClusterWide      clusterWide   `json:"clusterWide,omitempty"`
	NodeGroups       []groupStatus `json:"nodeGroups,omitempty"`
}

type unreadyCount struct {
	Total           int `json:"total"`
	ResourceUnready int `json:"resourceUnready"`
}

type registeredCount struct {
	Total        int          `json:"total"`
	Ready        int          `json:"ready"`
	NotStarted   int          `json:"notStarted"`
	BeingDeleted int          `json:"beingDeleted,omitempty"`
	Unready      unreadyCount `json:"unready,omitempty"`
}

type nodeCount struct {
	Registered       registeredCount `json:"registered,omitempty"`
	LongUnregistered int             `json:"longUnregistered"`
	Unregistered     int             `json:"unregistered"`
}

type condTimes struct {
	LastProbeTime      metav1.Time `json:"lastProbeTime,omitempty"`
	LastTransitionTime metav1.Time `json:"lastTransitionTime,omitempty"`
}

type clusterHealth struct {
	Status     string    `json:"status,omitempty"`
	NodeCounts nodeCount `json:"nodeCounts,omitempty"`
	condTimes
}

type groupHealth struct {
	Status              string    `json:"status,omitempty"`
	NodeCounts          nodeCount `json:"nodeCounts,omitempty"`
	CloudProviderTarget int       `json:"cloudProviderTarget"`
	MinSize             int       `json:"minSize"`
	MaxSize             int       `json:"maxSize"`
	condTimes
}

type clusterScaleUp struct {
	Status string `json:"status,omitempty"`
	condTimes
}

type backoffInfo struct {
	ErrorCode    string `json:"errorCode,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

type groupScaleUp struct {
	Status      string      `json:"status,omitempty"`
	BackoffInfo backoffInfo `json:"backoffInfo,omitempty"`
	condTimes
}

type scaleDownCond struct {
	Status     string `json:"status,omitempty"`
	Candidates int    `json:"candidates,omitempty"`
	condTimes
}

type clusterWide struct {
	Health    clusterHealth  `json:"health,omitempty"`
	ScaleUp   clusterScaleUp `json:"scaleUp,omitempty"`
	ScaleDown scaleDownCond  `json:"scaleDown,omitempty"`
}

type groupStatus struct {
	Name      string        `json:"name,omitempty"`
	Health    groupHealth   `json:"health,omitempty"`
	ScaleUp   groupScaleUp  `json:"scaleUp,omitempty"`
	ScaleDown scaleDownCond `json:"scaleDown,omitempty"`
}

// transitions keeps, per condition, its last status and since when.
type transitions map[string]struct {
	status string
	since  sim.Time
}

// times is a condition's probe time (now) and the time its status last
// changed.
func (tr transitions) times(c *model.Cluster, key, status string) condTimes {
	now := c.Now()
	t, ok := tr[key]
	if !ok || t.status != status {
		t.status, t.since = status, now
		tr[key] = t
	}
	return condTimes{LastProbeTime: metav1.NewTime(c.WallClock(now)), LastTransitionTime: metav1.NewTime(c.WallClock(t.since))}
}

// statusStream draws the status ConfigMap's UID: its own stream, so that the
// UIDs of the user's objects are the same with or without an autoscaler.
const statusStream = "cluster-autoscaler status configmap"

// writeStatus creates or updates the status ConfigMap with the status now
// (autoscalerStatus Initializing before the first loop, Running after).
func (a *Autoscaler) writeStatus(running bool) {
	now := a.c.Now()
	wall := a.c.WallClock(now)
	st := caStatus{Time: wall.Format(lastUpdateFormat), AutoscalerStatus: "Initializing"}
	if running {
		st.AutoscalerStatus = "Running"
		st.ClusterWide, st.NodeGroups = a.statusNow()
	}
	b, err := yaml.Marshal(st)
	if err != nil {
		panic(err) // plain structs of strings and numbers always marshal
	}
	spec := model.ConfigMapSpec{Name: StatusConfigMap, Namespace: systemNamespace,
		Annotations: map[string]string{LastUpdatedAnnotation: st.Time}, Data: map[string]string{"status": string(b)}}
	cm := a.c.ConfigMapIn(systemNamespace, StatusConfigMap)
	if cm == nil {
		// Deleted by a user, or not made yet: the next write makes it again,
		// as WriteStatusConfigMap does on NotFound.
		spec.UIDRand = a.uidRand()
		if cm, err = a.c.CreateConfigMap(spec); err != nil {
			return // kube-system is being deleted: retried next loop
		}
	} else {
		if cm.Annotations != nil {
			ann := copyMap(cm.Annotations)
			ann[LastUpdatedAnnotation] = st.Time
			spec.Annotations = ann
		}
		spec.Labels, spec.Immutable = cm.Labels, cm.Immutable
		if a.c.UpdateConfigMap(cm, spec) != nil {
			return // made immutable by a user: the real update fails too
		}
	}
	a.statusUID = cm.UID
}

func (a *Autoscaler) uidRand() *rand.Rand {
	if a.statusRand == nil {
		a.statusRand = a.c.E.Stream(statusStream)
	}
	return a.statusRand
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// statusNow is the cluster-wide and per-group status.
func (a *Autoscaler) statusNow() (clusterWide, []groupStatus) {
	c := a.c
	var cw clusterWide
	total, ready, deleting := 0, 0, 0
	for _, n := range c.Nodes() {
		total++
		if n.Up && n.Ready {
			ready++
		}
		if a.deleting[n] {
			deleting++
		}
	}
	unregistered, scalingUp := 0, false
	var groups []groupStatus
	for _, g := range a.groups {
		gReady, gDeleting, candidates := 0, 0, 0
		for _, n := range g.nodes {
			if n.Up && n.Ready {
				gReady++
			}
			if a.deleting[n] {
				gDeleting++
			}
			if _, ok := a.unneeded[n]; ok {
				candidates++
			}
		}
		unregistered += g.upcoming
		scalingUp = scalingUp || g.upcoming > 0
		up := "NoActivity"
		if g.upcoming > 0 {
			up = "InProgress"
		}
		down := "NoCandidates"
		if candidates > 0 {
			down = "CandidatesPresent"
		}
		key := "group/" + g.Name + "/"
		groups = append(groups, groupStatus{Name: g.Name,
			Health: groupHealth{Status: "Healthy",
				NodeCounts: nodeCount{Registered: registeredCount{Total: len(g.nodes), Ready: gReady, BeingDeleted: gDeleting},
					Unregistered: g.upcoming},
				CloudProviderTarget: g.target(), MinSize: g.Min, MaxSize: g.Max,
				condTimes: a.trans.times(c, key+"health", "Healthy")},
			ScaleUp:   groupScaleUp{Status: up, condTimes: a.trans.times(c, key+"scaleUp", up)},
			ScaleDown: scaleDownCond{Status: down, Candidates: candidates, condTimes: a.trans.times(c, key+"scaleDown", down)}})
	}
	up := "NoActivity"
	if scalingUp {
		up = "InProgress"
	}
	down := "NoCandidates"
	if len(a.unneeded) > 0 {
		down = "CandidatesPresent"
	}
	cw.Health = clusterHealth{Status: "Healthy",
		NodeCounts: nodeCount{Registered: registeredCount{Total: total, Ready: ready, BeingDeleted: deleting}, Unregistered: unregistered},
		condTimes:  a.trans.times(c, "health", "Healthy")}
	cw.ScaleUp = clusterScaleUp{Status: up, condTimes: a.trans.times(c, "scaleUp", up)}
	cw.ScaleDown = scaleDownCond{Status: down, Candidates: len(a.unneeded), condTimes: a.trans.times(c, "scaleDown", down)}
	return cw, groups
}

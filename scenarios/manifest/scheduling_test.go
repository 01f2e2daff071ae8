package manifest

import (
	"reflect"
	"testing"
)

// Node affinity (required and preferred) is scheduled; pod (anti-)affinity and
// topologySpreadConstraints are not, and are listed as not simulated instead
// of being dropped silently.
func TestSchedulingFieldsNotSimulated(t *testing.T) {
	src := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{matchExpressions: [{key: disk, operator: Exists}]}]
          preferredDuringSchedulingIgnoredDuringExecution:
          - {weight: 10, preference: {matchExpressions: [{key: zone, operator: In, values: [a]}]}}
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {labelSelector: {matchLabels: {app: db}}, topologyKey: kubernetes.io/hostname}
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - {weight: 1, podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}}
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
`
	objs, _, err := Decode("web.yml", []byte(src), Options{Validate: true})
	if err != nil || len(objs) != 1 {
		t.Fatalf("%v %v", objs, err)
	}
	want := []string{"spec.template.spec.affinity.podAffinity", "spec.template.spec.affinity.podAntiAffinity",
		"spec.template.spec.topologySpreadConstraints"}
	if got := NotSimulated(objs[0].Obj); !reflect.DeepEqual(got, want) {
		t.Errorf("NotSimulated = %v, want %v", got, want)
	}
}

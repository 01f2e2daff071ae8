package model

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
)

// ConfigMap is a v1 ConfigMap: data a pod or a controller reads. kubesim's
// controllers do not read user ConfigMaps; the cluster autoscaler writes its
// status in kube-system/cluster-autoscaler-status, as the real one does.
type ConfigMap struct {
	ObjectMeta
	Data       map[string]string
	BinaryData map[string][]byte
	// Immutable refuses any change of Data and BinaryData once set.
	Immutable bool
	Deleted   bool
}

// ConfigMapSpec is what CreateConfigMap and UpdateConfigMap need.
type ConfigMapSpec struct {
	Name        string
	Namespace   string // "": default
	Labels      map[string]string
	Annotations map[string]string
	Data        map[string]string
	BinaryData  map[string][]byte
	Immutable   bool
	// UIDRand, if set, draws the new object's UID instead of the cluster's
	// metadata stream (a controller's own object: the cluster autoscaler's
	// status, so that the UIDs of the user's objects stay as without it).
	UIDRand *rand.Rand
}

var configMapKey = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)

// maxConfigMapBytes is the API server's limit on a ConfigMap's data
// (corev1.MaxSecretSize, 1 MiB).
const maxConfigMapBytes = 1 << 20

// validate is the API server's ValidateConfigMap: keys of data and
// binaryData are config keys, not in both, and the total size is at most 1 MiB.
func (s ConfigMapSpec) validate() error {
	if s.Name == "" {
		return fmt.Errorf("metadata.name: Required value: name or generateName is required")
	}
	size := 0
	keys := make([]string, 0, len(s.Data)+len(s.BinaryData))
	for k := range s.Data {
		keys = append(keys, k)
	}
	for k := range s.BinaryData {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field := "data"
		if _, ok := s.Data[k]; !ok {
			field = "binaryData"
		}
		if len(k) > 253 || !configMapKey.MatchString(k) || k == "." || k == ".." || strings.HasPrefix(k, "..") {
			return fmt.Errorf("%s[%s]: Invalid value: %q: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')", field, k, k)
		}
		if _, dup := s.BinaryData[k]; dup && field == "data" {
			return fmt.Errorf("binaryData[%s]: Invalid value: %q: duplicate of key present in data", k, k)
		}
		size += len(s.Data[k]) + len(s.BinaryData[k])
	}
	if size > maxConfigMapBytes {
		return fmt.Errorf("[]: Too long: may not be more than %d bytes", maxConfigMapBytes)
	}
	return nil
}

// CreateConfigMap creates a ConfigMap in its namespace.
func (c *Cluster) CreateConfigMap(s ConfigMapSpec) (*ConfigMap, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	ns := orDefault(s.Namespace)
	if err := c.canCreateIn(ns); err != nil {
		return nil, err
	}
	if c.ConfigMapIn(ns, s.Name) != nil {
		return nil, fmt.Errorf("configmaps %q already exists", s.Name)
	}
	r := c.metaRand
	if s.UIDRand != nil {
		r = s.UIDRand
	}
	m := ObjectMeta{Name: s.Name, Namespace: ns, UID: newUID(r), CreationTimestamp: c.Now(),
		Labels: copyLabels(s.Labels), Annotations: copyLabels(s.Annotations)}
	c.touch(&m)
	cm := &ConfigMap{ObjectMeta: m, Data: copyLabels(s.Data), BinaryData: copyBinary(s.BinaryData), Immutable: s.Immutable}
	c.configMaps = append(c.configMaps, cm)
	return cm, nil
}

// UpdateConfigMap replaces the ConfigMap's data (kubectl apply, a
// controller's update). An immutable ConfigMap refuses a change of its data
// or of its immutability, as the API server does.
func (c *Cluster) UpdateConfigMap(cm *ConfigMap, s ConfigMapSpec) error {
	if err := s.validate(); err != nil {
		return err
	}
	if cm.Immutable {
		if !s.Immutable {
			return fmt.Errorf("immutable: Forbidden: field is immutable when `immutable` is set")
		}
		if !sameStrings(cm.Data, s.Data) || !sameBinary(cm.BinaryData, s.BinaryData) {
			return fmt.Errorf("data: Forbidden: field is immutable when `immutable` is set")
		}
	}
	cm.Data, cm.BinaryData, cm.Immutable = copyLabels(s.Data), copyBinary(s.BinaryData), s.Immutable
	if s.Annotations != nil {
		cm.Annotations = copyLabels(s.Annotations)
	}
	c.touch(&cm.ObjectMeta)
	return nil
}

// DeleteConfigMap deletes the ConfigMap.
func (c *Cluster) DeleteConfigMap(cm *ConfigMap) {
	cm.Deleted = true
	kept := c.configMaps[:0]
	for _, x := range c.configMaps {
		if x != cm {
			kept = append(kept, x)
		}
	}
	c.configMaps = kept
}

// ConfigMaps returns the ConfigMaps, in creation order.
func (c *Cluster) ConfigMaps() []*ConfigMap { return append([]*ConfigMap(nil), c.configMaps...) }

// ConfigMapIn returns the ConfigMap named name in namespace ns, or nil.
func (c *Cluster) ConfigMapIn(ns, name string) *ConfigMap {
	ns = orDefault(ns)
	for _, cm := range c.configMaps {
		if cm.Name == name && cm.Namespace == ns {
			return cm
		}
	}
	return nil
}

func copyBinary(m map[string][]byte) map[string][]byte {
	if m == nil {
		return nil
	}
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = append([]byte(nil), v...)
	}
	return out
}

func sameStrings(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func sameBinary(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || string(w) != string(v) {
			return false
		}
	}
	return true
}

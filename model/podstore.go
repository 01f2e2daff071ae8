package model

import (
	"hash/maphash"
	"unsafe"
)

// podNameIndex finds a pod by namespace and name: the newest pod of each
// name, as a map by name would hold it (a pod's name is taken again only once
// it is gone). It maps a hash of the name to the ID+1 of the newest pod with
// that hash; pods whose names share a hash are chained through Pod.nameNext.
// With a million pods a map keyed by the two strings was 20% of the CPU of
// creating them (growth moving 40-byte keys, scanned by the GC at every
// cycle); this one moves 16-byte slots without pointers.
type podNameIndex struct {
	ids map[uint64]int32
}

var podNameSeed = maphash.MakeSeed()

func podNameHash(ns, name string) uint64 {
	return maphash.String(podNameSeed, name) ^ maphash.String(podNameSeed, ns)*0x9e3779b97f4a7c15
}

// get returns the newest pod named ns/name in pods (indexed by ID), or nil.
func (x *podNameIndex) get(pods []*Pod, ns, name string) *Pod {
	for id := x.ids[podNameHash(ns, name)]; id != 0; {
		p := pods[id-1]
		if p.Name == name && p.Namespace == ns {
			return p
		}
		id = p.nameNext
	}
	return nil
}

// add indexes p (pods[p.ID] == p) as the newest pod of its name; an older
// pod of the same name leaves the chain.
func (x *podNameIndex) add(pods []*Pod, p *Pod) {
	h := podNameHash(p.Namespace, p.Name)
	head := x.ids[h]
	var prev *Pod
	for id := head; id != 0; {
		q := pods[id-1]
		if q.Name == p.Name && q.Namespace == p.Namespace {
			if prev == nil {
				head = q.nameNext
			} else {
				prev.nameNext = q.nameNext
			}
			q.nameNext = 0
			break
		}
		prev, id = q, q.nameNext
	}
	p.nameNext = head
	x.ids[h] = int32(p.ID + 1)
}

// allocPod returns a zeroed Pod from a slab: pods are never freed (AllPods
// keeps every pod ever created), so allocating them a few hundred at a time
// saves the allocator's and the GC's per-object work.
func (c *Cluster) allocPod() *Pod {
	if len(c.podSlab) == 0 {
		c.podSlab = make([]Pod, min(max(len(c.pods)/4, 8), 256))
	}
	p := &c.podSlab[0]
	c.podSlab = c.podSlab[1:]
	return p
}

// keepString returns b as a string written into a shared arena of bytes,
// 16 KB at a time: for text kept as long as the cluster (pod names, UIDs),
// one allocation per thousand strings instead of one each.
func (c *Cluster) keepString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(c.strs)-len(c.strs) < len(b) {
		c.strs = make([]byte, 0, max(16<<10, len(b)))
	}
	n := len(c.strs)
	c.strs = append(c.strs, b...)
	return unsafe.String(&c.strs[n], len(b))
}

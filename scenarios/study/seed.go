package study

import (
	"encoding/binary"
	"hash/fnv"
)

// ReplicationSeed is the seed of replication r of the point whose Key is
// pointKey, in a study whose seed is studySeed: FNV-1a (64 bit) over the study
// seed (8 bytes, little-endian), the key and r (8 bytes, little-endian), then the
// SplitMix64 finaliser to spread the bits. It depends on nothing else: not on the
// point's position, the shard, the parallelism or the order jobs run in.
func ReplicationSeed(studySeed uint64, pointKey string, r int) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], studySeed)
	h.Write(b[:])
	h.Write([]byte(pointKey))
	binary.LittleEndian.PutUint64(b[:], uint64(r))
	h.Write(b[:])
	return mix64(h.Sum64())
}

// mix64 is the SplitMix64 output function (Steele, Lea and Flood 2014).
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

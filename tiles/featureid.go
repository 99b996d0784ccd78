package tiles

import (
	"hash/fnv"

	"github.com/incidentmap/incidentmap/geo"
)

// Numeric feature ids, as MVT carries them and MapLibre's feature-state
// needs them. Every id is below 2^53, so a JavaScript number holds it
// exactly. Ids hashed from a feature's string id are below ClusterIDBit;
// clusters have that bit set, so the two can never collide.

// ClusterIDBit is set in the id of every cluster and in no other id.
const ClusterIDBit = 1 << 52

// HashID returns the numeric id of a feature whose string id is s: the
// 64-bit FNV-1a hash of s with the bits from ClusterIDBit up cleared. It
// is the same on every replica and at every zoom. Two of a million ids
// collide with a chance of about 1 in 9,000 (n²/2^53); the tests check
// that the synthetic million and the fixtures have no two alike.
func HashID(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s)) // an fnv hash's Write never fails
	return h.Sum64() & (ClusterIDBit - 1)
}

// FeatureID returns the numeric id of an overlay feature: an incident's
// from its incident id, a cluster's from its cell (see ClusterGrid), and
// anything else's (sites, rings, links, uncertainty) from its string id.
// It reports false for a feature with no id to give.
func FeatureID(f *geo.Feature) (uint64, bool) {
	if f.Incident != nil {
		return HashID(f.Incident.ID), true
	}
	if id, ok := f.Properties[clusterIDProperty].(int); ok && f.Properties["kind"] == KindCluster {
		return uint64(id), true
	}
	if f.ID == "" {
		return 0, false
	}
	return HashID(f.ID), true
}

package geo

import (
	"cmp"
	"slices"
	"sort"
	"strings"
)

// radixSort sorts xs by the 64-bit key of each, stably, a byte at a time
// from the least significant (LSD radix sort): eight passes over the
// items, each skipped when all keys share that byte. A million items
// sort in a tenth of the time a comparison sort takes, which is most of
// the difference at load.
func radixSort[T any](xs []T, key func(T) uint64) {
	if len(xs) < 2 {
		return
	}
	tmp := make([]T, len(xs))
	src, dst := xs, tmp
	for shift := uint(0); shift < 64; shift += 8 {
		var count [256]int
		for _, x := range src {
			count[byte(key(x)>>shift)]++
		}
		if count[byte(key(src[0])>>shift)] == len(src) {
			continue // one bucket: this byte does not order anything
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, x := range src {
			b := byte(key(x) >> shift)
			dst[count[b]] = x
			count[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &xs[0] {
		copy(xs, src)
	}
}

// timeOrder returns the indices of the records added, in the data set's
// order: by time, then by id (the id of the record added f-th).
func (b *builder) timeOrder(id func(f int32) string) []int32 {
	if b.sorted > 0 {
		return b.mergeTimeOrder(id)
	}
	type key struct {
		sec  int64
		nsec int32
		f    int32
	}
	keys := make([]key, b.n)
	for f := range b.n {
		r := b.record(f)
		keys[f] = key{r.sec, r.nsec, int32(f)}
	}
	// Nanoseconds first, then seconds: the sort is stable, so the second
	// pass keeps the first's order among equal seconds. The sign bit
	// flipped puts negative seconds (before 1970) first.
	radixSort(keys, func(k key) uint64 { return uint64(k.nsec) })
	radixSort(keys, func(k key) uint64 { return uint64(k.sec) ^ 1<<63 })
	order := make([]int32, b.n)
	for i, k := range keys {
		order[i] = k.f
	}
	// Incidents at the same instant go by id.
	for lo := 0; lo < len(keys); {
		hi := lo + 1
		for hi < len(keys) && keys[hi].sec == keys[lo].sec && keys[hi].nsec == keys[lo].nsec {
			hi++
		}
		if hi-lo > 1 {
			slices.SortFunc(order[lo:hi], func(a, b int32) int { return cmp.Compare(id(a), id(b)) })
		}
		lo = hi
	}
	return order
}

// mergeTimeOrder is timeOrder when the first b.sorted records are in
// order already (With): the others are sorted, then each is put where a
// binary search of the sorted finds its place, and the runs between are
// copied whole: a write to a large data set compares a few records, not
// all of them.
func (b *builder) mergeTimeOrder(id func(f int32) string) []int32 {
	before := func(f, g int32) int {
		r, s := b.record(int(f)), b.record(int(g))
		if c := cmp.Or(cmp.Compare(r.sec, s.sec), cmp.Compare(r.nsec, s.nsec)); c != 0 {
			return c
		}
		return strings.Compare(id(f), id(g)) // only for the same instant
	}
	rest := make([]int32, 0, b.n-b.sorted)
	for f := b.sorted; f < b.n; f++ {
		rest = append(rest, int32(f))
	}
	slices.SortFunc(rest, before)
	order := make([]int32, 0, b.n)
	f := 0 // the next of the sorted records to place
	for _, g := range rest {
		to := f + sort.Search(b.sorted-f, func(k int) bool { return before(int32(f+k), g) > 0 })
		for ; f < to; f++ {
			order = append(order, int32(f))
		}
		order = append(order, g)
	}
	for ; f < b.sorted; f++ {
		order = append(order, int32(f))
	}
	return order
}

// mergeKeys is the id index's entries of the records added, sorted by
// hash, when the first b.sorted records' entries are b.keptKeys (With):
// only the others are hashed and sorted, then merged into them.
func (b *builder) mergeKeys(id func(f int32) string) []idKey {
	rest := make([]idKey, 0, b.n-b.sorted)
	for f := b.sorted; f < b.n; f++ {
		rest = append(rest, idKey{idHash(id(int32(f))), int32(f)})
	}
	slices.SortFunc(rest, func(a, c idKey) int { return cmp.Or(cmp.Compare(a.hash, c.hash), cmp.Compare(a.pos, c.pos)) })
	keys := make([]idKey, 0, b.n)
	kept := b.keptKeys
	for _, k := range rest {
		i := 0
		for i < len(kept) && kept[i].hash <= k.hash {
			i++
		}
		keys = append(append(keys, kept[:i]...), k)
		kept = kept[i:]
	}
	return append(keys, kept...)
}

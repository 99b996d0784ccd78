// Package cache keeps rendered bytes (layers, pages of features, tiles) so
// they are computed once: a bounded in-process LRU in front of Redis, which
// every replica shares. Concurrent misses for one key render once.
//
// A miss is not an error and an error is not a miss: Redis that is down or
// slow costs a request at most its short timeouts, is then skipped for a
// while, and the request is still answered by rendering. The package knows
// nothing of HTTP or of what the bytes mean.
package cache

package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
)

// The canonical text of a parsed request. Cache keys, ETags and the links
// a response carries are written from the parsed, typed request, never
// from the text the client sent: requests that parse alike share one key
// and one body, whatever their spelling (limit=010, a bbox with heights,
// event types in another order), and requests that parse apart never
// share one. Numbers are written in their shortest form that reads back
// exactly, times in RFC 3339 in UTC to the nanosecond, lists sorted.
// FuzzCanonicalItems checks both directions.

// keyVersion is the version of the key format: a change of how keys are
// written changes it, so keys of the old format are never read.
const keyVersion = "k2"

// maxKeyRequest bounds the request part of a key; a longer one (a query
// of many long values) is replaced by its SHA-256, so Redis keys stay
// short whatever a client sends.
const maxKeyRequest = 256

// keyRequest is the request part of a cache key: path and canonical
// query, hashed when long.
func keyRequest(path string, canonical url.Values) string {
	k := path
	if len(canonical) > 0 {
		k += "?" + canonical.Encode()
	}
	if len(k) > maxKeyRequest {
		sum := sha256.Sum256([]byte(k))
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	return k
}

// num writes a float in the shortest form that reads back as the same
// float.
func num(f float64) string {
	if f == 0 {
		f = 0 // -0 reads as 0: one text for one number
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// boundText writes a bound as bbox's four numbers.
func boundText(b orb.Bound) string {
	return num(b.Min[0]) + "," + num(b.Min[1]) + "," + num(b.Max[0]) + "," + num(b.Max[1])
}

// values is the canonical query of an incidents /items request; its
// format is left out when it is the default, geojson.
func (r itemsRequest) values() url.Values {
	v := url.Values{}
	q := r.query
	setBound(v, q.BBox)
	setInterval(v, q.Time)
	setNear(v, q.Near)
	for name, list := range map[string][]string{"event_type": q.EventTypes, "site": q.Sites, "country": q.Countries} {
		if len(list) > 0 {
			v.Set(name, strings.Join(list, ","))
		}
	}
	if r.located != locatedAny {
		v.Set("located", strconv.FormatBool(r.located == locatedYes))
	}
	if len(q.Words) > 0 {
		v.Set("q", strings.Join(q.Words, " "))
	}
	if q.Newest {
		v.Set("sortby", "-occurred_at")
	}
	setPage(v, q.Limit, q.Offset)
	if r.format != "" && r.format != "geojson" {
		v.Set("f", r.format)
	}
	return v
}

// sitesRequest is a parsed /collections/sites/items query.
type sitesRequest struct {
	bbox          *orb.Bound
	limit, offset int
}

// values is the canonical query of a sites /items request.
func (r sitesRequest) values() url.Values {
	v := url.Values{}
	setBound(v, r.bbox)
	setPage(v, r.limit, r.offset)
	return v
}

// setBound writes bbox, when b is set.
func setBound(v url.Values, b *orb.Bound) {
	if b != nil {
		v.Set("bbox", boundText(*b))
	}
}

// setInterval writes datetime, when iv is a condition.
func setInterval(v url.Values, iv geo.Interval) {
	if dt := formatInterval(iv); dt != "" {
		v.Set("datetime", dt)
	}
}

// setNear writes lat, lon and radius, when near is set.
func setNear(v url.Values, near *geo.Radius) {
	if near != nil {
		v.Set("lat", num(near.Center[1]))
		v.Set("lon", num(near.Center[0]))
		v.Set("radius", num(near.Metres))
	}
}

// setPage writes limit, and offset when it is not 0.
func setPage(v url.Values, limit, offset int) {
	v.Set("limit", strconv.Itoa(limit))
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
}

// intervalValues is the canonical query of a request whose only
// parameter is datetime.
func intervalValues(iv geo.Interval) url.Values {
	v := url.Values{}
	setInterval(v, iv)
	return v
}

package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
)

// The OGC API Features Part 1 endpoints under /api.

// Conformance classes we implement, as the standard spells them.
var conformanceClasses = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
}

const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// Collection ids.
const (
	collIncidents = "incidents"
	collSites     = "sites"
)

// The documents below list their members in alphabetical order, the
// order they were written in when they were maps: the bytes, and so what
// clients and caches hold, stay the same.

// landingPage is the OGC API landing page, /api.
type landingPage struct {
	Description string `json:"description"`
	Links       []link `json:"links"`
	Title       string `json:"title"`
}

// conformanceDoc lists the conformance classes, /api/conformance.
type conformanceDoc struct {
	ConformsTo []string `json:"conformsTo"`
}

// collectionsDoc lists the collections, /api/collections.
type collectionsDoc struct {
	Collections []collectionDoc `json:"collections"`
	Links       []link          `json:"links"`
}

// collectionDoc describes one collection, /api/collections/{id}.
type collectionDoc struct {
	CRS         []string `json:"crs"`
	Description string   `json:"description"`
	Extent      extent   `json:"extent"`
	ID          string   `json:"id"`
	ItemType    string   `json:"itemType"`
	Links       []link   `json:"links"`
	Title       string   `json:"title"`
}

// extent is a collection's extent in space and time.
type extent struct {
	Spatial  spatialExtent  `json:"spatial"`
	Temporal temporalExtent `json:"temporal"`
}

// spatialExtent is a list of bounding boxes, west, south, east, north.
type spatialExtent struct {
	BBox [][4]float64 `json:"bbox"`
	CRS  string       `json:"crs"`
}

// temporalExtent is a list of intervals, start and end; null is open.
type temporalExtent struct {
	Interval [][2]*string `json:"interval"`
	TRS      string       `json:"trs"`
}

// itemsPage is the foreign members of a page of items: the counts OGC API
// Features asks for, and the links to other pages and formats.
type itemsPage struct {
	NumberMatched  int    `json:"numberMatched"`
	NumberReturned int    `json:"numberReturned"`
	Links          []link `json:"links"`
}

// itemLinks is the foreign member of a single item: its links.
type itemLinks struct {
	Links []link `json:"links"`
}

func (s *Server) landing(c echo.Context) error {
	origin := s.origin(c.Request())
	return s.json(c, landingPage{
		Title:       "incidentmap",
		Description: "Sourced conflict incidents as OGC API Features, overlays and tiles.",
		Links: []link{
			{Href: absURL(origin, "/api", nil), Rel: "self", Type: typeJSON, Title: "this document"},
			{Href: absURL(origin, "/api/openapi", nil), Rel: "service-desc", Type: typeOpenAPI, Title: "the API definition"},
			{Href: absURL(origin, "/api/conformance", nil), Rel: "conformance", Type: typeJSON, Title: "conformance classes"},
			{Href: absURL(origin, "/api/collections", nil), Rel: "data", Type: typeJSON, Title: "collections"},
			{Href: absURL(origin, "/api/layers", nil), Rel: "http://incidentmap.org/rel/layers", Type: typeJSON, Title: "overlays"},
		},
	})
}

func (s *Server) conformance(c echo.Context) error {
	classes := conformanceClasses
	if s.writer != nil {
		classes = append(slices.Clip(classes), writeConformanceClasses...)
	}
	return s.json(c, conformanceDoc{ConformsTo: classes})
}

// writeConformanceClasses are Part 4's, which a server on a store
// implements (write.go).
var writeConformanceClasses = []string{
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
}

func (s *Server) collections(c echo.Context) error {
	r := c.Request()
	return s.json(c, collectionsDoc{
		Links: []link{{Href: absURL(s.origin(r), "/api/collections", nil), Rel: "self", Type: typeJSON}},
		Collections: []collectionDoc{
			s.collectionInfo(r, collIncidents),
			s.collectionInfo(r, collSites),
		},
	})
}

func (s *Server) collection(c echo.Context) error {
	id := c.Param("id")
	if id != collIncidents && id != collSites {
		return noCollection(id)
	}
	return s.json(c, s.collectionInfo(c.Request(), id))
}

func (s *Server) collectionInfo(r *http.Request, id string) collectionDoc {
	title, desc := "Incidents", "Sourced conflict incidents; each cites the sentence it rests on."
	formats := []string{"geojson", "csv", "kml"}
	var bound orb.Bound
	var first, last *time.Time
	if id == collSites {
		title, desc, formats = "Sites", "The places incidents belong to and overlays are drawn around.", []string{"geojson"}
		for i, st := range s.data.Sites {
			if i == 0 {
				bound = st.Location.Bound()
			}
			bound = bound.Extend(st.Location)
		}
	} else if n := s.data.Len(); n > 0 {
		// Incidents are kept in time order: the ends are the extent.
		bound = s.data.Bound()
		t0, t1 := s.data.OccurredAtOf(0), s.data.OccurredAtOf(geo.Ref(n-1))
		first, last = &t0, &t1
	}
	path := "/api/collections/" + id
	origin := s.origin(r)
	links := []link{{Href: absURL(origin, path, nil), Rel: "self", Type: typeJSON}}
	for _, f := range formats {
		q := map[string][]string{}
		if f != "geojson" {
			q["f"] = []string{f}
		}
		links = append(links, link{Href: absURL(origin, path+"/items", q), Rel: "items", Type: formatTypes[f]})
	}
	var interval [2]*string
	if first != nil {
		start, end := first.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339)
		interval = [2]*string{&start, &end}
	}
	return collectionDoc{
		ID: id, Title: title, Description: desc, ItemType: "feature",
		CRS: []string{crs84},
		Extent: extent{
			Spatial:  spatialExtent{BBox: [][4]float64{{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]}}, CRS: crs84},
			Temporal: temporalExtent{Interval: [][2]*string{interval}, TRS: "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"},
		},
		Links: links,
	}
}

func (s *Server) items(c echo.Context) error {
	switch id := c.Param("id"); id {
	case collIncidents:
		return s.incidentItems(c)
	case collSites:
		return s.siteItems(c)
	default:
		return noCollection(id)
	}
}

// itemsVersion is the version an items query is cached under: for one
// within a bbox or a radius, that of the last write that reached the
// area (edits.go); for any other, the data set's.
func (s *Server) itemsVersion(q geo.Query) string {
	var area orb.Bound
	switch {
	case q.BBox != nil:
		area = *q.BBox
	case q.Near != nil:
		area = geo.GrowBound(q.Near.Center.Bound(), q.Near.Metres)
	default:
		return ""
	}
	if area.Min[0] <= -180 || area.Max[0] >= 180 || area.Min[0] > area.Max[0] {
		return "" // across the antimeridian: the whole data set's
	}
	return s.edits.versionOf(&area, q.Time)
}

// cheapPage is the longest page of GeoJSON items that is not an expensive
// render: a thousand features encode in a few milliseconds.
const cheapPage = 1000

// parseItems parses an incidents items query against this server's limits
// and sites.
func (s *Server) parseItems(c echo.Context) (itemsRequest, error) {
	return parseItems(c.QueryParams(), s.limits, func(id string) bool {
		_, err := s.data.Site(id)
		return err == nil
	})
}

func (s *Server) incidentItems(c echo.Context) error {
	req, err := s.parseItems(c)
	if err != nil {
		return err
	}
	req.format = formatOf(c)
	r := c.Request()
	canon := req.values()
	// An export (CSV, KML), a long page, or one filtered by location or
	// by words (which read every match) is expensive; a page of a radius or bbox query is
	// a millisecond even at a million incidents.
	expensive := req.format != "geojson" || req.query.Limit > cheapPage || req.located != locatedAny || len(req.query.Words) > 0
	return s.serveCached(c, cachedResponse{kind: "items-" + req.format, request: keyRequest(r.URL.Path, canon), linked: true, expensive: expensive, local: !expensive,
		contentType: formatTypes[req.format], headers: true, version: s.itemsVersion(req.query),
		render: func(ctx context.Context) ([]byte, error) {
			res := s.query(req)
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("items: %w", err)
			}
			// Every format says where the other pages are in a Link header;
			// GeoJSON says it in its links too.
			links := pageLinks(s.origin(r), r.URL.Path, canon, req.format, []string{"geojson", "csv", "kml"}, req.query.Limit, req.query.Offset, len(res.Matches), res.NumberMatched)
			var body []byte
			var err error
			switch req.format {
			case "csv":
				body, err = encodeCSV(res, req.query.Near != nil)
			case "kml":
				body, err = encodeKML(res)
			default: // encoded in a kept buffer: withHeaders copies it
				scratch := pageScratch.get()
				defer pageScratch.put(scratch)
				body, err = geo.AppendFeatureCollection(*scratch, res.Matches, itemsPage{
					NumberMatched: res.NumberMatched, NumberReturned: len(res.Matches), Links: links,
				})
				*scratch = body
			}
			if err != nil {
				return nil, err
			}
			return withHeaders(http.Header{"Link": {linkHeader(links)}}, body)
		}})
}

// pageScratch keeps the buffers pages of items are encoded in for the
// next page: a page is copied behind its headers to be cached, and its
// buffer, sized by a guess, was garbage at once (350 MB in 15 s of
// uncached radius queries at 500 a second). A bigger page's than 1 MiB
// is left to the collector.
var pageScratch = bufferPool{max: 1 << 20}

// query answers an incidents items request: geo.Query's page, or with a
// located condition, every match of the other conditions kept by whether
// it has a location, then paged. Incidents without a location are few
// (they never match a bbox or radius), but finding them reads every match.
func (s *Server) query(r itemsRequest) geo.Result {
	if r.located == locatedAny {
		return s.data.Query(r.query)
	}
	q := r.query
	q.Limit, q.Offset = 0, 0
	all := s.data.Query(q).Matches
	kept := all[:0]
	for _, m := range all {
		if (m.Incident.Location != nil) == (r.located == locatedYes) {
			kept = append(kept, m)
		}
	}
	n := len(kept)
	lo := min(r.query.Offset, n)
	hi := min(lo+r.query.Limit, n)
	return geo.Result{Matches: kept[lo:hi:hi], NumberMatched: n}
}

func (s *Server) siteItems(c echo.Context) error {
	v := c.QueryParams()
	var req sitesRequest
	var err error
	if req.bbox, err = parseBBox(v.Get("bbox")); err != nil {
		return err
	}
	if req.limit, req.offset, err = parsePage(v, s.limits); err != nil {
		return err
	}
	r := c.Request()
	canon := req.values()
	return s.serveCached(c, cachedResponse{kind: "items-sites", request: keyRequest(r.URL.Path, canon), linked: true, contentType: typeGeoJSON,
		render: func(context.Context) ([]byte, error) {
			sites := s.data.SitesIn(req.bbox)
			matched := len(sites)
			sites = sites[min(req.offset, matched):min(req.offset+req.limit, matched)]
			links := pageLinks(s.origin(r), r.URL.Path, canon, "geojson", nil, req.limit, req.offset, len(sites), matched)
			fs := make([]geo.Feature, len(sites))
			for i, st := range sites {
				fs[i] = st.Feature()
			}
			return geo.AppendFeatureCollection(nil, fs, itemsPage{
				NumberMatched: matched, NumberReturned: len(sites), Links: links,
			})
		}})
}

func (s *Server) item(c echo.Context) error {
	id, fid := c.Param("id"), c.Param("fid")
	switch id {
	case collIncidents:
		in, err := s.data.Incident(fid)
		if err != nil {
			return notFound("fid", "no incident has id %q", fid)
		}
		return s.serveCached(c, s.incidentResponse(c.Request(), in))
	case collSites:
		st, err := s.data.Site(fid)
		if err != nil {
			return notFound("fid", "no site has id %q", fid)
		}
		return s.serveCached(c, s.itemResponse(c.Request(), collSites, st.Feature(), ""))
	}
	return noCollection(id)
}

// incidentResponse is an incident's item, under its own version: its
// ETag changes when the incident does, and only then, which is what a
// write's If-Match is compared with.
func (s *Server) incidentResponse(r *http.Request, in *geo.Incident) cachedResponse {
	return s.itemResponse(r, collIncidents, geo.Feature{ID: in.ID, Incident: in}, incidentVersion(in))
}

// itemResponse is feature f of collection coll, with its links, under
// version (the data set's when "").
func (s *Server) itemResponse(r *http.Request, coll string, f geo.Feature, version string) cachedResponse {
	path := "/api/collections/" + coll + "/items/" + f.ID
	return cachedResponse{kind: "item", request: keyRequest(path, nil), linked: true, contentType: typeGeoJSON, version: version,
		render: func(context.Context) ([]byte, error) {
			origin := s.origin(r)
			return f.AppendGeoJSONWith(nil, itemLinks{Links: []link{
				{Href: absURL(origin, path, nil), Rel: "self", Type: typeGeoJSON},
				{Href: absURL(origin, "/api/collections/"+coll, nil), Rel: "collection", Type: typeJSON},
			}})
		}}
}

// incidentVersion names an incident's content.
func incidentVersion(in *geo.Incident) string {
	feature, err := in.AppendGeoJSON(nil, math.NaN())
	if err != nil {
		return "" // the data set's version then: coarser, never wrong
	}
	return fmt.Sprintf("i%016x", xxhash.Sum64(feature))
}

// json writes v as JSON. Metadata documents are small and cheap; they are
// not cached, but their bytes are the same on every replica. Their links
// are written with the origin, so they vary as it may.
func (s *Server) json(c echo.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", c.Path(), err)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	s.varyOrigin(c.Response().Header())
	return c.Blob(http.StatusOK, typeJSON, b)
}

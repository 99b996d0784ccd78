package api

import (
	"net/url"
	"strconv"
)

// link is an OGC API / RFC 8288 link.
type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// Media types we serve.
const (
	typeJSON    = "application/json"
	typeGeoJSON = "application/geo+json"
	typeCSV     = "text/csv; charset=utf-8; header=present"
	typeKML     = "application/vnd.google-earth.kml+xml"
	typeOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	typeHTML    = "text/html; charset=utf-8"
)

// formatTypes maps an f= value to its media type.
var formatTypes = map[string]string{"geojson": typeGeoJSON, "csv": typeCSV, "kml": typeKML}

// absURL is the absolute URL of path under origin, with query.
func absURL(origin, path string, query url.Values) string {
	u := origin + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// withParam returns a copy of v with name set to value ("" removes it).
func withParam(v url.Values, name, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	if value == "" {
		out.Del(name)
	} else {
		out.Set(name, value)
	}
	return out
}

// pageLinks are the self, alternate, next and prev links of one page of
// items, from the page's canonical query q. QGIS and GDAL follow next
// until it is gone.
func pageLinks(origin, path string, q url.Values, format string, formats []string, limit, offset, returned, matched int) []link {
	links := []link{{Href: absURL(origin, path, q), Rel: "self", Type: formatTypes[format]}}
	for _, f := range formats {
		if f != format {
			alt := f
			if f == "geojson" {
				alt = "" // the default
			}
			links = append(links, link{Href: absURL(origin, path, withParam(q, "f", alt)), Rel: "alternate", Type: formatTypes[f]})
		}
	}
	if offset+returned < matched {
		next := withParam(q, "offset", strconv.Itoa(offset+returned))
		next.Set("limit", strconv.Itoa(limit))
		links = append(links, link{Href: absURL(origin, path, next), Rel: "next", Type: formatTypes[format]})
	}
	if offset > 0 {
		prev := withParam(q, "offset", strconv.Itoa(max(offset-limit, 0)))
		prev.Set("limit", strconv.Itoa(limit))
		links = append(links, link{Href: absURL(origin, path, prev), Rel: "prev", Type: formatTypes[format]})
	}
	return links
}

// Package geo holds incidents and the places they happened, and answers
// questions about them: validation of a data set, a spatial index, bbox,
// radius and time queries, and the overlays drawn on the map (sites, range
// rings, links between related incidents, uncertainty circles).
//
// Everything here is a pure function of its inputs. The package must not
// import HTTP, Redis or file-system code: callers hand it bytes and get
// values back, so it can be table-tested and benchmarked on its own.
package geo

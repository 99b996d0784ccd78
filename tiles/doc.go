// Package tiles will hold tile math, MVT encoding and raster rendering of
// the overlays and the basemap (issue "Map tiles"). It depends on geo and
// never on api.
package tiles

// Package tiles renders map tiles: Mapbox Vector Tiles of the overlays,
// PNG tiles of the overlays, and static maps. It holds the Web Mercator
// projection and tile maths every map here shares (mercator.go, tile.go);
// the basemap (land, sea, borders and country names from Natural Earth)
// is drawn with them by package tiles/basemap. Where incidents are dense,
// ClusterGrid turns them into clusters on a grid aligned with the tiles,
// so that a tile of a million incidents stays small.
//
// Rendering is deterministic: the same data and tile give the same bytes
// on every replica, so tiles can be cached anywhere under one key. The
// package depends on geo and never on api; it knows nothing of HTTP.
package tiles

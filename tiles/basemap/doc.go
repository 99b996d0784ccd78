// Package basemap draws the basemap: Natural Earth's land, sea, country
// borders and country names as PNG tiles in Web Mercator.
//
// The data is given to Load as bytes, three files in the format of
// format.go (cmd/basemapgen writes them, package fixtures embeds them);
// the package reads no files and knows nothing of HTTP. It projects
// through package tiles, like every other map here, and its rendering is
// deterministic: the same tile gives the same bytes on every replica.
package basemap

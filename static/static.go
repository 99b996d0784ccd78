// Package static holds the web page: the Leaflet map at / and /embed, its
// scripts and styles and the vendored Leaflet, embedded in the binary so
// the page needs no other host. It holds files only; package api serves
// them and renders Page.
package static

import (
	"embed"
	"io/fs"
)

//go:embed all:site
var files embed.FS

// FS is the page's files, rooted at the site folder: app.js, app.css,
// vendor/leaflet/... The file server serves them as they are.
var FS = mustSub(files, "site")

// Page is the html/template source of / and /embed. It takes no text from
// the request: the scripts read the view from location.search.
//
//go:embed page.html
var Page string

func mustSub(f embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the folder is embedded at build time; it cannot be missing
	}
	return sub
}

// Catalogue is every interface string of the page and the embed, in
// English ("en") and Arabic ("ar"), by key: {"en": {key: text}, "ar":
// {...}}. The template takes its strings from it (api renders .T.key),
// and the scripts theirs (the page carries its language's part in
// data-i18n; site/i18n.js reads it), so there is one catalogue.
//
//go:embed i18n.json
var Catalogue []byte

// Desk is the html/template source of /edit, the editor's desk: a page
// for editors with a token, whose scripts are under site/desk.
//
//go:embed desk.html
var Desk string

// Package static holds the files of the web page, embedded in the binary
// so the page needs no other host.
package static

import (
	"embed"
	"io/fs"
)

//go:embed all:site
var files embed.FS

// FS is the page's files, rooted at the site folder.
var FS = mustSub(files, "site")

func mustSub(f embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the folder is embedded at build time; it cannot be missing
	}
	return sub
}

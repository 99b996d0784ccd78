package arabic

import (
	_ "embed"
	"fmt"
	"sync"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Noto Sans Arabic 2.005, from Debian bookworm's fonts-noto-core
// 20201225-1 (usr/share/fonts/truetype/noto), unchanged: SIL Open Font
// License 1.1, fonts/OFL.txt.
var (
	//go:embed fonts/NotoSansArabic-Regular.ttf
	regularTTF []byte
	//go:embed fonts/NotoSansArabic-Bold.ttf
	boldTTF []byte
)

var (
	regular = sync.OnceValues(func() (*Font, error) { return parseEmbedded("regular", regularTTF, goregular.TTF) })
	bold    = sync.OnceValues(func() (*Font, error) { return parseEmbedded("bold", boldTTF, gobold.TTF) })
)

func parseEmbedded(name string, ttf, latin []byte) (*Font, error) {
	f, err := Parse(ttf, latin)
	if err != nil {
		return nil, fmt.Errorf("noto sans arabic %s: %w", name, err)
	}
	return f, nil
}

// Regular returns Noto Sans Arabic Regular, parsed once, falling back on
// Go Regular (the font of the maps' Latin text) for Latin letters.
func Regular() (*Font, error) { return regular() }

// Bold returns Noto Sans Arabic Bold, parsed once, falling back on Go
// Bold.
func Bold() (*Font, error) { return bold() }

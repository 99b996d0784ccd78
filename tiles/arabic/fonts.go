package arabic

import (
	_ "embed"
	"fmt"
	"sync"
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
	regular = sync.OnceValues(func() (*Font, error) { return parseEmbedded("regular", regularTTF) })
	bold    = sync.OnceValues(func() (*Font, error) { return parseEmbedded("bold", boldTTF) })
)

func parseEmbedded(name string, ttf []byte) (*Font, error) {
	f, err := Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("noto sans arabic %s: %w", name, err)
	}
	return f, nil
}

// Regular returns Noto Sans Arabic Regular, parsed once.
func Regular() (*Font, error) { return regular() }

// Bold returns Noto Sans Arabic Bold, parsed once.
func Bold() (*Font, error) { return bold() }

package tiles

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/fogleman/gg"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
)

// encodeOverlay's PNG decodes, with image/png, to the pixels image/png's
// own encoding of the image decodes to: tiles as the server draws them,
// at both scales, and images of random pixels.
func TestOverlayPNGDecodesAsImagePNG(t *testing.T) {
	ds, err := geo.NewDataset(synth.Incidents(20_000, 7), fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	alAsad := orb.Point{42.441, 33.786}
	for _, z := range []maptile.Zoom{3, 6, 9, 12} {
		for _, scale := range []int{1, 2} {
			tile := maptile.At(alAsad, z)
			g := TileClusterGrid(tile)
			bound := g.Bound()
			fs, err := ds.LayerIn("incidents", geo.Interval{}, &bound)
			if err != nil {
				t.Fatal(err)
			}
			size := TileSize * scale
			im := image.NewRGBA(image.Rect(0, 0, size, size))
			if !drawOverlay(gg.NewContextForRGBA(im), NewProjector(tile, size), g.Cluster(fs), scale, false) {
				t.Fatalf("z%d: nothing drawn", z)
			}
			sameAsImagePNG(t, im)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		im := image.NewRGBA(image.Rect(0, 0, 1+rng.IntN(40), 1+rng.IntN(40)))
		for i := range im.Pix {
			im.Pix[i] = byte(rng.Uint32())
		}
		premultiplied(im)
		sameAsImagePNG(t, im)
	}
}

// FuzzOverlayPNG checks encodeOverlay against image/png on any image:
// its size from the first two bytes, its pixels from the rest.
func FuzzOverlayPNG(f *testing.F) {
	f.Add([]byte{0, 0})
	f.Add([]byte{3, 2, 0xff, 0, 0, 0xff, 10, 20, 30, 40, 0, 0, 0, 0})
	f.Add(bytes.Repeat([]byte{200, 100, 50, 128}, 64))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		im := image.NewRGBA(image.Rect(0, 0, 1+int(data[0])%64, 1+int(data[1])%64))
		if rest := data[2:]; len(rest) > 0 {
			for i := range im.Pix {
				im.Pix[i] = rest[i%len(rest)]
			}
		}
		premultiplied(im)
		sameAsImagePNG(t, im)
	})
}

// premultiplied makes im's pixels valid premultiplied colours: no
// channel above its alpha.
func premultiplied(im *image.RGBA) {
	for i := 0; i < len(im.Pix); i += 4 {
		a := im.Pix[i+3]
		for c := range 3 {
			im.Pix[i+c] = min(im.Pix[i+c], a)
		}
	}
}

// sameAsImagePNG fails t unless encodeOverlay's PNG of im decodes to the
// pixels image/png's does.
func sameAsImagePNG(t *testing.T, im *image.RGBA) {
	t.Helper()
	ours, err := encodeOverlay(im)
	if err != nil {
		t.Fatal(err)
	}
	var theirs bytes.Buffer
	if err := png.Encode(&theirs, im); err != nil {
		t.Fatal(err)
	}
	got, err := png.Decode(bytes.NewReader(ours))
	if err != nil {
		t.Fatalf("%v image: image/png cannot decode ours: %v", im.Rect, err)
	}
	want, err := png.Decode(bytes.NewReader(theirs.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("decoded to %v, want %v", got.Bounds(), want.Bounds())
	}
	b := want.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, a1 := got.At(x, y).RGBA()
			r2, g2, b2, a2 := want.At(x, y).RGBA()
			if [4]uint32{r1, g1, b1, a1} != [4]uint32{r2, g2, b2, a2} {
				t.Fatalf("%v image: pixel (%d, %d) decodes to %v, image/png's to %v", im.Rect, x, y, got.At(x, y), want.At(x, y))
			}
		}
	}
}

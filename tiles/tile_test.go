package tiles

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

func TestRange(t *testing.T) {
	world := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	iraq := orb.Bound{Min: orb.Point{38.8, 29.1}, Max: orb.Point{48.6, 37.4}}
	for name, c := range map[string]struct {
		b    orb.Bound
		z    maptile.Zoom
		want TileRange
	}{
		"world at z0":  {world, 0, TileRange{Z: 0}},
		"world at z3":  {world, 3, TileRange{Z: 3, MaxX: 7, MaxY: 7}},
		"beyond world": {orb.Bound{Min: orb.Point{-200, -89}, Max: orb.Point{200, 89}}, 2, TileRange{Z: 2, MaxX: 3, MaxY: 3}},
		"a point":      {orb.Bound{Min: orb.Point{42.441, 33.786}, Max: orb.Point{42.441, 33.786}}, 8, TileRange{Z: 8, MinX: 158, MaxX: 158, MinY: 102, MaxY: 102}},
		"iraq at z6":   {iraq, 6, TileRange{Z: 6, MinX: 38, MaxX: 40, MinY: 24, MaxY: 26}},
	} {
		t.Run(name, func(t *testing.T) {
			if got := Range(c.b, c.z); got != c.want {
				t.Errorf("Range(%v, %d) = %+v, want %+v", c.b, c.z, got, c.want)
			}
		})
	}
	// Within the world it agrees with orb's maptile.At on the corners.
	for z := maptile.Zoom(0); z <= 14; z++ {
		lo := maptile.At(orb.Point{iraq.Min[0], iraq.Max[1]}, z)
		hi := maptile.At(orb.Point{iraq.Max[0], iraq.Min[1]}, z)
		want := TileRange{Z: z, MinX: int64(lo.X), MaxX: int64(hi.X), MinY: int64(lo.Y), MaxY: int64(hi.Y)}
		if got := Range(iraq, z); got != want {
			t.Errorf("z%d: Range = %+v, maptile.At gives %+v", z, got, want)
		}
	}
}

func TestTileRangeAll(t *testing.T) {
	var got []maptile.Tile
	for col, tile := range (TileRange{Z: 2, MinX: 1, MaxX: 2, MinY: 0, MaxY: 1}).All() {
		if col != int64(tile.X) {
			t.Errorf("column %d yields tile x %d inside the world", col, tile.X)
		}
		got = append(got, tile)
	}
	want := []maptile.Tile{{X: 1, Y: 0, Z: 2}, {X: 2, Y: 0, Z: 2}, {X: 1, Y: 1, Z: 2}, {X: 2, Y: 1, Z: 2}}
	if !equal(got, want) {
		t.Errorf("All() = %v, want %v, row by row", got, want)
	}
	n := 0
	for range (TileRange{Z: 3, MaxX: 7, MaxY: 7}).All() {
		if n++; n == 5 {
			break
		}
	}
	if n != 5 {
		t.Errorf("break after 5 yielded %d", n)
	}
	for range (TileRange{Z: 1, MinY: 1, MaxY: 0}).All() {
		t.Error("a range without rows yields tiles")
	}
}

func TestValidateNamesTheCoordinate(t *testing.T) {
	for _, c := range []struct {
		tile  maptile.Tile
		max   int
		coord string
		text  string
	}{
		{maptile.New(0, 0, 13), 12, "z", "z 13 is above the maximum zoom 12"},
		{maptile.New(8, 0, 3), 22, "x", "x 8 is outside 0..7 at zoom 3"},
		{maptile.New(0, 8, 3), 22, "y", "y 8 is outside 0..7 at zoom 3"},
	} {
		err := Validate(c.tile, c.max)
		var ce *CoordError
		if !errors.As(fmt.Errorf("wrapped: %w", err), &ce) {
			t.Fatalf("Validate(%v) = %v, not a *CoordError", c.tile, err)
		}
		if ce.Coord != c.coord || err.Error() != c.text || ce.Reason() != strings.TrimPrefix(c.text, c.coord+" ") {
			t.Errorf("Validate(%v): coord %q, error %q, reason %q; want %q, %q", c.tile, ce.Coord, err, ce.Reason(), c.coord, c.text)
		}
	}
}

package basemap

import (
	"fmt"

	"github.com/cespare/xxhash/v2"

	"github.com/incidentmap/incidentmap/fixtures"
)

// Embedded returns the basemap files the binary embeds (package
// fixtures, made by cmd/basemapgen).
func Embedded() Files {
	return Files{
		Countries110m: fixtures.Basemap110m, Countries50m: fixtures.Basemap50m, Countries10m: fixtures.Basemap10m,
		Places: fixtures.BasemapPlaces, Water: fixtures.BasemapWater, CountryNamesAr: fixtures.BasemapCountriesAr,
	}
}

// Version names the files' data: a hash of them all, under which tiles
// drawn from them may be cached.
func (f Files) Version() string {
	h := xxhash.New()
	for _, b := range [][]byte{f.Countries110m, f.Countries50m, f.Countries10m, f.Places, f.Water, f.CountryNamesAr} {
		h.Write(b)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

package tiles

import (
	"image/color"
	"maps"
)

// eventColors are the marker colours of event types, shared by raster
// tiles, the static map and (through the layers API) the web page.
var eventColors = map[string]color.NRGBA{
	"missile_attack": {0xc0, 0x1f, 0x1f, 0xff}, // red
	"mortar_attack":  {0xe6, 0x6a, 0x00, 0xff}, // orange
	"drone_attack":   {0x8e, 0x2c, 0x9a, 0xff}, // purple
	"claimed_attack": {0xa6, 0x76, 0x1d, 0xff}, // ochre
	"airstrike":      {0x1f, 0x4e, 0xb4, 0xff}, // blue
	"funeral":        {0x4d, 0x4d, 0x4d, 0xff}, // grey
}

// otherEvent is the colour of event types without one of their own.
var otherEvent = color.NRGBA{0x1b, 0x1b, 0x1b, 0xff}

// EventColor returns the marker colour of an event type.
func EventColor(eventType string) color.NRGBA {
	if c, ok := eventColors[eventType]; ok {
		return c
	}
	return otherEvent
}

// Overlay colours.
var (
	RingColor        = color.NRGBA{0x33, 0x33, 0x33, 0xb0}
	LinkColor        = color.NRGBA{0x7a, 0x1f, 0x5c, 0xe0}
	UncertaintyColor = color.NRGBA{0xc0, 0x1f, 0x1f, 0x38}
	SiteColor        = color.NRGBA{0x11, 0x11, 0x11, 0xff}
	ClusterColor     = color.NRGBA{0x2c, 0x3e, 0x5a, 0xe6} // slate: a cluster mixes event types
)

// Colors are the colours of a map of the data: markers by event type and
// the overlays.
type Colors struct {
	Events      map[string]color.NRGBA // marker colours by event type
	Other       color.NRGBA            // the marker colour of other event types
	Ring        color.NRGBA
	Link        color.NRGBA
	Uncertainty color.NRGBA
	Site        color.NRGBA
	Radius      color.NRGBA // the radius query's circle
	Cluster     color.NRGBA // a cluster's disc
}

// Palette returns the colours raster tiles and static maps are drawn in,
// for clients that draw the same map (the web page): one source for both.
func Palette() Colors {
	return Colors{
		Events:      maps.Clone(eventColors),
		Other:       otherEvent,
		Ring:        RingColor,
		Link:        LinkColor,
		Uncertainty: UncertaintyColor,
		Site:        SiteColor,
		Radius:      RadiusColor,
		Cluster:     ClusterColor,
	}
}

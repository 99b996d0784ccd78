// Marker and overlay colours: a copy of tiles/style.go, kept equal to it
// by colors_test.go, so the page looks like the tiles and the static map.

export const EVENT_COLORS = {
  missile_attack: '#c01f1f',
  mortar_attack: '#e66a00',
  drone_attack: '#8e2c9a',
  claimed_attack: '#a6761d',
  airstrike: '#1f4eb4',
  funeral: '#4d4d4d',
};

// OTHER_EVENT is the colour of event types without one of their own.
export const OTHER_EVENT = '#1b1b1b';

// OVERLAY_COLORS are #rrggbbaa.
export const OVERLAY_COLORS = {
  ring: '#333333b0',
  link: '#7a1f5ce0',
  uncertainty: '#c01f1f38',
  site: '#111111ff',
};

export const eventColor = (type) => EVENT_COLORS[type] || OTHER_EVENT;

// rgba splits #rrggbbaa into #rrggbb and an opacity.
export const rgba = (hex) => [hex.slice(0, 7), parseInt(hex.slice(7, 9) || 'ff', 16) / 255];

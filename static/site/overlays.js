// The overlays as Leaflet layers, and the legend. Popups and tooltips get
// elements, never strings (Leaflet sets strings as innerHTML).

import { incidentCard, label } from './card.js';
import { el } from './dom.js';
import { isIncident } from './data.js';

const L = globalThis.L;
export const POPUP = { maxWidth: 340, className: 'incident-popup' };

// colors reads the palette the server sends (Go's tiles.Palette), whose
// #rrggbbaa Leaflet takes as a colour and an opacity.
export function colors(palette) {
  const split = (hex) => [hex.slice(0, 7), parseInt(hex.slice(7, 9) || 'ff', 16) / 255];
  const c = { event: (type) => palette.events[type] || palette.other };
  for (const k of ['ring', 'link', 'uncertainty', 'site', 'radius']) c[k] = split(palette[k]);
  return c;
}

function style(f, c) {
  switch (f.properties.kind) {
    case 'ring': return { className: 'ring', color: c.ring[0], opacity: c.ring[1], weight: 1, dashArray: '4 4', fill: false };
    case 'link': return { className: 'link', color: c.link[0], opacity: c.link[1], weight: 2.5 };
    case 'uncertainty': {
      const [color, alpha] = c.uncertainty;
      return { className: 'area', color, opacity: 0.5, weight: 1, fillColor: color, fillOpacity: alpha, interactive: false };
    }
    default: return {};
  }
}

function pointToLayer(f, latlng, c) {
  if (isIncident(f)) {
    const fillColor = c.event(f.properties.event_type);
    return L.circleMarker(latlng, { pane: 'markerPane', radius: 7, weight: 1.5, color: '#fff', fillOpacity: 0.95, fillColor, className: 'incident' });
  }
  return L.circleMarker(latlng, { pane: 'markerPane', radius: 5, weight: 2, color: c.site[0], fillColor: '#fff', fillOpacity: 1, className: 'site' });
}

// overlay is the layer of a FeatureCollection in colours c. Incidents at
// one point share a popup: their markers overlap.
export function overlay(fc, c) {
  const at = new Map();
  const key = (f) => f.geometry.coordinates.join(',');
  for (const f of fc.features) {
    if (isIncident(f) && f.geometry) at.set(key(f), [...(at.get(key(f)) || []), f]);
  }
  return L.geoJSON(fc, {
    style: (f) => style(f, c),
    pointToLayer: (f, latlng) => pointToLayer(f, latlng, c),
    onEachFeature(f, layer) {
      const p = f.properties;
      if (isIncident(f)) {
        const here = at.get(key(f));
        const box = () => {
          const div = el('div');
          div.append(...here.map((g) => incidentCard(g)));
          return div;
        };
        layer.bindPopup(box, POPUP);
        layer.bindTooltip(el('span', null, here.length > 1 ? `${here.length} incidents: ${here.map((g) => g.properties.title).join('; ')}` : p.title));
        layer.on('add', () => layer.getElement() && layer.getElement().setAttribute('data-id', f.id));
      } else if (p.kind === 'link') {
        layer.bindTooltip(el('span', null, `${p.from_title} → ${p.to_title}: ${p.distance_km} km`), { sticky: true });
      } else if (p.kind === 'ring') {
        layer.bindTooltip(el('span', null, p.label), { sticky: true });
      } else if (f.geometry && f.geometry.type === 'Point') {
        layer.bindTooltip(el('span', null, p.name || f.id));
      }
    },
  });
}

// legend is the control naming the event types' colours and the overlays.
export function legend(types, open, c) {
  const ctl = L.control({ position: 'bottomleft' });
  ctl.onAdd = () => {
    const box = el('details', { className: 'legend', open });
    box.append(el('summary', null, 'Legend'));
    const ul = el('ul');
    const item = (cls, color, text) => {
      const sw = el('span', 'swatch ' + cls);
      sw.style.setProperty('--c', color); // CSSOM: allowed by style-src 'self'
      ul.append(el('li'));
      ul.lastChild.append(sw, text);
    };
    for (const t of types) item('dot', c.event(t), label(t));
    item('site', c.site[0], 'site');
    item('ring', c.ring[0], 'range ring (10, 25, 50 km)');
    item('line', c.link[0], 'link between related incidents');
    item('area', c.uncertainty[0], 'location uncertainty');
    item('ring', c.radius[0], 'radius search');
    box.append(ul);
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  return ctl;
}

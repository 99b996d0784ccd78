// The Leaflet map: basemap, overlays, radius circle, and where it looks.

import { incidentCard } from './card.js';
import { colors, legend, overlay, POPUP } from './overlays.js';

const L = globalThis.L;
const bboxBounds = ([w, s, e, n]) => L.latLngBounds([[s, w], [n, e < w ? e + 360 : e]]);
const nearBounds = (n) => L.latLng(n.lat, n.lon).toBounds(n.radius * 2.2);

// createMap makes the map in #map at view v, or else at the default view
// the server sends in data-bounds; its colours are data-palette's.
export function createMap(body, v) {
  const c = colors(JSON.parse(body.dataset.palette));
  const maxZoom = Number(body.dataset.maxZoom) || 12;
  const map = L.map('map', { maxZoom, minZoom: 1, worldCopyJump: true });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  L.tileLayer('/tiles/basemap/{z}/{x}/{y}{r}.png', { maxZoom, attribution: 'Natural Earth', className: 'basemap' }).addTo(map);
  const overlays = L.layerGroup().addTo(map);
  // bbox, when the page was opened with one, is the view until it moves.
  const s = { bbox: v.bbox || null, circle: null };
  if (v.center) map.setView(v.center, v.zoom ?? 7);
  else map.fitBounds(v.bbox ? bboxBounds(v.bbox) : v.near ? nearBounds(v.near) : bboxBounds(JSON.parse(body.dataset.bounds)));
  map.on('moveend', () => { s.bbox = null; });
  return {
    // view is {bbox} or {center, zoom}.
    view() {
      if (s.bbox) return { bbox: s.bbox };
      const m = map.wrapLatLng(map.getCenter());
      return { center: [m.lat, m.lng], zoom: map.getZoom() };
    },
    onMove: (f) => map.on('moveend', f),
    onClick: (f) => map.on('click', f),
    setPicking: (on) => map.getContainer().classList.toggle('picking', on),
    fitNear: (n) => map.fitBounds(nearBounds(n)),
    addLegend: (types, open) => legend(types, open, c).addTo(map),
    // draw replaces the overlays with those of FeatureCollections fcs.
    draw(fcs) {
      overlays.clearLayers();
      for (const fc of fcs) overlays.addLayer(overlay(fc, c));
    },
    drawRadius(n) {
      if (s.circle) s.circle.remove();
      s.circle = n && L.circle([n.lat, n.lon], { radius: n.radius, className: 'radius', color: c.radius[0], weight: 2, fillOpacity: 0.05, interactive: false }).addTo(map);
    },
    // show centres the map on incident f and opens its popup.
    show(f) {
      const [lon, lat] = f.geometry.coordinates;
      map.setView([lat, lon], Math.max(map.getZoom(), 8));
      L.popup(POPUP).setLatLng([lat, lon]).setContent(incidentCard(f)).openOn(map);
    },
  };
}

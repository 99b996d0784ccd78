// The Leaflet map: basemap, overlays, radius circle, and where it looks.

import { cellBounds, viewCells } from './cells.js';
import { incidentCard } from './card.js';
import { el } from './dom.js';
import { isCluster, isIncident, ROOT } from './data.js';
import { LANG, t } from './i18n.js';
import { colors, legend, overlay, POPUP } from './overlays.js';

const L = globalThis.L;
const bboxBounds = ([w, s, e, n]) => L.latLngBounds([[s, w], [n, e < w ? e + 360 : e]]);
const nearBounds = (n) => L.latLng(n.lat, n.lon).toBounds(n.radius * 2.2);

// createMap makes the map in #map at view v, or else at the default view
// the server sends in data-bounds; its colours are data-palette's.
// onCluster(f, latlng) is called when a cluster is clicked; an incident's
// click opens its popup, which is the map's, not the marker's, so that it
// stays open when the markers are drawn again for a moved view.
export function createMap(body, v, onCluster) {
  const c = colors(JSON.parse(body.dataset.palette));
  const maxZoom = Number(body.dataset.maxZoom) || 12;
  const map = L.map('map', { maxZoom, minZoom: 1, worldCopyJump: true, zoomControl: false });
  L.control.zoom({ zoomInTitle: t('zoom_in'), zoomOutTitle: t('zoom_out') }).addTo(map);
  map.getContainer().style.setProperty('--cluster', c.cluster); // CSSOM: allowed by style-src 'self'
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  const overlays = L.layerGroup().addTo(map);
  // bbox, when the page was opened with one, is the view until it moves.
  const s = { bbox: v.bbox || null, circle: null, drawn: [] };
  if (v.center) map.setView(v.center, v.zoom ?? 7);
  else map.fitBounds(v.bbox ? bboxBounds(v.bbox) : v.near ? nearBounds(v.near) : bboxBounds(JSON.parse(body.dataset.bounds)));
  map.on('moveend', () => { s.bbox = null; });
  // A tap within 22 px of an incident's dot (17 px, smaller than a
  // finger) opens it, as a tap on the dot does; not while picking a point.
  map.on('click', (e) => {
    if (e.originalEvent.target.closest('.leaflet-interactive') || map.getContainer().classList.contains('picking')) return;
    let near = null;
    let best = 22;
    overlays.eachLayer((g) => g.eachLayer((l) => {
      const d = l.feature && isIncident(l.feature) ? e.containerPoint.distanceTo(map.latLngToContainerPoint(l.getLatLng())) : best;
      if (d < best) [near, best] = [l, d];
    }));
    if (near) near.fire('click');
  });
  const popup = (ll, content) => {
    const p = L.popup(POPUP).setLatLng(ll).setContent(content).openOn(map);
    // A card taller than its popup scrolls there: keys must reach it too.
    p.getElement().querySelector('.leaflet-popup-content').tabIndex = 0;
    p.getElement().querySelector('.leaflet-popup-close-button')?.setAttribute('aria-label', t('close_popup'));
    return content;
  };
  return {
    // addBasemap adds the basemap, once. The page adds it when the data
    // is drawn: cold, its tiles would take the connections and the
    // server's render slots first.
    addBasemap() {
      s.basemap ||= L.tileLayer(ROOT + '/tiles/basemap/{z}/{x}/{y}{r}.png' + (LANG === 'ar' ? '?lang=ar' : ''), { maxZoom, attribution: 'Natural Earth · <a href="https://www.geonames.org">GeoNames</a> · © <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>', className: 'basemap' }).addTo(map);
    },
    // view is {bbox} or {center, zoom}.
    view() {
      if (s.bbox) return { bbox: s.bbox };
      const m = map.wrapLatLng(map.getCenter());
      return { center: [m.lat, m.lng], zoom: map.getZoom() };
    },
    // cells is what to ask the server for: {bbox, zoom}, bbox the view's
    // cells (cells.js), centred on the world copy the map looks at.
    cells() {
      const b = map.getBounds();
      const shift = map.wrapLatLng(map.getCenter()).lng - map.getCenter().lng;
      const zoom = map.getZoom();
      return { zoom, bbox: viewCells([b.getWest() + shift, b.getSouth(), b.getEast() + shift, b.getNorth()], zoom) };
    },
    onMove: (f) => map.on('moveend', f),
    onClick: (f) => map.on('click', f),
    setPicking: (on) => map.getContainer().classList.toggle('picking', on),
    fitNear: (n) => map.fitBounds(nearBounds(n)),
    addLegend: (types, open) => legend(types, open, c).addTo(map),
    // draw replaces the overlays with those of FeatureCollections fcs,
    // unless they are the very ones drawn.
    draw(fcs) {
      if (fcs.length === s.drawn.length && fcs.every((fc, i) => fc === s.drawn[i])) return;
      s.drawn = fcs;
      overlays.clearLayers();
      for (const fc of fcs) overlays.addLayer(overlay(fc, c, (f, ll) => (isCluster(f) ? onCluster(f, ll) : popup(ll, incidentCard(f, 2)))));
    },
    drawRadius(n) {
      if (s.circle) s.circle.remove();
      s.circle = n && L.circle([n.lat, n.lon], { radius: n.radius, className: 'radius', color: c.radius[0], weight: 2, fillOpacity: 0.05, interactive: false }).addTo(map);
    },
    // show centres the map on incident f and opens its popup.
    show(f) {
      const [lon, lat] = f.geometry.coordinates;
      map.setView([lat, lon], Math.max(map.getZoom(), 8));
      popup([lat, lon], incidentCard(f, 2));
    },
    // zoomInto zooms two levels into the cell of cluster f, where it
    // splits into up to sixteen; at the deepest zoom it opens a popup of
    // what list(bbox) gives, the cluster's incidents.
    zoomInto(f, latlng, list) {
      const [w, s, e, n] = cellBounds(f.id);
      if (map.getZoom() < maxZoom) return map.setView([(s + n) / 2, (w + e) / 2], Math.min(maxZoom, map.getZoom() + 2));
      const box = popup(latlng, el('div', null, t('loading')));
      list([w, s, e, n]).then((fc) => {
        box.replaceChildren(...fc.features.map((g) => incidentCard(g, 2)));
        if (fc.numberMatched > fc.features.length) box.append(el('p', null, t('and_more', { n: fc.numberMatched - fc.features.length })));
      }, (err) => { box.textContent = err.message; });
    },
  };
}

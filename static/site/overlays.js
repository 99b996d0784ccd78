// The overlays as Leaflet layers, and the legend. Popups and tooltips get
// elements, never strings (Leaflet sets strings as innerHTML).

import { label, shortDate } from './card.js';
import { el } from './dom.js';
import { isCluster, isIncident } from './data.js';
import { LANG, compact, t } from './i18n.js';

const L = globalThis.L;

// Sites' Arabic names, for rings.
const siteNamesAr = {};
export const setSiteNames = (names) => Object.assign(siteNamesAr, names);
// (on a phone, narrow enough to fit beside the zoom buttons; the legend
// gives way to it)
export const POPUP = { maxWidth: Math.min(340, innerWidth - 120), autoPanPaddingTopLeft: [60, 10], className: 'incident-popup' };

// colors reads the palette the server sends (Go's tiles.Palette), whose
// #rrggbbaa Leaflet takes as a colour and an opacity.
export function colors(palette) {
  const split = (hex) => [hex.slice(0, 7), parseInt(hex.slice(7, 9) || 'ff', 16) / 255];
  const c = { event: (type) => palette.events[type] || palette.other, cluster: palette.cluster };
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
  if (isCluster(f)) {
    // A disc sized as the tiles draw it (tiles.clusterRadius), the count
    // on it as text; the colour is --cluster, Go's ClusterColor.
    const p = f.properties;
    const d = 2 * Math.min(9 + 1.6 * Math.log(Math.max(p.point_count, 1)), 24);
    // (English as the tiles write it)
    const html = el('span', null, LANG === 'en' ? p.point_count_abbreviated : compact(p.point_count));
    html.style.setProperty('--d', d + 'px'); // CSSOM: allowed by style-src 'self'
    const title = t('cluster_title', { n: p.point_count, a: shortDate(p.first_at), b: shortDate(p.last_at) });
    // The marker is a finger's size (44 px) or the disc's, if larger.
    const size = Math.max(d, 44);
    return L.marker(latlng, { icon: L.divIcon({ html, className: 'cluster', iconSize: [size, size] }), title, keyboard: true });
  }
  return L.circleMarker(latlng, { pane: 'markerPane', radius: 5, weight: 2, color: c.site[0], fillColor: '#fff', fillOpacity: 1, className: 'site' });
}

// overlay is the layer of a FeatureCollection in colours c;
// onClick(f, latlng) is called when an incident or a cluster is clicked,
// or given Enter.
export function overlay(fc, c, onClick) {
  return L.geoJSON(fc, {
    style: (f) => style(f, c),
    pointToLayer: (f, latlng) => pointToLayer(f, latlng, c),
    onEachFeature(f, layer) {
      const p = f.properties;
      if (isIncident(f) || isCluster(f)) {
        layer.on('click keypress', (e) => (e.type === 'click' || e.originalEvent.key === 'Enter') && onClick(f, layer.getLatLng()));
        layer.on('add', () => Object.assign(layer.getElement().dataset, { id: f.id }, isCluster(f) && { count: p.point_count }));
        if (isIncident(f)) layer.bindTooltip(el('span', null, p.title));
      } else if (p.kind === 'link') {
        layer.bindTooltip(el('span', null, t('link_label', { from: p.from_title, to: p.to_title, km: t('km', { n: p.distance_km }) })), { sticky: true });
      } else if (p.kind === 'ring') {
        const name = () => (LANG === 'ar' && siteNamesAr[p.site]) || p.name;
        layer.bindTooltip(() => el('span', null, p.radius_km ? t('ring_label', { n: p.radius_km, name: name() }) : p.label), { sticky: true });
      } else if (f.geometry && f.geometry.type === 'Point') {
        layer.bindTooltip(el('span', null, (LANG === 'ar' && p.name_ar) || p.name || f.id));
      }
    },
  });
}

// legend is the control naming the event types' colours and the overlays;
// on a phone it is at the top, clear of the attribution's line.
export function legend(types, open, c) {
  const ctl = L.control({ position: innerWidth > 760 ? 'bottomleft' : 'topright' });
  ctl.onAdd = () => {
    const box = el('details', { className: 'legend', open });
    box.append(el('summary', null, t('legend')));
    const ul = el('ul');
    const item = (cls, color, text) => {
      const sw = el('span', 'swatch ' + cls);
      sw.style.setProperty('--c', color); // CSSOM: allowed by style-src 'self'
      ul.append(el('li'));
      ul.lastChild.append(sw, text);
    };
    for (const t of types) item('dot', c.event(t), label(t));
    item('dot', c.cluster, t('legend_cluster'));
    item('site', c.site[0], t('legend_site'));
    item('ring', c.ring[0], t('legend_ring'));
    item('line', c.link[0], t('legend_link'));
    item('area', c.uncertainty[0], t('legend_area'));
    item('ring', c.radius[0], t('legend_radius'));
    box.append(ul);
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  return ctl;
}

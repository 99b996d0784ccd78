// The radius search: a place of the data or a point, and a radius; the
// incidents within it, nearest first.

import { $, el } from './dom.js';
import { t } from './i18n.js';
import { fillList } from './list.js';

const km = (m) => t('km', { n: m < 10000 ? Number((m / 1000).toFixed(1)) : Math.round(m / 1000) });
const radiusMetres = () => Math.min(2000, Math.max(1, Number($('near-km').value) || 50)) * 1000;
// metres between two points, equirectangular: enough to match a place.
const metres = (a, b) => 111195 * Math.hypot((b.lon - a.lon) * Math.cos(a.lat * Math.PI / 180), b.lat - a.lat);

// createNear owns the radius query ({lat, lon, radius} or null) and the
// places to search by name.
export function createNear(near, map, changed, setStatus) {
  const s = { near, label: '', picking: false, shown: '', places: [] };
  const nameOf = (n) => {
    const p = s.places.find((q) => metres(q, n) < 1000);
    return p ? p.name : `${n.lat.toFixed(3)}, ${n.lon.toFixed(3)}`;
  };
  // find reads "lat, lon" or finds a place by (part of) its name.
  const find = (text) => {
    const m = /^(-?\d+(?:\.\d+)?)\s*[,\s]\s*(-?\d+(?:\.\d+)?)$/.exec(text.trim());
    if (m) {
      const [lat, lon] = [Number(m[1]), Number(m[2])];
      return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon, name: '' } : null;
    }
    const k = text.trim().toLowerCase();
    return s.places.find((p) => p.name.toLowerCase() === k) ||
      (k.length >= 3 && s.places.find((p) => p.name.toLowerCase().includes(k))) || null;
  };
  const set = (n, name) => {
    s.near = n;
    s.label = n ? name || nameOf(n) : '';
    if (n) map.fitNear(n);
    changed();
  };
  const pick = (on) => {
    s.picking = on;
    $('near-pick').setAttribute('aria-pressed', String(on));
    map.setPicking(on);
    setStatus(on ? t('pick_status') : '');
  };
  return {
    get value() { return s.near; },
    // setPlaces indexes places [{name, lon, lat}] (sites, the summary's).
    setPlaces(places) {
      const seen = new Set(s.places.map((p) => p.name));
      for (const p of places) {
        if (!p.name || seen.has(p.name)) continue;
        seen.add(p.name);
        s.places.push(p);
      }
      $('near-places').replaceChildren(...s.places.map((p) => el('option', { value: p.name })));
      if (s.near) $('near-place').value = nameOf(s.near);
    },
    setup() {
      const input = $('near-place');
      if (s.near) $('near-km').value = String(s.near.radius / 1000);
      // The browser checks the radius before submitting.
      $('near-form').addEventListener('submit', (e) => {
        e.preventDefault();
        const p = find(input.value);
        s.shown = '';
        if (!p) return void ($('near-status').textContent = t('no_place', { q: input.value }));
        set({ lat: p.lat, lon: p.lon, radius: radiusMetres() }, p.name);
      });
      $('near-pick').addEventListener('click', () => pick(!s.picking));
      $('near-clear').addEventListener('click', () => { input.value = ''; set(null); });
      map.onClick((e) => {
        if (!s.picking) return;
        pick(false);
        const ll = e.latlng.wrap();
        input.value = `${ll.lat.toFixed(4)}, ${ll.lng.toFixed(4)}`;
        set({ lat: Number(ll.lat.toFixed(5)), lon: Number(ll.lng.toFixed(5)), radius: radiusMetres() });
      });
      document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && s.picking) pick(false); });
    },
    // show lists fc, the query's first page (more(offset) fetches the
    // others); the live region is left alone when nothing changed.
    show(fc, timed, more) {
      const n = s.near;
      const where = n && (s.label || nameOf(n));
      const when = timed ? t('near_when') : '';
      const count = fc && (fc.numberMatched === 1 ? t('one_incident') : t('n_incidents', { n: fc.numberMatched }));
      const text = !fc ? '' : fc.numberMatched === 0
        ? t('near_none', { km: km(n.radius), where, when })
        : t('near_some', { count, km: km(n.radius), where, when });
      const key = text + (fc ? fc.features.map((f) => f.id) : '');
      if (key === s.shown) return;
      s.shown = key;
      $('near-status').textContent = text;
      fillList($('near-list'), fc || { features: [], numberMatched: 0 }, map.show, (f) => t('km_from', { km: km(f.properties.distance_m), where }), more);
    },
  };
}

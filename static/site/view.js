// The view parameters of DESIGN.md, in the address bar: center=LAT,LON
// and zoom, or bbox=W,S,E,N; layers; datetime; lat, lon, radius (metres).
// The server has already refused bad ones (400), so what does not parse
// is left out.

import { ROOT } from './data.js';

const num = (s) => (s == null || s.trim() === '' ? NaN : Number(s));
const finite = (...xs) => xs.every(Number.isFinite);

// readView parses a query string into {center, zoom, bbox, layers, datetime, near, lang}.
export function readView(search) {
  const q = new URLSearchParams(search);
  const v = {};
  const c = (q.get('center') || '').split(',').map(num);
  if (c.length === 2 && finite(...c)) v.center = c;
  const z = num(q.get('zoom'));
  if (Number.isInteger(z)) v.zoom = z;
  let b = (q.get('bbox') || '').split(',').map(num);
  if (b.length === 6) b = [b[0], b[1], b[3], b[4]];
  if (b.length === 4 && finite(...b)) v.bbox = b;
  const layers = (q.get('layers') || '').split(',').filter(Boolean);
  if (layers.length) v.layers = layers;
  if (q.get('datetime')) v.datetime = q.get('datetime');
  if (q.get('lang')) v.lang = q.get('lang');
  const near = { lat: num(q.get('lat')), lon: num(q.get('lon')), radius: num(q.get('radius')) };
  if (finite(near.lat, near.lon, near.radius) && near.radius > 0) v.near = near;
  return v;
}

const round = (x, digits) => String(Number(x.toFixed(digits)));

// writeView is the query string of a view, with , / : left readable.
export function writeView(v) {
  const parts = [];
  const add = (k, val) => parts.push(k + '=' + encodeURIComponent(val).replace(/%2C|%2F|%3A/g, decodeURIComponent));
  if (v.bbox) add('bbox', v.bbox.map((x) => round(x, 5)).join(','));
  else if (v.center) {
    add('center', round(v.center[0], 4) + ',' + round(v.center[1], 4));
    add('zoom', String(v.zoom));
  }
  if (v.layers && v.layers.length) add('layers', v.layers.join(','));
  if (v.datetime) add('datetime', v.datetime);
  if (v.near) {
    add('lat', round(v.near.lat, 5));
    add('lon', round(v.near.lon, 5));
    add('radius', String(Math.round(v.near.radius)));
  }
  if (v.lang) add('lang', v.lang);
  return parts.join('&');
}

// initialView is the view the page was opened with.
export const initialView = () => readView(location.search);

// writeURL puts view v in the address bar, under the revision pinned
// (pin, "/r/N" or ''; one asked for with ?rev=N moves into the path), and
// in the embed's link back; it returns v's query string.
export function writeURL(v, pin) {
  const qs = writeView(v);
  const rest = location.pathname.slice(ROOT.length).replace(/^\/r\/[^/]*/, '') || '/';
  history.replaceState(null, '', ROOT + pin + rest + (qs ? '?' + qs : ''));
  const back = document.getElementById('back');
  if (back) back.href = ROOT + pin + '/' + (qs ? '?' + qs : '');
  return qs;
}

// parseTime reads an RFC 3339 time (any fraction digits) or a date as ms.
export function parseTime(s) {
  if (/^\d{4}-\d\d-\d\d$/.test(s)) return Date.parse(s + 'T00:00:00Z');
  return Date.parse(s.replace(/(\.\d{3})\d+/, '$1'));
}

// splitDatetime reads datetime into [start, end] ms, NaN for an open end.
export function splitDatetime(dt) {
  if (!dt) return [NaN, NaN];
  const [a, b] = dt.includes('/') ? dt.split('/') : [dt, dt];
  const start = a === '..' || a === '' ? NaN : parseTime(a);
  let end = b === '..' || b === '' ? NaN : parseTime(b);
  if (/^\d{4}-\d\d-\d\d$/.test(b)) end += 86400e3 - 1;
  return [start, end];
}

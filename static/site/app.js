// The web map at / and /embed. No build step; L is vendor/leaflet.js.
// Data reaches the DOM only as text (card.js), never as HTML.

import { el, incidentCard, label, shortDate } from './card.js';
import { parseTime, readView, splitDatetime, writeView } from './view.js';

const L = globalThis.L;
const body = document.body;
// The colours of the tiles and the static map (Go's tiles.Palette), as
// #rrggbb or #rrggbbaa, which Leaflet takes as a colour and an opacity.
const palette = JSON.parse(body.dataset.palette);
const eventColor = (type) => palette.events[type] || palette.other;
const rgba = (hex) => [hex.slice(0, 7), parseInt(hex.slice(7, 9) || 'ff', 16) / 255];
const embed = body.classList.contains('embed');
const $ = (id) => document.getElementById(id);
const HOUR = 3600e3;
const DAY = 24 * HOUR;
// What /api/static.png draws when no layers are given.
const DEFAULT_LAYERS = ['incidents'];
// Areas under rings, lines above both.
const DRAW_RANK = { uncertainty: 0, rings: 1, links: 3, incidents: 4 };
const LIST_MAX = 200;
const POPUP = { maxWidth: 340, className: 'incident-popup' };

const initial = readView(location.search);
const state = {
  layers: initial.layers || DEFAULT_LAYERS, datetime: initial.datetime || '',
  near: initial.near || null, nearLabel: '', bbox: initial.bbox || null, gen: 0, renders: 0,
};
const places = []; // {name, lat, lon} of sites and incident places
let allIncidents = []; // unfiltered

// getJSON fetches JSON once per URL; a problem+json becomes an Error.
const cache = new Map();
function getJSON(url) {
  if (!cache.has(url)) {
    if (cache.size > 300) cache.clear();
    const p = fetch(url).then(async (r) => {
      const data = await r.json().catch(() => null);
      if (!r.ok) throw new Error((data && data.detail) || `${url}: HTTP ${r.status}`);
      return data;
    });
    p.catch(() => cache.delete(url));
    cache.set(url, p);
  }
  return cache.get(url);
}

const setStatus = (msg) => { $('status').textContent = msg; };

// The map.
const maxZoom = Number(body.dataset.maxZoom) || 12;
const map = L.map('map', { maxZoom, minZoom: 1, worldCopyJump: true });
map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
L.tileLayer('/tiles/basemap/{z}/{x}/{y}{r}.png', { maxZoom, attribution: 'Natural Earth', className: 'basemap' }).addTo(map);
const overlays = L.layerGroup().addTo(map);
let radiusLayer = null;

// The default view: the server's (the data's extent, padded), as
// /api/static.png draws it.
function dataBounds() {
  const [w, s, e, n] = JSON.parse(body.dataset.bounds);
  return L.latLngBounds([[s, w], [n, e]]);
}
const bboxBounds = ([w, s, e, n]) => L.latLngBounds([[s, w], [n, e < w ? e + 360 : e]]);
const nearBounds = (n) => L.latLng(n.lat, n.lon).toBounds(n.radius * 2.2);

if (initial.center) map.setView(initial.center, initial.zoom ?? 7);
else if (initial.bbox) map.fitBounds(bboxBounds(initial.bbox));
else if (initial.near) map.fitBounds(nearBounds(initial.near));
else map.fitBounds(dataBounds());
map.on('moveend', () => { state.bbox = null; syncURL(); });

// syncURL writes the view into the address bar and the embed's link back.
function syncURL() {
  const v = { layers: state.layers, datetime: state.datetime, near: state.near };
  if (state.bbox) v.bbox = state.bbox;
  else {
    const c = map.wrapLatLng(map.getCenter());
    v.center = [c.lat, c.lng];
    v.zoom = map.getZoom();
  }
  const qs = writeView(v);
  history.replaceState(null, '', location.pathname + (qs ? '?' + qs : ''));
  if ($('back')) $('back').href = '/' + (qs ? '?' + qs : '');
}

const [ringColor, ringAlpha] = rgba(palette.ring);
const [linkColor, linkAlpha] = rgba(palette.link);
const [areaColor, areaAlpha] = rgba(palette.uncertainty);
const [siteColor] = rgba(palette.site);
const [radiusColor] = rgba(palette.radius);
const isIncident = (f) => 'event_type' in (f.properties || {});

function style(f) {
  switch (f.properties.kind) {
    case 'ring': return { className: 'ring', color: ringColor, opacity: ringAlpha, weight: 1, dashArray: '4 4', fill: false };
    case 'link': return { className: 'link', color: linkColor, opacity: linkAlpha, weight: 2.5 };
    case 'uncertainty': return { className: 'area', color: areaColor, opacity: 0.5, weight: 1, fillColor: areaColor, fillOpacity: areaAlpha, interactive: false };
    default: return {};
  }
}

function pointToLayer(f, latlng) {
  if (isIncident(f)) {
    const fillColor = eventColor(f.properties.event_type);
    return L.circleMarker(latlng, { pane: 'markerPane', radius: 7, weight: 1.5, color: '#fff', fillOpacity: 0.95, fillColor, className: 'incident' });
  }
  return L.circleMarker(latlng, { pane: 'markerPane', radius: 5, weight: 2, color: siteColor, fillColor: '#fff', fillOpacity: 1, className: 'site' });
}

// Popups and tooltips get elements, never strings (Leaflet sets strings as
// innerHTML). Incidents at one point share a popup: their markers overlap.
function features(fc) {
  const at = new Map();
  const key = (f) => f.geometry.coordinates.join(',');
  for (const f of fc.features) {
    if (isIncident(f) && f.geometry) at.set(key(f), [...(at.get(key(f)) || []), f]);
  }
  return L.geoJSON(fc, {
    style,
    pointToLayer,
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

const query = (params) => '?' + new URLSearchParams(state.datetime ? { ...params, datetime: state.datetime } : params);
const layerURL = (id) => '/api/layers/' + encodeURIComponent(id) + query({});
const nearURL = (n) => '/api/collections/incidents/items' + query({ lat: n.lat, lon: n.lon, radius: n.radius, limit: 500 });

const setup = Promise.all([
  getJSON('/api/layers'),
  getJSON('/api/layers/incidents'),
  getJSON('/api/collections/sites/items?limit=1000'),
]).then(([list, incidents, sites]) => {
  allIncidents = incidents.features.filter(isIncident);
  indexPlaces(sites.features);
  if (state.near && !embed) $('near-place').value = placeName(state.near);
  legend([...new Set(allIncidents.map((f) => f.properties.event_type))].sort());
  if (!embed) {
    setupLayers(list.layers);
    setupTimeline();
  }
});

// render fetches and draws the state; a newer render wins. The test waits
// on body[data-state] and [data-renders].
async function render() {
  const gen = ++state.gen;
  body.dataset.state = 'loading';
  const ids = [...state.layers].sort((a, b) => (DRAW_RANK[a] ?? 2) - (DRAW_RANK[b] ?? 2));
  try {
    const [, incidents, near, ...layers] = await Promise.all([
      setup,
      getJSON(layerURL('incidents')),
      state.near ? getJSON(nearURL(state.near)) : null,
      ...ids.map((id) => getJSON(layerURL(id))),
    ]);
    if (gen !== state.gen) return;
    overlays.clearLayers();
    for (const fc of layers) overlays.addLayer(features(fc));
    drawRadius();
    if (!embed) {
      showLists(incidents);
      showNear(near);
    }
    setStatus('');
    if (++state.renders === 1) performance.mark('im-first-render');
    body.dataset.renders = String(state.renders);
    body.dataset.state = 'ready';
  } catch (err) {
    if (gen !== state.gen) return;
    setStatus('Could not load: ' + err.message);
    body.dataset.state = 'error';
  }
}

let timer = 0;
function renderSoon() {
  body.dataset.state = 'loading';
  clearTimeout(timer);
  timer = setTimeout(() => { render(); syncURL(); }, 120);
}

function drawRadius() {
  if (radiusLayer) radiusLayer.remove();
  const n = state.near;
  radiusLayer = n && L.circle([n.lat, n.lon], { radius: n.radius, className: 'radius', color: radiusColor, weight: 2, fillOpacity: 0.05, interactive: false }).addTo(map);
}

function legend(types) {
  const ctl = L.control({ position: 'bottomleft' });
  ctl.onAdd = () => {
    const box = el('details', { className: 'legend', open: !embed && innerWidth > 760 });
    box.append(el('summary', null, 'Legend'));
    const ul = el('ul');
    const item = (cls, color, text) => {
      const sw = el('span', 'swatch ' + cls);
      sw.style.setProperty('--c', color); // CSSOM: allowed by style-src 'self'
      ul.append(el('li'));
      ul.lastChild.append(sw, text);
    };
    for (const t of types) item('dot', eventColor(t), label(t));
    item('site', siteColor, 'site');
    item('ring', ringColor, 'range ring (10, 25, 50 km)');
    item('line', linkColor, 'link between related incidents');
    item('area', areaColor, 'location uncertainty');
    item('ring', radiusColor, 'radius search');
    box.append(ul);
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  ctl.addTo(map);
}

// Lists beside the map: the map is not the only way to the data.

function showOnMap(f) {
  const [lon, lat] = f.geometry.coordinates;
  map.setView([lat, lon], Math.max(map.getZoom(), 8));
  L.popup(POPUP).setLatLng([lat, lon]).setContent(incidentCard(f)).openOn(map);
}

function entry(f, meta) {
  const li = el('li');
  li.dataset.id = f.id;
  const det = li.appendChild(el('details'));
  det.append(el('summary'));
  det.firstChild.append(el('span', 'title', f.properties.title), el('span', 'meta', meta || shortDate(f.properties.occurred_at)));
  det.addEventListener('toggle', () => {
    if (!det.open || det.childElementCount > 1) return;
    const card = incidentCard(f);
    card.querySelector('.card-title').remove(); // the summary already says it
    det.append(card);
    if (f.geometry) det.append(el('button', { className: 'show', type: 'button', onclick: () => showOnMap(f) }, 'Show on the map'));
  });
  return li;
}

function fillList(ol, fs, meta) {
  ol.replaceChildren(...fs.slice(0, LIST_MAX).map((f) => entry(f, meta && meta(f))));
  if (fs.length > LIST_MAX) ol.append(el('li', 'more', `and ${fs.length - LIST_MAX} more: see the CSV`));
}

function showLists(fc) {
  const fs = fc.features.filter(isIncident);
  const located = fs.filter((f) => f.geometry);
  const unlocated = fs.filter((f) => !f.geometry);
  fillList($('incident-list'), located);
  fillList($('unlocated-list'), unlocated);
  $('list-count').textContent = `${located.length} on the map, ${unlocated.length} without a location${state.datetime ? ', in the chosen time' : ''}.`;
}

const km = (m) => (m < 10000 ? `${Number((m / 1000).toFixed(1))} km` : `${Math.round(m / 1000)} km`);

// showNear lists the radius query's result; the live region is left alone
// when nothing changed.
let shownNear = '';
function showNear(fc) {
  const n = state.near;
  const where = n && (state.nearLabel || placeName(n));
  const when = state.datetime ? ' in the chosen time' : '';
  const count = fc && (fc.numberMatched === 1 ? '1 incident' : `${fc.numberMatched} incidents`);
  const text = !fc ? '' : fc.numberMatched === 0
    ? `No incidents within ${km(n.radius)} of ${where}${when}.`
    : `${count} within ${km(n.radius)} of ${where}${when}, nearest first.`;
  const key = text + (fc ? fc.features.map((f) => f.id) : '');
  if (key === shownNear) return;
  shownNear = key;
  $('near-status').textContent = text;
  fillList($('near-list'), fc ? fc.features : [], (f) => `${km(f.properties.distance_m)} from ${where}`);
}

// The radius query: a place from the data or a point, and a radius.

function indexPlaces(sites) {
  const seen = new Set();
  for (const f of [...sites, ...allIncidents]) {
    const p = f.properties;
    for (const name of [p.name, p.name_ar, p.place, p.place_ar]) {
      if (!name || !f.geometry || seen.has(name)) continue;
      seen.add(name);
      places.push({ name, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] });
    }
  }
  if (!embed) $('near-places').replaceChildren(...places.map((p) => el('option', { value: p.name })));
}

// metres between two points, equirectangular: enough to match a place.
const metres = (a, b) => 111195 * Math.hypot((b.lon - a.lon) * Math.cos(a.lat * Math.PI / 180), b.lat - a.lat);

function placeName(n) {
  const p = places.find((q) => metres(q, n) < 1000);
  return p ? p.name : `${n.lat.toFixed(3)}, ${n.lon.toFixed(3)}`;
}

// resolvePlace reads "lat, lon" or finds a place by (part of) its name.
function resolvePlace(text) {
  const m = /^(-?\d+(?:\.\d+)?)\s*[,\s]\s*(-?\d+(?:\.\d+)?)$/.exec(text.trim());
  if (m) {
    const [lat, lon] = [Number(m[1]), Number(m[2])];
    return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon, name: '' } : null;
  }
  const k = text.trim().toLowerCase();
  return places.find((p) => p.name.toLowerCase() === k) ||
    (k.length >= 3 && places.find((p) => p.name.toLowerCase().includes(k))) || null;
}

function setNear(n, name) {
  state.near = n;
  state.nearLabel = n ? name || placeName(n) : '';
  if (n) map.fitBounds(nearBounds(n));
  render();
  syncURL();
}

let picking = false;
function setPicking(on) {
  picking = on;
  $('near-pick').setAttribute('aria-pressed', String(on));
  map.getContainer().classList.toggle('picking', on);
  setStatus(on ? 'Click the map to set the centre (Escape cancels).' : '');
}

const radiusMetres = () => Math.min(2000, Math.max(1, Number($('near-km').value) || 50)) * 1000;

function setupNear() {
  const input = $('near-place');
  if (state.near) $('near-km').value = String(state.near.radius / 1000);
  // The browser checks the radius before submitting.
  $('near-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const p = resolvePlace(input.value);
    shownNear = '';
    if (!p) return void ($('near-status').textContent = `No place “${input.value}” in the data: type lat, lon or pick a point.`);
    setNear({ lat: p.lat, lon: p.lon, radius: radiusMetres() }, p.name);
  });
  $('near-pick').addEventListener('click', () => setPicking(!picking));
  $('near-clear').addEventListener('click', () => { input.value = ''; setNear(null); });
  map.on('click', (e) => {
    if (!picking) return;
    setPicking(false);
    const ll = e.latlng.wrap();
    input.value = `${ll.lat.toFixed(4)}, ${ll.lng.toFixed(4)}`;
    setNear({ lat: Number(ll.lat.toFixed(5)), lon: Number(ll.lng.toFixed(5)), radius: radiusMetres() });
  });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && picking) setPicking(false); });
}

// The layer control: a checkbox per overlay of /api/layers.
function setupLayers(list) {
  const boxes = list.map((l, i) => {
    const input = el('input', { type: 'checkbox', id: 'layer-' + i, value: l.id, checked: state.layers.includes(l.id) });
    input.setAttribute('aria-describedby', 'hint-' + i);
    const div = el('div', 'check');
    div.append(input, el('label', { htmlFor: input.id }, l.title), el('span', { className: 'hint', id: 'hint-' + i }, l.description));
    $('layers').append(div);
    return input;
  });
  $('layers').addEventListener('change', () => {
    state.layers = boxes.filter((b) => b.checked).map((b) => b.value);
    renderSoon();
  });
}

// The timeline: two sliders over the incidents' dates, by the hour, in UTC.
function setupTimeline() {
  const from = $('time-from');
  const to = $('time-to');
  const times = allIncidents.map((f) => parseTime(f.properties.occurred_at)).filter(Number.isFinite);
  if (!times.length) return void ($('time-out').textContent = 'No incidents.');
  const t0 = Math.floor(Math.min(...times) / DAY) * DAY;
  const t1 = Math.floor(Math.max(...times) / DAY) * DAY + DAY;
  const max = Math.round((t1 - t0) / HOUR);
  const hourOf = (t) => Math.min(max, Math.max(0, Math.round((t - t0) / HOUR)));
  const iso = (h) => new Date(t0 + h * HOUR).toISOString().replace('.000Z', 'Z');
  const at = (t) => {
    const d = new Date(t).toISOString();
    return `${shortDate(d)} ${d.slice(11, 16)} UTC`;
  };
  from.max = to.max = String(max);
  from.dataset.t0 = new Date(t0).toISOString();
  $('time-ticks').replaceChildren(...[...new Set(times.map(hourOf))].map((h) => el('option', { value: h })));
  const [s, e] = splitDatetime(state.datetime);
  from.value = String(Number.isFinite(s) ? hourOf(s) : 0);
  to.value = String(Number.isFinite(e) ? hourOf(e) : max);
  const describe = () => {
    const [a, b] = splitDatetime(state.datetime);
    from.setAttribute('aria-valuetext', +from.value === 0 ? 'the start' : at(t0 + from.value * HOUR));
    to.setAttribute('aria-valuetext', +to.value === max ? 'the end' : at(t0 + to.value * HOUR));
    $('time-out').textContent = state.datetime
      ? `${Number.isFinite(a) ? at(a) : 'The start'} to ${Number.isFinite(b) ? at(b) : 'the end'}`
      : `All dates: ${at(t0)} to ${at(t1)}`;
  };
  const slide = (moved) => {
    if (+from.value > +to.value) (moved === from ? to : from).value = moved.value;
    const a = +from.value;
    const b = +to.value;
    state.datetime = a === 0 && b === max ? '' : `${a === 0 ? '..' : iso(a)}/${b === max ? '..' : iso(b)}`;
    describe();
    renderSoon();
  };
  from.addEventListener('input', () => slide(from));
  to.addEventListener('input', () => slide(to));
  $('time-reset').addEventListener('click', () => {
    from.value = '0';
    to.value = String(max);
    slide(from);
  });
  describe();
}

// The embed dialog shows the oEmbed answer for this very view.
function setupEmbed() {
  const dialog = $('embed-dialog');
  $('embed-open').addEventListener('click', async () => {
    syncURL();
    const url = '/oembed?url=' + encodeURIComponent(location.href);
    try {
      const o = await getJSON(url);
      $('embed-code').value = o.html;
      $('embed-oembed').href = url;
      dialog.showModal();
      $('embed-code').select();
    } catch (err) {
      setStatus('No embed code: ' + err.message);
    }
  });
  $('embed-close').addEventListener('click', () => dialog.close());
}

if (!embed) {
  setupNear();
  setupEmbed();
}
syncURL();
render();

// The editor's desk at /edit: sign in with a token, find incidents in a
// list and on a map, add and correct them in a form, review what will
// change and say why, resolve a conflict with a concurrent edit, see an
// incident's history and restore an earlier version, import a file. All
// of it through the write API (session.js), as any client would. L is
// vendor/leaflet.js.

import { ROOT } from '../data.js';
import { $, el } from '../dom.js';
import * as form from './form.js';
import { showConflict, showHistory, showReview, wireConflict, wireImport } from './panels.js';
import { ApiError, call, forgetToken, keepToken, token } from './session.js';

const ITEMS = '/api/collections/incidents/items';
const PAGE = 50;
const body = document.body;
const palette = JSON.parse(body.dataset.palette);
const radii = JSON.parse(body.dataset.radii);

// The desk's state: the incident open in the form, as saved (base: null
// for a new one) and its ETag; the sites by id; the last search.
const state = { base: null, etag: null, sites: new Map(), offset: 0, found: new Map(), selected: null };

const setStatus = (msg, kind = 'error') => {
  $('status').textContent = msg;
  $('status').dataset.kind = kind;
};
const problemText = (err) => (err instanceof ApiError ? `${err.message} (${err.status})` : String(err.message || err));

// cleanFeature is an item as the API takes it back: no links.
const cleanFeature = (f) => ({ type: 'Feature', id: f.id, geometry: f.geometry, properties: f.properties });

// ---- Signing in and out

// signIn keeps text as the tab's token once the API knows it; an unknown
// or revoked one is forgotten at once.
async function signIn(text) {
  keepToken(text);
  let who;
  try {
    who = (await call('GET', '/api/tokens/current')).data;
  } catch (err) {
    if (err.status === 401) {
      forgetToken();
      return setStatus('That token is unknown or revoked: check it, or ask an admin for a new one.');
    }
    return setStatus(problemText(err)); // the store down, say: the token is kept for a try again
  }
  $('who').textContent = `Signed in as ${who.name} (${who.role})`;
  $('sign-in').hidden = true;
  $('desk').hidden = false;
  $('sign-out').hidden = false;
  body.dataset.state = 'signed-in';
  setStatus('');
  await setup().catch((err) => setStatus(problemText(err)));
}

function signOut() {
  forgetToken();
  state.base = state.etag = null;
  $('incident-form').hidden = true;
  $('desk').hidden = true;
  $('sign-in').hidden = false;
  $('sign-out').hidden = true;
  $('who').textContent = 'Signed out.';
  body.dataset.state = 'signed-out';
  $('token').focus();
}

// ---- The map

let map;
let found; // markers of the incidents found
let editing; // the incident open: its marker and uncertainty

function createMap() {
  const [w, s, e, n] = JSON.parse(body.dataset.bounds);
  map = L.map('map', { maxZoom: Number(body.dataset.maxZoom) }).fitBounds([[s, w], [n, e]]);
  L.tileLayer(ROOT + '/tiles/basemap/{z}/{x}/{y}{r}.png', { maxZoom: Number(body.dataset.maxZoom), attribution: 'Natural Earth · GeoNames · © OpenStreetMap' }).addTo(map);
  found = L.layerGroup().addTo(map);
  editing = L.layerGroup().addTo(map);
  map.on('click', (ev) => {
    if ($('incident-form').hidden) return;
    $('f-latlon').value = `${ev.latlng.lat.toFixed(5)}, ${ev.latlng.lng.toFixed(5)}`;
    drawEditing();
  });
}

// drawEditing draws the incident in the form where the form puts it,
// with its uncertainty, as the map draws it.
function drawEditing() {
  editing.clearLayers();
  const at = form.parseLatLon($('f-latlon').value);
  $('f-latlon').setCustomValidity(form.latLonProblem());
  if (!at) return;
  const ll = [at[1], at[0]];
  const r = radii[$('f-geo-precision').value] || 0;
  if (r > 0) editing.addLayer(L.circle(ll, { radius: r, color: palette.uncertainty, weight: 1, fillOpacity: 0.15, interactive: false }));
  editing.addLayer(L.circleMarker(ll, { radius: 9, color: '#000', weight: 3, fillColor: palette.events[$('f-event-type').value] || palette.other, fillOpacity: 1, interactive: false }));
}

// ---- Finding incidents

function findURL(offset) {
  const q = new URLSearchParams({ limit: PAGE, offset, sortby: '-occurred_at' }); // the newest first
  const words = $('find-q').value.trim();
  if (words) q.set('q', words);
  const from = $('find-from').value;
  const to = $('find-to').value;
  if (from || to) q.set('datetime', `${from ? from + 'T00:00:00Z' : '..'}/${to ? to + 'T23:59:59Z' : '..'}`);
  if ($('find-site').value) q.set('site', $('find-site').value);
  if ($('find-type').value) q.set('event_type', $('find-type').value);
  return ITEMS + '?' + q;
}

async function find(more = false) {
  state.offset = more ? state.offset + PAGE : 0;
  if (!more) {
    $('find-list').replaceChildren();
    found.clearLayers();
    state.found.clear();
  }
  try {
    const { data } = await call('GET', findURL(state.offset));
    $('find-count').textContent = `${data.numberMatched} found`;
    for (const f of data.features) listFound(f);
    $('find-more').hidden = state.offset + PAGE >= data.numberMatched;
    $('related-ids').replaceChildren(...[...state.found.values()].map(({ f }) => el('option', { value: f.id }, f.properties.title)));
    markSelected();
  } catch (err) {
    setStatus(problemText(err));
  }
}

function listFound(f) {
  const p = f.properties;
  const b = el('button', { type: 'button', className: 'found' });
  b.append(el('span', 'title', p.title), el('span', 'meta', `${(p.occurred_at || '').slice(0, 10)} · ${p.place || 'no place'} · ${p.event_type}`));
  b.addEventListener('click', () => open(f.id));
  const li = el('li');
  li.append(b);
  $('find-list').append(li);
  let marker = null;
  if (f.geometry) {
    const [lon, lat] = f.geometry.coordinates;
    marker = L.circleMarker([lat, lon], { radius: 6, weight: 1, color: '#fff', fillColor: palette.events[p.event_type] || palette.other, fillOpacity: 0.9 });
    marker.bindTooltip(() => el('span', null, p.title));
    marker.on('click', (ev) => { L.DomEvent.stopPropagation(ev); open(f.id); });
    found.addLayer(marker);
  }
  state.found.set(f.id, { f, button: b, marker });
}

// markSelected shows the incident open in the form in the list and on
// the map.
function markSelected() {
  for (const [id, { button, marker }] of state.found) {
    const on = id === state.selected;
    if (on) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
    if (marker) marker.setStyle({ color: on ? '#000' : '#fff', weight: on ? 3 : 1 });
  }
}

// ---- The incident open in the form

// open reads incident id as it is now and puts it in the form.
async function open(id) {
  try {
    const { data, etag } = await call('GET', `${ITEMS}/${encodeURIComponent(id)}`);
    load(cleanFeature(data), etag);
    if (data.geometry) map.panTo([data.geometry.coordinates[1], data.geometry.coordinates[0]]);
    $('f-title').focus();
  } catch (err) {
    setStatus(problemText(err));
  }
}

// load puts feature, saved with etag, in the form (a new incident when
// etag is null).
function load(feature, etag, into = feature) {
  state.base = etag ? feature : null;
  state.etag = etag;
  state.selected = etag ? feature.id : null;
  form.fill(into);
  $('editor-none').hidden = true;
  $('incident-form').hidden = false;
  $('review-panel').hidden = true;
  $('conflict-panel').hidden = true;
  $('delete').hidden = !etag;
  $('editing').textContent = etag ? `Editing ${feature.id}` : 'A new incident';
  drawEditing();
  markSelected();
  if (etag) showHistory(feature.id, restore).catch((err) => setStatus(problemText(err)));
  else $('history').hidden = true;
}

function newIncident() {
  load({ type: 'Feature', id: '', geometry: null, properties: { time_precision: 'day', geo_precision: 'town' } }, null);
  $('f-id').dataset.auto = 'true';
  $('f-id').focus();
}

// suggestId makes a new incident's id from its date and title, until
// the editor writes one.
function suggestId() {
  if ($('f-id').readOnly || $('f-id').dataset.auto !== 'true') return;
  const day = $('f-time').value.slice(0, 10);
  const slug = $('f-title').value.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').split('-').slice(0, 6).join('-');
  $('f-id').value = [day, slug].filter(Boolean).join('-');
}

// restore puts revision rev's version of the open incident in the form,
// to be saved, with a reason, as a new revision.
async function restore(rev) {
  const id = state.base.id;
  try {
    const { data } = await call('GET', `/r/${rev}${ITEMS}/${encodeURIComponent(id)}`);
    form.fill(cleanFeature(data));
    drawEditing();
    review(`Restored to revision ${rev}: `);
  } catch (err) {
    setStatus(problemText(err));
  }
}

// review shows what saving would change, and asks why.
function review(reason = '') {
  form.clearErrors();
  const problem = form.latLonProblem();
  if (problem) {
    form.showErrors({ errors: [{ param: 'geometry', detail: problem }] });
    $('f-latlon').focus();
    return;
  }
  const mine = form.read();
  const changes = form.diff(state.base, mine);
  if (state.base && changes.length === 0) {
    setStatus('Nothing to save: the form is as saved.', 'info');
    return;
  }
  showReview(changes, { reason, required: Boolean(state.base), deleting: false });
}

// save sends the form: a PUT of the incident open (If-Match its ETag),
// or a POST of a new one; or, deleting, a DELETE.
async function save(reason, deleting) {
  const mine = form.read();
  const headers = { 'Change-Reason': reason };
  const id = state.base ? state.base.id : mine.id;
  const url = `${ITEMS}/${encodeURIComponent(id)}`;
  setStatus(deleting ? 'Deleting…' : 'Saving…', 'info');
  try {
    let answer;
    if (deleting) {
      answer = await call('DELETE', url, { headers: { ...headers, 'If-Match': state.etag } });
      setStatus(`Deleted ${id}: revision ${answer.revision}.`, 'ok');
      state.base = state.etag = state.selected = null;
      $('incident-form').hidden = true;
      $('review-panel').hidden = true;
      $('history').hidden = true;
      $('editor-none').hidden = false;
      editing.clearLayers();
      await find();
      return;
    }
    if (state.base) answer = await call('PUT', url, { body: mine, headers: { ...headers, 'If-Match': state.etag } });
    else answer = await call('POST', ITEMS, { body: mine, headers: reason ? headers : {} });
    load(cleanFeature(answer.data), answer.etag);
    setStatus(`Saved ${id}: revision ${answer.revision}.`, 'ok');
    await find();
    $('editing').focus();
  } catch (err) {
    if (!(err instanceof ApiError)) return setStatus(problemText(err));
    $('review-panel').hidden = true;
    if (err.status === 412) return conflict(mine);
    if (err.status === 422 || err.status === 400 || (err.status === 409 && err.problem.param === 'id')) {
      const first = form.showErrors(err.problem);
      setStatus('The incident was not saved: ' + err.message);
      if (first) first.focus();
      return;
    }
    setStatus(problemText(err));
  }
}

// conflict shows what another editor saved since the form was opened
// beside the editor's own changes, and lets them redo theirs on top.
async function conflict(mine) {
  try {
    const { data, etag } = await call('GET', `${ITEMS}/${encodeURIComponent(state.base.id)}`);
    const theirs = cleanFeature(data);
    setStatus('Not saved: someone saved this incident while you edited it.');
    showConflict(state.base, theirs, mine, {
      redo: () => {
        const merged = form.rebase(state.base, mine, theirs);
        load(theirs, etag, merged);
        review();
      },
      takeTheirs: () => load(theirs, etag),
    });
  } catch (err) {
    setStatus(err.status === 404 ? 'Not saved: the incident was deleted meanwhile.' : problemText(err));
  }
}

// ---- Setting up

let ready = false;

async function setup() {
  if (ready) return find();
  ready = true;
  createMap();
  const [sites, summary] = await Promise.all([
    call('GET', '/api/collections/sites/items?limit=1000'),
    call('GET', '/api/collections/incidents/summary'),
  ]);
  for (const f of sites.data.features) {
    state.sites.set(f.id, f);
    for (const select of ['find-site', 'f-site']) $(select).append(el('option', { value: f.id }, f.properties.name));
  }
  for (const { event_type: t } of summary.data.event_types) {
    $('find-type').append(el('option', { value: t }, t));
    $('event-types').append(el('option', { value: t }));
  }
  await find();
}

function wire() {
  $('sign-in-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = $('token').value.trim();
    $('token').value = '';
    signIn(text);
  });
  $('sign-out').addEventListener('click', signOut);
  $('find-form').addEventListener('submit', (ev) => { ev.preventDefault(); find(); });
  $('find-more').addEventListener('click', () => find(true));
  $('new-incident').addEventListener('click', newIncident);
  $('incident-form').addEventListener('submit', (ev) => { ev.preventDefault(); review(); });
  $('incident-form').addEventListener('input', (ev) => {
    if (ev.target.id === 'f-id') $('f-id').dataset.auto = 'false';
    if (ev.target.id === 'f-title' || ev.target.id === 'f-time') suggestId();
    if (['f-latlon', 'f-geo-precision', 'f-event-type'].includes(ev.target.id)) drawEditing();
  });
  $('incident-form').addEventListener('change', (ev) => {
    form.showHints();
    if (ev.target.id.endsWith('-nr')) {
      const count = $(ev.target.id.slice(0, -3));
      count.disabled = ev.target.checked;
      if (ev.target.checked) count.value = '';
    }
    if (ev.target.id === 'f-geo-precision') drawEditing();
  });
  $('f-site-here').addEventListener('click', () => {
    const site = state.sites.get($('f-site').value);
    if (!site) return setStatus('Pick a site first.');
    const c = L.geoJSON(site).getBounds().getCenter();
    $('f-latlon').value = `${Number(c.lat.toFixed(5))}, ${Number(c.lng.toFixed(5))}`;
    if (!$('f-place').value) $('f-place').value = site.properties.name || '';
    drawEditing();
  });
  $('add-actor').addEventListener('click', () => form.addActor(undefined).querySelector('input').focus());
  $('add-source').addEventListener('click', () => form.addSource(undefined).querySelector('input').focus());
  $('add-related').addEventListener('click', () => {
    const id = $('f-related').value.trim();
    if (!id) return;
    const hit = state.found.get(id);
    form.addRelated(id, hit && hit.f.properties.title);
    $('f-related').value = '';
    $('f-related').focus();
  });
  $('discard').addEventListener('click', () => (state.base ? load(state.base, state.etag) : newIncident()));
  $('delete').addEventListener('click', () => showReview(form.diff(state.base, null), { reason: '', required: true, deleting: true }));
  $('save-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const reason = $('reason').value.trim();
    if (!reason && $('reason').required) {
      $('reason').setAttribute('aria-invalid', 'true');
      setStatus('Say why: the reason is shown in the corrections log.');
      $('reason').focus();
      return;
    }
    save(reason, $('review-panel').dataset.deleting === 'true');
  });
  $('back').addEventListener('click', () => { $('review-panel').hidden = true; $('f-title').focus(); });
  wireImport(() => find(), setStatus);
  wireConflict();
}

wire();
if (body.dataset.store !== 'true') {
  $('no-store').hidden = false;
  $('sign-in-form').hidden = true;
} else if (token()) {
  signIn(token());
}

// The incident form: a feature of the data model (DESIGN.md) in controls
// a person understands, and back. fill puts a feature in the form, read
// takes it out; diff says field by field what differs between two
// features; showErrors puts the API's validation problems beside the
// fields they name. Everything goes in and out as text (value,
// textContent), never as HTML.

import { $, el } from '../dom.js';

// PROPS are the data model's properties, in the form's order.
export const PROPS = ['title', 'event_type', 'summary', 'occurred_at', 'time_precision', 'site', 'geo_precision',
  'place', 'place_ar', 'admin1', 'country', 'killed', 'injured', 'actors', 'sources', 'related'];

export const ROLES = ['perpetrator', 'claimant', 'target', 'responder'];

// What each precision means, one line each, shown beside its control.
export const TIME_PRECISION = {
  exact: 'The time is known to the minute.',
  hour: 'Known to the hour: some time within the hour given.',
  day: 'Known to the day only: the time of day is not known.',
  approximate: 'Roughly: within six hours either side ("afternoon", "hours later").',
};
export const GEO_PRECISION = {
  exact: 'The very spot is known.',
  near: 'Near the point: within 5 km (a base, a named road).',
  town: 'Somewhere in or around a town: within 10 km.',
  region: 'Somewhere in a province or district: within 50 km.',
  unknown: 'The sources do not say where: give no location.',
};

const TIME = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d)?(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const TYPED = /^(\d{4}-\d\d-\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d))?)?$/;

// splitTime splits an RFC 3339 time into what the form shows, the local
// time as people write it ("2023-11-21 04:30", seconds when not zero),
// and its offset.
export function splitTime(iso) {
  const m = TIME.exec(iso || '');
  if (!m) return { local: iso || '', offset: '+03:00' };
  const secs = m[3] && m[3] !== ':00' ? m[3] : '';
  return { local: `${m[1]} ${m[2]}${secs}`, offset: m[5] };
}

// joinTime is splitTime's inverse: the RFC 3339 time of a local time
// typed as "YYYY-MM-DD HH:MM[:SS]" (or a day alone, at midnight) and an
// offset. The fraction of a second of was is kept when the rest is
// unchanged, so that opening and saving changes nothing. A time it
// cannot read is given as typed, for the API to name.
export function joinTime(local, offset, was) {
  const m = TYPED.exec(local.trim());
  if (!m) return local.trim();
  const t = `${m[1]}T${m[2] || '00'}:${m[3] || '00'}:${m[4] || '00'}${offset || 'Z'}`;
  const w = TIME.exec(was || '');
  return w && `${w[1]}T${w[2]}${w[3] || ':00'}${w[5]}` === t ? was : t;
}

// parseLatLon reads "lat, lon" (or "lat lon"), as people copy them from
// maps; null for an empty text, undefined for one it cannot read.
export function parseLatLon(text) {
  const s = text.trim();
  if (!s) return null;
  const m = /^(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)$/.exec(s);
  if (!m) return undefined;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  return [lon, lat];
}

export const formatLatLon = (coords) => (coords ? `${coords[1]}, ${coords[0]}` : '');

// timeInputs are a datetime-local control and an offset, for a source's
// published_at; field names them for the API's problems.
function timeInputs(id, field, iso) {
  const { local, offset } = splitTime(iso);
  const time = el('input', { id, value: local, required: true, placeholder: '2023-11-22 01:05' });
  time.dataset.field = field;
  time.dataset.was = iso || '';
  const off = el('input', { id: id + '-offset', value: offset, size: 6, pattern: 'Z|[+-]\\d\\d:\\d\\d' });
  return [el('label', { htmlFor: id }, 'Published'), time, el('label', { htmlFor: id + '-offset' }, 'UTC offset'), off];
}

// rowButton is a button that removes its row.
function removeButton(li, what, onChange) {
  const b = el('button', { type: 'button', className: 'remove' }, 'Remove');
  b.setAttribute('aria-label', 'Remove ' + what);
  b.addEventListener('click', () => { li.remove(); renumber(); onChange(); });
  return b;
}

// renumber gives the rows of each list ids and fields by their place.
function renumber() {
  for (const list of ['actor', 'source', 'related']) {
    [...$(list + '-list').children].forEach((li, i) => {
      li.dataset.field = `properties.${list === 'related' ? 'related' : list + 's'}[${i}]`;
      for (const c of li.querySelectorAll('[data-part]')) {
        const id = `${list}-${i}-${c.dataset.part}`;
        const label = li.querySelector(`label[for="${c.id}"]`);
        c.id = id;
        if (label) label.htmlFor = id;
        c.dataset.field = `${li.dataset.field}.${c.dataset.part}`;
      }
    });
  }
}

function part(input, name) {
  input.dataset.part = name;
  return input;
}

export function addActor(a = { name: '', role: 'perpetrator' }, onChange = () => {}) {
  const li = el('li', 'row');
  const name = part(el('input', { value: a.name, required: true, maxLength: 300 }), 'name');
  const role = part(el('select'), 'role');
  for (const r of ROLES) role.append(el('option', { value: r, selected: r === a.role }, r));
  li.append(el('label', {}, 'Name'), name, el('label', {}, 'Role'), role);
  li.append(removeButton(li, 'this actor', onChange));
  $('actor-list').append(li);
  renumber();
  li.querySelectorAll('label').forEach((l, i) => { l.htmlFor = [name, role][i].id; });
  return li;
}

export function addSource(s = { publisher: '', title: '', url: '', published_at: '', quote: '' }, onChange = () => {}) {
  const li = el('li', 'row source');
  const field = (name, label, value, props = {}) => {
    const input = part(el(props.rows ? 'textarea' : 'input', { value: value || '', maxLength: props.max || 1000, ...props }), name);
    li.append(el('label', {}, label), input);
    return input;
  };
  field('publisher', 'Publisher', s.publisher, { required: true });
  field('title', 'Title', s.title, { required: true });
  field('url', 'Link (optional)', s.url, { type: 'url' });
  const [tl, time, ol, off] = timeInputs('', '', s.published_at);
  part(time, 'published_at');
  part(off, 'published_offset');
  li.append(tl, time, ol, off);
  field('quote', 'The sentence it rests on', s.quote, { rows: 3, required: true, max: 2000 });
  li.append(removeButton(li, 'this source', onChange));
  $('source-list').append(li);
  renumber();
  for (const l of li.querySelectorAll('label')) l.htmlFor = l.nextElementSibling.id;
  return li;
}

export function addRelated(id, title, onChange = () => {}) {
  const li = el('li', 'row related');
  const input = part(el('input', { value: id, readOnly: true }), 'id');
  input.dataset.id = id;
  li.append(el('label', {}, title ? `Related: ${title}` : 'Related'), input, removeButton(li, 'related incident ' + id, onChange));
  $('related-list').append(li);
  renumber();
  li.querySelector('label').htmlFor = input.id;
  return li;
}

const value = (id) => $(id).value.trim();

// count reads killed or injured: null when "not reported" is ticked.
function count(id) {
  if ($(id + '-nr').checked) return null;
  const v = $(id).value.trim();
  return v === '' ? null : Number(v);
}

function setCount(id, n) {
  $(id + '-nr').checked = n == null;
  $(id).value = n == null ? '' : String(n);
  $(id).disabled = n == null;
}

// fill puts feature in the form; a new incident when it has no id.
export function fill(feature) {
  const p = feature.properties || {};
  $('f-id').value = feature.id || '';
  $('f-id').readOnly = Boolean(feature.id);
  $('f-title').value = p.title || '';
  $('f-event-type').value = p.event_type || '';
  $('f-summary').value = p.summary || '';
  const { local, offset } = splitTime(p.occurred_at);
  $('f-time').value = local;
  $('f-time').dataset.was = p.occurred_at || '';
  $('f-offset').value = offset;
  $('f-time-precision').value = p.time_precision || 'day';
  $('f-site').value = p.site || '';
  $('f-latlon').value = formatLatLon(feature.geometry && feature.geometry.coordinates);
  $('f-geo-precision').value = p.geo_precision || 'town';
  $('f-place').value = p.place || '';
  $('f-place-ar').value = p.place_ar || '';
  $('f-admin1').value = p.admin1 || '';
  $('f-country').value = p.country || '';
  setCount('f-killed', p.killed);
  setCount('f-injured', p.injured);
  for (const list of ['actor-list', 'source-list', 'related-list']) $(list).replaceChildren();
  (p.actors || []).forEach((a) => addActor(a));
  (p.sources || []).forEach((s) => addSource(s));
  if (!(p.sources || []).length) addSource();
  (p.related || []).forEach((id) => addRelated(id));
  showHints();
  clearErrors();
}

// read takes the feature out of the form, as the API takes it.
export function read() {
  const coords = parseLatLon($('f-latlon').value);
  const props = {
    title: value('f-title'),
    occurred_at: joinTime($('f-time').value, value('f-offset'), $('f-time').dataset.was),
    time_precision: $('f-time-precision').value,
    event_type: value('f-event-type'),
    actors: [...$('actor-list').children].map((li) => ({
      name: li.querySelector('[data-part=name]').value.trim(),
      role: li.querySelector('[data-part=role]').value,
    })),
    site: $('f-site').value || null,
    place: value('f-place'),
    place_ar: value('f-place-ar'),
    admin1: value('f-admin1'),
    country: value('f-country').toUpperCase(),
    geo_precision: $('f-geo-precision').value,
    injured: count('f-injured'),
    killed: count('f-killed'),
    summary: value('f-summary'),
    sources: [...$('source-list').children].map((li) => {
      const get = (name) => li.querySelector(`[data-part=${name}]`);
      const s = {
        publisher: get('publisher').value.trim(),
        title: get('title').value.trim(),
        published_at: joinTime(get('published_at').value, get('published_offset').value.trim(), get('published_at').dataset.was),
        quote: get('quote').value.trim(),
      };
      const url = get('url').value.trim();
      return url ? { publisher: s.publisher, title: s.title, url, published_at: s.published_at, quote: s.quote } : s;
    }),
    related: [...$('related-list').children].map((li) => li.querySelector('[data-part=id]').dataset.id),
  };
  return {
    type: 'Feature',
    id: value('f-id'),
    // An unreadable location is sent as written, for the API to name.
    geometry: coords === undefined ? { type: 'Point', coordinates: value('f-latlon') } : coords && { type: 'Point', coordinates: coords },
    properties: props,
  };
}

// latLonProblem says what is wrong with the typed location, or ''.
export const latLonProblem = () => (parseLatLon($('f-latlon').value) === undefined
  ? 'Write the location as "lat, lon" in degrees, such as 33.786, 42.441.' : '');

// showHints shows what the chosen precisions mean.
export function showHints() {
  $('f-time-precision-hint').textContent = TIME_PRECISION[$('f-time-precision').value] || '';
  $('f-geo-precision-hint').textContent = GEO_PRECISION[$('f-geo-precision').value] || '';
}

// show writes a field's value for the diff: text as it is, the rest as
// compact JSON; a missing value as "—".
export function show(v) {
  if (v === undefined || v === null || v === '') return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

// fieldsOf is a feature's fields by name, as the desk shows them: its
// location ("lat, lon"), then its properties; a null feature has none.
export function fieldsOf(f) {
  const out = { location: f && f.geometry ? formatLatLon(f.geometry.coordinates) : null };
  for (const k of PROPS) out[k] = f ? (f.properties || {})[k] : undefined;
  return out;
}

// same reports whether two values of a field are alike (a missing one is
// null).
export const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

// diff lists the fields that differ between features a and b (either
// may be null: a new or a deleted incident), as [{field, from, to}].
export function diff(a, b) {
  const fa = fieldsOf(a);
  const fb = fieldsOf(b);
  return Object.keys(fa).filter((k) => !same(fa[k], fb[k])).map((k) => ({ field: k, from: fa[k], to: fb[k] }));
}

// rebase applies mine's changes from base on top of theirs: every field
// mine changed takes mine's value, the others theirs'.
export function rebase(base, mine, theirs) {
  const out = structuredClone(theirs);
  out.properties ||= {};
  for (const { field } of diff(base, mine)) {
    if (field === 'location') out.geometry = mine.geometry;
    else out.properties[field] = mine.properties[field];
  }
  return out;
}

// clearErrors removes every problem shown beside a field.
export function clearErrors() {
  for (const e of document.querySelectorAll('#incident-form .error')) e.remove();
  for (const c of document.querySelectorAll('#incident-form [aria-invalid]')) {
    c.removeAttribute('aria-invalid');
    c.setAttribute('aria-describedby', (c.getAttribute('aria-describedby') || '').replace(/\s*\S+-err\b/g, '').trim());
  }
  $('form-problem').textContent = '';
}

// showErrors puts each problem of the API's answer beside the field it
// names (properties.sources[0].quote: that source's quote; a field the
// form has no control for: its nearest enclosing one), the rest at the
// form's foot. It returns the first control at fault.
export function showErrors(problem) {
  clearErrors();
  const errors = problem.errors && problem.errors.length ? problem.errors : [{ param: problem.param || '', detail: problem.detail || '' }];
  let first = null;
  const rest = [];
  errors.forEach(({ param, detail }, i) => {
    let name = param;
    let target = null;
    while (name) {
      target = document.querySelector(`#incident-form [data-field="${CSS.escape(name)}"]`);
      const shorter = name.replace(/(\.[^.[\]]*|\[\d+\])$/, '');
      if (target || shorter === name) break;
      name = shorter;
    }
    if (!target) {
      rest.push(detail);
      return;
    }
    const msg = el('small', { className: 'error', id: `problem-${i}-err` }, detail);
    target.after(msg);
    const control = target.matches('input, select, textarea') ? target : target.querySelector('input, select, textarea, button');
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-describedby', ((control.getAttribute('aria-describedby') || '') + ' ' + msg.id).trim());
    }
    first ||= control || target;
  });
  $('form-problem').textContent = rest.length ? rest.join(' ') : `${errors.length} field${errors.length > 1 ? 's' : ''} to fix: see beside each.`;
  return first;
}

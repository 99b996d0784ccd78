// An incident as DOM, for the popups and the lists. Data goes in through
// textContent only; nothing from the data is parsed as HTML.

import { lastCorrection } from './data.js';
import { el } from './dom.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// formatTime writes a time in its own offset and says how well it is known.
export function formatTime(iso, precision) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.exec(iso || '');
  if (!m) return iso || 'not reported';
  const [, y, mo, d, hh, mm, zone] = m;
  const date = `${Number(d)} ${MONTHS[Number(mo) - 1]} ${y}`;
  const tz = zone === 'Z' ? 'UTC' : 'UTC' + zone;
  switch (precision) {
    case 'day': return `${date} (the day is known, not the time)`;
    case 'hour': return `${date}, ${hh}:00–${hh}:59 ${tz} (to the hour)`;
    case 'approximate': return `${date}, about ${hh}:${mm} ${tz} (approximate)`;
    default: return `${date}, ${hh}:${mm} ${tz} (exact)`;
  }
}

// shortDate is "21 Nov 2023".
export const shortDate = (iso) => formatTime(iso, 'day').replace(/ \(.*/, '');

// label turns missile_attack into "missile attack".
export const label = (id) => String(id || '').replace(/_/g, ' ');

const GEO_PRECISION = { exact: 'exact', near: 'within about 5 km', town: 'the town, within about 10 km', region: 'the region, within about 50 km' };

const reported = (n) => (n == null ? 'not reported' : String(n));

function row(dl, term, value) {
  dl.append(el('dt', null, term));
  const dd = el('dd');
  if (value instanceof Node) dd.append(value);
  else dd.textContent = value;
  dl.append(dd);
}

// place is the English place name, then the Arabic.
function place(p) {
  const span = el('span', null, [p.place, p.admin1, p.country].filter(Boolean).join(', '));
  if (p.place_ar) span.append(el('span', { className: 'ar', lang: 'ar', dir: 'rtl' }, p.place_ar));
  return span;
}

// source is the quoted sentence, then who said it and when.
function source(s) {
  const li = el('li');
  li.append(el('blockquote', 'quote', s.quote));
  const cite = el('p', 'cite');
  let title = el('cite', null, s.title);
  if (/^https?:\/\//.test(s.url || '')) {
    const a = el('a', { href: s.url, rel: 'noopener noreferrer' });
    a.append(title);
    title = a;
  }
  cite.append(`${s.publisher}, `, title, `, ${shortDate(s.published_at)}`);
  li.append(cite);
  return li;
}

// corrected says when and why the incident was last corrected, once the
// log has answered; it stays empty and hidden when it never was.
function corrected(id) {
  const p = el('p', { className: 'corrected', hidden: true });
  lastCorrection(id).then((c) => {
    if (!c) return;
    p.append(el('strong', null, `Corrected on ${shortDate(c.at)}`), `: ${c.reason}`);
    p.hidden = false;
  }, () => {});
  return p;
}

// incidentCard is the card of an incident feature.
export function incidentCard(f, headingLevel = 3) {
  const p = f.properties;
  const card = el('article', 'card');
  card.append(el('h' + headingLevel, 'card-title', p.title));
  card.append(corrected(f.id));
  const dl = el('dl');
  row(dl, 'When', formatTime(p.occurred_at, p.time_precision));
  row(dl, 'Where', place(p));
  row(dl, 'Location', f.geometry ? GEO_PRECISION[p.geo_precision] || label(p.geo_precision) : 'not known: listed, not drawn');
  row(dl, 'Type', label(p.event_type));
  row(dl, 'Injured', reported(p.injured));
  row(dl, 'Killed', reported(p.killed));
  if (p.actors && p.actors.length) row(dl, 'Actors', p.actors.map((a) => `${a.name} (${a.role})`).join('; '));
  card.append(dl);
  if (p.summary) card.append(el('p', 'summary', p.summary));
  const sources = p.sources || [];
  card.append(el('h' + (headingLevel + 1), 'sources-title', sources.length === 1 ? 'Source' : 'Sources'));
  const ol = el('ol', 'sources');
  ol.append(...sources.map(source));
  card.append(ol);
  return card;
}

// An incident as DOM, for the popups and the lists. Data goes in through
// textContent only; nothing from the data is parsed as HTML.

import { lastCorrection } from './data.js';
import { el } from './dom.js';
import { LANG, LOCALE, num, t, tOr } from './i18n.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// In Arabic, dates and times as the browser's ICU writes them (no
// network), such as "21 نوفمبر 2023". Each is of the time in its own
// offset, so the formats work in UTC on the numbers as written.
const AR = LANG !== 'en' && {
  date: new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
  clock: new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }),
};
const dayOf = (y, mo, d) => (AR ? AR.date.format(Date.UTC(y, mo - 1, d)) : `${Number(d)} ${MONTHS[Number(mo) - 1]} ${y}`);

// clock writes hh:mm for the language.
export const clock = (hh, mm) => (AR ? AR.clock.format(Date.UTC(2000, 0, 1, hh, mm)) : `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`);

const TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

// formatTime writes a time in its own offset and says how well it is known.
export function formatTime(iso, precision) {
  const m = TIME.exec(iso || '');
  if (!m) return iso || t('not_reported');
  const [, y, mo, d, hh, mm, zone] = m;
  const date = dayOf(y, mo, d);
  const utc = zone === 'Z' ? 'UTC' : 'UTC' + zone;
  // (in Arabic isolated left to right, so that "UTC+03:00" reads so)
  const tz = AR ? '\u2066' + utc + '\u2069' : utc;
  switch (precision) {
    case 'day': return t('prec_day', { date });
    case 'hour': return t('prec_hour', { date, from: clock(hh, 0), to: clock(hh, 59), tz });
    case 'approximate': return t('prec_approximate', { date, time: clock(hh, mm), tz });
    default: return t('prec_exact', { date, time: clock(hh, mm), tz });
  }
}

// shortDate is the day alone: "21 Nov 2023".
export function shortDate(iso) {
  const m = TIME.exec(iso || '');
  return m ? dayOf(m[1], m[2], m[3]) : iso || t('not_reported');
}

// label names an event type: the catalogue's word, else missile_attack
// as "missile attack".
export const label = (id) => tOr('event_' + id, String(id || '').replace(/_/g, ' '));

const GEO_PRECISION = { exact: t('geo_exact'), near: t('geo_near'), town: t('geo_town'), region: t('geo_region') };

const reported = (n) => (n == null ? t('not_reported') : num(n));

function row(dl, term, value) {
  dl.append(el('dt', null, term));
  const dd = el('dd');
  if (value instanceof Node) dd.append(value);
  else dd.textContent = value;
  dl.append(dd);
}

// place is the English place name, then the Arabic; in Arabic, the
// Arabic (place_ar), then the English.
function place(p) {
  const en = [p.place, p.admin1, p.country].filter(Boolean).join(', ');
  if (LANG === 'ar' && p.place_ar) {
    const span = el('span', { className: 'place-ar' }, p.place_ar);
    span.append(el('span', { className: 'en', lang: 'en', dir: 'ltr' }, en));
    return span;
  }
  const span = el('span', null, en);
  if (p.place_ar) span.append(el('span', { className: 'ar', lang: 'ar', dir: 'rtl' }, p.place_ar));
  return span;
}

// source is the quoted sentence, then who said it and when.
function source(s) {
  const li = el('li');
  li.append(el('blockquote', { className: 'quote', dir: 'auto' }, s.quote));
  const cite = el('p', { className: 'cite', dir: 'auto' });
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
    p.append(el('strong', null, t('corrected_on', { date: shortDate(c.at) })), `: ${c.reason}`);
    p.hidden = false;
  }, () => {});
  return p;
}

// incidentCard is the card of an incident feature.
export function incidentCard(f, headingLevel = 3) {
  const p = f.properties;
  const card = el('article', 'card');
  // Text of the data runs in its own direction (dir=auto): English
  // sentences in an Arabic card read left to right.
  card.append(el('h' + headingLevel, { className: 'card-title', dir: 'auto' }, p.title));
  card.append(corrected(f.id));
  const dl = el('dl');
  row(dl, t('when'), formatTime(p.occurred_at, p.time_precision));
  row(dl, t('where'), place(p));
  row(dl, t('location'), f.geometry ? GEO_PRECISION[p.geo_precision] || String(p.geo_precision || '').replace(/_/g, ' ') : t('not_located'));
  row(dl, t('type'), label(p.event_type));
  row(dl, t('injured'), reported(p.injured));
  row(dl, t('killed'), reported(p.killed));
  if (p.actors && p.actors.length) row(dl, t('actors'), p.actors.map((a) => `${a.name} (${tOr('role_' + a.role, a.role)})`).join('; '));
  card.append(dl);
  if (p.summary) card.append(el('p', { className: 'summary', dir: 'auto' }, p.summary));
  const sources = p.sources || [];
  card.append(el('h' + (headingLevel + 1), 'sources-title', sources.length === 1 ? t('source') : t('sources')));
  const ol = el('ol', 'sources');
  ol.append(...sources.map(source));
  card.append(ol);
  return card;
}

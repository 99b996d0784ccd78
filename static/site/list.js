// Lists of incidents beside the map, a page at a time: the map is not
// the only way to the data.

import { incidentCard, shortDate } from './card.js';
import { $, el } from './dom.js';
import { t } from './i18n.js';

function entry(f, meta, show) {
  const li = el('li');
  li.dataset.id = f.id;
  const det = li.appendChild(el('details'));
  det.append(el('summary'));
  det.firstChild.append(el('span', { className: 'title', dir: 'auto' }, f.properties.title), el('span', 'meta', meta || shortDate(f.properties.occurred_at)));
  det.addEventListener('toggle', () => {
    if (!det.open || det.childElementCount > 1) return;
    const card = incidentCard(f);
    card.querySelector('.card-title').remove(); // the summary already says it
    det.append(card);
    if (f.geometry) det.append(el('button', { className: 'show', type: 'button', onclick: () => show(f) }, t('show_on_map')));
  });
  return li;
}

// fillList lists in ol the page fc (a FeatureCollection of items) that
// starts at offset, after those before it; meta(f) is the text beside a
// title (else the date), show(f) shows f on the map, and more(offset)
// fetches a later page, asked for by a "Show more" button. A list filled
// anew forgets the pages still on their way to it.
export function fillList(ol, fc, show, meta, more, offset = 0) {
  const gen = offset ? ol.gen : (ol.gen = (ol.gen || 0) + 1);
  if (!offset) ol.replaceChildren();
  ol.querySelector(':scope > .more')?.remove();
  ol.append(...fc.features.map((f) => entry(f, meta && meta(f), show)));
  const shown = offset + fc.features.length;
  const left = fc.numberMatched - shown;
  if (left <= 0 || !more || !fc.features.length) return;
  const next = () => more(shown).then((page) => ol.gen === gen && fillList(ol, page, show, meta, more, shown));
  ol.append(el('li', 'more'));
  ol.lastChild.append(el('button', { type: 'button', onclick: next }, t('show_more', { n: left })));
}

// showIncidents lists the first pages of the incidents in view and of
// those without a location; more(located, offset) fetches later pages.
export function showIncidents([inView, unlocated], timed, show, more) {
  fillList($('incident-list'), inView, show, null, (o) => more(true, o));
  fillList($('unlocated-list'), unlocated, show, null, (o) => more(false, o));
  $('list-count').textContent = t('list_count', { a: inView.numberMatched, b: unlocated.numberMatched, when: timed ? t('in_time') : '' });
}

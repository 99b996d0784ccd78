// Lists of incidents beside the map: the map is not the only way to the data.

import { incidentCard, shortDate } from './card.js';
import { isIncident } from './data.js';
import { $, el } from './dom.js';

const LIST_MAX = 200;

function entry(f, meta, show) {
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
    if (f.geometry) det.append(el('button', { className: 'show', type: 'button', onclick: () => show(f) }, 'Show on the map'));
  });
  return li;
}

// fillList lists fs in ol; meta(f) is the text beside a title (else the
// date); show(f) shows f on the map.
export function fillList(ol, fs, show, meta) {
  ol.replaceChildren(...fs.slice(0, LIST_MAX).map((f) => entry(f, meta && meta(f), show)));
  if (fs.length > LIST_MAX) ol.append(el('li', 'more', `and ${fs.length - LIST_MAX} more: see the CSV`));
}

// showIncidents lists the incidents of fc, located and not.
export function showIncidents(fc, timed, show) {
  const fs = fc.features.filter(isIncident);
  const located = fs.filter((f) => f.geometry);
  const unlocated = fs.filter((f) => !f.geometry);
  fillList($('incident-list'), located, show);
  fillList($('unlocated-list'), unlocated, show);
  $('list-count').textContent = `${located.length} on the map, ${unlocated.length} without a location${timed ? ', in the chosen time' : ''}.`;
}

// The layer control: a checkbox per overlay of /api/layers.

import { $, el } from './dom.js';
import { LANG, t, tOr } from './i18n.js';

// createLayers owns the ids of the overlays shown.
export function createLayers(ids, changed) {
  const s = { ids };
  return {
    get ids() { return s.ids; },
    // setup makes the boxes of list (/api/layers); a site's overlay is
    // named, in Arabic, by arNames[id], the site's name_ar.
    setup(list, arNames = {}) {
      const ar = (l) => LANG === 'ar' && arNames[l.id];
      const title = (l) => tOr('layer_' + l.id, ar(l) || l.title);
      const hint = (l) => tOr('layer_' + l.id + '_desc', ar(l) ? t('layer_site_desc', { name: ar(l) }) : l.description);
      const boxes = list.map((l, i) => {
        const input = el('input', { type: 'checkbox', id: 'layer-' + i, value: l.id, checked: s.ids.includes(l.id) });
        input.setAttribute('aria-describedby', 'hint-' + i);
        const div = el('div', 'check');
        div.append(input, el('label', { htmlFor: input.id }, title(l)), el('span', { className: 'hint', id: 'hint-' + i }, hint(l)));
        $('layers').append(div);
        return input;
      });
      $('layers').addEventListener('change', () => {
        s.ids = boxes.filter((b) => b.checked).map((b) => b.value);
        changed();
      });
    },
  };
}

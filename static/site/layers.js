// The layer control: a checkbox per overlay of /api/layers.

import { $, el } from './dom.js';

// createLayers owns the ids of the overlays shown.
export function createLayers(ids, changed) {
  const s = { ids };
  return {
    get ids() { return s.ids; },
    setup(list) {
      const boxes = list.map((l, i) => {
        const input = el('input', { type: 'checkbox', id: 'layer-' + i, value: l.id, checked: s.ids.includes(l.id) });
        input.setAttribute('aria-describedby', 'hint-' + i);
        const div = el('div', 'check');
        div.append(input, el('label', { htmlFor: input.id }, l.title), el('span', { className: 'hint', id: 'hint-' + i }, l.description));
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

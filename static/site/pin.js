// A pinned page or embed (/r/N/…: what the embed code and oEmbed give)
// shows the data as published, at revision N. When the data has changed
// since, it says so, with links to the same view of the latest data and
// to the corrections log. The latest revision is the X-Revision of a
// HEAD of /api, unpinned, which every server on a store sends, cached a
// minute: the pinned page and its data, which never change, never hold
// it.

import { ROOT } from './data.js';
import { $, el } from './dom.js';
import { t } from './i18n.js';

// createPinNotice owns the notice of a page pinned to pin ("/r/N"; ''
// for none, which needs none); in an embed its links open a new tab.
export function createPinNotice(pin, embed) {
  // Until the map says its view, the view the page was opened on.
  const s = { qs: location.search.slice(1), link: null };
  const current = () => ROOT + '/' + (s.qs ? '?' + s.qs : '');
  const open = embed ? { target: '_blank', rel: 'noopener' } : {};
  return {
    // setView keeps the link to the latest data on the view shown, a
    // query string.
    setView(qs) {
      s.qs = qs;
      if (s.link) s.link.href = current();
    },
    // check shows the notice when a revision newer than the pin exists.
    async check() {
      if (!pin) return;
      const rev = Number(pin.slice(3));
      const r = await fetch(ROOT + '/api', { method: 'HEAD' }).catch(() => null);
      if (!r || !r.ok || !(Number(r.headers.get('X-Revision')) > rev)) return;
      s.link = el('a', { href: current(), ...open }, t('pin_see_now'));
      const box = $('pin-notice');
      box.replaceChildren(el('strong', null, t('pin_updated')),
        t('pin_published', { rev }), s.link, ' · ',
        el('a', { href: ROOT + '/changes', ...open }, t('pin_changes')));
      box.hidden = false;
    },
  };
}

// The web map at / and /embed: main() makes its parts, each owning its
// state, and wires them. No build step; L is vendor/leaflet.js. Data
// reaches the DOM only as text (dom.js), never as HTML. Nothing asks for
// every incident: layers come for the view, lists a page at a time, the
// timeline, legend and place names from the summary.

import { api, fetchJSON, getJSON, inViewURL, layerURL, nearURL, PIN, ROOT, unlocatedURL } from './data.js';
import { $ } from './dom.js';
import { LANG, t } from './i18n.js';
import { createLayers } from './layers.js';
import { showIncidents } from './list.js';
import { createMap } from './map.js';
import { createNear } from './near.js';
import { setSiteNames } from './overlays.js';
import { createPinNotice } from './pin.js';
import { createRenderer } from './render.js';
import { createTimeline } from './timeline.js';
import { initialView, writeURL } from './view.js';

// What /api/static.png draws when no layers are given.
const DEFAULT_LAYERS = ['incidents'];
// Areas under rings, lines above both.
const DRAW_RANK = { uncertainty: 0, rings: 1, links: 3, incidents: 4 };

function main() {
  const body = document.body;
  const embed = body.classList.contains('embed');
  const setStatus = (msg) => { $('status').textContent = msg; };
  const v = initialView();
  const onCluster = (f, latlng) => map.zoomInto(f, latlng, (bbox) => getJSON(inViewURL(bbox, timeline.datetime)));
  const map = createMap(body, v, onCluster);
  const update = () => { render.now(); syncURL(); };
  const later = () => render.soon(update);
  const layers = createLayers(v.layers || DEFAULT_LAYERS, later);
  const timeline = createTimeline(v.datetime || '', later);
  const near = createNear(v.near || null, map, update, setStatus);
  const notice = createPinNotice(PIN, embed);
  const syncURL = () => notice.setView(writeURL({ layers: layers.ids, datetime: timeline.datetime, near: near.value, lang: v.lang, ...map.view() }, PIN));
  map.onMove(later);

  // The legend, layer control, timeline and place names, once.
  let setup;
  const loadSetup = () => Promise.all([
    getJSON(api('/api/collections/incidents/summary')),
    !embed && getJSON(api('/api/layers')),
    (!embed || LANG === 'ar') && getJSON(api('/api/collections/sites/items?limit=1000')),
  ]).then(([summary, list, sites]) => {
    map.addLegend(summary.event_types.map((t) => t.event_type).sort(), !embed && innerWidth > 760);
    const namesAr = sites && Object.fromEntries(sites.features.map((f) => [f.id, f.properties.name_ar]));
    setSiteNames(namesAr);
    if (embed) return;
    near.setPlaces([...sites.features.flatMap((f) => {
      const [lon, lat] = f.geometry.coordinates;
      return [f.properties.name, f.properties.name_ar].map((name) => ({ name, lon, lat }));
    }), ...summary.places]);
    layers.setup(list.layers, namesAr);
    timeline.setup(summary.time);
  });

  // First what the map draws, then the lists; req is what a render asked
  // for, as later pages of its lists do.
  let req;
  const render = createRenderer(body, setStatus, [
    [() => {
      req = { dt: timeline.datetime, cells: map.cells(), near: near.value };
      const ids = [...layers.ids].sort((a, b) => (DRAW_RANK[a] ?? 2) - (DRAW_RANK[b] ?? 2));
      return Promise.all(ids.map((id) => getJSON(layerURL(id, req.cells, req.dt))));
    }, (overlays) => {
      map.draw(overlays);
      map.drawRadius(near.value);
      map.addBasemap();
    }],
    [() => {
      const r = req;
      setup ||= loadSetup();
      return Promise.all([
        r,
        setup,
        !embed && r.near && getJSON(nearURL(r.near, r.dt)),
        !embed && getJSON(inViewURL(r.cells.bbox, r.dt)),
        !embed && getJSON(unlocatedURL(r.dt)),
      ]);
    }, ([{ dt, cells, near: n }, , found, ...incidents]) => {
      if (embed) return;
      near.show(found, Boolean(dt), (o) => getJSON(nearURL(n, dt, o)));
      showIncidents(incidents, Boolean(dt), map.show, (located, o) => getJSON(located ? inViewURL(cells.bbox, dt, o) : unlocatedURL(dt, o)));
    }],
  ]);
  syncURL();
  render.now().finally(map.addBasemap);
  notice.check();

  if (!embed) {
    near.setup();
    embedDialog(syncURL, setStatus);
  }
}

// embedDialog shows the oEmbed answer for this very view, asked anew
// each time: it pins the latest revision (or the one shown, if pinned),
// in the page's language (which the address may not say, when it came
// from Accept-Language).
function embedDialog(syncURL, setStatus) {
  const dialog = $('embed-dialog');
  $('embed-open').addEventListener('click', async () => {
    syncURL();
    const url = ROOT + '/oembed?url=' + encodeURIComponent(location.href) + '&lang=' + LANG;
    try {
      const o = await fetchJSON(url);
      $('embed-code').value = o.html;
      $('embed-oembed').href = url;
      dialog.showModal();
      $('embed-code').select();
    } catch (err) {
      setStatus(t('no_embed', { err: err.message }));
    }
  });
  $('embed-close').addEventListener('click', () => dialog.close());
}

main();

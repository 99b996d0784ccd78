// The web map at / and /embed: main() makes its parts, each owning its
// state, and wires them. No build step; L is vendor/leaflet.js. Data
// reaches the DOM only as text (dom.js), never as HTML.

import { createFetcher, isIncident, layerURL, nearURL } from './data.js';
import { $ } from './dom.js';
import { createLayers } from './layers.js';
import { showIncidents } from './list.js';
import { createMap } from './map.js';
import { createNear } from './near.js';
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
  const getJSON = createFetcher();
  const v = initialView();
  const map = createMap(body, v);
  const update = () => { render.now(); syncURL(); };
  const later = () => render.soon(update);
  const layers = createLayers(v.layers || DEFAULT_LAYERS, later);
  const timeline = createTimeline(v.datetime || '', later);
  const near = createNear(v.near || null, map, update, setStatus);
  const syncURL = () => writeURL({ layers: layers.ids, datetime: timeline.datetime, near: near.value, ...map.view() });
  map.onMove(syncURL);

  const setup = Promise.all([
    getJSON('/api/layers'),
    getJSON('/api/layers/incidents'),
    getJSON('/api/collections/sites/items?limit=1000'),
  ]).then(([list, fc, sites]) => {
    const incidents = fc.features.filter(isIncident);
    map.addLegend([...new Set(incidents.map((f) => f.properties.event_type))].sort(), !embed && innerWidth > 760);
    if (embed) return;
    near.setPlaces([...sites.features, ...incidents]);
    layers.setup(list.layers);
    timeline.setup(incidents);
  });

  const render = createRenderer(body, setStatus, () => {
    const dt = timeline.datetime;
    const ids = [...layers.ids].sort((a, b) => (DRAW_RANK[a] ?? 2) - (DRAW_RANK[b] ?? 2));
    return Promise.all([
      setup,
      getJSON(layerURL('incidents', dt)),
      near.value && getJSON(nearURL(near.value, dt)),
      ...ids.map((id) => getJSON(layerURL(id, dt))),
    ]);
  }, ([, incidents, found, ...overlays]) => {
    map.draw(overlays);
    map.drawRadius(near.value);
    if (embed) return;
    showIncidents(incidents, Boolean(timeline.datetime), map.show);
    near.show(found, Boolean(timeline.datetime));
  });

  if (!embed) {
    near.setup();
    embedDialog(getJSON, syncURL, setStatus);
  }
  syncURL();
  render.now();
}

// embedDialog shows the oEmbed answer for this very view.
function embedDialog(getJSON, syncURL, setStatus) {
  const dialog = $('embed-dialog');
  $('embed-open').addEventListener('click', async () => {
    syncURL();
    const url = '/oembed?url=' + encodeURIComponent(location.href);
    try {
      const o = await getJSON(url);
      $('embed-code').value = o.html;
      $('embed-oembed').href = url;
      dialog.showModal();
      $('embed-code').select();
    } catch (err) {
      setStatus('No embed code: ' + err.message);
    }
  });
  $('embed-close').addEventListener('click', () => dialog.close());
}

main();

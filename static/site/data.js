// The API's data and the URLs of what the page draws: a layer for the
// cells of a view at its zoom, clustered as the tiles are; lists a page
// at a time.

// PIN is the path prefix of the revision the page is pinned to ("/r/N",
// from the server's data-pin), '' when it shows the latest: every read
// of the data goes under it, so a pinned page or embed shows revision N
// everywhere. LOGGED says the server keeps a corrections log (a store).
export const PIN = document.body.dataset.pin || '';
// ROOT is the path the service is served under behind a proxy ("/maps",
// the path of its -public-url), '' at the root of its host: every path
// the page asks for starts with it.
export const ROOT = document.body.dataset.root || '';
const LOGGED = Boolean(document.body.dataset.revision);

// fetchJSON fetches url's JSON; a problem+json becomes an Error.
export async function fetchJSON(url) {
  const r = await fetch(url);
  const data = await r.json().catch(() => null);
  if (!r.ok) throw new Error((data && data.detail) || `${url}: HTTP ${r.status}`);
  return data;
}

// createFetcher returns getJSON(url): fetchJSON, once per URL.
export function createFetcher() {
  const cache = new Map();
  return (url) => {
    if (!cache.has(url)) {
      if (cache.size > 300) cache.clear();
      const p = fetchJSON(url);
      p.catch(() => cache.delete(url));
      cache.set(url, p);
    }
    return cache.get(url);
  };
}

// getJSON is the page's: every part asks through it.
export const getJSON = createFetcher();

// api is the URL of an API path at the revision shown.
export const api = (path) => ROOT + PIN + path;

// PAGE is how many incidents a list shows at a time.
export const PAGE = 50;
const ITEMS = api('/api/collections/incidents/items');
const query = (params, datetime) => '?' + new URLSearchParams(datetime ? { ...params, datetime } : params);
// view is {bbox: [w, s, e, n], zoom}.
export const layerURL = (id, view, datetime) => api('/api/layers/') + encodeURIComponent(id) + query({ bbox: view.bbox.join(','), zoom: view.zoom }, datetime);
export const nearURL = (n, datetime, offset = 0) => ITEMS + query({ lat: n.lat, lon: n.lon, radius: n.radius, limit: PAGE, offset }, datetime);
export const inViewURL = (bbox, datetime, offset = 0) => ITEMS + query({ bbox: bbox.join(','), limit: PAGE, offset }, datetime);
export const unlocatedURL = (datetime, offset = 0) => ITEMS + query({ located: false, limit: PAGE, offset }, datetime);
export const isIncident = (f) => 'event_type' in (f.properties || {});
export const isCluster = (f) => (f.properties || {}).kind === 'cluster';

// lastCorrection is the newest correction of incident id at the revision
// shown, {at, reason}, or null: its newest change in the corrections log
// (/api/changes?incident=), unless that made it. Null without a log.
export const lastCorrection = (id) => (!LOGGED ? Promise.resolve(null)
  : getJSON(api('/api/changes?') + new URLSearchParams({ incident: id, limit: 1 })).then(({ changes: [e] }) =>
    (e && e.incidents.some((c) => c.op === 'update') ? { at: e.at, reason: e.reason } : null)));

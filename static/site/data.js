// The API's data and the URLs of what the page draws: a layer for the
// cells of a view at its zoom, clustered as the tiles are; lists a page
// at a time.

// createFetcher returns getJSON(url): JSON fetched once per URL; a
// problem+json becomes an Error.
export function createFetcher() {
  const cache = new Map();
  return (url) => {
    if (!cache.has(url)) {
      if (cache.size > 300) cache.clear();
      const p = fetch(url).then(async (r) => {
        const data = await r.json().catch(() => null);
        if (!r.ok) throw new Error((data && data.detail) || `${url}: HTTP ${r.status}`);
        return data;
      });
      p.catch(() => cache.delete(url));
      cache.set(url, p);
    }
    return cache.get(url);
  };
}

// PAGE is how many incidents a list shows at a time.
export const PAGE = 50;
const ITEMS = '/api/collections/incidents/items';
const query = (params, datetime) => '?' + new URLSearchParams(datetime ? { ...params, datetime } : params);
// view is {bbox: [w, s, e, n], zoom}.
export const layerURL = (id, view, datetime) => '/api/layers/' + encodeURIComponent(id) + query({ bbox: view.bbox.join(','), zoom: view.zoom }, datetime);
export const nearURL = (n, datetime, offset = 0) => ITEMS + query({ lat: n.lat, lon: n.lon, radius: n.radius, limit: PAGE, offset }, datetime);
export const inViewURL = (bbox, datetime, offset = 0) => ITEMS + query({ bbox: bbox.join(','), limit: PAGE, offset }, datetime);
export const unlocatedURL = (datetime, offset = 0) => ITEMS + query({ located: false, limit: PAGE, offset }, datetime);
export const isIncident = (f) => 'event_type' in (f.properties || {});
export const isCluster = (f) => (f.properties || {}).kind === 'cluster';

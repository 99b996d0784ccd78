// The API's data and the URLs of what the page draws.

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

const query = (params, datetime) => '?' + new URLSearchParams(datetime ? { ...params, datetime } : params);
export const layerURL = (id, datetime) => '/api/layers/' + encodeURIComponent(id) + query({}, datetime);
export const nearURL = (n, datetime) => '/api/collections/incidents/items' + query({ lat: n.lat, lon: n.lon, radius: n.radius, limit: 500 }, datetime);
export const isIncident = (f) => 'event_type' in (f.properties || {});

// The clustering grid of tiles/cluster.go: at zoom z, cells of 64 px,
// each a tile at z+2. The page asks for whole cells (the same cells, the
// same URL); a cluster's id, "cluster-z-x-y", names its cell.

const MAX_LAT = 85.0511287798066;
const MAX_CELLS = 64; // 4096 px; with a cell touched at each end, the server's 66
const lonOf = (x, n) => (x / n) * 360 - 180;
const latOf = (y, n) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
const xOf = (lon, n) => ((lon + 180) / 360) * n;
const yOf = (lat, n) => {
  const s = Math.sin((Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180);
  return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n;
};
const bound = (x0, y0, x1, y1, n) => [lonOf(x0, n), latOf(y1, n), lonOf(x1, n), latOf(y0, n)];

// viewCells is the bbox [w, s, e, n] of the cells at zoom z under the
// view [w, s, e, n], a hair inside them, at most MAX_CELLS a side.
export function viewCells([w, s, e, nn], z) {
  const n = 4 * 2 ** z;
  const span = (a, b) => {
    const lo = Math.max(0, Math.floor(Math.max(a, (a + b) / 2 - MAX_CELLS / 2)));
    return [lo, Math.min(n, Math.ceil(Math.min(b, lo + MAX_CELLS)))];
  };
  const [x0, x1] = span(xOf(Math.max(-180, w), n), xOf(Math.min(180, e), n));
  const [y0, y1] = span(yOf(nn, n), yOf(s, n));
  const hair = 1e-3;
  return bound(x0 + hair, y0 + hair, x1 - hair, y1 - hair, n).map((v) => Number(v.toFixed(7)));
}

// cellBounds is the bbox [w, s, e, n] of cluster id's cell.
export function cellBounds(id) {
  const [z, x, y] = id.split('-').slice(1).map(Number);
  return bound(x, y, x + 1, y + 1, 4 * 2 ** z);
}

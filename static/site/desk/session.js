// The editor's session: the token, kept in this tab's sessionStorage
// (never a cookie, never a URL), and the API calls made with it. Every
// answer that is not 2xx becomes an ApiError carrying the problem+json.

import { ROOT } from '../data.js';

const KEY = 'incidentmap.token';

export const token = () => sessionStorage.getItem(KEY);
export const keepToken = (t) => sessionStorage.setItem(KEY, t);
export const forgetToken = () => sessionStorage.removeItem(KEY);

// ApiError is a failed call: status, and the problem the API answered
// (detail, param, errors, import...), or {} when it sent none.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// call sends a request to the API with the token, its path from ROOT: body as JSON unless
// it is a Blob or File; headers such as If-Match and Change-Reason.
// It answers {status, etag, data}, data the JSON body or null.
export async function call(method, path, { body, headers = {} } = {}) {
  const h = { ...headers };
  const t = token();
  if (t) h.Authorization = 'Bearer ' + t;
  let payload = body;
  if (body !== undefined && !(body instanceof Blob)) {
    payload = JSON.stringify(body);
    h['Content-Type'] = 'application/geo+json';
  }
  const r = await fetch(ROOT + path, { method, headers: h, body: payload, cache: 'no-store' });
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) throw new ApiError(r.status, data || {});
  return { status: r.status, etag: r.headers.get('ETag'), revision: r.headers.get('X-Revision'), data };
}

// JSON API client: one place that adds the CSRF header, parses the error shape
// {code, message, fields} and reacts to a lost session or a forced password change.

import { t, has } from './i18n.js';

/**
 * serverMessage is what the user reads for an error answer: the server's own
 * text, which it writes in the user's language (the most specific), else the
 * catalog's text for the error code, else a generic line with the status.
 */
function serverMessage(status, body, retryAfter) {
  if (body.message) return body.message;
  const key = `error.${body.code}`;
  if (body.code && has(key)) return t(key, { seconds: retryAfter || '?' });
  return t('error.request_failed', { status });
}

/** ApiError carries the server's error body next to the HTTP status. */
export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(serverMessage(status, body, retryAfter));
    this.status = status;
    this.code = body.code || 'internal';
    this.fields = body.fields || {};
  }
}

let csrfToken = '';
let handlers = { unauthorized() {}, passwordRequired() {} };

/** setCsrfToken stores the token from the session object for mutating calls. */
export function setCsrfToken(token) {
  csrfToken = token || '';
}

/**
 * setAuthHandlers wires the app's reactions to 401 (session gone, e.g. idle
 * timeout: the login page, then back) and 403 password_change_required (the
 * password page). They run before the error is thrown and leave the page, so
 * pages need not check these errors: the page's late answers are dropped.
 */
export function setAuthHandlers(fns) {
  handlers = { ...handlers, ...fns };
}

/**
 * request calls /api + path. opts.body is sent as JSON. opts.authHandled=false
 * skips the global 401 reaction (login and the initial session probe expect 401).
 * Resolves to the parsed JSON, or null for 204; rejects with ApiError.
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET' && method !== 'HEAD') {
    // The API contract wants JSON + CSRF on every write, body-less DELETEs included.
    headers['Content-Type'] = 'application/json';
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  }
  if (opts.body !== undefined) init.body = JSON.stringify(opts.body);

  let res;
  try {
    res = await fetch(`/api${path}`, init);
  } catch {
    throw new ApiError(0, { code: 'network', message: t('error.network') });
  }
  if (res.status === 204) return null;

  const body = await res.json().catch(() => ({}));
  if (res.ok) return body;

  const err = new ApiError(res.status, body, Number(res.headers.get('Retry-After')) || 0);
  if (opts.authHandled !== false) {
    if (err.status === 401) handlers.unauthorized(err);
    if (err.code === 'password_change_required') handlers.passwordRequired(err);
  }
  throw err;
}

export const api = {
  get: (path, opts) => request('GET', path, opts),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
};

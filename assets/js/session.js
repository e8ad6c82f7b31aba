// The logged-in session ({user, csrf_token, must_change_password, version})
// kept in memory only; the HttpOnly cookie is the real credential.

import { api, setCsrfToken } from './api.js';

let current = null;
let flash = '';

/** get returns the session object, or null when logged out. */
export function get() {
  return current;
}

/** set replaces the session and the CSRF token that goes with it. */
export function set(session) {
  current = session || null;
  setCsrfToken(current ? current.csrf_token : '');
}

/** load asks the server who we are; a 401 simply means "logged out". */
export async function load() {
  try {
    set(await api.get('/session', { authHandled: false }));
  } catch (err) {
    if (err.status !== 401) throw err;
    set(null);
  }
  return current;
}

/**
 * landing is the first page after login, for every role: the overview, which
 * says at a glance what happened, from where, and whether the sensors are up.
 */
export function landing() {
  return 'overview';
}

/** setFlash leaves a one-time note for the next page (e.g. "session expired"). */
export function setFlash(text) {
  flash = text;
}

/** takeFlash returns the note once and clears it. */
export function takeFlash() {
  const text = flash;
  flash = '';
  return text;
}

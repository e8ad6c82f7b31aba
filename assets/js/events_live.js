// Live event updates while logged in: one cheap poll of
// /api/events/updates every few seconds feeds the sidebar badge (number of
// New events) and tells the events page when newer events exist.
// Polling (not a push channel) keeps the server stateless and survives
// proxies; the answer is two integers.

import { h, replace } from './dom.js';
import { api } from './api.js';
import { t } from './i18n.js';

const POLL_MS = 5000;
const BADGE_ID = 'nav-events-badge';

let timer = 0;
let inFlight = false;
let lastId = null; // highest live event id seen; null until the first answer
let newCount = 0;
const listeners = new Set();

/** startLive begins polling (idempotent: the shell calls it on every render). */
export function startLive() {
  if (timer) return;
  timer = setInterval(poll, POLL_MS);
  poll();
}

/** stopLive ends polling and forgets the state (logout, session end). */
export function stopLive() {
  clearInterval(timer);
  timer = 0;
  lastId = null;
  newCount = 0;
}

/** pollNow refreshes at once, e.g. after events were edited, so the badge is current. */
export function pollNow() {
  if (timer) poll();
}

/**
 * onNewEvents registers fn({last_id, new_count}) for when the highest live
 * event id grows. Returns the function that unregisters it.
 */
export function onNewEvents(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** eventsBadge is the sidebar counter; the sidebar is rebuilt per page, so it starts from the last count. */
export function eventsBadge() {
  const el = h('span', { id: BADGE_ID, class: 'nav-badge', 'aria-label': t('live.badge') });
  paint(el);
  return el;
}

async function poll() {
  if (inFlight) return; // a slow server must not pile up requests
  inFlight = true;
  let res;
  try {
    res = await api.get(`/events/updates?since=${lastId ?? 0}`);
  } catch {
    // A 401 is handled by the api module (back to login); other failures are
    // retried on the next tick rather than shown on every page.
    return;
  } finally {
    inFlight = false;
  }
  if (!timer) return; // logged out while the request ran

  newCount = Number(res.new_count) || 0;
  const badge = document.getElementById(BADGE_ID);
  if (badge) paint(badge);

  const id = Number(res.last_id) || 0;
  const grew = lastId !== null && id > lastId;
  // Removing events can lower last_id; follow it so the next new event counts.
  lastId = id;
  if (grew) for (const fn of [...listeners]) fn(res);
}

function paint(el) {
  el.hidden = newCount === 0;
  replace(el, newCount > 9999 ? '9999+' : String(newCount));
  el.title = t('count.new_events', { count: newCount });
}

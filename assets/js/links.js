// Hash links with a query (#/events?source=…&from=…) and reading or
// replacing the current one. The overview and the attackers pages link every
// figure to the event list this way, and pages keep their view in the hash so
// a reload or a shared link shows the same thing.

/** href builds "#/path?query" from an object; empty, null and undefined values are left out. */
export function href(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === '' || v === null || v === undefined) continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return `#/${path}${s ? `?${s}` : ''}`;
}

/** hashQuery is the query part of the current hash. */
export function hashQuery() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : location.hash.slice(i + 1));
}

/**
 * replaceHash writes the page's view into the address bar without a new
 * history entry and without a hashchange (which would re-render the page).
 */
export function replaceHash(path, params) {
  const url = href(path, params);
  if (location.hash !== url) history.replaceState(history.state, '', url);
}

/** eventsHref links to the event list with the given filters (the keys of GET /api/events). */
export function eventsHref(params) {
  return href('events', params);
}

/** attackerHref links to one attacker's page; IPv6 colons are escaped so the path stays one segment. */
export function attackerHref(address, params) {
  return href(`attackers/${encodeURIComponent(address)}`, params);
}

/**
 * spanParams are the from/to keys of the event list for [from, to): the list's
 * "to" includes its bound, so the end is moved back by one millisecond.
 */
export function spanParams(from, to) {
  return {
    from: from ? new Date(from).toISOString() : '',
    to: to ? new Date(new Date(to).getTime() - 1).toISOString() : '',
  };
}

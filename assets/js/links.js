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
 * writeHash puts the page's view into the address bar without a hashchange
 * (which would re-render the page). A change the user made is pushed as a new
 * history entry, so Back returns to the view before it; the page's own
 * normalisation of the address replaces the current entry. memo is kept with
 * the entry (history.state) for what does not fit the address, such as the
 * cursors of the pages before the one shown.
 */
export function writeHash(path, params, { push = false, memo } = {}) {
  const url = href(path, params);
  const state = memo === undefined ? history.state : memo;
  if (push && location.hash !== url) history.pushState(state, '', url);
  else history.replaceState(state, '', url);
}

/** replaceHash writes the view into the current history entry (normalisation). */
export function replaceHash(path, params) {
  writeHash(path, params);
}

/** pushHash writes a view the user chose as a new history entry. */
export function pushHash(path, params) {
  writeHash(path, params, { push: true });
}

/**
 * pagingParams are the hash keys of a keyset-paged list: the page number and
 * the cursor that opens it (nothing on the first page).
 */
export function pagingParams(cursors) {
  const n = cursors.length;
  return n > 1 ? { page: n, cursor: cursors[n - 1] } : {};
}

/**
 * pagingFromHash rebuilds the cursor stack from the hash keys page and cursor.
 * The cursors of the pages before come from the history entry (memo) when it
 * has them; a shared link has only its own cursor, so the unknown ones are ''
 * and "Previous" from there starts over at the first page.
 */
export function pagingFromHash(query, memo) {
  const n = Number(query.get('page'));
  const cursor = query.get('cursor') || '';
  if (!Number.isInteger(n) || n < 2 || n > 100000 || !/^[A-Za-z0-9_=-]{1,2000}$/.test(cursor)) return [null];
  if (Array.isArray(memo) && memo.length === n && memo[n - 1] === cursor) return memo;
  return [null, ...new Array(n - 2).fill(''), cursor];
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

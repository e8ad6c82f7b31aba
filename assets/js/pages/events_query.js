// The events page's view state (filters, sort, paging, selection) and the
// three shapes the API wants it in: list query string, bulk "filter" body and
// CSV export URL. Keeping the translation in one place means the list, the
// "All pages" actions and the export always agree on what "matching" means.

import { localInput, fromLocalInput } from '../format.js';
import { pagingParams, pagingFromHash } from '../links.js';
import { t } from '../i18n.js';

/** Status filter choices; '' (no status key) means every status. */
export const STATUS_FILTERS = [
  ['0,1', 'filter.status_open'],
  ['2,3', 'filter.status_closed'],
  ['0', 'status.new'],
  ['1', 'status.in_progress'],
  ['2', 'status.resolved'],
  ['3', 'status.ignored'],
  ['', 'filter.all'],
];
export const DEFAULT_STATUS = '0,1';

/** Classification filter choices in the manual's order; '' = all. */
export const CLASS_FILTERS = [
  ['', 'filter.all'],
  ['2', 'classification.connection'],
  ['4', 'classification.scan'],
  ['3', 'classification.honeypot'],
  ['1', 'classification.icmp'],
  ['0', 'classification.unknown'],
];

export const PAGE_SIZES = [25, 50, 100];
const DEFAULT_LIMIT = 50;

/**
 * Filters without a control of their own: they arrive with links from the
 * overview and the attackers pages and show as removable chips. Only one of
 * username, password, command and path may be set at a time (the API's rule).
 */
export const CHIP_FILTERS = [
  ['source', 'filter.chip_source'],
  ['service', 'filter.chip_service'],
  ['target_port', 'filter.chip_target_port'],
  ['username', 'filter.chip_username'],
  ['password', 'filter.chip_password'],
  ['command', 'filter.chip_command'],
  ['path', 'filter.chip_path'],
];
const FACT_KEYS = ['username', 'password', 'command', 'path'];
const SORT_KEYS = ['id', 'timestamp', 'group', 'sensor', 'classification', 'source', 'target_port', 'summary', 'status'];

/** newState is the page's starting point: live events, open ones, newest first. */
export function newState(canEdit) {
  return {
    canEdit,
    filters: {
      dataset: 'live', status: DEFAULT_STATUS, classification: '',
      group: '', sensor: '', from: '', to: '', q: '',
      ...Object.fromEntries(CHIP_FILTERS.map(([k]) => [k, ''])),
    },
    sort: 'timestamp',
    order: 'desc',
    limit: DEFAULT_LIMIT,
    // Keyset paging has no offsets: cursors[i] opens page i (null = first
    // page), so "Previous" is a pop and the page number is the stack depth.
    cursors: [null],
    page: { items: [], total: 0, next_cursor: null },
    selected: new Set(),
  };
}

/**
 * applyLinkQuery starts the page with the view in the link that opened it,
 * e.g. #/events?sensor=4&status=0 from the Sensors page or
 * #/events?source=192.0.2.7&status=all&from=…&to=… from the overview. Keys:
 * dataset, group, sensor, classification, status ("all" = every status),
 * from, to (RFC 3339), q, the chip filters, sort, order, limit, page and
 * cursor. Values that do not fit are ignored; the server checks the rest (and
 * says so in the error line). memo is the history entry's cursor stack.
 */
export function applyLinkQuery(state, hash, memo) {
  const i = hash.indexOf('?');
  if (i < 0) return;
  const q = new URLSearchParams(hash.slice(i + 1));
  const f = state.filters;
  const id = (v) => (/^[1-9][0-9]{0,17}$/.test(v || '') ? v : null);
  if (q.get('dataset') === 'archive') {
    f.dataset = 'archive';
    f.status = '';
  }
  if (id(q.get('group'))) f.group = q.get('group');
  if (id(q.get('sensor'))) f.sensor = q.get('sensor');
  const status = q.get('status') === 'all' ? '' : q.get('status');
  if (q.has('status') && STATUS_FILTERS.some(([v]) => v === status)) f.status = status;
  if (q.has('classification') && CLASS_FILTERS.some(([v]) => v === q.get('classification'))) {
    f.classification = q.get('classification');
  }
  for (const k of ['from', 'to']) {
    const d = q.get(k) ? new Date(q.get(k)) : null;
    if (d && !Number.isNaN(d.getTime())) f[k] = localInput(d);
  }
  if (q.get('q')) f.q = q.get('q').trim().slice(0, 200);
  if (q.get('source')) f.source = q.get('source').trim();
  if (q.get('service')) f.service = q.get('service');
  if (/^[1-9][0-9]{0,4}$/.test(q.get('target_port') || '')) f.target_port = q.get('target_port');
  // The first tried value wins: the server takes one at a time.
  const fact = FACT_KEYS.find((k) => q.get(k));
  if (fact) f[fact] = q.get(fact);
  if (SORT_KEYS.includes(q.get('sort'))) state.sort = q.get('sort');
  if (['asc', 'desc'].includes(q.get('order'))) state.order = q.get('order');
  if (PAGE_SIZES.includes(Number(q.get('limit')))) state.limit = Number(q.get('limit'));
  state.cursors = pagingFromHash(q, memo);
}

/**
 * linkQuery is the view as hash keys (the inverse of applyLinkQuery), with
 * defaults left out, so the address bar always reproduces the list.
 */
export function linkQuery(state) {
  const out = filterBody(state);
  const f = state.filters;
  if (f.status === DEFAULT_STATUS && !isArchive(state)) delete out.status;
  else if (f.status === '') out.status = 'all';
  if (isArchive(state)) out.dataset = 'archive';
  if (state.sort !== 'timestamp' || state.order !== 'desc') {
    out.sort = state.sort;
    out.order = state.order;
  }
  if (state.limit !== DEFAULT_LIMIT) out.limit = state.limit;
  return { ...out, ...pagingParams(state.cursors) };
}

/** searchTooShort: the server searches text from three characters on, shorter terms only as the start of an address. */
export function searchTooShort(q) {
  return q !== '' && [...q].length < 3 && !/^\d{1,3}\.?$/.test(q);
}

/**
 * problem says why the filters cannot be searched (a search term too short, a
 * time range that ends before it starts), or '' when they can.
 */
export function problem(state) {
  const f = state.filters;
  if (searchTooShort(f.q.trim())) return t('filter.search_too_short');
  const from = fromLocalInput(f.from);
  const to = fromLocalInput(f.to);
  if (from && to && from > to) return t('filter.range_inverted');
  return '';
}

/** chipFilters are the chip filters that are set, as [key, label, value]. */
export function chipFilters(state) {
  return CHIP_FILTERS.filter(([k]) => state.filters[k] !== '').map(([k, label]) => [k, t(label), state.filters[k]]);
}

/** isArchive tells whether the list shows read-only archived events. */
export function isArchive(state) {
  return state.filters.dataset === 'archive';
}

/** mayEdit: status/comment changes need a manager and live events. */
export function mayEdit(state) {
  return state.canEdit && !isArchive(state);
}

/** pageIndex is the 0-based number of the page shown. */
export function pageIndex(state) {
  return state.cursors.length - 1;
}

/**
 * filterBody is the {filter} object of PATCH/DELETE: the same string forms as
 * the query keys, absent keys meaning "any". datetime-local values are local
 * wall-clock times, so they are converted to RFC 3339 in UTC here.
 */
export function filterBody(state) {
  const f = state.filters;
  const out = {};
  if (f.status !== '') out.status = f.status;
  if (f.classification !== '') out.classification = f.classification;
  if (f.group !== '') out.group = f.group;
  if (f.sensor !== '') out.sensor = f.sensor;
  const from = toRFC3339(f.from);
  const to = toRFC3339(f.to);
  if (from) out.from = from;
  if (to) out.to = to;
  if (f.q.trim() !== '') out.q = f.q.trim();
  for (const [k] of CHIP_FILTERS) if (f[k] !== '') out[k] = f[k];
  return out;
}

/** listParams is the query of GET /api/events (and, without paging, of the export). */
export function listParams(state, { paging = true } = {}) {
  const p = new URLSearchParams({ dataset: state.filters.dataset, ...filterBody(state) });
  p.set('sort', state.sort);
  p.set('order', state.order);
  if (paging) {
    p.set('limit', String(state.limit));
    const cursor = state.cursors[pageIndex(state)];
    if (cursor) p.set('cursor', cursor);
  }
  return p;
}

/** exportUrl is the CSV download for a list of ids, or for every matching event. */
export function exportUrl(state, ids) {
  const p = ids
    ? new URLSearchParams({ dataset: state.filters.dataset, ids: ids.join(',') })
    : listParams(state, { paging: false });
  return `/api/events/export.csv?${p}`;
}

/** datasetParam is the "?dataset=archive" suffix of single-event URLs. */
export function datasetParam(state) {
  return isArchive(state) ? '?dataset=archive' : '';
}

function toRFC3339(local) {
  const d = fromLocalInput(local);
  return d ? d.toISOString() : '';
}

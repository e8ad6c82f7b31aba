// The events page's view state (filters, sort, paging, selection) and the
// three shapes the API wants it in: list query string, bulk "filter" body and
// CSV export URL. Keeping the translation in one place means the list, the
// "All pages" actions and the export always agree on what "matching" means.

/** Status filter choices; '' (no status key) means every status. */
export const STATUS_FILTERS = [
  ['0,1', 'New & In progress'],
  ['2,3', 'Resolved & Ignored'],
  ['0', 'New'],
  ['1', 'In progress'],
  ['2', 'Resolved'],
  ['3', 'Ignored'],
  ['', 'All'],
];
export const DEFAULT_STATUS = '0,1';

/** Classification filter choices in the manual's order; '' = all. */
export const CLASS_FILTERS = [
  ['', 'All'],
  ['2', 'Connection attempt'],
  ['4', 'Scan'],
  ['3', 'Honeypot'],
  ['1', 'ICMP'],
  ['0', 'Unknown'],
];

export const PAGE_SIZES = [25, 50, 100];

/** newState is the page's starting point: live events, open ones, newest first. */
export function newState(canEdit) {
  return {
    canEdit,
    filters: {
      dataset: 'live', status: DEFAULT_STATUS, classification: '',
      group: '', sensor: '', from: '', to: '', q: '',
    },
    sort: 'timestamp',
    order: 'desc',
    limit: 50,
    // Keyset paging has no offsets: cursors[i] opens page i (null = first
    // page), so "Previous" is a pop and the page number is the stack depth.
    cursors: [null],
    page: { items: [], total: 0, next_cursor: null },
    selected: new Set(),
  };
}

/**
 * applyLinkQuery starts the page with filters from the link that opened it,
 * e.g. #/events?sensor=4&status=0 from the Sensors page's New events count.
 * Known keys: dataset, group, sensor, classification, status; values that do
 * not fit a filter are ignored.
 */
export function applyLinkQuery(state, hash) {
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
  if (q.has('status') && STATUS_FILTERS.some(([v]) => v === q.get('status'))) f.status = q.get('status');
  if (q.has('classification') && CLASS_FILTERS.some(([v]) => v === q.get('classification'))) {
    f.classification = q.get('classification');
  }
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
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

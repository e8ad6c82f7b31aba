// The view of the Sensors list: search, status and group filters and the
// sort column. It lives in the hash (#/sensors?q=…&status=…&group=…&sort=…&order=…)
// so a reload or a shared link shows the same list and Back returns to the
// view before a change; defaults are left out of the address.

import { h, replace } from '../dom.js';
import { hashQuery, pushHash } from '../links.js';
import { t } from '../i18n.js';

const STATUSES = { online: 'sensor.online', offline: 'sensor.offline', waiting: 'sensor.waiting' };
const SORTS = ['name', 'status', 'last_contact', 'new_events'];
// Typing in the search box updates the list at once and the address after a pause,
// so Back does not step through every letter.
const SEARCH_DELAY_MS = 400;

/** viewFromHash reads the view from the hash; unknown values fall back to the defaults. */
export function viewFromHash() {
  const q = hashQuery();
  const sort = SORTS.includes(q.get('sort')) ? q.get('sort') : 'name';
  return {
    q: (q.get('q') || '').trim(),
    status: Object.hasOwn(STATUSES, q.get('status') || '') ? q.get('status') : '',
    group: /^\d+$/.test(q.get('group') || '') ? q.get('group') : '',
    sort,
    order: ['asc', 'desc'].includes(q.get('order')) ? q.get('order') : defaultOrder(sort),
  };
}

// Names read A to Z; the other columns start with what needs attention or is newest.
function defaultOrder(sort) {
  return sort === 'name' ? 'asc' : 'desc';
}

/** writeView pushes the view as a new history entry. */
export function writeView(v) {
  pushHash('sensors', {
    q: v.q, status: v.status, group: v.group,
    sort: v.sort === 'name' ? '' : v.sort,
    order: v.order === defaultOrder(v.sort) ? '' : v.order,
  });
}

/** nextSort is the view after a click on a column head: the same column flips its order. */
export function nextSort(v, key) {
  if (v.sort === key) return { ...v, order: v.order === 'asc' ? 'desc' : 'asc' };
  return { ...v, sort: key, order: defaultOrder(key) };
}

// Offline sensors need attention first, then those never heard from, then the online ones.
const STATUS_RANK = { offline: 2, waiting: 1, online: 0 };

const sortValue = {
  name: (s) => s.name.toLowerCase(),
  status: (s) => STATUS_RANK[s.status || 'waiting'] ?? 1,
  last_contact: (s) => (s.last_contact ? Date.parse(s.last_contact) : 0),
  new_events: (s) => s.new_events || 0,
};

/** visibleSensors filters and sorts the sensors for the view; ties stay in name order. */
export function visibleSensors(sensors, v) {
  const q = v.q.toLowerCase();
  const matches = (s) => (!v.status || (s.status || 'waiting') === v.status)
    && (!v.group || String(s.group) === v.group)
    && (!q || [s.name, s.location, s.last_ip].some((x) => (x || '').toLowerCase().includes(q)));
  const value = sortValue[v.sort];
  const dir = v.order === 'asc' ? 1 : -1;
  return sensors.filter(matches).sort((a, b) => {
    const x = value(a); const y = value(b);
    if (x < y) return -dir;
    if (x > y) return dir;
    return a.name.localeCompare(b.name);
  });
}

/**
 * viewControls builds the search box and the two filters: {node, setGroups(map
 * of id to name)}. changed(view) is called with the new view on every change;
 * the address follows.
 */
export function viewControls(v, changed) {
  const search = h('input', {
    id: 'sensor-search', type: 'search', autocomplete: 'off', value: v.q,
    placeholder: t('sensors.search_placeholder'), 'aria-label': t('sensors.search'),
  });
  const status = h('select', { id: 'sensor-status-filter', 'aria-label': t('sensors.filter_status') },
    h('option', { value: '' }, t('sensors.all_states')),
    Object.entries(STATUSES).map(([value, key]) => h('option', { value }, t(key))));
  status.value = v.status;
  const group = h('select', { id: 'sensor-group-filter', 'aria-label': t('sensors.filter_group') });
  const setGroups = (groups) => {
    replace(group, h('option', { value: '' }, t('period.all_groups')),
      [...groups.entries()].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => h('option', { value: id }, name)));
    // A linked group the user cannot see stays chosen, so the list says that nothing matches.
    if (v.group && !groups.has(Number(v.group))) group.append(h('option', { value: v.group }, t('sensor.group_no', { id: v.group })));
    group.value = v.group;
  };
  setGroups(new Map());

  let timer = 0;
  const apply = (push) => {
    Object.assign(v, { q: search.value.trim(), status: status.value, group: group.value });
    changed(v);
    clearTimeout(timer);
    if (push) writeView(v);
    else timer = setTimeout(() => { if (search.isConnected) writeView(v); }, SEARCH_DELAY_MS);
  };
  search.addEventListener('input', () => apply(false));
  status.addEventListener('change', () => apply(true));
  group.addEventListener('change', () => apply(true));
  return { node: h('div', { class: 'sensor-view' }, search, status, group), setGroups };
}

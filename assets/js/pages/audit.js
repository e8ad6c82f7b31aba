// Audit log page (#/audit, admin): newest first, "Load more" follows the
// server's cursor so deep history never needs an offset. The filters live in
// the hash (#/audit?user=…&action=…): a change is a new history entry, so
// reload, Back and a shared link show the same list.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { formatTime, fromLocalInput, localInput } from '../format.js';
import { errorLine, showError } from '../forms.js';
import { hashQuery, href } from '../links.js';
import { AUDIT_ACTIONS, AUDIT_OBJECTS, actionName, objectTypeName } from '../audit_labels.js';
import { has, t } from '../i18n.js';

const PAGE_SIZE = 50;
const FILTER_KEYS = ['user', 'action', 'object_type', 'object_id', 'from', 'to'];

export async function render(view) {
  const q = hashQuery();
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, q.get(k) || '']));
  const filtered = FILTER_KEYS.some((k) => filters[k]);
  const bar = filterBar(filters);
  const body = h('tbody');
  const more = h('button', { type: 'button', id: 'audit-more', class: 'btn' }, t('audit.more'));
  const foot = h('div', { class: 'panel-foot', hidden: true }, more);
  const status = h('p', { class: 'muted empty', role: 'status' }, t('app.loading'));
  let cursor = null;

  async function loadPage() {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    for (const k of FILTER_KEYS) if (filters[k]) params.set(k, filters[k]);
    if (cursor) params.set('cursor', cursor);
    const page = await api.get(`/audit?${params}`);
    body.append(...page.items.map(auditRow));
    cursor = page.next_cursor || null;
    foot.hidden = !cursor;
    status.hidden = body.children.length > 0;
    if (!status.hidden) replace(status, filtered ? t('audit.none_match') : t('audit.none'));
  }

  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      await loadPage();
    } catch (err) {
      replace(status, err.message);
      status.hidden = false;
    } finally {
      more.disabled = false;
    }
  });

  view.append(bar, h('section', { class: 'panel' },
    h('table', { class: 'table cards audit', 'data-testid': 'audit-table' },
      h('thead', null, h('tr', null,
        h('th', null, t('events.col_time')), h('th', null, t('audit.user')), h('th', null, t('audit.ip')),
        h('th', null, t('audit.action')), h('th', null, t('audit.object')), h('th', null, t('audit.detail')))),
      body),
    status,
    foot));
  fillUsers(bar);
  try {
    await loadPage();
  } catch (err) {
    // A hand-edited link with a bad value: say which filter, next to it.
    if (!err.fields) throw err;
    showError(bar, err);
    replace(status, t('audit.correct_filters'));
  }
}

/** filterBar builds the controls; each change moves to the hash of the new filters. */
function filterBar(filters) {
  const apply = (changes) => { location.hash = href('audit', { ...filters, ...changes }); };
  const user = h('input', {
    id: 'audit-user', type: 'text', value: filters.user, list: 'audit-users', autocomplete: 'off', placeholder: t('audit.user_placeholder'),
  });
  const action = select('audit-action', t('audit.all_actions'), labelsByName(AUDIT_ACTIONS), filters.action);
  const objectType = select('audit-object-type', t('audit.all_objects'), labelsByName(AUDIT_OBJECTS), filters.object_type);
  const objectID = h('input', {
    id: 'audit-object-id', type: 'number', min: 1, step: 1, value: filters.object_id, placeholder: t('audit.any'), disabled: !filters.object_type,
  });
  const from = h('input', { id: 'audit-from', type: 'datetime-local', step: 1, value: filters.from ? localInput(filters.from) : '' });
  const to = h('input', { id: 'audit-to', type: 'datetime-local', step: 1, value: filters.to ? localInput(filters.to) : '' });
  const reset = h('button', { type: 'button', id: 'audit-reset', class: 'btn small link' }, t('filter.reset'));
  const instant = (input) => fromLocalInput(input.value)?.toISOString() || '';

  user.addEventListener('change', () => apply({ user: user.value.trim() }));
  action.addEventListener('change', () => apply({ action: action.value }));
  objectType.addEventListener('change', () => apply({ object_type: objectType.value, object_id: objectType.value ? objectID.value : '' }));
  objectID.addEventListener('change', () => apply({ object_id: objectID.value }));
  from.addEventListener('change', () => apply({ from: instant(from) }));
  to.addEventListener('change', () => apply({ to: instant(to) }));
  reset.addEventListener('click', () => { location.hash = href('audit', {}); });

  return h('section', { class: 'panel filters audit-filters', 'aria-label': t('audit.filters') },
    labelled(t('audit.user'), user, 'user'),
    labelled(t('audit.action'), action, 'action'),
    labelled(t('audit.object'), objectType, 'object_type'),
    labelled(t('audit.object_id'), objectID, 'object_id'),
    labelled(t('period.from'), from, 'from'),
    labelled(t('period.to'), to, 'to'),
    h('datalist', { id: 'audit-users' }),
    h('div', { class: 'filter-actions' }, reset),
    errorLine('audit-filter-error'));
}

/** fillUsers offers the current users' logins in the user field; without the list, typing still works. */
async function fillUsers(bar) {
  try {
    const { items } = await api.get('/users');
    replace(bar.querySelector('#audit-users'), items.map((u) => h('option', { value: u.login })));
  } catch {
    // The field stays a plain text field.
  }
}

/** labelsByName turns {key: catalog key} into [key, text] pairs sorted by the text. */
function labelsByName(labels) {
  return Object.entries(labels).map(([k, key]) => [k, t(key)]).sort((a, b) => a[1].localeCompare(b[1]));
}

function select(id, anyLabel, options, value) {
  const el = h('select', { id },
    h('option', { value: '' }, anyLabel),
    options.map(([v, label]) => h('option', { value: v }, label)));
  // A key from a link that this UI has no label for still shows as chosen.
  if (value && !options.some(([v]) => v === value)) el.append(h('option', { value }, value));
  el.value = value;
  return el;
}

/** labelled wraps a control as a filter field; name is the API's key, for its error message. */
function labelled(label, control, name) {
  return h('div', { class: 'field filter', 'data-field': name },
    h('label', { for: control.id }, label),
    control,
    h('div', { class: 'field-error', hidden: true }));
}

function auditRow(e) {
  return h('tr', { 'data-testid': 'audit-row' },
    h('td', { class: 'nowrap card-title' }, formatTime(e.time)),
    h('td', { 'data-label': t('audit.user') },
      e.user ? h('a', { href: href('audit', { user: e.user }), title: t('audit.entries_of_user') }, e.user) : '—'),
    h('td', { class: 'mono', 'data-label': t('audit.ip') }, e.ip || '—'),
    h('td', { 'data-label': t('audit.action') }, h('span', { class: 'tag', title: e.action, 'data-action': e.action }, actionName(e.action))),
    h('td', { 'data-label': t('audit.object') }, objectCell(e)),
    h('td', { class: 'detail', 'data-label': t('audit.detail') },
      e.detail ? h('div', null, detailText(e)) : null,
      Object.entries(e.changes || {}).sort(([a], [b]) => a.localeCompare(b)).map(([field, [was, now]]) =>
        h('div', { class: 'audit-change', 'data-testid': 'audit-change' }, `${field}: ${valueText(was)} → ${valueText(now)}`))));
}

/**
 * detailText is the entry's detail in the reader's language, from its catalog
 * key and arguments; an entry without a key this UI knows (older entries are
 * English text) shows the text as the server wrote it.
 */
function detailText(e) {
  return e.detail_key && has(e.detail_key) ? catalogText(e.detail_key, e.detail_args) : e.detail;
}

/** catalogText fills a catalog text; an argument that is itself a text ({key, args}) is filled first. */
function catalogText(key, args = {}) {
  const params = Object.entries(args).map(([k, v]) => [k, v && typeof v === 'object' ? catalogText(v.key, v.args) : v]);
  return t(key, Object.fromEntries(params));
}

/** objectCell reads like "Group Lab (#4)", the id linking to every entry about that object. */
function objectCell(e) {
  const hasID = e.object_id !== null && e.object_id !== undefined;
  const text = [e.object_type ? objectTypeName(e.object_type) : '', e.object_name].filter(Boolean).join(' ');
  if (!hasID) return text || '—';
  const link = h('a', { href: href('audit', { object_type: e.object_type, object_id: e.object_id }), title: t('audit.entries_of_object') },
    `#${e.object_id}`);
  return [text, text ? ' (' : '', link, text ? ')' : ''];
}

/** valueText shows one side of a change; the values come as JSON, and "" or null mean none. */
function valueText(v) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
  if (Array.isArray(v)) return v.length ? v.map(valueText).join(', ') : '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// The event list table and its pager. Both are built once and re-rendered
// from state, so a live reload swaps only the rows: the filter inputs keep
// focus and the page keeps its scroll position.

import { h, replace } from '../dom.js';
import { formatTime, formatDate, formatClock, zoneName } from '../format.js';
import { classificationTag, statusTag, countText, plural, ongoingBadge } from '../event_labels.js';
import { PAGE_SIZES, pageIndex, mayEdit } from './events_query.js';
import { t } from '../i18n.js';

// Sortable columns: the API's sort key, the header label's key, a class and a title's key.
const COLUMNS = [
  ['id', 'events.col_id', 'num'],
  ['timestamp', 'events.col_time'],
  ['group', 'events.col_group'],
  ['sensor', 'events.col_sensor'],
  ['classification', 'events.col_classification'],
  ['source', 'events.col_source'],
  ['target_port', 'events.col_target_port', 'num'],
  ['summary', 'events.col_details', null, 'events.col_details_title'],
  ['status', 'events.col_status'],
];
const COLSPAN = COLUMNS.length + 2;
// Controls in a row that keep focus across a refresh, by class.
const FOCUS_KEYS = ['row-select', 'show-details', 'edit-event', 'remove-event'];

/**
 * eventsTable returns {node, render(fresh), syncSelection()}. on holds the callbacks:
 * sort(key), select(id, checked), selectPage(checked), details(ev), edit(ev), remove(ev).
 * fresh is a Set of ids to highlight as newly arrived.
 */
export function eventsTable(state, on) {
  const selectPage = h('input', { type: 'checkbox', id: 'select-page', 'aria-label': t('events.select_page') });
  selectPage.addEventListener('change', () => on.selectPage(selectPage.checked));

  const heads = COLUMNS.map(([key, label, cls, title]) => {
    const th = h('th', { 'data-sort': key, class: `sortable ${cls || ''}`, scope: 'col', title: title && t(title) },
      h('button', { type: 'button', class: 'sort-btn' }, headText(key, label), h('span', { class: 'sort-arrow', 'aria-hidden': 'true' })));
    th.addEventListener('click', () => on.sort(key));
    return th;
  });
  const body = h('tbody');
  const node = h('div', { class: 'table-wrap' },
    h('table', { class: 'table events', id: 'events-table' },
      h('thead', null, h('tr', null,
        h('th', { class: 'select' }, selectPage), heads, h('th', { class: 'actions' }, h('span', { class: 'sr-only' }, t('events.actions'))))),
      body));

  // One delegated listener for the row checkboxes survives every re-render.
  body.addEventListener('change', (ev) => {
    const box = ev.target.closest('input.row-select');
    if (box) on.select(Number(box.value), box.checked);
  });

  function render(fresh = new Set()) {
    // A refresh rebuilds the rows: give keyboard focus back to the same control of the same row.
    const active = document.activeElement;
    const row = active && body.contains(active) ? active.closest('tr[data-id]') : null;
    const control = row && FOCUS_KEYS.find((c) => active.classList.contains(c));
    for (const th of heads) {
      const active = th.dataset.sort === state.sort;
      th.classList.toggle('sorted', active);
      th.setAttribute('aria-sort', active ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none');
      replace(th.querySelector('.sort-arrow'), active ? (state.order === 'asc' ? '▲' : '▼') : '');
    }
    const rows = state.page.items.map((e) => eventRow(e, state, on, fresh.has(e.id)));
    replace(body, rows.length ? rows : emptyRow(state));
    syncSelection();
    if (control) body.querySelector(`tr[data-id="${CSS.escape(row.dataset.id)}"] .${control}`)?.focus();
  }

  // Ticking a box only updates boxes and row classes: rebuilding the rows
  // would drop keyboard focus and the highlight of newly arrived rows.
  function syncSelection() {
    for (const tr of body.querySelectorAll('tr[data-id]')) {
      const on = state.selected.has(Number(tr.dataset.id));
      tr.classList.toggle('selected', on);
      tr.querySelector('input.row-select').checked = on;
    }
    const items = state.page.items;
    const picked = items.filter((e) => state.selected.has(e.id)).length;
    selectPage.checked = items.length > 0 && picked === items.length;
    selectPage.indeterminate = picked > 0 && picked < items.length;
    selectPage.disabled = items.length === 0;
  }

  return { node, render, syncSelection };
}

function eventRow(e, state, on, fresh) {
  const n = (e.details_count || 0) + (e.packets_count || 0);
  const detailsBtn = iconButton('show-details', 'icon-details', t('events.show_details_title'), t('events.show_details', { id: e.id }), () => on.details(e));
  const actions = [detailsBtn];
  if (mayEdit(state)) actions.push(iconButton('edit-event', 'icon-edit', t('common.edit'), t('events.edit', { id: e.id }), () => on.edit(e)));
  if (state.canEdit) actions.push(iconButton('remove-event', 'icon-remove', t('bulk.remove'), t('events.remove', { id: e.id }), () => on.remove(e)));

  return h('tr', { 'data-id': e.id, class: fresh ? 'row-new' : null },
    h('td', { class: 'select' }, h('input', {
      type: 'checkbox', class: 'row-select', value: e.id, 'aria-label': t('events.select_one', { id: e.id }),
    })),
    // Archived rows have ids of their own; the original id is the one people know (and the CSV shows).
    h('td', { class: 'num muted ev-id', title: e.original_id ? t('events.archive_entry', { id: e.id }) : null }, e.original_id || e.id),
    h('td', { class: 'when', title: formatTime(e.timestamp) }, when(e.timestamp)),
    h('td', { class: 'clip ev-group', title: nameOf(e.group) }, nameOf(e.group)),
    h('td', { class: 'clip ev-sensor', title: nameOf(e.sensor) }, nameOf(e.sensor)),
    h('td', { class: 'ev-class' }, classificationTag(e.classification)),
    h('td', { class: 'mono nowrap source', title: e.source || null }, e.source || '—'),
    h('td', { class: 'num mono ev-port', 'data-label': t('event.port_word') }, e.target_port ?? '—'),
    h('td', { class: 'summary' }, h('div', { class: 'summary-line' },
      // Two lines at most, cut with an ellipsis: scans list their ports, HTTP sessions their paths.
      h('span', { class: 'summary-text', title: e.summary || null }, e.summary || h('span', { class: 'muted' }, e.service || '—')),
      e.ongoing ? ongoingBadge() : null,
      n ? h('span', { class: 'lines-badge', title: linesTitle(e) },
        h('span', { class: 'sr-only' }, `${linesTitle(e)}: `), countText(n)) : null)),
    h('td', { class: 'status' }, statusTag(e.status),
      e.comment ? h('div', { class: 'comment' }, e.comment) : null),
    h('td', { class: 'actions' }, actions));
}

/** linesTitle explains the count next to a summary: what was recorded beyond the one line. */
function linesTitle(e) {
  const lines = plural(e.details_count || 0, 'count.lines');
  if (!e.packets_count) return t('events.lines_title', { lines });
  return t('events.lines_packets_title', { lines, packets: plural(e.packets_count, 'count.packets') });
}

/** headText is a column's label; the time column names the zone its times are in. */
function headText(key, label) {
  return key === 'timestamp' ? t('events.col_time_zone', { zone: zoneName() }) : t(label);
}

/** when shows the time in the user's zone with the date above it in small type, to keep the column narrow. */
function when(ts) {
  return [h('span', { class: 'date' }, formatDate(ts)), formatClock(ts)];
}

/** nameOf shows an embedded {id, name} reference (or a plain string for archived rows). */
function nameOf(ref) {
  if (!ref) return '—';
  return typeof ref === 'string' ? ref : (ref.name || `#${ref.id}`);
}

/** iconButton is a row action: its title names the action, its hidden label the action and the event. */
function iconButton(cls, icon, title, label, onClick) {
  const b = h('button', { type: 'button', class: `btn icon ${cls}`, title },
    h('span', { class: `ico ${icon}`, 'aria-hidden': 'true' }), h('span', { class: 'sr-only' }, label));
  b.addEventListener('click', onClick);
  return b;
}

function emptyRow(state) {
  if (state.problem) {
    return h('tr', { class: 'empty-row', id: 'events-problem' }, h('td', { colspan: COLSPAN },
      h('div', { class: 'strong' }, t('events.nothing_listed')), h('div', { class: 'field-error' }, state.problem)));
  }
  const hint = state.filters.status === '0,1'
    ? t('events.hidden_by_status')
    : t('events.try_other_filters');
  return h('tr', { class: 'empty-row' }, h('td', { colspan: COLSPAN },
    h('div', { class: 'strong' }, t('events.none_match')), h('div', { class: 'muted' }, hint)));
}

/**
 * pager returns {node, render()} for the paging controls. on: prev(), next(),
 * size(limit). extra nodes (the scope menu) sit next to the buttons.
 */
export function pager(state, on, ...extra) {
  const total = h('span', { id: 'events-total', role: 'status' });
  const prev = h('button', { type: 'button', id: 'page-prev', class: 'btn small' }, t('pager.previous'));
  const next = h('button', { type: 'button', id: 'page-next', class: 'btn small' }, t('pager.next'));
  const size = h('select', { id: 'page-size', class: 'compact', 'aria-label': t('pager.per_page_label') },
    PAGE_SIZES.map((n) => h('option', { value: n }, t('pager.per_page', { count: n }))));
  size.value = String(state.limit);
  prev.addEventListener('click', on.prev);
  next.addEventListener('click', on.next);
  size.addEventListener('change', () => on.size(Number(size.value)));

  function render() {
    const { items, total: count, total_exact: exact, next_cursor: nextCursor } = state.page;
    const first = pageIndex(state) * state.limit + 1;
    // A search for a common term estimates its total instead of reading every event.
    const of = exact === false ? t('pager.about', { count }) : countText(count);
    if (state.problem) replace(total, t('pager.nothing_listed'));
    else replace(total, items.length
      ? t('pager.range', { first, last: first + items.length - 1, of })
      : t('pager.range_empty', { of }));
    prev.disabled = pageIndex(state) === 0;
    next.disabled = !nextCursor;
  }

  const node = h('div', { class: 'pager' }, total, h('div', { class: 'pager-controls' }, extra, size, prev, next));
  return { node, render };
}

// Audit log page (#/audit, admin): newest first, "Load more" follows the
// server's cursor so deep history never needs an offset.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { formatTime } from '../format.js';

const PAGE_SIZE = 50;

export async function render(view) {
  const body = h('tbody');
  const more = h('button', { type: 'button', id: 'audit-more', class: 'btn' }, 'Load more');
  const foot = h('div', { class: 'panel-foot', hidden: true }, more);
  const status = h('p', { class: 'muted empty', role: 'status' }, 'Loading…');
  let cursor = null;

  async function loadPage() {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (cursor) q.set('cursor', cursor);
    const page = await api.get(`/audit?${q}`);
    body.append(...page.items.map(auditRow));
    cursor = page.next_cursor || null;
    foot.hidden = !cursor;
    status.hidden = body.children.length > 0;
    if (!status.hidden) replace(status, 'No entries yet.');
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

  view.append(h('section', { class: 'panel' },
    h('table', { class: 'table', 'data-testid': 'audit-table' },
      h('thead', null, h('tr', null,
        h('th', null, 'Time'), h('th', null, 'User'), h('th', null, 'IP address'),
        h('th', null, 'Action'), h('th', null, 'Object'), h('th', null, 'Detail'))),
      body),
    status,
    foot));
  await loadPage();
}

function auditRow(e) {
  return h('tr', { 'data-testid': 'audit-row' },
    h('td', { class: 'nowrap' }, formatTime(e.time)),
    h('td', null, e.user || '—'),
    h('td', { class: 'mono' }, e.ip || '—'),
    h('td', null, h('span', { class: 'tag' }, e.action)),
    h('td', null, objectText(e)),
    h('td', { class: 'detail' }, detailText(e.detail)));
}

/** objectText reads like "user alice (#4)"; parts the server left out are skipped. */
function objectText(e) {
  const parts = [e.object_type, e.object_name].filter(Boolean);
  if (e.object_id !== null && e.object_id !== undefined && e.object_id !== '') parts.push(`(#${e.object_id})`);
  return parts.length ? parts.join(' ') : '—';
}

/** detailText accepts a plain string or a structured object from the server. */
function detailText(detail) {
  if (detail === null || detail === undefined || detail === '') return '';
  return typeof detail === 'string' ? detail : JSON.stringify(detail);
}

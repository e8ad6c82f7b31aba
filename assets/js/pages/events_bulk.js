// Bulk actions: the bar under the list for the ticked rows, and the
// "Actions for…" menu offering the same three actions for the current page
// (an id list) or all pages (the filter, applied server-side).
//
// A scope is {ids: [..]} or {all: true}; act.edit(scope) and act.remove(scope)
// open the dialogs. Export is a plain link to the CSV URL, so the browser
// downloads it with the session cookie like any other file.

import { h, replace } from '../dom.js';
import { plural } from '../event_labels.js';
import { exportUrl, mayEdit } from './events_query.js';
import { t } from '../i18n.js';

/** bulkBar returns {node, render()}; it is hidden while nothing is selected. */
export function bulkBar(state, act) {
  const count = h('span', { class: 'bulk-count', role: 'status' });
  const exp = h('a', { id: 'bulk-export', class: 'btn small', download: 'events.csv' }, t('bulk.export'));
  const edit = h('button', { type: 'button', id: 'bulk-edit', class: 'btn small' }, t('common.edit'));
  const remove = h('button', { type: 'button', id: 'bulk-remove', class: 'btn small danger-text' }, t('bulk.remove'));
  const clear = h('button', { type: 'button', id: 'bulk-clear', class: 'btn small link' }, t('bulk.clear'));
  const ids = () => [...state.selected].sort((a, b) => a - b);

  edit.addEventListener('click', () => act.edit({ ids: ids() }));
  remove.addEventListener('click', () => act.remove({ ids: ids() }));
  clear.addEventListener('click', act.clearSelection);

  const node = h('div', { id: 'bulk-bar', class: 'bulk-bar', hidden: true },
    count, h('div', { class: 'bulk-actions' }, exp, edit, remove), clear);

  function render() {
    const n = state.selected.size;
    node.hidden = n === 0;
    if (!n) return;
    replace(count, t('bulk.selected', { count: n }));
    exp.href = exportUrl(state, ids());
    edit.hidden = !mayEdit(state);
    remove.hidden = !state.canEdit;
  }

  return { node, render };
}

/** scopeMenu is the "Actions for…" button with its drop-down. Returns {node, render()}. */
export function scopeMenu(state, act) {
  const button = h('button', {
    type: 'button', id: 'scope-menu', class: 'btn small',
    'aria-haspopup': 'menu', 'aria-expanded': 'false',
  }, t('bulk.actions_for'), h('span', { class: 'caret', 'aria-hidden': 'true' }));
  const pageHead = h('div', { class: 'menu-head' });
  const allHead = h('div', { class: 'menu-head' });
  const pageExport = menuLink('scope-page-export', t('bulk.export'));
  const allExport = menuLink('scope-all-export', t('bulk.export'));
  const pageIds = () => state.page.items.map((e) => e.id);

  const editors = [
    menuButton('scope-page-edit', t('bulk.edit_more'), () => act.edit({ ids: pageIds() })),
    menuButton('scope-all-edit', t('bulk.edit_more'), () => act.edit({ all: true })),
  ];
  const removers = [
    menuButton('scope-page-remove', t('bulk.remove_more'), () => act.remove({ ids: pageIds() })),
    menuButton('scope-all-remove', t('bulk.remove_more'), () => act.remove({ all: true })),
  ];
  const menu = h('div', { class: 'menu', role: 'menu', hidden: true },
    pageHead, pageExport, editors[0], removers[0],
    h('div', { class: 'menu-sep', role: 'separator' }),
    allHead, allExport, editors[1], removers[1]);
  const node = h('div', { class: 'menu-wrap' }, button, menu);

  // While open, a click anywhere else or Escape closes the menu; the
  // listeners exist only while it is open.
  const onOutside = (ev) => { if (!node.contains(ev.target)) close(); };
  const onKey = (ev) => { if (ev.key === 'Escape') { close(); button.focus(); } };
  function open() {
    const items = state.page.items.length;
    replace(pageHead, t('bulk.current_page', { events: plural(items, 'count.events') }));
    replace(allHead, t('bulk.all_pages', { events: plural(state.page.total, 'count.events') }));
    pageExport.href = exportUrl(state, pageIds());
    allExport.href = exportUrl(state, null);
    for (const b of editors) b.hidden = !mayEdit(state);
    for (const b of removers) b.hidden = !state.canEdit;
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    document.addEventListener('click', onOutside, true);
    document.addEventListener('keydown', onKey);
  }
  function close() {
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('click', onOutside, true);
    document.removeEventListener('keydown', onKey);
  }
  button.addEventListener('click', () => (menu.hidden ? open() : close()));
  // Choosing an item (the export link included) closes the menu.
  menu.addEventListener('click', (ev) => { if (ev.target.closest('.menu-item')) close(); });

  function render() {
    button.disabled = state.page.items.length === 0;
    if (button.disabled) close();
  }

  return { node, render };
}

function menuLink(id, label) {
  return h('a', { id, class: 'menu-item', role: 'menuitem', download: 'events.csv' }, label);
}

function menuButton(id, label, onClick) {
  const b = h('button', { type: 'button', id, class: 'menu-item', role: 'menuitem' }, label);
  b.addEventListener('click', onClick);
  return b;
}

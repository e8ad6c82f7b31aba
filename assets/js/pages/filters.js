// Filters page (#/filters, every role): the filter rules of the caller's
// groups, filterable by group, with their hit counters and status. Managers
// add, edit, enable/disable (the leftmost action, as the manual says) and
// remove rules; observers see the list read-only. The counters refresh every
// 10 s; dialogs live outside the table, so a refresh does not disturb them.
// The group shown lives in the hash (#/filters?group=all|<id>).

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { confirmDialog } from '../dialog.js';
import { ROLE_MANAGER, formatTime } from '../format.js';
import { countText } from '../event_labels.js';
import { openFilterDialog, conditionText } from './filter_dialog.js';
import { hashQuery, pushHash, replaceHash } from '../links.js';
import { statusLines } from '../page_live.js';
import { t } from '../i18n.js';

const REFRESH_MS = 10000;

// The chosen group survives leaving and re-opening the page through the
// sidebar (#/filters without a group); the hash always names it, so Back to
// "All groups" has an address of its own.
let groupChoice = '';

export async function render(view, ctx) {
  const state = {
    canEdit: ctx.session.user.role >= ROLE_MANAGER,
    rules: [],
    groups: [], // [{id, name}] of the caller
    loaded: false,
  };
  const { notice, error, announce, fail, refresh: guarded } = statusLines(ctx, { notice: 'filters-notice', error: 'filters-error' });
  const count = h('h2', { id: 'filters-head' }, t('page.filters'));
  const groupSelect = h('select', { id: 'filter-group-select', 'aria-label': t('filters.show_rules_of') },
    h('option', { value: '' }, t('period.all_groups')));
  const body = h('tbody');
  const table = h('table', { class: 'table rules', id: 'filters-table' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', class: 'num col-id' }, 'ID'),
      h('th', { scope: 'col' }, t('events.col_group')),
      h('th', { scope: 'col' }, t('common.name')),
      h('th', { scope: 'col' }, t('filters.conditions')),
      h('th', { scope: 'col', class: 'num', title: t('filters.counter_title') }, t('filters.counter')),
      h('th', { scope: 'col' }, t('events.col_status')),
      state.canEdit ? h('th', { class: 'actions' }, h('span', { class: 'sr-only' }, t('events.actions'))) : null)),
    body);
  let lastJSON = '';
  let seq = 0;

  const groupName = (id) => state.groups.find((g) => g.id === id)?.name || t('sensor.group_no', { id });

  function paint() {
    const active = document.activeElement;
    const focus = active && body.contains(active) ? active.dataset.key : undefined;
    const n = state.rules.length;
    replace(count, t('filters.count', { count: n }));
    let emptyText = t('app.loading');
    if (state.loaded) emptyText = groupSelect.value ? t('filters.none_in_group') : t('filters.none');
    replace(body, n
      ? state.rules.map(row)
      : h('tr', { class: 'empty-row' }, h('td', { colspan: state.canEdit ? 7 : 6 },
        h('span', { class: 'muted' }, emptyText))));
    if (focus) body.querySelector(`[data-key="${CSS.escape(focus)}"]`)?.focus();
  }

  function row(r) {
    return h('tr', { 'data-id': r.id, 'data-name': r.name, class: r.enabled ? null : 'rule-off' },
      h('td', { class: 'num col-id mono' }, r.id),
      h('td', { class: 'filter-group' }, groupName(r.group)),
      h('td', { class: 'filter-name' },
        h('div', { class: 'strong' }, r.name),
        r.description ? h('div', { class: 'muted small filter-description' }, r.description) : null),
      h('td', { class: 'filter-conditions' },
        h('ul', { class: 'cond-list' }, (r.conditions || []).map((c, i) =>
          h('li', null, i ? h('span', { class: 'cond-and' }, t('filters.and'), ' ') : null, conditionText(c))))),
      h('td', { class: 'num filter-hits', title: t('filters.updated', { time: formatTime(r.updated_at) }) }, countText(r.hits)),
      h('td', { class: 'filter-status' },
        h('span', { class: `pill ${r.enabled ? 'rule-on' : 'rule-disabled'}` }, r.enabled ? t('filters.enabled') : t('filters.disabled'))),
      state.canEdit ? h('td', { class: 'actions' }, actions(r)) : null);
  }

  function actions(r) {
    const button = (cls, icon, label, fn, extra) => {
      const b = h('button', {
        type: 'button', class: `btn icon ${cls}${extra ? ` ${extra}` : ''}`, title: label,
        'aria-label': `${label}: ${r.name}`, 'data-key': `${cls}:${r.id}`,
      }, h('span', { class: `ico ${icon}`, 'aria-hidden': 'true' }));
      b.addEventListener('click', () => fn(r, b));
      return b;
    };
    return [
      button('filter-toggle', 'icon-power', r.enabled ? t('filters.disable') : t('filters.enable'), toggle, r.enabled ? 'is-on' : 'is-off'),
      button('filter-edit', 'icon-edit', t('common.edit'), edit),
      button('filter-remove', 'icon-remove', t('bulk.remove'), remove),
    ];
  }

  async function load() {
    const mine = ++seq;
    const q = groupSelect.value ? `?group=${encodeURIComponent(groupSelect.value)}` : '';
    const list = await api.get(`/filters${q}`);
    if (mine !== seq) return;
    const json = JSON.stringify(list.items || []);
    if (json === lastJSON) return;
    lastJSON = json;
    state.loaded = true;
    state.rules = (list.items || []).slice().sort((a, b) => a.id - b.id);
    paint();
  }

  const refresh = () => guarded(load, (err) => t('filters.refresh_failed', { message: err.message }));

  function changed(message) {
    announce(message);
    lastJSON = '';
    return refresh();
  }

  async function toggle(r, btn) {
    btn.disabled = true;
    try {
      const saved = await api.patch(`/filters/${r.id}`, { enabled: !r.enabled });
      await changed(t(saved.enabled ? 'filters.now_enabled' : 'filters.now_disabled', { name: saved.name }));
    } catch (err) {
      btn.disabled = false;
      fail(t(r.enabled ? 'filters.disable_failed' : 'filters.enable_failed', { name: r.name, message: err.message }));
    }
  }

  function edit(r) {
    openFilterDialog(r, { groups: state.groups, done: (msg) => changed(msg) });
  }

  function remove(r) {
    confirmDialog({
      title: t('filters.remove_title'),
      text: t('filters.remove_question', { name: r.name }),
      confirm: t('bulk.remove'),
      async onConfirm() {
        await api.del(`/filters/${r.id}`);
        await changed(t('filters.removed', { name: r.name }));
      },
    });
  }

  const add = state.canEdit
    ? h('button', { type: 'button', id: 'filter-add', class: 'btn primary small' }, t('filters.add'))
    : null;
  if (add) {
    add.addEventListener('click', () => {
      const preset = groupSelect.value ? { group: Number(groupSelect.value) } : undefined;
      openFilterDialog(null, { groups: state.groups, prefill: preset, done: (msg) => changed(msg) });
    });
  }

  groupSelect.addEventListener('change', () => {
    groupChoice = groupSelect.value;
    pushHash('filters', { group: groupChoice || 'all' });
    lastJSON = '';
    state.rules = [];
    state.loaded = false;
    paint();
    refresh();
  });

  view.append(
    notice,
    error,
    h('section', { class: 'panel filters-panel', 'aria-labelledby': 'filters-head' },
      h('header', { class: 'panel-head' },
        count,
        h('div', { class: 'panel-tools' },
          h('label', { class: 'inline-label', for: 'filter-group-select' }, t('events.col_group')),
          groupSelect,
          add || h('span', { class: 'muted' }, t('filters.read_only')))),
      h('div', { class: 'table-wrap' }, table),
      h('footer', { class: 'panel-foot muted filters-legend' },
        t('filters.legend'))));

  const groups = await api.get('/groups').catch(() => ({ items: [] }));
  state.groups = (groups.items || []).slice().sort((a, b) => a.name.localeCompare(b.name));
  for (const g of state.groups) groupSelect.append(h('option', { value: g.id }, g.name));
  const linked = hashQuery().get('group');
  if (linked) groupChoice = linked === 'all' ? '' : linked;
  if (groupChoice && state.groups.some((g) => String(g.id) === groupChoice)) groupSelect.value = groupChoice;
  replaceHash('filters', { group: groupSelect.value || 'all' });
  paint();
  await load();
  ctx.every(REFRESH_MS, refresh);
}

// Attackers page (#/attackers, every role): one row per source address seen
// in the chosen period (or ever), with what all its live events add up to.
// Search by address or network, sort by the time columns, events or address,
// page with cursors. A row opens the attacker's page. The list refreshes in
// place on new events and every 15 s; the view (period, group, search, sort,
// page) lives in the hash, and every change the user makes is a history entry.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { countText } from '../event_labels.js';
import { hashQuery, writeHash, pagingParams, pagingFromHash } from '../links.js';
import { newPeriod, periodBar, hashParams, periodRange } from '../period.js';
import { keepFresh, statusLines } from '../page_live.js';
import { attackersTable } from './attackers_table.js';
import { t } from '../i18n.js';

const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 400;
const SORTS = ['last_seen', 'first_seen', 'events', 'source'];

export async function render(view, ctx) {
  const query = hashQuery();
  const period = newPeriod('attackers', query, { extras: ['all'] });
  const state = {
    q: (query.get('q') || '').trim().slice(0, 100),
    sort: SORTS.includes(query.get('sort')) ? query.get('sort') : 'last_seen',
    order: query.get('order') === 'asc' ? 'asc' : 'desc',
    cursors: pagingFromHash(query, history.state?.attackerCursors),
    page: { items: [], total: 0, next_cursor: null },
    loaded: false,
  };
  const { error, fail } = statusLines(ctx, { error: 'attackers-error' });
  const bar = periodBar(period, () => firstPage());
  const search = h('input', {
    id: 'attackers-search', type: 'search', autocomplete: 'off', spellcheck: 'false', value: state.q,
    placeholder: t('attackers.search_placeholder'), 'aria-describedby': 'attackers-search-error',
  });
  const searchError = h('span', { id: 'attackers-search-error', class: 'field-error', hidden: true });
  const table = attackersTable(state, {
    sort(key) {
      // A new column starts with what matters most: newest, most, or the address order.
      if (state.sort === key) state.order = state.order === 'asc' ? 'desc' : 'asc';
      else state.order = key === 'source' ? 'asc' : 'desc';
      state.sort = key;
      firstPage();
    },
    // The attacker's page has its own period (its whole activity by default); the group carries over.
    linkParams: () => ({ group: period.group }),
  });
  const total = h('span', { id: 'attackers-total', role: 'status' });
  const prev = h('button', { type: 'button', id: 'attackers-prev', class: 'btn small' }, t('pager.previous'));
  const next = h('button', { type: 'button', id: 'attackers-next', class: 'btn small' }, t('pager.next'));
  let seq = 0;
  let lastJSON = '';

  function params() {
    const p = new URLSearchParams();
    const { from, to } = periodRange(period);
    if (from) p.set('from', from.toISOString());
    if (to) p.set('to', to.toISOString());
    if (period.group) p.set('group', period.group);
    if (state.q) p.set('q', state.q);
    p.set('sort', state.sort);
    p.set('order', state.order);
    p.set('limit', String(PAGE_SIZE));
    const cursor = state.cursors[state.cursors.length - 1];
    if (cursor) p.set('cursor', cursor);
    return p;
  }

  /** load fetches the current page; a live reload repaints only when the answer changed. */
  async function load({ live = false, push = false } = {}) {
    const mine = ++seq;
    if (!live) {
      writeHash('attackers', {
        ...hashParams(period), q: state.q,
        sort: state.sort === 'last_seen' ? '' : state.sort, order: state.order === 'desc' ? '' : state.order,
        ...pagingParams(state.cursors),
      }, { push, memo: { attackerCursors: state.cursors } });
    }
    let page;
    try {
      page = await api.get(`/attackers?${params()}`);
    } catch (err) {
      if (mine !== seq || ctx.signal.aborted) return;
      if (err.fields?.cursor && state.cursors.length > 1) {
        // A cursor of another sort order (an edited link): start at the first page.
        state.cursors = [null];
        load();
        return;
      }
      if (err.fields?.q) {
        replace(searchError, err.fields.q);
        searchError.hidden = false;
        search.setAttribute('aria-invalid', 'true');
        // The rows of the previous search would pass for results of this one.
        lastJSON = '';
        state.page = { items: [], total: 0, next_cursor: null };
        paint();
        return;
      }
      fail(t('attackers.load_failed', { message: err.message }));
      return;
    }
    if (mine !== seq || ctx.signal.aborted) return;
    error.hidden = true;
    searchError.hidden = true;
    search.removeAttribute('aria-invalid');
    const json = JSON.stringify(page);
    if (live && json === lastJSON) return;
    lastJSON = json;
    state.loaded = true;
    state.page = { items: page.items || [], total: page.total ?? 0, next_cursor: page.next_cursor || null };
    paint();
  }

  function paint() {
    table.render();
    const { items, total: n } = state.page;
    const first = (state.cursors.length - 1) * PAGE_SIZE + 1;
    replace(total, items.length ? t('pager.range', { first, last: first + items.length - 1, of: countText(n) }) : t('pager.range_empty', { of: countText(n) }));
    prev.disabled = state.cursors.length <= 1;
    next.disabled = !state.page.next_cursor;
  }

  function firstPage() {
    state.cursors = [null];
    return load({ push: true });
  }

  prev.addEventListener('click', () => {
    if (state.cursors.length < 2) return;
    state.cursors.pop();
    // A shared link to a later page does not know the cursors before it.
    if (state.cursors.at(-1) === '') state.cursors = [null];
    window.scrollTo(0, 0);
    load({ push: true });
  });
  next.addEventListener('click', () => {
    if (state.page.next_cursor) { state.cursors.push(state.page.next_cursor); window.scrollTo(0, 0); load({ push: true }); }
  });

  let timer = 0;
  const applySearch = () => {
    clearTimeout(timer);
    const q = search.value.trim();
    if (q === state.q) return;
    state.q = q;
    firstPage();
  };
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(applySearch, SEARCH_DELAY_MS); });
  search.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); applySearch(); } });
  ctx.onLeave(() => clearTimeout(timer));

  view.append(
    h('section', { class: 'panel overview-toolbar', 'aria-label': t('attackers.toolbar') },
      bar.node,
      h('div', { class: 'period-field attackers-search' },
        h('label', { for: search.id }, t('attackers.search')), search, searchError)),
    error,
    h('section', { class: 'panel events-panel', 'aria-label': t('page.attackers') },
      table.node,
      h('footer', { class: 'panel-foot' }, h('div', { class: 'pager' }, total,
        h('div', { class: 'pager-controls' }, prev, next)))),
    h('p', { class: 'muted small' },
      t('attackers.legend')));
  paint();

  keepFresh(ctx, () => load({ live: true }));
  const groups = await api.get('/groups').catch(() => ({ items: [] }));
  if (ctx.signal.aborted) return;
  bar.setGroups((groups.items || []).slice().sort((a, b) => a.name.localeCompare(b.name)));
  await load();
}

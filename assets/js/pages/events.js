// Events page (#/events, every role): filters above, the list with sortable
// columns, paging and bulk actions below, dialogs for details, edit and
// remove. The page reloads itself in place when the live poller reports new
// events, and every few seconds while a row on it is ongoing (the attacker is
// still connected and the event grows), keeping the selection and the scroll
// position. The filters, sort, order, page size and page live in the hash
// (#/events?…), so links from other pages open a filtered list, a reload or a
// shared link shows the same view, and Back undoes a change of the view.

import { h } from '../dom.js';
import { api } from '../api.js';
import { ROLE_MANAGER } from '../format.js';
import { onNewEvents, pollNow } from '../events_live.js';
import { statusLines } from '../page_live.js';
import { writeHash } from '../links.js';
import { isCompact, setCompact } from '../density.js';
import { newState, listParams, isArchive, applyLinkQuery, linkQuery, problem } from './events_query.js';
import { filterBar } from './events_filters.js';
import { eventsTable, pager } from './events_table.js';
import { bulkBar, scopeMenu } from './events_bulk.js';
import { openEditDialog, openRemoveDialog } from './events_dialogs.js';
import { openEventDetails } from './event_details.js';
import { t } from '../i18n.js';

// How often a page with ongoing events is fetched again: they grow while the attacker stays.
const ONGOING_MS = 3000;

export async function render(view, ctx) {
  const state = newState(ctx.session.user.role >= ROLE_MANAGER);
  applyLinkQuery(state, location.hash, history.state?.eventCursors);
  const { notice, error, announce, fail } = statusLines(ctx, { notice: 'events-notice' });
  let seq = 0; // answers to superseded requests are dropped
  let ongoingTimer = 0;
  let pageJSON = '';

  const act = {
    edit: (scope) => openEditDialog(state, scope, changed),
    remove: (scope) => openRemoveDialog(state, scope, changed),
    clearSelection() { state.selected.clear(); selectionChanged(); },
  };
  const filters = filterBar(state, () => firstPage());
  const table = eventsTable(state, {
    sort(key) {
      // A new column starts ascending; the active one flips direction.
      if (state.sort === key) {
        state.order = state.order === 'asc' ? 'desc' : 'asc';
      } else {
        state.sort = key;
        state.order = 'asc';
      }
      firstPage();
    },
    select(id, checked) {
      if (checked) state.selected.add(id);
      else state.selected.delete(id);
      selectionChanged();
    },
    selectPage(checked) {
      for (const e of state.page.items) {
        if (checked) state.selected.add(e.id);
        else state.selected.delete(e.id);
      }
      selectionChanged();
    },
    details: (e) => openEventDetails(e, isArchive(state)),
    edit: (e) => act.edit({ ids: [e.id], event: e }),
    remove: (e) => act.remove({ ids: [e.id], label: t('events.event_no', { id: e.original_id || e.id }) }),
  });
  const bulk = bulkBar(state, act);
  const scope = scopeMenu(state, act);
  const paging = pager(state, {
    prev() {
      if (state.cursors.length < 2) return;
      state.cursors.pop();
      // A shared link to a later page does not know the cursors before it.
      if (state.cursors.at(-1) === '') state.cursors = [null];
      turnPage();
    },
    next() { if (state.page.next_cursor) { state.cursors.push(state.page.next_cursor); turnPage(); } },
    size(limit) { state.limit = limit; firstPage(); },
  }, scope.node, densityToggle());
  const archiveNote = h('p', { class: 'notice', hidden: true },
    t('events.archive_note'));

  /** paint re-renders everything that depends on state (not the filter inputs). */
  function paint(fresh) {
    table.render(fresh);
    paging.render();
    bulk.render();
    scope.render();
    archiveNote.hidden = !isArchive(state);
  }

  function selectionChanged() {
    table.syncSelection();
    bulk.render();
  }

  /**
   * load fetches the current page. With live=true it is an in-place refresh:
   * the selection stays, the scroll position is restored and rows that were
   * not there before are highlighted. push=true records the view as a new
   * history entry (the user changed it).
   */
  async function load({ live = false, push = false } = {}) {
    const mine = ++seq;
    clearTimeout(ongoingTimer);
    if (!live) writeHash('events', linkQuery(state), { push, memo: { eventCursors: state.cursors } });
    state.problem = problem(state);
    if (state.problem) {
      // Filters that cannot be searched list nothing (and the empty list says why), rather
      // than leaving the rows of the last search under filters that no longer match them.
      pageJSON = '';
      state.page = { items: [], total: 0, next_cursor: null };
      error.hidden = true;
      paint();
      return;
    }
    const before = new Set(state.page.items.map((e) => e.id));
    let page;
    try {
      page = await api.get(`/events?${listParams(state)}`);
    } catch (err) {
      if (mine !== seq || ctx.signal.aborted) return;
      if (err.fields?.cursor && state.cursors.length > 1) {
        // A cursor of another sort order (an edited link): start at the first page.
        state.cursors = [null];
        load();
        return;
      }
      fail(t('events.load_failed', { message: err.message }));
      return;
    }
    if (mine !== seq || ctx.signal.aborted) return;
    error.hidden = true;
    const items = page.items || [];
    watchOngoing(items);
    // A live reload that brings nothing new leaves the rows alone (no flicker, focus kept).
    const json = JSON.stringify(page);
    if (live && json === pageJSON) return;
    pageJSON = json;
    const y = window.scrollY;
    state.page = { items, total: page.total ?? 0, total_exact: page.total_exact, next_cursor: page.next_cursor || null };
    const fresh = live ? new Set(items.map((e) => e.id).filter((id) => !before.has(id))) : undefined;
    paint(fresh);
    if (live) window.scrollTo(0, y);
  }

  /** watchOngoing fetches the page again soon while one of its events is still growing. */
  function watchOngoing(items) {
    if (isArchive(state) || !items.some((e) => e.ongoing)) return;
    ongoingTimer = setTimeout(() => {
      if (!ctx.signal.aborted && !document.hidden) load({ live: true });
      else if (!ctx.signal.aborted) watchOngoing(items);
    }, ONGOING_MS);
  }

  // Filters, sorting and page size change what "page 1" is; a selection
  // made under other filters would act on rows that are no longer shown.
  function firstPage() {
    state.cursors = [null];
    state.selected.clear();
    return load({ push: true });
  }

  function turnPage() {
    state.selected.clear();
    window.scrollTo(0, 0);
    return load({ push: true });
  }

  /** changed runs after a successful edit/remove: confirm, refresh list and badge. */
  function changed(message) {
    state.selected.clear();
    announce(message);
    pollNow();
    return load();
  }

  ctx.onLeave(onNewEvents(() => {
    if (!isArchive(state)) load({ live: true });
  }));
  ctx.onLeave(() => clearTimeout(ongoingTimer));

  view.append(
    filters.node,
    notice,
    error,
    archiveNote,
    h('section', { class: 'panel events-panel', 'aria-label': t('page.events') },
      table.node,
      bulk.node,
      h('footer', { class: 'panel-foot' }, paging.node)));
  paint();
  await Promise.all([filters.load(), load()]);
}

/** densityToggle switches the lists between comfortable and compact rows (desktop only). */
function densityToggle() {
  const b = h('button', {
    type: 'button', id: 'density-toggle', class: 'btn small density-toggle', 'aria-pressed': String(isCompact()),
    title: t('events.compact_title'),
  }, t('events.compact'));
  b.addEventListener('click', () => {
    const on = !isCompact();
    setCompact(on);
    b.setAttribute('aria-pressed', String(on));
  });
  return b;
}

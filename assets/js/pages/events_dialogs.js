// Edit and Remove dialogs for one event, a selection, a page or every event
// matching the filters. scope is {ids, event?, label?} (event: the single row
// being edited, to prefill its values; label: how to name it) or {all: true}
// (server-side, by filter).
// done(message) is called after a successful change.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { openDialog } from '../dialog.js';
import { field, checkbox } from '../forms.js';
import { STATUSES, statusName, plural, countText } from '../event_labels.js';
import { filterBody, isArchive } from './events_query.js';
import { archiveSettings } from '../archive_prefs.js';

const COMMENT_MAX = 1000;

/** target is the part of the PATCH/DELETE body that says which events. */
function target(state, scope) {
  return scope.all ? { filter: filterBody(state) } : { ids: scope.ids };
}

/** what names the events in a sentence: "event #7", "3 events", "all 1,234 events …". */
function what(state, scope) {
  if (scope.all) return `all ${plural(state.page.total, 'count.events')} matching the current filters (on every page)`;
  if (scope.label) return scope.label;
  if (scope.ids.length === 1) return `event #${scope.ids[0]}`;
  return plural(scope.ids.length, 'count.events');
}

export function openEditDialog(state, scope, done) {
  const single = scope.event || null;
  const status = h('select', { id: 'edit-status', name: 'status' },
    single ? null : h('option', { value: '' }, '(no change)'),
    Object.keys(STATUSES).map((v) => h('option', { value: v }, statusName(v))));
  status.value = single ? String(single.status) : '';

  const comment = h('textarea', { id: 'edit-comment', name: 'comment', rows: 4, maxlength: COMMENT_MAX });
  comment.value = single ? single.comment || '' : '';
  const counter = h('span', { class: 'counter' });
  const count = () => replace(counter, `${countText(comment.value.length)} / ${countText(COMMENT_MAX)}`);
  comment.addEventListener('input', count);
  count();

  const hint = single ? null : 'Leave empty to keep each event’s comment.';
  const body = [
    scope.all ? h('p', { class: 'notice' }, `This changes ${what(state, scope)}.`) : null,
    field('Status', status, 'status'),
    field('Comment', comment, 'comment', hint),
    counter,
  ];

  openDialog({
    title: single ? `Edit event #${single.id}` : `Edit ${scope.all ? 'all matching events' : what(state, scope)}`,
    body,
    submit: { label: 'Save', id: 'edit-save' },
    testid: 'edit-dialog',
    async onSubmit() {
      const req = target(state, scope);
      if (status.value !== '') req.status = Number(status.value);
      // For several events an empty box means "keep their comments"; for
      // one event the box shows its comment, so emptying it clears it.
      if (single || comment.value.trim() !== '') req.comment = comment.value;
      if (req.status === undefined && req.comment === undefined) {
        throw new Error('Choose a status or enter a comment.');
      }
      const res = await api.patch('/events', req);
      done(`${plural(res.updated ?? 0, 'count.events')} updated.`);
    },
  });
}

/**
 * openRemoveDialog asks before removing. For live events "Move events to
 * archive" starts ticked when the admin preference (System → Event archive)
 * says so, which is read before the dialog opens.
 */
export async function openRemoveDialog(state, scope, done) {
  const archive = isArchive(state);
  const prefer = archive ? false : Boolean((await archiveSettings()).prefer);
  const move = checkbox('Move events to archive', { id: 'remove-archive', checked: prefer });
  const box = move.querySelector('input');
  const body = archive
    ? h('p', { class: 'notice danger' },
      'Archived events are removed permanently. They can only be restored from a backup.')
    : [move, h('p', { class: 'hint' },
      'Archived events stay available under Dataset → Archive, read-only. Without this, events are deleted.')];

  const dlg = openDialog({
    title: archive ? 'Remove archived events' : 'Remove events',
    body: [h('p', { class: 'strong' }, `Remove ${what(state, scope)}?`), body],
    submit: { label: archive ? 'Remove permanently' : 'Remove', id: 'remove-confirm', danger: true },
    testid: 'remove-dialog',
    async onSubmit() {
      const toArchive = !archive && box.checked;
      const res = await api.del('/events', {
        body: { ...target(state, scope), dataset: state.filters.dataset, archive: toArchive },
      });
      // Moved events also leave the live list, so "removed" may count them too.
      done(res.archived
        ? `${plural(res.archived, 'count.events')} moved to the archive.`
        : `${plural(res.removed ?? 0, 'count.events')} removed.`);
    },
  });

  // The button says what will happen, so "archive" and "delete" are never confused.
  const confirm = dlg.querySelector('#remove-confirm');
  const sync = () => {
    replace(confirm, box.checked ? 'Move to archive' : 'Remove');
    confirm.classList.toggle('danger', !box.checked);
    confirm.classList.toggle('primary', box.checked);
  };
  if (!archive) {
    box.addEventListener('change', sync);
    sync();
  }
  // The dialog focuses the first input; for a destructive choice start on Cancel instead.
  dlg.querySelector('.dialog-foot .btn').focus();
}

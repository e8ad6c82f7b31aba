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
import { t } from '../i18n.js';

const COMMENT_MAX = 1000;

/** target is the part of the PATCH/DELETE body that says which events. */
function target(state, scope) {
  return scope.all ? { filter: filterBody(state) } : { ids: scope.ids };
}

/** what names the events in a sentence: "event #7", "3 events", "all 1,234 events …". */
function what(state, scope) {
  if (scope.all) return t('bulk.all_matching', { events: plural(state.page.total, 'count.events') });
  if (scope.label) return scope.label;
  if (scope.ids.length === 1) return t('events.event_no', { id: scope.ids[0] });
  return plural(scope.ids.length, 'count.events');
}

export function openEditDialog(state, scope, done) {
  const single = scope.event || null;
  const status = h('select', { id: 'edit-status', name: 'status' },
    single ? null : h('option', { value: '' }, t('bulk.no_change')),
    Object.keys(STATUSES).map((v) => h('option', { value: v }, statusName(v))));
  status.value = single ? String(single.status) : '';

  const comment = h('textarea', { id: 'edit-comment', name: 'comment', rows: 4, maxlength: COMMENT_MAX });
  comment.value = single ? single.comment || '' : '';
  const counter = h('span', { class: 'counter' });
  const count = () => replace(counter, `${countText(comment.value.length)} / ${countText(COMMENT_MAX)}`);
  comment.addEventListener('input', count);
  count();

  const hint = single ? null : t('bulk.comment_hint');
  const body = [
    scope.all ? h('p', { class: 'notice' }, t('bulk.this_changes', { what: what(state, scope) })) : null,
    field(t('events.col_status'), status, 'status'),
    field(t('events.comment'), comment, 'comment', hint),
    counter,
  ];

  openDialog({
    title: single ? t('bulk.edit_title', { what: t('events.event_no', { id: single.id }) })
      : t('bulk.edit_title', { what: scope.all ? t('bulk.all_matching_short') : what(state, scope) }),
    body,
    submit: { label: t('common.save'), id: 'edit-save' },
    testid: 'edit-dialog',
    async onSubmit() {
      const req = target(state, scope);
      if (status.value !== '') req.status = Number(status.value);
      // For several events an empty box means "keep their comments"; for
      // one event the box shows its comment, so emptying it clears it.
      if (single || comment.value.trim() !== '') req.comment = comment.value;
      if (req.status === undefined && req.comment === undefined) {
        throw new Error(t('bulk.nothing_to_change'));
      }
      const res = await api.patch('/events', req);
      done(t('bulk.updated', { events: plural(res.updated ?? 0, 'count.events') }));
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
  const move = checkbox(t('bulk.move_to_archive_check'), { id: 'remove-archive', checked: prefer });
  const box = move.querySelector('input');
  const body = archive
    ? h('p', { class: 'notice danger' },
      t('bulk.archived_permanent'))
    : [move, h('p', { class: 'hint' },
      t('bulk.archive_hint'))];

  const dlg = openDialog({
    title: archive ? t('bulk.remove_archived_title') : t('bulk.remove_title'),
    body: [h('p', { class: 'strong' }, t('bulk.remove_question', { what: what(state, scope) })), body],
    submit: { label: archive ? t('bulk.remove_permanently') : t('bulk.remove'), id: 'remove-confirm', danger: true },
    testid: 'remove-dialog',
    async onSubmit() {
      const toArchive = !archive && box.checked;
      const res = await api.del('/events', {
        body: { ...target(state, scope), dataset: state.filters.dataset, archive: toArchive },
      });
      // Moved events also leave the live list, so "removed" may count them too.
      done(res.archived
        ? t('bulk.archived', { events: plural(res.archived, 'count.events') })
        : t('bulk.removed', { events: plural(res.removed ?? 0, 'count.events') }));
    },
  });

  // The button says what will happen, so "archive" and "delete" are never confused.
  const confirm = dlg.querySelector('#remove-confirm');
  const sync = () => {
    replace(confirm, box.checked ? t('bulk.move_to_archive') : t('bulk.remove'));
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

// The dialog that deletes a group or a sensor: the events it leaves can be
// deleted with it or moved to the archive.

import { h } from '../dom.js';
import { api } from '../api.js';
import { openDialog } from '../dialog.js';
import { checkbox } from '../forms.js';
import { plural } from '../event_labels.js';

/**
 * openArchiveDeleteDialog asks before the deletion.
 *   question, effect, hint  the texts around the "move the events" box
 *   move                    {label, id, checked} of that box
 *   submit                  {label, id} of the delete button
 *   path                    the API path to DELETE, with {archive} as body
 *   deleted                 async (answer, events) => {...} after the deletion;
 *                           events is the count of events it deleted or moved, as text
 * The dialog starts on Cancel, not on the checkbox: the choice is destructive.
 */
export function openArchiveDeleteDialog({ title, question, effect, hint, move, submit, testid, path, deleted }) {
  const box = checkbox(move.label, { id: move.id, checked: move.checked });
  const dlg = openDialog({
    title,
    body: [
      h('p', { class: 'strong' }, question),
      h('p', null, effect),
      box,
      h('p', { class: 'hint' }, hint),
    ],
    submit: { ...submit, danger: true },
    testid,
    async onSubmit() {
      const res = await api.del(path, { body: { archive: box.querySelector('input').checked } });
      await deleted(res, plural(res.events ?? 0, 'count.events'));
    },
  });
  dlg.querySelector('.dialog-foot .btn').focus();
}

// System → Event archive (#/system/archive, admin): the automatic archive and
// retention jobs, the "Move events to archive" pre-tick preference, and a
// "Run now" button for one run of the daily job.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { field, checkbox, errorLine, showError, clearErrors, busy } from '../forms.js';
import { plural, countText } from '../event_labels.js';
import { rememberArchiveSettings } from '../archive_prefs.js';
import { systemTabs } from './system.js';

export async function render(view) {
  const settings = await api.get('/settings/archive');
  view.append(systemTabs('system/archive'), settingsPanel(settings), runPanel());
}

/** days is a whole-number input for a count of days. */
function days(id, name, value, max) {
  return h('input', {
    id, name, type: 'number', min: 0, max, step: 1, inputmode: 'numeric', required: true,
    value: String(value ?? 0), class: 'days-input',
  });
}

function settingsPanel(s) {
  const prefer = checkbox('When removing events, tick ‘Move events to archive’ by default',
    { id: 'archive-prefer', name: 'prefer', checked: Boolean(s.prefer) });
  const moveDays = days('archive-move-days', 'move_days', s.move_days, 3650);
  const keepDays = days('archive-keep-days', 'keep_days', s.keep_days, 36500);
  const runAt = h('input', { id: 'archive-run-at', name: 'run_at', type: 'time', required: true, value: s.run_at || '03:00', class: 'time-input' });
  const save = h('button', { type: 'submit', id: 'archive-save', class: 'btn primary' }, 'Save');
  const saved = h('span', { id: 'archive-saved', class: 'muted', role: 'status' });

  const form = h('form', { class: 'panel-body stack archive-form', novalidate: true },
    h('div', { class: 'field', 'data-field': 'prefer' }, prefer,
      h('div', { class: 'hint' }, 'Applies to the Remove dialog of the events list and to deleting a group.'),
      h('div', { class: 'field-error', hidden: true })),
    field('Automatically move Resolved and Ignored events to the archive after N days (0 = off)', moveDays, 'move_days',
      'Counted from the event’s last change.'),
    field('Delete archived events after M days (0 = keep)', keepDays, 'keep_days',
      'Counted from the day an event was archived. Deleted events can only be restored from a backup.'),
    field('Run daily at', runAt, 'run_at', 'Appliance local time.'),
    errorLine('archive-error'),
    h('div', { class: 'form-actions' }, save, saved));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    replace(saved);
    try {
      const body = {
        prefer: prefer.querySelector('input').checked,
        move_days: wholeNumber(moveDays, 'move_days'),
        keep_days: wholeNumber(keepDays, 'keep_days'),
        run_at: runAt.value,
      };
      const res = await busy(save, () => api.patch('/settings/archive', body));
      rememberArchiveSettings(res);
      moveDays.value = String(res.move_days);
      keepDays.value = String(res.keep_days);
      runAt.value = res.run_at;
      replace(saved, 'Saved.');
    } catch (err) {
      showError(form, err, err.fields && Object.keys(err.fields).length ? 'Check the marked fields.' : undefined);
    }
  });

  return h('section', { class: 'panel', 'aria-labelledby': 'archive-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'archive-head' }, 'Archive settings')),
    form);
}

/**
 * wholeNumber reads a number input. An empty or non-numeric box would be sent
 * as something the server cannot read, so it is flagged here in the server's
 * error shape (the server checks the ranges).
 */
function wholeNumber(input, name) {
  const raw = input.value.trim();
  if (raw === '' || !/^\d+$/.test(raw)) {
    const err = new Error('Check the marked fields.');
    err.fields = { [name]: 'Enter a whole number of days (0 or more).' };
    throw err;
  }
  return Number(raw);
}

function runPanel() {
  const run = h('button', { type: 'button', id: 'archive-run-now', class: 'btn' }, 'Run now');
  const result = h('p', { id: 'archive-run-result', role: 'status', hidden: true });
  run.addEventListener('click', async () => {
    result.hidden = true;
    try {
      const res = await busy(run, () => api.post('/archive/run', {}));
      replace(result, `${plural(res.archived ?? 0, 'count.events')} moved, ${countText(res.deleted ?? 0)} deleted.`);
      result.className = 'notice success';
    } catch (err) {
      replace(result, err.message || 'The run failed.');
      result.className = 'notice danger';
    }
    result.hidden = false;
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'archive-run-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'archive-run-head' }, 'Run the archive job now')),
    h('div', { class: 'panel-body stack' },
      h('p', { class: 'muted' },
        'Runs the daily job once with the saved settings: moves Resolved and Ignored events older than N days to the archive and deletes archived events older than M days.'),
      h('div', { class: 'form-actions' }, run),
      result));
}

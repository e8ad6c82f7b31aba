// System → Event archive (#/system/archive, admin): the automatic archive and
// retention jobs, the "Move events to archive" pre-tick preference, and a
// "Run now" button for one run of the daily job.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { field, checkbox, errorLine, showError, clearErrors, busy } from '../forms.js';
import { plural } from '../event_labels.js';
import { rememberArchiveSettings } from '../archive_prefs.js';
import { systemTabs } from './system.js';
import { t } from '../i18n.js';

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
  const prefer = checkbox(t('archive.prefer'),
    { id: 'archive-prefer', name: 'prefer', checked: Boolean(s.prefer) });
  const moveDays = days('archive-move-days', 'move_days', s.move_days, 3650);
  const keepDays = days('archive-keep-days', 'keep_days', s.keep_days, 36500);
  const runAt = h('input', { id: 'archive-run-at', name: 'run_at', type: 'time', required: true, value: s.run_at || '03:00', class: 'time-input' });
  const save = h('button', { type: 'submit', id: 'archive-save', class: 'btn primary' }, t('common.save'));
  const saved = h('span', { id: 'archive-saved', class: 'muted', role: 'status' });

  const form = h('form', { class: 'panel-body stack archive-form', novalidate: true },
    h('div', { class: 'field', 'data-field': 'prefer' }, prefer,
      h('div', { class: 'hint' }, t('archive.prefer_hint')),
      h('div', { class: 'field-error', hidden: true })),
    field(t('archive.move_days'), moveDays, 'move_days', t('archive.move_days_hint')),
    field(t('archive.keep_days'), keepDays, 'keep_days', t('archive.keep_days_hint')),
    field(t('archive.run_at'), runAt, 'run_at', t('archive.run_at_hint')),
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
      replace(saved, t('common.saved'));
    } catch (err) {
      showError(form, err, err.fields && Object.keys(err.fields).length ? t('form.check_fields') : undefined);
    }
  });

  return h('section', { class: 'panel', 'aria-labelledby': 'archive-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'archive-head' }, t('archive.settings'))),
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
    const err = new Error(t('form.check_fields'));
    err.fields = { [name]: t('archive.whole_days') };
    throw err;
  }
  return Number(raw);
}

function runPanel() {
  const run = h('button', { type: 'button', id: 'archive-run-now', class: 'btn' }, t('archive.run_now'));
  const result = h('p', { id: 'archive-run-result', role: 'status', hidden: true });
  run.addEventListener('click', async () => {
    result.hidden = true;
    try {
      const res = await busy(run, () => api.post('/archive/run', {}));
      replace(result, t('archive.run_result', { moved: plural(res.archived ?? 0, 'count.events'), deleted: res.deleted ?? 0 }));
      result.className = 'notice success';
    } catch (err) {
      replace(result, err.message || t('archive.run_failed'));
      result.className = 'notice danger';
    }
    result.hidden = false;
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'archive-run-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'archive-run-head' }, t('archive.run_head'))),
    h('div', { class: 'panel-body stack' },
      h('p', { class: 'muted' },
        t('archive.run_text')),
      h('div', { class: 'form-actions' }, run),
      result));
}

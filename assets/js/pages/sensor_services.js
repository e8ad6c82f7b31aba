// Settings of one service on one sensor: on/off and its settings object,
// edited as a form per service kind (ports, banners, accepted credentials,
// limits; see service_forms.js) and, under "Advanced (JSON)", as the raw
// object. Both stay in step: a form change rewrites the JSON, a JSON change
// refills the form. The server checks the settings by building the service and
// answers field errors as config.<key> (under the form's field) or "config"
// (under the JSON). Observers get the same dialog read-only.

import { h } from '../dom.js';
import { api } from '../api.js';
import { openDialog, openViewDialog } from '../dialog.js';
import { field, checkbox, revealErrors } from '../forms.js';
import { formatTime } from '../format.js';
import { serviceWord, serviceState } from './sensor_labels.js';
import { serviceForm } from './service_forms.js';
import { t } from '../i18n.js';

const TEXT = {
  title: (service, sensor) => t('service.title', { service, sensor }),
  enabled: () => t('service.enabled'),
  advanced: () => t('service.advanced'),
  json: () => t('service.json'),
  jsonHint: () => t('service.json_hint'),
  jsonHintNew: () => t('service.json_hint_new'),
  formHintNew: () => t('service.form_hint_new'),
  remote: () => t('service.remote'),
  save: () => t('common.save'),
  saved: (title) => t('service.saved', { title }),
  invalid: () => t('svc.invalid'),
  notJSON: (message) => t('service.not_json', { message }),
  notObject: () => t('service.not_object'),
  state: () => t('service.state'),
  changed: (time) => ` ${t('service.changed', { time })}`,
};

/** openServiceSettings opens the dialog for service name of sensor s. */
export function openServiceSettings(s, name, state, done) {
  const sv = (s.services || []).find((x) => x.name === name);
  const stored = sv && sv.config !== undefined && sv.config !== null ? sv.config : null;
  const title = TEXT.title(serviceWord(name), s.name);
  const enabledBox = checkbox(TEXT.enabled(), { id: 'service-enabled', checked: sv ? sv.enabled : false, disabled: !state.canEdit });
  const form = serviceForm(name, stored, !state.canEdit);
  const config = h('textarea', {
    id: 'service-config', name: 'config', rows: form.nodes.length ? 8 : 14, class: 'mono code-editor',
    spellcheck: 'false', autocomplete: 'off', readonly: !state.canEdit,
  });
  config.value = stored ? JSON.stringify(stored, null, 2) : '';
  const fields = h('div', { class: 'service-form' }, form.nodes);
  const jsonField = field(TEXT.json(), config, 'config', sv ? TEXT.jsonHint() : TEXT.jsonHintNew());
  // Open, so the object stays in sight for those who know it; the form comes first.
  // A service kind without a form has only the JSON.
  const advanced = form.nodes.length
    ? h('details', { class: 'service-advanced', open: true }, h('summary', null, TEXT.advanced()), jsonField)
    : jsonField;

  const body = [
    stateLine(sv),
    enabledBox,
    !sv && form.nodes.length ? h('p', { class: 'hint' }, TEXT.formHintNew()) : null,
    form.nodes.length ? fields : null,
    advanced,
    s.local ? null : h('p', { class: 'hint' }, TEXT.remote()),
  ];

  if (!state.canEdit) {
    openViewDialog({ title, body, id: 'service-settings', testid: 'service-settings' });
    return;
  }
  const dlg = openDialog({
    title,
    body,
    submit: { label: TEXT.save(), id: 'service-config-save' },
    testid: 'service-settings',
    async onSubmit(f) {
      try {
        const settings = form.apply(parseSettings(config.value));
        const enabled = enabledBox.querySelector('input').checked;
        await api.put(`/sensors/${s.id}/services/${encodeURIComponent(name)}`, { enabled, config: settings });
      } catch (err) {
        revealErrors(f, '.has-error, .form-error:not([hidden])');
        throw err;
      }
      await done(TEXT.saved(title));
    },
  });
  dlg.id = 'service-settings';
  dlg.classList.add('service-dialog');

  // A form change shows in the JSON at once; a field that cannot be read yet
  // (a half-typed port) leaves the JSON as it is until it can.
  fields.addEventListener('input', () => {
    try {
      const obj = form.apply(parseSettings(config.value));
      config.value = obj === null ? '' : JSON.stringify(obj, null, 2);
    } catch { /* shown on save */ }
  });
  // A JSON change refills the form once the text is a valid object again.
  config.addEventListener('input', () => {
    try {
      form.load(parseSettings(config.value));
    } catch { /* shown on save */ }
  });
  // Tab inserts two spaces in the editor instead of leaving it; Esc still closes the dialog.
  config.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Tab' || ev.shiftKey || ev.ctrlKey || ev.altKey || ev.metaKey) return;
    ev.preventDefault();
    config.setRangeText('  ', config.selectionStart, config.selectionEnd, 'end');
  });
}

/** stateLine shows what the sensor last reported for the service. */
function stateLine(sv) {
  const st = serviceState(sv, sv ? sv.enabled : false);
  return h('p', { class: 'svc-state-line' },
    `${TEXT.state()} `, h('span', { class: `svc-state ${st.cls}` }, st.label),
    st.reason ? [' — ', h('span', { class: 'svc-reason-inline' }, st.reason)] : null,
    sv && sv.updated_at ? h('span', { class: 'muted' }, TEXT.changed(formatTime(sv.updated_at))) : null);
}

/**
 * parseSettings turns the editor text into the settings object; empty text
 * means "defaults" (null). Syntax errors are shown under the editor like the
 * server's field errors.
 */
function parseSettings(text) {
  if (text.trim() === '') return null;
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw settingsError(TEXT.notJSON(err.message));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw settingsError(TEXT.notObject());
  }
  return value;
}

function settingsError(message) {
  const err = new Error(TEXT.invalid());
  err.fields = { config: message };
  return err;
}

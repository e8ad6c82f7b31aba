// Settings of one service on one sensor: on/off and its settings object,
// edited as JSON (each service kind has its own keys: ports, banners,
// credential policy, ...). The server checks the settings by building the
// service and answers a field error "config" when they are not valid.
// Observers get the same dialog read-only.

import { h } from '../dom.js';
import { api } from '../api.js';
import { openDialog, openViewDialog } from '../dialog.js';
import { field, checkbox } from '../forms.js';
import { formatTime } from '../format.js';
import { serviceWord, serviceState } from './sensor_labels.js';

/** openServiceSettings opens the dialog for service name of sensor s. */
export function openServiceSettings(s, name, state, done) {
  const sv = (s.services || []).find((x) => x.name === name);
  const title = `${serviceWord(name)} on ${s.name}`;
  const enabledBox = checkbox('Enabled', { id: 'service-enabled', checked: sv ? sv.enabled : false, disabled: !state.canEdit });
  const config = h('textarea', {
    id: 'service-config', name: 'config', rows: 14, class: 'mono code-editor',
    spellcheck: 'false', autocomplete: 'off', readonly: !state.canEdit,
  });
  config.value = sv && sv.config !== undefined && sv.config !== null ? JSON.stringify(sv.config, null, 2) : '';

  const body = [
    stateLine(sv),
    enabledBox,
    field('Settings (JSON)', config, 'config', sv
      ? 'The service’s settings object. Keys left out keep their defaults.'
      : 'Not assigned yet: leave empty to use the defaults.'),
    s.local ? null : h('p', { class: 'hint' }, 'A remote sensor applies the change with its next contact.'),
  ];

  if (!state.canEdit) {
    openViewDialog({ title, body, id: 'service-settings', testid: 'service-settings' });
    return;
  }
  const dlg = openDialog({
    title,
    body,
    submit: { label: 'Save', id: 'service-config-save' },
    testid: 'service-settings',
    async onSubmit() {
      const settings = parseSettings(config.value);
      const enabled = enabledBox.querySelector('input').checked;
      await api.put(`/sensors/${s.id}/services/${encodeURIComponent(name)}`, { enabled, config: settings });
      await done(`${title}: settings saved.`);
    },
  });
  dlg.id = 'service-settings';
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
    'State: ', h('span', { class: `svc-state ${st.cls}` }, st.label),
    st.reason ? [' — ', h('span', { class: 'svc-reason-inline' }, st.reason)] : null,
    sv && sv.updated_at ? h('span', { class: 'muted' }, ` (changed ${formatTime(sv.updated_at)})`) : null);
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
    throw settingsError(`Not valid JSON: ${err.message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw settingsError('The settings must be a JSON object: { "key": value, ... }.');
  }
  return value;
}

function settingsError(message) {
  const err = new Error('The service’s settings are not valid.');
  err.fields = { config: message };
  return err;
}

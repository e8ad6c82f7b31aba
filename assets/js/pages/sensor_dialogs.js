// Sensor dialogs: add/edit, the one-time secret after adding, remove (with
// "move its events to the archive") and the online/offline history.
// done(message) refreshes the page after a change.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { openDialog, openViewDialog } from '../dialog.js';
import { field } from '../forms.js';
import { formatTime } from '../format.js';
import { statusBadge } from './sensor_labels.js';
import { t } from '../i18n.js';
import { copyRow } from './copy_row.js';
import { openArchiveDeleteDialog } from './archive_delete_dialog.js';

const INTERVAL_MIN = 10;
const INTERVAL_MAX = 3600;

/** openSensorDialog adds a sensor (sensor = null) or edits one. */
export function openSensorDialog(sensor, state, done) {
  const s = sensor || { name: '', location: '', group: null, update_interval: 60 };
  const name = h('input', { id: 'sensor-name', name: 'name', value: s.name, maxlength: 64, autocomplete: 'off', required: true });
  const location = h('input', { id: 'sensor-location', name: 'location', value: s.location || '', autocomplete: 'off', placeholder: t('sensor.location_placeholder') });
  const groups = [...state.groups.entries()];
  const group = h('select', { id: 'sensor-group', name: 'group' },
    groups.map(([id, label]) => h('option', { value: id }, label)));
  if (s.group !== null && !state.groups.has(s.group)) {
    group.append(h('option', { value: s.group }, t('sensor.group_no', { id: s.group })));
  }
  if (s.group !== null) group.value = String(s.group);
  const interval = h('input', {
    id: 'sensor-interval', name: 'update_interval', type: 'number',
    min: INTERVAL_MIN, max: INTERVAL_MAX, step: 1, value: s.update_interval,
  });

  openDialog({
    title: sensor ? t('sensor.edit_title', { name: s.name }) : t('sensors.add'),
    body: [
      field(t('common.name'), name, 'name', t('sensor.name_hint')),
      field(t('sensor.location'), location, 'location'),
      field(t('events.col_group'), group, 'group', t('sensor.group_hint')),
      field(t('sensor.interval'), interval, 'update_interval',
        t('sensor.interval_hint', { min: INTERVAL_MIN, max: INTERVAL_MAX })),
    ],
    submit: { label: sensor ? t('common.save') : t('sensors.add'), id: 'sensor-save' },
    testid: 'sensor-dialog',
    async onSubmit() {
      const data = {
        name: name.value.trim(),
        location: location.value.trim(),
        group: Number(group.value),
        update_interval: Number(interval.value),
      };
      if (sensor) {
        await api.patch(`/sensors/${s.id}`, data);
        await done(t('sensor.saved', { name: data.name }));
        return;
      }
      const created = await api.post('/sensors', data);
      await done(t('sensor.added', { name: created.name }));
      // Show the secret once this dialog has closed (it closes when onSubmit resolves).
      setTimeout(() => openSecretDialog(created), 0);
    },
  });
}

/** openSecretDialog shows a new sensor's secret once, with the config download. */
function openSecretDialog(s) {
  const secret = copyRow({
    id: 'sensor-secret', copyId: 'sensor-secret-copy', value: s.secret, label: t('sensor.secret'), pressCopy: t('sensor.press_copy'),
  });
  const download = h('a', {
    id: 'sensor-config-download', class: 'btn primary',
    href: `/api/sensors/${s.id}/config`, download: `sensor-${s.id}.json`,
  }, t('sensors.download_config'));
  const original = h('a', {
    id: 'sensor-config-original', class: 'btn',
    href: `/api/sensors/${s.id}/config?format=original`, download: `s${s.id}.tar.gz`,
  }, t('sensor.original_archive'));
  openViewDialog({
    title: t('sensor.added_title', { name: s.name }),
    id: 'sensor-created',
    testid: 'sensor-created',
    body: [
      h('div', { class: 'notice success token-reveal' },
        h('p', null, h('strong', null, t('sensor.secret_is')), ' ', t('sensor.shown_once')),
        secret),
      h('p', null, t('sensor.download_and_start')),
      h('pre', { class: 'payload' }, `honeysens sensor --config sensor-${s.id}.json`),
      h('p', null, t('sensor.original_hint')),
      h('p', { class: 'hint' }, t('sensor.download_again')),
    ],
    actions: [original, download],
  });
  secret.querySelector('input').select();
}

/** openRemoveSensorDialog removes a remote sensor, archiving its events by default. */
export function openRemoveSensorDialog(s, done) {
  openArchiveDeleteDialog({
    title: t('sensor.remove_title'),
    question: t('sensor.remove_question', { name: s.name }),
    effect: t('sensor.remove_secret'),
    hint: t('sensor.remove_archive_hint'),
    move: { label: t('sensor.move_events'), id: 'remove-archive-events', checked: true },
    submit: { label: t('bulk.remove'), id: 'sensor-remove-confirm' },
    testid: 'sensor-remove-dialog',
    path: `/sensors/${s.id}`,
    async deleted(res, events) {
      await done(t(res.archived ? 'sensor.removed_archived' : 'sensor.removed_deleted', { name: s.name, events }));
    },
  });
}

// The history is written by the server's timeout job every few seconds, so an
// open history reloads itself like the page does.
const HISTORY_REFRESH_MS = 10000;

/** openStatusHistory lists the sensor's recent online/offline changes, newest first. */
export async function openStatusHistory(s) {
  const list = h('div', { id: 'sensor-history-list', class: 'history-list' }, h('p', { class: 'muted' }, t('app.loading')));
  const dlg = openViewDialog({
    title: t('sensor.history_title', { name: s.name }),
    id: 'sensor-history',
    testid: 'sensor-history',
    body: [
      h('dl', { class: 'props' },
        h('dt', null, t('sensor.now')), h('dd', null, statusBadge(s)),
        h('dt', null, t('sensors.last_contact')), h('dd', null, s.last_contact ? formatTime(s.last_contact) : t('common.never')),
        h('dt', null, t('sensor.last_ip')), h('dd', { class: 'mono' }, s.last_ip || '—'),
        h('dt', null, t('sensor.interval_short')), h('dd', null, t('sensor.seconds', { count: s.update_interval }))),
      h('h3', { class: 'section-head' }, t('sensor.changes')),
      list,
    ],
  });
  let last = '';
  async function load() {
    try {
      const res = await api.get(`/sensors/${s.id}/status`);
      const json = JSON.stringify(res.items || []);
      if (json !== last) {
        last = json;
        replace(list, historyTable(res.items || []));
      }
    } catch (err) {
      replace(list, h('p', { class: 'notice danger' }, t('sensor.history_failed', { message: err.message })));
    }
  }
  // Closing the dialog ends the reloads; the router closes it when the page is left.
  const timer = setInterval(load, HISTORY_REFRESH_MS);
  dlg.addEventListener('close', () => clearInterval(timer));
  await load();
}

function historyTable(items) {
  if (!items.length) return h('p', { class: 'muted' }, t('sensor.no_changes'));
  return h('table', { class: 'table compact-table', 'data-testid': 'history-table' },
    h('thead', null, h('tr', null, h('th', null, t('events.col_time')), h('th', null, t('sensor.change')))),
    h('tbody', null, items.map((c) => h('tr', null,
      h('td', { class: 'nowrap' }, formatTime(c.time)),
      h('td', null, h('span', { class: `sensor-status ${c.online ? 'st-online' : 'st-offline'}` },
        h('span', { class: 'dot', 'aria-hidden': 'true' }), c.online ? t('sensor.online') : t('sensor.offline')))))));
}

// Sensor dialogs: add/edit, the one-time secret after adding, remove (with
// "move its events to the archive") and the online/offline history.
// done(message) refreshes the page after a change.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { openDialog, openViewDialog } from '../dialog.js';
import { field, checkbox } from '../forms.js';
import { formatTime } from '../format.js';
import { statusBadge } from './sensor_labels.js';

const INTERVAL_MIN = 10;
const INTERVAL_MAX = 3600;

/** openSensorDialog adds a sensor (sensor = null) or edits one. */
export function openSensorDialog(sensor, state, done) {
  const s = sensor || { name: '', location: '', group: null, update_interval: 60 };
  const name = h('input', { id: 'sensor-name', name: 'name', value: s.name, maxlength: 64, autocomplete: 'off', required: true });
  const location = h('input', { id: 'sensor-location', name: 'location', value: s.location || '', autocomplete: 'off', placeholder: 'e.g. Server room, rack 3' });
  const groups = [...state.groups.entries()];
  const group = h('select', { id: 'sensor-group', name: 'group' },
    groups.map(([id, label]) => h('option', { value: id }, label)));
  if (s.group !== null && !state.groups.has(s.group)) {
    group.append(h('option', { value: s.group }, `Group #${s.group}`));
  }
  if (s.group !== null) group.value = String(s.group);
  const interval = h('input', {
    id: 'sensor-interval', name: 'update_interval', type: 'number',
    min: INTERVAL_MIN, max: INTERVAL_MAX, step: 1, value: s.update_interval,
  });

  openDialog({
    title: sensor ? `Edit sensor ${s.name}` : 'Add sensor',
    body: [
      field('Name', name, 'name', 'Letters, digits, space, dot, dash and underscore; up to 64 characters.'),
      field('Location', location, 'location'),
      field('Group', group, 'group', 'Users see the sensor and its events only in their own groups.'),
      field('Update interval (seconds)', interval, 'update_interval',
        `How often the sensor reports (${INTERVAL_MIN}–${INTERVAL_MAX}). It counts as offline after a missed interval plus a tolerance.`),
    ],
    submit: { label: sensor ? 'Save' : 'Add sensor', id: 'sensor-save' },
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
        await done(`Sensor ${data.name} saved.`);
        return;
      }
      const created = await api.post('/sensors', data);
      await done(`Sensor ${created.name} added.`);
      // Show the secret once this dialog has closed (it closes when onSubmit resolves).
      setTimeout(() => openSecretDialog(created), 0);
    },
  });
}

/** openSecretDialog shows a new sensor's secret once, with the config download. */
function openSecretDialog(s) {
  const secret = h('input', { id: 'sensor-secret', class: 'mono', readonly: true, value: s.secret, 'aria-label': 'Sensor secret' });
  const copy = h('button', { type: 'button', class: 'btn small', id: 'sensor-secret-copy' }, 'Copy');
  const status = h('span', { class: 'muted', role: 'status' });
  copy.addEventListener('click', async () => {
    secret.select();
    try {
      await navigator.clipboard.writeText(s.secret);
      replace(status, 'Copied.');
    } catch {
      replace(status, 'Press Ctrl+C to copy the selected secret.');
    }
  });
  const download = h('a', {
    id: 'sensor-config-download', class: 'btn primary',
    href: `/api/sensors/${s.id}/config`, download: `sensor-${s.id}.json`,
  }, 'Download config');
  const original = h('a', {
    id: 'sensor-config-original', class: 'btn',
    href: `/api/sensors/${s.id}/config?format=original`, download: `s${s.id}.tar.gz`,
  }, 'HoneySens 2.x archive');
  openViewDialog({
    title: `Sensor ${s.name} added`,
    id: 'sensor-created',
    testid: 'sensor-created',
    body: [
      h('div', { class: 'notice success token-reveal' },
        h('p', null, h('strong', null, 'This is the sensor’s secret. '), 'It is shown only now.'),
        h('div', { class: 'copy-row' }, secret, copy, status)),
      h('p', null, 'Download the configuration file (it contains the secret) and start the sensor with it:'),
      h('pre', { class: 'payload' }, `honeysens sensor --config sensor-${s.id}.json`),
      h('p', null, 'For an original HoneySens 2.x sensor (BeagleBone or Docker), download the HoneySens 2.x archive instead ',
        'and install it as that sensor’s configuration archive.'),
      h('p', { class: 'hint' }, 'You can download both again later from the sensor list; keep them private.'),
    ],
    actions: [original, download],
  });
  secret.select();
}

/** openRemoveSensorDialog removes a remote sensor, archiving its events by default. */
export function openRemoveSensorDialog(s, done) {
  const move = checkbox('Move its events to the archive', { id: 'remove-archive-events', checked: true });
  const box = move.querySelector('input');
  const dlg = openDialog({
    title: 'Remove sensor',
    body: [
      h('p', { class: 'strong' }, `Remove the sensor "${s.name}"?`),
      h('p', null, 'Its secret stops working at once: a sensor still running with it can no longer report.'),
      move,
      h('p', { class: 'hint' }, 'Archived events stay available under Events → Dataset → Archive, read-only. Without this, its events are deleted.'),
    ],
    submit: { label: 'Remove', id: 'sensor-remove-confirm', danger: true },
    testid: 'sensor-remove-dialog',
    async onSubmit() {
      const res = await api.del(`/sensors/${s.id}`, { body: { archive: box.checked } });
      const n = res.events ?? 0;
      const events = `${n.toLocaleString('en-US')} event${n === 1 ? '' : 's'}`;
      await done(`Sensor ${s.name} removed; ${events} ${res.archived ? 'moved to the archive' : 'deleted'}.`);
    },
  });
  // For a destructive choice start on Cancel, not on the checkbox.
  dlg.querySelector('.dialog-foot .btn').focus();
}

// The history is written by the server's timeout job every few seconds, so an
// open history reloads itself like the page does.
const HISTORY_REFRESH_MS = 10000;

/** openStatusHistory lists the sensor's recent online/offline changes, newest first. */
export async function openStatusHistory(s) {
  const list = h('div', { id: 'sensor-history-list', class: 'history-list' }, h('p', { class: 'muted' }, 'Loading…'));
  const dlg = openViewDialog({
    title: `Status history of ${s.name}`,
    id: 'sensor-history',
    testid: 'sensor-history',
    body: [
      h('dl', { class: 'props' },
        h('dt', null, 'Now'), h('dd', null, statusBadge(s)),
        h('dt', null, 'Last contact'), h('dd', null, s.last_contact ? formatTime(s.last_contact) : 'Never'),
        h('dt', null, 'Last IP'), h('dd', { class: 'mono' }, s.last_ip || '—'),
        h('dt', null, 'Update interval'), h('dd', null, `${s.update_interval} s`)),
      h('h3', { class: 'section-head' }, 'Online/offline changes'),
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
      if (err.status === 401 || err.code === 'password_change_required') return;
      replace(list, h('p', { class: 'notice danger' }, `The history could not be loaded: ${err.message}`));
    }
  }
  const timer = setInterval(() => {
    if (!dlg.isConnected) { clearInterval(timer); return; }
    load();
  }, HISTORY_REFRESH_MS);
  await load();
}

function historyTable(items) {
  if (!items.length) return h('p', { class: 'muted' }, 'No status changes yet: the sensor has not reported.');
  return h('table', { class: 'table compact-table', 'data-testid': 'history-table' },
    h('thead', null, h('tr', null, h('th', null, 'Time'), h('th', null, 'Change'))),
    h('tbody', null, items.map((c) => h('tr', null,
      h('td', { class: 'nowrap' }, formatTime(c.time)),
      h('td', null, h('span', { class: `sensor-status ${c.online ? 'st-online' : 'st-offline'}` },
        h('span', { class: 'dot', 'aria-hidden': 'true' }), c.online ? 'Online' : 'Offline'))))));
}

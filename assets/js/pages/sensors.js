// Sensors page (#/sensors, every role): one row per sensor with its status,
// last contact, version and New events, and a service matrix (one column per
// honeypot service kind: on/off toggle plus the state the sensor reported).
// Managers add, edit and remove sensors, switch services and change their
// settings; observers see the same page read-only. The list refreshes itself
// every few seconds; dialogs live outside the table, so they stay open. Under a
// running service's state, the cell says what its limits gave up since it
// started, as the sensor reported it.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { ROLE_MANAGER } from '../format.js';
import { sensorRow, sensorHeads } from './sensors_table.js';
import { openSensorDialog, openRemoveSensorDialog, openStatusHistory } from './sensor_dialogs.js';
import { openServiceSettings } from './sensor_services.js';
import { serviceWord } from './sensor_labels.js';
import { openNetworkSettings } from './sensor_network.js';
import { openContainerServices } from './sensor_containers.js';
import { statusLines } from '../page_live.js';
import { t } from '../i18n.js';
import { viewFromHash, writeView, nextSort, visibleSensors, viewControls } from './sensors_view.js';

const REFRESH_MS = 10000;

/**
 * withDrops adds to each running service's cell of a sensor row what its limits
 * gave up ({refused, untracked, reports} in the service's `dropped`): one short
 * line per kind in the cell, the whole sentence in the title.
 */
function withDrops(row, s) {
  for (const sv of s.services || []) {
    const d = sv.dropped;
    if (!d || !sv.enabled || sv.state !== 'running') continue;
    const lines = [];
    if (d.refused) lines.push(t('sensors.drops_refused', { count: d.refused }));
    if (d.untracked) lines.push(t('sensors.drops_untracked', { count: d.untracked }));
    if (d.reports) lines.push(t('sensors.drops_reports', { count: d.reports }));
    const cell = row.querySelector(`td.svc-cell[data-service="${CSS.escape(sv.name)}"]`);
    if (!lines.length || !cell) continue;
    const title = t('sensors.drops_title', { refused: d.refused || 0, untracked: d.untracked || 0, reports: d.reports || 0 });
    const note = h('div', { class: 'svc-reason svc-drops', title }, lines.map((l) => h('div', null, l)));
    cell.append(note);
  }
  return row;
}

export async function render(view, ctx) {
  const state = {
    canEdit: ctx.session.user.role >= ROLE_MANAGER,
    sensors: [],
    services: [], // every service kind of the catalog, in column order
    groups: new Map(), // id -> name
    pending: new Map(), // "sensorId:service" -> enabled, while a toggle is being saved
    view: viewFromHash(), // search, filters and sort, as in the hash
  };
  const { notice, error, announce, fail, refresh: guarded } = statusLines(ctx, { notice: 'sensors-notice', error: 'sensors-error' });
  const head = h('thead');
  const count = h('h2', { id: 'sensors-head' }, t('page.sensors'));
  const body = h('tbody');
  const table = h('table', { class: 'table sensors cards', id: 'sensors-table' }, head, body);
  let lastJSON = '';
  let seq = 0;

  const act = {
    edit: (s) => openSensorDialog(s, state, (msg) => changed(msg)),
    remove: (s) => openRemoveSensorDialog(s, (msg) => changed(msg)),
    history: (s) => openStatusHistory(s),
    settings: (s, name) => openServiceSettings(s, name, state, (msg) => changed(msg)),
    toggle: (s, name, enabled) => toggle(s, name, enabled),
    network: (s) => openNetworkSettings(s, (msg) => changed(msg)).catch((err) => fail(err.message)),
    containers: (s) => openContainerServices(s, state, (msg) => changed(msg)),
  };

  /** paint rebuilds the table; the focused control (e.g. a toggle used by keyboard) keeps focus. */
  function paint() {
    const active = document.activeElement;
    const focus = active && body.contains(active) ? active.dataset.key : undefined;
    const n = state.sensors.length;
    const shown = visibleSensors(state.sensors, state.view);
    replace(count, shown.length === n ? t('count.sensors', { count: n }) : t('sensors.count_shown', { shown: shown.length, count: n }));
    replace(head, h('tr', null, sensorHeads(state, sortBy)));
    replace(body, shown.length
      ? shown.map((s) => withDrops(sensorRow(s, state, act), s))
      : h('tr', { class: 'empty-row' }, h('td', { colspan: 7 + state.services.length },
        h('span', { class: 'muted' }, t(n ? 'sensors.none_match' : 'sensors.none')))));
    if (focus) body.querySelector(`[data-key="${CSS.escape(focus)}"]`)?.focus();
  }

  function sortBy(key) {
    // The same object: the search and filter controls change it too.
    Object.assign(state.view, nextSort(state.view, key));
    writeView(state.view);
    paint();
  }
  const controls = viewControls(state.view, () => paint());

  /** load fetches the list; the table is rebuilt only when the answer changed. */
  async function load() {
    const mine = ++seq;
    const [list, groups] = await Promise.all([
      api.get('/sensors'),
      api.get('/groups').catch(() => ({ items: [] })),
    ]);
    if (mine !== seq) return;
    const json = JSON.stringify([list, groups.items]);
    if (json === lastJSON) return;
    lastJSON = json;
    state.sensors = list.items || [];
    state.services = list.services || [];
    state.groups = new Map((groups.items || []).map((g) => [g.id, g.name]));
    controls.setGroups(state.groups);
    paint();
  }

  const refresh = () => guarded(load, (err) => t('sensors.refresh_failed', { message: err.message }));

  function changed(message) {
    announce(message);
    lastJSON = '';
    return refresh();
  }

  /** toggle switches one service on or off, keeping its settings. */
  async function toggle(s, name, enabled) {
    const key = `${s.id}:${name}`;
    const current = (s.services || []).find((sv) => sv.name === name);
    state.pending.set(key, enabled);
    paint();
    try {
      const res = await api.put(`/sensors/${s.id}/services/${encodeURIComponent(name)}`,
        { enabled, config: current ? current.config : null });
      // A refresh may have replaced the sensor objects meanwhile: update the current one.
      const cur = state.sensors.find((x) => x.id === s.id);
      if (cur && res.items) cur.services = res.items;
      error.hidden = true;
    } catch (err) {
      fail(t(enabled ? 'sensors.enable_failed' : 'sensors.disable_failed', { service: serviceWord(name), sensor: s.name, message: err.message }));
    } finally {
      state.pending.delete(key);
      lastJSON = '';
      paint();
      // The toggle was disabled while saving, which dropped its focus: give it back.
      if (document.activeElement === document.body) {
        body.querySelector(`[data-key="${CSS.escape(`toggle:${key}`)}"]`)?.focus();
      }
    }
    // The local sensor applies the change at once: fetch its new state.
    await refresh();
  }

  const add = state.canEdit
    ? h('button', { type: 'button', id: 'sensor-add', class: 'btn primary small' }, t('sensors.add'))
    : null;
  if (add) add.addEventListener('click', () => openSensorDialog(null, state, (msg) => changed(msg)));

  view.append(
    notice,
    error,
    h('section', { class: 'panel sensors-panel', 'aria-labelledby': 'sensors-head' },
      h('header', { class: 'panel-head' },
        count,
        h('div', { class: 'panel-tools' }, controls.node, add || h('span', { class: 'muted' }, t('sensors.read_only')))),
      h('div', { class: 'table-wrap' }, table),
      h('footer', { class: 'panel-foot muted sensors-legend' },
        t('sensors.legend_intro'), ' ',
        h('span', { class: 'svc-state st-running' }, t('service.running')), ' ',
        h('span', { class: 'svc-state st-error' }, t('service.error')), ' ',
        h('span', { class: 'svc-state st-off' }, t('sensors.legend_off')), ' ',
        h('span', { class: 'svc-state st-pending' }, t('service.pending')), ' ', t('sensors.legend_pending'),
        ' ', t('sensors.legend_remote'))));
  paint();
  await load();
  ctx.every(REFRESH_MS, refresh);
}

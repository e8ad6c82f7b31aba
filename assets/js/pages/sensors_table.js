// Rows of the sensor table, including the service matrix cells. Pure
// rendering: every action goes back to the page through act.
// Controls carry data-key so the page can restore focus after a refresh.

import { h } from '../dom.js';
import { formatTime, formatShort } from '../format.js';
import { serviceWord, statusBadge, serviceState } from './sensor_labels.js';
import { servicePorts } from './service_forms.js';
import { t, formatNumber } from '../i18n.js';

// A cell is narrow: it lists this many ports and says how many more there are.
const PORTS_SHOWN = 3;

/**
 * sortHead is a column head that sorts the list by key (state.view.sort):
 * a click calls onSort(key); the arrow and aria-sort say the current order.
 */
function sortHead(key, label, cls, state, onSort, title) {
  const active = state.view.sort === key;
  const th = h('th', {
    scope: 'col', class: `sortable ${cls || ''}${active ? ' sorted' : ''}`, 'data-sort': key, title: title || null,
    'aria-sort': active ? (state.view.order === 'asc' ? 'ascending' : 'descending') : 'none',
  }, h('button', { type: 'button', class: 'sort-btn' }, label,
    h('span', { class: 'sort-arrow', 'aria-hidden': 'true' }, active ? (state.view.order === 'asc' ? '▲' : '▼') : '')));
  th.addEventListener('click', () => onSort(key));
  return th;
}

/** sensorHeads are the header cells: fixed columns, one per service kind, actions. */
export function sensorHeads(state, onSort) {
  return [
    sortHead('name', t('events.col_sensor'), 'col-name', state, onSort),
    h('th', { scope: 'col' }, t('events.col_group')),
    sortHead('status', t('events.col_status'), 'col-status', state, onSort),
    sortHead('last_contact', t('sensors.last_contact'), 'col-contact', state, onSort),
    h('th', { scope: 'col' }, t('sensors.version')),
    sortHead('new_events', t('status.new'), 'num', state, onSort, t('sensors.new_events')),
    state.services.map((name) => h('th', { scope: 'col', class: 'svc-head', 'data-service': name }, serviceWord(name))),
    h('th', { class: 'actions' }, h('span', { class: 'sr-only' }, t('events.actions'))),
  ];
}

/** sensorRow is one sensor. act: {edit, remove, history, settings, toggle, network, containers}. */
export function sensorRow(s, state, act) {
  const group = state.groups.get(s.group);
  return h('tr', { 'data-id': s.id, 'data-name': s.name, class: s.local ? 'local' : null },
    h('td', { class: 'col-name card-title' },
      h('div', { class: 'strong sensor-name' }, s.name),
      s.location ? h('div', { class: 'muted small sensor-location' }, s.location) : null,
      s.local ? h('span', { class: 'tag', title: t('sensors.local_title') }, t('sensors.local')) : null,
      s.original ? h('span', { class: 'tag sensor-original', title: t('sensors.original_title') }, t('sensors.original')) : null),
    h('td', { class: 'sensor-group', 'data-label': t('events.col_group') }, group || `#${s.group}`),
    h('td', { class: 'col-status', 'data-label': t('events.col_status') }, statusBadge(s, true)),
    h('td', { class: 'col-contact', 'data-label': t('sensors.last_contact') },
      h('div', { class: 'last-contact', title: s.last_contact ? formatTime(s.last_contact) : null }, s.last_contact ? formatShort(s.last_contact) : t('common.never')),
      s.last_ip ? h('div', { class: 'mono small last-ip' }, s.last_ip) : null),
    h('td', { class: 'sensor-version mono small', 'data-label': t('sensors.version') }, s.sw_version || '—',
      // A remote sensor whose disk buffer overflowed says how many events it had to drop.
      s.dropped_events > 0 ? h('div', { class: 'field-error sensor-dropped' }, t('sensors.events_dropped', { count: s.dropped_events })) : null),
    h('td', { class: 'num new-events', 'data-label': t('sensors.new_events') }, newEvents(s)),
    state.services.map((name) => serviceCell(s, name, state, act)),
    h('td', { class: 'actions' }, h('div', { class: 'action-grid' }, actions(s, state, act))));
}

/** newEvents links to the event list filtered to this sensor's New events. */
function newEvents(s) {
  const n = s.new_events || 0;
  if (!n) return h('span', { class: 'muted' }, '0');
  return h('a', {
    href: `#/events?sensor=${s.id}&status=0`, class: 'count-link',
    title: t('sensors.show_new', { sensor: s.name }),
  }, formatNumber(n));
}

function serviceCell(s, name, state, act) {
  // An original HoneySens sensor runs the container services assigned to it, not this
  // appliance's honeypots: a switch here would change nothing it runs.
  if (s.original) {
    return h('td', { class: 'svc-cell', 'data-service': name, 'data-state': 'original', 'data-label': serviceWord(name) },
      h('div', { class: 'svc-state muted', title: t('sensors.original_services_hint') }, t('sensors.original_services')));
  }
  const sv = (s.services || []).find((x) => x.name === name);
  const key = `${s.id}:${name}`;
  const pending = state.pending.has(key);
  const enabled = pending ? state.pending.get(key) : Boolean(sv && sv.enabled);
  const st = serviceState(sv, enabled);
  const what = t('service.title', { service: serviceWord(name), sensor: s.name });

  const toggle = h('input', {
    type: 'checkbox', class: 'service-toggle', role: 'switch',
    checked: enabled, disabled: !state.canEdit || pending,
    'aria-label': `${what}: ${enabled ? t('sensors.on') : t('sensors.off')}`,
    'data-key': `toggle:${key}`,
  });
  toggle.addEventListener('change', () => act.toggle(s, name, toggle.checked));

  const settings = h('button', {
    type: 'button', class: 'btn icon mini svc-settings',
    title: t(state.canEdit ? 'sensors.settings' : 'sensors.view_settings', { service: serviceWord(name) }),
    'aria-label': t('sensors.settings_of', { what }), 'data-key': `settings:${key}`,
  }, h('span', { class: 'ico icon-settings', 'aria-hidden': 'true' }));
  settings.addEventListener('click', () => act.settings(s, name));

  // data-state is what the cell shows: running, error, off or pending.
  return h('td', { class: 'svc-cell', 'data-service': name, 'data-state': st.cls.replace('st-', ''), 'data-label': serviceWord(name) },
    h('div', { class: 'svc-top' }, toggle, settings),
    h('div', { class: `svc-state ${st.cls}`, title: st.reason || st.hint || null },
      pending ? t('sensors.saving') : st.label),
    st.reason ? h('div', { class: 'svc-reason', title: st.reason }, st.reason) : null,
    sv ? portsLine(name, sv.config) : null);
}

/** portsLine shows the ports the service's settings listen on: "2222", "3306 3389 5432 +3", "udp 53". */
function portsLine(name, config) {
  const { tcp, udp } = servicePorts(name, config);
  if (!tcp.length && !udp.length) return null;
  const short = (list) => [...list.slice(0, PORTS_SHOWN), list.length > PORTS_SHOWN ? `+${list.length - PORTS_SHOWN}` : null]
    .filter(Boolean).join(' ');
  const text = [tcp.length ? short(tcp) : null, udp.length ? `udp ${short(udp)}` : null].filter(Boolean).join(' · ');
  const title = [tcp.length ? `TCP ${tcp.join(', ')}` : null, udp.length ? `UDP ${udp.join(', ')}` : null]
    .filter(Boolean).join('; ');
  return h('div', { class: 'svc-ports mono', title: t('sensors.listens_on', { ports: title }) }, text);
}

function actions(s, state, act) {
  const out = [];
  const button = (cls, icon, label, fn) => {
    const b = h('button', { type: 'button', class: `btn icon ${cls}`, title: label, 'aria-label': `${label}: ${s.name}`, 'data-key': `${cls}:${s.id}` },
      h('span', { class: `ico ${icon}`, 'aria-hidden': 'true' }));
    b.addEventListener('click', () => fn(s));
    out.push(b);
  };
  button('sensor-history', 'icon-history', t('sensors.history'), act.history);
  if (state.canEdit) {
    button('sensor-edit', 'icon-edit', t('common.edit'), act.edit);
    if (!s.local) {
      // A plain link: the server answers with Content-Disposition: attachment.
      out.push(h('a', {
        class: 'btn icon sensor-config', href: `/api/sensors/${s.id}/config`, download: `sensor-${s.id}.json`,
        title: t('sensors.download_config'), 'aria-label': t('sensors.download_config_of', { sensor: s.name }),
      }, h('span', { class: 'ico icon-download', 'aria-hidden': 'true' })));
      // The configuration archive of an original HoneySens 2.x sensor.
      out.push(h('a', {
        class: 'btn small sensor-config-original', href: `/api/sensors/${s.id}/config?format=original`, download: `s${s.id}.tar.gz`,
        title: t('sensors.download_original'), 'aria-label': t('sensors.download_original_of', { sensor: s.name }),
      }, '2.x'));
      button('sensor-network', 'icon-settings', t('sensors.network_settings'), act.network);
      // Container services are for original sensors; before its first contact a sensor may be one.
      if (s.original || !s.last_contact) button('sensor-containers', 'icon-details', t('sensors.container_services'), act.containers);
      button('sensor-remove', 'icon-remove', t('bulk.remove'), act.remove);
    }
  }
  return out;
}


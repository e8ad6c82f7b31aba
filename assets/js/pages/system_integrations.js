// System → Integrations (#/system/integrations, admin): the outputs that
// forward events to syslog receivers and webhooks, each with its queue (messages
// waiting, failed), its last error and last success, refreshed while the page
// is shown, and "Retry now". "Send test event" puts a marked synthetic event
// through the whole path (storage, mails, every enabled output). A webhook's
// secret is write-only: the API only says whether one is set.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { field, checkbox, checkGroup, checkedValues } from '../forms.js';
import { openDialog, confirmDialog } from '../dialog.js';
import { formatTime, formatShort } from '../format.js';
import { CLASSIFICATIONS, countText, plural } from '../event_labels.js';
import { systemTabs } from './system.js';

const REFRESH_MS = 10000;

const TYPES = { syslog: 'Syslog', webhook: 'Webhook' };
const SELECTIONS = {
  all: 'All events',
  critical: 'Critical events (Honeypot)',
  classification: 'Events of chosen classifications',
  group: 'Events of chosen groups',
};
const TRANSPORTS = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' };
const SYSLOG_FORMATS = { rfc5424: 'RFC 5424 (structured data, JSON message)', cef: 'CEF (ArcSight)' };
const WEBHOOK_FORMATS = { json: 'JSON (the API’s event)', slack: 'Slack / Mattermost', teams: 'Microsoft Teams' };
const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv',
  'ftp', 'ntp', 'audit', 'alert', 'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];

export async function render(view, ctx) {
  const list = outputsPanel();
  view.append(systemTabs('system/integrations'), list.node);
  await list.refresh();
  ctx.every(REFRESH_MS, list.refresh);
}

/** select builds a <select> of a {value: label} map with one chosen. */
function select(id, name, options, chosen) {
  return h('select', { id, name },
    Object.entries(options).map(([value, label]) => h('option', { value, selected: value === chosen }, label)));
}

/** selectionText says in words which events an output gets. */
function selectionText(o, groups) {
  if (o.events === 'classification') {
    return `Classifications: ${(o.classifications || []).map((c) => CLASSIFICATIONS[c] ?? c).join(', ')}`;
  }
  if (o.events === 'group') {
    const names = new Map(groups.map((g) => [g.id, g.name]));
    return `Groups: ${(o.groups || []).map((id) => names.get(id) ?? `#${id}`).join(', ')}`;
  }
  return SELECTIONS[o.events] || o.events;
}

/** target is where an output sends, as text. */
function target(o) {
  const c = o.config || {};
  if (o.type === 'syslog') return `${c.host}:${c.port} ${TRANSPORTS[c.transport] || c.transport}, ${c.format === 'cef' ? 'CEF' : 'RFC 5424'}`;
  return `${c.url} (${WEBHOOK_FORMATS[c.format] || c.format})`;
}

/** outputsPanel is the list of outputs; refresh() reloads it (rebuilt only when it changed). */
function outputsPanel() {
  const addSyslog = h('button', { type: 'button', id: 'output-add-syslog', class: 'btn small' }, 'Add syslog');
  const addWebhook = h('button', { type: 'button', id: 'output-add-webhook', class: 'btn small' }, 'Add webhook');
  const testEvent = h('button', { type: 'button', id: 'test-event', class: 'btn small primary' }, 'Send test event');
  const notice = h('p', { id: 'outputs-notice', class: 'notice', role: 'status', hidden: true });
  const body = h('tbody');
  const table = h('table', { class: 'table outputs', id: 'outputs-table' },
    h('thead', null, h('tr', null,
      h('th', null, 'Name'), h('th', null, 'Sends to'), h('th', null, 'Events'), h('th', null, 'State'),
      h('th', { class: 'num' }, 'Queued'), h('th', { class: 'num' }, 'Failed'), h('th', null, 'Last success'),
      h('th', null, 'Last error'), h('th', { class: 'actions' }, h('span', { class: 'sr-only' }, 'Actions')))),
    body);
  let groups = [];
  let lastJSON = '';

  const say = (text, ok) => {
    replace(notice, text);
    notice.className = ok ? 'notice success' : 'notice danger';
    notice.hidden = false;
  };

  async function refresh() {
    let res;
    try {
      [res, groups] = await Promise.all([api.get('/outputs'), api.get('/groups').then((g) => g.items || [])]);
    } catch (err) {
      say(`The integrations could not be loaded: ${err.message}`, false);
      return;
    }
    const json = JSON.stringify([res, groups]);
    if (json === lastJSON) return;
    lastJSON = json;
    const items = res.items || [];
    replace(body, items.length
      ? items.map((o) => row(o))
      : h('tr', { class: 'empty-row' }, h('td', { colspan: 9 }, h('span', { class: 'muted' }, 'No integrations yet.'))));
  }
  const changed = async (text) => {
    lastJSON = '';
    if (text) say(text, true);
    await refresh();
  };

  function row(o) {
    const edit = h('button', { type: 'button', class: 'btn small output-edit' }, 'Edit');
    const retry = h('button', { type: 'button', class: 'btn small output-retry' }, 'Retry now');
    const del = h('button', { type: 'button', class: 'btn small danger-text output-delete' }, 'Delete');
    edit.addEventListener('click', () => editOutput(o, groups, changed));
    retry.addEventListener('click', async () => {
      try {
        const res = await api.post(`/outputs/${o.id}/retry`, {});
        const n = res.retried ?? 0;
        await changed(n ? `${plural(n, 'message')} to ${o.name} will be sent again now.` : 'There is nothing to retry.');
      } catch (err) {
        say(err.message || 'Retrying failed.', false);
      }
    });
    del.addEventListener('click', () => confirmDialog({
      title: 'Delete integration',
      text: `Delete “${o.name}”? Its ${plural(o.queued, 'waiting message')} will not be sent.`,
      confirm: 'Delete',
      onConfirm: async () => {
        await api.del(`/outputs/${o.id}`);
        await changed(`“${o.name}” was deleted.`);
      },
    }));
    return h('tr', { class: 'output-row', 'data-id': o.id, 'data-name': o.name },
      h('td', { class: 'output-name' }, h('strong', null, o.name), h('div', { class: 'muted small' }, TYPES[o.type] || o.type)),
      h('td', { class: 'detail output-target' }, target(o)),
      h('td', { class: 'output-events' }, selectionText(o, groups)),
      h('td', { class: 'nowrap output-state' }, h('span', { class: o.enabled ? 'pill mail-sent' : 'pill' }, o.enabled ? 'On' : 'Off')),
      h('td', { class: 'num output-queued' }, countText(o.queued ?? 0)),
      h('td', { class: 'num output-failed' }, countText(o.failed ?? 0)),
      h('td', { class: 'nowrap output-success', title: o.last_success ? formatTime(o.last_success) : '' },
        o.last_success ? formatShort(o.last_success) : '—'),
      h('td', { class: 'detail output-error', title: o.last_error_at ? formatTime(o.last_error_at) : '' }, o.last_error || ''),
      h('td', { class: 'actions nowrap' }, edit, retry, del));
  }

  addSyslog.addEventListener('click', () => editOutput({ type: 'syslog', enabled: true, events: 'all', config: {} }, groups, changed));
  addWebhook.addEventListener('click', () => editOutput({ type: 'webhook', enabled: true, events: 'all', config: {} }, groups, changed));
  testEvent.addEventListener('click', async () => {
    testEvent.disabled = true;
    try {
      const res = await api.post('/settings/testevent', {});
      await changed(`Test event #${res.event} was stored as from sensor ${res.sensor.name}: it goes to the group’s mail contacts and every enabled integration.`);
    } catch (err) {
      say(err.message || 'The test event failed.', false);
    } finally {
      testEvent.disabled = false;
    }
  });

  const node = h('section', { class: 'panel', id: 'integrations', 'aria-labelledby': 'integrations-head' },
    h('header', { class: 'panel-head' },
      h('h2', { id: 'integrations-head' }, 'Integrations'),
      h('div', { class: 'panel-tools' }, addSyslog, addWebhook, testEvent)),
    h('div', { class: 'panel-body stack' },
      h('p', { class: 'hint' },
        'Events go to syslog receivers and webhooks through the same outbox as the mails: stored with the event, tried again with growing pauses for 48 hours while a receiver is down, never sent twice. “Retry now” sends the waiting messages at once and queues the failed ones again.'),
      notice),
    h('div', { class: 'table-wrap' }, table));
  return { node, refresh };
}

/** editOutput opens the form of a new (no id) or existing output. */
function editOutput(o, groups, changed) {
  const c = o.config || {};
  const syslog = o.type === 'syslog';
  const name = h('input', { id: 'output-name', name: 'name', value: o.name || '', maxlength: 64, autocomplete: 'off' });
  const enabled = checkbox('Send events to this integration', { id: 'output-enabled', checked: Boolean(o.enabled) });
  const events = select('output-events', 'events', SELECTIONS, o.events || 'all');
  const classes = checkGroup('Classifications', 'classifications',
    Object.entries(CLASSIFICATIONS).map(([value, label]) => ({ value: Number(value), label })), o.classifications);
  const groupBox = checkGroup('Groups', 'groups', groups.map((g) => ({ value: g.id, label: g.name })), o.groups, 'No groups.');
  const showChoices = () => {
    classes.hidden = events.value !== 'classification';
    groupBox.hidden = events.value !== 'group';
  };
  events.addEventListener('change', showChoices);
  showChoices();

  const inputs = {};
  let settings;
  if (syslog) {
    inputs.host = h('input', { id: 'output-host', value: c.host || '', autocomplete: 'off', placeholder: 'syslog.example.org' });
    inputs.port = h('input', { id: 'output-port', type: 'number', min: 1, max: 65535, value: c.port || '', placeholder: '514 / 6514 for TLS' });
    inputs.transport = select('output-transport', 'transport', TRANSPORTS, c.transport || 'udp');
    inputs.facility = select('output-facility', 'facility', Object.fromEntries(FACILITIES.map((f) => [f, f])), c.facility || 'local0');
    inputs.format = select('output-format', 'format', SYSLOG_FORMATS, c.format || 'rfc5424');
    inputs.ca = h('textarea', { id: 'output-ca', rows: 4, class: 'mono', spellcheck: 'false', placeholder: '-----BEGIN CERTIFICATE-----' });
    inputs.ca.value = c.ca || '';
    settings = [
      field('Host', inputs.host, 'config.host'),
      field('Port', inputs.port, 'config.port', 'Empty: 514, or 6514 for TLS.'),
      field('Transport', inputs.transport, 'config.transport', 'TCP and TLS use octet-counting framing (RFC 5425).'),
      field('Facility', inputs.facility, 'config.facility'),
      field('Format', inputs.format, 'config.format'),
      field('CA certificate for TLS (PEM, optional)', inputs.ca, 'config.ca', 'The site’s CA or the receiver’s own certificate; empty: the system’s trusted roots.'),
    ];
  } else {
    inputs.url = h('input', { id: 'output-url', type: 'url', value: c.url || '', autocomplete: 'off', placeholder: 'https://chat.example.org/hooks/…' });
    inputs.format = select('output-format', 'format', WEBHOOK_FORMATS, c.format || 'json');
    inputs.secret = h('input', { id: 'output-secret', type: 'password', autocomplete: 'new-password',
      placeholder: c.has_secret ? 'Set (leave empty to keep it)' : 'None' });
    inputs.removeSecret = checkbox('Remove the secret', { id: 'output-secret-remove' });
    inputs.removeSecret.hidden = !c.has_secret;
    settings = [
      field('URL', inputs.url, 'config.url', 'Events go to this address only; redirects are not followed.'),
      field('Format', inputs.format, 'config.format'),
      field('Secret (optional)', inputs.secret, 'config.secret', 'Signs each request: X-HoneySens-Signature: sha256=<HMAC of the body>.'),
      inputs.removeSecret,
    ];
  }

  const configOf = () => {
    if (syslog) {
      return { host: inputs.host.value.trim(), port: Number(inputs.port.value) || 0, transport: inputs.transport.value,
        facility: inputs.facility.value, format: inputs.format.value, ca: inputs.ca.value.trim() };
    }
    const out = { url: inputs.url.value.trim(), format: inputs.format.value };
    if (inputs.removeSecret.querySelector('input').checked) out.secret = '';
    else if (inputs.secret.value) out.secret = inputs.secret.value;
    return out;
  };

  openDialog({
    title: o.id ? `Edit ${o.name}` : `New ${TYPES[o.type].toLowerCase()} integration`,
    testid: 'output-dialog',
    body: [
      field('Name', name, 'name'),
      h('div', { class: 'field', 'data-field': 'enabled' }, enabled, h('div', { class: 'field-error', hidden: true })),
      field('Events', events, 'events'),
      classes, groupBox,
      settings,
    ],
    submit: { label: o.id ? 'Save' : 'Add', id: 'output-save' },
    onSubmit: async (form) => {
      const body = {
        name: name.value, enabled: enabled.querySelector('input').checked, events: events.value,
        classifications: checkedValues(form, 'classifications'), groups: checkedValues(form, 'groups'), config: configOf(),
      };
      if (o.id) {
        await api.patch(`/outputs/${o.id}`, body);
      } else {
        await api.post('/outputs', { type: o.type, ...body });
      }
      await changed(`“${body.name.trim()}” was saved.`);
    },
  });
}

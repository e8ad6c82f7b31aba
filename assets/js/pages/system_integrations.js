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
import { CLASSIFICATIONS, classificationName, countText } from '../event_labels.js';
import { t } from '../i18n.js';
import { systemTabs } from './system.js';

const REFRESH_MS = 10000;

// Codes as the API sends them, with their catalog keys.
const TYPES = { syslog: 'integrations.type_syslog', webhook: 'integrations.type_webhook' };
const SELECTIONS = {
  all: 'integrations.events_all',
  critical: 'integrations.events_critical',
  classification: 'integrations.events_classification',
  group: 'integrations.events_group',
};
const SYSLOG_FORMATS = { rfc5424: 'integrations.syslog_rfc5424', cef: 'integrations.syslog_cef' };
const WEBHOOK_FORMATS = {
  json: 'integrations.webhook_json',
  ndjson: 'integrations.webhook_ndjson',
  slack: 'integrations.webhook_slack',
  teams: 'integrations.webhook_teams',
};
// Protocol names read the same in every language.
const TRANSPORTS = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' };
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
    Object.entries(options).map(([value, text]) => h('option', { value, selected: value === chosen }, text)));
}

/** translated maps a {value: catalog key} table to {value: text}. */
function translated(keys) {
  return Object.fromEntries(Object.entries(keys).map(([value, key]) => [value, t(key)]));
}

/** codeText is the text of a code from one of the tables above, or the code itself. */
function codeText(keys, code) {
  return keys[code] ? t(keys[code]) : code;
}

/** selectionText says in words which events an output gets. */
function selectionText(o, groups) {
  if (o.events === 'classification') {
    return t('integrations.classifications_of', { list: (o.classifications || []).map(classificationName).join(', ') });
  }
  if (o.events === 'group') {
    const names = new Map(groups.map((g) => [g.id, g.name]));
    return t('integrations.groups_of', { list: (o.groups || []).map((id) => names.get(id) ?? `#${id}`).join(', ') });
  }
  return codeText(SELECTIONS, o.events);
}

/** target is where an output sends, as text. */
function target(o) {
  const c = o.config || {};
  if (o.type === 'syslog') return `${c.host}:${c.port} ${TRANSPORTS[c.transport] || c.transport}, ${c.format === 'cef' ? 'CEF' : 'RFC 5424'}`;
  return `${c.url} (${codeText(WEBHOOK_FORMATS, c.format)})`;
}

/** outputsPanel is the list of outputs; refresh() reloads it (rebuilt only when it changed). */
function outputsPanel() {
  const addSyslog = h('button', { type: 'button', id: 'output-add-syslog', class: 'btn small' }, t('integrations.add_syslog'));
  const addWebhook = h('button', { type: 'button', id: 'output-add-webhook', class: 'btn small' }, t('integrations.add_webhook'));
  const testEvent = h('button', { type: 'button', id: 'test-event', class: 'btn small primary' }, t('integrations.test_event'));
  const notice = h('p', { id: 'outputs-notice', class: 'notice', role: 'status', hidden: true });
  const body = h('tbody');
  // Below 700 px each output is a card (see .table.cards).
  const table = h('table', { class: 'table outputs cards', id: 'outputs-table' },
    h('thead', null, h('tr', null,
      h('th', null, t('common.name')), h('th', null, t('integrations.col_sends_to')), h('th', null, t('integrations.col_events')),
      h('th', null, t('integrations.col_state')), h('th', { class: 'num' }, t('integrations.col_queued')),
      h('th', { class: 'num' }, t('integrations.col_failed')), h('th', null, t('integrations.col_last_success')),
      h('th', null, t('integrations.col_last_error')),
      h('th', { class: 'actions' }, h('span', { class: 'sr-only' }, t('integrations.col_actions'))))),
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
      say(t('integrations.load_failed', { message: err.message }), false);
      return;
    }
    const json = JSON.stringify([res, groups]);
    if (json === lastJSON) return;
    lastJSON = json;
    const items = res.items || [];
    replace(body, items.length
      ? items.map((o) => row(o))
      : h('tr', { class: 'empty-row' }, h('td', { colspan: 9 }, h('span', { class: 'muted' }, t('integrations.none')))));
  }
  const changed = async (text) => {
    lastJSON = '';
    if (text) say(text, true);
    await refresh();
  };

  function row(o) {
    const edit = h('button', { type: 'button', class: 'btn small output-edit' }, t('common.edit'));
    const retry = h('button', { type: 'button', class: 'btn small output-retry' }, t('integrations.retry'));
    const del = h('button', { type: 'button', class: 'btn small danger-text output-delete' }, t('common.delete'));
    edit.addEventListener('click', () => editOutput(o, groups, changed));
    retry.addEventListener('click', async () => {
      try {
        const res = await api.post(`/outputs/${o.id}/retry`, {});
        const n = res.retried ?? 0;
        await changed(n ? t('integrations.retried', { count: n, name: o.name }) : t('integrations.nothing_to_retry'));
      } catch (err) {
        say(err.message || t('integrations.retry_failed'), false);
      }
    });
    del.addEventListener('click', () => confirmDialog({
      title: t('integrations.delete_title'),
      text: t('integrations.delete_text', { name: o.name, count: o.queued ?? 0 }),
      confirm: t('common.delete'),
      onConfirm: async () => {
        await api.del(`/outputs/${o.id}`);
        await changed(t('integrations.deleted', { name: o.name }));
      },
    }));
    return h('tr', { class: 'output-row', 'data-id': o.id, 'data-name': o.name },
      h('td', { class: 'output-name card-title' }, h('strong', null, o.name), h('div', { class: 'muted small' }, codeText(TYPES, o.type))),
      h('td', { class: 'detail output-target', 'data-label': t('integrations.col_sends_to') }, target(o)),
      h('td', { class: 'output-events', 'data-label': t('integrations.col_events') }, selectionText(o, groups)),
      h('td', { class: 'nowrap output-state', 'data-label': t('integrations.col_state') },
        h('span', { class: o.enabled ? 'pill mail-sent' : 'pill' }, o.enabled ? t('integrations.on') : t('integrations.off'))),
      h('td', { class: 'num output-queued', 'data-label': t('integrations.col_queued') }, countText(o.queued ?? 0)),
      h('td', { class: 'num output-failed', 'data-label': t('integrations.col_failed') }, countText(o.failed ?? 0)),
      h('td', { class: 'nowrap output-success', 'data-label': t('integrations.col_last_success'), title: o.last_success ? formatTime(o.last_success) : '' },
        o.last_success ? formatShort(o.last_success) : '—'),
      h('td', { class: 'detail output-error', 'data-label': t('integrations.col_last_error'), title: o.last_error_at ? formatTime(o.last_error_at) : '' },
        o.last_error || ''),
      h('td', { class: 'actions nowrap' }, edit, retry, del));
  }

  addSyslog.addEventListener('click', () => editOutput({ type: 'syslog', enabled: true, events: 'all', config: {} }, groups, changed));
  addWebhook.addEventListener('click', () => editOutput({ type: 'webhook', enabled: true, events: 'all', config: {} }, groups, changed));
  testEvent.addEventListener('click', async () => {
    testEvent.disabled = true;
    try {
      const res = await api.post('/settings/testevent', {});
      await changed(t('integrations.test_event_sent', { event: String(res.event), sensor: res.sensor.name }));
    } catch (err) {
      say(err.message || t('integrations.test_event_failed'), false);
    } finally {
      testEvent.disabled = false;
    }
  });

  const node = h('section', { class: 'panel', id: 'integrations', 'aria-labelledby': 'integrations-head' },
    h('header', { class: 'panel-head' },
      h('h2', { id: 'integrations-head' }, t('integrations.title')),
      h('div', { class: 'panel-tools' }, addSyslog, addWebhook, testEvent)),
    h('div', { class: 'panel-body stack' },
      h('p', { class: 'hint' }, t('integrations.intro')),
      notice),
    h('div', { class: 'table-wrap' }, table));
  return { node, refresh };
}

/** editOutput opens the form of a new (no id) or existing output. */
function editOutput(o, groups, changed) {
  const c = o.config || {};
  const syslog = o.type === 'syslog';
  const name = h('input', { id: 'output-name', name: 'name', value: o.name || '', maxlength: 64, autocomplete: 'off' });
  const enabled = checkbox(t('integrations.enabled'), { id: 'output-enabled', checked: Boolean(o.enabled) });
  const events = select('output-events', 'events', translated(SELECTIONS), o.events || 'all');
  const classes = checkGroup(t('integrations.classifications'), 'classifications',
    Object.keys(CLASSIFICATIONS).map((value) => ({ value: Number(value), label: classificationName(value) })), o.classifications);
  const groupBox = checkGroup(t('integrations.groups'), 'groups', groups.map((g) => ({ value: g.id, label: g.name })), o.groups,
    t('integrations.no_groups'));
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
    inputs.port = h('input', { id: 'output-port', type: 'number', min: 1, max: 65535, value: c.port || '', placeholder: t('integrations.port_placeholder') });
    inputs.transport = select('output-transport', 'transport', TRANSPORTS, c.transport || 'udp');
    inputs.facility = select('output-facility', 'facility', Object.fromEntries(FACILITIES.map((f) => [f, f])), c.facility || 'local0');
    inputs.format = select('output-format', 'format', translated(SYSLOG_FORMATS), c.format || 'rfc5424');
    inputs.ca = h('textarea', { id: 'output-ca', rows: 4, class: 'mono', spellcheck: 'false', placeholder: '-----BEGIN CERTIFICATE-----' });
    inputs.ca.value = c.ca || '';
    settings = [
      field(t('integrations.host'), inputs.host, 'config.host'),
      field(t('integrations.port'), inputs.port, 'config.port', t('integrations.port_hint')),
      field(t('integrations.transport'), inputs.transport, 'config.transport', t('integrations.transport_hint')),
      field(t('integrations.facility'), inputs.facility, 'config.facility'),
      field(t('integrations.format'), inputs.format, 'config.format'),
      field(t('integrations.ca'), inputs.ca, 'config.ca', t('integrations.ca_hint')),
    ];
  } else {
    inputs.url = h('input', { id: 'output-url', type: 'url', value: c.url || '', autocomplete: 'off', placeholder: 'https://chat.example.org/hooks/…' });
    inputs.format = select('output-format', 'format', translated(WEBHOOK_FORMATS), c.format || 'json');
    inputs.secret = h('input', { id: 'output-secret', type: 'password', autocomplete: 'new-password',
      placeholder: c.has_secret ? t('integrations.secret_set') : t('integrations.secret_none') });
    inputs.removeSecret = checkbox(t('integrations.remove_secret'), { id: 'output-secret-remove' });
    inputs.removeSecret.hidden = !c.has_secret;
    settings = [
      field(t('integrations.url'), inputs.url, 'config.url', t('integrations.url_hint')),
      field(t('integrations.format'), inputs.format, 'config.format'),
      field(t('integrations.secret'), inputs.secret, 'config.secret', t('integrations.secret_hint')),
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
    title: o.id ? t('integrations.edit_title', { name: o.name }) : t(syslog ? 'integrations.new_syslog' : 'integrations.new_webhook'),
    testid: 'output-dialog',
    body: [
      field(t('common.name'), name, 'name'),
      h('div', { class: 'field', 'data-field': 'enabled' }, enabled, h('div', { class: 'field-error', hidden: true })),
      field(t('integrations.col_events'), events, 'events'),
      classes, groupBox,
      settings,
    ],
    submit: { label: o.id ? t('common.save') : t('integrations.add'), id: 'output-save' },
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
      await changed(t('integrations.saved', { name: body.name.trim() }));
    },
  });
}

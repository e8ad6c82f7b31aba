// Settings forms of the honeypot services: one field per key of each
// service's settings object, with its help text. The server checks the
// settings and answers field errors as config.<key>; each field's wrapper
// carries that name, so the message lands under the field. All labels and
// help texts of the forms are in SERVICE_FIELDS and SHARED.

import { h } from '../dom.js';
import { field, fieldGroup, checkbox } from '../forms.js';
import { t } from '../i18n.js';

/*
 * Field kinds:
 *   listen   "address:port", edited as address + port
 *   text     a one-line string      lines  a multi-line string
 *   list     a list of strings, one per line
 *   ports    a list of port numbers, separated by commas or spaces
 *   int      a whole number         seconds  a number of seconds (may have decimals)
 *   bool     a checkbox
 */
const ACCEPT_HELP = 'svc.logins_that_are_let_in_one_user_password';
const ACCEPT_AFTER_HELP = 'svc.let_any_password_in_after_this_many_fail';

// Settings that several services have: the same key, kind and label, with
// each service's own help.
const SHARED = {
  listen: { kind: 'listen', label: 'svc.listen_on' },
  banner: { kind: 'text', label: 'svc.banner' },
  hostname: { kind: 'text', label: 'svc.host_name' },
  accept: { kind: 'list', label: 'svc.accepted_credentials' },
  accept_after: { kind: 'int', label: 'svc.accept_any_password_after' },
};
const shared = (key, help) => ({ key, ...SHARED[key], help });

export const SERVICE_FIELDS = {
  ssh: [
    shared('listen', 'svc.listen_help_ssh'),
    shared('banner', 'svc.the_version_line_sent_to_clients_starts'),
    shared('hostname', 'svc.the_host_name_the_fake_shell_shows'),
    shared('accept', ACCEPT_HELP),
    shared('accept_after', ACCEPT_AFTER_HELP),
    { key: 'host_key_file', kind: 'text', label: 'svc.host_key_file', help: 'svc.file_with_the_host_keys_created_on_first' },
  ],
  telnet: [
    shared('listen', 'svc.listen_help_telnet'),
    shared('hostname', 'svc.shown_in_the_login_prompt_and_the_fake_s'),
    { key: 'issue', kind: 'lines', label: 'svc.banner_before_the_login_prompt', help: 'svc.empty_the_usual_debian_line_with_the_hos' },
    shared('accept', ACCEPT_HELP),
    shared('accept_after', ACCEPT_AFTER_HELP),
    { key: 'login_retries', kind: 'int', label: 'svc.login_attempts_per_connection', help: 'svc.failed_logins_before_the_connection_ends' },
  ],
  ftp: [
    shared('listen', 'svc.listen_help_ftp'),
    shared('banner', 'svc.text_of_the_220_greeting_e_g_vsftpd_3_0'),
    { key: 'anonymous', kind: 'bool', label: 'svc.anonymous_login', help: 'svc.anonymous_and_ftp_log_in_with_any_passwo' },
    shared('accept', 'svc.logins_that_are_let_in_one_user_password_2'),
    shared('accept_after', 'svc.let_any_login_in_after_this_many_failure'),
    { key: 'max_commands', kind: 'int', label: 'svc.commands_per_session', help: 'svc.the_session_ends_after_this_many_command' },
    { key: 'max_upload', kind: 'int', label: 'svc.upload_bytes_read', help: 'svc.bytes_of_one_upload_that_are_read_and_ha' },
    { key: 'passive_ip', kind: 'text', label: 'svc.passive_address', help: 'svc.ipv4_address_announced_for_passive_trans' },
    { key: 'passive_ports', kind: 'text', label: 'svc.passive_ports', help: 'svc.port_range_min_max_within_1024_65535_emp' },
  ],
  http: [
    shared('listen', 'svc.listen_help_http'),
    { key: 'server', kind: 'text', label: 'svc.server_header', help: 'svc.the_server_response_header_e_g_lighttpd' },
    { key: 'title', kind: 'text', label: 'svc.device_name', help: 'svc.names_the_device_on_the_login_page' },
    { key: 'basic_auth', kind: 'list', label: 'svc.password_protected_paths', help: 'svc.one_path_per_line_e_g_admin_everything_b' },
    { key: 'realm', kind: 'text', label: 'svc.password_realm', help: 'svc.the_realm_browsers_show_when_asking_for' },
    { key: 'max_requests', kind: 'int', label: 'svc.requests_per_connection', help: 'svc.0_100' },
    { key: 'max_body', kind: 'int', label: 'svc.body_bytes_read', help: 'svc.bytes_of_one_request_body_that_are_recor' },
    { key: 'session_idle', kind: 'int', label: 'svc.session_idle_time_seconds', help: 'svc.requests_of_one_address_less_than_this_a' },
    { key: 'session_max', kind: 'int', label: 'svc.longest_session_seconds', help: 'svc.after_this_a_new_event_starts_0_900' },
    { key: 'session_requests', kind: 'int', label: 'svc.requests_per_session', help: 'svc.after_this_many_requests_a_new_event_sta' },
  ],
  recon: [
    { key: 'listen', kind: 'text', label: 'svc.listen_address', help: 'svc.ip_address_to_listen_on_0_0_0_0_or_for_e' },
    { key: 'ports', kind: 'ports', label: 'svc.tcp_ports', help: 'svc.ports_that_accept_connections_separated' },
    { key: 'udp_ports', kind: 'ports', label: 'svc.udp_ports', help: 'svc.optional_separated_by_commas_or_spaces' },
    { key: 'scan_window', kind: 'seconds', label: 'svc.scan_window_seconds', help: 'svc.ports_touched_by_one_address_within_this' },
    { key: 'scan_threshold', kind: 'int', label: 'svc.ports_that_make_a_scan', help: 'svc.distinct_ports_within_the_window_that_re' },
  ],
};

const MSG = {
  port: 'svc.error_port',
  int: 'svc.error_int',
  number: 'svc.error_number',
  ports: 'svc.error_ports',
};

/** splitListen reads "address:port" and "[v6]:port" into [address, port]. */
function splitListen(v) {
  const s = String(v ?? '');
  const i = s.lastIndexOf(':');
  if (i < 0) return [s, ''];
  return [s.slice(0, i).replace(/^\[(.*)\]$/, '$1'), s.slice(i + 1)];
}

function joinListen(address, port) {
  const a = address.trim();
  return `${a.includes(':') ? `[${a}]` : a}:${port.trim()}`;
}

function isPort(s) {
  return /^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= 65535;
}

/**
 * servicePorts is where a service listens according to its settings:
 * {tcp: [ports], udp: [ports]} (empty lists when the settings do not say).
 */
export function servicePorts(name, config) {
  const c = config || {};
  if (name === 'recon') {
    return { tcp: Array.isArray(c.ports) ? c.ports : [], udp: Array.isArray(c.udp_ports) ? c.udp_ports : [] };
  }
  const port = typeof c.listen === 'string' ? splitListen(c.listen)[1] : '';
  return { tcp: isPort(port) ? [Number(port)] : [], udp: [] };
}

/**
 * serviceForm builds the form of service name, filled from config. Returns
 *   nodes      the fields (none for a service kind without a form)
 *   load(obj)  shows the settings obj (after the JSON editor changed them)
 *   apply(obj) returns obj with the fields the user changed since the last
 *              load; throws an error with fields {config.<key>: message}
 *              when a field cannot be read (e.g. a port that is no number)
 * Fields the user did not touch are left alone, so keys edited in the JSON
 * editor or unknown to the form are kept as they are.
 */
export function serviceForm(name, config, readOnly) {
  const defs = SERVICE_FIELDS[name] || [];
  const dirty = new Set();
  const parts = defs.map((d) => control(name, d, readOnly));
  for (const [i, p] of parts.entries()) {
    p.node.addEventListener('input', () => dirty.add(defs[i].key));
  }

  function load(obj) {
    const c = obj || {};
    for (const [i, d] of defs.entries()) parts[i].set(c[d.key]);
    dirty.clear();
  }

  function apply(obj) {
    if (!dirty.size) return obj;
    const out = { ...(obj || {}) };
    const fields = {};
    for (const [i, d] of defs.entries()) {
      if (!dirty.has(d.key)) continue;
      const r = parts[i].get();
      if (r.error) fields[`config.${d.key}`] = r.error;
      else out[d.key] = r.value;
    }
    if (Object.keys(fields).length) {
      const err = new Error(t('svc.invalid'));
      err.fields = fields;
      throw err;
    }
    return out;
  }

  load(config);
  return { nodes: parts.map((p) => p.node), load, apply };
}

/** control builds one field: {node, set(value), get() -> {value} or {error}}. */
function control(service, def, readOnly) {
  const d = { ...def, label: t(def.label), help: t(def.help) };
  const name = `config.${d.key}`;
  const id = `svc-${service}-${d.key.replace(/_/g, '-')}`;
  const common = { id, name, autocomplete: 'off', spellcheck: 'false', readonly: readOnly };

  if (d.kind === 'listen') {
    const address = h('input', { ...common, id: `${id}-address`, placeholder: '0.0.0.0', 'aria-label': t('svc.address_of', { label: d.label }) });
    const port = h('input', { ...common, id: `${id}-port`, inputmode: 'numeric', class: 'port-input', 'aria-label': t('svc.port_of', { label: d.label }) });
    return {
      node: fieldGroup(d.label, h('div', { class: 'listen-pair' }, address, h('span', { 'aria-hidden': 'true' }, ':'), port), name, d.help),
      set(v) { [address.value, port.value] = v === undefined ? ['', ''] : splitListen(v); },
      get: () => (isPort(port.value.trim()) ? { value: joinListen(address.value, port.value) } : { error: t(MSG.port) }),
    };
  }
  if (d.kind === 'bool') {
    const box = checkbox(d.label, { id, name, disabled: readOnly });
    const input = box.querySelector('input');
    return {
      node: h('div', { class: 'field', 'data-field': name }, box, h('div', { class: 'hint' }, d.help), h('div', { class: 'field-error', hidden: true })),
      set(v) { input.checked = Boolean(v); },
      get: () => ({ value: input.checked }),
    };
  }
  const multi = d.kind === 'list' || d.kind === 'lines';
  const input = multi
    ? h('textarea', { ...common, rows: 4, class: 'mono' })
    : h('input', { ...common, inputmode: ['int', 'seconds'].includes(d.kind) ? 'decimal' : null });
  const set = {
    list: (v) => (Array.isArray(v) ? v.join('\n') : ''),
    ports: (v) => (Array.isArray(v) ? v.join(', ') : ''),
  }[d.kind] || ((v) => (v === undefined || v === null ? '' : String(v)));
  return {
    node: field(d.label, input, name, d.help),
    set(v) { input.value = set(v); },
    get: () => read(d.kind, input.value),
  };
}

/** read turns a field's text into the settings value of its kind. */
function read(kind, text) {
  const v = text.trim();
  switch (kind) {
    case 'list':
      return { value: text.split('\n').map((s) => s.trim()).filter(Boolean) };
    case 'ports': {
      const items = v.split(/[\s,]+/).filter(Boolean);
      return items.every(isPort) ? { value: items.map(Number) } : { error: t(MSG.ports) };
    }
    case 'int':
      if (v === '') return { value: 0 };
      return /^-?\d+$/.test(v) ? { value: Number(v) } : { error: t(MSG.int) };
    case 'seconds':
      return v !== '' && Number.isFinite(Number(v)) ? { value: Number(v) } : { error: t(MSG.number) };
    case 'lines':
      return { value: text };
    default:
      return { value: v };
  }
}

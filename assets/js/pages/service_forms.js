// Settings forms of the honeypot services: one field per key of each
// service's settings object, with its help text. The server checks the
// settings and answers field errors as config.<key>; each field's wrapper
// carries that name, so the message lands under the field. All labels and
// help texts of the forms are in SERVICE_FIELDS.

import { h } from '../dom.js';
import { field, fieldGroup, checkbox } from '../forms.js';

/*
 * Field kinds:
 *   listen   "address:port", edited as address + port
 *   text     a one-line string      lines  a multi-line string
 *   list     a list of strings, one per line
 *   ports    a list of port numbers, separated by commas or spaces
 *   int      a whole number         seconds  a number of seconds (may have decimals)
 *   bool     a checkbox
 */
const ACCEPT_HELP = 'Logins that are let in, one "user:password" per line; "*" matches any user or any password.';
const ACCEPT_AFTER_HELP = 'Let any password in after this many failed logins from one address; 0 never does.';

export const SERVICE_FIELDS = {
  ssh: [
    { key: 'listen', kind: 'listen', label: 'Listen on', help: 'Address (empty or 0.0.0.0: every address) and port of the SSH server.' },
    { key: 'banner', kind: 'text', label: 'Banner', help: 'The version line sent to clients; starts with SSH-2.0-.' },
    { key: 'hostname', kind: 'text', label: 'Host name', help: 'The host name the fake shell shows.' },
    { key: 'accept', kind: 'list', label: 'Accepted credentials', help: ACCEPT_HELP },
    { key: 'accept_after', kind: 'int', label: 'Accept any password after', help: ACCEPT_AFTER_HELP },
    { key: 'host_key_file', kind: 'text', label: 'Host key file', help: 'File with the host keys, created on first start.' },
  ],
  telnet: [
    { key: 'listen', kind: 'listen', label: 'Listen on', help: 'Address (empty or 0.0.0.0: every address) and port of the telnet server.' },
    { key: 'hostname', kind: 'text', label: 'Host name', help: 'Shown in the login prompt and the fake shell.' },
    { key: 'issue', kind: 'lines', label: 'Banner before the login prompt', help: 'Empty: the usual Debian line with the host name.' },
    { key: 'accept', kind: 'list', label: 'Accepted credentials', help: ACCEPT_HELP },
    { key: 'accept_after', kind: 'int', label: 'Accept any password after', help: ACCEPT_AFTER_HELP },
    { key: 'login_retries', kind: 'int', label: 'Login attempts per connection', help: 'Failed logins before the connection ends (1–10; 0: 1).' },
  ],
  ftp: [
    { key: 'listen', kind: 'listen', label: 'Listen on', help: 'Address (empty or 0.0.0.0: every address) and port of the FTP server.' },
    { key: 'banner', kind: 'text', label: 'Banner', help: 'Text of the 220 greeting, e.g. (vsFTPd 3.0.3).' },
    { key: 'anonymous', kind: 'bool', label: 'Anonymous login', help: '"anonymous" and "ftp" log in with any password.' },
    { key: 'accept', kind: 'list', label: 'Accepted credentials', help: 'Logins that are let in, one "user:password" per line; "user:*" accepts any password.' },
    { key: 'accept_after', kind: 'int', label: 'Accept any password after', help: 'Let any login in after this many failures from one address within an hour (0–100; 0 never).' },
    { key: 'max_commands', kind: 'int', label: 'Commands per session', help: 'The session ends after this many commands (0: 500).' },
    { key: 'max_upload', kind: 'int', label: 'Upload bytes read', help: 'Bytes of one upload that are read and hashed (0: 1 MiB).' },
    { key: 'passive_ip', kind: 'text', label: 'Passive address', help: 'IPv4 address announced for passive transfers; empty: the address the client reached.' },
    { key: 'passive_ports', kind: 'text', label: 'Passive ports', help: 'Port range "min-max" within 1024–65535; empty: any free port.' },
  ],
  http: [
    { key: 'listen', kind: 'listen', label: 'Listen on', help: 'Address (empty or 0.0.0.0: every address) and port of the web server.' },
    { key: 'server', kind: 'text', label: 'Server header', help: 'The Server response header, e.g. lighttpd/1.4.69.' },
    { key: 'title', kind: 'text', label: 'Device name', help: 'Names the device on the login page.' },
    { key: 'basic_auth', kind: 'list', label: 'Password-protected paths', help: 'One path per line, e.g. /admin; everything below it asks for a password.' },
    { key: 'realm', kind: 'text', label: 'Password realm', help: 'The realm browsers show when asking for the password.' },
    { key: 'max_requests', kind: 'int', label: 'Requests per connection', help: '0: 100.' },
    { key: 'max_body', kind: 'int', label: 'Body bytes read', help: 'Bytes of one request body that are recorded (0: 64 KiB).' },
    { key: 'session_idle', kind: 'int', label: 'Session idle time (seconds)', help: 'Requests of one address less than this apart make one event (0: 60).' },
    { key: 'session_max', kind: 'int', label: 'Longest session (seconds)', help: 'After this a new event starts (0: 900).' },
    { key: 'session_requests', kind: 'int', label: 'Requests per session', help: 'After this many requests a new event starts (0: 500).' },
  ],
  recon: [
    { key: 'listen', kind: 'text', label: 'Listen address', help: 'IP address to listen on; 0.0.0.0 or :: for every address.' },
    { key: 'ports', kind: 'ports', label: 'TCP ports', help: 'Ports that accept connections, separated by commas or spaces.' },
    { key: 'udp_ports', kind: 'ports', label: 'UDP ports', help: 'Optional; separated by commas or spaces.' },
    { key: 'scan_window', kind: 'seconds', label: 'Scan window (seconds)', help: 'Ports touched by one address within this time count towards a scan (1–600).' },
    { key: 'scan_threshold', kind: 'int', label: 'Ports that make a scan', help: 'Distinct ports within the window that report a port scan.' },
  ],
};

const MSG = {
  port: 'Use a port from 1 to 65535.',
  int: 'Use a whole number.',
  number: 'Use a number.',
  ports: 'Use port numbers from 1 to 65535, separated by commas or spaces.',
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
      const err = new Error('The service’s settings are not valid.');
      err.fields = fields;
      throw err;
    }
    return out;
  }

  load(config);
  return { nodes: parts.map((p) => p.node), load, apply };
}

/** control builds one field: {node, set(value), get() -> {value} or {error}}. */
function control(service, d, readOnly) {
  const name = `config.${d.key}`;
  const id = `svc-${service}-${d.key.replace(/_/g, '-')}`;
  const common = { id, name, autocomplete: 'off', spellcheck: 'false', readonly: readOnly };

  if (d.kind === 'listen') {
    const address = h('input', { ...common, id: `${id}-address`, placeholder: '0.0.0.0', 'aria-label': `${d.label}: address` });
    const port = h('input', { ...common, id: `${id}-port`, inputmode: 'numeric', class: 'port-input', 'aria-label': `${d.label}: port` });
    return {
      node: fieldGroup(d.label, h('div', { class: 'listen-pair' }, address, h('span', { 'aria-hidden': 'true' }, ':'), port), name, d.help),
      set(v) { [address.value, port.value] = v === undefined ? ['', ''] : splitListen(v); },
      get: () => (isPort(port.value.trim()) ? { value: joinListen(address.value, port.value) } : { error: MSG.port }),
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
  const t = text.trim();
  switch (kind) {
    case 'list':
      return { value: text.split('\n').map((s) => s.trim()).filter(Boolean) };
    case 'ports': {
      const items = t.split(/[\s,]+/).filter(Boolean);
      return items.every(isPort) ? { value: items.map(Number) } : { error: MSG.ports };
    }
    case 'int':
      if (t === '') return { value: 0 };
      return /^-?\d+$/.test(t) ? { value: Number(t) } : { error: MSG.int };
    case 'seconds':
      return t !== '' && Number.isFinite(Number(t)) ? { value: Number(t) } : { error: MSG.number };
    case 'lines':
      return { value: text };
    default:
      return { value: t };
  }
}

// System → E-mail notifications (#/system/mail, admin): the SMTP server the
// appliance sends notifications through, the DISABLED/ENABLED switch, a test
// mail sent with the form's (unsaved) values, the storm guard and the weekly
// summary's time. Below it the outbox: every queued, sent and failed mail,
// refreshed while the page is shown. The password is write-only: the API only
// says whether one is stored.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { field, checkbox, errorLine, showError, clearErrors, busy } from '../forms.js';
import { openViewDialog } from '../dialog.js';
import { formatTime, formatShort } from '../format.js';
import { countText, plural } from '../event_labels.js';
import { systemTabs } from './system.js';
import { timeZones, browserZone } from '../i18n.js';

const REFRESH_MS = 10000;
const OUTBOX_LIMIT = 100;

const ENCRYPTIONS = [
  { value: 'none', label: 'None' },
  { value: 'starttls', label: 'STARTTLS' },
  { value: 'tls', label: 'TLS' },
];

/** Names of the mail kinds the outbox lists. */
const MAIL_KINDS = {
  event: 'Event',
  sensor_timeout: 'Sensor timeout',
  sensor_online: 'Sensor back online',
  weekly_summary: 'Weekly summary',
  storm_summary: 'Storm summary',
  test: 'Test mail',
};

const MAIL_STATUSES = { queued: 'Queued', sent: 'Sent', failed: 'Failed' };

export async function render(view) {
  const settings = await api.get('/settings/smtp');
  const outbox = outboxPanel();
  view.append(systemTabs('system/mail'), settingsPanel(settings, outbox.refresh), outbox.node);
  await outbox.refresh();

  const timer = setInterval(() => {
    // The page is gone once the user navigated away.
    if (!view.isConnected) { clearInterval(timer); return; }
    if (!document.hidden) outbox.refresh();
  }, REFRESH_MS);
}

/** number is a whole-number input. */
function number(id, name, min, max, extra) {
  return h('input', { id, name, type: 'number', min, max, step: 1, inputmode: 'numeric', ...extra });
}

/**
 * readInt reads a whole number from an input. A box that is empty or holds no
 * whole number would reach the server as something it cannot read, so it is
 * flagged here in the server's error shape (the server checks the ranges).
 */
function readInt(input, name, message, fields) {
  const raw = input.value.trim();
  if (!/^\d+$/.test(raw)) {
    fields[name] = message;
    return 0;
  }
  return Number(raw);
}

function fieldError(fields) {
  const err = new Error('Check the marked fields.');
  err.fields = fields;
  return err;
}

/** hasFields tells whether an error names fields (they show next to their inputs). */
function hasFields(err) {
  return Boolean(err.fields && Object.keys(err.fields).length);
}

function settingsPanel(initial, refreshOutbox) {
  let saved = initial;

  const host = h('input', { id: 'smtp-host', name: 'host', autocomplete: 'off', spellcheck: 'false', maxlength: 253, placeholder: 'mail.example.org' });
  const port = number('smtp-port', 'port', 1, 65535, { placeholder: '25, 465 or 587', class: 'port-input' });
  const encryption = h('select', { id: 'smtp-encryption', name: 'encryption' },
    ENCRYPTIONS.map((e) => h('option', { value: e.value }, e.label)));
  const from = h('input', { id: 'smtp-from', name: 'from', type: 'email', autocomplete: 'off', spellcheck: 'false', placeholder: 'honeysens@example.org' });
  const user = h('input', { id: 'smtp-user', name: 'user', autocomplete: 'off', spellcheck: 'false', maxlength: 256 });
  const password = h('input', { id: 'smtp-password', name: 'password', type: 'password', autocomplete: 'new-password', maxlength: 512 });
  const removeBox = checkbox('Remove the stored password', { id: 'smtp-password-remove' });
  const remove = removeBox.querySelector('input');
  const stormLimit = number('smtp-storm-limit', 'storm_limit', 1, 1000, { class: 'count-input' });
  const stormMinutes = number('smtp-storm-minutes', 'storm_minutes', 1, 1440, { class: 'count-input' });
  const weeklyAt = h('input', { id: 'smtp-weekly-at', name: 'weekly_at', type: 'time', class: 'time-input' });
  const weeklyTZ = h('input', { id: 'smtp-weekly-tz', name: 'weekly_tz', list: 'smtp-zones', autocomplete: 'off', spellcheck: 'false', placeholder: 'Europe/Berlin' });
  const zones = h('datalist', { id: 'smtp-zones' }, timeZones().map((z) => h('option', { value: z })));
  const zone = browserZone();

  const switchLabel = h('span', { class: 'mail-switch-label' });
  const toggle = h('button', { type: 'button', id: 'smtp-enabled', class: 'mail-switch', role: 'switch' },
    h('span', { class: 'mail-switch-dot', 'aria-hidden': 'true' }), switchLabel);
  const stateLine = h('p', { id: 'smtp-state', class: 'mail-state' });
  const save = h('button', { type: 'submit', id: 'smtp-save', class: 'btn primary' }, 'Save');
  const savedNote = h('span', { id: 'smtp-saved', class: 'muted', role: 'status' });

  const testTo = h('input', { id: 'smtp-test-to', name: 'to', type: 'email', autocomplete: 'email', spellcheck: 'false', placeholder: 'you@example.org' });
  const testSend = h('button', { type: 'button', id: 'smtp-test-send', class: 'btn' }, 'Send test mail');
  const testResult = h('div', { id: 'smtp-test-result', class: 'mail-test-result' });

  /** fill shows saved settings; the password box starts empty and says whether one is stored. */
  function fill(s) {
    host.value = s.host || '';
    port.value = s.port ? String(s.port) : '';
    encryption.value = s.encryption || 'starttls';
    from.value = s.from || '';
    user.value = s.user || '';
    password.value = '';
    password.disabled = false;
    password.placeholder = s.password_set ? 'stored — leave empty to keep' : 'none stored';
    remove.checked = false;
    removeBox.hidden = !s.password_set;
    stormLimit.value = String(s.storm_limit ?? '');
    stormMinutes.value = String(s.storm_minutes ?? '');
    weeklyAt.value = s.weekly_at || '';
    weeklyTZ.value = s.weekly_tz || '';
  }

  function paintSwitch() {
    const on = Boolean(saved.enabled);
    toggle.classList.toggle('is-on', on);
    toggle.classList.toggle('is-off', !on);
    toggle.setAttribute('aria-checked', String(on));
    toggle.setAttribute('aria-label', `E-mail notifications ${on ? 'enabled' : 'disabled'}`);
    toggle.title = on
      ? 'E-mail notifications are enabled. Click to disable them.'
      : 'E-mail notifications are disabled. Click to save the form and enable them.';
    replace(switchLabel, on ? 'ENABLED' : 'DISABLED');
    stateLine.className = on ? 'mail-state notice success' : 'mail-state notice';
    replace(stateLine, on
      ? 'E-mail notifications are enabled: the contacts of each group (Users and groups) receive the kinds of mail ticked for them.'
      : 'E-mail notifications are disabled: no notification mails are written. Set up the server, send a test mail, then click DISABLED to enable them.');
  }

  /** serverValues are the fields the test mail needs, as the API takes them. */
  function serverValues(fields) {
    return {
      host: host.value.trim(),
      port: readInt(port, 'port', 'Use a port from 1 to 65535.', fields),
      encryption: encryption.value,
      from: from.value.trim(),
      user: user.value.trim(),
    };
  }

  /** passwordValue: only a typed password or the removal is sent; nothing keeps the stored one. */
  function passwordValue() {
    if (remove.checked) return { password: '' };
    if (password.value) return { password: password.value };
    return {};
  }

  /** values are the whole form; client-side problems are thrown in the API's error shape. */
  function values() {
    const fields = {};
    const body = {
      ...serverValues(fields),
      ...passwordValue(),
      storm_limit: readInt(stormLimit, 'storm_limit', 'Use 1 to 1000 mails.', fields),
      storm_minutes: readInt(stormMinutes, 'storm_minutes', 'Use 1 to 1440 minutes.', fields),
      weekly_at: weeklyAt.value,
      weekly_tz: weeklyTZ.value.trim(),
    };
    if (Object.keys(fields).length) throw fieldError(fields);
    return body;
  }

  remove.addEventListener('change', () => {
    password.disabled = remove.checked;
    if (remove.checked) password.value = '';
  });

  const form = h('form', { class: 'panel-body stack mail-form', novalidate: true },
    stateLine,
    h('fieldset', { class: 'mail-section' },
      h('legend', null, 'Mail server'),
      h('div', { class: 'mail-grid' },
        field('SMTP server', host, 'host', 'Host name or IP address.'),
        field('Port', port, 'port', 'Usually 25 (none), 587 (STARTTLS) or 465 (TLS).'),
        field('Encryption', encryption, 'encryption',
          'STARTTLS never sends the login in clear: if the server does not offer it, nothing is sent.'),
        field('Sender address', from, 'from', 'The From address of every notification.'),
        field('User (optional)', user, 'user', 'Only if the server wants a login. Clearing it removes the stored password, too.'),
        h('div', { class: 'field', 'data-field': 'password' },
          h('label', { for: password.id }, 'Password (optional)'),
          password,
          removeBox,
          h('div', { class: 'field-error', hidden: true })))),
    h('fieldset', { class: 'mail-section' },
      h('legend', null, 'Storm guard'),
      h('p', { class: 'hint' }, 'Limits the event mails one recipient gets: once the limit is reached, the further events of the window are collected into one summary mail.'),
      h('div', { class: 'mail-grid' },
        field('Event mails per recipient', stormLimit, 'storm_limit', '1 to 1000.'),
        field('Within (minutes)', stormMinutes, 'storm_minutes', '1 to 1440.'))),
    h('fieldset', { class: 'mail-section' },
      h('legend', null, 'Weekly summary'),
      h('p', { class: 'hint' }, 'Sent every Monday to the contacts with “Weekly summary”.'),
      h('div', { class: 'mail-grid' },
        field('Time of day', weeklyAt, 'weekly_at', 'On Mondays, in the time zone given here.'),
        field('Time zone', weeklyTZ, 'weekly_tz', zone ? `A zone name such as Europe/Berlin. This browser is in ${zone}.` : 'A zone name such as Europe/Berlin or UTC.')),
      zones),
    errorLine('smtp-error'),
    h('div', { class: 'form-actions' }, save, savedNote),
    h('fieldset', { class: 'mail-section mail-test' },
      h('legend', null, 'Test mail'),
      h('p', { class: 'hint' }, 'Sends a test mail with the values in the form above, saved or not (an empty password box uses the stored password).'),
      h('div', { class: 'inline-form' },
        field('Send a test mail to', testTo, 'to'),
        testSend),
      testResult));

  /** save sends the form (plus extra keys); resolves to the answer, or null after showing the error. */
  async function saveForm(extra, button, failText) {
    clearErrors(form);
    replace(savedNote);
    try {
      const body = { ...values(), ...extra };
      const res = await busy(button, () => api.patch('/settings/smtp', body));
      saved = res;
      fill(res);
      paintSwitch();
      refreshOutbox();
      return res;
    } catch (err) {
      showError(form, err, hasFields(err) ? failText : undefined);
      return null;
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (await saveForm({}, save, 'Not saved: check the marked fields.')) replace(savedNote, 'Saved.');
  });

  // Enabling saves the form with it, so the manual's order (fill in, test, click
  // DISABLED) works without a separate Save. Disabling changes only the switch
  // and leaves unsaved edits in the form alone.
  toggle.addEventListener('click', async () => {
    if (!saved.enabled) {
      const res = await saveForm({ enabled: true }, toggle, 'E-mail notifications stay disabled: check the marked fields.');
      if (res) replace(savedNote, 'Saved. E-mail notifications are enabled.');
      return;
    }
    clearErrors(form);
    replace(savedNote);
    try {
      const res = await busy(toggle, () => api.patch('/settings/smtp', { enabled: false }));
      saved = { ...saved, enabled: res.enabled, password_set: res.password_set };
      paintSwitch();
      replace(savedNote, 'E-mail notifications are disabled.');
      refreshOutbox();
    } catch (err) {
      showError(form, err);
    }
  });

  function testOutcome(ok, text) {
    replace(testResult, h('p', {
      id: 'smtp-test-message',
      class: ok ? 'notice success' : 'notice danger',
      role: ok ? 'status' : 'alert',
    }, text));
  }

  async function sendTest() {
    clearErrors(form);
    replace(testResult, h('p', { class: 'muted', role: 'status' }, 'Sending the test mail…'));
    try {
      const fields = {};
      const body = { to: testTo.value.trim(), ...serverValues(fields), ...passwordValue() };
      if (Object.keys(fields).length) throw fieldError(fields);
      const res = await busy(testSend, () => api.post('/settings/smtp/test', body));
      testOutcome(true, res.message || 'The test mail was sent.');
    } catch (err) {
      if (hasFields(err)) {
        // Field messages go next to their inputs; the summary shows here, by the button.
        showError(form, err, 'The test mail was not sent: check the marked fields.');
        const line = form.querySelector('.form-error');
        const text = line.textContent;
        replace(line);
        line.hidden = true;
        testOutcome(false, text);
      } else {
        testOutcome(false, `The test mail was not sent: ${err.message || 'the mail server did not accept it.'}`);
      }
    }
  }
  testSend.addEventListener('click', sendTest);
  // Enter in the address box sends the test mail instead of saving the form.
  testTo.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      if (!testSend.disabled) sendTest();
    }
  });

  fill(saved);
  paintSwitch();
  return h('section', { class: 'panel mail-panel', 'aria-labelledby': 'smtp-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'smtp-head' }, 'Mail settings'), toggle),
    form);
}

function kindName(kind) {
  return MAIL_KINDS[kind] || kind;
}

function statusPill(status) {
  return h('span', { class: `pill mail-${status}` }, MAIL_STATUSES[status] || status);
}

/** outboxPanel is the list of mails; refresh() reloads it (rebuilt only when it changed). */
function outboxPanel() {
  const filter = h('select', { id: 'outbox-status', 'aria-label': 'Show mails' },
    h('option', { value: '' }, 'All mails'),
    Object.entries(MAIL_STATUSES).map(([value, label]) => h('option', { value }, label)));
  const retry = h('button', { type: 'button', id: 'outbox-retry', class: 'btn small' }, 'Retry now');
  const counts = h('p', { id: 'outbox-counts', class: 'outbox-counts' });
  const notice = h('p', { id: 'outbox-notice', class: 'notice', role: 'status', hidden: true });
  const error = h('p', { id: 'outbox-error', class: 'notice danger', role: 'alert', hidden: true });
  const body = h('tbody');
  const table = h('table', { class: 'table outbox', id: 'outbox-table' },
    h('thead', null, h('tr', null,
      h('th', null, 'Time'), h('th', null, 'Kind'), h('th', null, 'Recipient'), h('th', null, 'Subject'),
      h('th', null, 'Status'), h('th', { class: 'num' }, 'Attempts'), h('th', null, 'Last error'),
      h('th', { class: 'actions' }, h('span', { class: 'sr-only' }, 'Actions')))),
    body);
  let lastJSON = '';
  let seq = 0;

  function paint(res) {
    const c = res.counts || {};
    replace(counts,
      Object.entries(MAIL_STATUSES).map(([key, label]) =>
        h('span', { class: `outbox-count mail-${key}`, 'data-status': key },
          h('span', { class: 'outbox-count-label' }, label), ' ',
          h('span', { class: 'outbox-count-num' }, countText(c[key] ?? 0)))));
    const items = res.items || [];
    const empty = filter.value ? `No ${MAIL_STATUSES[filter.value].toLowerCase()} mails.` : 'No mails yet.';
    replace(body, items.length
      ? items.map(mailRow)
      : h('tr', { class: 'empty-row' }, h('td', { colspan: 8 }, h('span', { class: 'muted' }, empty))));
  }

  async function refresh() {
    const mine = ++seq;
    const q = new URLSearchParams({ limit: String(OUTBOX_LIMIT) });
    if (filter.value) q.set('status', filter.value);
    let res;
    try {
      res = await api.get(`/mails?${q}`);
    } catch (err) {
      if (mine !== seq) return;
      replace(error, `The outbox could not be loaded: ${err.message}`);
      error.hidden = false;
      return;
    }
    if (mine !== seq) return; // a newer request (e.g. another filter) answers instead
    error.hidden = true;
    const json = JSON.stringify(res);
    if (json === lastJSON) return;
    lastJSON = json;
    paint(res);
  }

  filter.addEventListener('change', () => {
    lastJSON = '';
    refresh();
  });

  retry.addEventListener('click', async () => {
    notice.hidden = true;
    try {
      const res = await busy(retry, () => api.post('/mails/retry', {}));
      const n = res.retried ?? 0;
      replace(notice, n ? `${plural(n, 'count.mails')} will be sent again now.` : 'There is nothing to retry.');
      notice.className = 'notice success';
    } catch (err) {
      replace(notice, err.message || 'Retrying failed.');
      notice.className = 'notice danger';
    }
    notice.hidden = false;
    await refresh();
  });

  const node = h('section', { class: 'panel mail-panel', id: 'mail-outbox', 'aria-labelledby': 'outbox-head' },
    h('header', { class: 'panel-head' },
      h('h2', { id: 'outbox-head' }, 'Outbox'),
      h('div', { class: 'panel-tools' },
        h('label', { class: 'inline-label', for: filter.id }, 'Show'), filter, retry)),
    h('div', { class: 'panel-body stack' },
      h('p', { class: 'hint' },
        'Every notification is stored here before it is sent. Mails the server did not take are tried again with growing pauses for 48 hours, then marked failed; “Retry now” tries the queued ones at once and queues the failed ones again. Click a mail to read it.'),
      counts, notice, error),
    h('div', { class: 'table-wrap outbox-wrap' }, table));
  return { node, refresh };
}

function mailRow(m) {
  const open = h('button', { type: 'button', class: 'btn small outbox-open', 'aria-label': `Show mail ${m.id}` }, 'Show');
  let statusNote = null;
  if (m.status === 'queued' && m.attempts > 0) statusNote = `next try ${formatShort(m.next_attempt_at)}`;
  else if (m.done_at) statusNote = formatShort(m.done_at);
  const row = h('tr', { class: 'outbox-row', 'data-id': m.id, 'data-status': m.status },
    h('td', { class: 'nowrap mail-time', title: formatTime(m.created_at) }, formatShort(m.created_at)),
    h('td', { class: 'nowrap mail-kind' }, kindName(m.kind)),
    h('td', { class: 'mail-recipient' }, m.recipient),
    h('td', { class: 'mail-subject' }, m.subject),
    h('td', { class: 'nowrap mail-status' }, statusPill(m.status),
      statusNote ? h('div', { class: 'muted small mail-status-note' }, statusNote) : null),
    h('td', { class: 'num mail-attempts' }, String(m.attempts ?? 0)),
    h('td', { class: 'detail mail-error' }, m.last_error || ''),
    h('td', { class: 'actions' }, open));
  // The whole row opens the mail; the button makes that reachable by keyboard.
  row.addEventListener('click', () => openMail(m.id));
  return row;
}

/** openMail shows one mail with its text (as text, in a <pre>). */
async function openMail(id) {
  const body = h('div', { class: 'stack' }, h('p', { class: 'muted' }, 'Loading…'));
  const dlg = openViewDialog({ title: `Mail #${id}`, body, id: 'mail-view', testid: 'mail-view', wide: true });
  try {
    const m = await api.get(`/mails/${id}`);
    if (!dlg.isConnected) return;
    const item = (label, value, cls) => [h('dt', null, label), h('dd', { class: cls }, value)];
    replace(body,
      h('dl', { class: 'props mail-props' },
        item('To', m.recipient),
        item('Subject', m.subject),
        item('Kind', kindName(m.kind)),
        item('Status', statusPill(m.status)),
        item('Written', formatTime(m.created_at)),
        item('Attempts', String(m.attempts ?? 0)),
        m.status === 'queued' ? item('Next attempt', formatTime(m.next_attempt_at)) : null,
        m.status === 'queued' ? item('Gives up at', formatTime(m.give_up_at)) : null,
        m.done_at ? item(m.status === 'sent' ? 'Sent' : 'Failed', formatTime(m.done_at)) : null,
        m.last_error ? item('Last error', m.last_error, 'mail-error') : null),
      h('pre', { id: 'mail-view-body', class: 'mail-text' }, m.body || ''));
  } catch (err) {
    if (dlg.isConnected) replace(body, h('p', { class: 'notice danger', role: 'alert' }, err.message));
  }
}

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
import { t, LANGUAGES, timeZones, browserZone } from '../i18n.js';

const REFRESH_MS = 10000;
const OUTBOX_LIMIT = 100;

const ENCRYPTIONS = [
  { value: 'none', label: 'mailer.encryption_none' },
  { value: 'starttls', label: 'mailer.encryption_starttls' },
  { value: 'tls', label: 'mailer.encryption_tls' },
];

/** Catalog keys of the names of the mail kinds the outbox lists. */
const MAIL_KINDS = {
  event: 'mailer.kind_event',
  sensor_timeout: 'mailer.kind_sensor_timeout',
  sensor_online: 'mailer.kind_sensor_online',
  weekly_summary: 'mailer.kind_weekly_summary',
  storm_summary: 'mailer.kind_storm_summary',
  test: 'mailer.kind_test',
};

const MAIL_STATUSES = { queued: 'mailer.queued', sent: 'mailer.sent', failed: 'mailer.failed' };
/** The outbox's empty list, per status filter. */
const MAIL_NONE = { queued: 'mailer.none_queued', sent: 'mailer.none_sent', failed: 'mailer.none_failed' };

export async function render(view, ctx) {
  const settings = await api.get('/settings/smtp');
  const outbox = outboxPanel();
  view.append(systemTabs('system/mail'), settingsPanel(settings, outbox.refresh), outbox.node);
  await outbox.refresh();
  ctx.every(REFRESH_MS, outbox.refresh);
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
  const err = new Error(t('form.check_fields'));
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
  const port = number('smtp-port', 'port', 1, 65535, { placeholder: t('mailer.port_placeholder'), class: 'port-input' });
  const encryption = h('select', { id: 'smtp-encryption', name: 'encryption' },
    ENCRYPTIONS.map((e) => h('option', { value: e.value }, t(e.label))));
  const from = h('input', { id: 'smtp-from', name: 'from', type: 'email', autocomplete: 'off', spellcheck: 'false', placeholder: 'honeysens@example.org' });
  const user = h('input', { id: 'smtp-user', name: 'user', autocomplete: 'off', spellcheck: 'false', maxlength: 256 });
  const password = h('input', { id: 'smtp-password', name: 'password', type: 'password', autocomplete: 'new-password', maxlength: 512 });
  const removeBox = checkbox(t('mailer.remove_password'), { id: 'smtp-password-remove' });
  const remove = removeBox.querySelector('input');
  const stormLimit = number('smtp-storm-limit', 'storm_limit', 1, 1000, { class: 'count-input' });
  const stormMinutes = number('smtp-storm-minutes', 'storm_minutes', 1, 1440, { class: 'count-input' });
  const weeklyAt = h('input', { id: 'smtp-weekly-at', name: 'weekly_at', type: 'time', class: 'time-input' });
  const weeklyTZ = h('input', { id: 'smtp-weekly-tz', name: 'weekly_tz', list: 'smtp-zones', autocomplete: 'off', spellcheck: 'false', placeholder: 'Europe/Berlin' });
  const zones = h('datalist', { id: 'smtp-zones' }, timeZones().map((z) => h('option', { value: z })));
  const zone = browserZone();
  const language = h('select', { id: 'smtp-language', name: 'language' },
    Object.entries(LANGUAGES).map(([code, name]) => h('option', { value: code }, name)));

  const switchLabel = h('span', { class: 'mail-switch-label' });
  const toggle = h('button', { type: 'button', id: 'smtp-enabled', class: 'mail-switch', role: 'switch' },
    h('span', { class: 'mail-switch-dot', 'aria-hidden': 'true' }), switchLabel);
  const stateLine = h('p', { id: 'smtp-state', class: 'mail-state' });
  const save = h('button', { type: 'submit', id: 'smtp-save', class: 'btn primary' }, t('common.save'));
  const savedNote = h('span', { id: 'smtp-saved', class: 'muted', role: 'status' });

  const testTo = h('input', { id: 'smtp-test-to', name: 'to', type: 'email', autocomplete: 'email', spellcheck: 'false', placeholder: 'you@example.org' });
  const testSend = h('button', { type: 'button', id: 'smtp-test-send', class: 'btn' }, t('mailer.send_test'));
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
    password.placeholder = s.password_set ? t('mailer.password_stored') : t('mailer.password_none');
    remove.checked = false;
    removeBox.hidden = !s.password_set;
    stormLimit.value = String(s.storm_limit ?? '');
    stormMinutes.value = String(s.storm_minutes ?? '');
    weeklyAt.value = s.weekly_at || '';
    weeklyTZ.value = s.weekly_tz || '';
    language.value = s.language || 'en';
  }

  function paintSwitch() {
    const on = Boolean(saved.enabled);
    toggle.classList.toggle('is-on', on);
    toggle.classList.toggle('is-off', !on);
    toggle.setAttribute('aria-checked', String(on));
    toggle.setAttribute('aria-label', on ? t('mailer.switch_on_label') : t('mailer.switch_off_label'));
    toggle.title = on ? t('mailer.switch_on_title') : t('mailer.switch_off_title');
    replace(switchLabel, on ? t('mailer.switch_on') : t('mailer.switch_off'));
    stateLine.className = on ? 'mail-state notice success' : 'mail-state notice';
    replace(stateLine, on
      ? t('mailer.state_on')
      : t('mailer.state_off'));
  }

  /** serverValues are the fields the test mail needs, as the API takes them. */
  function serverValues(fields) {
    return {
      host: host.value.trim(),
      port: readInt(port, 'port', t('svc.error_port'), fields),
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
      storm_limit: readInt(stormLimit, 'storm_limit', t('mailer.storm_limit_error'), fields),
      storm_minutes: readInt(stormMinutes, 'storm_minutes', t('mailer.storm_minutes_error'), fields),
      weekly_at: weeklyAt.value,
      weekly_tz: weeklyTZ.value.trim(),
      language: language.value,
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
      h('legend', null, t('mailer.server')),
      h('div', { class: 'mail-grid' },
        field(t('mailer.host'), host, 'host', t('mailer.host_hint')),
        field(t('details.port'), port, 'port', t('mailer.port_hint')),
        field(t('mailer.encryption'), encryption, 'encryption', t('mailer.encryption_hint')),
        field(t('mailer.from'), from, 'from', t('mailer.from_hint')),
        field(t('mailer.language'), language, 'language', t('mailer.language_hint')),
        field(t('mailer.user'), user, 'user', t('mailer.user_hint')),
        h('div', { class: 'field', 'data-field': 'password' },
          h('label', { for: password.id }, t('mailer.password')),
          password,
          removeBox,
          h('div', { class: 'field-error', hidden: true })))),
    h('fieldset', { class: 'mail-section' },
      h('legend', null, t('mailer.storm')),
      h('p', { class: 'hint' }, t('mailer.storm_hint')),
      h('div', { class: 'mail-grid' },
        field(t('mailer.storm_limit'), stormLimit, 'storm_limit', t('mailer.storm_limit_hint')),
        field(t('mailer.storm_minutes'), stormMinutes, 'storm_minutes', t('mailer.storm_minutes_hint')))),
    h('fieldset', { class: 'mail-section' },
      h('legend', null, t('mailer.kind_weekly_summary')),
      h('p', { class: 'hint' }, t('mailer.weekly_hint')),
      h('div', { class: 'mail-grid' },
        field(t('mailer.weekly_at'), weeklyAt, 'weekly_at', t('mailer.weekly_at_hint')),
        field(t('account.time_zone'), weeklyTZ, 'weekly_tz', t('mailer.weekly_tz_hint', { zone }))),
      zones),
    errorLine('smtp-error'),
    h('div', { class: 'form-actions' }, save, savedNote),
    h('fieldset', { class: 'mail-section mail-test' },
      h('legend', null, t('mailer.kind_test')),
      h('p', { class: 'hint' }, t('mailer.test_hint')),
      h('div', { class: 'inline-form' },
        field(t('mailer.test_to'), testTo, 'to'),
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
    if (await saveForm({}, save, t('mailer.not_saved'))) replace(savedNote, t('common.saved'));
  });

  // Enabling saves the form with it, so the manual's order (fill in, test, click
  // DISABLED) works without a separate Save. Disabling changes only the switch
  // and leaves unsaved edits in the form alone.
  toggle.addEventListener('click', async () => {
    if (!saved.enabled) {
      const res = await saveForm({ enabled: true }, toggle, t('mailer.stay_disabled'));
      if (res) replace(savedNote, t('mailer.saved_enabled'));
      return;
    }
    clearErrors(form);
    replace(savedNote);
    try {
      const res = await busy(toggle, () => api.patch('/settings/smtp', { enabled: false }));
      saved = { ...saved, enabled: res.enabled, password_set: res.password_set };
      paintSwitch();
      replace(savedNote, t('mailer.now_disabled'));
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
    replace(testResult, h('p', { class: 'muted', role: 'status' }, t('mailer.test_sending')));
    try {
      const fields = {};
      const body = { to: testTo.value.trim(), ...serverValues(fields), ...passwordValue() };
      if (Object.keys(fields).length) throw fieldError(fields);
      const res = await busy(testSend, () => api.post('/settings/smtp/test', body));
      testOutcome(true, res.message || t('mailer.test_sent'));
    } catch (err) {
      if (hasFields(err)) {
        // Field messages go next to their inputs; the summary shows here, by the button.
        showError(form, err, t('mailer.test_check_fields'));
        const line = form.querySelector('.form-error');
        const text = line.textContent;
        replace(line);
        line.hidden = true;
        testOutcome(false, text);
      } else {
        testOutcome(false, t('mailer.test_failed', { message: err.message || t('mailer.test_refused') }));
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
    h('header', { class: 'panel-head' }, h('h2', { id: 'smtp-head' }, t('mailer.settings')), toggle),
    form);
}

function kindName(kind) {
  return MAIL_KINDS[kind] ? t(MAIL_KINDS[kind]) : kind;
}

function statusPill(status) {
  return h('span', { class: `pill mail-${status}` }, MAIL_STATUSES[status] ? t(MAIL_STATUSES[status]) : status);
}

/** outboxPanel is the list of mails; refresh() reloads it (rebuilt only when it changed). */
function outboxPanel() {
  const filter = h('select', { id: 'outbox-status', 'aria-label': t('mailer.show_mails') },
    h('option', { value: '' }, t('mailer.all_mails')),
    Object.entries(MAIL_STATUSES).map(([value, label]) => h('option', { value }, t(label))));
  const retry = h('button', { type: 'button', id: 'outbox-retry', class: 'btn small' }, t('mailer.retry'));
  const counts = h('p', { id: 'outbox-counts', class: 'outbox-counts' });
  const notice = h('p', { id: 'outbox-notice', class: 'notice', role: 'status', hidden: true });
  const error = h('p', { id: 'outbox-error', class: 'notice danger', role: 'alert', hidden: true });
  const body = h('tbody');
  const table = h('table', { class: 'table outbox', id: 'outbox-table' },
    h('thead', null, h('tr', null,
      h('th', null, t('events.col_time')), h('th', null, t('mailer.kind')), h('th', null, t('mailer.recipient')), h('th', null, t('mailer.subject')),
      h('th', null, t('events.col_status')), h('th', { class: 'num' }, t('mailer.attempts')), h('th', null, t('mailer.last_error')),
      h('th', { class: 'actions' }, h('span', { class: 'sr-only' }, t('events.actions'))))),
    body);
  let lastJSON = '';
  let seq = 0;

  function paint(res) {
    const c = res.counts || {};
    replace(counts,
      Object.entries(MAIL_STATUSES).map(([key, label]) =>
        h('span', { class: `outbox-count mail-${key}`, 'data-status': key },
          h('span', { class: 'outbox-count-label' }, t(label)), ' ',
          h('span', { class: 'outbox-count-num' }, countText(c[key] ?? 0)))));
    const items = res.items || [];
    const empty = t(MAIL_NONE[filter.value] || 'mailer.none_yet');
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
      replace(error, t('mailer.outbox_failed', { message: err.message }));
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
      replace(notice, n ? t('mailer.retried', { mails: plural(n, 'count.mails') }) : t('mailer.nothing_to_retry'));
      notice.className = 'notice success';
    } catch (err) {
      replace(notice, err.message || t('mailer.retry_failed'));
      notice.className = 'notice danger';
    }
    notice.hidden = false;
    await refresh();
  });

  const node = h('section', { class: 'panel mail-panel', id: 'mail-outbox', 'aria-labelledby': 'outbox-head' },
    h('header', { class: 'panel-head' },
      h('h2', { id: 'outbox-head' }, t('mailer.outbox')),
      h('div', { class: 'panel-tools' },
        h('label', { class: 'inline-label', for: filter.id }, t('mailer.show')), filter, retry)),
    h('div', { class: 'panel-body stack' },
      h('p', { class: 'hint' },
        t('mailer.outbox_hint')),
      counts, notice, error),
    h('div', { class: 'table-wrap outbox-wrap' }, table));
  return { node, refresh };
}

function mailRow(m) {
  const open = h('button', { type: 'button', class: 'btn small outbox-open', 'aria-label': t('mailer.show_mail', { id: m.id }) }, t('mailer.show'));
  let statusNote = null;
  if (m.status === 'queued' && m.attempts > 0) statusNote = t('mailer.next_try', { time: formatShort(m.next_attempt_at) });
  else if (m.done_at) statusNote = formatShort(m.done_at);
  const row = h('tr', { class: 'outbox-row', 'data-id': m.id, 'data-status': m.status },
    h('td', { class: 'nowrap mail-time', title: formatTime(m.created_at) }, formatShort(m.created_at)),
    h('td', { class: 'nowrap mail-kind' }, kindName(m.kind)),
    h('td', { class: 'mail-recipient' }, m.recipient),
    h('td', { class: 'mail-subject' }, m.subject),
    h('td', { class: 'nowrap mail-status' }, statusPill(m.status),
      statusNote ? h('div', { class: 'muted small mail-status-note' }, statusNote) : null),
    h('td', { class: 'num mail-attempts', 'data-label': t('mailer.attempts') }, String(m.attempts ?? 0)),
    h('td', { class: 'detail mail-error' }, m.last_error || ''),
    h('td', { class: 'actions' }, open));
  // The whole row opens the mail; the button makes that reachable by keyboard.
  row.addEventListener('click', () => openMail(m.id));
  return row;
}

/** openMail shows one mail with its text (as text, in a <pre>). */
async function openMail(id) {
  const body = h('div', { class: 'stack' }, h('p', { class: 'muted' }, t('app.loading')));
  const dlg = openViewDialog({ title: t('mailer.title', { id }), body, id: 'mail-view', testid: 'mail-view', wide: true });
  try {
    const m = await api.get(`/mails/${id}`);
    if (!dlg.isConnected) return;
    const item = (label, value, cls) => [h('dt', null, label), h('dd', { class: cls }, value)];
    replace(body,
      h('dl', { class: 'props mail-props' },
        item(t('mailer.to'), m.recipient),
        item(t('mailer.subject'), m.subject),
        item(t('mailer.kind'), kindName(m.kind)),
        item(t('events.col_status'), statusPill(m.status)),
        item(t('mailer.written'), formatTime(m.created_at)),
        item(t('mailer.attempts'), String(m.attempts ?? 0)),
        m.status === 'queued' ? item(t('mailer.next_attempt'), formatTime(m.next_attempt_at)) : null,
        m.status === 'queued' ? item(t('mailer.gives_up'), formatTime(m.give_up_at)) : null,
        m.done_at ? item(t(m.status === 'sent' ? 'mailer.sent' : 'mailer.failed'), formatTime(m.done_at)) : null,
        m.last_error ? item(t('mailer.last_error'), m.last_error, 'mail-error') : null),
      h('pre', { id: 'mail-view-body', class: 'mail-text' }, m.body || ''));
  } catch (err) {
    if (dlg.isConnected) replace(body, h('p', { class: 'notice danger', role: 'alert' }, err.message));
  }
}

// Account page (#/account): the user's own profile (read-only here; admins
// edit users on the Users page), language and time zone, personal API tokens
// and browser sessions.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { field, errorLine, showError, clearErrors, busy } from '../forms.js';
import { confirmDialog } from '../dialog.js';
import { roleName, formatTime } from '../format.js';
import { t, LANGUAGES, browserLanguage, browserZone, timeZones } from '../i18n.js';
import * as session from '../session.js';
import { copyRow } from './copy_row.js';

export async function render(view, ctx) {
  const tokens = h('div', { class: 'panel-list' }, h('p', { class: 'muted empty' }, t('app.loading')));
  const sessions = h('div', { class: 'panel-list', id: 'session-list' }, h('p', { class: 'muted empty' }, t('app.loading')));
  view.append(profilePanel(ctx.session.user), preferencesPanel(ctx), tokenPanel(tokens), sessionPanel(sessions));
  await Promise.all([loadTokens(tokens), loadSessions(sessions, '/sessions')]);
}

function profilePanel(user) {
  const row = (label, value) => [h('dt', null, label), h('dd', null, value || '—')];
  return h('section', { class: 'panel', 'aria-labelledby': 'profile-head' },
    h('header', { class: 'panel-head' },
      h('h2', { id: 'profile-head' }, t('account.profile')),
      h('a', { class: 'btn small', id: 'account-password', href: '#/password' }, t('page.password'))),
    h('dl', { class: 'panel-body props' },
      row(t('login.username'), user.login),
      row(t('account.full_name'), user.full_name),
      row(t('account.email'), user.email),
      row(t('account.role'), roleName(user.role))));
}

/**
 * preferencesPanel sets the user's language and time zone; "browser" (empty)
 * follows whatever browser the user logs in with. Saving shows the page again
 * in the new language.
 */
function preferencesPanel(ctx) {
  const { user } = ctx.session;
  const option = (value, label, chosen) => h('option', { value, selected: value === chosen }, label);
  const language = h('select', { id: 'pref-language', name: 'language' },
    option('', t('account.browser_default', { value: LANGUAGES[browserLanguage()] }), user.language),
    Object.entries(LANGUAGES).map(([code, name]) => option(code, name, user.language)));
  const zone = h('select', { id: 'pref-time-zone', name: 'time_zone' },
    option('', t('account.browser_default', { value: browserZone() }), user.time_zone),
    timeZones().map((z) => option(z, z, user.time_zone)));
  const save = h('button', { id: 'pref-save', type: 'submit', class: 'btn primary' }, t('common.save'));
  const form = h('form', { class: 'panel-body stack narrow', novalidate: true },
    field(t('account.language'), language, 'language'),
    field(t('account.time_zone'), zone, 'time_zone', t('account.time_zone_hint')),
    errorLine('pref-error'),
    h('div', { class: 'form-actions' }, save));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try {
      session.set(await busy(save, () => api.put('/session/preferences', { language: language.value, time_zone: zone.value })));
      ctx.go('account');
    } catch (err) {
      showError(form, err);
    }
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'prefs-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'prefs-head' }, t('account.preferences'))),
    form);
}

function tokenPanel(list) {
  const name = h('input', { id: 'token-name', name: 'name', placeholder: t('account.token_placeholder'), maxlength: 100 });
  const create = h('button', { id: 'token-create', type: 'submit', class: 'btn primary' }, t('account.create_token'));
  const reveal = h('div', { id: 'token-reveal', hidden: true });
  const form = h('form', { class: 'inline-form', novalidate: true },
    field(t('account.token_name'), name, 'name'), create, errorLine('token-error'));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try {
      const made = await busy(create, () => api.post('/tokens', { name: name.value.trim() }));
      name.value = '';
      replace(reveal, revealBox(made));
      reveal.hidden = false;
      await loadTokens(list);
    } catch (err) {
      showError(form, err);
    }
  });

  return h('section', { class: 'panel', 'aria-labelledby': 'tokens-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'tokens-head' }, t('account.tokens'))),
    h('div', { class: 'panel-body stack' },
      h('p', { class: 'muted' },
        t('account.tokens_intro'), ' ',
        h('code', null, 'Authorization: Bearer <token>')),
      form, reveal),
    list);
}

/** revealBox shows a new token once: the server never returns it again. */
function revealBox(made) {
  return h('div', { class: 'notice success token-reveal' },
    h('p', null, h('strong', null, t('account.token_created', { name: made.name })), ' ',
      t('account.copy_now')),
    copyRow({
      id: 'token-value', copyId: 'token-copy', value: made.token, label: t('account.new_token'), pressCopy: t('account.press_copy'),
    }));
}

async function loadTokens(list) {
  const { items } = await api.get('/tokens');
  if (!items.length) {
    replace(list, h('p', { class: 'muted empty' }, t('account.no_tokens')));
    return;
  }
  replace(list, h('table', { class: 'table', 'data-testid': 'token-table' },
    h('thead', null, h('tr', null,
      h('th', null, t('common.name')), h('th', null, t('account.created')), h('th', null, t('account.last_used')),
      h('th', { class: 'actions' }, ''))),
    h('tbody', null, items.map((tok) => tokenRow(tok, list)))));
}

function tokenRow(tok, list) {
  const del = h('button', { type: 'button', class: 'btn small danger-text', 'data-testid': 'token-delete' }, t('common.delete'));
  del.addEventListener('click', () => confirmDialog({
    title: t('account.delete_token'),
    text: t('account.delete_token_text', { name: tok.name }),
    confirm: t('common.delete'),
    onConfirm: async () => {
      await api.del(`/tokens/${tok.id}`);
      await loadTokens(list);
    },
  }));
  return h('tr', { 'data-testid': 'token-row' },
    h('td', null, tok.name),
    h('td', null, formatTime(tok.created_at)),
    h('td', { 'data-testid': 'token-last-used' }, tok.last_used_at
      ? [formatTime(tok.last_used_at), tok.last_used_ip ? h('div', { class: 'muted' }, t('account.from', { address: tok.last_used_ip })) : null]
      : t('common.never')),
    h('td', { class: 'actions' }, del));
}

function sessionPanel(list) {
  return h('section', { class: 'panel', 'aria-labelledby': 'sessions-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'sessions-head' }, t('account.sessions'))),
    h('div', { class: 'panel-body' }, h('p', { class: 'muted' },
      t('account.sessions_intro'))),
    list);
}

/**
 * loadSessions shows the browser sessions that GET /api + path answers, each
 * with an End button (DELETE path/id); the session of this browser is marked
 * instead. The Users page shows a user's sessions with it too.
 */
export async function loadSessions(host, path) {
  const { items } = await api.get(path);
  if (!items.length) {
    replace(host, h('p', { class: 'muted empty' }, t('account.no_sessions')));
    return;
  }
  replace(host, h('table', { class: 'table', 'data-testid': 'session-table' },
    h('thead', null, h('tr', null,
      h('th', null, t('account.browser')), h('th', null, t('account.address')), h('th', null, t('account.logged_in')),
      h('th', null, t('account.last_active')), h('th', { class: 'actions' }, ''))),
    h('tbody', null, items.map((s) => sessionRow(s, host, path)))));
}

function sessionRow(s, host, path) {
  const end = h('button', { type: 'button', class: 'btn small danger-text', 'data-testid': 'session-end' }, t('account.end'));
  end.addEventListener('click', () => confirmDialog({
    title: t('account.end_session'),
    text: t('account.end_session_text', { address: s.ip || t('account.unknown_address') }),
    confirm: t('account.end_session'),
    onConfirm: async () => {
      await api.del(`${path}/${s.id}`);
      await loadSessions(host, path);
    },
  }));
  return h('tr', { 'data-testid': 'session-row', 'data-ip': s.ip },
    h('td', { class: 'detail' }, s.user_agent || t('account.unknown_browser')),
    h('td', { class: 'mono nowrap' }, s.ip || '—'),
    h('td', { class: 'nowrap' }, formatTime(s.created_at)),
    h('td', { class: 'nowrap' }, formatTime(s.last_seen)),
    h('td', { class: 'actions' }, s.current ? h('span', { class: 'tag' }, t('account.this_browser')) : end));
}

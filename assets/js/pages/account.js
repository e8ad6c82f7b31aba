// Account page (#/account): the user's own profile (read-only here; admins
// edit users on the Users page), personal API tokens and browser sessions.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { field, errorLine, showError, clearErrors, busy } from '../forms.js';
import { confirmDialog } from '../dialog.js';
import { roleName, formatTime } from '../format.js';

export async function render(view, ctx) {
  const tokens = h('div', { class: 'panel-list' }, h('p', { class: 'muted empty' }, 'Loading…'));
  const sessions = h('div', { class: 'panel-list', id: 'session-list' }, h('p', { class: 'muted empty' }, 'Loading…'));
  view.append(profilePanel(ctx.session.user), tokenPanel(tokens), sessionPanel(sessions));
  await Promise.all([loadTokens(tokens), loadSessions(sessions, '/sessions')]);
}

function profilePanel(user) {
  const row = (label, value) => [h('dt', null, label), h('dd', null, value || '—')];
  return h('section', { class: 'panel', 'aria-labelledby': 'profile-head' },
    h('header', { class: 'panel-head' },
      h('h2', { id: 'profile-head' }, 'Profile'),
      h('a', { class: 'btn small', id: 'account-password', href: '#/password' }, 'Change password')),
    h('dl', { class: 'panel-body props' },
      row('User name', user.login),
      row('Full name', user.full_name),
      row('E-mail', user.email),
      row('Role', roleName(user.role))));
}

function tokenPanel(list) {
  const name = h('input', { id: 'token-name', name: 'name', placeholder: 'e.g. backup script', maxlength: 100 });
  const create = h('button', { id: 'token-create', type: 'submit', class: 'btn primary' }, 'Create token');
  const reveal = h('div', { id: 'token-reveal', hidden: true });
  const form = h('form', { class: 'inline-form', novalidate: true },
    field('New token name', name, 'name'), create, errorLine('token-error'));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try {
      const t = await busy(create, () => api.post('/tokens', { name: name.value.trim() }));
      name.value = '';
      replace(reveal, revealBox(t));
      reveal.hidden = false;
      await loadTokens(list);
    } catch (err) {
      showError(form, err);
    }
  });

  return h('section', { class: 'panel', 'aria-labelledby': 'tokens-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'tokens-head' }, 'API tokens')),
    h('div', { class: 'panel-body stack' },
      h('p', { class: 'muted' },
        'Scripts can use the API as you by sending the header ',
        h('code', null, 'Authorization: Bearer <token>'), '.'),
      form, reveal),
    list);
}

/** revealBox shows a new token once: the server never returns it again. */
function revealBox(t) {
  const value = h('input', { id: 'token-value', class: 'mono', readonly: true, value: t.token, 'aria-label': 'New token' });
  const copy = h('button', { type: 'button', class: 'btn small', id: 'token-copy' }, 'Copy');
  const status = h('span', { class: 'muted', role: 'status' });
  copy.addEventListener('click', async () => {
    value.select();
    try {
      await navigator.clipboard.writeText(t.token);
      replace(status, 'Copied.');
    } catch {
      // No clipboard permission (e.g. plain HTTP): the text is selected instead.
      replace(status, 'Press Ctrl+C to copy the selected token.');
    }
  });
  return h('div', { class: 'notice success token-reveal' },
    h('p', null, h('strong', null, `Token "${t.name}" created. `),
      'Copy it now: it will not be shown again.'),
    h('div', { class: 'copy-row' }, value, copy, status));
}

async function loadTokens(list) {
  const { items } = await api.get('/tokens');
  if (!items.length) {
    replace(list, h('p', { class: 'muted empty' }, 'You have no API tokens.'));
    return;
  }
  replace(list, h('table', { class: 'table', 'data-testid': 'token-table' },
    h('thead', null, h('tr', null,
      h('th', null, 'Name'), h('th', null, 'Created'), h('th', null, 'Last used'), h('th', { class: 'actions' }, ''))),
    h('tbody', null, items.map((t) => tokenRow(t, list)))));
}

function tokenRow(t, list) {
  const del = h('button', { type: 'button', class: 'btn small danger-text', 'data-testid': 'token-delete' }, 'Delete');
  del.addEventListener('click', () => confirmDialog({
    title: 'Delete API token',
    text: `Delete the token "${t.name}"? Scripts using it will stop working.`,
    confirm: 'Delete',
    onConfirm: async () => {
      await api.del(`/tokens/${t.id}`);
      await loadTokens(list);
    },
  }));
  return h('tr', { 'data-testid': 'token-row' },
    h('td', null, t.name),
    h('td', null, formatTime(t.created_at)),
    h('td', { 'data-testid': 'token-last-used' }, t.last_used_at
      ? [formatTime(t.last_used_at), t.last_used_ip ? h('div', { class: 'muted' }, `from ${t.last_used_ip}`) : null]
      : 'Never'),
    h('td', { class: 'actions' }, del));
}

function sessionPanel(list) {
  return h('section', { class: 'panel', 'aria-labelledby': 'sessions-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'sessions-head' }, 'Browser sessions')),
    h('div', { class: 'panel-body' }, h('p', { class: 'muted' },
      'Where you are logged in. End a session you do not recognise, then change your password.')),
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
    replace(host, h('p', { class: 'muted empty' }, 'No active sessions.'));
    return;
  }
  replace(host, h('table', { class: 'table', 'data-testid': 'session-table' },
    h('thead', null, h('tr', null,
      h('th', null, 'Browser'), h('th', null, 'Address'), h('th', null, 'Logged in'),
      h('th', null, 'Last active'), h('th', { class: 'actions' }, ''))),
    h('tbody', null, items.map((s) => sessionRow(s, host, path)))));
}

function sessionRow(s, host, path) {
  const end = h('button', { type: 'button', class: 'btn small danger-text', 'data-testid': 'session-end' }, 'End');
  end.addEventListener('click', () => confirmDialog({
    title: 'End session',
    text: `End the session from ${s.ip || 'an unknown address'}? That browser is logged out at once.`,
    confirm: 'End session',
    onConfirm: async () => {
      await api.del(`${path}/${s.id}`);
      await loadSessions(host, path);
    },
  }));
  return h('tr', { 'data-testid': 'session-row', 'data-ip': s.ip },
    h('td', { class: 'detail' }, s.user_agent || 'Unknown browser'),
    h('td', { class: 'mono nowrap' }, s.ip || '—'),
    h('td', { class: 'nowrap' }, formatTime(s.created_at)),
    h('td', { class: 'nowrap' }, formatTime(s.last_seen)),
    h('td', { class: 'actions' }, s.current ? h('span', { class: 'tag' }, 'this browser') : end));
}

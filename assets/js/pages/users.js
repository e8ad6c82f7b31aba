// Users and groups page (#/users, admin): a users table and a groups table.
// Both lists are reloaded together after any change, because membership is
// shown on both sides.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { confirmDialog, openViewDialog } from '../dialog.js';
import { roleName, formatTime } from '../format.js';
import { openUserDialog } from './user_dialog.js';
import { groupsPanel } from './groups.js';
import { loadSessions } from './account.js';
import { t } from '../i18n.js';

export async function render(view, ctx) {
  const state = { users: [], groups: [] };
  const usersBody = h('div', { class: 'panel-body flush' });
  const groupsHost = h('div');

  async function reload() {
    const [u, g] = await Promise.all([api.get('/users'), api.get('/groups')]);
    state.users = u.items;
    state.groups = g.items;
    replace(usersBody, usersTable(state, reload, ctx.session.user.id));
    replace(groupsHost, groupsPanel(state, reload));
  }

  const add = h('button', { type: 'button', id: 'user-add', class: 'btn primary small' }, t('users.add'));
  add.addEventListener('click', () => openUserDialog(null, state.groups, reload));

  view.append(
    h('section', { class: 'panel', 'aria-labelledby': 'users-head' },
      h('header', { class: 'panel-head' }, h('h2', { id: 'users-head' }, t('users.users')), add),
      usersBody),
    groupsHost);
  await reload();
}

function usersTable(state, reload, selfId) {
  if (!state.users.length) return h('p', { class: 'muted empty' }, t('users.none'));
  const groupName = new Map(state.groups.map((g) => [g.id, g.name]));
  return h('table', { class: 'table cards users', 'data-testid': 'user-table' },
    h('thead', null, h('tr', null,
      h('th', null, t('login.username')), h('th', null, t('account.full_name')), h('th', null, t('account.email')),
      h('th', null, t('account.role')), h('th', null, t('users.groups')), h('th', null, t('account.created')),
      h('th', { class: 'actions' }, ''))),
    h('tbody', null, state.users.map((u) => userRow(u, state, groupName, reload, selfId))));
}

/** userTags marks the current user, the first admin and pending password changes. */
function userTags(u, selfId) {
  const tags = [
    u.id === selfId ? h('span', { class: 'tag' }, t('users.you')) : null,
    u.first_admin ? h('span', { class: 'tag' }, t('users.first_admin')) : null,
    u.must_change_password ? h('span', { class: 'tag warn' }, t('users.must_change')) : null,
  ].filter(Boolean);
  return tags.length ? h('div', { class: 'tags' }, tags) : null;
}

function userRow(u, state, groupName, reload, selfId) {
  const edit = h('button', { type: 'button', class: 'btn small', 'data-testid': 'user-edit' }, t('common.edit'));
  edit.addEventListener('click', () => openUserDialog(u, state.groups, reload));

  const sessions = h('button', { type: 'button', class: 'btn small', 'data-testid': 'user-sessions' }, t('users.sessions'));
  sessions.addEventListener('click', () => openSessionsDialog(u));

  // The server refuses to delete the first/last admin or yourself; it says why.
  const del = h('button', { type: 'button', class: 'btn small danger-text', 'data-testid': 'user-delete' }, t('common.delete'));
  del.addEventListener('click', () => confirmDialog({
    title: t('users.delete_title'),
    text: t('users.delete_question', { login: u.login }),
    confirm: t('common.delete'),
    onConfirm: async () => {
      await api.del(`/users/${u.id}`);
      await reload();
    },
  }));

  const groups = (u.groups || []).map((id) => groupName.get(id)).filter(Boolean);
  return h('tr', { 'data-testid': 'user-row', 'data-login': u.login },
    h('td', { class: 'card-title' }, h('span', { class: 'strong' }, u.login), userTags(u, selfId)),
    h('td', { 'data-label': t('account.full_name') }, u.full_name || '—'),
    h('td', { 'data-label': t('account.email') }, u.email || '—'),
    h('td', { 'data-label': t('account.role') }, roleName(u.role)),
    h('td', { 'data-label': t('users.groups') }, groups.length ? groups.join(', ') : '—'),
    h('td', { class: 'nowrap', 'data-label': t('account.created') }, formatTime(u.created_at)),
    h('td', { class: 'actions' }, sessions, edit, del));
}

/** openSessionsDialog lists where a user is logged in, with an End button per session. */
async function openSessionsDialog(u) {
  const list = h('div', { class: 'panel-list' }, h('p', { class: 'muted empty' }, t('app.loading')));
  openViewDialog({ title: t('users.sessions_of', { login: u.login }), body: list, testid: 'sessions-dialog', wide: true });
  await loadSessions(list, `/users/${u.id}/sessions`);
}

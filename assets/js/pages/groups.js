// Groups panel of the Users and groups page: table plus add/edit/delete dialogs.

import { h } from '../dom.js';
import { api } from '../api.js';
import { openDialog, confirmDialog } from '../dialog.js';
import { field, checkGroup, checkedValues } from '../forms.js';

/** groupsPanel renders the groups section from state {users, groups}. */
export function groupsPanel(state, reload) {
  const add = h('button', { type: 'button', id: 'group-add', class: 'btn primary small' }, 'Add group');
  add.addEventListener('click', () => openGroupDialog(null, state.users, reload));

  const userName = new Map(state.users.map((u) => [u.id, u.login]));
  const content = state.groups.length
    ? h('table', { class: 'table', 'data-testid': 'group-table' },
      h('thead', null, h('tr', null,
        h('th', null, 'Name'), h('th', null, 'Members'), h('th', { class: 'actions' }, ''))),
      h('tbody', null, state.groups.map((g) => groupRow(g, state, userName, reload))))
    : h('p', { class: 'muted empty' }, 'No groups.');

  return h('section', { class: 'panel', 'aria-labelledby': 'groups-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'groups-head' }, 'Groups'), add),
    h('div', { class: 'panel-body flush' }, content));
}

function groupRow(g, state, userName, reload) {
  const edit = h('button', { type: 'button', class: 'btn small', 'data-testid': 'group-edit' }, 'Edit');
  edit.addEventListener('click', () => openGroupDialog(g, state.users, reload));
  const del = h('button', { type: 'button', class: 'btn small danger-text', 'data-testid': 'group-delete' }, 'Delete');
  del.addEventListener('click', () => confirmDialog({
    title: 'Delete group',
    text: `Delete the group "${g.name}"? Its members stay, but lose access to its data.`,
    confirm: 'Delete',
    onConfirm: async () => {
      await api.del(`/groups/${g.id}`);
      await reload();
    },
  }));

  const members = (g.members || []).map((id) => userName.get(id)).filter(Boolean);
  return h('tr', { 'data-testid': 'group-row', 'data-name': g.name },
    h('td', null, h('span', { class: 'strong' }, g.name)),
    h('td', null, members.length ? members.join(', ') : h('span', { class: 'muted' }, 'No members')),
    h('td', { class: 'actions' }, edit, del));
}

function openGroupDialog(group, users, done) {
  const g = group || { name: '', members: [] };
  const name = h('input', { id: 'group-name', name: 'name', value: g.name, autocomplete: 'off', required: true });

  openDialog({
    title: group ? `Edit group ${g.name}` : 'Add group',
    body: [
      field('Name', name, 'name'),
      checkGroup('Members', 'members',
        users.map((u) => ({ value: u.id, label: u.full_name ? `${u.login} (${u.full_name})` : u.login })),
        g.members, 'No users yet.'),
    ],
    submit: { label: group ? 'Save' : 'Add group', id: 'group-save' },
    testid: 'group-dialog',
    onSubmit: async (form) => {
      const data = { name: name.value.trim(), members: checkedValues(form, 'members') };
      if (group) await api.patch(`/groups/${g.id}`, data);
      else await api.post('/groups', data);
      await done();
    },
  });
}

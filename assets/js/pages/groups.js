// Groups panel of the Users and groups page: table plus add/edit/delete dialogs.
// The group form ends with the group's notification contacts (group_contacts.js).

import { h } from '../dom.js';
import { api } from '../api.js';
import { openDialog } from '../dialog.js';
import { field, checkbox, checkGroup, checkedValues } from '../forms.js';
import { plural } from '../event_labels.js';
import { archiveSettings } from '../archive_prefs.js';
import { contactsSection } from './group_contacts.js';

/** groupsPanel renders the groups section from state {users, groups}. */
export function groupsPanel(state, reload) {
  // The result of the last delete survives the re-render reload() does.
  const message = state.groupNotice;
  state.groupNotice = null;
  const notice = message
    ? h('div', { class: 'panel-body' }, h('p', { id: 'group-notice', class: 'notice success', role: 'status' }, message))
    : null;
  const reloadWith = async (text) => {
    state.groupNotice = text;
    await reload();
  };
  const add = h('button', { type: 'button', id: 'group-add', class: 'btn primary small' }, 'Add group');
  add.addEventListener('click', () => openGroupDialog(null, state.users, reload));

  const userName = new Map(state.users.map((u) => [u.id, u.login]));
  const content = state.groups.length
    ? h('table', { class: 'table', 'data-testid': 'group-table' },
      h('thead', null, h('tr', null,
        h('th', null, 'Name'), h('th', null, 'Members'), h('th', { class: 'actions' }, ''))),
      h('tbody', null, state.groups.map((g) => groupRow(g, state, userName, reload, reloadWith))))
    : h('p', { class: 'muted empty' }, 'No groups.');

  return h('section', { class: 'panel', 'aria-labelledby': 'groups-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'groups-head' }, 'Groups'), add),
    notice,
    h('div', { class: 'panel-body flush' }, content));
}

function groupRow(g, state, userName, reload, reloadWith) {
  const edit = h('button', { type: 'button', class: 'btn small', 'data-testid': 'group-edit' }, 'Edit');
  edit.addEventListener('click', () => openGroupDialog(g, state.users, reload));
  const del = h('button', { type: 'button', class: 'btn small danger-text', 'data-testid': 'group-delete' }, 'Delete');
  del.addEventListener('click', () => openDeleteGroupDialog(g, reloadWith));

  const members = (g.members || []).map((id) => userName.get(id)).filter(Boolean);
  return h('tr', { 'data-testid': 'group-row', 'data-name': g.name },
    h('td', null, h('span', { class: 'strong' }, g.name)),
    h('td', null, members.length ? members.join(', ') : h('span', { class: 'muted' }, 'No members')),
    h('td', { class: 'actions' }, edit, del));
}

function openGroupDialog(group, users, done) {
  const g = group || { name: '', members: [], contacts: [] };
  const name = h('input', { id: 'group-name', name: 'name', value: g.name, autocomplete: 'off', required: true });
  const contacts = contactsSection(g.contacts || [], users);

  const dlg = openDialog({
    title: group ? `Edit group ${g.name}` : 'Add group',
    body: [
      field('Name', name, 'name'),
      checkGroup('Members', 'members',
        users.map((u) => ({ value: u.id, label: u.full_name ? `${u.login} (${u.full_name})` : u.login })),
        g.members, 'No users yet.'),
      contacts.node,
    ],
    submit: { label: group ? 'Save' : 'Add group', id: 'group-save' },
    testid: 'group-dialog',
    onSubmit: async (form) => {
      const data = { name: name.value.trim(), members: checkedValues(form, 'members'), contacts: contacts.value() };
      if (group) await api.patch(`/groups/${g.id}`, data);
      else await api.post('/groups', data);
      await done();
    },
  });
  dlg.classList.add('group-dialog');
}

/**
 * openDeleteGroupDialog deletes a group with its sensors and filter rules. The
 * sensors' events are deleted, or moved to the archive when the box is ticked
 * (pre-ticked by the System → Event archive preference). The server refuses
 * (409) while the appliance's own sensor is in the group; its message shows.
 */
async function openDeleteGroupDialog(g, done) {
  const prefer = Boolean((await archiveSettings()).prefer);
  const move = checkbox('Move the events of its sensors to the archive', { id: 'group-remove-archive', checked: prefer });
  const box = move.querySelector('input');
  const dlg = openDialog({
    title: 'Delete group',
    body: [
      h('p', { class: 'strong' }, `Delete the group "${g.name}"?`),
      h('p', null, 'Its members stay, but lose access to its data. Its sensors and filter rules are removed with it.'),
      move,
      h('p', { class: 'hint' }, 'Archived events stay available under Events → Dataset → Archive, read-only. Without this, the events are deleted.'),
    ],
    submit: { label: 'Delete', id: 'confirm-ok', danger: true },
    testid: 'confirm-dialog',
    async onSubmit() {
      const res = await api.del(`/groups/${g.id}`, { body: { archive: box.checked } });
      const sensors = plural(res.sensors ?? 0, 'count.sensors');
      const events = plural(res.events ?? 0, 'count.events');
      await done(`Group ${g.name} deleted with ${sensors}; ${events} ${res.archived ? 'moved to the archive' : 'deleted'}.`);
    },
  });
  // For a destructive choice start on Cancel, not on the checkbox.
  dlg.querySelector('.dialog-foot .btn').focus();
}

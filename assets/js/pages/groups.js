// Groups panel of the Users and groups page: table plus add/edit/delete dialogs.
// The group form ends with the group's notification contacts (group_contacts.js).

import { h } from '../dom.js';
import { api } from '../api.js';
import { openDialog } from '../dialog.js';
import { field, checkGroup, checkedValues } from '../forms.js';
import { plural } from '../event_labels.js';
import { archiveSettings } from '../archive_prefs.js';
import { contactsSection } from './group_contacts.js';
import { openArchiveDeleteDialog } from './archive_delete_dialog.js';
import { t } from '../i18n.js';

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
  const add = h('button', { type: 'button', id: 'group-add', class: 'btn primary small' }, t('groups.add'));
  add.addEventListener('click', () => openGroupDialog(null, state.users, reload));

  const userName = new Map(state.users.map((u) => [u.id, u.login]));
  const content = state.groups.length
    ? h('table', { class: 'table', 'data-testid': 'group-table' },
      h('thead', null, h('tr', null,
        h('th', null, t('common.name')), h('th', null, t('groups.members')), h('th', { class: 'actions' }, ''))),
      h('tbody', null, state.groups.map((g) => groupRow(g, state, userName, reload, reloadWith))))
    : h('p', { class: 'muted empty' }, t('groups.none'));

  return h('section', { class: 'panel', 'aria-labelledby': 'groups-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'groups-head' }, t('users.groups')), add),
    notice,
    h('div', { class: 'panel-body flush' }, content));
}

function groupRow(g, state, userName, reload, reloadWith) {
  const edit = h('button', { type: 'button', class: 'btn small', 'data-testid': 'group-edit' }, t('common.edit'));
  edit.addEventListener('click', () => openGroupDialog(g, state.users, reload));
  const del = h('button', { type: 'button', class: 'btn small danger-text', 'data-testid': 'group-delete' }, t('common.delete'));
  del.addEventListener('click', () => openDeleteGroupDialog(g, reloadWith));

  const members = (g.members || []).map((id) => userName.get(id)).filter(Boolean);
  return h('tr', { 'data-testid': 'group-row', 'data-name': g.name },
    h('td', null, h('span', { class: 'strong' }, g.name)),
    h('td', null, members.length ? members.join(', ') : h('span', { class: 'muted' }, t('groups.no_members'))),
    h('td', { class: 'actions' }, edit, del));
}

function openGroupDialog(group, users, done) {
  const g = group || { name: '', members: [], contacts: [] };
  const name = h('input', { id: 'group-name', name: 'name', value: g.name, autocomplete: 'off', required: true });
  const contacts = contactsSection(g.contacts || [], users);

  const dlg = openDialog({
    title: group ? t('groups.edit_title', { name: g.name }) : t('groups.add'),
    body: [
      field(t('common.name'), name, 'name'),
      checkGroup(t('groups.members'), 'members',
        users.map((u) => ({ value: u.id, label: u.full_name ? `${u.login} (${u.full_name})` : u.login })),
        g.members, t('groups.no_users_yet')),
      contacts.node,
    ],
    submit: { label: group ? t('common.save') : t('groups.add'), id: 'group-save' },
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
  openArchiveDeleteDialog({
    title: t('groups.delete_title'),
    question: t('groups.delete_question', { name: g.name }),
    effect: t('groups.delete_effect'),
    hint: t('groups.archive_hint'),
    move: { label: t('groups.move_events'), id: 'group-remove-archive', checked: prefer },
    submit: { label: t('common.delete'), id: 'confirm-ok' },
    testid: 'confirm-dialog',
    path: `/groups/${g.id}`,
    async deleted(res, events) {
      const sensors = plural(res.sensors ?? 0, 'count.sensors');
      await done(t(res.archived ? 'groups.deleted_archived' : 'groups.deleted_deleted', { name: g.name, sensors, events }));
    },
  });
}

// Add/edit user dialog. On edit an empty password field means "unchanged",
// so the password key is left out of the PATCH.

import { h } from '../dom.js';
import { api } from '../api.js';
import { openDialog } from '../dialog.js';
import { field, checkbox, checkGroup, checkedValues } from '../forms.js';
import { ROLES, roleName } from '../format.js';
import { t } from '../i18n.js';

/** openUserDialog edits user (or creates one when user is null), then calls done(). */
export function openUserDialog(user, groups, done) {
  const u = user || { login: '', full_name: '', email: '', role: 1, groups: [], must_change_password: true };
  const editing = Boolean(user);

  const login = h('input', { id: 'user-login', name: 'login', value: u.login, autocomplete: 'off', required: true });
  const fullName = h('input', { id: 'user-fullname', name: 'full_name', value: u.full_name || '' });
  const email = h('input', { id: 'user-email', name: 'email', type: 'email', value: u.email || '' });
  const role = h('select', { id: 'user-role', name: 'role' },
    ROLES.map((value) => h('option', { value, selected: value === u.role }, roleName(value))));
  const password = h('input', { id: 'user-password', name: 'password', type: 'password', autocomplete: 'new-password' });
  const mustChange = checkbox(t('users.require_change'),
    { id: 'user-mustchange', name: 'must_change_password', checked: u.must_change_password });

  const body = [
    h('div', { class: 'grid-2' },
      field(t('login.username'), login, 'login'),
      field(t('account.role'), role, 'role', t('users.role_hint'))),
    h('div', { class: 'grid-2' },
      field(t('account.full_name'), fullName, 'full_name'),
      field(t('account.email'), email, 'email')),
    checkGroup(t('users.groups'), 'groups',
      groups.map((g) => ({ value: g.id, label: g.name })), u.groups, t('users.no_groups_yet')),
    field(editing ? t('password.new') : t('login.password'), password, 'password',
      editing
        ? t('users.password_hint')
        : t('password.new_hint')),
    h('div', { class: 'field', 'data-field': 'must_change_password' }, mustChange,
      h('div', { class: 'field-error', hidden: true })),
  ];

  openDialog({
    title: editing ? t('users.edit_title', { login: u.login }) : t('users.add'),
    body,
    submit: { label: editing ? t('common.save') : t('users.add'), id: 'user-save' },
    testid: 'user-dialog',
    onSubmit: async (form) => {
      const data = {
        login: login.value.trim(),
        full_name: fullName.value.trim(),
        email: email.value.trim(),
        role: Number(role.value),
        groups: checkedValues(form, 'groups'),
        must_change_password: form.querySelector('#user-mustchange').checked,
      };
      if (password.value) data.password = password.value;
      if (editing) await api.patch(`/users/${u.id}`, data);
      else await api.post('/users', data);
      await done();
    },
  });
}

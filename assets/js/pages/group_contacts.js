// Notification contacts of a group: the lower part of the group form in Users
// and groups. A contact is either a registered user (mail goes to the address
// the user has when a mail is written) or any e-mail address (external
// contacts), with the kinds of notification it receives. The list is saved
// with the group and replaces the stored one as a whole; the server's field
// errors (contacts.<index>.email, contacts.<index>.kinds) show in their row.

import { h, replace } from '../dom.js';
import { checkbox } from '../forms.js';
import { t } from '../i18n.js';

/** The server accepts at most this many contacts per group. */
const MAX_CONTACTS = 100;

/** The kinds of notification, as the API names them. */
export const CONTACT_KINDS = [
  { key: 'all_events', label: 'contacts.all_events' },
  { key: 'critical_events', label: 'contacts.critical_events' },
  { key: 'weekly_summary', label: 'mailer.kind_weekly_summary' },
  { key: 'sensor_timeout', label: 'contacts.sensor_timeouts' },
];

function userLabel(u) {
  return u.full_name ? `${u.login} (${u.full_name})` : u.login;
}

/**
 * userOptions lists every user; users without an e-mail address are marked
 * and cannot be chosen (unless a stored contact already names one).
 */
function userOptions(users, selected) {
  return [
    h('option', { value: '' }, t('contacts.choose_user')),
    users.map((u) => h('option', {
      value: u.id,
      disabled: !u.email && u.id !== selected,
    }, `${userLabel(u)} — ${u.email || t('contacts.no_email')}`)),
  ];
}

/**
 * contactsSection builds the Contacts part of the group form.
 *   contacts  the group's contacts as the API answers them
 *   users     [{id, login, full_name, email}] from GET /api/users
 * Returns {node, value}; value() is the list as the API takes it.
 */
export function contactsSection(contacts, users) {
  const byId = new Map(users.map((u) => [u.id, u]));
  const anyWithMail = users.some((u) => u.email);
  const rows = h('div', { class: 'contact-list', id: 'contact-list' });
  const add = h('button', { type: 'button', id: 'contact-add', class: 'btn small' }, t('contacts.add'));
  const empty = h('p', { class: 'muted contact-empty' }, t('contacts.none'));

  /** renumber keeps each row's error slots named after its index (contacts.<i>.email). */
  function renumber() {
    const list = [...rows.querySelectorAll('.contact-row')];
    list.forEach((row, i) => {
      const n = i + 1;
      row.dataset.index = String(i);
      row.querySelector('.contact-target').dataset.field = `contacts.${i}.email`;
      row.querySelector('.contact-kinds').dataset.field = `contacts.${i}.kinds`;
      row.querySelector('.contact-type').setAttribute('aria-label', t('contacts.type_of', { n }));
      row.querySelector('.contact-user').setAttribute('aria-label', t('contacts.user_of', { n }));
      row.querySelector('.contact-email').setAttribute('aria-label', t('contacts.email_of', { n }));
      row.querySelector('.contact-checks').setAttribute('aria-label', t('contacts.kinds_of', { n }));
      row.querySelector('.contact-remove').setAttribute('aria-label', t('contacts.remove_no', { n }));
    });
    empty.hidden = list.length > 0;
    add.disabled = list.length >= MAX_CONTACTS;
  }

  /** clearErrors hides the error messages inside one row or one of its fields. */
  function clearErrors(el) {
    for (const slot of el.querySelectorAll('.field-error')) { replace(slot); slot.hidden = true; }
    for (const f of [el, ...el.querySelectorAll('.has-error')]) f.classList.remove('has-error');
  }

  function addRow(c) {
    const isUser = c ? c.user !== null && c.user !== undefined : anyWithMail;
    const type = h('select', { class: 'contact-type' },
      h('option', { value: 'user' }, t('contacts.registered_user')),
      h('option', { value: 'email' }, t('contacts.email_address')));
    type.value = isUser ? 'user' : 'email';

    const stored = c && c.user !== null && c.user !== undefined ? c.user : null;
    const user = h('select', { class: 'contact-user' }, userOptions(users, stored));
    if (stored !== null) {
      if (!byId.has(stored)) user.append(h('option', { value: stored }, t('contacts.removed_user', { id: stored })));
      user.value = String(stored);
    }
    const email = h('input', {
      class: 'contact-email', type: 'email', autocomplete: 'off', spellcheck: 'false', maxlength: 254,
      placeholder: 'name@example.org', value: c && stored === null ? c.email || '' : '',
    });
    const noMail = h('div', { class: 'hint contact-warn' }, t('contacts.no_mail_warning'));
    const target = h('div', { class: 'field contact-target' }, user, email, noMail, h('div', { class: 'field-error', hidden: true }));

    const checks = h('div', { class: 'contact-checks', role: 'group' },
      CONTACT_KINDS.map((k) => checkbox(t(k.label), { class: 'contact-kind', 'data-kind': k.key, checked: Boolean(c && c[k.key]) })));
    const kinds = h('div', { class: 'field contact-kinds' }, checks, h('div', { class: 'field-error', hidden: true }));

    const remove = h('button', { type: 'button', class: 'btn icon contact-remove', title: t('contacts.remove') },
      h('span', { class: 'ico icon-remove', 'aria-hidden': 'true' }));
    const row = h('div', { class: 'contact-row', 'data-testid': 'contact-row' },
      h('div', { class: 'contact-main' }, type, target, remove),
      kinds);

    /** paint shows the control that fits the type, and warns about a user without address. */
    function paint() {
      const byUser = type.value === 'user';
      user.hidden = !byUser;
      email.hidden = byUser;
      const u = byId.get(Number(user.value));
      noMail.hidden = !(byUser && user.value !== '' && (!u || !u.email));
    }

    type.addEventListener('change', () => {
      clearErrors(row);
      paint();
      (type.value === 'user' ? user : email).focus();
    });
    user.addEventListener('change', paint);
    // A message goes once its field is changed, so the remaining ones stand out.
    target.addEventListener('input', () => clearErrors(target));
    target.addEventListener('change', () => clearErrors(target));
    kinds.addEventListener('change', () => clearErrors(kinds));
    remove.addEventListener('click', () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      (next?.querySelector('select') || add).focus();
    });

    paint();
    rows.append(row);
    renumber();
    return row;
  }

  add.addEventListener('click', () => {
    const row = addRow(null);
    row.querySelector('.contact-type').focus();
  });

  for (const c of contacts || []) addRow(c);
  renumber();

  const node = h('fieldset', { class: 'field contacts', 'data-field': 'contacts', id: 'group-contacts' },
    h('legend', null, t('contacts.contacts')),
    h('p', { class: 'hint' },
      t('contacts.hint')),
    rows,
    empty,
    h('div', { class: 'field-error', hidden: true }),
    h('div', { class: 'contact-actions' }, add));

  /** value reads the rows in order, as the API takes them. */
  function value() {
    return [...rows.querySelectorAll('.contact-row')].map((row) => {
      const byUser = row.querySelector('.contact-type').value === 'user';
      const userValue = row.querySelector('.contact-user').value;
      const out = {
        user: byUser && userValue !== '' ? Number(userValue) : null,
        email: byUser ? '' : row.querySelector('.contact-email').value.trim(),
      };
      for (const k of CONTACT_KINDS) {
        out[k.key] = row.querySelector(`input[data-kind="${k.key}"]`).checked;
      }
      return out;
    });
  }

  return { node, value };
}

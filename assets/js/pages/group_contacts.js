// Notification contacts of a group: the lower part of the group form in Users
// and groups. A contact is either a registered user (mail goes to the address
// the user has when a mail is written) or any e-mail address (external
// contacts), with the kinds of notification it receives. The list is saved
// with the group and replaces the stored one as a whole; the server's field
// errors (contacts.<index>.email, contacts.<index>.kinds) show in their row.

import { h, replace } from '../dom.js';
import { checkbox } from '../forms.js';

/** The server accepts at most this many contacts per group. */
const MAX_CONTACTS = 100;

/** The kinds of notification, as the API names them. */
export const CONTACT_KINDS = [
  { key: 'all_events', label: 'All events' },
  { key: 'critical_events', label: 'Critical events (Honeypot)' },
  { key: 'weekly_summary', label: 'Weekly summary' },
  { key: 'sensor_timeout', label: 'Sensor timeouts' },
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
    h('option', { value: '' }, 'Choose a user…'),
    users.map((u) => h('option', {
      value: u.id,
      disabled: !u.email && u.id !== selected,
    }, u.email ? `${userLabel(u)} — ${u.email}` : `${userLabel(u)} — no e-mail address`)),
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
  const add = h('button', { type: 'button', id: 'contact-add', class: 'btn small' }, 'Add contact');
  const empty = h('p', { class: 'muted contact-empty' }, 'No contacts yet: nobody gets mail about this group’s sensors.');

  /** renumber keeps each row's error slots named after its index (contacts.<i>.email). */
  function renumber() {
    const list = [...rows.querySelectorAll('.contact-row')];
    list.forEach((row, i) => {
      const n = i + 1;
      row.dataset.index = String(i);
      row.querySelector('.contact-target').dataset.field = `contacts.${i}.email`;
      row.querySelector('.contact-kinds').dataset.field = `contacts.${i}.kinds`;
      row.querySelector('.contact-type').setAttribute('aria-label', `Contact ${n}: type`);
      row.querySelector('.contact-user').setAttribute('aria-label', `Contact ${n}: user`);
      row.querySelector('.contact-email').setAttribute('aria-label', `Contact ${n}: e-mail address`);
      row.querySelector('.contact-checks').setAttribute('aria-label', `Contact ${n}: notifications`);
      row.querySelector('.contact-remove').setAttribute('aria-label', `Remove contact ${n}`);
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
      h('option', { value: 'user' }, 'Registered user'),
      h('option', { value: 'email' }, 'E-mail address'));
    type.value = isUser ? 'user' : 'email';

    const stored = c && c.user !== null && c.user !== undefined ? c.user : null;
    const user = h('select', { class: 'contact-user' }, userOptions(users, stored));
    if (stored !== null) {
      if (!byId.has(stored)) user.append(h('option', { value: stored }, `User #${stored} (removed)`));
      user.value = String(stored);
    }
    const email = h('input', {
      class: 'contact-email', type: 'email', autocomplete: 'off', spellcheck: 'false', maxlength: 254,
      placeholder: 'name@example.org', value: c && stored === null ? c.email || '' : '',
    });
    const noMail = h('div', { class: 'hint contact-warn' }, 'This user has no e-mail address and gets no mail until one is set.');
    const target = h('div', { class: 'field contact-target' }, user, email, noMail, h('div', { class: 'field-error', hidden: true }));

    const checks = h('div', { class: 'contact-checks', role: 'group' },
      CONTACT_KINDS.map((k) => checkbox(k.label, { class: 'contact-kind', 'data-kind': k.key, checked: Boolean(c && c[k.key]) })));
    const kinds = h('div', { class: 'field contact-kinds' }, checks, h('div', { class: 'field-error', hidden: true }));

    const remove = h('button', { type: 'button', class: 'btn icon contact-remove', title: 'Remove contact' },
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
    h('legend', null, 'Contacts'),
    h('p', { class: 'hint' },
      'Who receives e-mail notifications about this group’s sensors: a registered user (at the user’s e-mail address) or any e-mail address. Critical events are those classified Honeypot; weekly summaries are sent every Monday.'),
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

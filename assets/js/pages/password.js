// Change password page (#/password). Shown alone while the server insists on a
// password change (ctx.forced); otherwise reached from the account page.

import { h } from '../dom.js';
import { api } from '../api.js';
import { field, checkbox, errorLine, showError, clearErrors, busy } from '../forms.js';
import * as session from '../session.js';
import { t } from '../i18n.js';

export function render(view, ctx) {
  const current = h('input', { id: 'pw-current', name: 'current_password', type: 'password', autocomplete: 'current-password' });
  const next = h('input', { id: 'pw-new', name: 'new_password', type: 'password', autocomplete: 'new-password', minlength: 8 });
  const repeat = h('input', { id: 'pw-repeat', name: 'new_password_repeat', type: 'password', autocomplete: 'new-password' });
  // Whoever knew the old password may have created a token, so revoking is the default. A
  // forced change (a new account, or an administrator's demand) does not ask: it revokes.
  const revoke = ctx.forced ? null : checkbox(t('password.revoke_tokens'),
    { id: 'pw-revoke-tokens', name: 'revoke_tokens', checked: true });
  const submit = h('button', { id: 'pw-submit', type: 'submit', class: 'btn primary' }, t('page.password'));
  const logout = h('button', { type: 'button', class: 'btn', id: 'pw-logout' }, t('app.log_out'));
  logout.addEventListener('click', ctx.logOut);

  const form = h('form', { class: 'stack narrow', novalidate: true },
    ctx.forced
      ? h('p', { class: 'notice info' }, t('password.forced'))
      : null,
    field(t('password.current'), current, 'current_password'),
    field(t('password.new'), next, 'new_password', t('password.new_hint')),
    field(t('password.repeat'), repeat, 'new_password_repeat'),
    revoke ? h('div', { class: 'field', 'data-field': 'revoke_tokens' }, revoke,
      h('div', { class: 'hint' }, t('password.sessions_end'))) : null,
    errorLine('pw-error'),
    h('div', { class: 'form-actions' },
      submit,
      // A forced change has no way back into the app, so offer a way out instead.
      ctx.forced
        ? logout
        : h('a', { class: 'btn', href: '#/account' }, t('common.cancel'))));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    // The repeat check is purely client-side; the server never sees the copy.
    if (next.value !== repeat.value) {
      showError(form, { fields: { new_password_repeat: t('password.mismatch') } }, t('form.check_fields'));
      return;
    }
    try {
      await busy(submit, async () => {
        await api.put('/session/password', {
          current_password: current.value,
          new_password: next.value,
          revoke_tokens: !revoke || revoke.querySelector('input').checked,
        });
        // The server may rotate the session or clear the flag: ask again.
        await session.load();
      });
      ctx.go(session.get() ? session.landing() : 'login');
    } catch (err) {
      showError(form, err);
    }
  });

  view.append(form);
  current.focus();
}

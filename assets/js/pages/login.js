// Login page (#/login).

import { h } from '../dom.js';
import { api } from '../api.js';
import { field, errorLine, showError, clearErrors, busy } from '../forms.js';
import * as session from '../session.js';
import { t } from '../i18n.js';

// Messages the contract fixes for the two expected failures.
const MESSAGES = {
  401: 'login.wrong',
  429: 'login.too_many',
};

export function render(view, ctx) {
  const username = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { id: 'login-submit', type: 'submit', class: 'btn primary block' }, t('login.submit'));
  const note = session.takeFlash();

  const form = h('form', { class: 'stack', novalidate: true },
    note ? h('div', { class: 'notice info', id: 'login-note' }, note) : null,
    field(t('login.username'), username, 'username'),
    field(t('login.password'), password, 'password'),
    errorLine('login-error'),
    submit);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try {
      const s = await busy(submit, () => api.post('/session',
        { username: username.value.trim(), password: password.value }, { authHandled: false }));
      session.set(s);
      ctx.go(s.must_change_password ? 'password' : ctx.afterLogin(s.user));
    } catch (err) {
      showError(form, err, MESSAGES[err.status] && t(MESSAGES[err.status]));
      password.select();
    }
  });

  view.append(form);
  username.focus();
}

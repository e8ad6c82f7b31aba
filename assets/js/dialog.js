// Modal dialogs on the native <dialog> element (focus trap, Esc and the
// backdrop come from the browser). Dialogs are added to #dialogs, which the
// router empties on every route change.

import { h, byId } from './dom.js';
import { t } from './i18n.js';
import { errorLine, showError, busy } from './forms.js';

/**
 * openDialog shows a modal form.
 *   title    heading text
 *   body     nodes for the form body
 *   submit   {label, id, danger} for the primary button
 *   onSubmit async (form) => {...}; resolve to close, throw ApiError to show it
 * Returns the <dialog> element.
 */
export function openDialog({ title, body, submit, onSubmit, testid }) {
  const save = h('button', { type: 'submit', id: submit.id, class: submit.danger ? 'btn danger' : 'btn primary' }, submit.label);
  const cancel = h('button', { type: 'button', class: 'btn' }, t('common.cancel'));
  const form = h('form', { class: 'dialog-form', novalidate: true },
    h('header', { class: 'dialog-head' }, h('h2', null, title)),
    h('div', { class: 'dialog-body' }, body, errorLine()),
    h('footer', { class: 'dialog-foot' }, cancel, save));
  const dlg = h('dialog', { class: 'dialog', 'data-testid': testid }, form);

  cancel.addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => dlg.remove());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await busy(save, () => onSubmit(form));
      dlg.close();
    } catch (err) {
      showError(form, err);
    }
  });

  byId('dialogs').append(dlg);
  dlg.showModal();
  // Focus the first input rather than the Cancel button the browser would pick.
  const first = form.querySelector('input, select, textarea');
  if (first) first.focus();
  return dlg;
}

/** confirmDialog asks before a destructive action; action errors stay in the dialog. */
export function confirmDialog({ title, text, confirm, onConfirm }) {
  return openDialog({
    title,
    body: h('p', null, text),
    submit: { label: confirm, id: 'confirm-ok', danger: true },
    onSubmit: onConfirm,
    testid: 'confirm-dialog',
  });
}

/** closeAllDialogs removes every open dialog (used on route changes). */
export function closeAllDialogs() {
  for (const dlg of byId('dialogs').querySelectorAll('dialog')) dlg.close();
  byId('dialogs').replaceChildren();
}

/**
 * openViewDialog shows read-only content (no form): a heading, the body nodes,
 * and a footer with optional extra actions on the left and Close on the right.
 *   id, testid  attributes of the <dialog>
 *   wide        use the wide layout (tables, logs)
 *   actions     nodes for the footer's left side
 * Returns the <dialog> element.
 */
export function openViewDialog({ title, body, actions, id, testid, wide }) {
  const close = h('button', { type: 'button', class: 'btn', 'data-testid': 'dialog-close' }, t('common.close'));
  const dlg = h('dialog', { class: wide ? 'dialog wide' : 'dialog', id, 'data-testid': testid },
    h('div', { class: 'dialog-form' },
      h('header', { class: 'dialog-head' }, h('h2', null, title)),
      h('div', { class: 'dialog-body' }, body),
      h('footer', { class: 'dialog-foot' }, h('div', { class: 'dialog-foot-start' }, actions), close)));
  close.addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => dlg.remove());
  byId('dialogs').append(dlg);
  dlg.showModal();
  close.focus();
  return dlg;
}

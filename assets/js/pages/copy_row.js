// A secret the server shows only once (an API token, a metrics token, a new
// sensor's secret): a read-only field with a Copy button.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';

/**
 * copyRow is the field, its Copy button and a status line. Copy selects the
 * text first, so without clipboard access (e.g. plain HTTP) it is ready for
 * Ctrl+C, which pressCopy then asks for.
 *   id, copyId  ids of the field and the button
 *   value       the secret       label  the field's accessible name
 */
export function copyRow({ id, copyId, value, label, pressCopy }) {
  const field = h('input', { id, class: 'mono', readonly: true, value, 'aria-label': label });
  const copy = h('button', { type: 'button', class: 'btn small', id: copyId }, t('account.copy'));
  const status = h('span', { class: 'muted', role: 'status' });
  copy.addEventListener('click', async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(value);
      replace(status, t('account.copied'));
    } catch {
      replace(status, pressCopy);
    }
  });
  return h('div', { class: 'copy-row' }, field, copy, status);
}

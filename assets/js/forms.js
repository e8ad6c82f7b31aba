// Form building blocks and API error display. Field errors from the API
// ({fields: {name: message}}) go under the input whose wrapper has
// data-field="name"; everything else goes to the form's error line.

import { h, replace } from './dom.js';
import { t } from './i18n.js';

let nextId = 0;

/**
 * field wraps a control with its label and an (empty) error slot.
 * name is the API field name the server uses in error.fields.
 */
export function field(label, control, name, hint) {
  if (!control.id) control.id = `f-${++nextId}`;
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: control.id }, label),
    control,
    hint ? h('div', { class: 'hint' }, hint) : null,
    h('div', { class: 'field-error', hidden: true }));
}

/**
 * fieldGroup is field() for several controls that make one value (address
 * and port): a fieldset whose legend names them, one hint and one error slot.
 */
export function fieldGroup(legend, controls, name, hint) {
  return h('fieldset', { class: 'field', 'data-field': name },
    h('legend', null, legend),
    controls,
    hint ? h('div', { class: 'hint' }, hint) : null,
    h('div', { class: 'field-error', hidden: true }));
}

/** checkbox is an inline labelled checkbox (label after the box). */
export function checkbox(label, attrs) {
  const input = h('input', { type: 'checkbox', ...attrs });
  return h('label', { class: 'check' }, input, h('span', null, label));
}

/** checkGroup renders a scrollable list of checkboxes for picking ids. */
export function checkGroup(legend, name, options, selected, emptyText) {
  const chosen = new Set(selected || []);
  const boxes = options.map((o) => checkbox(o.label, {
    name, value: o.value, checked: chosen.has(o.value), 'data-testid': `${name}-${o.value}`,
  }));
  return h('fieldset', { class: 'field check-group', 'data-field': name },
    h('legend', null, legend),
    h('div', { class: 'check-list' }, boxes.length ? boxes : h('p', { class: 'muted' }, emptyText)),
    h('div', { class: 'field-error', hidden: true }));
}

/** checkedValues returns the numeric values of the checked boxes named name. */
export function checkedValues(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((b) => Number(b.value));
}

/** errorLine is the form-level message slot (role=alert so it is announced). */
export function errorLine(id) {
  return h('div', { class: 'form-error', id, role: 'alert', hidden: true });
}

/** clearErrors hides every field and form error inside root. */
export function clearErrors(root) {
  for (const el of root.querySelectorAll('.field-error, .form-error')) {
    replace(el);
    el.hidden = true;
  }
  for (const el of root.querySelectorAll('.has-error')) el.classList.remove('has-error');
}

/**
 * showError puts an ApiError (or any Error) into the form: field messages next
 * to their inputs, the main message in the .form-error line. Field names the
 * form does not know are added to the main line so no message is lost.
 */
export function showError(root, err, message) {
  clearErrors(root);
  const extra = [];
  for (const [name, text] of Object.entries(err.fields || {})) {
    const wrap = root.querySelector(`[data-field="${CSS.escape(name)}"]`);
    const slot = wrap && wrap.querySelector('.field-error');
    if (!slot) { extra.push(`${name}: ${text}`); continue; }
    wrap.classList.add('has-error');
    replace(slot, text);
    slot.hidden = false;
  }
  const line = root.querySelector('.form-error');
  if (!line) return;
  const main = message || err.message || t('error.something');
  replace(line, [main, ...extra].join(' — '));
  line.hidden = false;
}

/**
 * busy disables a button while fn runs, so a double click cannot send a
 * request twice. Returns fn's result.
 */
export async function busy(button, fn) {
  button.disabled = true;
  try {
    return await fn();
  } finally {
    button.disabled = false;
  }
}

/**
 * revealErrors scrolls a long form so its first shown error is in view:
 * field errors are marked where they are, and the form's error line says why
 * nothing was saved. It waits a frame, so it can be called before the dialog
 * has filled in the messages.
 */
export function revealErrors(root, selector = '.form-error:not([hidden])') {
  requestAnimationFrame(() => root.querySelector(selector)?.scrollIntoView({ block: 'nearest' }));
}

// System → Notification templates (#/system/templates, admin): pick a
// notification type, see its dynamic variables, tick "Use custom template" to
// edit its text, preview it with the server's sample data, save it, or go
// back to the default. The server checks the variables; its message shows
// under the text. Unsaved edits of each type are kept while the page is open.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { field, checkbox, errorLine, showError, clearErrors, busy } from '../forms.js';
import { confirmDialog } from '../dialog.js';
import { systemTabs } from './system.js';

export async function render(view) {
  const res = await api.get('/templates');
  const items = res.items || [];
  if (!items.length) {
    view.append(systemTabs('system/templates'), h('p', { class: 'panel notice' }, 'There are no notification templates.'));
    return;
  }
  view.append(systemTabs('system/templates'), templatesPanel(items));
}

/** templatesPanel is the editor for the list of templates the API answered. */
function templatesPanel(items) {
  const byType = new Map(items.map((t) => [t.type, t]));
  // Per type: {custom, text} once the editor was touched, until it is saved.
  // The text survives unticking "Use custom template", so ticking brings it back.
  const drafts = new Map();
  let current = items[0].type;

  const type = h('select', { id: 'template-type', name: 'type' });
  const description = h('p', { id: 'template-description', class: 'template-description' });
  const variables = h('ul', { id: 'template-variables', class: 'template-vars' });
  const customBox = checkbox('Use custom template', { id: 'template-custom' });
  const custom = customBox.querySelector('input');
  const text = h('textarea', { id: 'template-body', name: 'body', rows: 18, spellcheck: 'false', class: 'template-text mono' });
  const state = h('span', { id: 'template-state', class: 'tag' });
  const preview = h('button', { type: 'button', id: 'template-preview', class: 'btn' }, 'Template preview');
  const save = h('button', { type: 'submit', id: 'template-save', class: 'btn primary' }, 'Save');
  const reset = h('button', { type: 'button', id: 'template-reset', class: 'btn danger-text' }, 'Reset to default');
  const savedNote = h('span', { id: 'template-saved', class: 'muted', role: 'status' });

  const previewSubject = h('dd', { id: 'template-preview-subject' });
  const previewBody = h('pre', { id: 'template-preview-body', class: 'mail-text' });
  const previewOut = h('section', { id: 'template-preview-out', class: 'template-preview', 'aria-labelledby': 'template-preview-head', hidden: true },
    h('h3', { id: 'template-preview-head' }, 'Template preview'),
    h('p', { class: 'hint' }, 'The mail as it would read, with sample data.'),
    h('dl', { class: 'props' }, h('dt', null, 'Subject'), previewSubject),
    previewBody);

  const item = () => byType.get(current);
  const stored = () => item().custom_body !== null && item().custom_body !== undefined;
  const draft = () => drafts.get(current) || { custom: stored(), text: stored() ? item().custom_body : item().default_body };

  /** dirty tells whether the editor differs from what the server stores for this type. */
  function isDirty(d) {
    if (d.custom !== stored()) return true;
    return d.custom && d.text !== item().custom_body;
  }

  function paintOptions() {
    replace(type, items.map((t) => {
      const tmpl = byType.get(t.type);
      const mark = tmpl.custom_body !== null && tmpl.custom_body !== undefined ? ' (custom)' : '';
      return h('option', { value: t.type }, `${tmpl.name}${mark}`);
    }));
    type.value = current;
  }

  function paintState() {
    const d = draft();
    let label = d.custom ? 'Custom template' : 'Default template';
    if (isDirty(d)) label += ' — not saved';
    replace(state, label);
    state.classList.toggle('warn', isDirty(d));
    reset.disabled = !stored() && !isDirty(d);
  }

  /** insert puts a variable at the cursor of the custom text. */
  function insert(token) {
    const start = text.selectionStart ?? text.value.length;
    const end = text.selectionEnd ?? start;
    text.value = text.value.slice(0, start) + token + text.value.slice(end);
    text.selectionStart = text.selectionEnd = start + token.length;
    text.focus();
    text.dispatchEvent(new Event('input', { bubbles: true }));
  }

  /** show paints the chosen type: description, variables and the editor. */
  function show() {
    const t = item();
    const d = draft();
    clearErrors(form);
    replace(savedNote);
    previewOut.hidden = true;
    replace(description, t.description || '');
    replace(variables, (t.variables || []).map((v) => {
      const token = `{{${v.name}}}`;
      const btn = h('button', {
        type: 'button', class: 'template-var mono', 'data-name': v.name,
        title: d.custom ? 'Insert at the cursor' : 'Tick “Use custom template” to edit the text',
        disabled: !d.custom,
      }, token);
      btn.addEventListener('click', () => insert(token));
      return h('li', null, btn, h('span', { class: 'template-var-text' }, ` — ${v.description}`));
    }));
    custom.checked = d.custom;
    text.value = d.custom ? d.text : t.default_body;
    text.readOnly = !d.custom;
    text.setAttribute('aria-readonly', String(!d.custom));
    paintState();
  }

  type.addEventListener('change', () => {
    current = type.value;
    show();
  });

  custom.addEventListener('change', () => {
    drafts.set(current, { custom: custom.checked, text: draft().text });
    show();
    if (custom.checked) text.focus();
  });

  text.addEventListener('input', () => {
    if (!custom.checked) return;
    drafts.set(current, { custom: true, text: text.value });
    paintState();
  });

  /** body is what the API takes: the custom text, or null for the default. */
  const body = () => (custom.checked ? text.value : null);

  /** stored answer replaces the type's item; its draft is gone. */
  function savedAs(t) {
    byType.set(t.type, t);
    drafts.delete(t.type);
    paintOptions();
    show();
  }

  preview.addEventListener('click', async () => {
    clearErrors(form);
    replace(savedNote);
    try {
      const res = await busy(preview, () => api.post(`/templates/${encodeURIComponent(current)}/preview`, { body: body() }));
      replace(previewSubject, res.subject || '');
      replace(previewBody, res.body || '');
      previewOut.hidden = false;
      previewOut.scrollIntoView({ block: 'nearest' });
    } catch (err) {
      previewOut.hidden = true;
      showError(form, err, err.fields && err.fields.body ? 'No preview: the template has an error.' : undefined);
    }
  });

  const form = h('form', { class: 'panel-body stack template-form', novalidate: true },
    field('Template type', type, 'type'),
    description,
    h('div', { class: 'template-vars-box' },
      h('h3', null, 'Dynamic template variables'),
      h('p', { class: 'hint' }, 'Each {{NAME}} in the text is replaced with its value when the mail is written. Values are inserted as plain text.'),
      variables),
    h('div', { class: 'template-custom-row' }, customBox, state),
    field('Template', text, 'body',
      'The text of the mail; the appliance sets the subject. Unticked, the default template (shown read-only) is used.'),
    errorLine('template-error'),
    h('div', { class: 'form-actions' }, preview, save, reset, savedNote),
    previewOut);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    replace(savedNote);
    const kind = current;
    try {
      const t = await busy(save, () => api.put(`/templates/${encodeURIComponent(kind)}`, { body: body() }));
      savedAs(t);
      replace(savedNote, t.custom_body !== null && t.custom_body !== undefined
        ? 'Saved: the custom template is in use.'
        : 'Saved: the default template is in use.');
    } catch (err) {
      showError(form, err, err.fields && err.fields.body ? 'Not saved: the template has an error.' : undefined);
    }
  });

  async function resetToDefault() {
    const t = await api.put(`/templates/${encodeURIComponent(current)}`, { body: null });
    savedAs(t);
    replace(savedNote, 'Reset: the default template is in use.');
  }

  reset.addEventListener('click', async () => {
    clearErrors(form);
    replace(savedNote);
    if (!stored()) {
      // Nothing custom is stored: only the unsaved edits go.
      drafts.delete(current);
      show();
      replace(savedNote, 'The default template is in use.');
      return;
    }
    confirmDialog({
      title: 'Reset to default',
      text: `Delete the custom text of “${item().name}” and use the default template again?`,
      confirm: 'Reset to default',
      onConfirm: resetToDefault,
    });
  });

  paintOptions();
  show();
  return h('section', { class: 'panel', 'aria-labelledby': 'templates-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'templates-head' }, 'Template editor')),
    form);
}

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
import { t, has } from '../i18n.js';

export async function render(view) {
  const res = await api.get('/templates');
  const items = res.items || [];
  if (!items.length) {
    view.append(systemTabs('system/templates'), h('p', { class: 'panel notice' }, t('templates.none')));
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
  const customBox = checkbox(t('templates.use_custom'), { id: 'template-custom' });
  const custom = customBox.querySelector('input');
  const text = h('textarea', { id: 'template-body', name: 'body', rows: 18, spellcheck: 'false', class: 'template-text mono' });
  const state = h('span', { id: 'template-state', class: 'tag' });
  const preview = h('button', { type: 'button', id: 'template-preview', class: 'btn' }, t('templates.preview'));
  const save = h('button', { type: 'submit', id: 'template-save', class: 'btn primary' }, t('common.save'));
  const reset = h('button', { type: 'button', id: 'template-reset', class: 'btn danger-text' }, t('templates.reset'));
  const savedNote = h('span', { id: 'template-saved', class: 'muted', role: 'status' });

  const previewSubject = h('dd', { id: 'template-preview-subject' });
  const previewBody = h('pre', { id: 'template-preview-body', class: 'mail-text' });
  const previewOut = h('section', { id: 'template-preview-out', class: 'template-preview', 'aria-labelledby': 'template-preview-head', hidden: true },
    h('h3', { id: 'template-preview-head' }, t('templates.preview')),
    h('p', { class: 'hint' }, t('templates.preview_hint')),
    h('dl', { class: 'props' }, h('dt', null, t('mailer.subject')), previewSubject),
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
    replace(type, items.map((k) => {
      const tmpl = byType.get(k.type);
      const name = kindText(tmpl, 'name');
      const custom = tmpl.custom_body !== null && tmpl.custom_body !== undefined;
      return h('option', { value: k.type }, custom ? t('templates.custom_mark', { name }) : name);
    }));
    type.value = current;
  }

  function paintState() {
    const d = draft();
    let label = d.custom ? t('templates.custom') : t('templates.default');
    if (isDirty(d)) label += ` — ${t('templates.not_saved')}`;
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
    const tmpl = item();
    const d = draft();
    clearErrors(form);
    replace(savedNote);
    previewOut.hidden = true;
    replace(description, kindText(tmpl, 'description'));
    replace(variables, (tmpl.variables || []).map((v) => {
      const token = `{{${v.name}}}`;
      const btn = h('button', {
        type: 'button', class: 'template-var mono', 'data-name': v.name,
        title: d.custom ? t('templates.insert') : t('templates.tick_to_edit'),
        disabled: !d.custom,
      }, token);
      btn.addEventListener('click', () => insert(token));
      return h('li', null, btn, h('span', { class: 'template-var-text' }, ` — ${variableText(tmpl, v)}`));
    }));
    custom.checked = d.custom;
    text.value = d.custom ? d.text : tmpl.default_body;
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
  function savedAs(tmpl) {
    byType.set(tmpl.type, tmpl);
    drafts.delete(tmpl.type);
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
      showError(form, err, err.fields && err.fields.body ? t('templates.no_preview') : undefined);
    }
  });

  const form = h('form', { class: 'panel-body stack template-form', novalidate: true },
    field(t('templates.type'), type, 'type'),
    description,
    h('div', { class: 'template-vars-box' },
      h('h3', null, t('templates.variables')),
      h('p', { class: 'hint' }, t('templates.variables_hint')),
      variables),
    h('div', { class: 'template-custom-row' }, customBox, state),
    field(t('templates.template'), text, 'body', t('templates.template_hint')),
    errorLine('template-error'),
    h('div', { class: 'form-actions' }, preview, save, reset, savedNote),
    previewOut);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    replace(savedNote);
    const kind = current;
    try {
      const tmpl = await busy(save, () => api.put(`/templates/${encodeURIComponent(kind)}`, { body: body() }));
      savedAs(tmpl);
      replace(savedNote, tmpl.custom_body !== null && tmpl.custom_body !== undefined
        ? t('templates.saved_custom')
        : t('templates.saved_default'));
    } catch (err) {
      showError(form, err, err.fields && err.fields.body ? t('templates.not_saved_error') : undefined);
    }
  });

  async function resetToDefault() {
    const tmpl = await api.put(`/templates/${encodeURIComponent(current)}`, { body: null });
    savedAs(tmpl);
    replace(savedNote, t('templates.reset_done'));
  }

  reset.addEventListener('click', async () => {
    clearErrors(form);
    replace(savedNote);
    if (!stored()) {
      // Nothing custom is stored: only the unsaved edits go.
      drafts.delete(current);
      show();
      replace(savedNote, t('templates.default_in_use'));
      return;
    }
    confirmDialog({
      title: t('templates.reset'),
      text: t('templates.reset_question', { name: kindText(item(), 'name') }),
      confirm: t('templates.reset'),
      onConfirm: resetToDefault,
    });
  });

  paintOptions();
  show();
  return h('section', { class: 'panel', 'aria-labelledby': 'templates-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'templates-head' }, t('templates.editor'))),
    form);
}

/**
 * kindText is a template type's name or description in the user's language:
 * the catalog's text for the type when there is one, else the server's.
 */
function kindText(tmpl, what) {
  const key = `template_kind.${tmpl.type}.${what}`;
  return has(key) ? t(key) : tmpl[what] || '';
}

/** variableText describes a template variable like kindText. */
function variableText(tmpl, v) {
  const key = `template_var.${tmpl.type}.${v.name}`;
  return has(key) ? t(key) : v.description;
}

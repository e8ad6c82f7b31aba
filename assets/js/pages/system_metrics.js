// System → Metrics (#/system/metrics, admin): the Prometheus endpoint /metrics.
// Off by default; on, a scrape needs the bearer token, an allowed address, or
// both when both are set. The token is shown once, when it is generated: the
// API only says whether one is set.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { field, checkbox, errorLine, showError, clearErrors, busy } from '../forms.js';
import { systemTabs } from './system.js';
import { t } from '../i18n.js';
import { copyRow } from './copy_row.js';

export async function render(view) {
  const settings = await api.get('/settings/metrics');
  view.append(systemTabs('system/metrics'), settingsPanel(settings));
}

/** scrapeURL is where Prometheus finds the metrics: this appliance's own address. */
function scrapeURL(s) {
  return `${window.location.origin}${s.path}`;
}

function settingsPanel(s) {
  const enabled = checkbox(t('metrics.enabled'), { id: 'metrics-enabled', name: 'enabled', checked: Boolean(s.enabled) });
  const allow = h('textarea', {
    id: 'metrics-allow', name: 'allow', rows: 4, spellcheck: 'false', class: 'mono',
    placeholder: '192.0.2.10\n10.0.0.0/8',
  });
  allow.value = (s.allow || []).join('\n');
  const tokenState = h('p', { id: 'metrics-token-state' });
  const newToken = h('button', { type: 'button', id: 'metrics-token-new', class: 'btn' });
  const removeToken = h('button', { type: 'button', id: 'metrics-token-remove', class: 'btn danger-text' }, t('metrics.remove_token'));
  const reveal = h('div', { id: 'metrics-token-reveal', hidden: true });
  const save = h('button', { type: 'submit', id: 'metrics-save', class: 'btn primary' }, t('common.save'));
  const saved = h('span', { id: 'metrics-saved', class: 'muted', role: 'status' });

  const showToken = (set) => {
    replace(tokenState, set
      ? t('metrics.token_set')
      : t('metrics.no_token'));
    replace(newToken, set ? t('metrics.new_token') : t('metrics.generate_token'));
    removeToken.hidden = !set;
  };
  showToken(s.token_set);

  const form = h('form', { class: 'panel-body stack metrics-form', novalidate: true },
    h('p', null, t('metrics.scrapes'), ' ', h('code', { id: 'metrics-url' }, scrapeURL(s)),
      ' ', t('metrics.scrapes_off')),
    h('div', { class: 'field', 'data-field': 'enabled' }, enabled,
      h('div', { class: 'hint' }, t('metrics.enabled_hint')),
      h('div', { class: 'field-error', hidden: true })),
    field(t('metrics.allow'), allow, 'allow', t('metrics.allow_hint')),
    h('div', { class: 'field', 'data-field': 'new_token' },
      tokenState,
      h('div', { class: 'form-actions' }, newToken, removeToken),
      h('div', { class: 'field-error', hidden: true })),
    reveal,
    errorLine('metrics-error'),
    h('div', { class: 'form-actions' }, save, saved));

  // Every change is one PATCH of what it is about (a token button leaves the
  // form's unsaved fields alone); the answer is the settings as stored.
  const patch = async (button, body) => {
    clearErrors(form);
    replace(saved);
    try {
      const res = await busy(button, () => api.patch('/settings/metrics', body));
      showToken(res.token_set);
      return res;
    } catch (err) {
      showError(form, err, err.fields && Object.keys(err.fields).length ? t('form.check_fields') : undefined);
      return null;
    }
  };

  newToken.addEventListener('click', async () => {
    const res = await patch(newToken, { new_token: true });
    if (!res) return;
    replace(reveal, revealBox(res));
    reveal.hidden = false;
  });
  removeToken.addEventListener('click', async () => {
    if (await patch(removeToken, { remove_token: true })) {
      reveal.hidden = true;
      replace(saved, t('metrics.token_removed'));
    }
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const lines = allow.value.split('\n').map((l) => l.trim()).filter(Boolean);
    const res = await patch(save, { enabled: enabled.querySelector('input').checked, allow: lines });
    if (!res) return;
    enabled.querySelector('input').checked = res.enabled;
    allow.value = res.allow.join('\n');
    replace(saved, t('common.saved'));
  });

  return h('section', { class: 'panel', 'aria-labelledby': 'metrics-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'metrics-head' }, t('metrics.head'))),
    form);
}

/** revealBox shows a new token once, with a scrape configuration that uses it. */
function revealBox(s) {
  const https = window.location.protocol === 'https:';
  const config = [
    'scrape_configs:',
    '  - job_name: honeysens',
    `    scheme: ${https ? 'https' : 'http'}`,
    `    metrics_path: ${s.path}`,
    ...(https ? ['    tls_config:', '      ca_file: honeysens.pem  # the appliance\'s certificate'] : []),
    '    authorization:',
    `      credentials: ${s.token}`,
    '    static_configs:',
    `      - targets: ['${window.location.host}']`,
  ].join('\n');
  return h('div', { class: 'notice success token-reveal' },
    h('p', null, h('strong', null, t('metrics.new_token_label')), ' ', t('metrics.copy_now')),
    copyRow({
      id: 'metrics-token-value', copyId: 'metrics-token-copy', value: s.token, label: t('metrics.new_token_label'),
      pressCopy: t('account.press_copy'),
    }),
    h('p', null, t('metrics.scrape_config')),
    h('pre', { id: 'metrics-scrape-config', class: 'mono scrape-config' }, config));
}

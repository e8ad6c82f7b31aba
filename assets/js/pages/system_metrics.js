// System → Metrics (#/system/metrics, admin): the Prometheus endpoint /metrics.
// Off by default; on, a scrape needs the bearer token, an allowed address, or
// both when both are set. The token is shown once, when it is generated: the
// API only says whether one is set.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { field, checkbox, errorLine, showError, clearErrors, busy } from '../forms.js';
import { systemTabs } from './system.js';

export async function render(view) {
  const settings = await api.get('/settings/metrics');
  view.append(systemTabs('system/metrics'), settingsPanel(settings));
}

/** scrapeURL is where Prometheus finds the metrics: this appliance's own address. */
function scrapeURL(s) {
  return `${window.location.origin}${s.path}`;
}

function settingsPanel(s) {
  const enabled = checkbox('Serve metrics to Prometheus', { id: 'metrics-enabled', name: 'enabled', checked: Boolean(s.enabled) });
  const allow = h('textarea', {
    id: 'metrics-allow', name: 'allow', rows: 4, spellcheck: 'false', class: 'mono',
    placeholder: '192.0.2.10\n10.0.0.0/8',
  });
  allow.value = (s.allow || []).join('\n');
  const tokenState = h('p', { id: 'metrics-token-state' });
  const newToken = h('button', { type: 'button', id: 'metrics-token-new', class: 'btn' });
  const removeToken = h('button', { type: 'button', id: 'metrics-token-remove', class: 'btn danger-text' }, 'Remove token');
  const reveal = h('div', { id: 'metrics-token-reveal', hidden: true });
  const save = h('button', { type: 'submit', id: 'metrics-save', class: 'btn primary' }, 'Save');
  const saved = h('span', { id: 'metrics-saved', class: 'muted', role: 'status' });

  const showToken = (set) => {
    replace(tokenState, set
      ? 'A token is set. Prometheus sends it as Authorization: Bearer <token>.'
      : 'No token is set.');
    replace(newToken, set ? 'Generate a new token' : 'Generate token');
    removeToken.hidden = !set;
  };
  showToken(s.token_set);

  const form = h('form', { class: 'panel-body stack metrics-form', novalidate: true },
    h('p', null, 'Prometheus scrapes ', h('code', { id: 'metrics-url' }, scrapeURL(s)),
      '. While metrics are off, that address answers as if it did not exist.'),
    h('div', { class: 'field', 'data-field': 'enabled' }, enabled,
      h('div', { class: 'hint' }, 'Needs a token, allowed addresses, or both: then a scrape must pass both.'),
      h('div', { class: 'field-error', hidden: true })),
    field('Allowed addresses and networks, one per line (empty = any address with the token)', allow, 'allow',
      'Addresses such as 192.0.2.10 or networks such as 10.0.0.0/8 and 2001:db8::/32.'),
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
      showError(form, err, err.fields && Object.keys(err.fields).length ? 'Check the marked fields.' : undefined);
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
      replace(saved, 'Token removed.');
    }
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const lines = allow.value.split('\n').map((l) => l.trim()).filter(Boolean);
    const res = await patch(save, { enabled: enabled.querySelector('input').checked, allow: lines });
    if (!res) return;
    enabled.querySelector('input').checked = res.enabled;
    allow.value = res.allow.join('\n');
    replace(saved, 'Saved.');
  });

  return h('section', { class: 'panel', 'aria-labelledby': 'metrics-head' },
    h('header', { class: 'panel-head' }, h('h2', { id: 'metrics-head' }, 'Prometheus metrics')),
    form);
}

/** revealBox shows a new token once, with a scrape configuration that uses it. */
function revealBox(s) {
  const value = h('input', { id: 'metrics-token-value', class: 'mono', readonly: true, value: s.token, 'aria-label': 'New metrics token' });
  const copy = h('button', { type: 'button', class: 'btn small', id: 'metrics-token-copy' }, 'Copy');
  const status = h('span', { class: 'muted', role: 'status' });
  copy.addEventListener('click', async () => {
    value.select();
    try {
      await navigator.clipboard.writeText(s.token);
      replace(status, 'Copied.');
    } catch {
      // No clipboard permission (e.g. plain HTTP): the text is selected instead.
      replace(status, 'Press Ctrl+C to copy the selected token.');
    }
  });
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
    h('p', null, h('strong', null, 'New metrics token. '), 'Copy it now: it will not be shown again. The previous token no longer works.'),
    h('div', { class: 'copy-row' }, value, copy, status),
    h('p', null, 'A Prometheus scrape configuration for this appliance:'),
    h('pre', { id: 'metrics-scrape-config', class: 'mono scrape-config' }, config));
}

// System area (#/system, admin): appliance-wide settings, one panel per
// sub-page (#/system/<name>). The index lists the panels; every panel page
// shows the same tabs on top. To add a panel: add an entry to SYSTEM_PANELS,
// a page module under pages/ and its line in routes.js (path 'system/<name>').
// Titles and texts are catalog keys.

import { h } from '../dom.js';
import { t } from '../i18n.js';

export const SYSTEM_PANELS = [
  {
    path: 'system/archive',
    title: 'page.system_archive',
    text: 'system.archive_text',
  },
  {
    path: 'system/mail',
    title: 'page.system_mail',
    text: 'system.mail_text',
  },
  {
    path: 'system/templates',
    title: 'page.system_templates',
    text: 'system.templates_text',
  },
  {
    path: 'system/metrics',
    title: 'page.system_metrics',
    text: 'system.metrics_text',
  },
  {
    path: 'system/integrations',
    title: 'page.system_integrations',
    text: 'system.integrations_text',
  },
];

/** render is the index page: one card per panel, and the database backup. */
export function render(view) {
  view.append(h('ul', { class: 'system-index', 'aria-label': t('system.settings') },
    SYSTEM_PANELS.map((p) => h('li', null,
      h('a', { class: 'panel system-card', href: `#/${p.path}`, id: `system-link-${p.path.slice('system/'.length)}` },
        h('h2', null, t(p.title)),
        h('p', { class: 'muted' }, t(p.text))))),
    // A plain link: the browser downloads the consistent copy the server streams.
    h('li', null,
      h('a', { class: 'panel system-card', href: '/api/system/backup', id: 'system-backup', download: '' },
        h('h2', null, t('system.backup')),
        h('p', { class: 'muted' }, t('system.backup_text'))))));
}

/**
 * systemTabs is the tab row shown on top of every System panel page. On a
 * narrow screen the row scrolls sideways, so it starts with the active tab in
 * view.
 */
export function systemTabs(active) {
  const nav = h('nav', { class: 'system-tabs', 'aria-label': t('system.settings') },
    h('a', { href: '#/system', class: 'system-tab' }, t('page.overview')),
    SYSTEM_PANELS.map((p) => h('a', {
      href: `#/${p.path}`,
      class: p.path === active ? 'system-tab active' : 'system-tab',
      'aria-current': p.path === active ? 'page' : null,
    }, t(p.title))));
  requestAnimationFrame(() => {
    const tab = nav.querySelector('.system-tab.active');
    if (!tab) return;
    const past = tab.getBoundingClientRect().right - nav.getBoundingClientRect().right;
    if (past > 0) nav.scrollLeft += past;
  });
  return nav;
}

// System area (#/system, admin): appliance-wide settings, one panel per
// sub-page (#/system/<name>). The index lists the panels; every panel page
// shows the same tabs on top. To add a panel: add an entry to SYSTEM_PANELS,
// a page module under pages/ and its line in routes.js (path 'system/<name>').

import { h } from '../dom.js';

export const SYSTEM_PANELS = [
  {
    path: 'system/archive',
    title: 'Event archive',
    text: 'Move events to the archive automatically, delete old archived events, and pre-tick ‘Move events to archive’ when removing events.',
  },
  {
    path: 'system/mail',
    title: 'E-mail notifications',
    text: 'The SMTP server that sends notifications, a test mail, the on/off switch, the storm guard, the weekly summary’s time, and the outbox of queued, sent and failed mails.',
  },
  {
    path: 'system/templates',
    title: 'Notification templates',
    text: 'The text of event, sensor and summary mails: customise a template with its dynamic variables and preview it with sample data.',
  },
  {
    path: 'system/metrics',
    title: 'Metrics',
    text: 'Prometheus metrics at /metrics: switch them on, generate the bearer token and list the addresses that may scrape.',
  },
  {
    path: 'system/integrations',
    title: 'Integrations',
    text: 'Forward events to syslog receivers (RFC 5424, CEF) and webhooks (JSON, Slack/Mattermost, Teams), see each one’s queue, retry, and send a test event through the whole chain.',
  },
];

/** render is the index page: one card per panel, and the database backup. */
export function render(view) {
  view.append(h('ul', { class: 'system-index', 'aria-label': 'System settings' },
    SYSTEM_PANELS.map((p) => h('li', null,
      h('a', { class: 'panel system-card', href: `#/${p.path}`, id: `system-link-${p.path.slice('system/'.length)}` },
        h('h2', null, p.title),
        h('p', { class: 'muted' }, p.text)))),
    // A plain link: the browser downloads the consistent copy the server streams.
    h('li', null,
      h('a', { class: 'panel system-card', href: '/api/system/backup', id: 'system-backup', download: '' },
        h('h2', null, 'Download backup'),
        h('p', { class: 'muted' }, 'A consistent copy of the whole database, taken while the appliance keeps running. Restore it with ‘honeysens restore FILE’.')))));
}

/**
 * systemTabs is the tab row shown on top of every System panel page. On a
 * narrow screen the row scrolls sideways, so it starts with the active tab in
 * view.
 */
export function systemTabs(active) {
  const nav = h('nav', { class: 'system-tabs', 'aria-label': 'System settings' },
    h('a', { href: '#/system', class: 'system-tab' }, 'Overview'),
    SYSTEM_PANELS.map((p) => h('a', {
      href: `#/${p.path}`,
      class: p.path === active ? 'system-tab active' : 'system-tab',
      'aria-current': p.path === active ? 'page' : null,
    }, p.title)));
  requestAnimationFrame(() => {
    const tab = nav.querySelector('.system-tab.active');
    if (!tab) return;
    const past = tab.getBoundingClientRect().right - nav.getBoundingClientRect().right;
    if (past > 0) nav.scrollLeft += past;
  });
  return nav;
}

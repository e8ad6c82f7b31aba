// Route table: one entry per page module. To add a module, add its page file
// under pages/ and one line here; the sidebar and access checks follow.
//   path   the hash route (#/path)
//   page   the module; its render(view, ctx) fills the view (ctx: see pageContext in app.js)
//   title  shown in #page-title (a function: the text follows the user's language)
//   nav    sidebar label, a function too (omit to keep the page out of the sidebar)
//   role   lowest role allowed (1 Observer, 2 Manager, 3 Admin)
//   public reachable without a session (only the login page)
//   badge  optional function returning a node shown next to the sidebar label
//   prefix the route also serves every path below it (#/attackers/<address>)

import { eventsBadge } from './events_live.js';
import { t } from './i18n.js';
import * as login from './pages/login.js';
import * as password from './pages/password.js';
import * as overview from './pages/overview.js';
import * as attackers from './pages/attackers.js';
import * as attacker from './pages/attacker_details.js';
import * as events from './pages/events.js';
import * as sensors from './pages/sensors.js';
import * as filters from './pages/filters.js';
import * as account from './pages/account.js';
import * as users from './pages/users.js';
import * as audit from './pages/audit.js';
import * as system from './pages/system.js';
import * as systemArchive from './pages/system_archive.js';
import * as systemMail from './pages/system_mail.js';
import * as systemTemplates from './pages/system_templates.js';
import * as systemMetrics from './pages/system_metrics.js';
import * as systemIntegrations from './pages/system_integrations.js';

export const ROUTES = [
  { path: 'login', title: () => t('page.login'), page: login, public: true },
  { path: 'password', title: () => t('page.password'), page: password, role: 1 },
  { path: 'overview', title: () => t('page.overview'), nav: () => t('page.overview'), page: overview, role: 1 },
  { path: 'attackers', title: () => t('page.attackers'), nav: () => t('page.attackers'), page: attackers, role: 1 },
  // One attacker: #/attackers/<address>; the page sets its own title.
  { path: 'attackers/', title: () => t('page.attacker'), page: attacker, role: 1, prefix: true },
  { path: 'events', title: () => t('page.events'), nav: () => t('page.events'), page: events, role: 1, badge: eventsBadge },
  { path: 'sensors', title: () => t('page.sensors'), nav: () => t('page.sensors'), page: sensors, role: 1 },
  { path: 'filters', title: () => t('page.filters'), nav: () => t('page.filters'), page: filters, role: 1 },
  { path: 'account', title: () => t('page.account'), nav: () => t('page.account'), page: account, role: 1 },
  { path: 'users', title: () => t('page.users'), nav: () => t('page.users'), page: users, role: 3 },
  { path: 'audit', title: () => t('page.audit'), nav: () => t('page.audit'), page: audit, role: 3 },
  // System panels are sub-pages (#/system/<name>); the sidebar marks "System" for them.
  { path: 'system', title: () => t('page.system'), nav: () => t('page.system'), page: system, role: 3 },
  { path: 'system/archive', title: () => t('page.system_archive'), page: systemArchive, role: 3 },
  { path: 'system/mail', title: () => t('page.system_mail'), page: systemMail, role: 3 },
  { path: 'system/templates', title: () => t('page.system_templates'), page: systemTemplates, role: 3 },
  { path: 'system/metrics', title: () => t('page.system_metrics'), page: systemMetrics, role: 3 },
  { path: 'system/integrations', title: () => t('page.system_integrations'), page: systemIntegrations, role: 3 },
];

/** findRoute returns the route for a path, or undefined. */
export function findRoute(path) {
  return ROUTES.find((r) => r.path === path)
    || ROUTES.find((r) => r.prefix && path.startsWith(r.path) && path.length > r.path.length);
}

// Entry point: hash router and page shell. The session decides what can be
// shown: no session -> login only; must_change_password -> the password page
// only; otherwise the sidebar layout with the pages the role may use.

import { h, replace, byId } from './dom.js';
import { api, setAuthHandlers } from './api.js';
import { closeAllDialogs } from './dialog.js';
import { roleName } from './format.js';
import { ROUTES, findRoute } from './routes.js';
import { startLive, stopLive } from './events_live.js';
import { newPageLife } from './page_life.js';
import { applyDensity } from './density.js';
import * as session from './session.js';
import { t, useUser } from './i18n.js';

/** go navigates to #/path, re-rendering even if we are already there. */
function go(path) {
  if (currentPath() === path) route();
  else location.hash = `#/${path}`;
}

function currentPath() {
  return location.hash.replace(/^#\/?/, '').split('?')[0];
}

// The page shown; the router ends it before it shows the next one.
let page = newPageLife();
// The route (with its query) a login leads back to: the page the session
// ended on, or a link opened while logged out.
let wanted = '';

/** leavePage ends the page shown: its timers and subscriptions stop, late answers are dropped. */
function leavePage() {
  page.end();
}

/** route renders the page for the current hash, enforcing the session rules. */
async function route() {
  leavePage();
  const life = newPageLife();
  page = life;
  closeAllDialogs();
  const s = session.get();
  // A login, logout or a change on the Account page may switch the language; when the
  // catalog cannot be loaded, the page shows in the language it had.
  await useUser(s && s.user).catch(() => {});
  if (life.hooks.signal.aborted) return; // left meanwhile: a newer navigation, a logout
  const path = currentPath();

  if (!s) {
    if (path !== 'login') {
      keepWanted();
      return go('login');
    }
    return renderBare(findRoute('login'));
  }
  if (s.must_change_password) {
    if (path !== 'password') return go('password');
    return renderBare(findRoute('password'), { forced: true });
  }
  const r = findRoute(path);
  if (!r || r.public) return go(session.landing());
  if (s.user.role < r.role) return renderShell(r, { denied: true });
  return renderShell(r);
}

/** keepWanted remembers the route shown now, for after the next login. */
function keepWanted() {
  const target = location.hash.replace(/^#\/?/, '');
  const r = findRoute(target.split('?')[0]);
  if (r && !r.public && r.path !== 'password') wanted = target;
}

/** afterLogin is where a login of user leads: back to the wanted route when the role may see it. */
function afterLogin(user) {
  const r = wanted && findRoute(wanted.split('?')[0]);
  const target = r && user.role >= r.role ? wanted : session.landing();
  wanted = '';
  return target;
}

/**
 * ctx is what every page's render(view, ctx) receives: the session, go,
 * logOut, afterLogin and the page's life (signal, onLeave, every; see
 * page_life.js).
 */
function pageContext(extra) {
  return { session: session.get(), go, logOut, afterLogin, ...page.hooks, ...extra };
}

/** renderBare shows a page centred on its own, without sidebar (login, forced password). */
function renderBare(r, extra) {
  document.title = `${r.title()} · HoneySens`;
  const view = h('div', { class: 'view' });
  replace(byId('app'),
    h('main', { class: 'bare' },
      h('div', { class: 'card bare-card' },
        h('div', { class: 'brand-big' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'HoneySens'),
        h('h1', { id: 'page-title' }, r.title()),
        view)));
  runPage(r, view, pageContext(extra));
}

/** renderShell shows a page inside the top bar + sidebar layout. */
function renderShell(r, { denied } = {}) {
  const s = session.get();
  const title = denied ? t('app.access_denied') : r.title();
  document.title = `${title} · HoneySens`;
  const view = h('div', { class: 'view' });
  replace(byId('app'),
    h('div', { class: 'shell' },
      topBar(s),
      sideBar(s, r.path),
      h('main', { class: 'content' }, h('h1', { id: 'page-title' }, title), view)));
  // Every logged-in page keeps the events badge current.
  startLive();
  if (denied) {
    replace(view, h('div', { id: 'access-denied', class: 'panel notice danger', role: 'alert' },
      t('app.role_may_not', { role: roleName(s.user.role) }), ' ',
      h('a', { href: `#/${session.landing()}` }, t('app.back_to_start'))));
    return;
  }
  runPage(r, view, pageContext());
}

function topBar(s) {
  const logout = h('button', { type: 'button', id: 'logout', class: 'btn small ghost' }, t('app.log_out'));
  logout.addEventListener('click', logOut);
  return h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: `#/${session.landing()}` }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'HoneySens'),
    h('div', { class: 'topbar-user' },
      h('span', { class: 'user-name', id: 'current-user' }, s.user.full_name || s.user.login),
      h('span', { class: 'badge' }, roleName(s.user.role)),
      logout));
}

function sideBar(s, active) {
  // A sub-page (#/system/archive) marks its section's item (#/system).
  const isActive = (r) => r.path === active || active.startsWith(`${r.path}/`);
  const items = ROUTES.filter((r) => r.nav && s.user.role >= r.role).map((r) =>
    h('li', null, h('a', {
      id: `nav-${r.path}`, href: `#/${r.path}`,
      class: isActive(r) ? 'active' : null,
      'aria-current': isActive(r) ? 'page' : null,
    }, h('span', { class: 'nav-label' }, r.nav()), r.badge ? r.badge() : null)));
  return h('nav', { class: 'sidebar', 'aria-label': t('app.main_nav') },
    h('ul', null, items),
    s.version ? h('div', { class: 'version' }, t('app.version', { version: s.version })) : null);
}

/** runPage calls the page module and turns an unexpected failure into a message. */
async function runPage(r, view, ctx) {
  try {
    await r.page.render(view, ctx);
  } catch (err) {
    // The page was left while it loaded (the session may have ended): nothing to say here.
    if (ctx.signal.aborted) return;
    replace(view, h('div', { class: 'panel notice danger', role: 'alert' }, err.message || String(err)));
  }
}

async function logOut() {
  leavePage();
  wanted = '';
  try {
    await api.del('/session', { authHandled: false });
  } catch {
    // Logging out must always work locally, even if the server is gone.
  }
  stopLive();
  session.set(null);
  go('login');
}

// The page is left at once on both, so its own requests that fail the same
// way drop their answers instead of showing an error on the way out.
setAuthHandlers({
  unauthorized() {
    // Several requests may fail at once; the first one logs out, and a second
    // would only render the login page again (without its note).
    if (!session.get()) return;
    session.setFlash(t('app.session_ended'));
    keepWanted();
    leavePage();
    stopLive();
    session.set(null);
    go('login');
  },
  passwordRequired() {
    leavePage();
    // The poller would otherwise hit the same 403 every few seconds and re-render the form.
    stopLive();
    const s = session.get();
    if (s) s.must_change_password = true;
    go('password');
  },
});

async function start() {
  applyDensity();
  try {
    await session.load();
  } catch (err) {
    // No catalog yet: this one line stays English.
    replace(byId('app'), h('p', { class: 'boot error' }, `Cannot reach the appliance: ${err.message}`));
    return;
  }
  window.addEventListener('hashchange', route);
  route();
}

start();

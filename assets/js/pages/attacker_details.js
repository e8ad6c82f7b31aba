// One attacker (#/attackers/<address>, every role): what all live events of
// the address add up to, its timeline in the chosen period (by default its
// whole activity), the credentials it tried, the commands it ran and the HTTP
// paths it asked for. Every figure links to the event list filtered to it.
// Managers set the status of all its events or create a filter rule for it.

import { h, replace, byId } from '../dom.js';
import { api } from '../api.js';
import { formatTime, ROLE_MANAGER } from '../format.js';
import { classificationTag, countText, plural } from '../event_labels.js';
import { eventsHref, hashQuery, href, pushHash, replaceHash, spanParams } from '../links.js';
import { newPeriod, periodBar, hashParams, periodRange, apiParams, periodLabel } from '../period.js';
import { keepFresh, statusLines } from '../page_live.js';
import { timelineChart, STACK } from '../chart.js';
import { mixBar } from './attackers_table.js';
import { topList } from './overview_lists.js';
import { openStatusDialog, openSourceFilterDialog } from './attacker_actions.js';
import { t, tParts } from '../i18n.js';

const DAY_MS = 86400e3;
// The API answers at most 400 days at a time; "whole activity" keeps to the newest 399.
const MAX_SPAN_MS = 399 * DAY_MS;
const NOTICE_MS = 8000;

export async function render(view, ctx) {
  const address = addressOf(location.hash);
  const title = byId('page-title');
  if (!address) {
    replace(view, h('p', { class: 'notice danger', role: 'alert' }, t('attacker.not_ip'), ' ',
      h('a', { href: href('attackers') }, t('attacker.back'))));
    return;
  }
  replace(title, tParts('attacker.title', { address: h('span', { class: 'mono' }, address) }));
  document.title = `${t('attacker.title', { address })} · HoneySens`;

  const period = newPeriod('attacker', hashQuery(), { fallback: 'active', extras: ['active'] });
  const canEdit = ctx.session.user.role >= ROLE_MANAGER;
  const path = location.hash.replace(/^#\/?/, '').split('?')[0];
  const { notice, error, announce, fail } = statusLines(ctx, { notice: 'attacker-notice', error: 'attacker-error', noticeMs: NOTICE_MS });
  const bar = periodBar(period, () => { pushHash(path, hashParams(period)); refresh(); });
  const facts = h('div', { class: 'panel-body' }, h('p', { class: 'muted' }, t('app.loading')));
  const showEvents = h('a', { id: 'attacker-events', class: 'btn small', href: eventsHref({ source: address, status: 'all' }) }, t('attacker.show_events'));
  const setStatus = canEdit ? h('button', { type: 'button', id: 'attacker-set-status', class: 'btn small', disabled: true }, t('attacker.set_status')) : null;
  const addFilter = canEdit ? h('button', { type: 'button', id: 'attacker-create-filter', class: 'btn small' }, t('attacker.create_filter')) : null;
  const chartHead = h('h2', { id: 'attacker-timeline-head' }, t('overview.timeline'));
  const chart = timelineChart({
    label: t('attacker.events_from', { address }),
    onSelect: (from, to) => { location.hash = eventsHref({ source: address, status: 'all', ...spanParams(from, to), group: period.group }); },
  });
  const creds = h('div', { class: 'cred-body' });
  const commands = h('div', { class: 'top-body' });
  const paths = h('div', { class: 'top-body' });
  const sample = h('p', { class: 'muted small sample-note', hidden: true });
  const rest = h('div', { class: 'attacker-rest' });
  let attacker = null;
  let groups = [];
  let seq = 0;
  let shown = '';

  async function refresh() {
    const mine = ++seq;
    const stale = () => mine !== seq || ctx.signal.aborted;
    let a;
    let detail = null;
    let range;
    try {
      // The list row gives its figures and first/last seen, whatever the period.
      const q = new URLSearchParams({ q: address, limit: '1' });
      if (period.group) q.set('group', period.group);
      a = (await api.get(`/attackers?${q}`)).items?.[0] || null;
      if (stale()) return;
      if (a) {
        range = periodRange(period);
        if (period.period === 'active') range = activeRange(a);
        detail = await api.get(`/attackers/${apiAddress(address)}?${apiParams(period, range)}`)
          .catch((err) => { if (err.status === 404) return null; throw err; });
      }
    } catch (err) {
      if (stale()) return;
      fail(t('attacker.load_failed', { message: err.message }));
      return;
    }
    if (stale()) return;
    error.hidden = true;
    attacker = a;
    paint(a, detail);
  }

  function paint(a, detail) {
    const json = JSON.stringify([a, detail, period.group]);
    if (json === shown) return;
    shown = json;
    const group = period.group;
    showEvents.href = eventsHref({ source: address, status: 'all', group });
    if (setStatus) setStatus.disabled = !a;
    rest.hidden = !a;
    if (!a) {
      replace(facts, h('p', { class: 'notice', id: 'attacker-none' },
        t('attacker.none', { address }), ' ', h('a', { href: href('attackers') }, t('attacker.back'))));
      return;
    }
    replace(facts, factList(a, address, group));
    const timeline = detail?.timeline || [];
    const n = timeline.reduce((sum, b) => sum + Object.values(b.counts || {}).reduce((x, y) => x + y, 0), 0);
    replace(chartHead, t('overview.timeline'), ' ', h('span', { class: 'muted head-note' },
      t('attacker.chart_note', { events: plural(n, 'count.events'), period: periodLabel(period) })));
    chart.update(timeline, timeline.length > 1 && new Date(timeline[1].t) - new Date(timeline[0].t) > 3600e3 ? 'day' : 'hour');
    const span = detail ? spanParams(detail.period.from, detail.period.to) : {};
    const params = { source: address, ...span, group };
    replace(creds, credentialTable(detail?.credentials || [], params));
    replace(commands, topList('commands', 'command', detail?.commands || [], params));
    replace(paths, topList('paths', 'path', detail?.paths || [], params));
    sample.hidden = !detail?.partial;
    replace(sample, detail?.partial
      ? t('attacker.sampled', { count: detail.sampled }) : '');
  }

  if (setStatus) {
    setStatus.addEventListener('click', () => {
      if (!attacker) return;
      openStatusDialog({
        address, count: attacker.events, group: period.group,
        groupName: groups.find((g) => String(g.id) === period.group)?.name,
        done: (message) => { announce(message); shown = ''; refresh(); },
      });
    });
  }
  if (addFilter) {
    addFilter.addEventListener('click', () => {
      openSourceFilterDialog({
        address, group: period.group, sensorIds: (attacker?.sensors || []).map((s) => s.id),
        done: async (message) => announce(h('span', null, message, ' ', h('a', { href: href('filters') }, t('details.show_rules')))),
      }).catch((err) => fail(t('attacker.filter_failed', { message: err.message })));
    });
  }

  view.append(
    h('section', { class: 'panel overview-toolbar', 'aria-label': t('period.period') },
      h('a', { class: 'back-link', href: href('attackers') }, t('attacker.all')), bar.node),
    notice,
    error,
    h('section', { class: 'panel', id: 'attacker-summary', 'aria-labelledby': 'attacker-summary-head' },
      h('header', { class: 'panel-head' }, h('h2', { id: 'attacker-summary-head' }, t('attacker.live_events')),
        h('div', { class: 'panel-tools' }, showEvents, setStatus, addFilter)),
      facts),
    rest);
  rest.append(
    h('section', { class: 'panel timeline-panel', 'aria-labelledby': 'attacker-timeline-head' },
      h('header', { class: 'panel-head' }, chartHead,
        h('span', { class: 'muted small head-hint' }, t('overview.chart_hint'))),
      h('div', { class: 'panel-body' }, chart.node)),
    sample,
    h('div', { class: 'attacker-grid' },
      h('section', { class: 'panel top-list cred-panel', id: 'attacker-credentials', 'aria-labelledby': 'cred-head' },
        h('header', { class: 'panel-head' }, h('h2', { id: 'cred-head' }, t('attacker.credentials'))), creds),
      h('section', { class: 'panel top-list', id: 'attacker-commands', 'aria-labelledby': 'cmd-head' },
        h('header', { class: 'panel-head' }, h('h2', { id: 'cmd-head' }, t('top.commands'))), commands),
      h('section', { class: 'panel top-list', id: 'attacker-paths', 'aria-labelledby': 'paths-head' },
        h('header', { class: 'panel-head' }, h('h2', { id: 'paths-head' }, t('filter.chip_path'))), paths)));

  keepFresh(ctx, refresh);
  groups = await api.get('/groups').then((r) => r.items || []).catch(() => []);
  if (ctx.signal.aborted) return;
  bar.setGroups(groups.slice().sort((a, b) => a.name.localeCompare(b.name)));
  await refresh();
}

/** addressOf reads the address from #/attackers/<address>; null when it is not one. */
function addressOf(hash) {
  const raw = hash.replace(/^#\/?attackers\//, '').split('?')[0];
  let addr;
  try {
    addr = decodeURIComponent(raw).trim();
  } catch {
    return null;
  }
  return /^[0-9a-fA-F:.]{2,45}$/.test(addr) && /[.:]/.test(addr) ? addr : null;
}

/** apiAddress is the address as a path segment: colons stay (the server reads the segment as is). */
function apiAddress(addr) {
  return encodeURIComponent(addr).replace(/%3A/gi, ':');
}

/**
 * activeRange spans the attacker's first to last event: at least the day up
 * to its last event (a short visit still reads as a moment in a day), at most
 * the newest 399 days of it.
 */
function activeRange(a) {
  const to = new Date(new Date(a.last_seen).getTime() + 1);
  let from = new Date(Math.min(new Date(a.first_seen).getTime(), to.getTime() - DAY_MS));
  if (to - from > MAX_SPAN_MS) from = new Date(to.getTime() - MAX_SPAN_MS);
  return { from, to };
}

/** factList is the attacker's figures, each linking to the events behind it. */
function factList(a, address, group) {
  const base = { source: address, status: 'all', group };
  const link = (params, text, title) => h('a', { href: eventsHref({ ...base, ...params }), title }, text);
  const item = (label, ...value) => [h('dt', null, label), h('dd', null, value)];
  const classes = STACK.filter((c) => Number(a.classifications?.[c]) > 0);
  return h('dl', { class: 'props attacker-props', id: 'attacker-facts' },
    item(t('attackers.first_seen'), formatTime(a.first_seen)),
    item(t('attackers.last_seen'), formatTime(a.last_seen)),
    item(t('page.events'), link({}, countText(a.events), t('attacker.show_all')),
      a.new_events ? [' (', link({ status: '0' }, t('attacker.new_count', { count: a.new_events }), t('attacker.show_new')), ')']
        : ` ${t('attacker.none_new')}`),
    item(t('events.col_classification'), mixBar(a.classifications), h('span', { class: 'fact-tags' }, classes.map((c) =>
      link({ classification: String(c) }, [classificationTag(c), ` ${countText(a.classifications[c])}`], null)))),
    item(t('top.services'), tagLinks(a.services, (v) => link({ service: v.value }, [h('span', { class: 'tag' }, v.value), ` ${countText(v.count)}`]))),
    item(t('top.ports'), tagLinks(a.ports, (v) => link({ target_port: v.value }, [h('span', { class: 'mono' }, v.value), ` (${countText(v.count)})`]))),
    item(t('page.sensors'), tagLinks(a.sensors, (s) => link({ sensor: String(s.id) }, `${s.name || `#${s.id}`} (${countText(s.events)})`))),
    item(t('attackers.logins'), t('attackers.logins_text', { tried: a.logins_tried || 0, accepted: a.logins_accepted || 0 })),
    item(t('attackers.commands'), countText(a.commands)));
}

function tagLinks(list, one) {
  if (!list || !list.length) return h('span', { class: 'muted' }, t('attackers.none'));
  return h('span', { class: 'fact-tags' }, list.map(one));
}

/** credentialTable lists the user/password pairs tried; both values link to the events that tried them. */
function credentialTable(list, params) {
  if (!list.length) return h('p', { class: 'muted top-empty' }, t('attacker.no_logins'));
  const cell = (key, value) => h('td', { class: 'mono clip' },
    h('a', { href: eventsHref({ status: 'all', ...params, [key]: value }), title: value },
      value === '' ? h('span', { class: 'muted' }, t('top.empty')) : value));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table creds' },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('login.username')), h('th', { scope: 'col' }, t('login.password')),
      h('th', { scope: 'col' }, t('attacker.result')), h('th', { scope: 'col', class: 'num' }, t('attacker.tries')))),
    h('tbody', null, list.map((c) => h('tr', { 'data-user': c.user },
      cell('username', c.user),
      cell('password', c.password),
      h('td', null, h('span', { class: `pill ${c.accepted ? 'cred-ok' : 'cred-no'}` }, c.accepted ? t('attacker.accepted') : t('attacker.rejected'))),
      h('td', { class: 'num' }, countText(c.count)))))));
}

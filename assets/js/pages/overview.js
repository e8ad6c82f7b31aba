// Overview page (#/overview, every role, the landing page): for a period and
// group, events per classification against the period before, events still
// New, sensors and (admins) the mail queue; a timeline stacked by
// classification; top 10 lists; the newest critical events. One request to
// GET /api/overview feeds it all. Every figure links to the event list
// filtered to it. The page refreshes in place on new events and every 15 s;
// a section is rebuilt only when its data changed, so nothing flickers.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { formatClock, zoneName } from '../format.js';
import { plural } from '../event_labels.js';
import { eventsHref, hashQuery, pushHash, replaceHash, spanParams } from '../links.js';
import { newPeriod, periodBar, hashParams, apiParams, periodLabel } from '../period.js';
import { keepFresh, statusLines } from '../page_live.js';
import { timelineChart } from '../chart.js';
import { tiles } from './overview_tiles.js';
import { TOP_LISTS, topList, criticalTable } from './overview_lists.js';
import { openEventDetails } from './event_details.js';
import { t } from '../i18n.js';

export async function render(view, ctx) {
  const state = newPeriod('overview', hashQuery());
  const { error, fail } = statusLines(ctx, { error: 'overview-error' });
  const updated = h('span', { id: 'overview-updated', class: 'muted small' });
  const bar = periodBar(state, () => { pushHash('overview', hashParams(state)); refresh(); });
  const tileGrid = h('div', { id: 'overview-tiles', class: 'tiles', 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('app.loading')));
  const chartHead = h('h2', { id: 'timeline-head' }, t('overview.timeline'));
  const chart = timelineChart({
    label: t('page.events'),
    // A bar or a dragged span opens the list of exactly those events, whatever their status.
    onSelect: (from, to) => { location.hash = eventsHref({ status: 'all', ...spanParams(from, to), group: state.group }); },
  });
  const lists = new Map(TOP_LISTS.map(([name, title]) => [name, {
    body: h('div', { class: 'top-body' }, h('p', { class: 'muted top-empty' }, t('app.loading'))),
    title: t(title),
    json: '',
  }]));
  const critical = h('div', { class: 'critical-body' }, h('p', { class: 'muted top-empty' }, t('app.loading')));
  const allCritical = h('a', { id: 'critical-all', class: 'small' }, t('overview.all_critical'));
  const seen = { tiles: '', critical: '' };
  let seq = 0;

  /** refresh fetches the overview and rebuilds the sections whose data changed. */
  async function refresh() {
    const mine = ++seq;
    let data;
    try {
      data = await api.get(`/overview?${apiParams(state)}`);
    } catch (err) {
      if (mine !== seq || ctx.signal.aborted) return;
      fail(t('overview.load_failed', { message: err.message }));
      return;
    }
    if (mine !== seq || ctx.signal.aborted) return;
    error.hidden = true;
    paint(data);
    replace(updated, t('filters.updated', { time: `${formatClock(new Date())} ${zoneName()}` }));
  }

  function paint(data) {
    // The lists link to the events the figures count: the answer's whole hours.
    const span = spanParams(data.period?.from, data.period?.to);
    const group = state.group;
    const tilesJSON = JSON.stringify([data.totals, data.sensors, data.queues, data.period, group]);
    if (tilesJSON !== seen.tiles) {
      seen.tiles = tilesJSON;
      replace(tileGrid, tiles(data, span, group));
      tileGrid.removeAttribute('aria-busy');
    }
    const total = Number(data.totals?.events) || 0;
    replace(chartHead, t('overview.timeline'), ' ', h('span', { class: 'muted head-note' },
      t(data.period?.bucket === 'day' ? 'overview.chart_note_day' : 'overview.chart_note_hour',
        { events: plural(total, 'count.events'), period: periodLabel(state) })));
    chart.update(data.timeline || [], data.period?.bucket);
    for (const [name, , key] of TOP_LISTS) {
      const list = lists.get(name);
      const items = data.top?.[name] || [];
      const json = JSON.stringify([items, span, group]);
      if (json === list.json) continue;
      list.json = json;
      replace(list.body, topList(name, key, items, { ...span, group }));
    }
    allCritical.href = eventsHref({ classification: '3', status: 'all', group });
    const criticalJSON = JSON.stringify(data.recent_critical || []);
    if (criticalJSON !== seen.critical) {
      seen.critical = criticalJSON;
      replace(critical, criticalTable(data.recent_critical, (e) => openEventDetails(e, false)));
    }
  }

  view.append(
    h('section', { class: 'panel overview-toolbar', 'aria-label': t('period.period') }, bar.node, updated),
    error,
    tileGrid,
    h('section', { class: 'panel timeline-panel', 'aria-labelledby': 'timeline-head' },
      h('header', { class: 'panel-head' }, chartHead,
        h('span', { class: 'muted small head-hint' }, t('overview.chart_hint'))),
      h('div', { class: 'panel-body' }, chart.node)),
    h('div', { class: 'top-grid' },
      TOP_LISTS.map(([name]) => {
        const list = lists.get(name);
        return h('section', { id: `top-${name}`, class: 'panel top-list', 'aria-labelledby': `top-${name}-head` },
          h('header', { class: 'panel-head' }, h('h2', { id: `top-${name}-head` }, list.title),
            h('span', { class: 'muted small' }, t('overview.top10'))),
          list.body);
      }),
      h('section', { id: 'recent-critical', class: 'panel critical-panel', 'aria-labelledby': 'critical-head' },
        h('header', { class: 'panel-head' }, h('h2', { id: 'critical-head' }, t('overview.newest_critical')),
          allCritical),
        critical)));

  keepFresh(ctx, refresh);
  const groups = await api.get('/groups').catch(() => ({ items: [] }));
  if (ctx.signal.aborted) return;
  bar.setGroups((groups.items || []).slice().sort((a, b) => a.name.localeCompare(b.name)));
  await refresh();
  // The address bar shows the period too, so a reload keeps it.
  if (!ctx.signal.aborted) replaceHash('overview', hashParams(state));
}

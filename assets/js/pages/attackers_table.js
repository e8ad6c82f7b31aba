// The attackers table: one row per source address with what its live events
// add up to. Shared pieces (the classification mix bar, short value lists)
// are used by the attacker page too. Service names, ports and sensor names
// are inserted as text like everything else.

import { h, replace } from '../dom.js';
import { formatShort, formatTime } from '../format.js';
import { classificationName, countText, plural } from '../event_labels.js';
import { attackerHref, eventsHref } from '../links.js';
import { STACK } from '../chart.js';
import { t } from '../i18n.js';

// Sortable columns: the API's sort key (or null), the header label's key, a class and a title's key.
const COLUMNS = [
  ['source', 'events.col_source'],
  ['first_seen', 'attackers.first_seen'],
  ['last_seen', 'attackers.last_seen'],
  ['events', 'page.events', 'num'],
  [null, 'events.col_classification'],
  [null, 'attackers.services_ports'],
  [null, 'page.sensors'],
  [null, 'attackers.logins', 'num', 'attackers.logins_title'],
  [null, 'attackers.commands', 'num', 'attackers.commands_title'],
];

/**
 * attackersTable returns {node, render()}. on.sort(key) is called for a
 * header click; linkParams() gives the period keys for the row links.
 */
export function attackersTable(state, on) {
  const heads = COLUMNS.map(([key, label, cls, title]) => {
    if (!key) return h('th', { scope: 'col', class: cls || null, title: title && t(title) }, t(label));
    const th = h('th', { scope: 'col', class: `sortable ${cls || ''}`, 'data-sort': key },
      h('button', { type: 'button', class: 'sort-btn' }, t(label), h('span', { class: 'sort-arrow', 'aria-hidden': 'true' })));
    th.addEventListener('click', () => on.sort(key));
    return th;
  });
  const body = h('tbody');
  const node = h('div', { class: 'table-wrap' },
    h('table', { class: 'table attackers cards', id: 'attackers-table' }, h('thead', null, h('tr', null, heads)), body));

  // A click anywhere on a row opens the attacker; links and buttons in it keep their own target.
  body.addEventListener('click', (ev) => {
    const tr = ev.target.closest('tr[data-source]');
    if (tr && !ev.target.closest('a, button')) location.hash = tr.dataset.href;
  });

  function render() {
    for (const th of heads) {
      if (!th.dataset.sort) continue;
      const active = th.dataset.sort === state.sort;
      th.classList.toggle('sorted', active);
      th.setAttribute('aria-sort', active ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none');
      replace(th.querySelector('.sort-arrow'), active ? (state.order === 'asc' ? '▲' : '▼') : '');
    }
    const items = state.page.items;
    replace(body, items.length ? items.map((a) => row(a, on.linkParams())) : h('tr', { class: 'empty-row' },
      h('td', { colspan: COLUMNS.length },
        h('div', { class: 'strong' }, state.loaded ? t('attackers.none_match') : t('app.loading')),
        state.loaded ? h('div', { class: 'muted' }, t('attackers.try_other')) : null)));
  }

  return { node, render };
}

function row(a, params) {
  const link = attackerHref(a.source, params);
  return h('tr', { 'data-source': a.source, 'data-href': link, class: 'clickable' },
    h('td', { class: 'mono source card-title' }, h('a', { href: link, title: t('top.attacker_details_of', { address: a.source }) }, a.source)),
    h('td', { class: 'when', title: formatTime(a.first_seen), 'data-label': t('attackers.first_seen') }, formatShort(a.first_seen)),
    h('td', { class: 'when', title: formatTime(a.last_seen), 'data-label': t('attackers.last_seen') }, formatShort(a.last_seen)),
    h('td', { class: 'num', 'data-label': t('page.events') },
      h('div', null, countText(a.events)),
      a.new_events ? h('a', {
        class: 'new-count', href: eventsHref({ source: a.source, status: '0', group: params.group }),
        title: t('attackers.show_new', { events: plural(a.new_events, 'count.new_events') }),
      }, t('attackers.new_count', { count: a.new_events })) : null),
    h('td', { 'data-label': t('events.col_classification') }, mixBar(a.classifications)),
    h('td', { class: 'svc-ports', 'data-label': t('attackers.services_ports') },
      valueList(a.services, 3, (v) => v.value, 'tag'),
      valueList(a.ports, 4, (v) => v.value, 'port mono')),
    h('td', { class: 'sensors-cell', 'data-label': t('page.sensors') }, valueList(a.sensors, 2, (s) => s.name || `#${s.id}`, 'sensor-name')),
    h('td', { class: 'num nowrap', 'data-label': t('attackers.logins'), title: t('attackers.logins_text', { tried: a.logins_tried || 0, accepted: a.logins_accepted || 0 }) },
      countText(a.logins_tried),
      a.logins_accepted ? h('span', { class: 'accepted' }, ` / ${t('attackers.accepted_ok', { count: a.logins_accepted })}`) : null),
    h('td', { class: 'num', 'data-label': t('attackers.commands') }, countText(a.commands)));
}

/**
 * mixBar is the classification mix as one thin stacked bar (widths set through
 * CSSOM, which the CSP allows), with the numbers in its title and for screen readers.
 */
export function mixBar(counts) {
  const parts = STACK.map((c) => [c, Number(counts?.[c]) || 0]).filter(([, n]) => n > 0);
  const total = parts.reduce((a, [, n]) => a + n, 0);
  const text = parts.map(([c, n]) => `${classificationName(c)} ${countText(n)}`).join(', ') || t('attackers.none');
  const bar = h('span', { class: 'mix', 'aria-hidden': 'true' }, parts.map(([c, n]) => {
    const seg = h('span', { class: `mix-seg sw${c}` });
    seg.style.width = `${(n / total) * 100}%`;
    return seg;
  }));
  return h('span', { class: 'mix-wrap', title: text }, bar, h('span', { class: 'sr-only' }, text),
    h('span', { class: 'mix-main' }, parts.length ? classificationName(parts.reduce((a, b) => (b[1] > a[1] ? b : a))[0]) : '—'));
}

/** valueList shows the first few values of a list and "+N" for the rest; the title lists them all. */
export function valueList(list, show, label, cls) {
  const items = list || [];
  if (!items.length) return null;
  const all = items.map((v) => {
    const n = v.count ?? v.events;
    return n ? `${label(v)} (${countText(n)})` : label(v);
  }).join(', ');
  return h('div', { class: 'value-list', title: all },
    items.slice(0, show).map((v) => h('span', { class: cls }, label(v))),
    items.length > show ? h('span', { class: 'more muted' }, `+${items.length - show}`) : null);
}

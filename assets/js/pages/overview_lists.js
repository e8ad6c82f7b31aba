// The overview's lists: the top 10 of each kind (sources, ports, services,
// user names, passwords, commands, HTTP paths) and the newest critical events.
// Nearly every value here was chosen by an attacker, so it is inserted as text
// only, cut to one line with the full value in the title.

import { h } from '../dom.js';
import { formatShort, formatTime } from '../format.js';
import { countText, plural, ongoingBadge } from '../event_labels.js';
import { eventsHref, attackerHref } from '../links.js';
import { t } from '../i18n.js';

/** TOP_LISTS: the answer's key, the heading's catalog key, the event list's filter key. */
export const TOP_LISTS = [
  ['sources', 'top.sources', 'source'],
  ['ports', 'top.ports', 'target_port'],
  ['services', 'top.services', 'service'],
  ['usernames', 'top.usernames', 'username'],
  ['passwords', 'top.passwords', 'password'],
  ['commands', 'top.commands', 'command'],
  ['paths', 'filter.chip_path', 'path'],
];

/**
 * topList builds one list's body: rows linking to the event list filtered to
 * the value (key=value) plus params (the period, group, source...). name
 * "sources" adds a link to each attacker's page.
 */
export function topList(name, key, items, params) {
  if (!items || !items.length) return h('p', { class: 'muted top-empty' }, t('top.none'));
  const max = Math.max(...items.map((i) => i.count), 1);
  return h('ol', { class: 'top-rows' }, items.map((it) => {
    const bar = h('span', { class: 'top-bar', 'aria-hidden': 'true' });
    // Width by CSSOM, which the CSP allows (a style attribute would not be).
    bar.style.width = `${Math.max(2, (it.count / max) * 100)}%`;
    const value = it.value === '' ? h('span', { class: 'muted' }, t('top.empty')) : it.value;
    return h('li', { class: 'top-row', 'data-value': it.value },
      bar,
      h('a', {
        class: 'top-link', href: eventsHref({ status: 'all', ...params, [key]: it.value }),
        title: t('top.show_events', { value: it.value, events: plural(it.count, 'count.events') }),
      },
      h('span', { class: `top-value ${name === 'services' ? '' : 'mono'}` }, value),
      h('span', { class: 'top-count' }, countText(it.count))),
      name === 'sources' ? h('a', {
        class: 'btn icon mini attacker-link', href: attackerHref(it.value, { group: params.group }),
        title: t('top.attacker_details'),
      }, h('span', { class: 'ico icon-attacker', 'aria-hidden': 'true' }),
      h('span', { class: 'sr-only' }, t('top.attacker_details_of', { address: it.value }))) : null);
  }));
}

/**
 * criticalTable lists the newest Honeypot events; a row (or its summary
 * button) opens the details dialog through open(event).
 */
export function criticalTable(events, open) {
  if (!events || !events.length) return h('p', { class: 'muted top-empty' }, t('top.no_critical'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table critical' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, t('events.col_time')), h('th', { scope: 'col' }, t('events.col_source')),
      h('th', { scope: 'col' }, t('details.summary')), h('th', { scope: 'col' }, t('events.col_sensor')))),
    h('tbody', null, events.map((e) => {
      const summary = h('button', {
        type: 'button', class: 'link-btn clip-text', title: e.summary || e.service || '',
      }, e.summary || e.service || t('details.title', { id: e.id }));
      const tr = h('tr', { 'data-id': e.id, class: 'clickable' },
        h('td', { class: 'nowrap', title: formatTime(e.timestamp) }, formatShort(e.timestamp)),
        h('td', { class: 'mono clip', title: e.source || null },
          e.source ? h('a', { href: attackerHref(e.source), title: t('top.attacker_details') }, e.source) : '—'),
        h('td', { class: 'clip' }, summary, e.ongoing ? ongoingBadge() : null),
        h('td', { class: 'clip', title: e.sensor?.name || null }, e.sensor?.name || '—'));
      // The whole row opens the details; the links in it keep their own job.
      tr.addEventListener('click', (ev) => { if (!ev.target.closest('a')) open(e); });
      return tr;
    }))));
}

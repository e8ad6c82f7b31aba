// The overview's tiles: events of the period per classification with the
// change against the period before, the events still New, the sensors' state
// and (admins) the mail queue. Every tile is a link to the list behind it.

import { h } from '../dom.js';
import { formatSpan } from '../format.js';
import { classificationName, countText, plural } from '../event_labels.js';
import { eventsHref, href } from '../links.js';
import { STACK } from '../chart.js';
import { t } from '../i18n.js';

/**
 * tiles builds the tiles from an /api/overview answer. span holds the list
 * keys of the period ({from, to} of the answer) and group the chosen group.
 */
export function tiles(data, span, group) {
  const totals = data.totals || {};
  const status = [];
  status.push(h('a', {
    id: 'tile-new', class: 'tile tile-new', href: eventsHref({ status: '0', group }),
    title: t('tiles.new_title'),
  },
  h('span', { class: 'tile-label' }, t('tiles.still_new')),
  h('span', { class: 'tile-value' }, countText(totals.new_live)),
  h('span', { class: 'tile-note' }, t('tiles.new_note'))));
  status.push(sensorTile(data.sensors || {}));
  if (data.queues) status.push(mailTile(data.queues));
  // Two rows: what happened in the period, then the state right now.
  return [
    h('div', { class: 'tile-row tile-classes', role: 'group', 'aria-label': t('tiles.classes_label') },
      STACK.map((c) => classTile(c, totals, data.period, span, group))),
    h('div', { class: 'tile-row tile-status', role: 'group', 'aria-label': t('tiles.state_label') }, status),
  ];
}

function classTile(c, totals, period, span, group) {
  const now = Number(totals.by_classification?.[c]) || 0;
  const before = Number(totals.previous_by_classification?.[c]) || 0;
  const d = delta(now, before);
  const prevSpan = period ? formatSpan(period.previous_from, period.previous_to) : t('tiles.period_before');
  return h('a', {
    id: `tile-class-${c}`, class: `tile tile-class tc${c}`,
    href: eventsHref({ classification: String(c), status: 'all', ...span, group }),
  },
  h('span', { class: 'tile-label' }, h('span', { class: `swatch sw${c}`, 'aria-hidden': 'true' }), classificationName(c),
    c === 3 ? h('span', { class: 'crit' }, t('tiles.critical')) : null),
  h('span', { class: 'tile-value' }, countText(now)),
  h('span', { class: `tile-delta ${d.trend}`, title: t('tiles.previous', { span: prevSpan, events: plural(before, 'count.events') }) },
    h('span', { class: 'sr-only' }, `${t('tiles.change')} `), d.text));
}

/**
 * delta says how a count moved against the period before: "+12 (+40%)",
 * "−3 (−20%)", "+5 (new)" when there were none before, "no change".
 */
function delta(now, before) {
  const diff = now - before;
  if (diff === 0) return { text: now === 0 ? t('tiles.none_either') : t('tiles.no_change'), trend: 'flat' };
  const sign = diff > 0 ? '+' : '−'; // a real minus sign, as in print
  const abs = countText(Math.abs(diff));
  if (before === 0) return { text: t('tiles.new_delta', { delta: `${sign}${abs}` }), trend: 'up' };
  const pct = Math.round((Math.abs(diff) / before) * 100);
  return { text: `${sign}${abs} (${sign}${countText(pct)}%)`, trend: diff > 0 ? 'up' : 'down' };
}

const part = (n, word, cls) => h('span', { class: `tile-part ${n ? cls : ''}` },
  h('span', { class: 'tile-part-value' }, countText(n)), ` ${word}`);

function sensorTile(s) {
  return h('a', { id: 'tile-sensors', class: 'tile tile-sensors', href: href('sensors') },
    h('span', { class: 'tile-label' }, t('page.sensors')),
    h('span', { class: 'tile-parts' },
      part(s.online || 0, t('tiles.online'), 'ok'),
      part(s.offline || 0, t('tiles.offline'), 'bad'),
      part(s.waiting || 0, t('tiles.waiting'), 'warn')));
}

function mailTile(q) {
  return h('a', { id: 'tile-mail', class: 'tile tile-mail', href: href('system/mail') },
    h('span', { class: 'tile-label' }, t('tiles.mail_queue')),
    h('span', { class: 'tile-parts' },
      part(q.mail_queued || 0, t('tiles.queued'), 'warn'),
      part(q.mail_failed || 0, t('tiles.failed'), 'bad')));
}

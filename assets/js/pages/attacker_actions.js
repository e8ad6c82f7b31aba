// Actions on everything one source address did (Managers and Admins): set the
// status of all its live events, through the same bulk path as the event
// list's "All pages" (PATCH /api/events with {filter: {source}}), and create
// a filter rule for the address with the shared filter rule dialog.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { openDialog } from '../dialog.js';
import { field } from '../forms.js';
import { STATUSES, statusName, plural, countText } from '../event_labels.js';
import { openFilterDialog } from './filter_dialog.js';
import { t, tParts } from '../i18n.js';

const COMMENT_MAX = 1000;

/**
 * openStatusDialog asks for the new status (and an optional comment) of all
 * live events from address, naming how many that is, and applies it.
 *   count  the attacker's live events in the scope (its "events" figure)
 *   group  the group id the page is limited to ('' = every group the user sees)
 *   done   (message) after the change
 */
export function openStatusDialog({ address, count, group, groupName, done }) {
  const status = h('select', { id: 'attacker-status-value', name: 'status' },
    Object.keys(STATUSES).map((v) => h('option', { value: v }, statusName(v))));
  status.value = '2';
  const comment = h('textarea', { id: 'attacker-status-comment', name: 'comment', rows: 3, maxlength: COMMENT_MAX });
  const counter = h('span', { class: 'counter' });
  const count_ = () => replace(counter, `${countText(comment.value.length)} / ${countText(COMMENT_MAX)}`);
  comment.addEventListener('input', count_);
  count_();
  const where = group ? t('attackers.in_group', { group: groupName || `#${group}` }) : t('attackers.in_every_group');

  openDialog({
    title: t('attackers.status_title', { address }),
    body: [
      h('p', { class: 'notice', id: 'attacker-status-count' },
        tParts('attackers.status_changes', { events: plural(count, 'count.live_events'), address: h('span', { class: 'mono' }, address), where })),
      field(t('attackers.new_status'), status, 'status'),
      field(t('events.comment'), comment, 'comment', t('attackers.comment_hint')),
      counter,
    ],
    submit: { label: t('attackers.status_submit', { events: plural(count, 'count.events') }), id: 'attacker-status-save' },
    testid: 'attacker-status-dialog',
    async onSubmit() {
      const filter = { source: address };
      if (group) filter.group = group;
      const req = { filter, status: Number(status.value) };
      if (comment.value.trim() !== '') req.comment = comment.value;
      const res = await api.patch('/events', req);
      done(t('attackers.status_done', { events: plural(res.updated ?? 0, 'count.events'), address, status: statusName(status.value) }));
    },
  });
}

/**
 * openSourceFilterDialog opens the filter rule dialog with one condition,
 * source = address. The group is pre-chosen when it is clear: the page's
 * group, the user's only group, or the one group whose sensors saw the address.
 */
export async function openSourceFilterDialog({ address, group, sensorIds, done }) {
  const [groups, sensors] = await Promise.all([
    api.get('/groups').then((r) => r.items || []),
    api.get('/sensors').then((r) => r.items || []).catch(() => []),
  ]);
  const seenIn = new Set(sensors.filter((s) => sensorIds.includes(s.id))
    .map((s) => (s.group && typeof s.group === 'object' ? s.group.id : s.group)));
  let pre = null;
  if (group) pre = Number(group);
  else if (groups.length === 1) pre = groups[0].id;
  else if (seenIn.size === 1) pre = [...seenIn][0];
  openFilterDialog(null, {
    groups: groups.slice().sort((a, b) => a.name.localeCompare(b.name)),
    prefill: {
      group: pre,
      name: t('attackers.rule_name', { address }).slice(0, 64),
      description: t('attackers.rule_description', { address }),
      conditions: [{ attribute: 'source', value: address }],
    },
    done,
  });
}

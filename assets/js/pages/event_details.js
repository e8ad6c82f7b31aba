// Event details dialog: the event's properties, then "Additional information",
// "Sensor interaction" and "Packet overview". Everything shown here comes
// from the attacker (what they typed, sent or claimed to be), so it is
// inserted as text only, through h().

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { openViewDialog } from '../dialog.js';
import { formatTime, wallClock, ROLE_MANAGER } from '../format.js';
import { classificationTag, statusTag, endpoint, ongoingBadge } from '../event_labels.js';
import * as session from '../session.js';
import { openFilterDialog } from './filter_dialog.js';
import { t } from '../i18n.js';

const DETAIL_INFO = 0;
const DETAIL_INTERACTION = 1;
// How often an open dialog of an ongoing event fetches it again: it grows while the attacker stays.
const ONGOING_MS = 3000;

/**
 * openEventDetails opens the dialog for a list row at once and fills it when
 * the full event (with details and packets) has arrived.
 */
export async function openEventDetails(row, archived) {
  const body = h('div', { class: 'details-body' }, h('p', { class: 'muted' }, t('app.loading')));
  const dlg = openViewDialog({
    id: 'event-details',
    testid: 'event-details',
    wide: true,
    title: [archived ? t('details.archived_title', { id: row.original_id || row.id }) : t('details.title', { id: row.id }), ' ', classificationTag(row.classification)],
    body,
    // Footer actions: "Create filter rule from this event" (managers, live events).
    actions: h('div', { id: 'details-actions', class: 'details-actions' }),
  });
  const url = `/events/${encodeURIComponent(row.id)}${archived ? '?dataset=archive' : ''}`;
  const note = h('p', { id: 'details-notice', class: 'notice success', role: 'status', hidden: true });
  const badge = h('span', { class: 'details-ongoing' });
  dlg.querySelector('.dialog-head h2').append(badge);
  let shown = '';

  /** show renders the event; a re-render of a growing event keeps the closed sections closed and the scroll position. */
  function show(ev) {
    const json = JSON.stringify(ev);
    if (json === shown) return;
    const closed = [...body.querySelectorAll('details.disclosure:not([open])')].map((d) => d.id);
    const scroller = body.parentElement;
    const scroll = scroller.scrollTop;
    shown = json;
    replace(body, note, detailsContent(ev));
    for (const id of closed) body.querySelector(`#${id}`)?.removeAttribute('open');
    scroller.scrollTop = scroll;
    replace(badge, ev.ongoing ? ongoingBadge() : null);
  }

  async function follow() {
    await new Promise((resolve) => { setTimeout(resolve, ONGOING_MS); });
    if (!dlg.isConnected) return;
    try {
      const ev = await api.get(url);
      if (!dlg.isConnected) return;
      show(ev);
      if (ev.ongoing) follow();
    } catch {
      // The event may have been removed meanwhile: keep what is shown.
    }
  }

  try {
    const ev = await api.get(url);
    if (!dlg.isConnected) return;
    show(ev);
    const s = session.get();
    if (!archived && s && s.user.role >= ROLE_MANAGER) {
      dlg.querySelector('#details-actions').append(createFilterButton(ev, note));
    }
    if (ev.ongoing) follow();
  } catch (err) {
    if (dlg.isConnected) replace(body, h('p', { class: 'notice danger', role: 'alert' }, err.message));
  }
}

/**
 * createFilterButton opens the filter rule dialog pre-filled from the event:
 * its group, a name suggestion and one condition per known property, which
 * the operator can remove before saving.
 */
function createFilterButton(ev, note) {
  const btn = h('button', { type: 'button', id: 'details-create-filter', class: 'btn' }, t('details.create_filter'));
  btn.addEventListener('click', async () => {
    let groups = [];
    try {
      groups = (await api.get('/groups')).items || [];
    } catch (err) {
      replace(note, t('details.groups_failed', { message: err.message }));
      note.className = 'notice danger';
      note.hidden = false;
      return;
    }
    const group = ev.group && typeof ev.group === 'object' ? ev.group.id : ev.group;
    openFilterDialog(null, {
      groups,
      prefill: {
        group: group ?? null,
        name: t('details.rule_name', { id: ev.id }),
        description: t('details.rule_description', { id: ev.id }),
        conditions: eventConditions(ev),
      },
      done: async (message) => {
        replace(note, message, ' ', h('a', { href: '#/filters' }, t('details.show_rules')));
        note.className = 'notice success';
        note.hidden = false;
      },
    });
  });
  return btn;
}

/** eventConditions are the conditions that match this event: source, classification, port, protocol, service. */
export function eventConditions(ev) {
  const out = [];
  if (ev.source) out.push({ attribute: 'source', value: ev.source });
  if (ev.classification !== null && ev.classification !== undefined) {
    out.push({ attribute: 'classification', value: String(ev.classification) });
  }
  if (ev.target_port) out.push({ attribute: 'target_port', value: String(ev.target_port) });
  if (ev.protocol) out.push({ attribute: 'protocol', value: ev.protocol });
  if (ev.service) out.push({ attribute: 'service', value: ev.service });
  return out;
}

function detailsContent(ev) {
  const details = ev.details || [];
  const packets = ev.packets || [];
  const info = details.filter((d) => d.type === DETAIL_INFO);
  const interaction = details.filter((d) => d.type === DETAIL_INTERACTION);
  return [
    propsList(ev),
    section('details-info', t('details.info'), info.length,
      h('ul', { class: 'info-list' }, info.map((d) => h('li', null, d.data)))),
    section('details-interaction', t('details.interaction'), interaction.length,
      h('div', { class: 'log', role: 'log' }, interaction.map((d) =>
        h('div', { class: 'log-line' }, h('span', { class: 'log-time' }, clock(d.timestamp)), '  ', d.data)))),
    section('details-packets', t('details.packets'), packets.length, packetTable(packets)),
  ];
}

/** propsList is the short summary of the event, same facts as the list row. */
function propsList(ev) {
  const item = (label, value, cls) => [h('dt', null, label), h('dd', { class: cls || null }, value)];
  const name = (ref) => (ref && typeof ref === 'object' ? ref.name : ref) || '—';
  return h('dl', { class: 'props event-props', id: 'details-summary' },
    item(t('events.col_time'), formatTime(ev.timestamp)),
    item(t('events.col_status'), statusTag(ev.status)),
    item(t('events.col_sensor'), name(ev.sensor)),
    item(t('events.col_group'), name(ev.group)),
    item(t('details.service'), ev.service || '—', 'mono'),
    item(t('events.col_classification'), classificationTag(ev.classification)),
    item(t('events.col_source'), endpoint(ev.source, ev.source_port), 'mono'),
    item(t('details.target'), endpoint(ev.target, ev.target_port), 'mono'),
    item(t('details.protocol'), ev.protocol ? ev.protocol.toUpperCase() : '—'),
    item(t('details.modified'), ev.modified_at ? formatTime(ev.modified_at) : '—'),
    item(t('details.summary'), ev.summary || '—', 'span-all'),
    item(t('events.comment'), ev.comment || '—', ev.comment ? 'span-all pre-line' : 'span-all muted'));
}

/** section is a collapsible block (open by default) that says "None" when empty. */
function section(id, title, count, content) {
  return h('details', { id, class: 'disclosure', open: true },
    h('summary', null, title, h('span', { class: 'count-badge' }, count)),
    h('div', { class: 'disclosure-body' }, count ? content : h('p', { class: 'muted none' }, t('details.none'))));
}

function packetTable(packets) {
  return h('table', { class: 'table packets' },
    h('thead', null, h('tr', null,
      h('th', null, t('events.col_time')), h('th', null, t('details.protocol')), h('th', { class: 'num' }, t('details.port')),
      h('th', null, t('details.flags')), h('th', null, t('details.payload')))),
    h('tbody', null, packets.map((p) => h('tr', null,
      h('td', { class: 'nowrap mono' }, clock(p.timestamp)),
      h('td', null, p.protocol ? p.protocol.toUpperCase() : '—'),
      h('td', { class: 'num mono' }, p.port ?? '—'),
      h('td', { class: 'mono' }, p.flags || '—'),
      h('td', { class: 'payload-cell' },
        p.payload_text ? h('pre', { class: 'payload' }, p.payload_text) : h('span', { class: 'muted' }, t('details.no_payload')),
        p.payload_size ? h('div', { class: 'hint' }, t('details.bytes', { count: p.payload_size })) : null)))));
}

const pad = (n) => String(n).padStart(2, '0');

/** clock shows HH:MM:SS in the user's zone; the date and zone are in the event's own time. */
function clock(ts) {
  if (!ts) return '--:--:--';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return String(ts);
  const w = wallClock(d);
  return `${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())}`;
}

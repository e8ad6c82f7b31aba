// The period and group choice of the overview and the attackers pages: last
// 24 hours, 7 or 30 days, a custom span (datetime-local inputs, local time),
// and page-specific extras ("All time" for the attackers list, "Whole
// activity" for one attacker). The choice lives in the hash (period, from,
// to, group), so a reload or a shared link shows the same view, and in memory
// per page, so coming back through the sidebar keeps it.

import { h, replace } from './dom.js';
import { localInput, fromLocalInput, formatSpan } from './format.js';
import { t, timeZone } from './i18n.js';

const HOUR_MS = 3600e3;

/** Presets: hash value → [label key, hours back from now, key of the period in a sentence]. */
const PRESETS = {
  '24h': ['period.last_24h', 24, 'period.in_last_24h'],
  '7d': ['period.last_7d', 24 * 7, 'period.in_last_7d'],
  '30d': ['period.last_30d', 24 * 30, 'period.in_last_30d'],
};
const EXTRAS = { all: 'period.all', active: 'period.active' };

const remembered = new Map(); // page key → last state


/**
 * newPeriod starts a page's period state from the hash query, else from what
 * the page showed last, else fallback. extras: the extra choices it offers.
 */
export function newPeriod(key, query, { fallback = '24h', extras = [] } = {}) {
  const known = (p) => p in PRESETS || p === 'custom' || extras.includes(p);
  const state = { key, period: fallback, from: '', to: '', group: '', extras, fallback };
  if (query.has('period') || query.has('from') || query.has('group')) {
    const p = query.get('period') || (query.has('from') ? 'custom' : fallback);
    if (known(p)) state.period = p;
    if (state.period === 'custom') {
      const from = query.get('from') ? new Date(query.get('from')) : null;
      const to = query.get('to') ? new Date(query.get('to')) : new Date();
      if (from && !Number.isNaN(from.getTime()) && !Number.isNaN(to.getTime()) && from < to) {
        state.from = localInput(from);
        state.to = localInput(to);
      } else {
        state.period = fallback;
      }
    }
    if (/^[1-9][0-9]{0,17}$/.test(query.get('group') || '')) state.group = query.get('group');
  } else if (remembered.has(key)) {
    Object.assign(state, remembered.get(key));
  }
  return state;
}

/** range is the period as instants; null ends mean open (all time) or page-defined (whole activity). */
export function periodRange(state, now = new Date()) {
  if (state.period in PRESETS) return { from: new Date(now.getTime() - PRESETS[state.period][1] * HOUR_MS), to: now };
  if (state.period === 'custom') return { from: fromLocalInput(state.from), to: fromLocalInput(state.to) };
  return { from: null, to: null };
}

/** periodLabel names the period in a sentence: "in the last 7 days", "in 01.12.2026, 00:00 – …". */
export function periodLabel(state) {
  if (state.period in PRESETS) return t(PRESETS[state.period][2]);
  if (state.period === 'custom') {
    return t('period.in_span', { span: formatSpan(fromLocalInput(state.from), fromLocalInput(state.to)) });
  }
  return t(state.period === 'all' ? 'period.in_all' : 'period.in_active');
}

/**
 * hashParams is the state as hash keys (period, from, to, group). The period
 * is always written: a bare #/page means "the view shown last", so Back to the
 * default view needs an address of its own.
 */
export function hashParams(state) {
  const out = { period: state.period, group: state.group };
  if (state.period === 'custom') {
    out.from = fromLocalInput(state.from)?.toISOString();
    out.to = fromLocalInput(state.to)?.toISOString();
  }
  return out;
}

/**
 * periodBar builds the controls. onChange() runs after a valid change. The
 * group select shows only when the user sees more than one group (setGroups).
 * Returns {node, setGroups(groups)}.
 */
export function periodBar(state, onChange) {
  const choices = [...Object.entries(PRESETS).map(([v, [label]]) => [v, t(label)]), ['custom', t('period.custom')],
    ...state.extras.map((v) => [v, t(EXTRAS[v])])];
  const period = h('select', { id: 'period', class: 'compact' }, choices.map(([v, label]) => h('option', { value: v }, label)));
  period.value = state.period;
  const from = h('input', { id: 'period-from', type: 'datetime-local', step: 1, value: state.from });
  const to = h('input', { id: 'period-to', type: 'datetime-local', step: 1, value: state.to });
  const hint = h('span', { class: 'field-error period-error', role: 'alert', hidden: true });
  const custom = h('div', { class: 'period-custom', hidden: state.period !== 'custom' },
    h('label', { for: from.id }, t('period.from')), from, h('label', { for: to.id }, t('period.to')), to, hint);
  const group = h('select', { id: 'period-group', class: 'compact' }, h('option', { value: '' }, t('period.all_groups')));
  const groupField = h('div', { class: 'period-field', hidden: true },
    h('label', { for: group.id }, t('period.group')), group);

  function changed() {
    remembered.set(state.key, { period: state.period, from: state.from, to: state.to, group: state.group });
    onChange();
  }

  period.addEventListener('change', () => {
    state.period = period.value;
    custom.hidden = state.period !== 'custom';
    if (state.period === 'custom') {
      // Start the custom span where the view was: the last 24 hours up to this minute.
      if (!state.from || !state.to) {
        const now = new Date();
        now.setSeconds(0, 0);
        state.from = localInput(new Date(now.getTime() - 24 * HOUR_MS));
        state.to = localInput(now);
        from.value = state.from;
        to.value = state.to;
      }
      from.focus();
    }
    hint.hidden = true;
    changed();
  });
  const customChanged = () => {
    const a = fromLocalInput(from.value);
    const b = fromLocalInput(to.value);
    if (!a || !b || a >= b) {
      replace(hint, !a || !b ? t('period.need_both') : t('period.end_after_start'));
      hint.hidden = false;
      return;
    }
    hint.hidden = true;
    state.from = from.value;
    state.to = to.value;
    changed();
  };
  from.addEventListener('change', customChanged);
  to.addEventListener('change', customChanged);
  group.addEventListener('change', () => { state.group = group.value; changed(); });

  const node = h('div', { class: 'period-bar' },
    h('div', { class: 'period-field' }, h('label', { for: period.id }, t('period.period')), period),
    custom,
    groupField);

  function setGroups(groups) {
    replace(group, h('option', { value: '' }, t('period.all_groups')),
      groups.map((g) => h('option', { value: String(g.id) }, g.name)));
    // A remembered group the user no longer sees falls back to all groups.
    if (!groups.some((g) => String(g.id) === state.group)) state.group = '';
    group.value = state.group;
    groupField.hidden = groups.length < 2;
  }

  return { node, setGroups };
}

/** apiParams are the period keys of /api/overview and /api/attackers: from, to (RFC 3339), group, tz (the user's zone, where day buckets begin). */
export function apiParams(state, range = periodRange(state)) {
  const p = new URLSearchParams();
  if (range.from) p.set('from', range.from.toISOString());
  if (range.to) p.set('to', range.to.toISOString());
  if (state.group) p.set('group', state.group);
  p.set('tz', timeZone());
  return p;
}

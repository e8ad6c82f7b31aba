// Filter controls above the event list. Every change writes into
// state.filters and calls onChange(), which reloads page 1. Group and sensor
// options come from the API; the sensor list follows the chosen group.
// Filters without a control (source, service, port, a tried value: they come
// with links from the overview and the attackers pages) show as chips. On a
// phone the controls fold away behind a "Filters" button; the chips stay.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { STATUS_FILTERS, CLASS_FILTERS, CHIP_FILTERS, DEFAULT_STATUS, chipFilters, searchTooShort, problem } from './events_query.js';
import { t } from '../i18n.js';

// Typing in the search box reloads after a short pause, not on every key.
const SEARCH_DELAY_MS = 350;

/**
 * filterBar builds the controls. Returns {node, load}; load() fetches the
 * group and sensor options (a failure leaves those two lists at "All").
 */
export function filterBar(state, onChange) {
  const f = state.filters;
  const dataset = select('filter-dataset', [['live', 'filter.live'], ['archive', 'filter.archive']], f.dataset);
  const group = select('filter-group', [['', 'period.all_groups']], f.group);
  const sensor = select('filter-sensor', [['', 'filter.all_sensors']], f.sensor);
  const classification = select('filter-classification', CLASS_FILTERS, f.classification);
  const status = select('filter-status', STATUS_FILTERS, f.status);
  const from = h('input', { id: 'filter-from', type: 'datetime-local', step: 1, value: f.from });
  const to = h('input', { id: 'filter-to', type: 'datetime-local', step: 1, value: f.to });
  const search = h('input', {
    id: 'filter-search', type: 'search', autocomplete: 'off', value: f.q,
    placeholder: t('filter.search_placeholder'),
    'aria-describedby': 'filter-search-hint',
  });
  // The server searches text from three characters on; shorter terms only as the start of an
  // address. Waiting here saves a refused request on every first keystroke.
  const searchHint = h('span', { id: 'filter-search-hint', class: 'hint', hidden: !searchTooShort(f.q) },
    t('filter.search_hint'));
  const rangeError = h('span', { id: 'filter-range-error', class: 'field-error', role: 'alert', hidden: true });
  const reset = h('button', { type: 'button', id: 'filter-reset', class: 'btn small link' }, t('filter.reset'));
  const chips = h('div', { id: 'filter-chips', class: 'filter-chips', role: 'group', 'aria-label': t('filter.more') });
  let sensors = [];

  /** paintChips shows one removable chip per set chip filter; the values are attacker-chosen text. */
  function paintChips() {
    const set = chipFilters(state);
    chips.hidden = set.length === 0;
    replace(chips, set.map(([key, label, value]) => {
      const remove = h('button', {
        type: 'button', class: 'chip-remove', 'aria-label': t('filter.remove_chip', { label, value }), title: t('filter.remove_chip_title'),
      }, '×');
      remove.addEventListener('click', () => {
        f[key] = '';
        paintChips();
        (chips.querySelector('.chip-remove') || search).focus();
        onChange();
      });
      return h('span', { class: 'chip', 'data-key': key },
        h('span', { class: 'chip-label' }, `${label}:`),
        h('span', { class: 'chip-value mono', title: value }, value),
        remove);
    }));
  }

  function fillSensors() {
    const inGroup = sensors.filter((s) => f.group === '' || String(sensorGroupId(s)) === f.group);
    replace(sensor, option('', t('filter.all_sensors')), inGroup.map((s) => option(String(s.id), s.name)));
    // A sensor of another group would make the list silently empty.
    if (!inGroup.some((s) => String(s.id) === f.sensor)) f.sensor = '';
    sensor.value = f.sensor;
  }

  dataset.addEventListener('change', () => {
    f.dataset = dataset.value;
    // Archived events are mostly closed ones: show them all; back in the
    // live list the working view (open events) is what people expect.
    f.status = f.dataset === 'archive' ? '' : DEFAULT_STATUS;
    status.value = f.status;
    onChange();
  });
  group.addEventListener('change', () => { f.group = group.value; fillSensors(); onChange(); });
  sensor.addEventListener('change', () => { f.sensor = sensor.value; onChange(); });
  classification.addEventListener('change', () => { f.classification = classification.value; onChange(); });
  status.addEventListener('change', () => { f.status = status.value; onChange(); });
  from.addEventListener('change', () => { f.from = from.value; markRange(); onChange(); });
  to.addEventListener('change', () => { f.to = to.value; markRange(); onChange(); });

  /** markRange flags an inverted time range at its inputs (the list says so too). */
  function markRange() {
    const why = problem({ filters: { ...f, q: '' } });
    replace(rangeError, why);
    rangeError.hidden = !why;
    for (const el of [from, to]) {
      if (why) el.setAttribute('aria-invalid', 'true');
      else el.removeAttribute('aria-invalid');
    }
  }

  let timer = 0;
  const applySearch = () => {
    clearTimeout(timer);
    const q = search.value.trim();
    const tooShort = searchTooShort(q);
    searchHint.hidden = !tooShort;
    // While no search is applied a short term waits for more typing; after a real search
    // it replaces it, so the list does not keep showing results of a term no longer there.
    if ((tooShort && f.q === '') || q === f.q) return;
    f.q = q;
    onChange();
  };
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(applySearch, SEARCH_DELAY_MS); });
  search.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); applySearch(); } });

  reset.addEventListener('click', () => {
    Object.assign(f, { status: f.dataset === 'archive' ? '' : DEFAULT_STATUS, classification: '', group: '', sensor: '', from: '', to: '', q: '' });
    for (const [k] of CHIP_FILTERS) f[k] = '';
    for (const [el, v] of [[status, f.status], [classification, ''], [group, ''], [from, ''], [to, ''], [search, '']]) el.value = v;
    searchHint.hidden = true;
    markRange();
    fillSensors();
    paintChips();
    onChange();
  });

  const toggle = h('button', {
    type: 'button', id: 'filters-toggle', class: 'btn small filters-toggle', 'aria-expanded': 'false', 'aria-controls': 'filters-body',
  }, t('filter.toggle'));
  const body = h('div', { id: 'filters-body', class: 'filters' },
    labelled(t('filter.dataset'), dataset),
    labelled(t('events.col_group'), group),
    labelled(t('events.col_sensor'), sensor),
    labelled(t('events.col_classification'), classification),
    labelled(t('events.col_status'), status),
    labelled(t('period.from'), from),
    labelled(t('period.to'), to),
    h('div', { class: 'field filter filter-wide' }, h('label', { for: search.id }, t('filter.search')), search, searchHint),
    h('div', { class: 'filter-actions' }, reset),
    rangeError);
  const node = h('section', { class: 'panel events-filters', 'aria-label': t('filter.panel') }, toggle, body, chips);
  toggle.addEventListener('click', () => {
    const open = !node.classList.contains('open');
    node.classList.toggle('open', open);
    toggle.setAttribute('aria-expanded', String(open));
  });
  paintChips();
  markRange();

  async function load() {
    const [groups, sens] = await Promise.all([
      api.get('/groups').catch(() => ({ items: [] })),
      api.get('/sensors').catch(() => ({ items: [] })),
    ]);
    replace(group, option('', t('period.all_groups')), (groups.items || []).map((g) => option(String(g.id), g.name)));
    group.value = f.group;
    sensors = sens.items || [];
    fillSensors();
  }

  return { node, load };
}

/** sensorGroupId accepts the group as an id or as {id, name}. */
function sensorGroupId(s) {
  return s.group && typeof s.group === 'object' ? s.group.id : s.group;
}

/** select builds a select from [value, catalog key] pairs. */
function select(id, options, value) {
  const el = h('select', { id }, options.map(([v, key]) => option(v, t(key))));
  el.value = value;
  return el;
}

function option(value, label) {
  return h('option', { value }, label);
}

function labelled(label, control, extra) {
  return h('div', { class: `field filter ${extra || ''}` }, h('label', { for: control.id }, label), control);
}

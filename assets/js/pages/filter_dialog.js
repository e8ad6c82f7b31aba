// Filter rule Add/Edit dialog: group, unique name, description, and in the
// lower half the list of conditions (attribute + a value input that fits the
// attribute). Shared by the Filters page and the event details dialog
// ("Create filter rule from this event"), which opens it pre-filled.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { openDialog } from '../dialog.js';
import { field, checkbox, revealErrors } from '../forms.js';
import { classificationName } from '../event_labels.js';
import { t } from '../i18n.js';

/** The server accepts at most this many conditions per rule. */
const MAX_CONDITIONS = 20;

/** Attributes in the order the attribute select offers them. */
export const ATTRIBUTES = [
  { value: 'classification', label: 'events.col_classification' },
  { value: 'source', label: 'events.col_source' },
  { value: 'target_port', label: 'events.col_target_port' },
  { value: 'protocol', label: 'details.protocol' },
  { value: 'service', label: 'details.service' },
];

const PROTOCOLS = [['tcp', 'TCP'], ['udp', 'UDP'], ['icmp', 'ICMP']];

/** Service names offered as suggestions; any other name can be typed. */
const KNOWN_SERVICES = ['ssh', 'telnet', 'ftp', 'http', 'recon'];

// Classification options in the order the events page uses, Scan first as in the manual's example.
const CLASS_ORDER = [4, 2, 3, 1, 0];

// Messages of the checks made before saving; the server makes the same checks but
// reports only the first bad condition, and the user should see every one at once.
const TEXT = {
  source: () => t('rule.bad_source'),
  target_port: () => t('rule.bad_port'),
  service: () => t('rule.bad_service'),
  invalid: (n) => t('rule.invalid', { count: n }),
};

function isIP(s) {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return s.split('.').every((o) => Number(o) <= 255);
  if (!s.includes(':')) return false;
  // The URL parser knows every IPv6 notation.
  try { return Boolean(new URL(`http://[${s}]/`)); } catch { return false; }
}

function isPort(s) {
  return /^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= 65535;
}

/** conditionError is why a condition's value cannot be saved, or '' when it looks fine. */
function conditionError(attr, value) {
  switch (attr) {
    case 'source': {
      const [addr, bits] = value.split('/');
      if (bits !== undefined) {
        const max = addr.includes(':') ? 128 : 32;
        return isIP(addr) && /^\d+$/.test(bits) && Number(bits) <= max ? '' : TEXT.source();
      }
      const [from, to, ...rest] = value.split('-').map((x) => x.trim());
      return isIP(from) && (to === undefined || isIP(to)) && !rest.length ? '' : TEXT.source();
    }
    case 'target_port': {
      const [lo, hi, ...rest] = value.split('-').map((x) => x.trim());
      return isPort(lo) && (hi === undefined || (isPort(hi) && Number(hi) >= Number(lo))) && !rest.length ? '' : TEXT.target_port();
    }
    case 'service':
      return value && value.length <= 64 ? '' : TEXT.service();
    default: // classification and protocol come from a select
      return '';
  }
}

export function attributeLabel(attr) {
  const a = ATTRIBUTES.find((x) => x.value === attr);
  return a ? t(a.label) : attr;
}

/** conditionText is a condition for the list: "Classification = Scan", "Source = 192.168.3.0/24". */
export function conditionText(c) {
  let value = c.value;
  if (c.attribute === 'classification') value = classificationName(c.value);
  if (c.attribute === 'protocol') value = String(c.value).toUpperCase();
  return `${attributeLabel(c.attribute)} = ${value}`;
}

/**
 * valueControl builds the value input for an attribute: a select where the
 * values are a fixed set, a text input with a format hint otherwise.
 */
function valueControl(attr, value) {
  const base = { class: 'condition-value', 'aria-label': t('rule.value_of', { attribute: attributeLabel(attr) }) };
  let el;
  switch (attr) {
    case 'classification':
      el = h('select', base, CLASS_ORDER.map((n) => h('option', { value: n }, classificationName(n))));
      el.value = value !== undefined && value !== '' ? String(value) : '4';
      if (el.selectedIndex < 0) el.value = '4';
      return el;
    case 'protocol':
      el = h('select', base, PROTOCOLS.map(([v, label]) => h('option', { value: v }, label)));
      el.value = value ? String(value).toLowerCase() : 'tcp';
      if (el.selectedIndex < 0) el.value = 'tcp';
      return el;
    case 'source':
      return h('input', {
        ...base, type: 'text', value: value || '', autocomplete: 'off', spellcheck: 'false',
        placeholder: t('rule.source_placeholder'),
        title: t('rule.source_title'),
      });
    case 'target_port':
      return h('input', {
        ...base, type: 'text', inputmode: 'numeric', value: value || '', autocomplete: 'off',
        placeholder: t('rule.port_placeholder'), title: t('rule.port_title'),
      });
    default: // service
      return h('input', {
        ...base, type: 'text', value: value || '', autocomplete: 'off', spellcheck: 'false',
        list: 'filter-services', maxlength: 64,
        placeholder: 'ssh, telnet, ftp, http, recon…', title: t('rule.service_title'),
      });
  }
}

/**
 * openFilterDialog adds a rule (rule = null) or edits one.
 *   groups   [{id, name}] the caller may assign
 *   prefill  for a new rule: {group, name, description, conditions}
 *   done     async (message, rule) after a successful save
 */
export function openFilterDialog(rule, { groups, prefill, done }) {
  const r = rule || {
    group: null, name: '', description: '', enabled: true, conditions: [], ...(prefill || {}),
  };

  // Not #filter-group: that is the events page's group filter, under this dialog.
  const group = h('select', { id: 'rule-group', name: 'group' },
    groups.map((g) => h('option', { value: g.id }, g.name)));
  if (r.group !== null && r.group !== undefined) {
    if (!groups.some((g) => g.id === r.group)) group.append(h('option', { value: r.group }, t('sensor.group_no', { id: r.group })));
    group.value = String(r.group);
  }
  const name = h('input', { id: 'filter-name', name: 'name', value: r.name, maxlength: 64, autocomplete: 'off', required: true });
  const description = h('textarea', { id: 'filter-description', name: 'description', rows: 2, maxlength: 1000 });
  description.value = r.description || '';
  const enabledBox = checkbox(t('rule.enabled'), { id: 'filter-enabled', checked: r.enabled !== false });

  const rows = h('div', { class: 'condition-list', id: 'condition-list' });
  const add = h('button', { type: 'button', id: 'condition-add', class: 'btn small' }, t('filters.add'));
  const empty = h('p', { class: 'muted condition-empty' }, t('rule.no_conditions'));

  /** renumber keeps each row's error slots named after its index (conditions[i].value). */
  function renumber() {
    const list = [...rows.querySelectorAll('.condition-row')];
    list.forEach((row, i) => {
      row.dataset.index = String(i);
      row.querySelector('.cond-attr').dataset.field = `conditions[${i}].attribute`;
      row.querySelector('.cond-value').dataset.field = `conditions[${i}].value`;
      row.querySelector('.condition-remove').setAttribute('aria-label', t('rule.remove_condition_no', { n: i + 1 }));
    });
    empty.hidden = list.length > 0;
    add.disabled = list.length >= MAX_CONDITIONS;
  }

  function addRow(attr, value) {
    const attrSelect = h('select', { class: 'condition-attribute', 'aria-label': t('rule.attribute') },
      ATTRIBUTES.map((a) => h('option', { value: a.value }, t(a.label))));
    attrSelect.value = attr;
    let control = valueControl(attr, value);
    const valueSlot = h('div', { class: 'field cond-value' }, control, h('div', { class: 'field-error', hidden: true }));
    const remove = h('button', { type: 'button', class: 'btn icon condition-remove', title: t('rule.remove_condition') },
      h('span', { class: 'ico icon-remove', 'aria-hidden': 'true' }));
    const row = h('div', { class: 'condition-row' },
      h('div', { class: 'field cond-attr' }, attrSelect, h('div', { class: 'field-error', hidden: true })),
      valueSlot,
      remove);

    // The value input must fit the attribute: switch it when the attribute changes.
    attrSelect.addEventListener('change', () => {
      const next = valueControl(attrSelect.value, '');
      control.replaceWith(next);
      control = next;
      for (const slot of row.querySelectorAll('.field-error')) { replace(slot); slot.hidden = true; }
      for (const f of row.querySelectorAll('.has-error')) f.classList.remove('has-error');
      next.focus();
    });
    remove.addEventListener('click', () => {
      const focusNext = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      (focusNext?.querySelector('select') || add).focus();
    });
    rows.append(row);
    renumber();
    return row;
  }

  /** nextAttribute picks the first attribute not used yet, so "Add" rarely needs a second click. */
  function nextAttribute() {
    const used = new Set([...rows.querySelectorAll('select.condition-attribute')].map((s) => s.value));
    return (ATTRIBUTES.find((a) => !used.has(a.value)) || ATTRIBUTES[1]).value;
  }

  add.addEventListener('click', () => {
    const row = addRow(nextAttribute(), '');
    row.querySelector('select.condition-attribute').focus();
  });

  for (const c of r.conditions || []) addRow(c.attribute, c.value);
  if (!rule && !(r.conditions || []).length) addRow('classification', '4');
  renumber();

  const conditions = h('fieldset', { class: 'field conditions', 'data-field': 'conditions' },
    h('legend', null, t('filters.conditions')),
    h('p', { class: 'hint' }, t('rule.conditions_hint')),
    h('div', { class: 'condition-head', 'aria-hidden': 'true' }, h('span', null, t('rule.attribute')), h('span', null, t('rule.value'))),
    rows,
    empty,
    h('div', { class: 'field-error', hidden: true }),
    h('div', { class: 'condition-actions' }, add),
    h('datalist', { id: 'filter-services' }, KNOWN_SERVICES.map((s) => h('option', { value: s }))));

  const dlg = openDialog({
    title: rule ? t('rule.edit_title', { name: r.name }) : t('rule.add_title'),
    body: [
      h('div', { class: 'grid-2' },
        field(t('events.col_group'), group, 'group', t('rule.group_hint')),
        field(t('common.name'), name, 'name', t('rule.name_hint'))),
      field(t('rule.description'), description, 'description'),
      enabledBox,
      conditions,
    ],
    submit: { label: t('common.save'), id: 'filter-save' },
    testid: 'filter-dialog',
    async onSubmit(form) {
      const data = {
        group: Number(group.value),
        name: name.value.trim(),
        description: description.value.trim(),
        enabled: enabledBox.querySelector('input').checked,
        conditions: [...rows.querySelectorAll('.condition-row')].map((row) => ({
          attribute: row.querySelector('select.condition-attribute').value,
          value: row.querySelector('.condition-value').value.trim(),
        })),
      };
      const fields = {};
      data.conditions.forEach((c, i) => {
        const msg = conditionError(c.attribute, c.value);
        if (msg) fields[`conditions[${i}].value`] = msg;
      });
      try {
        const n = Object.keys(fields).length;
        if (n) throw Object.assign(new Error(TEXT.invalid(n)), { fields });
        const saved = rule
          ? await api.patch(`/filters/${rule.id}`, data)
          : await api.post('/filters', data);
        await done(t(rule ? 'rule.saved' : 'rule.added', { name: saved.name }), saved);
      } catch (err) {
        // The matcher reports values in lower case ("use an address ..."): start them upper case.
        for (const [k, v] of Object.entries(err.fields || {})) {
          if (typeof v === 'string' && v) err.fields[k] = v[0].toUpperCase() + v.slice(1);
        }
        revealErrors(form);
        throw err;
      }
    },
  });
  dlg.classList.add('filter-dialog');
  // The group is usually right already (pre-filled or the only one): start on the name.
  if (!rule) name.focus();
  return dlg;
}

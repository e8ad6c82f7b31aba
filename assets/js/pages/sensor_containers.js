// Container services of an original HoneySens 2.x sensor: the honeypot
// containers its manager pulls and runs (label, image per architecture in a
// registry the operator names, raw network access, catch-all, published
// ports). The sensor receives them with its next heartbeat; with none it
// removes every container it runs. The appliance runs no registry: the sensor
// runs each image under the server's name, so it must be loaded there.

import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { openDialog, openViewDialog, confirmDialog } from '../dialog.js';
import { field, checkbox } from '../forms.js';
import { t } from '../i18n.js';

const ARCHITECTURES = ['armhf', 'amd64', 'arm64'];

/** openContainerServices lists sensor s's container services; managers add, edit and remove them. */
export async function openContainerServices(s, state, done) {
  const list = h('div', { id: 'containers-list' }, h('p', { class: 'muted' }, '…'));
  const add = state.canEdit ? h('button', { type: 'button', class: 'btn primary', id: 'container-add' }, t('containers.add')) : null;
  openViewDialog({
    title: t('containers.title', { name: s.name }),
    id: 'sensor-containers',
    testid: 'sensor-containers',
    wide: true,
    body: [h('p', { class: 'hint' }, t('containers.intro')), h('p', { class: 'hint' }, t('containers.registry_note', { image: `${location.hostname}:${location.port || 443}/<image>` })), list],
    actions: add,
  });
  async function reload(message) {
    if (message) await done(message);
    try {
      const res = await api.get(`/sensors/${s.id}/containers`);
      replace(list, table(res.items || []));
    } catch (err) {
      replace(list, h('p', { class: 'notice danger' }, t('containers.load_failed', { message: err.message })));
    }
  }
  function table(items) {
    if (!items.length) return h('p', { class: 'muted', id: 'containers-empty' }, t('containers.none'));
    return h('table', { class: 'table compact-table', 'data-testid': 'containers-table' },
      h('thead', null, h('tr', null, h('th', null, t('containers.label')), h('th', null, t('containers.registry')), h('th', null, t('containers.images')),
        h('th', null, t('containers.ports')), h('th', null, t('containers.flags')), state.canEdit ? h('th', null) : null)),
      h('tbody', null, items.map((c) => h('tr', { 'data-id': c.id, 'data-label': c.label },
        h('td', { class: 'strong' }, c.label),
        h('td', { class: 'mono small' }, c.registry),
        h('td', { class: 'mono small' }, Object.entries(c.images || {}).map(([arch, image]) => h('div', null, `${arch}: ${image}`))),
        h('td', { class: 'mono small' }, portsText(c.port_assignment)),
        h('td', null, c.raw_network_access ? h('span', { class: 'tag' }, t('containers.raw_tag')) : null, ' ',
          c.catch_all ? h('span', { class: 'tag' }, t('containers.catch_all_tag')) : null),
        state.canEdit ? h('td', { class: 'nowrap' }, rowButton('container-edit', t('common.edit'), () => openContainerForm(s, c, reload)),
          ' ', rowButton('container-remove', t('containers.remove'), () => confirmDialog({
            title: t('containers.remove_title'), text: t('containers.remove_text', { label: c.label, name: s.name }), confirm: t('containers.remove'),
            async onConfirm() {
              await api.del(`/sensors/${s.id}/containers/${c.id}`);
              await reload(t('containers.removed', { label: c.label }));
            },
          }))) : null))));
  }
  if (add) add.addEventListener('click', () => openContainerForm(s, null, reload));
  await reload();
}

function rowButton(cls, label, fn) {
  const b = h('button', { type: 'button', class: `btn small ${cls}` }, label);
  b.addEventListener('click', fn);
  return b;
}

/** portsText writes a port assignment as the form takes it: "2222/tcp=22 2323/tcp=23". */
function portsText(ports) {
  return Object.entries(ports || {}).map(([inner, outer]) => `${inner}=${outer}`).join(' ');
}

/** parsePorts reads portsText back; the server checks the numbers. */
function parsePorts(text) {
  const out = {};
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const m = /^([^=]+)=(\d+)$/.exec(part);
    if (!m) {
      const err = new Error(t('containers.ports_invalid'));
      err.fields = { port_assignment: t('containers.ports_invalid') };
      throw err;
    }
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** openContainerForm adds (c = null) or edits a container service; saved(message) reloads the list. */
function openContainerForm(s, c, saved) {
  const v = c || { label: '', registry: '', images: {}, raw_network_access: false, catch_all: false, port_assignment: {} };
  const label = h('input', { id: 'container-label', value: v.label, maxlength: 64, autocomplete: 'off' });
  const registry = h('input', { id: 'container-registry', value: v.registry, autocomplete: 'off', placeholder: 'registry.example.org:5000' });
  const images = ARCHITECTURES.map((arch) => [arch, h('input', {
    id: `container-image-${arch}`, class: 'mono', value: (v.images || {})[arch] || '', autocomplete: 'off',
  })]);
  const raw = checkbox(t('containers.raw'), { id: 'container-raw', checked: v.raw_network_access });
  const catchAll = checkbox(t('containers.catch_all'), { id: 'container-catch-all', checked: v.catch_all });
  const ports = h('input', { id: 'container-ports', class: 'mono', value: portsText(v.port_assignment), autocomplete: 'off' });
  openDialog({
    title: c ? t('containers.edit_title', { label: c.label }) : t('containers.add_title'),
    body: [
      field(t('containers.label'), label, 'label', t('containers.label_hint')),
      field(t('containers.registry'), registry, 'registry', t('containers.registry_hint')),
      h('div', { class: 'field', 'data-field': 'images' }, h('div', { class: 'field-error', hidden: true })),
      images.map(([arch, input]) => field(t('containers.image', { arch }), input, `images.${arch}`, arch === 'armhf' ? t('containers.image_hint') : null)),
      h('div', { class: 'field', 'data-field': 'raw_network_access' }, raw),
      h('div', { class: 'field', 'data-field': 'catch_all' }, catchAll, h('div', { class: 'field-error', hidden: true })),
      field(t('containers.ports_field'), ports, 'port_assignment', t('containers.ports_hint')),
    ],
    submit: { label: t('common.save'), id: 'container-save' },
    testid: 'container-form',
    async onSubmit() {
      const data = {
        label: label.value.trim(),
        registry: registry.value.trim(),
        images: Object.fromEntries(images.map(([arch, input]) => [arch, input.value.trim()]).filter(([, image]) => image)),
        raw_network_access: raw.querySelector('input').checked,
        catch_all: catchAll.querySelector('input').checked,
        port_assignment: parsePorts(ports.value),
      };
      if (c) await api.put(`/sensors/${s.id}/containers/${c.id}`, data);
      else await api.post(`/sensors/${s.id}/containers`, data);
      await saved(t('containers.saved', { label: data.label }));
    },
  });
}

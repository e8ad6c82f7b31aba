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

const ARCHITECTURES = ['armhf', 'amd64', 'arm64'];

const TEXT = {
  title: (name) => `Container services of ${name}`,
  intro: 'The containers an original HoneySens 2.x sensor runs. It applies changes with its next contact; with no service assigned it removes every container, recon included.',
  registryNote: (server) => `The appliance runs no registry: the sensor runs each image as ${server}/<image>. Load it on the sensor from the registry named here and tag it with that name.`,
  none: 'No container services assigned.',
  label: 'Label', registry: 'Registry', images: 'Images', ports: 'Ports', flags: 'Networking',
  add: 'Add service', edit: 'Edit', remove: 'Remove',
  addTitle: 'Add container service', editTitle: (label) => `Edit container service ${label}`,
  labelHint: 'A short name, e.g. cowrie.',
  registryHint: 'Host (and :port) of the registry that holds the images, e.g. registry.example.org:5000.',
  image: (arch) => `Image for ${arch}`,
  imageHint: 'repository:tag in that registry, e.g. honeysens/cowrie:armhf-2.5.0. Leave empty if not built for it.',
  raw: 'Raw network access (the container uses the sensor’s network directly)',
  catchAll: 'Catch-all (receives all traffic no other service takes)',
  portsField: 'Published ports',
  portsHint: 'Container port = sensor port, separated by spaces: 2222/tcp=22 2323/tcp=23.',
  portsInvalid: 'Write each port as 2222/tcp=22.',
  rawTag: 'raw', catchAllTag: 'catch-all',
  save: 'Save',
  saved: (label) => `Container service ${label} saved.`,
  removeTitle: 'Remove container service',
  removeText: (label, name) => `Remove ${label} from ${name}? The sensor removes its container with its next contact.`,
  removed: (label) => `Container service ${label} removed.`,
  loadFailed: (msg) => `The services could not be loaded: ${msg}`,
};

/** openContainerServices lists sensor s's container services; managers add, edit and remove them. */
export async function openContainerServices(s, state, done) {
  const list = h('div', { id: 'containers-list' }, h('p', { class: 'muted' }, '…'));
  const add = state.canEdit ? h('button', { type: 'button', class: 'btn primary', id: 'container-add' }, TEXT.add) : null;
  openViewDialog({
    title: TEXT.title(s.name),
    id: 'sensor-containers',
    testid: 'sensor-containers',
    wide: true,
    body: [h('p', { class: 'hint' }, TEXT.intro), h('p', { class: 'hint' }, TEXT.registryNote(`${location.hostname}:${location.port || 443}`)), list],
    actions: add,
  });
  async function reload(message) {
    if (message) await done(message);
    try {
      const res = await api.get(`/sensors/${s.id}/containers`);
      replace(list, table(res.items || []));
    } catch (err) {
      replace(list, h('p', { class: 'notice danger' }, TEXT.loadFailed(err.message)));
    }
  }
  function table(items) {
    if (!items.length) return h('p', { class: 'muted', id: 'containers-empty' }, TEXT.none);
    return h('table', { class: 'table compact-table', 'data-testid': 'containers-table' },
      h('thead', null, h('tr', null, h('th', null, TEXT.label), h('th', null, TEXT.registry), h('th', null, TEXT.images),
        h('th', null, TEXT.ports), h('th', null, TEXT.flags), state.canEdit ? h('th', null) : null)),
      h('tbody', null, items.map((c) => h('tr', { 'data-id': c.id, 'data-label': c.label },
        h('td', { class: 'strong' }, c.label),
        h('td', { class: 'mono small' }, c.registry),
        h('td', { class: 'mono small' }, Object.entries(c.images || {}).map(([arch, image]) => h('div', null, `${arch}: ${image}`))),
        h('td', { class: 'mono small' }, portsText(c.port_assignment)),
        h('td', null, c.raw_network_access ? h('span', { class: 'tag' }, TEXT.rawTag) : null, ' ',
          c.catch_all ? h('span', { class: 'tag' }, TEXT.catchAllTag) : null),
        state.canEdit ? h('td', { class: 'nowrap' }, rowButton('container-edit', TEXT.edit, () => openContainerForm(s, c, reload)),
          ' ', rowButton('container-remove', TEXT.remove, () => confirmDialog({
            title: TEXT.removeTitle, text: TEXT.removeText(c.label, s.name), confirm: TEXT.remove,
            async onConfirm() {
              await api.del(`/sensors/${s.id}/containers/${c.id}`);
              await reload(TEXT.removed(c.label));
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
      const err = new Error(TEXT.portsInvalid);
      err.fields = { port_assignment: TEXT.portsInvalid };
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
  const raw = checkbox(TEXT.raw, { id: 'container-raw', checked: v.raw_network_access });
  const catchAll = checkbox(TEXT.catchAll, { id: 'container-catch-all', checked: v.catch_all });
  const ports = h('input', { id: 'container-ports', class: 'mono', value: portsText(v.port_assignment), autocomplete: 'off' });
  openDialog({
    title: c ? TEXT.editTitle(c.label) : TEXT.addTitle,
    body: [
      field(TEXT.label, label, 'label', TEXT.labelHint),
      field(TEXT.registry, registry, 'registry', TEXT.registryHint),
      h('div', { class: 'field', 'data-field': 'images' }, h('div', { class: 'field-error', hidden: true })),
      images.map(([arch, input]) => field(TEXT.image(arch), input, `images.${arch}`, arch === 'armhf' ? TEXT.imageHint : null)),
      h('div', { class: 'field', 'data-field': 'raw_network_access' }, raw),
      h('div', { class: 'field', 'data-field': 'catch_all' }, catchAll, h('div', { class: 'field-error', hidden: true })),
      field(TEXT.portsField, ports, 'port_assignment', TEXT.portsHint),
    ],
    submit: { label: TEXT.save, id: 'container-save' },
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
      await saved(TEXT.saved(data.label));
    },
  });
}

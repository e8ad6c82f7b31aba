// Network settings of a remote sensor: the server address it uses, the network
// of its service containers, its address (DHCP or static), MAC address, proxy
// and IEEE 802.1X (EAPOL). Each part can stay "not set": the sensor then keeps
// what it has. Original HoneySens 2.x sensors receive the settings with their
// next heartbeat; the appliance's own remote sensors leave the network to their
// host. Secrets are never shown: an empty password field keeps the stored one.

import { h } from '../dom.js';
import { api } from '../api.js';
import { openDialog } from '../dialog.js';
import { field, fieldGroup } from '../forms.js';

const TEXT = {
  title: (name) => `Network settings of ${name}`,
  intro: 'Original HoneySens 2.x sensors apply these settings with their next contact. A part left “not set” stays as the sensor has it.',
  notSet: 'Not set (the sensor keeps its own)',
  endpoint: 'Server endpoint',
  endpointHint: 'An IPv4 address and HTTPS port the sensor uses to reach the appliance instead of its configured server name. Leave empty to keep it.',
  host: 'Address', port: 'Port',
  serviceNetwork: 'Service network',
  serviceNetworkHint: 'The internal network of the honeypot containers (e.g. 10.10.10.0/24); must not overlap the site’s networks.',
  ipMode: 'Address', ipModes: { 0: 'DHCP', 1: 'Static', 2: 'Unconfigured (Docker host decides)' },
  ipAddress: 'IP address', netmask: 'Netmask', gateway: 'Gateway', dns: 'DNS server', dhcpHostname: 'DHCP host name',
  macMode: 'MAC address', macModes: { 0: 'The interface’s own', 1: 'Custom' }, mac: 'Custom MAC address',
  proxyMode: 'HTTP(S) proxy', proxyModes: { 0: 'None', 1: 'Use a proxy' },
  proxyHost: 'Proxy host', proxyPort: 'Proxy port', proxyUser: 'Proxy user', proxyPassword: 'Proxy password',
  eapolMode: 'IEEE 802.1X (EAPOL)', eapolModes: { 0: 'Disabled', 1: 'MD5', 2: 'TLS', 3: 'PEAP', 4: 'TTLS' },
  identity: 'Identity', password: 'Password', anonIdentity: 'Anonymous identity',
  caCert: 'CA certificate (PEM, optional)', clientCert: 'Client certificate (PEM)', clientKey: 'Client key (PEM)',
  keyPassword: 'Client key passphrase',
  stored: 'Stored; leave empty to keep it',
  storedKey: 'A key is stored; leave empty to keep it',
  save: 'Save',
  saved: (name) => `Network settings of ${name} saved.`,
};

/** openNetworkSettings loads and edits the network settings of sensor s. */
export async function openNetworkSettings(s, done) {
  const n = await api.get(`/sensors/${s.id}/network`);
  const input = (id, value, attrs) => h('input', { id, value: value || '', autocomplete: 'off', ...attrs });
  const secret = (id, isSet, hint) => h('input', { id, type: 'password', autocomplete: 'new-password', placeholder: isSet ? hint : '' });
  const pem = (id, value) => {
    const t = h('textarea', { id, rows: 4, class: 'mono', spellcheck: 'false', autocomplete: 'off' });
    t.value = value || '';
    return t;
  };
  const modeSelect = (id, modes, value) => {
    const sel = h('select', { id },
      h('option', { value: '' }, TEXT.notSet),
      Object.entries(modes).map(([v, label]) => h('option', { value: v }, label)));
    sel.value = value === null || value === undefined ? '' : String(value);
    return sel;
  };

  const c = {
    host: input('net-endpoint-host', n.server_endpoint_host, { inputmode: 'decimal', placeholder: '192.0.2.1' }),
    port: input('net-endpoint-port', n.server_endpoint_port_https || '', { type: 'number', min: 1, max: 65535, placeholder: '443' }),
    serviceNetwork: input('net-service-network', n.service_network, { placeholder: '10.10.10.0/24' }),
    ipMode: modeSelect('net-ip-mode', TEXT.ipModes, n.network_ip_mode),
    ipAddress: input('net-ip-address', n.network_ip_address),
    netmask: input('net-ip-netmask', n.network_ip_netmask, { placeholder: '255.255.255.0' }),
    gateway: input('net-ip-gateway', n.network_ip_gateway),
    dns: input('net-ip-dns', n.network_ip_dns),
    dhcpHostname: input('net-dhcp-hostname', n.network_dhcp_hostname),
    macMode: modeSelect('net-mac-mode', TEXT.macModes, n.network_mac_mode),
    mac: input('net-mac-address', n.network_mac_address, { placeholder: '02:00:5e:10:00:01' }),
    proxyMode: modeSelect('net-proxy-mode', TEXT.proxyModes, n.proxy_mode),
    proxyHost: input('net-proxy-host', n.proxy_host),
    proxyPort: input('net-proxy-port', n.proxy_port || '', { type: 'number', min: 1, max: 65535 }),
    proxyUser: input('net-proxy-user', n.proxy_user),
    proxyPassword: secret('net-proxy-password', n.proxy_password, TEXT.stored),
    eapolMode: modeSelect('net-eapol-mode', TEXT.eapolModes, n.eapol_mode),
    identity: input('net-eapol-identity', n.eapol_identity),
    password: secret('net-eapol-password', n.eapol_password, TEXT.stored),
    anonIdentity: input('net-eapol-anon-identity', n.eapol_anon_identity),
    caCert: pem('net-eapol-ca-cert', n.eapol_ca_cert),
    clientCert: pem('net-eapol-client-cert', n.eapol_client_cert),
    clientKey: h('textarea', { id: 'net-eapol-client-key', rows: 4, class: 'mono', spellcheck: 'false', placeholder: n.eapol_client_key ? TEXT.storedKey : '' }),
    keyPassword: secret('net-eapol-key-password', n.eapol_client_key_password, TEXT.stored),
  };
  const f = {
    ipAddress: field(TEXT.ipAddress, c.ipAddress, 'network_ip_address'),
    netmask: field(TEXT.netmask, c.netmask, 'network_ip_netmask'),
    gateway: field(TEXT.gateway, c.gateway, 'network_ip_gateway'),
    dns: field(TEXT.dns, c.dns, 'network_ip_dns'),
    dhcpHostname: field(TEXT.dhcpHostname, c.dhcpHostname, 'network_dhcp_hostname'),
    mac: field(TEXT.mac, c.mac, 'network_mac_address'),
    proxyHost: field(TEXT.proxyHost, c.proxyHost, 'proxy_host'),
    proxyPort: field(TEXT.proxyPort, c.proxyPort, 'proxy_port'),
    proxyUser: field(TEXT.proxyUser, c.proxyUser, 'proxy_user'),
    proxyPassword: field(TEXT.proxyPassword, c.proxyPassword, 'proxy_password'),
    identity: field(TEXT.identity, c.identity, 'eapol_identity'),
    password: field(TEXT.password, c.password, 'eapol_password'),
    anonIdentity: field(TEXT.anonIdentity, c.anonIdentity, 'eapol_anon_identity'),
    caCert: field(TEXT.caCert, c.caCert, 'eapol_ca_cert'),
    clientCert: field(TEXT.clientCert, c.clientCert, 'eapol_client_cert'),
    clientKey: field(TEXT.clientKey, c.clientKey, 'eapol_client_key'),
    keyPassword: field(TEXT.keyPassword, c.keyPassword, 'eapol_client_key_password'),
  };

  /** layout shows the fields the chosen modes use, as the server keeps only those. */
  function layout() {
    const ip = c.ipMode.value; const eapol = c.eapolMode.value;
    const shown = {
      ipAddress: ip === '1', netmask: ip === '1', gateway: ip === '1', dns: ip === '1', dhcpHostname: ip === '0',
      mac: c.macMode.value === '1',
      proxyHost: c.proxyMode.value === '1', proxyPort: c.proxyMode.value === '1', proxyUser: c.proxyMode.value === '1',
      proxyPassword: c.proxyMode.value === '1',
      identity: eapol !== '' && eapol !== '0', password: ['1', '3', '4'].includes(eapol), anonIdentity: ['3', '4'].includes(eapol),
      caCert: ['2', '3', '4'].includes(eapol), clientCert: eapol === '2', clientKey: eapol === '2', keyPassword: eapol === '2',
    };
    for (const [key, wrap] of Object.entries(f)) wrap.hidden = !shown[key];
  }
  for (const sel of [c.ipMode, c.macMode, c.proxyMode, c.eapolMode]) sel.addEventListener('change', layout);
  layout();

  const mode = (sel) => (sel.value === '' ? null : Number(sel.value));
  const dlg = openDialog({
    title: TEXT.title(s.name),
    body: [
      h('p', { class: 'hint' }, TEXT.intro),
      fieldGroup(TEXT.endpoint, [c.host, c.port], 'server_endpoint_host', TEXT.endpointHint),
      field(TEXT.serviceNetwork, c.serviceNetwork, 'service_network', TEXT.serviceNetworkHint),
      field(TEXT.ipMode, c.ipMode, 'network_ip_mode'), f.ipAddress, f.netmask, f.gateway, f.dns, f.dhcpHostname,
      field(TEXT.macMode, c.macMode, 'network_mac_mode'), f.mac,
      field(TEXT.proxyMode, c.proxyMode, 'proxy_mode'), f.proxyHost, f.proxyPort, f.proxyUser, f.proxyPassword,
      field(TEXT.eapolMode, c.eapolMode, 'eapol_mode'), f.identity, f.password, f.anonIdentity, f.caCert, f.clientCert,
      f.clientKey, f.keyPassword,
    ],
    submit: { label: TEXT.save, id: 'sensor-network-save' },
    testid: 'sensor-network',
    async onSubmit() {
      const data = {
        server_endpoint_host: c.host.value.trim(),
        server_endpoint_port_https: Number(c.port.value) || 0,
        service_network: c.serviceNetwork.value.trim(),
        network_ip_mode: mode(c.ipMode),
        network_ip_address: c.ipAddress.value.trim(),
        network_ip_netmask: c.netmask.value.trim(),
        network_ip_gateway: c.gateway.value.trim(),
        network_ip_dns: c.dns.value.trim(),
        network_dhcp_hostname: c.dhcpHostname.value.trim(),
        network_mac_mode: mode(c.macMode),
        network_mac_address: c.mac.value.trim(),
        proxy_mode: mode(c.proxyMode),
        proxy_host: c.proxyHost.value.trim(),
        proxy_port: Number(c.proxyPort.value) || 0,
        proxy_user: c.proxyUser.value.trim(),
        proxy_password: c.proxyPassword.value,
        eapol_mode: mode(c.eapolMode),
        eapol_identity: c.identity.value.trim(),
        eapol_password: c.password.value,
        eapol_anon_identity: c.anonIdentity.value.trim(),
        eapol_ca_cert: c.caCert.value.trim(),
        eapol_client_cert: c.clientCert.value.trim(),
        eapol_client_key: c.clientKey.value.trim(),
        eapol_client_key_password: c.keyPassword.value,
      };
      await api.put(`/sensors/${s.id}/network`, data);
      await done(TEXT.saved(s.name));
    },
  });
  dlg.id = 'sensor-network';
}

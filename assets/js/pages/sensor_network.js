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
import { t } from '../i18n.js';

// Mode codes as the API sends them, with their catalog keys (protocol names stay as they are).
const IP_MODES = { 0: 'sensor_net.ip_mode_dhcp', 1: 'sensor_net.ip_mode_static', 2: 'sensor_net.ip_mode_unconfigured' };
const MAC_MODES = { 0: 'sensor_net.mac_mode_own', 1: 'sensor_net.mac_mode_custom' };
const PROXY_MODES = { 0: 'sensor_net.proxy_mode_none', 1: 'sensor_net.proxy_mode_use' };
const EAPOL_MODES = { 0: 'sensor_net.eapol_disabled', 1: 'MD5', 2: 'TLS', 3: 'PEAP', 4: 'TTLS' };

/** openNetworkSettings loads and edits the network settings of sensor s. */
export async function openNetworkSettings(s, done) {
  const n = await api.get(`/sensors/${s.id}/network`);
  const input = (id, value, attrs) => h('input', { id, value: value || '', autocomplete: 'off', ...attrs });
  const secret = (id, isSet, hint) => h('input', { id, type: 'password', autocomplete: 'new-password', placeholder: isSet ? hint : '' });
  const pem = (id, value) => {
    const area = h('textarea', { id, rows: 4, class: 'mono', spellcheck: 'false', autocomplete: 'off' });
    area.value = value || '';
    return area;
  };
  const modeSelect = (id, modes, value) => {
    const sel = h('select', { id },
      h('option', { value: '' }, t('sensor_net.not_set')),
      Object.entries(modes).map(([v, key]) => h('option', { value: v }, key.includes('.') ? t(key) : key)));
    sel.value = value === null || value === undefined ? '' : String(value);
    return sel;
  };

  const c = {
    host: input('net-endpoint-host', n.server_endpoint_host, { inputmode: 'decimal', placeholder: '192.0.2.1' }),
    port: input('net-endpoint-port', n.server_endpoint_port_https || '', { type: 'number', min: 1, max: 65535, placeholder: '443' }),
    serviceNetwork: input('net-service-network', n.service_network, { placeholder: '10.10.10.0/24' }),
    ipMode: modeSelect('net-ip-mode', IP_MODES, n.network_ip_mode),
    ipAddress: input('net-ip-address', n.network_ip_address),
    netmask: input('net-ip-netmask', n.network_ip_netmask, { placeholder: '255.255.255.0' }),
    gateway: input('net-ip-gateway', n.network_ip_gateway),
    dns: input('net-ip-dns', n.network_ip_dns),
    dhcpHostname: input('net-dhcp-hostname', n.network_dhcp_hostname),
    macMode: modeSelect('net-mac-mode', MAC_MODES, n.network_mac_mode),
    mac: input('net-mac-address', n.network_mac_address, { placeholder: '02:00:5e:10:00:01' }),
    proxyMode: modeSelect('net-proxy-mode', PROXY_MODES, n.proxy_mode),
    proxyHost: input('net-proxy-host', n.proxy_host),
    proxyPort: input('net-proxy-port', n.proxy_port || '', { type: 'number', min: 1, max: 65535 }),
    proxyUser: input('net-proxy-user', n.proxy_user),
    proxyPassword: secret('net-proxy-password', n.proxy_password, t('sensor_net.stored')),
    eapolMode: modeSelect('net-eapol-mode', EAPOL_MODES, n.eapol_mode),
    identity: input('net-eapol-identity', n.eapol_identity),
    password: secret('net-eapol-password', n.eapol_password, t('sensor_net.stored')),
    anonIdentity: input('net-eapol-anon-identity', n.eapol_anon_identity),
    caCert: pem('net-eapol-ca-cert', n.eapol_ca_cert),
    clientCert: pem('net-eapol-client-cert', n.eapol_client_cert),
    clientKey: h('textarea', { id: 'net-eapol-client-key', rows: 4, class: 'mono', spellcheck: 'false', placeholder: n.eapol_client_key ? t('sensor_net.stored_key') : '' }),
    keyPassword: secret('net-eapol-key-password', n.eapol_client_key_password, t('sensor_net.stored')),
  };
  const f = {
    ipAddress: field(t('sensor_net.ip_address'), c.ipAddress, 'network_ip_address'),
    netmask: field(t('sensor_net.netmask'), c.netmask, 'network_ip_netmask'),
    gateway: field(t('sensor_net.gateway'), c.gateway, 'network_ip_gateway'),
    dns: field(t('sensor_net.dns'), c.dns, 'network_ip_dns'),
    dhcpHostname: field(t('sensor_net.dhcp_hostname'), c.dhcpHostname, 'network_dhcp_hostname'),
    mac: field(t('sensor_net.mac'), c.mac, 'network_mac_address'),
    proxyHost: field(t('sensor_net.proxy_host'), c.proxyHost, 'proxy_host'),
    proxyPort: field(t('sensor_net.proxy_port'), c.proxyPort, 'proxy_port'),
    proxyUser: field(t('sensor_net.proxy_user'), c.proxyUser, 'proxy_user'),
    proxyPassword: field(t('sensor_net.proxy_password'), c.proxyPassword, 'proxy_password'),
    identity: field(t('sensor_net.identity'), c.identity, 'eapol_identity'),
    password: field(t('sensor_net.password'), c.password, 'eapol_password'),
    anonIdentity: field(t('sensor_net.anon_identity'), c.anonIdentity, 'eapol_anon_identity'),
    caCert: field(t('sensor_net.ca_cert'), c.caCert, 'eapol_ca_cert'),
    clientCert: field(t('sensor_net.client_cert'), c.clientCert, 'eapol_client_cert'),
    clientKey: field(t('sensor_net.client_key'), c.clientKey, 'eapol_client_key'),
    keyPassword: field(t('sensor_net.key_password'), c.keyPassword, 'eapol_client_key_password'),
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
    title: t('sensor_net.title', { name: s.name }),
    body: [
      h('p', { class: 'hint' }, t('sensor_net.intro')),
      fieldGroup(t('sensor_net.endpoint'), [c.host, c.port], 'server_endpoint_host', t('sensor_net.endpoint_hint')),
      field(t('sensor_net.service_network'), c.serviceNetwork, 'service_network', t('sensor_net.service_network_hint')),
      field(t('sensor_net.ip_mode'), c.ipMode, 'network_ip_mode'), f.ipAddress, f.netmask, f.gateway, f.dns, f.dhcpHostname,
      field(t('sensor_net.mac_mode'), c.macMode, 'network_mac_mode'), f.mac,
      field(t('sensor_net.proxy_mode'), c.proxyMode, 'proxy_mode'), f.proxyHost, f.proxyPort, f.proxyUser, f.proxyPassword,
      field(t('sensor_net.eapol_mode'), c.eapolMode, 'eapol_mode'), f.identity, f.password, f.anonIdentity, f.caCert, f.clientCert,
      f.clientKey, f.keyPassword,
    ],
    submit: { label: t('common.save'), id: 'sensor-network-save' },
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
      await done(t('sensor_net.saved', { name: s.name }));
    },
  });
  dlg.id = 'sensor-network';
}

// Words and CSS classes for sensor and service states, shared by the sensor
// table and its dialogs so a state reads the same everywhere.

import { h } from '../dom.js';
import { formatTime, formatShort } from '../format.js';
import { t, tParts } from '../i18n.js';

const SERVICE_NAMES = { ftp: 'FTP', http: 'HTTP', recon: 'service.recon', ssh: 'SSH', telnet: 'Telnet' };

/** serviceWord is the display name of a service kind ("ssh" -> "SSH"). */
export function serviceWord(name) {
  return SERVICE_NAMES[name] ? t(SERVICE_NAMES[name]) : name;
}

/** statusSince is the sensor's liveness in words and since when (the server always says). */
function statusSince(s) {
  if (s.status === 'online') return { word: t('sensor.online'), since: s.status_since, key: 'sensor.online_since' };
  if (s.status === 'offline') return { word: t('sensor.offline'), since: s.status_since, key: 'sensor.offline_since' };
  return { word: t('sensor.waiting'), since: null };
}

/**
 * statusText is the liveness in words: "Waiting for first contact",
 * "Online since <time>" or "Offline since <time>".
 */
export function statusText(s) {
  const { word, since, key } = statusSince(s);
  return since ? t(key, { time: formatTime(since) }) : word;
}

/**
 * statusBadge is the liveness with a coloured dot. short: today's times
 * without the date (tables); the full time is in the title.
 */
export function statusBadge(s, short) {
  const cls = { online: 'st-online', offline: 'st-offline' }[s.status] || 'st-waiting';
  const { word, since, key } = statusSince(s);
  return h('span', {
    class: `sensor-status ${cls}`, 'data-status': s.status || 'waiting',
    title: since ? statusText(s) : null,
  },
  h('span', { class: 'dot', 'aria-hidden': 'true' }),
  h('span', null, since ? tParts(key, { time: h('span', { class: 'nowrap' }, short ? formatShort(since) : formatTime(since)) }) : word));
}

/**
 * serviceState describes an assigned service: {cls, label, reason}.
 *   running          green
 *   error            red, reason = the sensor's message (e.g. port in use)
 *   stopped/disabled grey
 *   pending          amber: enabled, but the sensor has not said how it went
 * hint explains the short label (for a title attribute).
 */
export function serviceState(sv, enabled) {
  if (!sv) return { cls: 'st-off', label: t('service.unassigned'), hint: t('service.unassigned_hint'), reason: '' };
  if (!enabled) {
    // A remote sensor stops it only at its next contact.
    if (sv.state === 'running') return { cls: 'st-off', label: t('service.stopping'), hint: t('service.stopping_hint'), reason: '' };
    return { cls: 'st-off', label: t('service.disabled'), hint: t('service.disabled_hint'), reason: '' };
  }
  if (sv.state === 'running') return { cls: 'st-running', label: t('service.running'), hint: t('service.running_hint'), reason: '' };
  // The sensor's own message (e.g. port in use) stays as the sensor wrote it.
  if (sv.state === 'error') return { cls: 'st-error', label: t('service.error'), hint: '', reason: sv.error || t('service.unknown_error') };
  if (sv.state === 'stopped') return { cls: 'st-off', label: t('service.stopped'), hint: t('service.stopped_hint'), reason: '' };
  return { cls: 'st-pending', label: t('service.pending'), hint: t('service.pending_hint'), reason: '' };
}

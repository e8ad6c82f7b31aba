// Words and CSS classes for sensor and service states, shared by the sensor
// table and its dialogs so a state reads the same everywhere.

import { h } from '../dom.js';
import { formatTime, formatShort } from '../format.js';

const SERVICE_NAMES = { ftp: 'FTP', http: 'HTTP', recon: 'Recon', ssh: 'SSH', telnet: 'Telnet' };

/** serviceWord is the display name of a service kind ("ssh" -> "SSH"). */
export function serviceWord(name) {
  return SERVICE_NAMES[name] || name;
}

/** statusSince is the sensor's liveness in words and since when (the server always says). */
function statusSince(s) {
  if (s.status === 'online') return { word: 'Online', since: s.status_since };
  if (s.status === 'offline') return { word: 'Offline', since: s.status_since };
  return { word: 'Waiting for first contact', since: null };
}

/**
 * statusText is the liveness in words: "Waiting for first contact",
 * "Online since <time>" or "Offline since <time>".
 */
export function statusText(s) {
  const { word, since } = statusSince(s);
  return since ? `${word} since ${formatTime(since)}` : word;
}

/**
 * statusBadge is the liveness with a coloured dot. short: today's times
 * without the date (tables); the full time is in the title.
 */
export function statusBadge(s, short) {
  const cls = { online: 'st-online', offline: 'st-offline' }[s.status] || 'st-waiting';
  const { word, since } = statusSince(s);
  return h('span', {
    class: `sensor-status ${cls}`, 'data-status': s.status || 'waiting',
    title: since ? statusText(s) : null,
  },
  h('span', { class: 'dot', 'aria-hidden': 'true' }),
  h('span', null, since ? [`${word} since `, h('span', { class: 'nowrap' }, short ? formatShort(since) : formatTime(since))] : word));
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
  if (!sv) return { cls: 'st-off', label: 'unassigned', hint: 'Not assigned to this sensor: switch it on to assign it with its default settings.', reason: '' };
  if (!enabled) {
    // A remote sensor stops it only at its next contact.
    if (sv.state === 'running') return { cls: 'st-off', label: 'stopping', hint: 'Disabled; still running until the sensor’s next contact.', reason: '' };
    return { cls: 'st-off', label: 'disabled', hint: 'Switched off.', reason: '' };
  }
  if (sv.state === 'running') return { cls: 'st-running', label: 'running', hint: 'Running.', reason: '' };
  if (sv.state === 'error') return { cls: 'st-error', label: 'error', hint: '', reason: sv.error || 'unknown error' };
  if (sv.state === 'stopped') return { cls: 'st-off', label: 'stopped', hint: 'Enabled, but stopped.', reason: '' };
  return { cls: 'st-pending', label: 'pending', hint: 'Enabled; the sensor has not reported its state yet.', reason: '' };
}

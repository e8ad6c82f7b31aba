// Names and CSS classes for the event enums of the API. Shared by the event
// list, the details dialog and the filter controls, so a label reads the same
// everywhere.

import { h } from './dom.js';
import { t, formatNumber } from './i18n.js';

/** Classification codes as the API sends them (HoneySens-compatible), with their catalog keys. */
export const CLASSIFICATIONS = {
  0: 'classification.unknown', 1: 'classification.icmp', 2: 'classification.connection',
  3: 'classification.honeypot', 4: 'classification.scan',
};

/** Status codes and their catalog keys; 0 and 1 are the "open" ones the list shows by default. */
export const STATUSES = { 0: 'status.new', 1: 'status.in_progress', 2: 'status.resolved', 3: 'status.ignored' };

// The colour follows severity: honeypot contact is an attack, a scan is
// reconnaissance, everything else is context.
const CLASS_CSS = { 0: 'cls-unknown', 1: 'cls-icmp', 2: 'cls-conn', 3: 'cls-honeypot', 4: 'cls-scan' };
const STATUS_CSS = { 0: 'st-new', 1: 'st-progress', 2: 'st-resolved', 3: 'st-ignored' };

export function classificationName(c) {
  return CLASSIFICATIONS[c] ? t(CLASSIFICATIONS[c]) : t('classification.other', { code: c });
}

export function statusName(s) {
  return STATUSES[s] ? t(STATUSES[s]) : t('status.other', { code: s });
}

/** classificationTag is the coloured label used in the list and the dialog. */
export function classificationTag(c) {
  return h('span', { class: `tag cls ${CLASS_CSS[c] || 'cls-unknown'}` }, classificationName(c));
}

/** statusTag is a small pill with the status name. */
export function statusTag(s) {
  return h('span', { class: `pill ${STATUS_CSS[s] || ''}` }, statusName(s));
}

/** endpoint joins an address and an optional port as "addr:port" ("[v6]:port" for IPv6, "port 22" without address). */
export function endpoint(addr, port) {
  const hasPort = port !== null && port !== undefined && port !== '';
  if (!addr) return hasPort ? t('event.port', { port: String(port) }) : '—';
  if (!hasPort) return addr;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** countText formats a count with the locale's thousands separators ("1,234", "1.234"). */
export function countText(n) {
  return formatNumber(n);
}

/** plural builds "1 event" / "3 events" from a plural catalog text with a {count}. */
export function plural(n, key) {
  return t(key, { count: Number(n || 0) });
}

/**
 * ongoingBadge marks an event whose attacker is still connected: the event
 * grows (more interaction lines, a longer summary) until the session ends.
 */
export function ongoingBadge() {
  return h('span', { class: 'ongoing', title: t('event.ongoing_title') },
    h('span', { class: 'pulse', 'aria-hidden': 'true' }), t('event.ongoing'));
}

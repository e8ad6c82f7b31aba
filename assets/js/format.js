// Display helpers shared by pages: role names and timestamps in the user's
// locale and time zone.

import { t, locale, timeZone } from './i18n.js';

/** Roles are integers in the API (HoneySens-compatible). */
export const ROLES = [1, 2, 3];
export const ROLE_MANAGER = 2;
export const ROLE_ADMIN = 3;

const ROLE_KEYS = { 1: 'role.observer', 2: 'role.manager', 3: 'role.admin' };

export function roleName(role) {
  return ROLE_KEYS[role] ? t(ROLE_KEYS[role]) : t('role.other', { role });
}

const pad = (n) => String(n).padStart(2, '0');

const formatters = new Map();

/** dateFormat caches one Intl.DateTimeFormat per locale, zone and options. */
function dateFormat(options) {
  const key = `${locale()}|${timeZone()}|${JSON.stringify(options)}`;
  if (!formatters.has(key)) {
    formatters.set(key, new Intl.DateTimeFormat(locale(), { timeZone: timeZone(), ...options }));
  }
  return formatters.get(key);
}

const DATE = { year: 'numeric', month: '2-digit', day: '2-digit' };
const TIME = { hour: '2-digit', minute: '2-digit', second: '2-digit' };

function toDate(value) {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * formatTime shows an API timestamp in the user's locale and time zone, with
 * the zone named: "07.12.2026, 09:15:42 MEZ".
 */
export function formatTime(value) {
  const d = toDate(value);
  if (!d) return value ? String(value) : '—';
  return dateFormat({ ...DATE, ...TIME, timeZoneName: 'short' }).format(d);
}

/** formatDate shows the day of an instant in the user's locale and zone. */
export function formatDate(value) {
  const d = toDate(value);
  return d ? dateFormat(DATE).format(d) : '—';
}

/** formatClock shows the time of day of an instant in the user's zone ("09:15:42"); zoneName() names the zone. */
export function formatClock(value) {
  const d = toDate(value);
  return d ? dateFormat(TIME).format(d) : '—';
}

/** zoneName is the short name of the user's zone now ("MEZ", "UTC"), for column headers. */
export function zoneName() {
  const part = dateFormat({ timeZoneName: 'short' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName');
  return part ? part.value : timeZone();
}

/**
 * formatShort is formatTime for tight table cells: today's times as time of
 * day, older ones as date and minute, without the zone (the column header or
 * a title holding formatTime names it).
 */
export function formatShort(value) {
  const d = toDate(value);
  if (!d) return value ? String(value) : '—';
  if (formatDate(d) === formatDate(new Date())) return dateFormat(TIME).format(d);
  return dateFormat({ ...DATE, hour: '2-digit', minute: '2-digit' }).format(d);
}

/** wallClock is the user's zone's calendar time of d, as the UTC fields of a Date. */
export function wallClock(d) {
  const parts = {};
  for (const p of dateFormat({ ...DATE, ...TIME, hourCycle: 'h23' }).formatToParts(d)) parts[p.type] = p.value;
  return new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute, +parts.second, d.getMilliseconds()));
}

/**
 * localInput turns an instant (Date or API timestamp) into the value of a
 * datetime-local input: the wall-clock time in the user's zone, with
 * milliseconds only when it has some, so an exact bound such as 20:59:59.999
 * survives the trip through the input and back.
 */
export function localInput(value) {
  const d = toDate(value);
  if (!d) return '';
  const w = wallClock(d);
  const ms = w.getUTCMilliseconds();
  return `${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}T`
    + `${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())}`
    + (ms ? `.${String(ms).padStart(3, '0')}` : '');
}

/** fromLocalInput reads a datetime-local value (wall-clock time in the user's zone); null when empty or invalid. */
export function fromLocalInput(local) {
  if (!local) return null;
  const asUTC = new Date(`${local}Z`);
  if (Number.isNaN(asUTC.getTime())) return null;
  // The zone's offset depends on the instant; the second guess settles it across a DST change.
  const offset = (d) => wallClock(d).getTime() - d.getTime();
  const guess = new Date(asUTC.getTime() - offset(asUTC));
  return new Date(asUTC.getTime() - offset(guess));
}

/** formatSpan shows a time span compactly: the end without its date when both fall on one day. */
export function formatSpan(from, to) {
  const minutes = { ...DATE, hour: '2-digit', minute: '2-digit' };
  const a = toDate(from);
  const b = toDate(to);
  if (!a || !b) return `${formatShort(from)} – ${formatShort(to)}`;
  if (formatDate(a) === formatDate(b)) {
    return `${dateFormat(minutes).format(a)}–${dateFormat({ hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(b)}`;
  }
  return `${dateFormat(minutes).format(a)} – ${dateFormat({ ...minutes, timeZoneName: 'short' }).format(b)}`;
}

// Display helpers shared by pages: role names and timestamps.

/** Roles are integers in the API (HoneySens-compatible). */
export const ROLES = { 1: 'Observer', 2: 'Manager', 3: 'Admin' };
export const ROLE_MANAGER = 2;
export const ROLE_ADMIN = 3;

export function roleName(role) {
  return ROLES[role] || `Role ${role}`;
}

const pad = (n) => String(n).padStart(2, '0');

/**
 * formatTime shows an API timestamp as "YYYY-MM-DD HH:MM:SS" in the browser's
 * time zone: unambiguous for operators in any locale and sortable by eye.
 */
export function formatTime(value) {
  if (value === null || value === undefined || value === '') return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `
    + `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * formatShort is formatTime for tight table cells: today's times as
 * "HH:MM:SS", older ones as "YYYY-MM-DD HH:MM". Pair it with a title holding
 * formatTime.
 */
export function formatShort(value) {
  if (value === null || value === undefined || value === '') return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const now = new Date();
  if (d.toDateString() === now.toDateString()) {
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * localInput turns an instant (Date or API timestamp) into the value of a
 * datetime-local input: the browser's wall-clock time, with milliseconds only
 * when it has some, so an exact bound such as 20:59:59.999 survives the trip
 * through the input and back.
 */
export function localInput(value) {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  const ms = d.getMilliseconds();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T`
    + `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
    + (ms ? `.${String(ms).padStart(3, '0')}` : '');
}

/** fromLocalInput reads a datetime-local value (local wall-clock time); null when empty or invalid. */
export function fromLocalInput(local) {
  if (!local) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** formatSpan shows a time span compactly: the end without its date when both fall on one day. */
export function formatSpan(from, to) {
  const a = formatTime(from).slice(0, 16);
  const b = formatTime(to).slice(0, 16);
  return a.slice(0, 10) === b.slice(0, 10) ? `${a}–${b.slice(11)}` : `${a} – ${b}`;
}

// Display helpers shared by pages: role names and timestamps.

/** Roles are integers in the API (HoneySens-compatible). */
export const ROLES = { 1: 'Observer', 2: 'Manager', 3: 'Admin' };
export const ROLE_ADMIN = 3;

export function roleName(role) {
  return ROLES[role] || `Role ${role}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/** formatTime shows an API timestamp in the browser's locale; '—' for none. */
export function formatTime(value) {
  if (value === null || value === undefined || value === '') return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : dateTime.format(d);
}

// Languages of the UI. Every user-visible text comes from a message catalog,
// /i18n/<lang>.json: a flat map from key to text, where {name} is a
// placeholder and a text that depends on a count is an object of plural forms
// ({"one": "...", "other": "..."}, chosen with Intl.PluralRules). The user's
// language and time zone come from the account; empty ones follow the browser.
// Attacker data and event values never pass through t(): they stay as sent.

export const LANGUAGES = { en: 'English', de: 'Deutsch' };

let lang = 'en';
let zone = browserZone();
let catalog = {};

/** browserZone is the browser's IANA time zone. */
export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

// Offered when the browser cannot list its time zones.
const COMMON_ZONES = [
  'UTC', 'Europe/Berlin', 'Europe/Vienna', 'Europe/Zurich', 'Europe/London', 'Europe/Paris',
  'Europe/Amsterdam', 'Europe/Brussels', 'Europe/Madrid', 'Europe/Rome', 'Europe/Warsaw',
  'Europe/Stockholm', 'Europe/Helsinki', 'America/New_York', 'America/Chicago', 'America/Denver',
  'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Singapore', 'Australia/Sydney',
];

/** timeZones lists the IANA zones the browser knows, UTC first. */
export function timeZones() {
  try {
    if (typeof Intl.supportedValuesOf === 'function') {
      return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
    }
  } catch {
    // An older browser: the short list.
  }
  return COMMON_ZONES;
}

/** browserLanguage is the first catalog language the browser asks for, else English. */
export function browserLanguage() {
  for (const tag of navigator.languages || [navigator.language]) {
    const base = String(tag || '').slice(0, 2).toLowerCase();
    if (base in LANGUAGES) return base;
  }
  return 'en';
}

/**
 * useUser loads the catalog for the user's language (null: logged out, the
 * browser's) and sets the time zone the dates are shown in.
 */
export async function useUser(user) {
  const want = (user && user.language) || browserLanguage();
  zone = (user && user.time_zone) || browserZone();
  if (want === lang && Object.keys(catalog).length) return;
  const res = await fetch(`/i18n/${want}.json`, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`language ${want}: ${res.status}`);
  catalog = await res.json();
  lang = want;
  document.documentElement.lang = lang;
}

/** language is the code of the language shown (en, de). */
export function language() {
  return lang;
}

/**
 * locale is what Intl formats dates and numbers with: the browser's own
 * locale when it speaks the chosen language (en-GB keeps its day order), else
 * the language itself.
 */
export function locale() {
  const tag = navigator.language || '';
  return tag.slice(0, 2).toLowerCase() === lang ? tag : lang;
}

/** timeZone is the IANA zone times are shown in. */
export function timeZone() {
  return zone;
}

/**
 * t returns the text for key with {name} placeholders filled from params;
 * numbers are formatted for the locale. A plural text picks its form by
 * params.count. An unknown key shows as itself, so a gap is visible (the
 * catalog tests keep the catalogs complete).
 */
export function t(key, params = {}) {
  let text = catalog[key];
  if (text === undefined) return key;
  if (typeof text === 'object') {
    text = text[new Intl.PluralRules(lang).select(Number(params.count) || 0)] ?? text.other;
  }
  return text.replace(/\{(\w+)\}/g, (tok, name) => {
    if (!(name in params)) return tok;
    const v = params[name];
    return typeof v === 'number' ? formatNumber(v) : String(v);
  });
}

/**
 * tParts is t() for a text with elements in it: params that are DOM nodes
 * stay nodes, so the result (an array for h() or append()) keeps them in the
 * place the language puts them.
 */
export function tParts(key, params = {}) {
  const nodes = [];
  const text = t(key, Object.fromEntries(Object.entries(params).map(([k, v]) => {
    if (!(v instanceof Node)) return [k, v];
    nodes.push(v);
    return [k, `\u0000${nodes.length - 1}\u0000`];
  })));
  return text.split(/\u0000(\d+)\u0000/).map((part, i) => (i % 2 ? nodes[Number(part)] : part)).filter((p) => p !== '');
}

/** has reports whether the catalog knows key (for texts keyed by server codes). */
export function has(key) {
  return key in catalog;
}

/** formatNumber writes n with the locale's digit grouping. */
export function formatNumber(n) {
  return new Intl.NumberFormat(locale()).format(Number(n || 0));
}

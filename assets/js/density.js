// Row density of the lists: comfortable (default) or compact, chosen on the
// events page and remembered in this browser. The choice is a class on <html>,
// so every list's CSS can follow it; phones always get the card layout.

const KEY = 'honeysens.density';

/** isCompact tells whether compact rows are chosen. */
export function isCompact() {
  try {
    return localStorage.getItem(KEY) === 'compact';
  } catch {
    return false; // storage blocked: the default
  }
}

/** applyDensity sets the class on <html> from the stored choice (at start-up). */
export function applyDensity() {
  document.documentElement.classList.toggle('compact', isCompact());
}

/** setCompact stores and applies the choice. */
export function setCompact(on) {
  try {
    localStorage.setItem(KEY, on ? 'compact' : 'comfortable');
  } catch {
    // Not remembered, but still applied for this page view.
  }
  document.documentElement.classList.toggle('compact', on);
}

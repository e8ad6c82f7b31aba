// The life of the page on screen. A page's render(view, ctx) hands what it
// keeps running (timers, subscriptions, listeners) to ctx; the router ends the
// page when it leaves it (another route, the same route rendered again, logout,
// the end of the session), so nothing of a page goes on working for a view
// that is no longer shown.

/**
 * newPageLife starts the life of one rendered page. hooks is what the page's
 * ctx carries:
 *   signal      aborts when the page is left; answers that arrive later are dropped
 *   onLeave(fn) runs fn when the page is left (at once if it already was)
 *   every(ms, fn) calls fn every ms while the browser tab is visible, and when
 *               the tab is shown again (what it shows may be old by then)
 */
export function newPageLife() {
  const ctrl = new AbortController();
  const { signal } = ctrl;

  function onLeave(fn) {
    if (signal.aborted) fn();
    else signal.addEventListener('abort', () => fn(), { once: true });
  }

  function every(ms, fn) {
    if (signal.aborted) return;
    const tick = () => { if (!document.hidden) fn(); };
    const timer = setInterval(tick, ms);
    document.addEventListener('visibilitychange', tick);
    onLeave(() => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    });
  }

  return { end: () => ctrl.abort(), hooks: { signal, onLeave, every } };
}

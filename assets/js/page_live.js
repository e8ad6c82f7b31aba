// Keeping a page's figures current while it is shown: a refresh when the live
// poller reports new events, on a timer (figures also move without new events:
// an ongoing event grows, a sensor goes offline, someone resolves events) and
// when the browser tab becomes visible again. Everything stops when the page's
// signal aborts (the router left the page).

import { onNewEvents } from './events_live.js';

/** keepFresh calls refresh() on new events, every everyMs while the tab is visible, and on return to the tab. */
export function keepFresh(signal, refresh, { everyMs = 15000 } = {}) {
  if (signal.aborted) return;
  const timer = setInterval(() => { if (!document.hidden) refresh(); }, everyMs);
  const off = onNewEvents(() => refresh());
  const onVisible = () => { if (!document.hidden) refresh(); };
  document.addEventListener('visibilitychange', onVisible);
  signal.addEventListener('abort', () => {
    clearInterval(timer);
    off();
    document.removeEventListener('visibilitychange', onVisible);
  }, { once: true });
}

// What the list pages share: keeping their figures current while they are
// shown, and the two lines that say how an action or a refresh went. Both
// live as long as the page (ctx, see page_life.js).

import { h, replace } from './dom.js';
import { onNewEvents } from './events_live.js';

/**
 * keepFresh calls refresh() when the live poller reports new events and every
 * everyMs while the tab is visible (figures also move without new events: an
 * ongoing event grows, a sensor goes offline, someone resolves events).
 */
export function keepFresh(ctx, refresh, { everyMs = 15000 } = {}) {
  ctx.every(everyMs, refresh);
  ctx.onLeave(onNewEvents(() => refresh()));
}

/**
 * statusLines are a page's success notice (it hides itself after noticeMs)
 * and its error line, with the ids given; either may be left out. Their texts
 * are set as text, since they quote names an attacker may have chosen.
 *   announce(text) shows a success and hides an earlier error
 *   fail(text)     shows an error
 *   refresh(load, message) runs load(); a failure shows message(err), unless
 *                  the page was left meanwhile (e.g. the session ended)
 */
export function statusLines(ctx, { notice: noticeId, error: errorId, noticeMs = 6000 }) {
  const notice = noticeId ? h('p', { id: noticeId, class: 'notice success', role: 'status', hidden: true }) : null;
  const error = h('p', { id: errorId, class: 'notice danger', role: 'alert', hidden: true });
  let timer = 0;
  ctx.onLeave(() => clearTimeout(timer));

  function fail(text) {
    replace(error, text);
    error.hidden = false;
  }

  function announce(text) {
    clearTimeout(timer);
    replace(notice, text);
    notice.hidden = false;
    error.hidden = true;
    timer = setTimeout(() => { notice.hidden = true; }, noticeMs);
  }

  async function refresh(load, message) {
    try {
      await load();
      error.hidden = true;
    } catch (err) {
      if (!ctx.signal.aborted) fail(message(err));
    }
  }

  return { notice, error, announce, fail, refresh };
}

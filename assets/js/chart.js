// The timeline chart: events per hour or day, stacked by classification, as
// plain SVG built with svg(). No charting library: this one chart type is
// ~300 lines, needs no dependency to vendor and update, and draws only
// elements and attributes (no inline styles or eval), so the strict CSP holds.
//
// Pointing at a bar shows its time and counts; a click on a bar, or a drag
// across several, calls onSelect(from, to) with the span [from, to). By
// keyboard the chart is one tab stop: arrows move between buckets, Enter
// selects one. Screen readers get a summary as the label and a hidden table.

import { h, svg, replace } from './dom.js';
import { formatDate, formatTime, formatSpan, fromLocalInput, wallClock } from './format.js';
import { classificationName, countText } from './event_labels.js';
import { t, locale } from './i18n.js';

// Bottom to top: the critical class sits on the axis, where it reads best.
export const STACK = [3, 4, 2, 1, 0];
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 24 };
const LABEL_GAP_PX = 52; // room for one x label ("23:00", "12-31")

/** className names the colour class of a classification (also used by legends elsewhere). */
function segClass(c) {
  return `seg c${c}`;
}

/** classLabel is the legend name; Honeypot is what the manual calls critical. */
function classLabel(c) {
  return c === 3 ? t('chart.honeypot_critical') : classificationName(c);
}

/**
 * timelineChart returns {node, update(timeline, bucket)}.
 *   label     what the chart shows, for its accessible name ("Events")
 *   onSelect  (from: Date, to: Date) after a click or a drag over buckets
 */
export function timelineChart({ label, onSelect }) {
  const plot = svg('svg', { class: 'chart-svg', role: 'img', tabindex: 0, height: HEIGHT });
  const tip = h('div', { class: 'chart-tip', role: 'tooltip', hidden: true });
  const live = h('div', { class: 'sr-only', 'aria-live': 'polite' });
  const table = h('table');
  const legend = h('ul', { class: 'chart-legend' }, STACK.map((c) => h('li', null,
    h('span', { class: `swatch sw${c}`, 'aria-hidden': 'true' }), classLabel(c))));
  const frame = h('div', { class: 'chart-frame' }, plot, tip);
  // The table is wrapped: a table box ignores the 1px width that hides the wrapper.
  const node = h('div', { class: 'chart' }, frame, legend, live, h('div', { class: 'sr-only' }, table));

  let buckets = [];
  let unit = 'hour';
  let lastJSON = '';
  let geo = null; // layout of the last render
  let hover = -1; // bucket under the pointer or the keyboard focus
  let dragFrom = -1;
  let dragTo = -1;
  let width = 0;

  /** spanText names a bucket: its day, or its hour span. */
  function spanText(b) {
    return unit === 'day' ? formatDate(b.start) : formatSpan(b.start, b.end);
  }

  function update(timeline, bucket) {
    const json = JSON.stringify([timeline, bucket]);
    if (json === lastJSON) return;
    lastJSON = json;
    unit = bucket === 'day' ? 'day' : 'hour';
    buckets = (timeline || []).map((b, i, all) => {
      const start = new Date(b.t);
      const end = all[i + 1] ? new Date(all[i + 1].t) : nextBucket(start, unit);
      const counts = STACK.map((c) => Number(b.counts?.[c]) || 0);
      return { start, end, counts, total: counts.reduce((a, n) => a + n, 0) };
    });
    if (hover >= buckets.length) hover = -1;
    describe();
    draw();
  }

  /** describe writes the accessible name and the hidden table (they change with the data, not the size). */
  function describe() {
    const total = buckets.reduce((a, b) => a + b.total, 0);
    const per = unit === 'day' ? 'chart.per_day' : 'chart.per_hour';
    let text = t(per, { label });
    if (!buckets.length) {
      text += ` ${t('chart.no_data')}`;
    } else {
      text += ` ${t('chart.span', { from: formatTime(buckets[0].start), to: formatTime(buckets[buckets.length - 1].end) })} `;
      if (!total) {
        text += t('chart.no_events_sentence');
      } else {
        const peak = buckets.reduce((a, b) => (b.total > a.total ? b : a));
        text += t(unit === 'day' ? 'chart.peak_day' : 'chart.peak_hour',
          { count: total, start: formatTime(peak.start), peak: peak.total });
      }
    }
    plot.setAttribute('aria-label', `${text} ${t(unit === 'day' ? 'chart.keys_day' : 'chart.keys_hour')}`);
    const rows = buckets.filter((b) => b.total > 0).map((b) => h('tr', null,
      h('th', { scope: 'row' }, spanText(b)),
      b.counts.map((n) => h('td', null, n)), h('td', null, b.total)));
    replace(table,
      h('caption', null, t(unit === 'day' ? 'chart.caption_day' : 'chart.caption_hour', { label })),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('chart.time')),
        STACK.map((c) => h('th', { scope: 'col' }, classificationName(c))), h('th', { scope: 'col' }, t('chart.total')))),
      h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: STACK.length + 2 }, t('chart.no_events')))));
  }

  function draw() {
    width = frame.clientWidth;
    if (!width) return; // not laid out yet: the resize observer draws once it is
    const max = Math.max(0, ...buckets.map((b) => b.total));
    const { top, step } = yScale(max);
    const left = 12 + 7 * countText(top).length;
    const plotW = Math.max(10, width - left - PAD.right);
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    const band = buckets.length ? plotW / buckets.length : plotW;
    // Thin gaps between bars; few buckets do not make slabs.
    const barW = band >= 4 ? Math.min(48, Math.max(1, band * 0.78)) : band;
    const y = (v) => PAD.top + plotH - (v / top) * plotH;
    geo = { left, plotW, plotH, band };
    plot.setAttribute('width', width);
    plot.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);

    const grid = [];
    for (let v = 0; v <= top; v += step) {
      grid.push(svg('line', { class: 'grid', x1: left, x2: left + plotW, y1: y(v), y2: y(v) }),
        svg('text', { class: 'tick y', x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, countText(v)));
    }
    const bars = buckets.map((b, i) => {
      const x = left + i * band + (band - barW) / 2;
      let base = 0;
      const segs = [];
      b.counts.forEach((n, k) => {
        if (!n) return;
        segs.push(svg('rect', { class: segClass(STACK[k]), x, width: barW, y: y(base + n), height: Math.max(0.5, y(base) - y(base + n)) }));
        base += n;
      });
      return svg('g', {
        class: 'bucket', 'data-i': i, 'data-total': b.total,
        'data-from': b.start.toISOString(), 'data-to': b.end.toISOString(),
      }, segs, svg('rect', { class: 'hit', x: left + i * band, width: band, y: PAD.top, height: plotH }));
    });
    replace(plot,
      svg('g', { class: 'axis' }, grid, xLabels(left, band)),
      svg('rect', { class: 'hover-col', x: 0, y: PAD.top, width: 0, height: plotH }),
      svg('g', { class: 'bars' }, bars),
      svg('rect', { class: 'brush', x: 0, y: PAD.top, width: 0, height: plotH }),
      max ? null : svg('text', { class: 'empty-note', x: left + plotW / 2, y: PAD.top + plotH / 2, 'text-anchor': 'middle' },
        t('chart.no_events_period')));
    paintHover();
    paintBrush();
  }

  function xLabels(left, band) {
    if (!buckets.length) return [];
    const every = labelEvery(band, unit);
    const out = [];
    buckets.forEach((b, i) => {
      const d = wallClock(b.start);
      const show = unit === 'hour'
        ? (every <= 24 ? d.getUTCHours() % every === 0 : d.getUTCHours() === 0 && dayIndex(d) % (every / 24) === 0)
        : dayIndex(d) % every === 0;
      if (!show) return;
      const x = left + i * band + band / 2;
      out.push(svg('line', { class: 'tick-mark', x1: x, x2: x, y1: HEIGHT - PAD.bottom, y2: HEIGHT - PAD.bottom + 4 }),
        svg('text', { class: 'tick x', x, y: HEIGHT - 6, 'text-anchor': 'middle' }, tickText(d, unit)));
    });
    return out;
  }

  function indexAt(ev) {
    if (!geo || !buckets.length) return -1;
    const r = plot.getBoundingClientRect();
    const i = Math.floor((ev.clientX - r.left - geo.left) / geo.band);
    return Math.min(buckets.length - 1, Math.max(0, i));
  }

  function paintHover() {
    const col = plot.querySelector('.hover-col');
    if (!col || !geo) return;
    if (hover < 0) {
      col.setAttribute('width', 0);
      tip.hidden = true;
      return;
    }
    col.setAttribute('x', geo.left + hover * geo.band);
    col.setAttribute('width', geo.band);
    const b = buckets[hover];
    replace(tip,
      h('div', { class: 'tip-time' }, spanText(b)),
      h('table', null, h('tbody', null, STACK.map((c, k) => h('tr', { class: b.counts[k] ? null : 'zero' },
        h('td', null, h('span', { class: `swatch sw${c}`, 'aria-hidden': 'true' }), classificationName(c)),
        h('td', { class: 'num' }, countText(b.counts[k])))),
      h('tr', { class: 'tip-total' }, h('td', null, t('chart.total')), h('td', { class: 'num' }, countText(b.total))))),
      h('div', { class: 'tip-hint' }, b.total ? t('chart.tip_click') : t('chart.no_events_sentence')));
    tip.hidden = false;
    // Beside the bar, flipped to the left half when it would leave the chart.
    const x = geo.left + (hover + 0.5) * geo.band;
    const right = x > width / 2;
    tip.style.left = right ? '' : `${x + 12}px`;
    tip.style.right = right ? `${width - x + 12}px` : '';
  }

  function paintBrush() {
    const brush = plot.querySelector('.brush');
    if (!brush || !geo) return;
    if (dragFrom < 0 || dragTo === dragFrom) {
      brush.setAttribute('width', 0);
      return;
    }
    const a = Math.min(dragFrom, dragTo);
    const b = Math.max(dragFrom, dragTo);
    brush.setAttribute('x', geo.left + a * geo.band);
    brush.setAttribute('width', (b - a + 1) * geo.band);
  }

  function select(a, b) {
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    if (lo < 0 || !buckets[hi]) return;
    onSelect(buckets[lo].start, buckets[hi].end);
  }

  plot.addEventListener('pointermove', (ev) => {
    const i = indexAt(ev);
    if (dragFrom >= 0 && i >= 0) { dragTo = i; paintBrush(); }
    if (i !== hover) { hover = i; paintHover(); }
  });
  plot.addEventListener('pointerleave', () => {
    if (dragFrom >= 0) return; // captured: the drag goes on outside
    hover = -1;
    paintHover();
  });
  plot.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0) return;
    const i = indexAt(ev);
    if (i < 0) return;
    dragFrom = i;
    dragTo = i;
    plot.setPointerCapture(ev.pointerId);
  });
  plot.addEventListener('pointerup', () => {
    if (dragFrom < 0) return;
    const [a, b] = [dragFrom, dragTo];
    dragFrom = -1;
    dragTo = -1;
    paintBrush();
    // A click on an empty bucket is not worth a trip to an empty list; a drag always is.
    if (a !== b || buckets[a].total > 0) select(a, b);
  });
  plot.addEventListener('pointercancel', () => { dragFrom = -1; dragTo = -1; paintBrush(); });

  plot.addEventListener('focus', () => {
    if (hover < 0 && buckets.length) {
      const busy = buckets.map((b) => b.total > 0).lastIndexOf(true);
      hover = busy >= 0 ? busy : buckets.length - 1;
    }
    paintHover();
  });
  plot.addEventListener('blur', () => { hover = -1; paintHover(); });
  plot.addEventListener('keydown', (ev) => {
    if (!buckets.length) return;
    const moves = { ArrowLeft: hover - 1, ArrowRight: hover + 1, Home: 0, End: buckets.length - 1 };
    if (ev.key in moves) {
      ev.preventDefault();
      hover = Math.min(buckets.length - 1, Math.max(0, moves[ev.key]));
      paintHover();
      const b = buckets[hover];
      replace(live, `${spanText(b)}: ${t('count.events', { count: b.total })}`);
    } else if ((ev.key === 'Enter' || ev.key === ' ') && hover >= 0) {
      ev.preventDefault();
      if (buckets[hover].total > 0) select(hover, hover);
      else replace(live, t(unit === 'day' ? 'chart.none_this_day' : 'chart.none_this_hour'));
    } else if (ev.key === 'Escape') {
      hover = -1;
      paintHover();
    }
  });

  // Redraw on width changes (window, sidebar, the one-column layout on phones).
  new ResizeObserver(() => {
    if (frame.clientWidth && frame.clientWidth !== width) draw();
  }).observe(frame);

  return { node, update };
}

/** yScale picks a round top value and tick step for the largest stack: 1, 2 or 5 times a power of ten. */
function yScale(max) {
  if (max <= 0) return { top: 4, step: 1 };
  const raw = max / 4;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw));
  return { top: Math.ceil(max / step) * step, step };
}

/** labelEvery is how many buckets one x label stands for, in steps that fall on round times. */
function labelEvery(band, unit) {
  const need = Math.ceil(LABEL_GAP_PX / Math.max(band, 0.1));
  const steps = unit === 'hour' ? [1, 2, 3, 6, 12, 24, 48, 96, 168] : [1, 2, 5, 7, 14, 30, 60, 90];
  return steps.find((s) => s >= need) || steps[steps.length - 1];
}

/**
 * nextBucket is where the bucket after start begins: an hour later, or the
 * next midnight in the user's zone (23 or 25 hours away across a DST change),
 * as the server's day buckets begin.
 */
function nextBucket(start, unit) {
  if (unit !== 'day') return new Date(start.getTime() + 3600e3);
  const w = wallClock(start);
  w.setUTCDate(w.getUTCDate() + 1);
  return fromLocalInput(w.toISOString().slice(0, 19));
}

/** dayIndex counts days since the epoch of a wallClock() date, so day labels stay put as the period moves. */
function dayIndex(d) {
  return Math.floor(d.getTime() / 86400e3);
}

const pad = (n) => String(n).padStart(2, '0');

/** tickText labels a bucket by the wallClock() date d: the day for day buckets and midnight, else the hour. */
function tickText(d, unit) {
  if (unit === 'day' || d.getUTCHours() === 0) return formatDay(d);
  return `${pad(d.getUTCHours())}:00`;
}

/** formatDay writes day and month in the locale's order ("12/31", "31.12."). */
function formatDay(d) {
  return new Intl.DateTimeFormat(locale(), { month: '2-digit', day: '2-digit', timeZone: 'UTC' }).format(d);
}

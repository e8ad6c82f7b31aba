// Tiny DOM builder. Every string child becomes a text node, so data from the
// API (user names, attacker payloads later on) can never turn into markup.
// This file is the only place that creates elements; nothing uses innerHTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * h('button', {class: 'btn', onclick: fn}, 'Save') builds an element.
 * attrs: on* keys with a function value become event listeners; true sets an
 * empty attribute; false/null/undefined leave it out; anything else is set
 * with setAttribute (which never parses HTML).
 */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/**
 * svg builds an SVG element with the same rules as h(), for the charts: SVG
 * elements must be created in their own namespace to be drawn.
 */
export function svg(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  return append(el, children);
}

/** append adds children (nodes, strings, numbers, nested arrays) as h() does. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** replace swaps all children of parent for the given ones. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** byId is a short getElementById that fails loudly on a missing element. */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

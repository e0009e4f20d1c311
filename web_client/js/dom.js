// DOM helpers shared by every page: element lookup and building, redraw-on-change, rule ids.

import { t } from './i18n.js';

export const $ = (id) => document.getElementById(id);

/**
 * A new element: `props` are properties (`dataset` and `on*` handled), `children` nodes or text.
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {...(Node|string|null|undefined|false)} children
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/** Re-render `node` with `draw()` only when `data` changed (keeps what someone is typing). */
export function redraw(node, data, draw) {
  const sig = JSON.stringify(data);
  if (node._sig === sig) return;
  node._sig = sig;
  draw();
}

/** "[G3, T12]" for a list of rule ids ("" when none). */
export function cite(rules) {
  return rules && rules.length ? `[${rules.join(', ')}]` : '';
}

/**
 * The rule ids behind a decision, folded away in a "Căn cứ" detail (null when none): a chair
 * reads the verdict and its explanation; the ids are one click away.
 * @param {string[]} rules
 */
export function basis(rules) {
  if (!rules || !rules.length) return ''; // nothing cited: an empty text, never the word null in a page
  return el('details', { className: 'basis', dataset: { rules: rules.join(',') } },
    el('summary', { textContent: t('plan.basis') }),
    el('span', { className: 'rules', textContent: rules.join(', ') }));
}

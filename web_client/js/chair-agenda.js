// Chair console: the agenda with each item's gate decision and cited rules (G1–G3), open/close,
// reclassify or confirm-with-reason for suspected items (G2), and the deferred list.

import { lang, t } from './i18n.js';
import { $, basis, button, el, redraw, said } from './chair-ui.js';

const CATEGORIES = [
  'ordinary', 'study', 'task_report', 'other',
  ...Array.from({ length: 15 }, (_, i) => `T${i + 1}`),
];

function gateLine(gate) {
  if (!gate) return null;
  return el('p', { className: `gate gate-${gate.outcome}`, dataset: { rules: gate.rules.join(',') } },
    el('strong', { textContent: `${t(`chair.gate.${gate.outcome}`)} ` }),
    el('span', { textContent: said(gate) }), ' ', basis(gate.rules));
}

function suspectTools(item, base, act) {
  const select = el('select', { className: 'category', ariaLabel: t('chair.agenda.category_label') },
    ...CATEGORIES.map((c) => el('option', { value: c, textContent: t(`chair.category.${c}`), selected: c === item.category })));
  const reason = el('input', { type: 'text', className: 'reason', maxLength: 2000, placeholder: t('chair.agenda.reason') });
  return el('div', { className: 'tools' },
    el('div', { className: 'row' }, select,
      button('chair.agenda.reclassify', 'reclassify', () => act('POST', `${base}/reclassify`, { category: select.value }))),
    el('div', { className: 'row' }, reason,
      button('chair.agenda.confirm', 'confirm', () => act('POST', `${base}/confirm`, { reason: reason.value.trim() }))));
}

function itemRow(item, state, act) {
  const base = `/api/meetings/${state.meetingId}/agenda/${item.id}`;
  const outcome = item.gate ? item.gate.outcome : 'allowed';
  const planned = item.status === 'planned';
  return el('li', { className: `item status-${item.status}`, dataset: { item: String(item.id), status: item.status, outcome } },
    el('div', { className: 'row' },
      el('span', { className: 'title', textContent: item.title }),
      el('span', { className: 'tag', textContent: t(`chair.category.${item.category}`) }),
      el('span', { className: `tag status`, textContent: t(`chair.item.${item.status}`) })),
    gateLine(item.gate),
    item.confirmed_reason ? el('p', { className: 'hint', textContent: t('chair.agenda.confirmed', { reason: item.confirmed_reason }) }) : null,
    el('div', { className: 'row' },
      planned ? button('chair.agenda.open', 'open', () => act('POST', `${base}/open`), 'small primary') : null,
      item.status === 'open' ? button('chair.agenda.close', 'close', () => act('POST', `${base}/close`)) : null),
    planned && outcome === 'suspected' ? suspectTools(item, base, act) : null);
}

/** The agenda, redrawn only when it changed (so a reason being typed is kept). */
export function renderAgenda(state, act) {
  const items = state.console.agenda;
  redraw($('agenda'), [items, lang()], () => {
    $('agenda').replaceChildren(...(items.length ? items.map((i) => itemRow(i, state, act))
      : [el('li', { className: 'hint', textContent: t('chair.agenda.empty') })]));
  });
}

/** Items deferred to the next in-person meeting of the whole cell, with their rule (G1). */
export function renderDeferred(state) {
  redraw($('deferred'), [state.deferred, lang()], () => {
    $('deferred').replaceChildren(...(state.deferred.length ? state.deferred.map((d) => el('li', {
      className: 'item', dataset: { item: String(d.item_id), rules: d.rules.join(',') },
    },
    el('div', { className: 'row' },
      el('span', { className: 'title', textContent: d.title }),
      el('span', { className: 'tag', textContent: t(`chair.category.${d.category}`) })),
    el('p', { className: 'gate gate-blocked' },
      el('span', { textContent: said(d) }), ' ', basis(d.rules)),
    el('p', { className: 'hint', textContent: `${d.meeting_title} · ${d.meeting_date}` }),
    )) : [el('li', { className: 'hint', textContent: t('chair.people.none') })]));
  });
}

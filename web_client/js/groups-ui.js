// What the two party-group pages share (E2: the group leader's console, group.js, and the
// committee's page, groups.js): dd/mm/yyyy dates and the notice bar, which shows a short
// confirmation or a refusal with its message and its rules behind "Căn cứ".

import { ApiError } from './auth.js';
import { pick, t } from './i18n.js';
import { $, basis, el } from './dom.js';

/** dd/mm/yyyy for a YYYY-MM-DD date. */
export function dmy(iso) {
  return iso ? iso.slice(0, 10).split('-').reverse().join('/') : '';
}

/**
 * The page's notice bar. `notice(err, text)` shows a refusal (its message and rule ids), or,
 * without an error, a confirmation that hides itself after `okMs`; `scroll` brings a refusal
 * into view. `refuse(key, params)` is a check in the page before anything is sent: the refusal
 * in Vietnamese, nothing lost.
 */
export function noticeBar({ okMs, scroll = false }) {
  function notice(err, text) {
    const box = $('notice');
    box.hidden = false;
    clearTimeout(box._timer);
    if (!err) {
      box.dataset.kind = 'ok';
      box.dataset.rules = '';
      box.textContent = text || t('groups.done');
      box._timer = setTimeout(() => { if (box.dataset.kind === 'ok') box.hidden = true; }, okMs);
      return;
    }
    const body = err instanceof ApiError ? err.body : { message: { vi: String(err), en: String(err) } };
    const rules = body.rules || [];
    box.dataset.kind = 'error';
    box.dataset.rules = rules.join(',');
    box.replaceChildren(el('strong', { textContent: t('groups.refused', { message: pick(body.message) }) }), ' ', basis(rules));
    if (scroll) box.scrollIntoView({ block: 'nearest' });
  }

  function refuse(key, params) {
    notice(new ApiError(422, { message: { vi: t(key, params), en: t(key, params) } }));
  }

  return { notice, refuse };
}

/** The minutes' download links (.docx, .pdf) of the meeting at `base`, shown or hidden. */
export function minutesLinks(base, shown) {
  for (const fmt of ['docx', 'pdf']) {
    $(`minutes-${fmt}`).hidden = !shown;
    $(`minutes-${fmt}`).href = `${base}/minutes.${fmt}`;
  }
}

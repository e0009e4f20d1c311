// Chair console helpers: DOM building, refusals shown with their rule ids, one action wrapper.

import { ApiError, api } from './auth.js';
import { pick, t } from './i18n.js';
import { $, basis, cite, el, redraw } from './dom.js';

export { $, basis, el, redraw, cite };

const OK_MS = 4000;

/** A button that runs `onclick`; `action` lands in data-action (tests and styling). */
export function button(key, action, onclick, cls = 'small') {
  return el('button', { type: 'button', className: cls, textContent: t(key), dataset: { action }, onclick });
}

/** The text of a {vi, en} decision or result in the current language. */
export function said(decision) {
  return decision ? pick({ vi: decision.vi, en: decision.en }) : '';
}

/** Show a refusal (an ApiError with its rule ids) or a confirmation in the notice bar. */
export function notice(err) {
  const box = $('notice');
  box.hidden = false;
  clearTimeout(box._timer);
  if (!err) { // a confirmation goes away by itself; a refusal stays until the next action
    box.dataset.kind = 'ok';
    box.dataset.rules = '';
    box.textContent = t('chair.done');
    box._timer = setTimeout(() => { if (box.dataset.kind === 'ok') box.hidden = true; }, OK_MS);
    return;
  }
  const body = err instanceof ApiError || (err && err.body) ? err.body // an API or a socket refusal
    : { message: { vi: String(err), en: String(err) } };
  const rules = body.rules || [];
  box.dataset.kind = 'error';
  box.dataset.code = body.code || '';
  box.dataset.rules = rules.join(',');
  box.replaceChildren(
    el('strong', { textContent: t('chair.refused', { message: pick(body.message) }) }),
    ' ', basis(rules),
  );
}

/** An action wrapper: call the API, report the outcome, refresh the console either way. */
export function makeAct(refresh) {
  /** `then(out)` runs on success before the refresh redraws the console (what it fills is
   * in place before the chair can see and type into it). */
  return async (method, path, body, then) => {
    const box = $('notice');
    box.hidden = true;
    box.dataset.kind = 'pending';
    try {
      const out = await api(method, path, body);
      notice(null);
      if (then) then(out);
      return out;
    } catch (err) {
      console.warn('hopchibo: refused', method, path, err instanceof ApiError ? err.body : err);
      notice(err);
      return null;
    } finally {
      await refresh();
    }
  };
}

// What the oversight pages share (/committee, /board, /pilot): Vietnam-time dates and the
// notice bar, which shows a confirmation or a refusal with its rules behind "Căn cứ".
import { pick, t } from './i18n.js';
import { ApiError } from './auth.js';
import { $, basis, el } from './dom.js';

export const VN = 'Asia/Ho_Chi_Minh';
export const vnToday = () => new Date().toLocaleDateString('en-CA', { timeZone: VN });
/** The day of an instant (an ISO timestamp) in Vietnam time, as YYYY-MM-DD. */
export const vnDay = (iso) => new Date(iso).toLocaleDateString('en-CA', { timeZone: VN });
export const dmy = (iso) => (iso ? iso.slice(0, 10).split('-').reverse().join('/') : '');
export const at = (iso) => new Date(iso).toLocaleString('vi-VN', { timeZone: VN, dateStyle: 'short', timeStyle: 'short' });

export function notice(text, kind = 'notice', rules = []) {
  const box = $('notice');
  box.hidden = false;
  box.className = kind;
  box.replaceChildren(el('span', { textContent: text }));
  const cited = basis(rules);
  if (cited) box.append(' ', cited);
  box.dataset.rules = rules.join(',');
}

export function refused(err) {
  const body = err instanceof ApiError ? err.body : { message: { vi: String(err), en: String(err) } };
  notice(t('plan.refused', { message: pick(body.message) }), 'error', body.rules || []);
}

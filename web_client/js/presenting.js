// The document page the chair presents (`presenting` from the live client), shown the same to
// everyone: the page as an image rendered by the server, its name and number.

import { t } from './i18n.js';

/** The URL of page `page` of document `documentId` of the meeting (a PNG). */
export function pageUrl(meetingId, documentId, page) {
  return `/api/meetings/${meetingId}/documents/${documentId}/pages/${page}`;
}

/**
 * Show `state` (a `presenting` message, or null) in `box` (with an <img> and a caption).
 * @param {string} meetingId
 * @param {HTMLElement} box
 * @param {{document_id: number|null, filename: string, page: number, pages: number}|null} state
 */
export function renderPresenting(meetingId, box, state) {
  const on = Boolean(state && state.document_id);
  box.hidden = !on;
  box.dataset.document = on ? String(state.document_id) : '';
  box.dataset.page = on ? String(state.page) : '';
  if (!on) return;
  const img = box.querySelector('img');
  const src = pageUrl(meetingId, state.document_id, state.page);
  if (img.getAttribute('src') !== src) img.src = src;
  const params = { filename: state.filename, page: state.page, pages: state.pages };
  img.alt = t('ui.present.alt', params);
  box.querySelector('.present-title').textContent = t('ui.present.heading', params);
}

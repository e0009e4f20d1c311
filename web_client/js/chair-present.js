// Chair console: presenting a published PDF of the meeting page by page (the live protocol's
// `present` / `stop_presenting`); the console shows the page everyone sees.

import { api } from './auth.js';
import { $, el, redraw } from './chair-ui.js';
import { renderPresenting } from './presenting.js';
import { t } from './i18n.js';

/** Load the published PDFs into the picker (at start, and when the picker gets focus). */
export async function loadDocuments(state) {
  try {
    const docs = await api('GET', `/api/meetings/${state.meetingId}/documents`);
    state.pdfs = docs.filter((d) => d.published_at && d.media_type === 'application/pdf');
  } catch (err) {
    console.warn('hopchibo: documents', err);
  }
  renderPresent(state);
}

/** Wire the buttons; `send(type, fields)` is the live client's. */
export function wirePresent(state, send) {
  $('present-doc').addEventListener('focus', () => loadDocuments(state));
  $('present-start').onclick = () => {
    const page = Math.max(1, Number($('present-number').value) || 1);
    send('present', { document_id: Number($('present-doc').value), page });
  };
  const turn = (by) => {
    const p = state.presenting;
    if (p) send('present', { document_id: p.document_id, page: Math.min(p.pages, Math.max(1, p.page + by)) });
  };
  $('present-prev').onclick = () => turn(-1);
  $('present-next').onclick = () => turn(1);
  $('present-stop').onclick = () => send('stop_presenting');
}

/** The picker, the page everyone sees, and the page buttons. */
export function renderPresent(state) {
  const pdfs = state.pdfs || [];
  redraw($('present-doc'), [pdfs.map((d) => [d.id, d.filename])], () => {
    const chosen = $('present-doc').value;
    $('present-doc').replaceChildren(...pdfs.map((d) => el('option', { value: String(d.id), textContent: d.filename })));
    if (chosen) $('present-doc').value = chosen;
  });
  $('present-none').hidden = pdfs.length > 0;
  $('present-start').disabled = pdfs.length === 0 || !state.live;
  const p = state.presenting;
  $('present-idle').hidden = Boolean(p);
  $('present-idle').textContent = t('chair.present.idle');
  $('present-nav').hidden = !p;
  if (p) {
    redraw($('present-number'), [p.document_id, p.page], () => { $('present-number').value = String(p.page); });
    $('present-prev').disabled = p.page <= 1;
    $('present-next').disabled = p.page >= p.pages;
  }
  renderPresenting(state.meetingId, $('present-box'), p);
}

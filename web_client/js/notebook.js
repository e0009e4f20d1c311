// The member's own notebook on the meeting (S2): private notes, encrypted at rest, read by the
// member alone (an inspection sees them only if the member hands them in). Shown to those the
// server lets keep one: a member of the cell; for others (the hall device, an observer) the
// panel stays hidden.
import { ApiError, api } from './auth.js';
import { $ } from './dom.js';
import { pick, t } from './i18n.js';

const VN = 'Asia/Ho_Chi_Minh';
const time = (iso) => new Date(iso).toLocaleTimeString('vi-VN', { timeZone: VN, hour: '2-digit', minute: '2-digit' });

export async function startNotebook(meetingId) {
  const box = $('notebook-box');
  const path = `/api/meetings/${meetingId}/notebook`;
  const state = $('notebook-state');
  let entry = null;
  try {
    entry = await api('GET', path);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) return; // not a member's: stays hidden
  }
  $('notebook-text').value = entry ? entry.text : '';
  state.textContent = entry ? t('ui.notebook.saved', { at: time(entry.updated_at) }) : '';
  box.hidden = false;
  $('notebook-form').onsubmit = async (event) => {
    event.preventDefault();
    try {
      const saved = await api('PUT', path, { text: $('notebook-text').value });
      state.dataset.state = 'saved';
      state.textContent = t('ui.notebook.saved', { at: time(saved.updated_at) });
    } catch (err) {
      state.dataset.state = 'error';
      state.textContent = err instanceof ApiError && err.body.message ? pick(err.body.message) : t('ui.notebook.failed');
    }
  };
}

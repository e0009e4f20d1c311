// The member's own notebook on the meeting (S2): private notes, encrypted at rest, read by the
// member alone (an inspection sees them only if the member hands them in). Shown to those the
// server lets keep one: a member of the cell; for others (the hall device, an observer) the
// panel stays hidden.
import { ApiError, api } from './auth.js';
import { $, el } from './dom.js';
import { pick, t } from './i18n.js';

const VN = 'Asia/Ho_Chi_Minh';
const dmy = (iso) => iso.slice(0, 10).split('-').reverse().join('/');
const time = (iso) => new Date(iso).toLocaleTimeString('vi-VN', { timeZone: VN, hour: '2-digit', minute: '2-digit' });

/** S2: the member hands the saved notes to an open inspection of the cell covering the
 * meeting (offered only when there is one); the inspection reads them from then on. */
async function showHandIn(meetingId, entry) {
  const form = $('notebook-handin');
  const handed = $('notebook-handed');
  if (entry && entry.handed_in_at) {
    handed.hidden = false;
    handed.textContent = t('ui.notebook.handed', { at: time(entry.handed_in_at) });
  }
  let choices = [];
  if (entry) choices = await api('GET', `/api/meetings/${meetingId}/notebook/inspections`).catch(() => []);
  $('notebook-inspection').replaceChildren(...choices.map((c) => el('option', {
    value: String(c.id), textContent: t('ui.notebook.inspection_item', { committee: c.committee, from: dmy(c.period_from), to: dmy(c.period_to) }),
  })));
  form.hidden = !choices.length;
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      const done = await api('POST', `/api/meetings/${meetingId}/notebook/hand-in`, { inspection_id: Number($('notebook-inspection').value) });
      handed.hidden = false;
      handed.dataset.state = 'handed';
      handed.textContent = t('ui.notebook.handed', { at: time(done.handed_in_at) });
    } catch (err) {
      handed.hidden = false;
      handed.dataset.state = 'error';
      handed.textContent = err instanceof ApiError && err.body.message ? pick(err.body.message) : t('ui.notebook.failed');
    }
  };
}

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
  showHandIn(meetingId, entry);
  $('notebook-form').onsubmit = async (event) => {
    event.preventDefault();
    try {
      const saved = await api('PUT', path, { text: $('notebook-text').value });
      state.dataset.state = 'saved';
      state.textContent = t('ui.notebook.saved', { at: time(saved.updated_at) });
      await showHandIn(meetingId, saved);
    } catch (err) {
      state.dataset.state = 'error';
      state.textContent = err instanceof ApiError && err.body.message ? pick(err.body.message) : t('ui.notebook.failed');
    }
  };
}

// Chair console: minutes (M1): generate from the records, edit the main fields, adopt, export.

import { api } from './auth.js';
import { lang, t } from './i18n.js';
import { $, el, redraw } from './chair-ui.js';

const FIELDS = ['place', 'opening', 'closing', 'notes'];

/** Show the server's copy in the edit fields, unless the chair is editing them. */
function fill(state, minutes) {
  state.minutesAt = minutes.updated_at;
  if (state.minutesDirty) return;
  for (const f of FIELDS) $(`minutes-${f}`).value = minutes.content[f] || '';
  $('minutes-edit').dataset.loaded = minutes.updated_at;
}

/** The minutes panel; the draft's fields are filled the first time the minutes exist. */
export async function renderMinutes(state) {
  const { exists, adopted } = state.console.minutes;
  const box = $('minutes-state');
  box.dataset.state = adopted ? 'adopted' : exists ? 'draft' : 'none';
  box.className = `verdict ${adopted ? 'ok' : ''}`;
  box.textContent = t(adopted ? 'chair.minutes.adopted' : exists ? 'chair.minutes.draft' : 'chair.minutes.none');
  $('minutes-edit').hidden = !exists;
  for (const id of ['minutes-generate', 'minutes-save', 'minutes-adopt']) $(id).disabled = adopted;
  // M1: chosen among those who attended, so that the minutes can follow the close
  const people = state.console.attendance.people.filter((p) => p.attended);
  for (const id of ['minutes-chair', 'minutes-secretary']) {
    const select = $(id);
    redraw(select, [people.map((p) => p.member_id), lang()], () => {
      const keep = select.value;
      select.replaceChildren(...people.map((p) => el('option', { value: String(p.member_id), textContent: p.full_name })));
      if (keep) select.value = keep;
    });
  }
  if (exists && state.minutesAt === null) {
    state.minutesAt = 'loading';
    fill(state, await api('GET', `/api/meetings/${state.meetingId}/minutes`));
  }
}

/** Wire generate, save, adopt and the two downloads. */
export function wireMinutes(state, act) {
  const base = `/api/meetings/${state.meetingId}/minutes`;
  $('minutes-docx').href = `/api/meetings/${state.meetingId}/minutes.docx`;
  $('minutes-pdf').href = `/api/meetings/${state.meetingId}/minutes.pdf`;
  for (const f of FIELDS) $(`minutes-${f}`).addEventListener('input', () => { state.minutesDirty = true; });
  // a new or saved draft fills the fields before the refresh shows them: text typed as soon
  // as they show is never replaced
  const filled = (minutes) => { state.minutesDirty = false; fill(state, minutes); };
  $('minutes-generate').onclick = async () => {
    const body = {};
    if ($('minutes-chair').value) body.chair_member_id = Number($('minutes-chair').value);
    if ($('minutes-secretary').value) body.secretary_member_id = Number($('minutes-secretary').value);
    await act('POST', base, body, filled);
  };
  $('minutes-save').onclick = async () => {
    const body = {};
    for (const f of FIELDS) body[f] = $(`minutes-${f}`).value;
    await act('PATCH', base, body, filled);
  };
  $('minutes-adopt').onclick = () => act('POST', `${base}/adopt`);
}

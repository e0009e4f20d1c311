// Chair console: recording the meeting (R6, R7). The chair starts and stops it; everyone in the
// meeting sees it is on (the live `meeting_state`; here the header badge and the panel). Listing
// and playing back the recordings needs the separate permission `recording.play` as well: without
// it the server refuses (403, audited, citing R7) and the panel says so. A recording is fetched
// whole (the server releases it only once every segment authenticates, remuxed so the player can
// seek) and played in the page.

import { ApiError, api } from './auth.js';
import { pick, t } from './i18n.js';
import { $, basis, el, redraw } from './chair-ui.js';

const VN = 'Asia/Ho_Chi_Minh';
const when = (iso) => (iso ? new Date(iso).toLocaleString('vi-VN', { timeZone: VN, dateStyle: 'short', timeStyle: 'medium' }) : '');
const size = (bytes) => (bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

let playing = null; // the object URL of the recording in the player

/** Read the recording state once (later the live `meeting_state` keeps it current). */
export async function loadRecordingState(state) {
  try {
    const st = await api('GET', `/api/meetings/${state.meetingId}/recording`);
    state.recording = st.recording;
    state.recordingSince = st.started_at;
  } catch (err) {
    console.warn('hopchibo: recording state', err instanceof ApiError ? err.body : err);
  }
  renderRecording(state);
}

/** Show a refusal (an API error with its rule ids) in the recordings panel. */
function refused(err) {
  const box = $('recording-refused');
  const body = err instanceof ApiError && err.body ? err.body : { message: { vi: String(err), en: String(err) } };
  box.hidden = false;
  box.dataset.code = body.code || '';
  box.dataset.rules = (body.rules || []).join(',');
  box.replaceChildren(el('strong', { textContent: t('chair.refused', { message: pick(body.message) }) }), ' ', basis(body.rules || []));
}

/** The meeting's recordings (metadata), for a chair who holds `recording.play`. */
export async function loadRecordings(state) {
  $('recording-refused').hidden = true;
  try {
    state.recordings = await api('GET', `/api/meetings/${state.meetingId}/recordings`);
  } catch (err) {
    state.recordings = null;
    refused(err);
  }
  renderRecording(state);
}

/** Fetch one recording whole and play it in the console's player. */
async function play(state, id) {
  $('recording-refused').hidden = true;
  const player = $('recording-player');
  const resp = await fetch(`/api/recordings/${id}/content?for=player`, { credentials: 'same-origin' });
  if (!resp.ok) {
    const body = resp.headers.get('Content-Type')?.includes('json') ? await resp.json() : null;
    refused(new ApiError(resp.status, body));
    return;
  }
  // Matroska with VP8 and Opus (Chromium and Firefox play it as WebM), remuxed by the server with
  // the index and duration a file written as a stream lacks, so the seek bar works
  const blob = new Blob([await resp.arrayBuffer()], { type: 'video/webm' });
  if (playing) URL.revokeObjectURL(playing);
  playing = URL.createObjectURL(blob);
  player.hidden = false;
  player.dataset.recording = id;
  player.src = playing;
  try {
    await player.play();
  } catch (err) {
    console.warn('hopchibo: playback', err.name); // the controls remain: the chair presses play
  }
}

/** Wire the buttons; `act` is the console's action wrapper (notice bar, refresh). */
export function wireRecording(state, act) {
  const base = `/api/meetings/${state.meetingId}/recording`;
  $('recording-start').onclick = async () => {
    const st = await act('POST', `${base}/start`);
    if (st) { state.recording = true; state.recordingSince = st.started_at; }
    renderRecording(state);
  };
  $('recording-stop').onclick = async () => {
    const row = await act('POST', `${base}/stop`);
    if (row) { state.recording = false; state.recordingSince = null; }
    renderRecording(state);
    if (row && state.recordings) await loadRecordings(state); // the list is open: show the new one
  };
  $('recording-list').onclick = () => loadRecordings(state);
}

/** The header badge, the state line, the start/stop buttons and the list. */
export function renderRecording(state) {
  const on = Boolean(state.recording);
  $('recording-on').hidden = !on;
  $('recording-on').textContent = t('ui.meeting.recording');
  $('recording-state').textContent = on
    ? t('chair.recording.on', { since: when(state.recordingSince) })
    : t('chair.recording.off');
  $('recording-state').className = `verdict ${on ? 'bad' : ''}`;
  $('recording-state').dataset.recording = String(on);
  $('recording-start').hidden = on;
  $('recording-stop').hidden = !on;
  const rows = state.recordings;
  redraw($('recordings'), [rows, document.documentElement.lang], () => {
    if (!rows) { $('recordings').replaceChildren(); return; }
    $('recordings').replaceChildren(...(rows.length ? rows.map((r) => el('li', { dataset: { id: r.id, state: r.state } },
      el('span', { textContent: t('chair.recording.item', { start: when(r.started_at), stop: when(r.stopped_at), size: size(r.size) }) }),
      ' ',
      r.state === 'complete'
        ? el('button', { type: 'button', className: 'small primary', textContent: t('chair.recording.play'), dataset: { action: 'play' }, onclick: () => play(state, r.id) })
        : el('span', { className: 'tag', textContent: t(`chair.recording.state_${r.state}`) }),
    )) : [el('li', { className: 'hint', textContent: t('chair.recording.none') })]));
  });
}

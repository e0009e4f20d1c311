// The chair console: DOM wiring, the console poll (every 2.5 s and on live-meeting events),
// the running time against the M2 minimum. See docs/chair-guide.md ("Bàn điều hành").

import { ApiError, api, session } from './auth.js';
import { apply as applyTexts, init as loadTexts, pick, t } from './i18n.js';
import { renderAgenda, renderDeferred } from './chair-agenda.js';
import { renderCode, renderQuorum, renderRoll, wireAttendance } from './chair-attendance.js';
import { Live, renderLive } from './chair-live.js';
import { loadDocuments, renderPresent, wirePresent } from './chair-present.js';
import { renderMinutes, wireMinutes } from './chair-minutes.js';
import { loadRecordingState, renderRecording, wireRecording } from './chair-recording.js';
import { $, basis, makeAct, redraw } from './chair-ui.js';
import { renderVotes, wireVotes } from './chair-votes.js';

const POLL_MS = 2500;
const MINIMUM_MINUTES = 90; // M2 (120 when a thematic and a regular meeting are held together)

const state = {
  meetingId: (location.pathname.match(/\/meetings\/(\d+)\/chair/) || [])[1],
  orgId: null, console: null, deferred: [], picked: new Set(),
  participantId: null, role: null, live: false, wsStatus: null,
  participants: [], waiting: [], hands: [], speaking: [], locked: false, presenting: null, pdfs: [],
  slots: { audio: [], video: [], screen: [] }, mainSpeaker: null,
  hallCode: null, codeOn: false, minutesAt: null, minutesDirty: false, refreshes: 0,
  recording: false, recordingSince: null, recordings: null,
};
let live = null;
let inFlight = null;
let again = false;

async function load() {
  const [consoleState, deferred] = await Promise.all([
    api('GET', `/api/meetings/${state.meetingId}/console`),
    api('GET', `/api/organisations/${state.orgId}/deferred`),
  ]);
  state.console = consoleState;
  state.deferred = deferred;
  state.refreshes += 1;
  render();
}

/** Refresh the console now (coalesced: one request at a time, one more if asked meanwhile). */
async function refresh() {
  if (inFlight) { again = true; return inFlight; }
  inFlight = (async () => {
    try {
      do { again = false; await load(); } while (again);
    } catch (err) {
      console.warn('hopchibo: console', err instanceof ApiError ? err.body : err);
      if (err instanceof ApiError && err.status === 401) location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

function renderClock() {
  const meeting = state.console && state.console.meeting;
  const started = meeting && meeting.started_at ? new Date(meeting.started_at) : null;
  const status = meeting ? meeting.status : 'scheduled';
  $('meeting-status').textContent = t(`chair.status.${status}`);
  $('meeting-status').dataset.status = status;
  // once closed or cancelled, only the records remain: live controls are hidden (chair.css)
  document.body.dataset.status = status;
  $('start').hidden = status !== 'scheduled';
  $('close-meeting').hidden = status !== 'open';
  $('lock').hidden = status !== 'open';
  if (!started) {
    $('clock').textContent = t('chair.time.not_started');
    $('clock-bar').style.width = '0';
    $('clock-note').textContent = '';
    return;
  }
  // a closed meeting's time is fixed at its end (M2), it does not keep running
  const until = meeting.ended_at ? new Date(meeting.ended_at).getTime() : Date.now();
  const seconds = Math.max(0, Math.floor((until - started.getTime()) / 1000));
  const elapsed = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  $('clock').textContent = t('chair.time.running', { elapsed, minimum: MINIMUM_MINUTES });
  const enough = seconds >= MINIMUM_MINUTES * 60;
  $('clock-bar').style.width = `${Math.min(100, (100 * seconds) / (MINIMUM_MINUTES * 60))}%`;
  $('clock-bar').className = `fill ${enough ? 'ok' : 'warn'}`;
  const note = t(enough ? 'chair.time.enough' : 'chair.time.short');
  redraw($('clock-note'), note, () => $('clock-note').replaceChildren(note, ' ', basis(['M2']))); // keeps Căn cứ open
}

function render() {
  if (!state.console) return;
  $('meeting-title').textContent = state.console.meeting.title;
  renderClock();
  renderQuorum(state.console.attendance);
  renderRoll(state);
  renderAgenda(state, act);
  renderDeferred(state);
  renderVotes(state);
  renderMinutes(state).catch((err) => console.warn('hopchibo: minutes', err));
  if (live) renderLive(state, live);
  renderPresent(state);
  renderCode(state);
  renderRecording(state);
  document.body.dataset.ready = 'true';
}

const act = makeAct(refresh);

async function main() {
  await loadTexts(); // also wires the language switch (#lang)
  const current = await session();
  if (current.stage !== 'full') {
    location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    return;
  }
  $('who').textContent = current.account ? current.account.display_name : '';
  try {
    const meeting = await api('GET', `/api/meetings/${state.meetingId}`);
    state.orgId = meeting.org_id;
    state.locked = meeting.locked;
    await load();
  } catch (err) {
    $('status').textContent = err instanceof ApiError && err.status === 403 ? t('chair.not_chair')
      : err instanceof ApiError ? pick(err.body.message) : String(err);
    return;
  }
  $('console').hidden = false;
  $('start').onclick = () => act('POST', `/api/meetings/${state.meetingId}/start`);
  $('close-meeting').onclick = () => act('POST', `/api/meetings/${state.meetingId}/close`);
  wireAttendance(state, act);
  wireVotes(state, act);
  wireMinutes(state, act);
  wireRecording(state, act);
  loadRecordingState(state);
  $('lang').addEventListener('click', () => { applyTexts(); render(); }); // after i18n's toggle
  live = new Live(state, refresh); // presence changes move attendance: refresh at once
  renderLive(state, live);
  wirePresent(state, (type, fields) => live.send(type, fields));
  loadDocuments(state);
  setInterval(refresh, POLL_MS);
  setInterval(renderClock, 1000);
  window.hopchibo = {
    state, refresh, ready: true, peerStats: async () => (live.peer ? live.peer.pc.getStats() : new Map()),
  };
  await live.start();
}

main();

// The meeting page: DOM wiring, the join flow, reconnection. See docs/user-guide-member.md.

import { ApiError, api, session } from './auth.js';
import { apply as applyTexts, init as loadTexts, pick } from './i18n.js';
import { Peer } from './peer.js';
import { ChatPanel } from './chat.js';
import { LiveClient } from './live-client.js';
import { renderPresenting } from './presenting.js';
import { renderConduct, showVote, startConduct, stopConduct } from './meeting-conduct.js';
import { showEnded } from './meeting-ended.js';
import { startNotebook } from './notebook.js';
import { linkQuality, slotStats } from './stats.js';
import { buildSlots, renderControls, renderPeople, renderQuality, renderStatus } from './ui.js';
import { LocalDevices } from './devices.js';
import { ScreenShare } from './screen.js';
import { buildScreenTile, renderStage, savedLayout, toggleLayout } from './stage.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const meetingId = (location.pathname.match(/\/meetings\/(\d+)/) || [])[1] || params.get('meeting');
const DISCONNECT_GRACE_MS = 3000;
const SILENT_PATH_MS = 4000;
const STALLED_MS = 30000;
const WATCH_MS = 1000;
const QUALITY_MS = 2000;

const state = {
  meetingId, participantId: null, role: null, status: null, joined: false, admitted: false,
  participants: [], waiting: [], slots: { audio: [], video: [] }, speaking: [], hands: [],
  locked: false, recording: false, muted: { audio: false, video: false }, audioOnly: false, handRaised: false,
  quality: null, link: 'full', roomView: params.has('room'), reconnects: 0, mediaRestarts: 0, log: [], ended: false,
  presenting: null,
  layout: savedLayout(), mainSpeaker: null,
};
let live = null;
let chat = null;
let peer = null;
let welcome = null;
let leaving = false;

function setStatus(key, values = {}, kind = 'info') {
  state.status = { key, params: values, kind };
  state.log.push(key);
  renderStatus(state);
}

function render() {
  renderStatus(state);
  renderPeople(state, { send: (type, fields) => live && live.send(type, fields) });
  renderStage(state);
  renderControls(state);
  screen.render(state.admitted);
  renderQuality(state);
  renderConduct(state, render);
  renderShared();
  document.body.classList.toggle('room-view', state.roomView || state.role === 'room_device');
}

/** The chat panel and its control-bar button, and the page the chair presents. */
function renderShared() {
  const reads = state.admitted && state.role !== 'room_device'; // the hall's device reads no content
  $('chat-box').hidden = !reads;
  $('chat-jump').hidden = !reads;
  renderPresenting(meetingId, $('present-box'), reads ? state.presenting : null);
}

/** The control bar's chat button: bring the chat into view, ready to type. */
function showChat() {
  $('chat-box').scrollIntoView({ behavior: 'smooth', block: 'center' });
  $('chat-text').focus({ preventScroll: true });
}

const screen = new ScreenShare({
  peer: () => peer,
  send: (type, fields) => live && live.send(type, fields),
  status: (key, values, kind) => setStatus(key, values, kind),
  changed: () => render(),
});
const devices = new LocalDevices({
  use: async (kind, track) => { // another device: the same connection sends it, or a new one
    const sending = !state.muted[kind] && !(kind === 'video' && state.audioOnly);
    if (peer && !(await peer.replaceLocal(kind, track, sending))) restartMedia(peer);
  },
  status: (key, values, kind) => setStatus(key, values, kind),
});

/** The meeting's live client: joins, and joins again after a drop (live-client.js). */
function connect() {
  live = new LiveClient(meetingId, {
    handlers,
    join: () => ({ audio_only: state.audioOnly, client: { name: 'hopchibo-web', version: '1' } }),
    onConnecting: (attempt) => setStatus(attempt ? 'ui.status.rejoining' : 'ui.status.connecting', { attempt }),
    onClose: onSocketClosed,
  });
  return live.connect();
}

function onSocketClosed(code, retryIn) {
  state.admitted = false;
  state.joined = false; // a refusal before the next `welcome` (e.g. the meeting closed) is shown
  if (peer) peer.close();
  peer = null;
  if (leaving || retryIn === null) return;
  state.reconnects = live.reconnects;
  setStatus('ui.status.rejoining', { attempt: live.attempt }, 'warn');
}

/**
 * A fresh peer connection and offer: at admission, and to recover media after any ICE failure
 * (a new connection with new ICE credentials: the relay answers every offer on a fresh one).
 */
async function startMedia(restarting = false) {
  if (peer) peer.close();
  const servers = welcome.ice_servers.map((s) => ({
    urls: s.urls, username: s.username ?? undefined, credential: s.credential ?? undefined,
  }));
  const camera = state.audioOnly ? null : devices.camera;
  const current = new Peer(welcome.slots, servers, (type, f) => live.send(type, f), { mic: devices.mic, camera });
  peer = current;
  current.holdForSpeakers(state.audioHold || []);
  if (state.muted.audio) await current.setSending('audio', false);
  if (state.muted.video) await current.setSending('video', false);
  current.audio.forEach((_, i) => { $(`audio-${i}`).srcObject = new MediaStream([current.track('audio', i)]); });
  current.video.forEach((_, i) => { $(`video-${i}`).srcObject = new MediaStream([current.track('video', i)]); });
  if (current.screen) $('screen-video').srcObject = new MediaStream([current.track('screen')]);
  await screen.attach(current);
  current.pc.onconnectionstatechange = () => {
    if (peer !== current) return;
    const s = current.pc.connectionState;
    if (s === 'connected') {
      setStatus('ui.status.connected', {}, 'ok');
    } else if (s === 'failed') {
      restartMedia(current);
    }
  };
  await current.negotiate(restarting);
  watchMedia(current);
}

/**
 * Recovers media by itself: a connection that failed, stayed disconnected for
 * DISCONNECT_GRACE_MS, or (new) heard nothing at all from the relay for SILENT_PATH_MS (a cut
 * path) or did not come up within STALLED_MS (however slow the link) is replaced by a fresh one.
 */
function watchMedia(current) {
  const started = Date.now();
  let downSince = null;
  const timer = setInterval(async () => {
    if (peer !== current || leaving || !state.admitted) {
      clearInterval(timer);
      return;
    }
    const s = current.pc.connectionState;
    const now = Date.now();
    if (s === 'connected') {
      downSince = null;
      current.wasConnected = true;
      return;
    }
    let restart = s === 'failed';
    if (s === 'disconnected' || (current.wasConnected && s !== 'connected')) {
      downSince = downSince ?? now;
      restart ||= now - downSince >= DISCONNECT_GRACE_MS;
    } else if (!current.wasConnected) {
      restart ||= now - started >= STALLED_MS;
      restart ||= now - started >= SILENT_PATH_MS && !(await heardFromRelay(current.pc));
    }
    if (restart) {
      clearInterval(timer);
      restartMedia(current);
    }
  }, WATCH_MS);
}

/** Whether any ICE check or packet of the relay's reached this connection. */
async function heardFromRelay(pc) {
  let heard = false;
  (await pc.getStats()).forEach((s) => {
    if (s.type === 'candidate-pair' && ((s.responsesReceived || 0) + (s.requestsReceived || 0) + (s.bytesReceived || 0)) > 0) {
      heard = true;
    }
  });
  return heard;
}

function restartMedia(current) {
  if (peer !== current || leaving || !state.admitted) return;
  state.reconnects += 1;
  state.mediaRestarts += 1;
  setStatus('ui.status.ice_restart', {}, 'warn');
  startMedia(true).catch((err) => console.warn('hopchibo: media restart', err));
}

const handlers = {
  welcome(msg) {
    welcome = msg;
    state.participantId = msg.participant_id;
    state.role = msg.role;
    state.joined = true;
    if (chat) chat.self = msg.participant_id;
    buildSlots(msg.slots);
    buildScreenTile(msg.slots);
    render();
  },
  lobby() { setStatus('ui.status.lobby', {}, 'wait'); },
  admitted() {
    state.admitted = true;
    render();
    setStatus('ui.status.media');
    // the hall's device reads no content (R7): polling the agenda and votes would only be
    // refused, and each refusal written to the access log every two seconds
    if (state.role !== 'room_device') startConduct(state, render);
    if (chat && state.role !== 'room_device') chat.load();
    if (state.role !== 'room_device') startNotebook(meetingId); // S2: the member's own notes
    startMedia(live.rejoined);
  },
  denied(msg) { stop('ui.status.denied', pick(msg.reason)); },
  removed(msg) { // a device switch (the same member joined elsewhere) is not a removal
    if (msg.replaced) stop('ui.status.replaced', '', 'info');
    else stop('ui.status.removed', pick(msg.reason));
  },
  meeting_ended() { ended(); },
  answer(msg) { if (peer) peer.answer(msg.sdp); },
  ice_candidate(msg) { if (peer) peer.candidate(msg); },
  participants(msg) {
    state.participants = msg.participants;
    const me = msg.participants.find((p) => p.id === state.participantId);
    if (me && me.audio_muted && !state.muted.audio) { // the chair muted us: stop sending
      state.muted.audio = true;
      if (peer) peer.setSending('audio', false);
      setStatus('ui.status.muted_by_chair', {}, 'warn');
    }
    screen.presence(me);
    render();
  },
  waiting(msg) { state.waiting = msg.participants; render(); },
  slots(msg) {
    state.slots = { audio: msg.audio, video: msg.video, screen: msg.screen || [] };
    state.link = msg.link || 'full';
    state.audioHold = msg.audio_hold || [];
    if (peer) peer.holdForSpeakers(state.audioHold);
    render();
  },
  speaking(msg) { state.speaking = msg.participant_ids; render(); },
  hands(msg) {
    state.hands = msg.queue;
    state.handRaised = msg.queue.includes(state.participantId);
    render();
  },
  chat_message(msg) { if (chat) chat.received(msg); },
  presenting(msg) { state.presenting = msg.document_id ? msg : null; renderShared(); },
  meeting_state(msg) { state.locked = msg.locked; state.recording = msg.recording === true; render(); },
  error(msg) {
    if (chat && chat.refused(msg)) return; // the chat's refusal, shown under its form
    if (screen.refused(msg)) return; // a share_screen the room refused: said in the status line
    console.warn('hopchibo: error', msg.code, msg.message.en);
    if (msg.code === 'unauthenticated') location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    // `unavailable`: the server is restarting; the socket closes and the page joins again
    if (!state.joined && msg.code !== 'unavailable') stop('ui.status.refused', pick(msg.message));
  },
};

function stop(key, reason, kind = 'error') {
  leaving = true;
  live.stop();
  screen.stop(false);
  stopConduct();
  if (peer) peer.close();
  peer = null;
  state.admitted = false;
  setStatus(key, { reason }, kind);
  render();
}

/** The chair closed the meeting: media, camera and microphone stop; the page does not rejoin. */
function ended() {
  leaving = true;
  live.stop();
  screen.stop(false);
  stopConduct();
  if (peer) peer.close();
  peer = null;
  devices.stop();
  $('self').srcObject = null;
  Object.assign(state, {
    ended: true, admitted: false, participants: [], waiting: [], speaking: [], hands: [],
    slots: { audio: [], video: [] }, recording: false, quality: null, presenting: null,
  });
  setStatus('ui.status.ended', {}, 'info');
  render();
}

function leave() {
  leaving = true;
  screen.stop(false);
  stopConduct();
  state.admitted = false;
  live.leave();
  if (peer) peer.close();
  peer = null;
  state.participants = [];
  state.slots = { audio: [], video: [] };
  setStatus('ui.status.left');
  render();
}

async function toggleMute(kind) {
  state.muted[kind] = !state.muted[kind];
  if (peer) await peer.setSending(kind, !state.muted[kind] && !(kind === 'video' && state.audioOnly));
  live.send(state.muted[kind] ? 'mute' : 'unmute', { kind });
  render();
}

async function toggleAudioOnly() {
  state.audioOnly = !state.audioOnly;
  live.send('audio_only', { on: state.audioOnly });
  if (peer) await peer.setSending('video', !state.audioOnly && !state.muted.video);
  render();
}

async function join() {
  state.audioOnly = $('audio-only-join').checked;
  $('join-box').hidden = true;
  $('meeting').hidden = false;
  await connect();
}

/** The average colour of the video showing `participantId` (tests, and a broken-video hint). */
function colourOf(participantId) {
  const tile = document.querySelector(`.tile[data-participant="${participantId}"] video`);
  if (!tile || tile.videoWidth === 0) return null;
  const canvas = document.createElement('canvas');
  canvas.width = 16;
  canvas.height = 16;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(tile, 0, 0, 16, 16);
  const data = ctx.getImageData(0, 0, 16, 16).data;
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += data[i + c];
  return sum.map((v) => Math.round(v / (data.length / 4)));
}

/** The meeting's title; a closed meeting's page says it ended (true) instead of joining. */
async function showedEnded() {
  try {
    const meeting = await api('GET', `/api/meetings/${meetingId}`);
    $('meeting-title').textContent = meeting.title;
    if (meeting.status === 'closed' || meeting.status === 'cancelled') {
      state.ended = true;
      render();
      await showEnded(meeting); // no Join button: the adopted minutes instead, for those entitled
      window.hopchibo = { state, ready: true };
      return true;
    }
  } catch (err) {
    console.warn('hopchibo: meeting', err instanceof ApiError ? err.code : err);
  }
  return false;
}

async function init() {
  await loadTexts(); // also wires the language switch (#lang)
  render();
  const current = await session();
  if (current.stage !== 'full') {
    setStatus('ui.status.signin');
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  $('who').textContent = current.account ? current.account.display_name : '';
  // the hall's device reads no content (R7): it asks for none, the room tells it if it ended
  const hall = (current.roles || []).length > 0 && current.roles.every((r) => r.role === 'room_device');
  if (!hall && await showedEnded()) return;
  $('join-box').hidden = state.roomView;
  await devices.open();
  $('join').onclick = join;
  $('mic').onclick = () => toggleMute('audio');
  $('cam').onclick = () => toggleMute('video');
  $('audio-only').onclick = toggleAudioOnly;
  $('hand').onclick = () => live.send(state.handRaised ? 'lower_hand' : 'raise_hand');
  $('lock').onclick = () => live.send(state.locked ? 'unlock_meeting' : 'lock_meeting');
  $('leave').onclick = leave;
  $('vote-jump').onclick = showVote;
  $('chat-jump').onclick = showChat;
  chat = new ChatPanel(meetingId, $('chat-box'), (type, fields) => live && live.send(type, fields));
  $('screen').onclick = () => (screen.sharing ? screen.stop() : screen.start());
  $('layout').onclick = () => { toggleLayout(state); render(); };
  $('devices-toggle').onclick = () => devices.togglePanel();
  $('lang').addEventListener('click', () => { applyTexts(); render(); }); // after i18n's toggle
  setInterval(async () => {
    if (!peer) return;
    state.quality = await linkQuality(peer, state.quality && state.quality.counts);
    peer.holdForRepairs(state.quality.loss);
    renderQuality(state);
  }, QUALITY_MS);
  window.hopchibo = {
    state, colourOf, stats: async () => (peer ? slotStats(peer, state.slots) : []),
    peerStats: async () => (peer ? peer.pc.getStats() : new Map()),
    audioHold: () => (peer ? peer.audio.map((t) => t.receiver.jitterBufferTarget ?? null) : []),
    level: () => devices.meter.level,
    sending: () => (peer ? { // what goes out now: the labels of the devices in use
      audio: peer.audio[0].sender.track?.label ?? null, video: peer.video[0].sender.track?.label ?? null,
    } : null),
    ready: true,
  };
  if (state.roomView) join(); // the hall's screen has nobody to press the button
}

init();

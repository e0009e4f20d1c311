// Chair console: the meeting's live client (live-client.js) and the chair's own media (peer.js),
// the lobby with admit/deny, who is online with mute/remove, raised hands in order, the lock.

import { pick, t } from './i18n.js';
import { Peer } from './peer.js';
import { ChatPanel, vietnamTime } from './chat.js';
import { LiveClient } from './live-client.js';
import { renderPresent } from './chair-present.js';
import { loadRecordingState } from './chair-recording.js';
import { $, button, el, notice, redraw } from './chair-ui.js';
import { renderChairVideo } from './chair-video.js';

/** The live side of the console; `onChange()` runs after every presence change. */
export class Live {
  constructor(state, onChange) {
    this.state = state;
    this.onChange = onChange;
    this.client = null;
    this.peer = null;
    this.welcome = null;
    this.local = { mic: null, camera: null };
    this.chat = new ChatPanel(state.meetingId, $('chat-box'), (type, fields) => this.send(type, fields));
  }

  async start() {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
      this.local = { mic: stream.getAudioTracks()[0] || null, camera: stream.getVideoTracks()[0] || null };
    } catch (err) {
      console.warn('hopchibo: no microphone/camera for the chair', err.name);
    }
    await this.connect();
  }

  send(type, fields = {}) {
    if (this.client) this.client.send(type, fields);
  }

  connect() {
    this.client = new LiveClient(this.state.meetingId, {
      handlers: this.handlers(),
      join: () => ({ audio_only: false, client: { name: 'hopchibo-chair', version: '1' } }),
      onConnecting: () => this.status('chair.ws.connecting'),
      onClose: (code, retryIn) => this.closed(retryIn),
    });
    return this.client.connect();
  }

  closed(retryIn) {
    if (this.peer) this.peer.close();
    this.peer = null;
    this.state.live = false;
    if (retryIn !== null) this.status('chair.ws.lost');
  }

  status(key) {
    this.state.wsStatus = key;
    $('status').textContent = t(key);
  }

  async media() {
    if (this.peer) this.peer.close();
    const servers = this.welcome.ice_servers.map((s) => ({
      urls: s.urls, username: s.username ?? undefined, credential: s.credential ?? undefined,
    }));
    const peer = new Peer(this.welcome.slots, servers, (type, f) => this.send(type, f), this.local);
    this.peer = peer;
    peer.holdForSpeakers(this.state.audioHold || []);
    $('audios').replaceChildren(...peer.audio.map((_, i) => {
      const audio = el('audio', { autoplay: true });
      audio.srcObject = new MediaStream([peer.track('audio', i)]);
      return audio;
    }));
    renderChairVideo(this.state, peer);
    await peer.negotiate(this.client.rejoined);
  }

  handlers() {
    const s = this.state;
    const changed = () => { renderLive(s, this); this.onChange(); };
    return {
      welcome: (msg) => {
        this.welcome = msg; s.participantId = msg.participant_id; s.role = msg.role; this.chat.self = msg.participant_id;
      },
      lobby: () => {},
      admitted: () => {
        s.live = true; this.status('chair.ws.connected'); this.media(); this.chat.load(); renderPresent(s);
      },
      denied: (msg) => { $('status').textContent = pick(msg.reason); },
      removed: (msg) => { $('status').textContent = pick(msg.reason); },
      meeting_ended: () => { // closed by a chair: the client does not reconnect
        if (this.peer) this.peer.close();
        this.peer = null;
        s.live = false; s.participants = []; s.waiting = []; s.hands = []; s.presenting = null;
        renderPresent(s);
        $('status').textContent = t('ui.status.ended');
        changed();
      },
      answer: (msg) => { if (this.peer) this.peer.answer(msg.sdp); },
      ice_candidate: (msg) => { if (this.peer) this.peer.candidate(msg); },
      participants: (msg) => { s.participants = msg.participants; changed(); },
      waiting: (msg) => { s.waiting = msg.participants; changed(); },
      slots: (msg) => {
        s.slots = { audio: msg.audio, video: msg.video, screen: msg.screen || [] };
        s.audioHold = msg.audio_hold || [];
        if (this.peer) this.peer.holdForSpeakers(s.audioHold);
        renderChairVideo(s, this.peer);
      },
      speaking: (msg) => { s.speaking = msg.participant_ids; renderLive(s, this); },
      hands: (msg) => { s.hands = msg.queue; changed(); },
      meeting_state: (msg) => {
        s.locked = msg.locked;
        const on = msg.recording === true;
        if (on !== s.recording) { s.recording = on; loadRecordingState(s); } // since when
        changed();
      },
      chat_message: (msg) => this.chat.received(msg),
      presenting: (msg) => { s.presenting = msg.document_id ? msg : null; renderPresent(s); },
      error: (msg) => {
        if (this.chat.refused(msg)) return; // the chat's refusal, shown under its form
        notice({ body: msg });
        if (msg.code === 'unauthenticated') location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
        if (s.role === null && msg.code === 'forbidden') { this.client.stop(); $('status').textContent = t('chair.not_chair'); }
      },
    };
  }
}

/** Allow or withdraw screen sharing (chairs may always share; the hall device never does). */
function screenButton(p, send) {
  if (p.role === 'chair' || p.role === 'room_device' || p.kind !== 'online') return null;
  const on = Boolean(p.screen_allowed);
  return button(on ? 'chair.screen.withdraw' : 'chair.screen.allow', on ? 'withdraw-screen' : 'allow-screen',
    () => send('allow_screen', { participant_id: p.id, on: !on }));
}

function nameOf(state, id) {
  const p = state.participants.find((x) => x.id === id) || state.waiting.find((x) => x.id === id);
  return p ? p.display_name : id;
}

/** Lobby, online participants, hands, the lock button and the video panel, from the socket's
 * latest messages. */
export function renderLive(state, live) {
  renderChairVideo(state, live.peer);
  const send = (type, fields) => live.send(type, fields);
  redraw($('lobby'), [state.waiting, document.documentElement.lang], () => {
    $('lobby').replaceChildren(...(state.waiting.length ? state.waiting.map((p) => el('li', { className: 'person', dataset: { id: p.id } },
      el('span', { className: 'name', textContent: p.display_name }),
      button('chair.people.admit', 'admit', () => send('admit', { participant_id: p.id }), 'small primary'),
      button('chair.people.deny', 'deny', () => send('deny', { participant_id: p.id, reason: '' }), 'small danger'),
    )) : [el('li', { className: 'hint', textContent: t('chair.people.none') })]));
  });
  // "admit all invited": everyone waiting but those a chair denied or removed (the server decides)
  const admitAll = $('admit-all');
  admitAll.hidden = state.waiting.length === 0;
  admitAll.textContent = t('chair.people.admit_all', { count: state.waiting.length });
  admitAll.onclick = () => send('admit_all');
  const others = state.participants.filter((p) => p.id !== state.participantId);
  // who speaks changes every few hundred ms: marked in place, so the buttons stay under the mouse
  const steady = others.map(({ speaking: _speaking, ...rest }) => rest);
  redraw($('online'), [steady, document.documentElement.lang], () => {
    $('online').replaceChildren(...(others.length ? others.map((p) => el('li', {
      className: 'person', dataset: { id: p.id, kind: p.kind, lost: String(Boolean(p.lost_at)) },
    },
    el('span', { className: 'name', textContent: p.display_name }),
    p.kind === 'room_device' ? el('span', { className: 'tag', textContent: t('chair.people.hall_device') }) : null,
    p.kind === 'room' ? el('span', { className: 'tag in_room', textContent: t('ui.people.in_room') }) : null,
    p.audio_muted ? el('span', { className: 'tag muted', textContent: t('chair.people.muted') }) : null,
    p.lost_at ? el('span', { className: 'tag lost', dataset: { lostAt: p.lost_at }, textContent: t('chair.people.lost_at', { time: vietnamTime(p.lost_at) }) }) : null,
    // the relay's estimate of what this person's link carries (docs/media.md, adaptation)
    p.kind === 'room' || p.lost_at ? null : el('span', {
      className: `tag link link-${p.quality}`, dataset: { link: p.quality },
      textContent: t('chair.people.link', { quality: t(`ui.quality.${p.quality}`) }),
    }),
    p.sharing_screen ? el('span', { className: 'tag sharing', textContent: t('chair.screen.sharing') }) : null,
    p.audio_muted || p.kind === 'room' ? null : button('chair.people.mute', 'mute', () => send('mute_participant', { participant_id: p.id, kind: 'audio' })),
    screenButton(p, send),
    button('chair.people.remove', 'remove', () => send('remove_participant', { participant_id: p.id, reason: '' }), 'small danger'),
    )) : [el('li', { className: 'hint', textContent: t('chair.people.none') })]));
  });
  for (const item of $('online').querySelectorAll('li[data-id]')) {
    item.dataset.speaking = String(state.speaking.includes(item.dataset.id));
  }
  redraw($('hands'), [state.hands, state.participants.map((p) => p.display_name), document.documentElement.lang], () => {
    $('hands').replaceChildren(...state.hands.map((id) => el('li', { className: 'person', dataset: { id } },
      el('span', { className: 'name', textContent: nameOf(state, id) }),
      button('chair.people.lower', 'lower', () => send('lower_hand_of', { participant_id: id })),
    )));
  });
  const lock = $('lock');
  lock.textContent = t(state.locked ? 'chair.meeting.unlock' : 'chair.meeting.lock');
  lock.setAttribute('aria-pressed', String(state.locked));
  lock.onclick = () => send(state.locked ? 'unlock_meeting' : 'lock_meeting');
  $('locked').hidden = !state.locked;
}

// Chair console: the meeting's WebSocket (signaling.js) and the chair's own media (peer.js),
// the lobby with admit/deny, who is online with mute/remove, raised hands in order, the lock.

import { pick, t } from './i18n.js';
import { Peer } from './peer.js';
import { Signaling } from './signaling.js';
import { $, button, el, notice, redraw } from './chair-ui.js';

const RETRY_MS = [500, 1000, 2000, 5000, 10000];

/** The live side of the console; `onChange()` runs after every presence change. */
export class Live {
  constructor(state, onChange) {
    this.state = state;
    this.onChange = onChange;
    this.signaling = null;
    this.peer = null;
    this.welcome = null;
    this.local = { mic: null, camera: null };
    this.attempt = 0;
    this.stopped = false;
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
    if (this.signaling) this.signaling.send(type, fields);
  }

  async connect() {
    this.status('chair.ws.connecting');
    const handlers = this.handlers();
    this.signaling = new Signaling(this.state.meetingId, handlers, (code, which) => this.closed(code, which));
    try {
      await this.signaling.open();
    } catch {
      return; // onclose follows and schedules the next attempt
    }
    this.send('join', { meeting_id: String(this.state.meetingId), audio_only: false, client: { name: 'hopchibo-chair', version: '1' } });
  }

  closed(code, which) {
    if (which !== this.signaling) return;
    if (this.peer) this.peer.close();
    this.peer = null;
    this.state.live = false;
    if (this.stopped || code === 1008) return;
    this.status('chair.ws.lost');
    setTimeout(() => this.connect(), RETRY_MS[Math.min(this.attempt++, RETRY_MS.length - 1)]);
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
    $('audios').replaceChildren(...peer.audio.map((_, i) => {
      const audio = el('audio', { autoplay: true });
      audio.srcObject = new MediaStream([peer.track('audio', i)]);
      return audio;
    }));
    await peer.negotiate(this.attempt > 0);
  }

  handlers() {
    const s = this.state;
    const changed = () => { renderLive(s, this); this.onChange(); };
    return {
      welcome: (msg) => { this.welcome = msg; s.participantId = msg.participant_id; s.role = msg.role; },
      lobby: () => {},
      admitted: () => { s.live = true; this.attempt = 0; this.status('chair.ws.connected'); this.media(); },
      denied: (msg) => { this.stopped = true; $('status').textContent = pick(msg.reason); },
      removed: (msg) => { this.stopped = true; $('status').textContent = pick(msg.reason); },
      meeting_ended: () => {
        this.stopped = true; // closed by a chair: no reconnect
        if (this.peer) this.peer.close();
        this.peer = null;
        s.live = false; s.participants = []; s.waiting = []; s.hands = [];
        $('status').textContent = t('ui.status.ended');
        changed();
      },
      answer: (msg) => { if (this.peer) this.peer.answer(msg.sdp); },
      ice_candidate: (msg) => { if (this.peer) this.peer.candidate(msg); },
      participants: (msg) => { s.participants = msg.participants; changed(); },
      waiting: (msg) => { s.waiting = msg.participants; changed(); },
      slots: () => {},
      speaking: (msg) => { s.speaking = msg.participant_ids; renderLive(s, this); },
      hands: (msg) => { s.hands = msg.queue; changed(); },
      meeting_state: (msg) => { s.locked = msg.locked; changed(); },
      error: (msg) => {
        notice({ body: msg });
        if (msg.code === 'unauthenticated') location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
        if (s.role === null && msg.code === 'forbidden') { this.stopped = true; $('status').textContent = t('chair.not_chair'); }
      },
    };
  }
}

function nameOf(state, id) {
  const p = state.participants.find((x) => x.id === id) || state.waiting.find((x) => x.id === id);
  return p ? p.display_name : id;
}

/** Lobby, online participants, hands and the lock button, from the socket's latest messages. */
export function renderLive(state, live) {
  const send = (type, fields) => live.send(type, fields);
  redraw($('lobby'), [state.waiting, document.documentElement.lang], () => {
    $('lobby').replaceChildren(...(state.waiting.length ? state.waiting.map((p) => el('li', { className: 'person', dataset: { id: p.id } },
      el('span', { className: 'name', textContent: p.display_name }),
      button('chair.people.admit', 'admit', () => send('admit', { participant_id: p.id }), 'small primary'),
      button('chair.people.deny', 'deny', () => send('deny', { participant_id: p.id, reason: '' }), 'small danger'),
    )) : [el('li', { className: 'hint', textContent: t('chair.people.none') })]));
  });
  const others = state.participants.filter((p) => p.id !== state.participantId);
  redraw($('online'), [others, state.speaking, document.documentElement.lang], () => {
    $('online').replaceChildren(...(others.length ? others.map((p) => el('li', {
      className: 'person', dataset: { id: p.id, kind: p.kind, speaking: String(state.speaking.includes(p.id)) },
    },
    el('span', { className: 'name', textContent: p.display_name }),
    p.kind === 'room_device' ? el('span', { className: 'tag', textContent: t('chair.people.hall_device') }) : null,
    p.kind === 'room' ? el('span', { className: 'tag in_room', textContent: t('ui.people.in_room') }) : null,
    p.audio_muted ? el('span', { className: 'tag muted', textContent: t('chair.people.muted') }) : null,
    p.audio_muted || p.kind === 'room' ? null : button('chair.people.mute', 'mute', () => send('mute_participant', { participant_id: p.id, kind: 'audio' })),
    button('chair.people.remove', 'remove', () => send('remove_participant', { participant_id: p.id, reason: '' }), 'small danger'),
    )) : [el('li', { className: 'hint', textContent: t('chair.people.none') })]));
  });
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

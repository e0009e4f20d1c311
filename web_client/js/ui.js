// Rendering of the meeting page from the state held in main.js. No network here.

import { vietnamTime } from './chat.js';
import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The status line (role=status, read out by screen readers). */
export function renderStatus(state) {
  $('status').textContent = state.status ? t(state.status.key, state.status.params) : '';
  $('status').dataset.kind = state.status ? state.status.kind || 'info' : 'info';
}

/** Participants (with who is speaking) and, for chairs, the lobby with admit/deny. */
export function renderPeople(state, actions) {
  const list = $('participants');
  list.replaceChildren();
  $('people-heading').textContent = t('ui.people.heading', { count: state.participants.length });
  for (const p of state.participants) {
    const item = el('li', 'person');
    item.dataset.id = p.id;
    item.dataset.speaking = String(p.speaking || state.speaking.includes(p.id));
    const name = el('span', 'name', p.display_name);
    item.append(name);
    if (p.id === state.participantId) item.append(el('span', 'tag', t('ui.people.you')));
    const tags = [];
    if (p.role === 'chair') tags.push('ui.people.chair');
    if (p.role === 'observer') tags.push('ui.people.observer');
    if (p.role === 'room_device') tags.push('ui.people.room_device');
    if (p.kind === 'room') tags.push('ui.people.in_room');
    if (item.dataset.speaking === 'true') tags.push('ui.people.speaking');
    if (p.audio_muted) tags.push('ui.people.muted');
    if (p.hand_raised) tags.push('ui.people.hand');
    if (p.sharing_screen) tags.push('ui.people.sharing');
    if (p.quality === 'poor' && !p.lost_at) tags.push('ui.people.weak');
    for (const key of tags) item.append(el('span', `tag ${key.split('.').pop()}`, t(key)));
    if (p.lost_at) item.append(el('span', 'tag lost', t('ui.people.lost_at', { time: vietnamTime(p.lost_at) })));
    if (state.role === 'chair' && p.id !== state.participantId && p.kind !== 'room') {
      const mute = el('button', 'small', t('ui.people.mute'));
      mute.onclick = () => actions.send('mute_participant', { participant_id: p.id, kind: 'audio' });
      const remove = el('button', 'small danger', t('ui.people.remove'));
      remove.onclick = () => actions.send('remove_participant', { participant_id: p.id, reason: '' });
      item.append(mute, remove);
    }
    list.append(item);
  }
  const waiting = $('waiting');
  waiting.replaceChildren();
  $('waiting-box').hidden = state.role !== 'chair';
  $('waiting-heading').textContent = t('ui.people.waiting', { count: state.waiting.length });
  for (const w of state.waiting) {
    const item = el('li', 'person waiting');
    item.dataset.id = w.id;
    item.append(el('span', 'name', w.display_name));
    const admit = el('button', 'small primary', t('ui.people.admit'));
    admit.dataset.action = 'admit';
    admit.onclick = () => actions.send('admit', { participant_id: w.id });
    const deny = el('button', 'small danger', t('ui.people.deny'));
    deny.onclick = () => actions.send('deny', { participant_id: w.id, reason: '' });
    item.append(admit, deny);
    waiting.append(item);
  }
}

/** Button labels follow the state (mute/unmute, camera, audio only, hand, lock). */
export function renderControls(state) {
  $('mic').textContent = t(state.muted.audio ? 'ui.controls.unmute' : 'ui.controls.mute');
  $('mic').setAttribute('aria-pressed', String(state.muted.audio));
  $('cam').textContent = t(state.muted.video ? 'ui.controls.camera_on' : 'ui.controls.camera_off');
  $('cam').setAttribute('aria-pressed', String(state.muted.video));
  $('audio-only').textContent = t(state.audioOnly ? 'ui.controls.audio_only_off' : 'ui.controls.audio_only_on');
  $('hand').textContent = t(state.handRaised ? 'ui.controls.lower_hand' : 'ui.controls.raise_hand');
  for (const id of ['mic', 'cam', 'audio-only', 'hand']) $(id).hidden = !state.admitted; // lobby
  $('cam').hidden ||= state.audioOnly; // audio only: no camera of one's own, nothing to switch off
  document.querySelector('.tile.self').hidden = state.audioOnly || state.ended;
  $('lock').hidden = state.role !== 'chair' || !state.admitted;
  $('leave').hidden = state.ended; // the meeting is over: nothing to leave
  $('lock').textContent = t(state.locked ? 'ui.controls.unlock' : 'ui.controls.lock');
  $('locked').hidden = !state.locked;
  $('recording').hidden = !state.recording; // the chair is recording: everyone sees it
  $('lang').textContent = t('ui.lang.switch');
}

/** Link quality from getStats (RTT, loss). */
export function renderQuality(state) {
  const q = state.quality;
  $('quality').textContent = q ? t('ui.quality.label', {
    quality: t(`ui.quality.${q.quality}`), rtt: q.rtt === null ? '–' : q.rtt, loss: q.loss,
  }) : '';
  $('quality').dataset.quality = q ? q.quality : 'unknown';
  // the relay sends less than everything: say so (the member may also choose audio only)
  const link = state.link && state.link !== 'full' && !state.audioOnly ? state.link : null;
  $('link').hidden = !link;
  $('link').textContent = link ? t(`ui.link.${link}`) : '';
  $('link').dataset.link = link || 'full';
}

/** One <audio> per audio slot and one video tile per video slot (counts from `welcome`). */
export function buildSlots(slots) {
  const audios = $('audios');
  for (let i = audios.children.length; i < slots.audio; i++) {
    const audio = el('audio');
    audio.id = `audio-${i}`;
    audio.autoplay = true;
    audios.append(audio);
  }
  const videos = $('videos');
  for (let i = videos.querySelectorAll('.tile[data-slot]').length; i < slots.video; i++) {
    const tile = el('figure', 'tile');
    tile.dataset.slot = String(i);
    tile.hidden = true;
    const video = el('video');
    video.id = `video-${i}`;
    video.autoplay = true;
    video.playsInline = true;
    video.muted = true; // sound comes from the audio slots
    tile.append(video, el('figcaption', 'label'));
    videos.append(tile);
  }
}

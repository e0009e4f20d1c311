// The chair console's video panel: the hall (the room device's camera), the person speaking now
// and a shared screen, each taken from whichever of the chair's receive slots carries them (the
// relay pins the hall, then forwards speakers: docs/media.md, "Who is forwarded").

import { $ } from './dom.js';
import { t } from './i18n.js';

function nameOf(state, id) {
  const p = state.participants.find((x) => x.id === id);
  return p ? p.display_name : '';
}

/** Show slot `index` of `kind` in the tile `which` (null: the tile waits, blank). */
function show(peer, which, kind, index, caption) {
  const tile = $(`chair-${which}`);
  const video = tile.querySelector('video');
  const track = index === null || index < 0 || !peer ? null : peer.track(kind, index);
  const current = video.srcObject ? video.srcObject.getTracks()[0] : null;
  if (current !== track) video.srcObject = track ? new MediaStream([track]) : null; // once per source
  tile.dataset.empty = String(!track);
  tile.querySelector('.label').textContent = track ? caption : t('chair.video.none');
}

/** Redraw the panel from the slot map, who is speaking and the participants. */
export function renderChairVideo(state, peer) {
  const video = state.slots.video;
  const hall = state.participants.find((p) => p.role === 'room_device' && video.includes(p.id));
  const others = video.filter((id) => id && id !== (hall && hall.id));
  const speaking = state.speaking.find((id) => others.includes(id));
  if (speaking) state.mainSpeaker = speaking;
  else if (!others.includes(state.mainSpeaker)) state.mainSpeaker = others[0] || null;
  const speaker = state.mainSpeaker;
  show(peer, 'hall', 'video', hall ? video.indexOf(hall.id) : null, t('chair.video.hall'));
  show(peer, 'speaker', 'video', speaker ? video.indexOf(speaker) : null,
    speaker ? `${t('chair.video.speaker')}: ${nameOf(state, speaker)}` : '');
  const presenter = (state.slots.screen || [])[0] || null;
  show(peer, 'screen', 'screen', presenter ? 0 : null,
    presenter ? `${t('chair.video.screen')}: ${nameOf(state, presenter)}` : '');
  $('chair-screen').hidden = !presenter;
  $('chair-speaker').dataset.participant = speaker || '';
  $('chair-hall').dataset.participant = hall ? hall.id : '';
  $('chair-screen').dataset.participant = presenter || '';
}

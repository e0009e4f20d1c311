// The video stage of the member page: one tile per video slot, the shared screen's tile, and the
// layout. Speaker view: the shared screen, or else the active speaker, large and the others
// small; the large tile follows whoever speaks and stays on the last speaker during silence.
// Grid: every tile the same size (a shared screen still spans the row). See docs/user-guide-member.md.

import { $, el } from './dom.js';
import { t } from './i18n.js';

const STORE = 'hopchibo.layout';

/** The layout chosen in this browser: 'speaker' (the default) or 'grid'. */
export function savedLayout() {
  return localStorage.getItem(STORE) === 'grid' ? 'grid' : 'speaker';
}

/** Switch between speaker view and grid; remembered for the next meeting. */
export function toggleLayout(state) {
  state.layout = state.layout === 'grid' ? 'speaker' : 'grid';
  localStorage.setItem(STORE, state.layout);
}

/** The tile of the shared screen, first on the stage (built once, when `welcome` offers it). */
export function buildScreenTile(slots) {
  if (!slots.screen || $('screen-tile')) return;
  const video = el('video', { id: 'screen-video', autoplay: true, playsInline: true, muted: true });
  const tile = el('figure', { id: 'screen-tile', className: 'tile screen', hidden: true },
    video, el('figcaption', { className: 'label' }));
  $('videos').prepend(tile);
}

function nameOf(state, id) {
  const p = state.participants.find((x) => x.id === id);
  return p ? p.display_name : '';
}

/** Who is large in speaker view: the dominant speaker with a tile, else the last one. */
function mainSpeaker(state, shown) {
  const speaking = state.speaking.find((id) => shown.includes(id));
  if (speaking) state.mainSpeaker = speaking;
  else if (!shown.includes(state.mainSpeaker)) state.mainSpeaker = shown[0] || null;
  return state.mainSpeaker;
}

/** Tiles from the slot map, the screen tile, and which tile is large. */
export function renderStage(state) {
  const videos = $('videos');
  const tiles = [...document.querySelectorAll('.tile[data-slot]')];
  for (const tile of tiles) {
    const id = state.slots.video[Number(tile.dataset.slot)] || null;
    tile.hidden = !id;
    tile.dataset.participant = id || '';
    tile.querySelector('.label').textContent = id ? nameOf(state, id) : '';
    tile.dataset.speaking = String(Boolean(id && state.speaking.includes(id)));
  }
  $('self-label').textContent = t('ui.video.you');
  const presenter = (state.slots.screen || [])[0] || null;
  const screen = $('screen-tile');
  if (screen) {
    screen.hidden = !presenter;
    screen.dataset.participant = presenter || '';
    screen.querySelector('.label').textContent = presenter ? t('ui.screen.of', { name: nameOf(state, presenter) }) : '';
  }
  const shown = tiles.filter((tile) => !tile.hidden).map((tile) => tile.dataset.participant);
  const main = presenter ? null : mainSpeaker(state, shown);
  for (const tile of tiles) tile.dataset.main = String(!presenter && tile.dataset.participant === main && main !== null);
  const self = document.querySelector('.tile.self');
  self.dataset.main = String(!presenter && shown.length === 0); // alone: one's own picture
  videos.dataset.layout = state.layout;
  videos.dataset.main = presenter ? 'screen' : main ? 'speaker' : 'none';
  $('layout').textContent = t(state.layout === 'grid' ? 'ui.layout.to_speaker' : 'ui.layout.to_grid');
}

// Sharing one's screen from the member page, once the chair allows it (docs/protocol.md,
// "share_screen"): the screen is captured (getDisplayMedia), sent on the peer's screen line and
// announced; the relay forwards it only while the room says this participant presents.

import { $ } from './dom.js';
import { pick, t } from './i18n.js';

const REFUSALS = new Set(['forbidden', 'conflict']);
/** Slides and documents: sharp and slow (a thin link carries 10 frames a second of a page). */
const SCREEN = { frameRate: { max: 10 }, width: { max: 1920 }, height: { max: 1080 } };

/** The share of this tab; `ctx` gives the peer, sends messages, and reports to the page. */
export class ScreenShare {
  /**
   * @param {object} ctx
   * @param {() => import('./peer.js').Peer|null} ctx.peer the current peer connection
   * @param {(type: string, fields: object) => void} ctx.send
   * @param {(key: string, params: object, kind: string) => void} ctx.status
   * @param {() => void} ctx.changed
   */
  constructor(ctx) {
    this.ctx = ctx;
    this.track = null;
    this.pending = false; // asked the room, no answer yet
    this.allowed = false;
  }

  get sharing() {
    return this.track !== null;
  }

  /** Capture a screen (must run in the click's own task: browsers want a gesture) and share it. */
  async start() {
    if (this.track) return;
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: SCREEN, audio: false });
    } catch (err) {
      if (err.name !== 'NotAllowedError') this.ctx.status('ui.screen.failed', { error: err.name }, 'warn');
      return; // the member cancelled the browser's picker: nothing to say
    }
    this.track = stream.getVideoTracks()[0];
    this.track.contentHint = 'detail'; // text and slides: sharpness before frame rate
    this.track.onended = () => this.stop(); // the browser's own "Stop sharing"
    this.pending = true;
    this.ctx.send('share_screen', { on: true });
    await this.ctx.peer()?.setScreen(this.track);
    this.ctx.status('ui.screen.sharing', {}, 'ok');
    this.ctx.changed();
  }

  /** Stop capturing; `tell`: say so to the room (not when the room stopped it). */
  async stop(tell = true) {
    const track = this.track;
    if (!track) return;
    this.track = null;
    this.pending = false;
    track.onended = null;
    track.stop();
    await this.ctx.peer()?.setScreen(null);
    if (tell) this.ctx.send('share_screen', { on: false });
    this.ctx.changed();
  }

  /** A new peer connection (media restart): it sends the screen being shared from the start. */
  async attach(peer) {
    if (this.track) await peer.setScreen(this.track);
  }

  /** The room's word on this participant (its own presence entry), after every change. */
  presence(me) {
    if (!me) return;
    const allowed = Boolean(me.screen_allowed);
    if (allowed !== this.allowed && me.role !== 'chair') {
      this.ctx.status(allowed ? 'ui.screen.allowed' : 'ui.screen.withdrawn', {}, allowed ? 'ok' : 'warn');
    }
    this.allowed = allowed;
    if (me.sharing_screen) this.pending = false;
    else if (this.track && !this.pending) this.stop(false); // withdrawn, or taken over
  }

  /** A refusal of `share_screen` (not allowed, or someone else shares): stop capturing. */
  refused(msg) {
    if (!this.pending || !REFUSALS.has(msg.code)) return false;
    this.stop(false);
    this.ctx.status('ui.screen.refused', { reason: pick(msg.message) }, 'warn');
    return true;
  }

  /** The share button: shown once the chair allows it (chairs may always share). */
  render(admitted) {
    const button = $('screen');
    button.hidden = !admitted || (!this.allowed && !this.track);
    button.textContent = t(this.track ? 'ui.screen.stop' : 'ui.screen.share');
    button.setAttribute('aria-pressed', String(Boolean(this.track)));
  }
}

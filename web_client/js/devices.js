// Choosing the microphone and camera: the lists (enumerateDevices), opening the chosen ones, and
// a level meter on the microphone (WebAudio AnalyserNode), before joining and in the meeting.
// The choice is remembered in this browser and used on the next join.

import { $, el } from './dom.js';
import { t } from './i18n.js';

const STORE = 'hopchibo.devices';
const METER_MS = 100;
/** RMS of full-scale speech is about 0.1–0.3: scaled so that speaking fills most of the bar. */
const METER_GAIN = 4;
const CAMERA = { width: 320, height: 240 };

/** The remembered choice: `{mic, camera}` device ids (or null: the browser's default). */
export function remembered() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORE) || '{}');
    return { mic: saved.mic || null, camera: saved.camera || null };
  } catch {
    return { mic: null, camera: null };
  }
}

function remember(choice) {
  localStorage.setItem(STORE, JSON.stringify(choice));
}

function constraint(kind, deviceId) {
  const base = kind === 'video' ? { ...CAMERA } : {};
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : (kind === 'video' ? base : true);
}

/**
 * Open the chosen microphone and camera. A device that is gone (unplugged since) falls back to
 * the browser's default; either may be missing (null).
 * @param {{mic: string|null, camera: string|null}} choice
 */
export async function openDevices(choice) {
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: constraint('audio', choice.mic), video: constraint('video', choice.camera),
    });
  } catch (err) {
    if (err.name !== 'OverconstrainedError' && err.name !== 'NotFoundError') throw err;
    return navigator.mediaDevices.getUserMedia({ audio: true, video: { ...CAMERA } });
  }
}

/** One track of `kind` ('audio' or 'video') from the device `deviceId`. */
export async function openOne(kind, deviceId) {
  const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraint(kind, deviceId) });
  return stream.getTracks()[0];
}

/** The level of a microphone track, 0…1, read every METER_MS into a <meter>. */
export class LevelMeter {
  /** @param {HTMLMeterElement} meter */
  constructor(meter) {
    this.meter = meter;
    this.context = null;
    this.source = null;
    this.analyser = null;
    this.timer = null;
    this.level = 0;
    // a page without a gesture may start the context suspended (Firefox does): the first
    // click or key press wakes it
    for (const type of ['pointerdown', 'keydown']) {
      document.addEventListener(type, () => this.context?.resume().catch(() => {}), { capture: true });
    }
  }

  /** Measure `track` (null: nothing to measure). */
  attach(track) {
    this.detach();
    if (!track) return;
    this.context ??= new AudioContext();
    this.context.resume().catch(() => {});
    this.source = this.context.createMediaStreamSource(new MediaStream([track]));
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 1024;
    this.source.connect(this.analyser);
    const samples = new Float32Array(this.analyser.fftSize);
    this.timer = setInterval(() => {
      this.analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      this.level = Math.min(1, METER_GAIN * Math.sqrt(sum / samples.length));
      this.meter.value = this.level;
      this.meter.dataset.level = this.level.toFixed(3);
    }, METER_MS);
  }

  detach() {
    clearInterval(this.timer);
    if (this.source) this.source.disconnect();
    this.source = null;
    this.analyser = null;
    this.meter.value = 0;
  }
}

function label(device, index) {
  return device.label || t('ui.devices.unnamed', { n: index + 1 });
}

/**
 * The member's own microphone and camera: opened from the remembered choice, shown in the
 * preview and the self view, listed (#mic-select, #cam-select) and metered (#mic-level).
 * Picking another device opens it and hands it to `ctx.use(kind, track)` (the peer connection)
 * before the old one stops.
 */
export class LocalDevices {
  /**
   * @param {object} ctx
   * @param {(kind: string, track: MediaStreamTrack) => Promise<void>} ctx.use
   * @param {(key: string, params: object, kind: string) => void} ctx.status
   */
  constructor(ctx) {
    this.ctx = ctx;
    this.mic = null;
    this.camera = null;
    this.stream = null;
    this.meter = new LevelMeter($('mic-level'));
    this.choice = remembered();
    for (const [id, kind] of [['mic-select', 'audio'], ['cam-select', 'video']]) {
      $(id).addEventListener('change', () => {
        const select = $(id);
        this.choice[kind === 'audio' ? 'mic' : 'camera'] = select.value;
        remember(this.choice);
        this.choose(kind, select.value, select.selectedOptions[0]?.textContent || '');
      });
    }
  }

  show() {
    this.stream = new MediaStream([this.mic, this.camera].filter(Boolean));
    $('preview').srcObject = this.stream;
    $('self').srcObject = this.stream;
  }

  /** Open the remembered (or default) devices, then list and meter them. */
  async open() {
    try {
      const stream = await openDevices(this.choice);
      this.mic = stream.getAudioTracks()[0] || null;
      this.camera = stream.getVideoTracks()[0] || null;
      this.show();
    } catch (err) {
      this.ctx.status('ui.join.no_devices', { error: err.name }, 'warn');
    }
    await this.list().catch((err) => console.warn('hopchibo: devices', err));
  }

  /** Fill the lists (labels are known once a device was opened) and select what is in use. */
  async list() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const inUse = { audioinput: this.mic?.getSettings().deviceId, videoinput: this.camera?.getSettings().deviceId };
    for (const [id, kind] of [['mic-select', 'audioinput'], ['cam-select', 'videoinput']]) {
      const found = devices.filter((d) => d.kind === kind);
      const select = $(id);
      select.replaceChildren(...found.map((d, i) => el('option', { value: d.deviceId, textContent: label(d, i) })));
      select.disabled = found.length === 0;
      if (inUse[kind] && found.some((d) => d.deviceId === inUse[kind])) select.value = inUse[kind];
    }
    this.meter.attach(this.mic);
  }

  /** Another microphone or camera, chosen before joining or in the meeting. */
  async choose(kind, deviceId, name) {
    let track;
    try {
      track = await openOne(kind, deviceId);
    } catch (err) {
      this.ctx.status('ui.devices.failed', { error: err.name }, 'warn');
      return;
    }
    const old = kind === 'audio' ? this.mic : this.camera;
    if (kind === 'audio') this.mic = track;
    else this.camera = track;
    this.show();
    if (kind === 'audio') this.meter.attach(track);
    await this.ctx.use(kind, track);
    if (old && old !== track) old.stop();
    this.ctx.status('ui.devices.switched', { name }, 'ok');
  }

  /** In the meeting, the lists and the meter open in a panel under the controls. */
  togglePanel() {
    const panel = $('devices-panel');
    if (panel.hidden) panel.append($('devices'));
    panel.hidden = !panel.hidden;
    $('devices-toggle').setAttribute('aria-expanded', String(!panel.hidden));
  }

  /** The meeting is over: the camera and microphone go off. */
  stop() {
    this.meter.detach();
    for (const track of [this.mic, this.camera]) if (track) track.stop();
  }
}

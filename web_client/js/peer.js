// The one RTCPeerConnection to the relay, in the slot layout of docs/protocol.md.
// The client always offers (the relay never does), so of perfect negotiation only the
// `makingOffer` guard and the check of the signalling state on an answer are needed.

const GATHER_TIMEOUT_MS = 4000;
/** Audio held this long (ms) on a lossy link: four 20 ms repeats and a margin. */
const REPAIR_HOLD_MS = 120;
/** Loss (%) over a quality interval from which audio is held for repairs, and below which not. */
const LOSSY_PCT = 2;
const CLEAN_PCT = 0.5;

/**
 * One peer connection. With `slots.screen`, one more video transceiver, the screen line, is
 * offered last and always `sendrecv`: the shared screen goes out on it (`setScreen`) and the
 * meeting's shared screen comes in; its mid travels in the offer (`screen_mid`).
 */
export class Peer {
  /**
   * @param {{audio: number, video: number, screen?: number}} slots counts announced in `welcome`
   * @param {RTCIceServer[]} iceServers
   * @param {(type: string, fields: object) => void} send signalling
   * @param {{mic: MediaStreamTrack|null, camera: MediaStreamTrack|null}} local
   */
  constructor(slots, iceServers, send, local) {
    this.slots = slots;
    this.send = send;
    this.local = local;
    this.makingOffer = false;
    this.polite = true; // the relay never offers: we always yield
    this.lossy = false; // audio held for the relay's repeats (holdForRepairs)
    this.speakerHolds = []; // per audio slot, held for a speaker's retransmissions (holdForSpeakers)
    this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle' });
    this.audio = []; // transceivers, in audio slot order
    this.video = [];
    this.audio.push(this.pc.addTransceiver(local.mic || 'audio', { direction: local.mic ? 'sendrecv' : 'recvonly' }));
    this.video.push(this.addCamera(local.camera));
    for (let i = 1; i < slots.audio; i++) this.audio.push(this.pc.addTransceiver('audio', { direction: 'recvonly' }));
    for (let i = 1; i < slots.video; i++) this.video.push(this.pc.addTransceiver('video', { direction: 'recvonly' }));
    this.screen = slots.screen ? this.pc.addTransceiver('video', { direction: 'sendrecv' }) : null;
    this.pc.onicecandidate = () => {}; // candidates travel in the offer (aiortc does not trickle)
  }

  /** The camera's line. VP8 in three temporal layers (L1T3) where the browser can: the relay
   * then gives a member on a thin link the base layer alone, a quarter of the frame rate. */
  addCamera(camera) {
    if (!camera) return this.pc.addTransceiver('video', { direction: 'recvonly' });
    try {
      return this.pc.addTransceiver(camera, { direction: 'sendrecv', sendEncodings: [{ scalabilityMode: 'L1T3' }] });
    } catch (err) {
      return this.pc.addTransceiver(camera, { direction: 'sendrecv' });
    }
  }

  /**
   * On a link losing packets, ask the browser to hold incoming audio long enough for the repeats
   * the relay adds (RED: up to four earlier frames, 80 ms) to arrive before the frame is played:
   * without it the decoder conceals a lost frame its repeat would have restored. Back to the
   * browser's own choice once the link is clean. Where `jitterBufferTarget` is not supported,
   * nothing changes.
   * @param {number} lossPct the loss measured over the last interval, in %
   */
  holdForRepairs(lossPct) {
    const lossy = lossPct >= LOSSY_PCT ? true : lossPct < CLEAN_PCT ? false : this.lossy;
    if (lossy === this.lossy) return;
    this.lossy = lossy;
    this.applyHolds();
  }

  /**
   * The relay's hold per audio slot (`slots.audio_hold`, ms): that slot's speaker has a lossy
   * uplink, and what it lost comes again a round trip late; held that long, it is still in time.
   * @param {number[]} holds
   */
  holdForSpeakers(holds) {
    this.speakerHolds = Array.isArray(holds) ? holds : [];
    this.applyHolds();
  }

  /** Each audio slot held for the longer of the two reasons, or left to the browser. */
  applyHolds() {
    this.audio.forEach((transceiver, i) => {
      const receiver = transceiver.receiver;
      if (!('jitterBufferTarget' in receiver)) return;
      const ms = Math.max(this.lossy ? REPAIR_HOLD_MS : 0, Number(this.speakerHolds[i]) || 0);
      const wanted = ms > 0 ? ms : null;
      if (receiver.jitterBufferTarget === wanted) return;
      try {
        receiver.jitterBufferTarget = wanted;
      } catch (err) { /* a browser that refuses the hint plays as before */ }
    });
  }

  /** The receive track of slot `index` of `kind`. */
  track(kind, index) {
    if (kind === 'screen') return this.screen ? this.screen.receiver.track : null;
    const list = kind === 'audio' ? this.audio : this.video;
    return list[index] ? list[index].receiver.track : null;
  }

  /** Offer with every candidate gathered; `iceRestart` marks a reconnection. */
  async negotiate(iceRestart = false) {
    if (this.makingOffer) return;
    this.makingOffer = true;
    try {
      await this.pc.setLocalDescription(await this.pc.createOffer());
      await this.gathered();
      const screen = this.screen && this.screen.mid !== null ? { screen_mid: this.screen.mid } : {};
      this.send('offer', { sdp: this.pc.localDescription.sdp, ice_restart: iceRestart, ...screen });
    } finally {
      this.makingOffer = false;
    }
  }

  gathered() {
    if (this.pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        if (this.pc.iceGatheringState === 'complete') {
          this.pc.removeEventListener('icegatheringstatechange', done);
          resolve();
        }
      };
      this.pc.addEventListener('icegatheringstatechange', done);
      setTimeout(resolve, GATHER_TIMEOUT_MS);
    });
  }

  /** The relay's answer. */
  async answer(sdp) {
    if (this.pc.signalingState !== 'have-local-offer') return; // stale answer: ignore it
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  /** A candidate trickled by the server (null or '' ends them). */
  async candidate(msg) {
    try {
      await this.pc.addIceCandidate(msg.candidate ? {
        candidate: msg.candidate, sdpMid: msg.sdpMid, sdpMLineIndex: msg.sdpMLineIndex,
      } : null);
    } catch (err) {
      console.warn('hopchibo: candidate refused', err);
    }
  }

  /** Mute stops sending altogether (replaceTrack(null)): the relay has nothing to forward. */
  async setSending(kind, on) {
    const transceiver = kind === 'audio' ? this.audio[0] : this.video[0];
    const track = kind === 'audio' ? this.local.mic : this.local.camera;
    if (!track) return;
    await transceiver.sender.replaceTrack(on ? track : null);
  }

  /**
   * Another microphone or camera (a device switch in the meeting). False when this connection
   * did not offer to send that kind: a new connection (a new offer) is needed.
   * @param {'audio'|'video'} kind
   * @param {MediaStreamTrack} track
   * @param {boolean} sending false while muted: the new track waits for unmute
   */
  async replaceLocal(kind, track, sending) {
    const transceiver = kind === 'audio' ? this.audio[0] : this.video[0];
    if (transceiver.direction !== 'sendrecv') return false; // offered without a device
    if (kind === 'audio') this.local.mic = track;
    else this.local.camera = track;
    await transceiver.sender.replaceTrack(sending ? track : null);
    return true;
  }

  /** Send `track` (a captured screen) on the screen line, or stop sending (null). */
  async setScreen(track) {
    if (this.screen) await this.screen.sender.replaceTrack(track);
  }

  close() {
    this.pc.close();
  }
}

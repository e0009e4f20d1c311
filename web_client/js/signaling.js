// One WebSocket per meeting tab: protocol v1 (docs/protocol.md).

const PING_MS = 15000;

/** The meeting's WebSocket; `handlers[type](msg)` is called for each server message. */
export class Signaling {
  /**
   * @param {string} meetingId
   * @param {Record<string, (msg: object) => void>} handlers
   * @param {(code: number, which: Signaling) => void} onClose
   */
  constructor(meetingId, handlers, onClose) {
    this.meetingId = meetingId;
    this.handlers = handlers;
    this.onClose = onClose;
    this.ws = null;
    this.timer = null;
    this.nonce = 0;
    this.lastPong = 0;
    this.version = null; // presence version of the last snapshot plus the deltas applied
    this.people = new Map(); // participant id → entry, in order
  }

  /** Open the socket; resolves once it is open (rejects if it cannot be). */
  open() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/ws/meetings/${this.meetingId}`);
    this.ws = ws;
    this.version = null;
    this.people = new Map();
    return new Promise((resolve, reject) => {
      ws.onopen = () => {
        this.timer = setInterval(() => this.send('ping', { nonce: ++this.nonce }), PING_MS);
        resolve();
      };
      ws.onerror = () => reject(new Error('websocket'));
      ws.onmessage = (event) => this.dispatch(JSON.parse(event.data));
      ws.onclose = (event) => {
        clearInterval(this.timer);
        if (this.ws === ws) this.onClose(event.code, this);
      };
    });
  }

  dispatch(msg) {
    switch (msg.type) {
      case 'participants': // the snapshot: the deltas that follow apply to it
        this.version = msg.version ?? 0;
        this.people = new Map(msg.participants.map((p) => [p.id, p]));
        this.handlers.participants?.(msg);
        break;
      case 'presence':
        this.applyPresence(msg);
        break;
      case 'welcome':
      case 'lobby':
      case 'admitted':
      case 'denied':
      case 'removed':
      case 'meeting_ended':
      case 'answer':
      case 'ice_candidate':
      case 'waiting':
      case 'slots':
      case 'speaking':
      case 'hands':
      case 'meeting_state':
      case 'error':
        this.handlers[msg.type]?.(msg);
        break;
      case 'pong':
        this.lastPong = Date.now();
        break;
      default:
        console.warn('hopchibo: unknown message', msg.type);
    }
  }

  /** Apply a presence delta; the handlers see the whole list as a `participants` message. */
  applyPresence(msg) {
    if (this.version === null || msg.version !== this.version + 1) {
      this.ws?.close(4000); // missed one: reconnect, and `join` brings a snapshot
      return;
    }
    this.version = msg.version;
    for (const id of msg.left) this.people.delete(id);
    for (const p of msg.changed) this.people.set(p.id, p);
    for (const p of msg.joined) this.people.set(p.id, p);
    this.handlers.participants?.({ type: 'participants', version: this.version, participants: [...this.people.values()] });
  }

  /** Send one message of `type` with `fields`. */
  send(type, fields = {}) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ v: 1, type, ...fields }));
    }
  }

  /** Close without reporting it (leaving, or replacing the socket). */
  close() {
    const ws = this.ws;
    this.ws = null;
    clearInterval(this.timer);
    if (ws) ws.close(1000);
  }
}

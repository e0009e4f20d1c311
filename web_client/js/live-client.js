// The one live client of a meeting tab, shared by the member page and the chair console: one
// WebSocket (protocol v1, docs/protocol.md), the presence deltas applied, the heartbeat, and one
// reconnect policy (RECONNECT_MS, with jitter) for both pages.

const PING_MS = 15000;
/** Delay before reconnect attempt n (1, 2, …): doubling from 0.5 s, at most 15 s. */
export const RECONNECT_MS = [500, 1000, 2000, 4000, 8000, 15000];
/** Each delay is spread by ±20 % so that tabs dropped together do not come back together. */
const JITTER = 0.2;
/** Close codes after which the client never reconnects: the server refused this socket. */
const FINAL_CODES = new Set([1008]);

/** The delay before reconnect attempt `attempt` (1-based), in milliseconds. */
export function reconnectDelay(attempt, random = Math.random) {
  const base = RECONNECT_MS[Math.min(attempt, RECONNECT_MS.length) - 1];
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/** The live connection of one page to one meeting; it joins, and joins again after a drop. */
export class LiveClient {
  /**
   * @param {string} meetingId
   * @param {object} options
   * @param {Record<string, (msg: object) => void>} options.handlers `handlers[type](msg)` for
   *   each server message; `participants` gets the whole list after every presence delta
   * @param {() => object} options.join the fields of `join` (read at each connect)
   * @param {(code: number, retryIn: number|null) => void} [options.onClose] the socket closed;
   *   `retryIn`: ms until the next attempt, or null when the client stopped for good
   * @param {(attempt: number) => void} [options.onConnecting] an attempt starts (0: the first)
   */
  constructor(meetingId, { handlers, join, onClose = () => {}, onConnecting = () => {} }) {
    this.meetingId = meetingId;
    this.handlers = handlers;
    this.joinFields = join;
    this.onClose = onClose;
    this.onConnecting = onConnecting;
    this.ws = null;
    this.timer = null;
    this.retry = null;
    this.nonce = 0;
    this.lastPong = 0;
    this.attempt = 0; // failed attempts since the last admission
    this.reconnects = 0; // every reconnect of this tab
    this.stopped = false;
    this.version = null; // presence version of the last snapshot plus the deltas applied
    this.people = new Map(); // participant id → entry, in order
  }

  /** Whether the current socket is a reconnection (the media offers an ICE restart). */
  get rejoined() {
    return this.reconnects > 0;
  }

  /** Open the socket and send `join`; a failure is retried by the policy. */
  async connect() {
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.onConnecting(this.attempt);
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/ws/meetings/${this.meetingId}`);
    this.ws = ws;
    this.version = null;
    this.people = new Map();
    const opened = new Promise((resolve) => {
      ws.onopen = () => resolve(true);
      ws.onerror = () => resolve(false); // onclose follows and schedules the next attempt
    });
    ws.onmessage = (event) => { if (this.ws === ws) this.dispatch(JSON.parse(event.data)); };
    ws.onclose = (event) => {
      if (this.ws === ws) this.closed(event.code);
    };
    if (!(await opened) || this.ws !== ws) return;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.send('ping', { nonce: ++this.nonce }), PING_MS);
    this.send('join', { meeting_id: String(this.meetingId), ...this.joinFields() });
  }

  closed(code) {
    clearInterval(this.timer);
    this.ws = null;
    if (this.stopped || FINAL_CODES.has(code)) {
      this.stopped = true;
      this.onClose(code, null);
      return;
    }
    this.attempt += 1;
    this.reconnects += 1;
    const delay = reconnectDelay(this.attempt);
    this.onClose(code, delay);
    this.retry = setTimeout(() => this.connect(), delay);
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
      case 'admitted':
        this.attempt = 0; // back in: the next drop starts the backoff again
        this.handlers.admitted?.(msg);
        break;
      case 'meeting_ended':
      case 'denied':
        this.stopped = true; // the server closes next: never come back
        this.handlers[msg.type]?.(msg);
        break;
      case 'removed':
        this.stopped = true; // removed, or replaced by this account's newer connection
        this.handlers.removed?.(msg);
        break;
      case 'welcome':
      case 'lobby':
      case 'answer':
      case 'ice_candidate':
      case 'waiting':
      case 'slots':
      case 'speaking':
      case 'hands':
      case 'meeting_state':
      case 'chat_message':
      case 'presenting':
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

  /** Send one message of `type` with `fields` (dropped while the socket is not open). */
  send(type, fields = {}) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ v: 1, type, ...fields }));
    }
  }

  /** Leave the meeting: `leave` is sent, the server closes the socket, no reconnect. */
  leave() {
    this.send('leave');
    this.stopped = true;
    clearTimeout(this.retry);
  }

  /** Stop for good: no reconnect; the socket (if any) is closed normally. */
  stop() {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.timer);
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000);
  }
}

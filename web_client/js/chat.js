// The meeting chat, shared by the member page and the chair console: the history from the API
// when the page is admitted, new messages from the live client (`chat_message`), and the form
// that sends `chat` on the socket. The server refuses control characters and over-long texts
// with a Vietnamese-first message, shown under the form. Times in Vietnam time.

import { ApiError, api } from './auth.js';
import { el } from './dom.js';
import { pick, t } from './i18n.js';

/** Maximum characters in a message (the server's MAX_CHAT_CHARS). */
export const MAX_CHARS = 1000;
const CLOCK = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit' });

/** "14:05" in Vietnam time for an ISO moment. */
export function vietnamTime(iso) {
  return CLOCK.format(new Date(iso));
}

/** One chat panel: `root` holds a list (.chat-list), a form (.chat-form) with an input and a note. */
export class ChatPanel {
  /**
   * @param {string} meetingId
   * @param {HTMLElement} root
   * @param {(type: string, fields: object) => void} send the live client's send
   */
  constructor(meetingId, root, send) {
    this.meetingId = meetingId;
    this.root = root;
    this.send = send;
    this.messages = new Map(); // id → {id, sender, text, sent_at}
    this.pending = false;
    this.list = root.querySelector('.chat-list');
    this.input = root.querySelector('.chat-form input');
    this.note = root.querySelector('.chat-note');
    this.input.maxLength = MAX_CHARS;
    root.querySelector('.chat-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.render();
  }

  /** Load the history (on admission, again after a reconnect: messages are kept by id). */
  async load() {
    try {
      for (const m of await api('GET', `/api/meetings/${this.meetingId}/chat`)) this.messages.set(m.id, m);
    } catch (err) {
      console.warn('hopchibo: chat history', err instanceof ApiError ? err.code : err);
    }
    this.render();
  }

  submit() {
    const text = this.input.value;
    if (!text.trim()) return;
    this.pending = true;
    this.showNote(null);
    this.send('chat', { text });
  }

  /** A `chat_message` from the socket. */
  received(msg) {
    this.messages.set(msg.id, { id: msg.id, sender: msg.display_name, text: msg.text, sent_at: msg.sent_at, participant_id: msg.participant_id });
    if (this.pending && msg.participant_id === this.self) {
      this.pending = false;
      this.input.value = '';
    }
    this.render();
  }

  /** An `error` from the socket: the chat's if one was sent and not yet echoed (true then). */
  refused(msg) {
    if (!this.pending) return false;
    this.pending = false;
    this.showNote(msg);
    return true;
  }

  showNote(msg) {
    this.note.hidden = !msg;
    this.note.textContent = msg ? pick(msg.message) : '';
    this.note.dataset.code = msg ? msg.code : '';
  }

  render() {
    const items = [...this.messages.values()].sort((a, b) => a.id - b.id);
    this.root.dataset.count = String(items.length);
    this.list.replaceChildren(...(items.length ? items.map((m) => el('li', { className: 'chat-item', dataset: { id: String(m.id) } },
      el('span', { className: 'chat-who', textContent: m.sender }),
      ' ',
      el('time', { className: 'chat-time', dateTime: m.sent_at, textContent: vietnamTime(m.sent_at) }),
      el('p', { className: 'chat-text', textContent: m.text }),
    )) : [el('li', { className: 'hint', textContent: t('ui.chat.none') })]));
    this.list.scrollTop = this.list.scrollHeight;
  }
}

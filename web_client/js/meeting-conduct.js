// The meeting page's conduct panel: the agenda item under discussion and its documents, the open
// vote with the member's ballot (A1–A4), the last result and whether it is valid, and the list of
// speakers (raised hands in order). Votes and the agenda come from the JSON API, polled while the
// member is admitted; hands come from the live socket (main.js state).

import { ApiError, api } from './auth.js';
import { $, cite, el, redraw } from './dom.js';
import { lang, pick, t } from './i18n.js';

const POLL_MS = 2000;
const POLL_TIMEOUT_MS = 15000;
const CHOICES = ['yes', 'no', 'abstain'];
const VOTER_ROLES = new Set(['member', 'chair']);

/** What the panel shows, refreshed from the API. */
const conduct = {
  agenda: [], votes: [], documents: [], mine: {}, refusal: null, timer: null, busy: false,
};

function remembered(meetingId) {
  try {
    return JSON.parse(sessionStorage.getItem(`hopchibo.ballots.${meetingId}`) || '{}');
  } catch {
    return {};
  }
}

/** Start polling the agenda, votes and documents of the meeting (idempotent). */
export function startConduct(state, onChange) {
  if (conduct.timer) return;
  conduct.mine = remembered(state.meetingId);
  const base = `/api/meetings/${state.meetingId}`;
  const poll = async () => {
    if (conduct.busy) return;
    conduct.busy = true;
    try {
      // a request that never answers (a stalled link) must not stop the polling for good
      const [agenda, votes, documents] = await Promise.race([
        Promise.all([api('GET', `${base}/agenda`), api('GET', `${base}/votes`), api('GET', `${base}/documents`)]),
        new Promise((_, reject) => { setTimeout(() => reject(new Error('poll timed out')), POLL_TIMEOUT_MS); }),
      ]);
      Object.assign(conduct, { agenda, votes, documents });
      onChange();
    } catch (err) {
      console.warn('hopchibo: conduct', err instanceof ApiError ? err.code : err);
    } finally {
      conduct.busy = false;
    }
  };
  conduct.refresh = poll;
  poll();
  conduct.timer = setInterval(poll, POLL_MS);
}

/** Stop polling (the member left or the meeting ended). */
export function stopConduct() {
  clearInterval(conduct.timer);
  conduct.timer = null;
}

/** Whether a vote is open now (the control bar marks its vote button). */
export function openVote() {
  return conduct.votes.find((v) => !v.closed_at) || null;
}

async function cast(state, vote, choice, onChange) {
  try {
    await api('POST', `/api/meetings/${state.meetingId}/votes/${vote.id}/ballots`, { choice });
    conduct.mine[vote.id] = choice;
    conduct.refusal = null;
    sessionStorage.setItem(`hopchibo.ballots.${state.meetingId}`, JSON.stringify(conduct.mine));
  } catch (err) {
    const body = err instanceof ApiError ? err.body : { message: { vi: String(err), en: String(err) } };
    conduct.refusal = { vote: vote.id, message: body.message, rules: body.rules || [] };
  }
  onChange();
  if (conduct.refresh) conduct.refresh();
}

function renderItem(state) {
  const item = conduct.agenda.find((i) => i.status === 'open') || null;
  $('item-box').hidden = !item;
  $('item-box').dataset.item = item ? String(item.id) : '';
  const published = conduct.documents.filter((d) => d.published_at);
  redraw($('item-box'), [item, published.map((d) => d.id), lang()], () => {
    $('item-title').textContent = item ? `${item.position}. ${item.title}` : '';
    $('item-description').textContent = item ? item.description : '';
    $('item-description').hidden = !item || !item.description;
    const attached = item ? item.attachment_names.map((name) => el('li', { textContent: name })) : [];
    $('item-attachments').replaceChildren(...attached);
    $('item-attachments').hidden = attached.length === 0;
    $('documents').replaceChildren(...published.map((d) => el('li', {},
      el('a', { href: `/api/meetings/${state.meetingId}/documents/${d.id}`, textContent: d.filename, download: d.filename }))));
    $('documents-box').hidden = published.length === 0;
  });
}

function verdict(result) {
  return `${t(result.valid ? 'chair.vote.valid' : 'chair.vote.not_valid')} · ${t(result.passed ? 'chair.vote.passed' : 'chair.vote.rejected')} ${cite(result.rules)}`;
}

function renderVote(state, onChange) {
  const open = openVote();
  const closed = conduct.votes.filter((v) => v.closed_at);
  const last = closed.length ? closed[closed.length - 1] : null;
  const shown = open || last;
  $('vote-box').hidden = !shown;
  if (!shown) return;
  const mine = open ? conduct.mine[open.id] || null : null;
  const refusal = open && conduct.refusal && conduct.refusal.vote === open.id ? conduct.refusal : null;
  const box = $('vote-box');
  box.dataset.vote = String(shown.id);
  box.dataset.state = open ? (mine ? 'cast' : 'open') : 'closed';
  box.dataset.mine = mine || '';
  redraw(box, [shown, mine, refusal, state.role, lang()], () => {
    $('vote-subject').textContent = shown.subject;
    $('vote-state').textContent = t(open ? 'ui.vote.open' : 'ui.vote.closed');
    const mayVote = Boolean(open) && VOTER_ROLES.has(state.role);
    $('vote-buttons').hidden = !mayVote;
    $('vote-buttons').replaceChildren(...CHOICES.map((choice) => el('button', {
      type: 'button', className: `choice ${choice}`, id: `vote-${choice}`, textContent: t(`chair.vote.${choice}`),
      ariaPressed: String(mine === choice), dataset: { choice }, onclick: () => cast(state, open, choice, onChange),
    })));
    const note = $('vote-mine');
    note.dataset.rules = refusal ? refusal.rules.join(',') : '';
    if (refusal) {
      note.dataset.kind = 'error';
      note.textContent = `${pick(refusal.message)} ${refusal.rules.length ? t('ui.vote.rules', { rules: refusal.rules.join(', ') }) : ''}`;
    } else if (mine) {
      note.dataset.kind = 'ok';
      note.textContent = t('ui.vote.recorded', { choice: t(`chair.vote.${mine}`) });
    } else {
      note.dataset.kind = 'info';
      note.textContent = open ? t(mayVote ? 'ui.vote.choose' : 'ui.vote.watch') : '';
    }
    const r = open ? null : shown.result;
    $('vote-result').hidden = !r;
    $('vote-result').dataset.outcome = r ? r.outcome : '';
    $('vote-result').dataset.valid = r ? String(r.valid) : '';
    $('vote-verdict').textContent = r ? verdict(r) : '';
    $('vote-verdict').className = r && r.passed ? 'verdict ok' : 'verdict bad';
    $('vote-tally').textContent = r ? t('chair.vote.tally', { yes: r.yes, no: r.no, abstain: r.abstain }) : '';
    $('vote-said').textContent = r ? pick({ vi: r.vi, en: r.en }) : '';
  });
}

function renderSpeakers(state) {
  const names = new Map(state.participants.map((p) => [p.id, p.display_name]));
  $('speakers-box').hidden = state.hands.length === 0;
  redraw($('speakers'), [state.hands, [...names], lang()], () => {
    $('speakers').replaceChildren(...state.hands.map((id) => el('li', {
      dataset: { id }, textContent: `${names.get(id) || ''}${id === state.participantId ? ` ${t('ui.people.you')}` : ''}`,
    })));
  });
}

/** Draw the panel from the polled state and the live state held in main.js. */
export function renderConduct(state, onChange) {
  $('conduct').hidden = !state.admitted;
  renderItem(state);
  renderVote(state, onChange);
  renderSpeakers(state);
  const open = openVote();
  $('vote-jump').hidden = !state.admitted;
  $('vote-jump').dataset.open = String(Boolean(open));
  $('vote-jump').disabled = !open && $('vote-box').hidden;
}

/** The control bar's vote button: bring the vote into view. */
export function showVote() {
  const box = $('vote-box');
  if (box.hidden) return;
  box.scrollIntoView({ behavior: 'smooth', block: 'center' });
  const first = box.querySelector('button');
  if (first) first.focus({ preventScroll: true });
}

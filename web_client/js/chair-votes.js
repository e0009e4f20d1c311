// Chair console: open a vote (a secret ballot is refused online: G3/T12), the running online
// count, the hall's count of hands, closing, and each result with its rule ids (A1–A4).

import { lang, t } from './i18n.js';
import { $, basis, el, redraw, said } from './chair-ui.js';

function resultRow(vote) {
  const r = vote.result;
  const verdict = r ? `${t(r.valid ? 'chair.vote.valid' : 'chair.vote.not_valid')} · ${t(r.passed ? 'chair.vote.passed' : 'chair.vote.rejected')}` : '';
  return el('li', { className: 'vote', dataset: { vote: String(vote.id), outcome: r ? r.outcome : 'open' } },
    el('p', { className: 'title', textContent: vote.subject }),
    r ? el('p', { className: `verdict ${r.passed ? 'ok' : 'bad'}` }, verdict, ' ', basis(r.rules)) : null,
    r ? el('p', { textContent: t('chair.vote.tally', { yes: r.yes, no: r.no, abstain: r.abstain }) }) : null,
    r ? el('p', { className: 'hint', textContent: said(r) }) : null);
}

/** The vote panel from the console state. */
export function renderVotes(state) {
  const c = state.console;
  const open = c.votes.find((v) => v.id === c.open_vote_id) || null;
  $('vote-new').hidden = Boolean(open);
  $('vote-current').hidden = !open;
  if (open) {
    $('vote-current-subject').textContent = open.subject;
    const r = c.running || { yes: 0, no: 0, abstain: 0, ballots: 0 };
    $('vote-running').textContent = t('chair.vote.running', r);
    $('vote-running').dataset.yes = String(r.yes);
    $('vote-running').dataset.ballots = String(r.ballots);
    $('vote-running').dataset.hall = `${open.hall.yes},${open.hall.no},${open.hall.abstain}`;
  }
  const items = c.agenda.filter((i) => i.status === 'open');
  redraw($('vote-item'), [items.map((i) => [i.id, i.title]), lang()], () => {
    $('vote-item').replaceChildren(el('option', { value: '', textContent: t('chair.vote.item_none') }),
      ...items.map((i) => el('option', { value: String(i.id), textContent: i.title, selected: true })));
  });
  const closed = c.votes.filter((v) => v.closed_at);
  redraw($('votes'), [closed, lang()], () => {
    $('votes').replaceChildren(...(closed.length ? closed.map(resultRow)
      : [el('li', { className: 'hint', textContent: t('chair.vote.none') })]));
  });
}

/** Wire the vote buttons. */
export function wireVotes(state, act) {
  const base = `/api/meetings/${state.meetingId}/votes`;
  const openId = () => state.console && state.console.open_vote_id;
  $('vote-open').onclick = async () => {
    const subject = $('vote-subject').value.trim();
    if (!subject) { $('vote-subject').focus(); return; }
    const item = $('vote-item').value;
    const body = { subject, kind: $('vote-kind').value };
    if (item) body.item_id = Number(item);
    const vote = await act('POST', base, body);
    if (vote) { $('vote-subject').value = ''; ['yes', 'no', 'abstain'].forEach((k) => { $(`hall-${k}`).value = '0'; }); }
  };
  $('vote-hall').onclick = () => act('PUT', `${base}/${openId()}/hall`, {
    yes: Number($('hall-yes').value || 0), no: Number($('hall-no').value || 0), abstain: Number($('hall-abstain').value || 0),
  });
  $('vote-close').onclick = () => act('POST', `${base}/${openId()}/close`);
}

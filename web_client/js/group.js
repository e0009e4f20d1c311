// The group leader's console for a party group's meeting (E2, §II.4.2), phone first: the
// group's roster and attendance, the content with opinions (differing and reserved ones too),
// the group's vote on the draft, the minutes, and the report to the committee (GM3) with its
// standing judged by the server's clock. See docs/group-guide.md.

import { ApiError, api, session } from './auth.js';
import { apply as applyTexts, init as loadTexts, pick, t } from './i18n.js';
import { $, basis, el, redraw } from './dom.js';
import { dmy, minutesLinks, noticeBar } from './groups-ui.js';

const POLL_MS = 5000;
const state = {
  meetingId: (location.pathname.match(/\/meetings\/(\d+)\/group/) || [])[1],
  group: null, console: null, picked: new Set(), notes: [], loaded: false,
};

const { notice, refuse } = noticeBar({ okMs: 4000 });

async function act(method, path, body, done) {
  try {
    const out = await api(method, path, body);
    notice(null, done);
    return out;
  } catch (err) {
    console.warn('hopchibo: refused', method, path, err instanceof ApiError ? err.body : err);
    notice(err);
    return null;
  } finally {
    await refresh();
  }
}

const base = () => `/api/meetings/${state.meetingId}`;

async function refresh() {
  try {
    const [group, consoleState] = await Promise.all([api('GET', `${base()}/group`), api('GET', `${base()}/console`)]);
    state.group = group;
    state.console = consoleState;
    render();
  } catch (err) {
    console.warn('hopchibo: group console', err instanceof ApiError ? err.body : err);
    if (err instanceof ApiError && err.status === 401) location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
  }
}

function people() {
  return state.console ? state.console.attendance.people : [];
}

function renderMeeting() {
  const { meeting } = state.console;
  const g = state.group;
  $('meeting-title').textContent = meeting.title;
  $('meeting-status').textContent = t(`groups.status.${meeting.status}`);
  $('meeting-status').dataset.status = meeting.status;
  document.body.dataset.status = meeting.status;
  $('cell-meeting').textContent = t('groups.console.cell', { title: g.cell_meeting_title });
  $('assignee').textContent = t('groups.console.assignee', { name: g.committee_member });
  $('dates').textContent = t('groups.console.dates', { held: dmy(g.held_on), due: dmy(g.due_on) });
  $('start').hidden = meeting.status !== 'scheduled';
  $('close').hidden = meeting.status !== 'open';
}

function personState(p) {
  if (p.present || p.attended) return t('groups.roster.present');
  if (p.absence) return t(p.absence.with_reason ? 'groups.roster.absent_with_reason' : 'groups.roster.absent_no_reason');
  return '';
}

function renderRoster() {
  // who attended (also once the meeting has closed and nobody is present any more)
  const a = state.console.attendance;
  const came = people().filter((p) => p.present || p.attended);
  $('attendance').textContent = t('groups.roster.summary', {
    present: came.length, members: a.members, full: came.filter((p) => p.counted).length, counted: a.counted_full_members,
  });
  const open = state.console.meeting.status === 'open';
  const list = people().map((p) => ({ ...p, picked: state.picked.has(p.member_id), open }));
  redraw($('roster'), [list, document.documentElement.lang], () => {
    $('roster').replaceChildren(...list.map((p) => {
      const box = el('input', { type: 'checkbox', checked: p.picked, disabled: !p.open, dataset: { member: String(p.member_id) } });
      box.addEventListener('change', () => {
        if (box.checked) state.picked.add(p.member_id); else state.picked.delete(p.member_id);
      });
      const category = p.category === 'probationary' ? t('groups.roster.probationary') : t('groups.roster.full');
      return el('li', { dataset: { member: String(p.member_id), present: String(Boolean(p.present || p.attended)) } },
        el('label', {}, box, el('span', { textContent: `${p.full_name} (${category})` })),
        el('span', { className: 'state', textContent: personState(p) }));
    }));
  });
}

function renderItems() {
  const { agenda, meeting } = state.console;
  const open = meeting.status === 'open';
  const data = [agenda.map((i) => [i.id, i.status]), open, document.documentElement.lang];
  redraw($('items'), data, () => {
    const rows = agenda.map((i) => {
      const li = el('li', { dataset: { item: String(i.id), status: i.status } },
        el('strong', { textContent: `${i.position}. ${i.title}` }), ' ',
        el('span', { className: 'hint', textContent: `(${t(`groups.items.status.${i.status}`)})` }));
      if (open && i.status === 'planned') {
        li.append(' ', el('button', { type: 'button', className: 'small', dataset: { action: 'open' }, textContent: t('groups.items.open'),
          onclick: () => act('POST', `${base()}/agenda/${i.id}/open`) }));
      }
      if (open && i.status === 'open') {
        li.append(' ', el('button', { type: 'button', className: 'small secondary', dataset: { action: 'close' }, textContent: t('groups.items.close'),
          onclick: () => act('POST', `${base()}/agenda/${i.id}/close`) }));
      }
      return li;
    });
    $('items').replaceChildren(...(rows.length ? rows : [el('li', { textContent: t('groups.items.none') })]));
  });
  $('note-form').hidden = state.console.open_item_id === null;
  const speakers = people().map((p) => [p.member_id, p.full_name]);
  redraw($('note-speaker'), [speakers, document.documentElement.lang], () => {
    $('note-speaker').replaceChildren(el('option', { value: '', textContent: t('groups.assign.pick') }),
      ...speakers.map(([id, name]) => el('option', { value: String(id), textContent: name })));
  });
  redraw($('notes'), [state.notes, document.documentElement.lang], () => {
    $('notes').replaceChildren(...state.notes.map((n) => el('li', { dataset: { kind: n.kind } },
      el('strong', { textContent: `${t(`groups.note.kind.${n.kind}`)} — ${n.speaker}: ` }), n.text)));
  });
}

/** The draft the group votes on: the content item titled "Dự thảo…", else the last one. */
function draftTitle(agenda) {
  const live = agenda.filter((i) => i.status !== 'deferred');
  const draft = live.find((i) => /^dự thảo/i.test(i.title)) || live[live.length - 1];
  return draft ? draft.title : '';
}

function renderVotes() {
  const { agenda, votes, open_vote_id: openId } = state.console;
  const titles = agenda.filter((i) => i.status !== 'deferred').map((i) => i.title);
  redraw($('vote-subject'), [titles], () => {
    const chosen = draftTitle(agenda);
    $('vote-subject').replaceChildren(...titles.map((title) => el('option', { value: title, textContent: title, selected: title === chosen })));
  });
  const current = votes.find((v) => v.id === openId);
  $('vote-new').hidden = Boolean(current);
  $('vote-current').hidden = !current;
  if (current) $('vote-current-subject').textContent = current.subject;
  const closed = votes.filter((v) => v.closed_at);
  redraw($('votes'), [closed.map((v) => [v.id, v.result]), document.documentElement.lang], () => {
    $('votes').replaceChildren(...closed.map((v) => {
      const r = v.result || {};
      return el('li', { dataset: { vote: String(v.id), outcome: r.outcome || '' } },
        t('groups.vote.result', { subject: v.subject, yes: r.yes || 0, no: r.no || 0, abstain: r.abstain || 0 }), ' ',
        el('span', { className: 'hint', textContent: pick({ vi: r.vi, en: r.en }) }), ' ', basis(r.rules || []));
    }));
  });
}

function renderMinutes() {
  const m = state.console.minutes;
  const closed = state.console.meeting.status === 'closed';
  $('minutes-state').textContent = t(m.adopted ? 'groups.minutes.adopted' : m.exists ? 'groups.minutes.draft' : 'groups.minutes.none');
  $('minutes-state').dataset.state = m.adopted ? 'adopted' : m.exists ? 'draft' : 'none';
  $('minutes-generate').hidden = m.adopted;
  $('minutes-adopt').hidden = m.adopted || !m.exists || !closed;
  minutesLinks(base(), m.exists);
}

function renderReport() {
  const g = state.group;
  const key = `groups.report.status.${g.status}`;
  const text = t(key, { due: dmy(g.due_on), on: dmy(g.reported_on) });
  const box = $('report-state');
  box.dataset.status = g.status;
  box.className = `verdict ${g.status === 'reported_late' || g.status === 'overdue' ? 'late' : g.status === 'reported' ? 'ok' : ''}`;
  redraw(box, [text], () => box.replaceChildren(text, ' ', basis(g.rules)));
  $('report-send').hidden = g.reported_on !== null || state.console.meeting.status !== 'closed';
}

function render() {
  if (!state.console || !state.group) return;
  renderMeeting();
  renderRoster();
  renderItems();
  renderVotes();
  renderMinutes();
  renderReport();
  document.body.dataset.ready = 'true';
}

function counts() {
  const values = ['yes', 'no', 'abstain'].map((k) => $(`vote-${k}`).value.trim());
  if (!values.every((v) => /^\d+$/.test(v))) return null;
  const [yes, no, abstain] = values.map(Number);
  return { yes, no, abstain };
}

async function absent(withReason) {
  const reason = $('absence-reason').value.trim();
  if (!state.picked.size) return refuse('groups.roster.pick_first');
  if (withReason && !reason) return refuse('groups.roster.reason_needed');
  const sent = [...state.picked];
  const absences = sent.map((id) => ({ member_id: id, with_reason: withReason, reason: withReason ? reason : '' }));
  const out = await act('PUT', `${base()}/attendance/absences`, { absences });
  if (out) { unpick(sent); $('absence-reason').value = ''; }
}

// Only what was sent is unticked: a box ticked while the request was on its way stays ticked.
function unpick(sent) {
  for (const id of sent) state.picked.delete(id);
  $('roster')._sig = null;
  render();
}

function wire() {
  $('start').onclick = () => act('POST', `${base()}/group/start`);
  $('close').onclick = () => act('POST', `${base()}/group/close`);
  $('check-in').onclick = async () => {
    if (!state.picked.size) return refuse('groups.roster.pick_first');
    const sent = [...state.picked];
    const out = await act('POST', `${base()}/attendance/check-in`, { member_ids: sent });
    if (out) unpick(sent);
  };
  $('absent-with').onclick = () => absent(true);
  $('absent-without').onclick = () => absent(false);
  $('note-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('note-text').value.trim();
    const speaker = Number($('note-speaker').value);
    if (!speaker) return refuse('groups.note.no_speaker');
    if (!text) return refuse('groups.note.empty');
    const kind = $('note-kind').value;
    const out = await act('POST', `${base()}/agenda/${state.console.open_item_id}/notes`, { kind, member_id: speaker, text });
    if (out) {
      state.notes.push(out);
      $('note-text').value = '';
      render();
    }
  });
  $('vote-open').onclick = () => act('POST', `${base()}/votes`, { subject: $('vote-subject').value });
  $('vote-close').onclick = async () => {
    const hall = counts();
    if (!hall) return refuse('groups.vote.bad_count');
    const id = state.console.open_vote_id;
    if (await act('PUT', `${base()}/votes/${id}/hall`, hall)) {
      await act('POST', `${base()}/votes/${id}/close`);
      for (const k of ['yes', 'no', 'abstain']) $(`vote-${k}`).value = '0';
    }
  };
  $('minutes-generate').onclick = () => act('POST', `${base()}/minutes`, { chair_member_id: state.group.leader_member_id });
  $('minutes-adopt').onclick = () => act('POST', `${base()}/minutes/adopt`);
  $('report-send').onclick = () => act('POST', `${base()}/group/report`);
  $('lang').addEventListener('click', () => { applyTexts(); render(); }); // after i18n's toggle
}

async function main() {
  await loadTexts();
  const current = await session();
  if (current.stage !== 'full') {
    location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    return;
  }
  try {
    state.group = await api('GET', `${base()}/group`);
    state.console = await api('GET', `${base()}/console`);
  } catch (err) {
    $('status').textContent = err instanceof ApiError && err.status === 403 ? t('groups.not_allowed')
      : err instanceof ApiError ? pick(err.body.message) : String(err);
    return;
  }
  $('status').hidden = true;
  $('console').hidden = false;
  wire();
  render();
  setInterval(refresh, POLL_MS);
  window.hopchibo = { state, refresh };
}

main();

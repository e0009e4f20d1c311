// Prepare a meeting (the secretary): the agenda, where each item's gate result (G1/G2) appears
// while it is typed through the pre-check endpoint; documents with the M3 deadline; single-use
// invitation links; and, for a meeting by party groups, who attends which group (E2, P5, GM3).
import { apply, init, lang, pick, t } from './i18n.js';
import { ApiError, api, session, upload } from './auth.js';
import { $, basis, el } from './dom.js';

const VN = 'Asia/Ho_Chi_Minh';
const CATEGORIES = ['ordinary', 'study', 'task_report', 'other', ...Array.from({ length: 15 }, (_, i) => `T${i + 1}`)];
const CHECK_MS = 400;
const meetingId = Number(location.pathname.split('/')[2]);
const base = `/api/meetings/${meetingId}`;
const state = { meeting: null, members: [], me: null, checkTimer: 0, asked: 0 };

const when = (iso) => new Date(iso).toLocaleString(lang() === 'vi' ? 'vi-VN' : 'en-GB',
  { timeZone: VN, dateStyle: 'full', timeStyle: 'short' });
const vnDate = (iso) => new Date(iso).toLocaleDateString('en-CA', { timeZone: VN });
const said = (d) => pick({ vi: d.vi, en: d.en });

/** A refusal (with its rule ids folded away) or nothing in the notice bar. */
function notice(err) {
  const box = $('notice');
  if (!err) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const body = err instanceof ApiError ? err.body
    : err && typeof err.message === 'object' ? err : { message: { vi: String(err), en: String(err) } };
  box.hidden = false;
  box.className = 'error';
  box.dataset.rules = (body.rules || []).join(',');
  box.replaceChildren(el('span', { textContent: t('plan.refused', { message: pick(body.message) }) }), basis(body.rules || []));
}

async function act(fn) {
  notice(null);
  try {
    return await fn();
  } catch (err) {
    console.warn('hopchibo: refused', err instanceof ApiError ? err.body : err);
    notice(err);
    return null;
  }
}

// -- agenda ---------------------------------------------------------------------------------

function gateBox(gate) {
  return [el('strong', { textContent: t(`prep.gate.${gate.outcome}`) }), ' ', el('span', { textContent: said(gate) }), basis(gate.rules)];
}

async function showAgenda() {
  const items = await api('GET', `${base}/agenda`);
  $('agenda').replaceChildren(...(items.length ? items.map((i) => el('li', {
    className: 'item',
    dataset: { item: String(i.id), outcome: i.gate ? i.gate.outcome : 'allowed' },
  },
  el('span', { className: 'meeting-title', textContent: i.title }),
  el('span', { className: 'tag', textContent: t(`chair.category.${i.category}`) }),
  i.gate ? el('p', { className: 'gate' }, ...gateBox(i.gate)) : null,
  )) : [el('li', { className: 'hint', textContent: t('prep.agenda.empty') })]));
}

function itemBody() {
  return {
    title: $('item-title').value.trim(),
    description: $('item-description').value.trim(),
    category: $('item-category').value,
  };
}

/** The gate's pre-check of what is being typed (debounced; a stale answer is dropped). */
async function precheck() {
  const box = $('item-gate');
  const item = itemBody();
  const mine = ++state.asked;
  if (!item.title) {
    box.dataset.outcome = '';
    box.className = 'gate';
    box.replaceChildren(el('span', { textContent: t('prep.item.type_to_check') }));
    return;
  }
  const m = state.meeting;
  try {
    const gate = await api('POST', '/api/gate/check', { ...item, mode: m.mode, on: vnDate(m.scheduled_start) });
    if (mine !== state.asked) return;
    box.dataset.outcome = gate.outcome;
    box.dataset.rules = gate.rules.join(',');
    box.className = `gate gate-${gate.outcome}`;
    box.replaceChildren(...gateBox(gate));
  } catch (err) {
    if (mine !== state.asked) return;
    box.dataset.outcome = 'error';
    box.replaceChildren(el('span', { className: 'error', textContent: t('plan.refused', { message: pick(err.body?.message) }) }));
  }
}

function typed() {
  clearTimeout(state.checkTimer);
  $('item-gate').dataset.outcome = 'checking';
  $('item-gate').className = 'gate';
  $('item-gate').replaceChildren(el('span', { textContent: t('prep.item.checking') }));
  state.checkTimer = setTimeout(precheck, CHECK_MS);
}

async function addItem(event) {
  event.preventDefault();
  const item = itemBody();
  const added = await act(() => api('POST', `${base}/agenda`, { ...item, attachment_names: [] }));
  if (!added) return;
  $('item-title').value = '';
  $('item-description').value = '';
  await precheck();
  await showAgenda();
}

// -- documents (M3) -------------------------------------------------------------------------

async function showDocuments() {
  const [docs, duties] = await Promise.all([
    api('GET', `${base}/documents`),
    api('GET', `/api/organisations/${state.meeting.org_id}/duties`).catch(() => []),
  ]);
  // the M3 deadline while it is a duty (until a document is published); then each document's
  // own M3 result
  const due = duties.find((d) => d.kind === 'documents' && d.meeting_id === String(meetingId));
  $('m3').replaceChildren(...(due ? [el('p', { className: `notice duty-${due.status}`, dataset: { status: due.status } },
    el('span', { textContent: said(due) }), basis(due.rules))] : []));
  $('documents').replaceChildren(...(docs.length ? docs.map((d) => el('li', { dataset: { document: String(d.id), published: String(Boolean(d.published_at)) } },
    el('span', { className: 'meeting-title', textContent: d.filename }),
    d.published_at
      ? el('span', { className: d.m3 && d.m3.late ? 'bad' : 'ok' },
        `${t('prep.documents.published', { when: when(d.published_at) })}${d.m3 && d.m3.late ? ` · ${t('prep.documents.late')}` : ''}`)
      : el('span', { className: 'hint', textContent: t('prep.documents.draft') }),
    d.m3 ? el('p', { className: 'hint' }, el('span', { textContent: said(d.m3) }), basis(d.m3.rules)) : null,
    d.published_at ? null : el('button', {
      type: 'button', className: 'small', dataset: { action: 'publish' }, textContent: t('prep.documents.publish'),
      onclick: async () => { if (await act(() => api('POST', `${base}/documents/${d.id}/publish`))) await showDocuments(); },
    }),
  )) : [el('li', { className: 'hint', textContent: t('prep.documents.none') })]));
}

async function uploadDocument() {
  const file = $('doc-file').files[0];
  if (!file) {
    notice({ message: { vi: t('prep.documents.pick_file'), en: t('prep.documents.pick_file') } });
    return;
  }
  const done = await act(() => upload(`${base}/documents?filename=${encodeURIComponent(file.name)}`, file));
  if (!done) return;
  $('doc-file').value = '';
  await showDocuments();
}

// -- invitations ----------------------------------------------------------------------------

function showInvitation(made, name, dataset) {
  const label = made.observer ? t('prep.invitations.made_observer', { name }) : t('prep.invitations.made', { name });
  const link = el('input', { type: 'text', readOnly: true, value: made.url, className: 'link-out' });
  link.setAttribute('aria-label', label);
  $('invitations').prepend(el('li', { dataset },
    el('span', { textContent: label }),
    link,
    el('span', { className: 'hint', textContent: t('prep.invitations.expires', { when: when(made.expires_at) }) })));
}

async function invite() {
  const id = Number($('invite-member').value);
  const made = await act(() => api('POST', `${base}/invitations`, { member_id: id }));
  if (!made) return;
  const member = state.members.find((m) => m.id === id);
  showInvitation(made, member ? member.full_name : id, { member: String(id) });
}

/** R5: an observer by account (the superior committee's assignment); refused with its rule. */
async function inviteObserver() {
  const username = $('invite-observer').value.trim();
  if (!username) {
    notice({ message: { vi: t('prep.invitations.observer_empty'), en: t('prep.invitations.observer_empty') }, rules: [] });
    return;
  }
  const made = await act(() => api('POST', `${base}/invitations/observers`, { username }));
  if (!made) return; // the name stays in the field, to be corrected
  $('invite-observer').value = '';
  showInvitation(made, made.observer, { observer: username });
}

// -- party groups ---------------------------------------------------------------------------

function memberSelect(members, cls) {
  return el('select', { className: cls }, ...members.map((m) => el('option', { value: String(m.id), textContent: m.full_name })));
}

async function showGroups() {
  const m = state.meeting;
  if (m.mode !== 'group') return;
  $('groups-section').hidden = false;
  $('groups-page-link').href = `/meetings/${m.id}/groups`; // the whole cycle: reports, consolidation
  const [orgs, meetings] = await Promise.all([api('GET', '/api/organisations'), api('GET', `/api/organisations/${m.org_id}/meetings`)]);
  const committees = meetings.filter((x) => x.kind === 'committee');
  $('committee-meeting').replaceChildren(...(committees.length
    ? committees.map((x) => el('option', { value: String(x.id), textContent: `${x.title} · ${when(x.scheduled_start)}` }))
    : [el('option', { value: '', textContent: t('prep.groups.none_committee') })]));
  const day = vnDate(m.scheduled_start);
  const time = new Date(m.scheduled_start).toLocaleTimeString('en-GB', { timeZone: VN, hour: '2-digit', minute: '2-digit' });
  const groups = orgs.filter((o) => o.level === 'group' && o.parent_id === m.org_id);
  $('group-rows').replaceChildren(...groups.map((g) => {
    const leaderLabel = el('label', {}, el('span', { textContent: t('prep.groups.leader') }), memberSelect(state.members.filter((x) => x.group_id === g.id), 'leader'));
    const attending = memberSelect(state.members, 'committee');
    if (state.me && state.members.some((x) => x.id === state.me)) attending.value = String(state.me); // the secretary by default
    const committeeLabel = el('label', {}, el('span', { textContent: t('prep.groups.committee_member') }), attending);
    return el('fieldset', { className: 'group-row', dataset: { group: String(g.id) } },
      el('legend', { textContent: g.name }),
      leaderLabel, committeeLabel,
      el('div', { className: 'pair' },
        el('label', {}, el('span', { textContent: t('plan.date') }), el('input', { type: 'date', className: 'date', value: day })),
        el('label', {}, el('span', { textContent: t('plan.time') }), el('input', { type: 'time', className: 'time', value: time }))),
      el('label', {}, el('span', { textContent: t('plan.location') }), el('input', { type: 'text', className: 'location', maxLength: 200 })));
  }));
}

async function saveGroups() {
  const plans = [...document.querySelectorAll('.group-row')].map((row) => ({
    group_id: Number(row.dataset.group),
    leader_member_id: Number(row.querySelector('.leader').value),
    committee_member_id: Number(row.querySelector('.committee').value),
    scheduled_start: `${row.querySelector('.date').value}T${row.querySelector('.time').value}:00+07:00`,
    location: row.querySelector('.location').value.trim(),
  }));
  const rows = await act(() => api('POST', `${base}/groups`, { committee_meeting_id: Number($('committee-meeting').value), groups: plans }));
  if (!rows) return;
  $('assignments').replaceChildren(el('li', { className: 'ok', dataset: { count: String(rows.length) }, textContent: t('prep.groups.assigned', { count: rows.length }) }));
}

// -- page -----------------------------------------------------------------------------------

function showMeeting() {
  const m = state.meeting;
  document.title = `${m.title} — hopchibo`;
  $('meeting').textContent = `${m.title} · ${when(m.scheduled_start)} · ${t(`plan.mode.${m.mode}`)} · ${t(`pages.home.status.${m.status}`)}`;
}

async function main() {
  await init();
  const me = await session();
  if (!me.authenticated) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    return;
  }
  state.me = me.account.member_id || null;
  state.meeting = await api('GET', base);
  $('chair-link').href = `/meetings/${meetingId}/chair`;
  $('item-category').replaceChildren(...CATEGORIES.map((c) => el('option', { value: c, textContent: t(`chair.category.${c}`) })));
  state.members = await api('GET', `/api/organisations/${state.meeting.org_id}/members`).catch(() => []);
  $('invite-member').replaceChildren(...state.members.map((m) => el('option', { value: String(m.id), textContent: m.full_name })));
  showMeeting();
  for (const id of ['item-title', 'item-description']) $(id).addEventListener('input', typed);
  $('item-category').addEventListener('change', typed);
  $('item-form').addEventListener('submit', addItem);
  $('doc-upload').addEventListener('click', uploadDocument);
  $('invite-send').addEventListener('click', invite);
  $('invite-observer-send').addEventListener('click', inviteObserver);
  $('groups-save').addEventListener('click', saveGroups);
  $('lang').addEventListener('click', () => {
    apply();
    showMeeting();
    showAgenda();
    showDocuments();
    precheck();
  });
  await Promise.all([showAgenda(), showDocuments(), showGroups()]);
}

main()
  .catch((err) => {
    console.warn('prepare page failed', err);
    notice({ message: { vi: t('plan.load_failed'), en: t('plan.load_failed') } });
  })
  .finally(() => { document.body.dataset.ready = 'true'; });

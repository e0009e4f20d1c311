// The committee's page for a cell meeting held by party groups (E2, P5, 03-HD/TW §II.4.2):
// 1. the content and, for each party group of the roster, its leader, the committee member who
// attends and when it meets; 2. every group's report side by side with its differing and
// reserved opinions, late ones marked (GM3); 3. the consolidation across groups and the cell's
// resolution, adopted into the cell's minutes when the draft passed (A3). docs/group-guide.md.

import { ApiError, api, session } from './auth.js';
import { apply as applyTexts, init as loadTexts, pick, t } from './i18n.js';
import { $, basis, el, redraw } from './dom.js';
import { dmy, minutesLinks, noticeBar } from './groups-ui.js';

const POLL_MS = 5000;
const state = {
  meetingId: (location.pathname.match(/\/meetings\/(\d+)\/groups/) || [])[1],
  plan: null, reports: [], consolidation: null, minutes: null, me: null,
};
const base = () => `/api/meetings/${state.meetingId}`;

function vnDay(iso) {
  return dmy(new Date(iso).toLocaleDateString('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }));
}

const { notice, refuse } = noticeBar({ okMs: 6000, scroll: true });

function options(select, entries, chosen = '') {
  select.replaceChildren(el('option', { value: '', textContent: t('groups.assign.pick') }),
    ...entries.map(([value, text]) => el('option', { value: String(value), textContent: text, selected: String(value) === String(chosen) })));
}

/** The form's Vietnam wall-clock time (datetime-local) as an instant in Vietnam time. */
function vnInstant(local) {
  return local ? `${local}:00+07:00` : '';
}

function defaultWhen() {
  const start = state.plan.meeting.scheduled_start;
  const day = new Date(start).toLocaleDateString('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' });
  return `${day}T08:00`;
}

function renderForm() {
  const { plan } = state;
  const committee = plan.committee.map((c) => [c.id, c.name]);
  options($('committee-meeting'), plan.committee_meetings.map((m) => [m.id, `${m.title} (${vnDay(m.scheduled_start)})`]),
    plan.committee_meetings.length === 1 ? plan.committee_meetings[0].id : '');
  const titles = plan.content.map((c) => c.title);
  const draft = titles.find((x) => /^dự thảo/i.test(x)) || '';
  if (!$('content-draft').value) $('content-draft').value = draft;
  if (!$('content-items').value) $('content-items').value = titles.filter((x) => x !== draft).join('\n');
  $('plans').replaceChildren(...plan.groups.map((g) => {
    const card = el('fieldset', { className: 'plan', dataset: { group: String(g.id) } }, el('legend', {}, el('strong', { textContent: g.name })));
    const leader = el('select', { dataset: { field: 'leader' } });
    const proposed = (g.leader_member_ids || []).find((id) => g.members.some((m) => m.id === id)) || '';
    options(leader, g.members.map((m) => [m.id, m.name]), proposed); // the group's leader on the roster
    const member = el('select', { dataset: { field: 'member' } });
    options(member, committee);
    const when = el('input', { type: 'datetime-local', value: defaultWhen(), dataset: { field: 'when' } });
    const place = el('input', { type: 'text', maxLength: 200, value: '', dataset: { field: 'place' } });
    card.append(
      el('label', {}, el('span', { textContent: t('groups.assign.leader') }), leader),
      el('label', {}, el('span', { textContent: t('groups.assign.member') }), member),
      el('label', {}, el('span', { textContent: t('groups.assign.when') }), when),
      el('label', {}, el('span', { textContent: t('groups.assign.place') }), place));
    return card;
  }));
  if (!plan.groups.length) refuse('groups.assign.no_groups');
}

/** Checks in the page first (clear Vietnamese, nothing sent); then the content, then the plans. */
async function save(event) {
  event.preventDefault();
  const draft = $('content-draft').value.trim();
  if (!draft) return refuse('groups.assign.missing_draft');
  const committeeMeeting = Number($('committee-meeting').value);
  if (!committeeMeeting) return refuse('groups.assign.no_committee_meeting');
  const plans = [];
  for (const card of $('plans').querySelectorAll('[data-group]')) {
    const name = card.querySelector('legend').textContent;
    const field = (f) => card.querySelector(`[data-field=${f}]`).value.trim();
    if (!field('leader')) return refuse('groups.assign.missing_leader', { group: name });
    if (!field('member')) return refuse('groups.assign.missing_member', { group: name });
    if (!field('when')) return refuse('groups.assign.missing_when', { group: name });
    plans.push({
      group_id: Number(card.dataset.group), leader_member_id: Number(field('leader')),
      committee_member_id: Number(field('member')), scheduled_start: vnInstant(field('when')), location: field('place'),
    });
  }
  if (!plans.length) return refuse('groups.assign.no_groups');
  const have = new Set(state.plan.content.map((c) => c.title));
  const wanted = [...$('content-items').value.split('\n').map((x) => x.trim()).filter(Boolean), draft];
  try {
    for (const title of wanted) {
      if (have.has(title)) continue;
      await api('POST', `${base()}/agenda`, { title, category: 'ordinary' });
      have.add(title);
    }
    const rows = await api('POST', `${base()}/groups`, { committee_meeting_id: committeeMeeting, groups: plans });
    notice(null, t('groups.assign.saved', { count: rows.length }));
  } catch (err) {
    console.warn('hopchibo: assignment refused', err instanceof ApiError ? err.body : err);
    notice(err);
  }
  await load();
}

function renderAssigned() {
  $('content').replaceChildren(...state.plan.content.filter((c) => c.status !== 'deferred').map((c) => el('li', { textContent: c.title })));
  $('assigned-list').replaceChildren(...state.reports.map((r) => el('li', { dataset: { group: String(r.group_id) } },
    t('groups.assign.row', { group: r.group, leader: r.leader, member: r.committee_member, date: dmy(r.held_on) }),
    r.leader_invited ? el('span', { className: 'hint', textContent: ` ${t('groups.assign.invited')}` }) : '')));
}

function opinions(key, list) {
  return el('div', {}, el('strong', { textContent: t(key) }),
    list.length ? el('ul', {}, ...list.map((o) => el('li', { textContent: t('groups.reports.opinion', o) })))
      : el('p', { className: 'hint', textContent: t('groups.reports.none') }));
}

function reportCard(r) {
  const late = r.status === 'reported_late' || r.status === 'overdue';
  const statusText = t(`groups.report.status.${r.status}`, { due: dmy(r.due_on), on: dmy(r.reported_on) });
  const card = el('article', { className: 'report', dataset: { group: String(r.group_id), status: r.status } },
    el('h3', {}, r.group, ' ', r.status === 'reported_late' ? el('span', { className: 'badge late', textContent: t('groups.report.late') }) : ''),
    el('p', { className: 'hint', textContent: t('groups.reports.who', { leader: r.leader, member: r.committee_member, date: dmy(r.held_on) }) }),
    el('p', { className: `verdict ${late ? 'late' : ''}`, dataset: { status: r.status } }, statusText, ' ', basis(r.rules)));
  const rep = r.report;
  if (!rep) {
    card.append(el('p', { className: 'hint', textContent: t('groups.reports.not_yet') }));
    return card;
  }
  card.append(el('p', { textContent: t('groups.reports.present', { present: (rep.attendance || {}).present || 0 }) }),
    el('ul', { className: 'votes' }, ...(rep.votes || []).map((v) => el('li', { dataset: { subject: v.subject } },
      t('groups.vote.result', { subject: v.subject, yes: v.yes || 0, no: v.no || 0, abstain: v.abstain || 0 })))),
    opinions('groups.reports.differing', rep.differing || []),
    opinions('groups.reports.reserved', rep.reserved || []));
  return card;
}

function renderReports() {
  redraw($('reports'), [state.reports, document.documentElement.lang], () => {
    $('reports').replaceChildren(...state.reports.map(reportCard));
  });
}

function renderTotals() {
  const c = state.consolidation;
  if (!c) { $('totals').replaceChildren(); $('resolution').hidden = true; return; }
  const a = c.attendance || {};
  $('totals').replaceChildren(
    el('p', { className: 'verdict', textContent: t('groups.consolidate.attendance', { present: a.present || 0, members: a.members || 0 }) }),
    el('table', { className: 'totals' }, el('tbody', {}, ...(c.votes || []).map((v) => el('tr', { dataset: { subject: v.subject, outcome: v.outcome || '' } },
      el('td', { textContent: t('groups.vote.result', { subject: v.subject, yes: v.yes, no: v.no, abstain: v.abstain }) }),
      el('td', {}, pick({ vi: v.vi, en: v.en }), ' ', basis(v.rules || [])))))),
    ...(c.groups || []).map((g) => el('div', { className: 'report', dataset: { group: g.group } },
      el('h3', {}, g.group, ' ', g.late ? el('span', { className: 'badge late', textContent: t('groups.report.late') }) : ''),
      opinions('groups.reports.differing', g.differing || []),
      opinions('groups.reports.reserved', g.reserved || []))));
  const adopted = state.minutes && state.minutes.adopted;
  $('resolution').hidden = Boolean(adopted);
  if (!$('resolution-text').value) $('resolution-text').value = ((c.votes || [])[0] || {}).subject || '';
}

function renderAdopted() {
  const adopted = Boolean(state.minutes && state.minutes.adopted);
  $('adopted').hidden = !adopted;
  $('adopted').textContent = t('groups.resolution.adopted');
  minutesLinks(base(), Boolean(state.minutes));
}

function render() {
  const { plan } = state;
  $('meeting').textContent = t('groups.page.meeting', { title: plan.meeting.title, date: vnDay(plan.meeting.scheduled_start) });
  const assigned = state.reports.length > 0;
  if (plan.meeting.mode !== 'group') { // E2: only a meeting held by groups has groups to assign
    $('status').hidden = false;
    $('status').textContent = t('groups.page.not_group');
    $('page').hidden = true;
    return;
  }
  $('assign-form').hidden = assigned;
  $('assigned').hidden = !assigned;
  if (assigned) renderAssigned();
  $('reports-section').hidden = !assigned;
  $('consolidate-section').hidden = !assigned;
  renderReports();
  renderTotals();
  renderAdopted();
  document.body.dataset.ready = 'true';
}

async function load() {
  const wasAssigned = state.reports.length > 0;
  const [plan, reports] = await Promise.all([api('GET', `${base()}/groups`), api('GET', `${base()}/groups/reports`)]);
  state.plan = plan;
  state.reports = reports;
  state.minutes = await api('GET', `${base()}/minutes`).catch(() => null);
  if (state.minutes && state.minutes.content.consolidation) state.consolidation = state.minutes.content.consolidation;
  if (!reports.length && (!wasAssigned && !$('plans').children.length)) renderForm();
  render();
}

async function consolidate() {
  try {
    state.consolidation = await api('POST', `${base()}/groups/consolidate`);
    notice(null);
  } catch (err) {
    notice(err);
  }
  await load();
}

/** A3: only a draft approved by more than half of the counted full members is adopted. */
async function adopt() {
  const text = $('resolution-text').value.trim();
  if (!text) return refuse('groups.resolution.missing');
  const votes = (state.consolidation || {}).votes || [];
  if (!votes.length || !votes.every((v) => v.outcome === 'passed')) return refuse('groups.resolution.not_passed');
  const account = (state.me && state.me.account) || {};
  const chair = account.member_id ? { chair_member_id: account.member_id } : { chair: account.display_name || '' };
  try {
    await api('POST', `${base()}/minutes`, chair);
    await api('PATCH', `${base()}/minutes`, { notes: t('groups.resolution.minutes_note', { text }) });
    await api('POST', `${base()}/minutes/adopt`);
    notice(null, t('groups.resolution.adopted'));
  } catch (err) {
    notice(err);
  }
  await load();
}

async function main() {
  await loadTexts();
  state.me = await session();
  if (state.me.stage !== 'full') {
    location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    return;
  }
  try {
    await load();
  } catch (err) {
    $('status').textContent = err instanceof ApiError && err.status === 403 ? t('groups.not_allowed')
      : err instanceof ApiError ? pick(err.body.message) : String(err);
    return;
  }
  if (state.plan.meeting.mode === 'group') {
    $('status').hidden = true;
    $('page').hidden = false;
  }
  $('assign-form').addEventListener('submit', save);
  $('reports-refresh').onclick = () => load();
  $('consolidate').onclick = consolidate;
  $('resolution-adopt').onclick = adopt;
  $('lang').addEventListener('click', () => { applyTexts(); if (!state.reports.length) { $('plans').replaceChildren(); renderForm(); } render(); });
  setInterval(() => load().catch((err) => console.warn('hopchibo: groups', err)), POLL_MS);
  window.hopchibo = { state, load };
}

main();

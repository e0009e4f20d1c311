// The pilot programme for the superior committee's organisation board and its standing
// committee: the units' registrations with their states and reasons (V1, V2); the board vets,
// returns with a reason, or puts one to the standing committee once E1/E2 and P1 hold; the
// standing committee approves (recording the E3 decision) or refuses with a reason; the calls
// with their deadlines; the monitoring figures, the incidents and the review exports (V3).
import { apply, init, pick, t } from './i18n.js';
import { api, session } from './auth.js';
import { $, basis, el } from './dom.js';
import { at, dmy, notice, refused, vnDay, vnToday } from './oversight-ui.js';
import { setupIncidents, showIncidents } from './board-incidents.js';

// V2: who takes each step (policy/programme.py ACTOR): the unit, the board, the standing committee
const BY = { submit: 'unit', correct: 'unit', vet: 'board', return: 'board', endorse: 'board', approve: 'standing', refuse: 'standing' };
let committees = [];

const committee = () => committees.find((c) => String(c.id) === $('org').value);

/** The organisations below the committee that may pilot (grassroots committees and cells). */
async function units(root) {
  const all = await api('GET', '/api/organisations');
  const under = new Set([root.id]);
  const out = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const o of all) {
      if (o.parent_id !== null && under.has(o.parent_id) && !under.has(o.id) && o.level !== 'group') {
        under.add(o.id);
        out.push(o);
        grew = true;
      }
    }
  }
  return out;
}

async function step(reg, action, extra = {}) {
  try {
    await api('POST', `/api/registrations/${reg.id}/steps`, { action, ...extra });
    notice(t('board.step.done', { action: t(`oversight.v2.action.${action}`), unit: reg.unit }));
    await Promise.all([showRegistrations(), showReview()]);
  } catch (err) {
    refused(err);
  }
}

function field(id, key, { tag = 'input', ...props } = {}) {
  return el('label', {}, el('span', { textContent: t(key) }), el(tag, { id, ...props }));
}

function actions(reg) {
  const c = committee();
  const box = el('div', { className: 'actions' });
  const board = c.roles.has('org_board');
  const standing = c.roles.has('standing_committee');
  const button = (action, onclick, cls = '') => el('button', { type: 'button', className: cls, dataset: { action }, textContent: t(`board.action.${action}`), onclick });
  if (board && reg.state === 'submitted') box.append(button('vet', () => step(reg, 'vet')));
  if (board && (reg.state === 'submitted' || reg.state === 'vetting')) {
    box.append(button('endorse', () => step(reg, 'endorse')));
    const reason = `return-reason-${reg.id}`;
    box.append(el('form', { className: 'row', dataset: { form: 'return' }, onsubmit: (e) => {
      e.preventDefault();
      const text = $(reason).value.trim();
      if (!text) { notice(t('board.reason_needed'), 'error', ['V2']); return; }
      step(reg, 'return', { reason: text });
    } }, field(reason, 'board.return.reason', { tag: 'textarea', rows: 2, maxLength: 2000 }),
    el('button', { type: 'submit', className: 'secondary', dataset: { action: 'return' }, textContent: t('board.action.return') })));
  }
  if (standing && reg.state === 'vetted') {
    const id = (n) => `${n}-${reg.id}`;
    box.append(el('form', { className: 'row', dataset: { form: 'approve' }, onsubmit: (e) => {
      e.preventDefault();
      const number = $(id('decision-number')).value.trim();
      if (!number) { notice(t('board.decision.number_needed'), 'error', ['E3']); return; }
      step(reg, 'approve', {
        number, decided_on: $(id('decision-on')).value || undefined,
        valid_from: $(id('decision-from')).value || undefined, valid_to: $(id('decision-to')).value || undefined,
      });
    } }, field(id('decision-number'), 'board.decision.number', { maxLength: 64 }),
    field(id('decision-on'), 'board.decision.on', { type: 'date', value: vnToday() }),
    field(id('decision-from'), 'board.decision.from', { type: 'date', value: vnToday() }),
    field(id('decision-to'), 'board.decision.to', { type: 'date' }),
    el('button', { type: 'submit', dataset: { action: 'approve' }, textContent: t('board.action.approve') })));
    const reason = id('refuse-reason');
    box.append(el('form', { className: 'row', dataset: { form: 'refuse' }, onsubmit: (e) => {
      e.preventDefault();
      const text = $(reason).value.trim();
      if (!text) { notice(t('board.reason_needed'), 'error', ['V2']); return; }
      step(reg, 'refuse', { reason: text });
    } }, field(reason, 'board.refuse.reason', { tag: 'textarea', rows: 2, maxLength: 2000 }),
    el('button', { type: 'submit', className: 'secondary', dataset: { action: 'refuse' }, textContent: t('board.action.refuse') })));
  }
  return box;
}

function registration(reg, events) {
  return el('article', { className: 'registration', dataset: { registration: String(reg.id), state: reg.state } },
    el('h3', { textContent: `${reg.unit} — ${t(`board.scope.${reg.scope}`)}` }),
    el('p', {}, el('strong', { className: 'state', textContent: t(`oversight.v2.state.${reg.state}`) }),
      ` · ${t('board.reg.sent', { date: dmy(reg.submitted_on) })}`),
    el('dl', { className: 'facts' },
      el('dt', { textContent: t('board.reg.members') }), el('dd', { textContent: String(reg.member_count) }),
      el('dt', { textContent: t('board.reg.locations') }), el('dd', { textContent: reg.locations || '—' }),
      el('dt', { textContent: t('board.reg.it') }), el('dd', { textContent: reg.it_readiness || '—' }),
      el('dt', { textContent: t('board.reg.reason') }), el('dd', { textContent: reg.reason || '—' }),
      el('dt', { textContent: t('board.reg.contact') }), el('dd', { textContent: reg.contact || '—' })),
    events.length ? el('ol', { className: 'events' }, ...events.map((e) => el('li', { dataset: { action: e.action } },
      `${at(e.at)} · ${t(`board.by.${BY[e.action]}`)}: ${t(`oversight.v2.action.${e.action}`)} → ${t(`oversight.v2.state.${e.state_to}`)}`,
      e.reason ? ` — “${e.reason}”` : '',
      e.check ? el('span', {}, ' · ', pick(e.check), ' ', basis(e.check.rules)) : ''))) : '',
    actions(reg));
}

async function showRegistrations() {
  const list = [];
  for (const unit of await units(committee())) {
    const regs = await api('GET', `/api/organisations/${unit.id}/registrations`).catch(() => []);
    for (const r of regs) if (r.state !== 'draft') list.push({ ...r, unit: unit.name });
  }
  const order = ['submitted', 'vetting', 'vetted', 'returned', 'approved', 'refused'];
  list.sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state) || b.id - a.id);
  const events = await Promise.all(list.map((r) => api('GET', `/api/registrations/${r.id}/events`).catch(() => [])));
  $('registrations').replaceChildren(...(list.length ? list.map((r, i) => registration(r, events[i]))
    : [el('p', { textContent: t('board.registrations.none') })]));
}

/** V1: the organisation board closes a call before its deadline (no more registrations). */
async function closeCall(call) {
  try {
    await api('POST', `/api/pilot-calls/${call.id}/close`);
    notice(t('board.call.closed_done', { number: call.number }));
    await showCalls();
  } catch (err) {
    refused(err);
  }
}

function callItem(c, board) {
  const open = !c.closed_at && c.deadline >= vnToday();
  return el('li', { dataset: { call: String(c.id), open: String(open) } },
    t('board.call.item', { number: c.number, issued: dmy(c.issued_on), deadline: dmy(c.deadline) }),
    c.closed_at ? el('strong', { className: 'closed', textContent: ` · ${t('board.call.closed', { date: dmy(vnDay(c.closed_at)) })}` }) : '',
    board && open ? ' ' : '',
    board && open ? el('button', { type: 'button', className: 'secondary', dataset: { action: 'close' },
      textContent: t('board.call.close'), onclick: () => closeCall(c) }) : '');
}

async function showCalls() {
  const calls = await api('GET', `/api/organisations/${committee().id}/pilot-calls`);
  const board = committee().roles.has('org_board');
  $('calls').replaceChildren(...(calls.length ? calls.map((c) => callItem(c, board))
    : [el('li', { textContent: t('board.calls.none') })]));
  $('call-form').hidden = !board;
}

async function openCall(event) {
  event.preventDefault();
  try {
    await api('POST', `/api/organisations/${committee().id}/pilot-calls`, {
      number: $('call-number').value.trim(), issued_on: $('call-issued').value, deadline: $('call-deadline').value,
    });
    notice(t('board.call.done'));
    await showCalls();
  } catch (err) {
    refused(err);
  }
}

async function showReview(event) {
  if (event) event.preventDefault();
  const c = committee();
  const q = `from=${$('review-from').value}&to=${$('review-to').value}`;
  const rows = await api('GET', `/api/organisations/${c.id}/pilot-monitoring?${q}`);
  const body = $('monitoring').tBodies[0];
  body.replaceChildren(...rows.map((r) => el('tr', {},
    el('th', { scope: 'row', textContent: r.unit }),
    ...[r.online_meetings, r.group_meetings, r.in_person_meetings, `${r.attendance_percent}%`, r.deferred_items, r.incidents]
      .map((v) => el('td', { textContent: String(v) })),
    el('td', { textContent: [r.registration ? t(`oversight.v2.state.${r.registration}`) : '', r.decision].filter(Boolean).join(' · ') || '—' }))));
  const stage = $('review-stage').value;
  $('exports').replaceChildren(el('strong', { textContent: t(`board.review.${stage}`) }), ' ',
    ...['docx', 'pdf', 'xlsx'].map((fmt) => el('a', {
      className: 'action secondary', href: `/api/organisations/${c.id}/reports/pilot-review.${fmt}?${q}&stage=${stage}`,
      download: `pilot-review-${stage}.${fmt}`, dataset: { format: fmt }, textContent: fmt.toUpperCase(),
    })));
}

const reviewRange = () => [$('review-from').value, $('review-to').value];

async function show() {
  const c = committee();
  $('who').textContent = [...c.roles].map((r) => t(`board.role.${r}`)).join(' · ');
  setupIncidents({ id: c.id, canRecord: c.roles.has('org_board'), range: reviewRange }, await units(c), () => showReview());
  await Promise.all([showRegistrations(), showCalls(), showReview(), showIncidents(c.id, reviewRange())]);
}

async function main() {
  await init();
  const me = await session();
  if (!me.authenticated) {
    location.assign('/login?next=/board');
    return;
  }
  const held = new Map();
  for (const r of me.roles || []) {
    if (r.role !== 'org_board' && r.role !== 'standing_committee') continue;
    if (!held.has(r.org_id)) held.set(r.org_id, new Set());
    held.get(r.org_id).add(r.role);
  }
  committees = (await Promise.all([...held].map(([id, roles]) => api('GET', `/api/organisations/${id}`)
    .then((o) => ({ ...o, roles }), () => null)))).filter(Boolean);
  if (!committees.length) {
    for (const s of document.querySelectorAll('main section, #org-label')) s.hidden = true;
    $('error').textContent = t('board.no_role');
    $('error').hidden = false;
    return;
  }
  $('org').replaceChildren(...committees.map((c) => el('option', { value: String(c.id), textContent: c.name })));
  $('org-label').hidden = committees.length < 2;
  const today = vnToday();
  $('review-from').value = `${today.slice(0, 4)}-01-01`;
  $('review-to').value = today;
  $('call-issued').value = today;
  const again = () => show().catch((err) => refused(err));
  $('org').addEventListener('change', again);
  $('call-form').addEventListener('submit', openCall);
  $('review-form').addEventListener('submit', (e) => Promise.all([showReview(e), showIncidents(committee().id, reviewRange())]).catch((err) => refused(err)));
  $('lang').addEventListener('click', () => { apply(); again(); });
  await show();
}

main()
  .catch((err) => {
    console.warn('board page failed', err);
    $('error').textContent = t('board.load_failed');
    $('error').hidden = false;
  })
  .finally(() => { document.body.dataset.ready = 'true'; });

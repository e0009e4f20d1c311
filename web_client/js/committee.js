// The superior committee's cells on one screen (its secretary and members): this month's
// meetings (held on the day, late, missing: R1), online and party-group caps used (P3, P5), late
// group reports (GM3), quality over time, weak cells with who follows them (Q3), assignments
// (S1), the month's evaluation with its evidence per criterion, published to the cells (Q1, Q2),
// and the reports as files (S3).
import { apply, init, pick, t } from './i18n.js';
import { api, session } from './auth.js';
import { $, basis, el } from './dom.js';
import { dmy, notice, refused, vnToday } from './oversight-ui.js';
import { showCriteria } from './committee-criteria.js';
import { showInspect } from './committee-inspect.js';
import { setupIncidents, showIncidents } from './board-incidents.js';

const LEADS = new Set(['secretary', 'deputy', 'committee']);
const MANAGERS = new Set(['secretary', 'deputy']);
let orgs = [];
let evaluated = [];

const org = () => orgs.find((o) => String(o.id) === $('org').value);
const month = () => $('month').value;
/** The chosen month's first and last days (the incidents listed on the page). */
function monthRange() {
  const [y, m] = month().split('-').map(Number);
  return [`${month()}-01`, `${month()}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`];
}
const quarterOf = (ym) => `${ym.slice(0, 4)}-Q${Math.floor((Number(ym.slice(5, 7)) - 1) / 3) + 1}`;
function previousQuarter(q) {
  const [y, n] = [Number(q.slice(0, 4)), Number(q.slice(6))];
  return n === 1 ? `${y - 1}-Q4` : `${y}-Q${n - 1}`;
}

const grade = (g, text) => el('span', { className: `grade grade-${g}`, dataset: { grade: g }, textContent: text || t(`oversight.grade.${g}`) });

function fact(label, ...value) {
  return [el('dt', { textContent: label }), el('dd', {}, ...value)];
}

function cellCard(c, trend) {
  const m = c.months[c.months.length - 1];
  const held = m.held_on ? t('committee.cell.held_on', { date: dmy(m.held_on) }) : '';
  const status = c.published ? 'committee.cell.published' : c.stored ? 'committee.cell.stored' : 'committee.cell.draft';
  return el('li', { dataset: { cell: String(c.cell_id), regime: m.regime, grade: c.grade } },
    el('span', { className: 'cell-name', textContent: c.cell }),
    el('dl', { className: 'facts' },
      ...fact(t('committee.cell.meeting'), el('span', { className: `state-${m.regime}`, textContent: `${t(`oversight.regime.${m.regime}`)} ${held}`.trim() })),
      ...fact(t('committee.cell.grade'), grade(c.grade), ` ${c.percent}% · ${t(status)}`),
      ...fact(t('committee.cell.online'), `${c.online_used}/${c.online_cap}`),
      ...fact(t('committee.cell.group'), `${c.group_used}/${c.group_cap}`),
      ...fact(t('committee.cell.late_reports'), el('span', { className: c.group_reports_late ? 'bad' : '', textContent: String(c.group_reports_late) })),
    ),
    el('span', { className: 'hint', textContent: t('committee.cell.trend') }),
    el('ol', { className: 'trend' }, ...trend.map((p) => el('li', {}, `${p.period.slice(5)}/${p.period.slice(0, 4)} `, grade(p.grade)))));
}

async function showCells() {
  const o = org();
  const q = quarterOf(month());
  const [now, before, quarter] = await Promise.all([
    api('GET', `/api/organisations/${o.id}/quality?period=${month()}`),
    api('GET', `/api/organisations/${o.id}/quality?period=${previousQuarter(q)}`).catch(() => []),
    api('GET', `/api/organisations/${o.id}/quality?period=${q}`).catch(() => []),
  ]);
  const trendOf = (id) => [...before, ...quarter].filter((c) => c.cell_id === id)
    .flatMap((c) => c.months).filter((p) => p.period <= month());
  $('cells').replaceChildren(...(now.length ? now.map((c) => cellCard(c, trendOf(c.cell_id)))
    : [el('li', { textContent: t('committee.cells.none') })]));
  $('assign-cell').replaceChildren(...now.map((c) => el('option', { value: String(c.cell_id), textContent: c.cell })));
  const chosen = $('evaluate-cell').value;
  $('evaluate-cell').replaceChildren(el('option', { value: '', textContent: t('committee.evaluate.all') }),
    ...now.map((c) => el('option', { value: String(c.cell_id), textContent: c.cell })));
  if (now.some((c) => String(c.cell_id) === chosen)) $('evaluate-cell').value = chosen;
  return now;
}

async function showWeak() {
  const weak = await api('GET', `/api/organisations/${org().id}/quality/weak`);
  $('weak').replaceChildren(...(weak.length ? weak.map((w) => el('li', { className: 'bad', dataset: { cell: String(w.cell_id) } },
    el('strong', { textContent: w.cell }), ' ',
    el('span', { textContent: pick(w) }), ' ',
    el('span', { textContent: t('committee.weak.responsible', { names: w.responsible.join(', ') || t('committee.weak.nobody') }) }),
    basis(w.rules))) : [el('li', { textContent: t('committee.weak.none') })]));
}

async function showAssignments() {
  const [rows, people] = await Promise.all([
    api('GET', `/api/organisations/${org().id}/supervision/assignments`),
    api('GET', `/api/organisations/${org().id}/supervision/candidates`),
  ]);
  const active = rows.filter((r) => !r.ended_on);
  $('assignments').replaceChildren(...(active.length ? active.map((r) => el('li', { dataset: { cell: String(r.cell_id), account: String(r.account_id) } },
    el('strong', { textContent: r.member }), ` — ${r.cell} · ${t('committee.assign.since', { date: dmy(r.started_on) })}`))
    : [el('li', { textContent: t('committee.assign.none') })]));
  $('assign-member').replaceChildren(...people.map((p) => el('option', { value: String(p.account_id), textContent: p.name })));
}

async function assign(event) {
  event.preventDefault();
  if (!$('assign-cell').value || !$('assign-member').value || !$('assign-from').value) {
    notice(t('committee.assign.incomplete'), 'error');
    return;
  }
  $('assign-submit').disabled = true;
  try {
    await api('POST', `/api/organisations/${org().id}/supervision/assignments`, {
      cell_id: Number($('assign-cell').value),
      account_id: Number($('assign-member').value),
      started_on: $('assign-from').value,
    });
    notice(t('committee.assign.done', { member: $('assign-member').selectedOptions[0].textContent, cell: $('assign-cell').selectedOptions[0].textContent }));
    await Promise.all([showAssignments(), showWeak()]);
  } catch (err) {
    refused(err);
  } finally {
    $('assign-submit').disabled = false;
  }
}

function evidence(meeting) {
  return el('details', { className: 'evidence', dataset: { meeting: meeting.meeting_id } },
    el('summary', {}, t('committee.evidence.meeting', { date: dmy(meeting.on), percent: meeting.percent }), ' ', grade(meeting.grade)),
    el('ul', { className: 'evidence' }, ...meeting.results.map((r) => el('li', {
      className: r.met === true ? 'met' : r.met === false ? 'unmet' : 'na', dataset: { criterion: r.criterion },
    }, el('strong', { textContent: `${t(`oversight.criterion.${r.criterion}`)}: ` }),
    `${pick(r)} (${r.points}/${r.max_points})`))));
}

function resultItem(r) {
  const months = r.result.months || [];
  const meetings = months.flatMap((m) => m.meetings);
  return el('div', { className: 'registration', dataset: { cell: String(r.cell_id), grade: r.grade, published: String(!!r.published_at) } },
    el('span', { className: 'cell-name', textContent: r.cell }),
    el('p', {}, grade(r.grade), ` ${r.percent}% · `,
      t(r.published_at ? 'committee.cell.published' : 'committee.cell.stored'), ' ', basis(r.result.rules)),
    el('ul', { className: 'evidence' }, ...(r.result.reasons || []).map((x) => el('li', { textContent: pick(x) }))),
    ...(meetings.length ? meetings.map(evidence) : [el('p', { className: 'hint', textContent: t('committee.evidence.no_meeting') })]));
}

function showResults() {
  const cell = $('evaluate-cell').value;
  const shown = cell ? evaluated.filter((r) => String(r.cell_id) === cell) : evaluated;
  $('results').replaceChildren(...shown.map(resultItem));
  $('publish').hidden = !shown.length || shown.every((r) => r.published_at);
}

async function evaluate(publish) {
  const button = publish ? $('publish') : $('evaluate');
  button.disabled = true;
  // Q2: one cell, or all of them; a cell's new result replaces the one shown for it
  const cell = $('evaluate-cell').value ? Number($('evaluate-cell').value) : null;
  const name = cell ? $('evaluate-cell').selectedOptions[0].textContent : '';
  try {
    const body = { period: month(), ...(publish ? {} : { publish: false }), ...(cell ? { cell_id: cell } : {}) };
    const got = await api('POST', `/api/organisations/${org().id}/quality/${publish ? 'publish' : 'evaluate'}`, body);
    evaluated = cell ? [...evaluated.filter((r) => r.cell_id !== cell), ...got] : got;
    showResults();
    const done = publish ? 'committee.evaluate.published' : 'committee.evaluate.done';
    notice(t(cell ? `${done}_cell` : done, { month: dmy(`${month()}-01`).slice(3), cell: name }));
    await Promise.all([showCells(), showWeak()]);
  } catch (err) {
    refused(err);
  } finally {
    button.disabled = false;
  }
}

function showReports() {
  const o = org();
  const q = quarterOf(month());
  const link = (name, period, fmt) => el('a', {
    className: 'action secondary', href: `/api/organisations/${o.id}/reports/${name}.${fmt}?period=${period}`,
    download: `${name}-${period}.${fmt}`, textContent: fmt.toUpperCase(), dataset: { report: name, format: fmt },
  });
  $('reports').replaceChildren(
    el('li', {}, el('strong', { textContent: t('committee.reports.monthly', { month: dmy(`${month()}-01`).slice(3) }) }), ' ',
      ...['docx', 'pdf', 'xlsx'].map((f) => link('monthly', month(), f))),
    el('li', {}, el('strong', { textContent: t('committee.reports.supervision', { quarter: q.replace('-', ' ') }) }), ' ',
      ...['docx', 'pdf', 'xlsx'].map((f) => link('supervision', q, f))));
}

async function show() {
  $('notice').hidden = true;
  evaluated = [];
  showResults();
  const manage = MANAGERS.has(org().role);
  $('assign-form').hidden = !manage;
  $('evaluate').hidden = !manage;
  $('evaluate-cell-label').hidden = !manage;
  showReports();
  const [now] = await Promise.all([showCells(), showWeak(), showAssignments(), showCriteria(org().id, manage)]);
  // V3: the committee's secretary and deputies record the pilot's incidents of its cells
  const cells = now.map((c) => ({ id: c.cell_id, name: c.cell }));
  setupIncidents({ id: org().id, canRecord: manage, range: monthRange }, cells, async () => {});
  await Promise.all([showInspect(org().id, now, month()), showIncidents(org().id, monthRange())]);
}

async function main() {
  await init();
  const me = await session();
  if (!me.authenticated) {
    location.assign('/login?next=/committee');
    return;
  }
  const held = new Map();
  for (const r of me.roles || []) {
    if (!LEADS.has(r.role)) continue;
    if (!held.has(r.org_id) || MANAGERS.has(r.role)) held.set(r.org_id, r.role);
  }
  const named = await Promise.all([...held].map(([id, role]) => api('GET', `/api/organisations/${id}`)
    .then((o) => ({ ...o, role }), () => null)));
  orgs = named.filter((o) => o && o.level !== 'cell' && o.level !== 'group');
  if (!orgs.length) {
    for (const s of document.querySelectorAll('main section, #pick')) s.hidden = true;
    $('error').textContent = t('committee.no_role');
    $('error').hidden = false;
    return;
  }
  $('org').replaceChildren(...orgs.map((o) => el('option', { value: String(o.id), textContent: o.name })));
  $('org-label').hidden = orgs.length < 2;
  $('month').value = vnToday().slice(0, 7);
  $('assign-from').value = vnToday();
  const again = () => show().catch((err) => refused(err));
  $('org').addEventListener('change', again);
  $('month').addEventListener('change', () => { if (month()) again(); });
  $('assign-form').addEventListener('submit', assign);
  $('evaluate').addEventListener('click', () => evaluate(false));
  $('evaluate-cell').addEventListener('change', showResults);
  $('publish').addEventListener('click', () => evaluate(true));
  $('lang').addEventListener('click', () => { apply(); again(); });
  await show();
}

main()
  .catch((err) => {
    console.warn('committee page failed', err);
    $('error').textContent = t('committee.load_failed');
    $('error').hidden = false;
  })
  .finally(() => { document.body.dataset.ready = 'true'; });

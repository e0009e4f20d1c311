// Schedule a meeting (the secretary): kind, mode, date and time in Vietnam time. Before saving,
// the form shows the online, hybrid and party-group conditions on the chosen date with their
// cited reasons (E1–E4, P1–P5, caps used this year) and the cell's duties (R1, R3, M3, GM3);
// saving goes to the API, which refuses what the rules refuse, and the refusal is shown cited.
import { apply, init, lang, pick, t } from './i18n.js';
import { ApiError, api, session } from './auth.js';
import { $, basis, el } from './dom.js';

const VN = 'Asia/Ho_Chi_Minh';
const SCHEDULERS = new Set(['secretary', 'deputy', 'group_leader']);
const CHECKED_MODES = ['hybrid', 'online', 'group'];
const OK = new Set(['allowed', 'eligible']);
let timer = 0;
let asked = 0;

/** Today in Vietnam as YYYY-MM-DD. */
const vnToday = () => new Date().toLocaleDateString('en-CA', { timeZone: VN });
const when = (iso) => new Date(iso).toLocaleString(lang() === 'vi' ? 'vi-VN' : 'en-GB',
  { timeZone: VN, dateStyle: 'full', timeStyle: 'short' });

/** One decision: verdict, its explanation, the rule ids folded away. */
function decisionItem(label, d, extra = {}, cls = OK.has(d.outcome) ? 'ok' : 'bad') {
  return el('li', { className: cls, dataset: { outcome: d.outcome, ...extra } },
    el('strong', { textContent: label }), ' ',
    el('span', { textContent: pick({ vi: d.vi, en: d.en }) }),
    basis(d.rules));
}

function refusal(err) {
  const body = err instanceof ApiError ? err.body : { message: { vi: String(err), en: String(err) } };
  return [el('p', { className: 'error' },
    el('span', { textContent: t('plan.refused', { message: pick(body.message) }) }), ' ', basis(body.rules || []))];
}

async function showEligibility() {
  const org = $('org').value;
  const date = $('date').value;
  const list = $('eligibility-list');
  if (!org || !date) {
    list.replaceChildren(el('li', { textContent: t('plan.eligibility.pick_date') }));
    $('caps').hidden = true;
    $('chosen-warning').hidden = true;
    return;
  }
  const mine = ++asked;
  const answers = await Promise.all(CHECKED_MODES.map((mode) =>
    api('GET', `/api/organisations/${org}/eligibility?mode=${mode}&date=${date}`)
      .then((d) => [mode, d], (err) => [mode, { outcome: 'not_eligible', rules: err.body?.rules || [], ...(err.body?.message || { vi: String(err), en: String(err) }) }])));
  const caps = await api('GET', `/api/organisations/${org}/caps?date=${date}`).catch(() => []);
  if (mine !== asked) return; // a later date or mode was picked meanwhile
  $('caps').hidden = !caps.length;
  $('caps-list').replaceChildren(...caps.map((d) => decisionItem(t(`plan.cap.${d.outcome}`), d, { cap: d.rules.join(',') })));
  list.replaceChildren(...answers.map(([mode, d]) => decisionItem(
    t('plan.eligibility.mode', { mode: t(`plan.mode.${mode}`), verdict: t(OK.has(d.outcome) ? 'plan.eligibility.ok' : 'plan.eligibility.no') }),
    d, { mode })));
  const chosen = answers.find(([mode]) => mode === $('mode').value);
  $('chosen-warning').hidden = !chosen || OK.has(chosen[1].outcome);
  document.body.dataset.checked = `${$('mode').value}:${date}`; // the conditions shown are current (tests)
}

function later() {
  $('result').hidden = true; // a refusal is about what was asked before the change
  clearTimeout(timer);
  timer = setTimeout(() => showEligibility().catch((err) => console.warn('eligibility', err)), 250);
}

async function showCell(org) {
  const [duties, meetings] = await Promise.all([
    api('GET', `/api/organisations/${org}/duties`).catch(() => []),
    api('GET', `/api/organisations/${org}/meetings`),
  ]);
  $('duties').replaceChildren(...(duties.length
    ? duties.map((d) => decisionItem(t(`plan.duty.${d.status}`), { ...d, outcome: d.status }, { kind: d.kind }, d.status === 'due' ? 'due' : 'bad'))
    : [el('li', { textContent: t('plan.duties.none') })]));
  const ahead = meetings.filter((m) => m.status === 'scheduled' || m.status === 'open')
    .sort((a, b) => a.scheduled_start.localeCompare(b.scheduled_start));
  $('meetings').replaceChildren(...(ahead.length ? ahead.map((m) => el('li', { dataset: { meeting: String(m.id) } },
    el('span', { className: 'meeting-title', textContent: m.title }),
    el('span', { className: 'meeting-when', textContent: `${when(m.scheduled_start)} · ${t(`plan.mode.${m.mode}`)}` }),
    el('a', { className: 'action', href: `/meetings/${m.id}/plan`, textContent: t('plan.home.prepare') }),
    el('a', { className: 'action secondary', href: `/meetings/${m.id}/chair`, textContent: t('prep.chair_link') }),
  )) : [el('li', { textContent: t('plan.meetings.none') })]));
}

async function submit(event) {
  event.preventDefault();
  const result = $('result');
  const date = $('date').value;
  const time = $('time').value;
  if (!date || !time) {
    result.hidden = false;
    result.replaceChildren(el('p', { className: 'error', textContent: t('plan.bad_time') }));
    return;
  }
  $('submit').disabled = true;
  try {
    const meeting = await api('POST', `/api/organisations/${$('org').value}/meetings`, {
      kind: $('kind').value,
      mode: $('mode').value,
      title: $('title').value.trim(),
      scheduled_start: `${date}T${time}:00+07:00`, // the form is in Vietnam time
      location: $('location').value.trim(),
    });
    location.assign(`/meetings/${meeting.id}/plan`);
  } catch (err) {
    console.warn('hopchibo: schedule refused', err instanceof ApiError ? err.body : err);
    result.hidden = false;
    result.replaceChildren(...refusal(err));
    result.dataset.rules = err instanceof ApiError ? (err.body.rules || []).join(',') : '';
  } finally {
    $('submit').disabled = false;
  }
}

async function main() {
  await init();
  const me = await session();
  if (!me.authenticated) {
    location.assign('/login?next=/plan');
    return;
  }
  const orgs = [...new Set((me.roles || []).filter((r) => SCHEDULERS.has(r.role)).map((r) => r.org_id))];
  if (!orgs.length) {
    $('schedule').hidden = true;
    $('error').textContent = t('plan.no_role');
    $('error').hidden = false;
    return;
  }
  const named = await Promise.all(orgs.map((id) => api('GET', `/api/organisations/${id}`).catch(() => ({ id, name: `#${id}` }))));
  $('org').replaceChildren(...named.map((o) => el('option', { value: String(o.id), textContent: o.name })));
  $('org-label').hidden = named.length < 2;
  $('date').min = vnToday();
  $('title').value = '';
  for (const id of ['org', 'mode', 'date']) $(id).addEventListener('change', later);
  $('date').addEventListener('input', later);
  $('org').addEventListener('change', () => showCell($('org').value));
  $('schedule').addEventListener('submit', submit);
  $('lang').addEventListener('click', () => { apply(); showEligibility(); showCell($('org').value); });
  await showCell($('org').value);
}

main()
  .catch((err) => {
    console.warn('plan page failed', err);
    $('error').textContent = t('plan.load_failed');
    $('error').hidden = false;
  })
  .finally(() => { document.body.dataset.ready = 'true'; });

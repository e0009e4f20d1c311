// A cell's pilot registrations (its secretary): send the 828-CV form answering an open call of
// the committees above it by its deadline (V1), follow its state and the board's reasons,
// correct a returned one and send it again (V2).
import { apply, init, t } from './i18n.js';
import { api, session } from './auth.js';
import { $, el } from './dom.js';
import { at, dmy, notice, refused, vnDay, vnToday } from './oversight-ui.js';

const EDITABLE = ['member_count', 'locations', 'it_readiness', 'reason', 'contact'];

function input(reg, name) {
  const id = `fix-${name}-${reg.id}`;
  const long = ['locations', 'it_readiness', 'reason'].includes(name);
  const props = name === 'member_count'
    ? { type: 'number', min: 0, max: 100000, value: String(reg[name]) }
    : { value: reg[name], maxLength: name === 'contact' ? 200 : 2000, ...(long ? { rows: 2 } : {}) };
  return el('label', {}, el('span', { textContent: t(`board.reg.${name === 'member_count' ? 'members' : name === 'it_readiness' ? 'it' : name}`) }),
    el(long ? 'textarea' : 'input', { id, ...props }));
}

function correction(reg) {
  return el('form', { dataset: { form: 'correct' }, onsubmit: async (e) => {
    e.preventDefault();
    const fields = {};
    for (const name of EDITABLE) {
      const value = $(`fix-${name}-${reg.id}`).value;
      fields[name] = name === 'member_count' ? Number(value) : value.trim();
    }
    if (!Number.isInteger(fields.member_count) || fields.member_count < 0) {
      notice(t('pilot.bad_count'), 'error');
      return;
    }
    try {
      await api('POST', `/api/registrations/${reg.id}/steps`, { action: 'correct', correction: fields });
      notice(t('pilot.corrected'));
      await showRegistrations();
    } catch (err) {
      refused(err);
    }
  } }, el('h3', { textContent: t('pilot.correct') }), ...EDITABLE.map((n) => input(reg, n)),
  el('button', { type: 'submit', dataset: { action: 'correct' }, textContent: t('pilot.resend') }));
}

/** V1: the call a registration answered: its letter, who issued it, its deadline (a date in
 * Vietnam time) and whether the committee closed it early. */
function answered(reg, calls) {
  if (reg.call_id == null) return el('p', { className: 'call', textContent: t('pilot.reg.no_call') });
  const call = calls.get(reg.call_id);
  if (!call) return '';
  return el('p', { className: 'call', dataset: { call: String(call.id) } },
    t('pilot.reg.call', { number: call.number, org: call.org, deadline: dmy(call.deadline) }),
    call.closed_at ? ` · ${t('board.call.closed', { date: dmy(vnDay(call.closed_at)) })}` : '');
}

function registration(reg, events, calls) {
  const returned = [...events].reverse().find((e) => e.action === 'return' || e.action === 'refuse');
  return el('article', { className: 'registration', dataset: { registration: String(reg.id), state: reg.state } },
    el('h3', { textContent: `${t(`board.scope.${reg.scope}`)} · ${t('board.reg.sent', { date: dmy(reg.submitted_on) })}` }),
    answered(reg, calls),
    el('p', {}, el('strong', { className: 'state', textContent: t(`oversight.v2.state.${reg.state}`) })),
    reg.state === 'returned' && returned ? el('p', { className: 'notice reason', textContent: t('pilot.returned_reason', { reason: returned.reason }) }) : '',
    events.length ? el('ol', { className: 'events' }, ...events.map((e) => el('li', { dataset: { action: e.action } },
      `${at(e.at)} · ${t(`oversight.v2.action.${e.action}`)} → ${t(`oversight.v2.state.${e.state_to}`)}`,
      e.reason ? ` — “${e.reason}”` : ''))) : '',
    reg.state === 'returned' ? correction(reg) : '');
}

async function showRegistrations() {
  const regs = await api('GET', `/api/organisations/${$('org').value}/registrations`);
  regs.sort((a, b) => b.id - a.id);
  const [events, answeredCalls] = await Promise.all([
    Promise.all(regs.map((r) => api('GET', `/api/registrations/${r.id}/events`).catch(() => []))),
    api('GET', `/api/organisations/${$('org').value}/pilot-calls/answered`).catch(() => []),
  ]);
  const calls = new Map(answeredCalls.map((c) => [c.id, c]));
  $('registrations').replaceChildren(...(regs.length ? regs.map((r, i) => registration(r, events[i], calls))
    : [el('p', { textContent: t('pilot.none') })]));
}

/** V1: the calls of the organisations above the cell still open (deadline in Vietnam time). */
async function showCalls() {
  const calls = await api('GET', `/api/organisations/${$('org').value}/pilot-calls/open`);
  const label = (c) => t('pilot.call.item', { number: c.number, org: c.org, deadline: dmy(c.deadline) });
  $('call').replaceChildren(...calls.map((c) => el('option', {
    value: String(c.id), textContent: label(c), dataset: { deadline: c.deadline, daysLeft: String(c.days_left) },
  })), el('option', { value: '', textContent: t('pilot.call.without') }));
  callHint();
}

function callHint() {
  const chosen = $('call').selectedOptions[0];
  const days = chosen && chosen.value ? Number(chosen.dataset.daysLeft) : null;
  $('call-hint').textContent = days === null
    ? t($('call').options.length > 1 ? 'pilot.call.without_hint' : 'pilot.call.none_open')
    : days === 0 ? t('pilot.call.last_day', { deadline: dmy(chosen.dataset.deadline) })
      : t('pilot.call.days_left', { deadline: dmy(chosen.dataset.deadline), days });
}

async function register(event) {
  event.preventDefault();
  const count = Number($('member_count').value);
  if ($('member_count').value === '' || !Number.isInteger(count) || count < 0) {
    notice(t('pilot.bad_count'), 'error');
    return;
  }
  $('register-submit').disabled = true;
  try {
    await api('POST', `/api/organisations/${$('org').value}/pilot-registrations`, {
      scope: $('scope').value,
      submitted_on: vnToday(),
      member_count: count,
      cells_count: 1,
      groups_count: Number($('groups_count').value) || 0,
      locations: $('locations').value.trim(),
      it_readiness: $('it_readiness').value.trim(),
      reason: $('reason').value.trim(),
      contact: $('contact').value.trim(),
      call_id: $('call').value ? Number($('call').value) : null,
    });
    notice(t('pilot.sent'));
    $('register').reset();
    await Promise.all([showRegistrations(), showCalls()]);
  } catch (err) {
    refused(err);
    // V1: a call closed or past its deadline meanwhile is no longer offered; the form is kept
    await showCalls().catch(() => {});
  } finally {
    $('register-submit').disabled = false;
  }
}

async function main() {
  await init();
  const me = await session();
  if (!me.authenticated) {
    location.assign('/login?next=/pilot');
    return;
  }
  const ids = [...new Set((me.roles || []).filter((r) => r.role === 'secretary').map((r) => r.org_id))];
  const orgs = (await Promise.all(ids.map((id) => api('GET', `/api/organisations/${id}`).catch(() => null))))
    .filter((o) => o && o.level === 'cell');
  if (!orgs.length) {
    for (const s of document.querySelectorAll('main section, #org-label')) s.hidden = true;
    $('error').textContent = t('pilot.no_role');
    $('error').hidden = false;
    return;
  }
  $('org').replaceChildren(...orgs.map((o) => el('option', { value: String(o.id), textContent: o.name })));
  $('org-label').hidden = orgs.length < 2;
  const again = () => Promise.all([showRegistrations(), showCalls()]).catch(refused);
  $('org').addEventListener('change', again);
  $('call').addEventListener('change', callHint);
  $('register').addEventListener('submit', register);
  $('lang').addEventListener('click', () => { apply(); again(); });
  await Promise.all([showRegistrations(), showCalls()]);
}

main()
  .catch((err) => {
    console.warn('pilot page failed', err);
    $('error').textContent = t('pilot.load_failed');
    $('error').hidden = false;
  })
  .finally(() => { document.body.dataset.ready = 'true'; });

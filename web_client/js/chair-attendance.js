// Chair console: quorum meter (A2, A3), the roll with hall check-in and absences, the hall code.

import { api } from './auth.js';
import { lang, t } from './i18n.js';
import { $, basis, el, notice, redraw, said } from './chair-ui.js';

const CODE_MS = 1000;

/** The live quorum meter from the console's attendance summary. */
export function renderQuorum(att) {
  const q = att.quorum;
  const ok = q.outcome === 'quorate';
  const box = $('quorum-state');
  box.dataset.outcome = q.outcome;
  box.className = `verdict ${ok ? 'ok' : 'bad'}`;
  box.replaceChildren(t(ok ? 'chair.quorum.valid' : 'chair.quorum.invalid'), ' ', basis(q.rules) || '');
  const counted = att.counted_full_members || 1;
  $('quorum-bar').style.width = `${Math.min(100, (100 * att.counted_full_present) / counted)}%`;
  $('quorum-bar').className = `fill ${ok ? 'ok' : 'bad'}`;
  $('quorum-mark').style.left = '50%';
  $('quorum-count').textContent = t('chair.quorum.count', { present: att.counted_full_present, counted: att.counted_full_members });
  $('quorum-totals').textContent = t('chair.quorum.totals', { present: att.present, room: att.room, online: att.online });
  $('quorum-text').textContent = said(q);
}

function whereabouts(p) {
  if (p.ways.includes('room')) return ['room', t('chair.people.in_room')];
  if (p.ways.includes('online')) return ['online', t('chair.people.in_online')];
  if (p.absence) {
    return ['absent', p.absence.with_reason
      ? t('chair.people.absent_reason', { reason: p.absence.reason })
      : t('chair.people.absent_no_reason')];
  }
  return ['none', t('chair.people.not_yet')];
}

/** The roll: every member, where they are, a checkbox to pick them for check-in or absence. */
export function renderRoll(state) {
  const people = state.console.attendance.people;
  redraw($('roll'), [people, lang()], () => {
    $('roll').replaceChildren(...people.map((p) => {
      const [where, label] = whereabouts(p);
      const box = el('input', {
        type: 'checkbox', checked: state.picked.has(p.member_id),
        onchange: (e) => { if (e.target.checked) state.picked.add(p.member_id); else state.picked.delete(p.member_id); },
      });
      return el('li', { className: 'person', dataset: { member: String(p.member_id), where } },
        el('label', {}, box, ' ', el('span', { className: 'name', textContent: p.full_name })),
        el('span', { className: 'tag', textContent: t(`chair.cat.${p.category}`) }),
        p.counted ? null : el('span', { className: 'tag', textContent: t('chair.people.not_counted') }),
        el('span', { className: `tag where-${where}`, textContent: label }));
    }));
  });
}

/** Wire the roll's buttons and the rotating hall code. */
export function wireAttendance(state, act) {
  const base = `/api/meetings/${state.meetingId}/attendance`;
  const picked = () => [...state.picked];
  const done = () => { state.picked.clear(); $('roll')._sig = null; };
  $('check-in').onclick = async () => {
    if (!state.picked.size) return;
    await act('POST', `${base}/check-in`, { member_ids: picked(), way: 'room' });
    done();
  };
  $('check-out').onclick = async () => {
    if (!state.picked.size) return;
    await act('POST', `${base}/check-out`, { member_ids: picked() });
    done();
  };
  const absent = async (withReason) => {
    if (!state.picked.size) return;
    const reason = withReason ? $('absence-reason').value.trim() : '';
    await act('PUT', `${base}/absences`, {
      absences: picked().map((id) => ({ member_id: id, with_reason: withReason, reason })),
    });
    $('absence-reason').value = '';
    done();
  };
  $('absent-with').onclick = () => absent(true);
  $('absent-without').onclick = () => absent(false);

  const newCode = async () => { // not through act(): a new code each minute is no news
    try {
      const code = await api('POST', `${base}/hall-code`);
      state.hallCode = { code: code.code, until: Date.now() + code.seconds * 1000 };
    } catch (err) {
      state.hallCode = null;
      state.codeOn = false;
      notice(err);
    }
  };
  $('hall-code-toggle').onclick = async () => {
    state.codeOn = !state.codeOn;
    state.hallCode = null;
    if (state.codeOn) await newCode();
    renderCode(state);
  };
  setInterval(async () => {
    if (state.codeOn && state.hallCode && Date.now() >= state.hallCode.until - 1000) await newCode();
    renderCode(state);
  }, CODE_MS);
  renderCode(state);
}

/** The hall code as the hall's screen shows it; a new one replaces it before it expires. */
export function renderCode(state) {
  $('hall-code-toggle').textContent = t(state.codeOn ? 'chair.code.hide' : 'chair.code.show');
  const code = state.codeOn ? state.hallCode : null;
  $('hall-code').textContent = code ? code.code : '';
  $('hall-code-left').textContent = code
    ? t('chair.code.left', { seconds: Math.max(0, Math.round((code.until - Date.now()) / 1000)) }) : '';
}


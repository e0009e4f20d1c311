// The superior committee's quality criteria on /committee (Q1): the set in force, a new version
// (each criterion's points, threshold and grade cap; the grade thresholds), the defaults drawn
// from the rules, and the history of versions. Only the secretary and deputies save a version.
import { t } from './i18n.js';
import { api } from './auth.js';
import { $, el } from './dom.js';
import { at, notice, refused } from './oversight-ui.js';

// policy/criteria.py Criterion, in the order of the defaults
const CRITERIA = ['on_day', 'duration', 'attendance', 'documents', 'task_reports', 'speakers',
  'resolution', 'minutes', 'thematic', 'caps', 'not_combined', 'group_reports'];
const SHARES = new Set(['attendance', 'speakers']); // a threshold: a share of people
const CAPS = ['', 'good', 'fair', 'average', 'weak'];
const GRADES = ['good', 'fair', 'average'];
let versions = [];
let current = null;

const id = (c, part) => `crit-${part}-${c}`;
const whole = (v) => v.trim() !== '' && Number.isInteger(Number(v)) && Number(v) >= 0 && Number(v) <= 100;

function row(c) {
  const label = t(`oversight.criterion.${c}`);
  return el('fieldset', { className: 'criterion row', dataset: { criterion: c } },
    el('legend', { className: 'visually-hidden', textContent: label }),
    el('label', { className: 'check' }, el('input', { type: 'checkbox', id: id(c, 'on') }), ` ${label}`),
    el('label', {}, el('span', { textContent: t('committee.criteria.points') }),
      el('input', { id: id(c, 'points'), type: 'number', min: 0, max: 100, step: 1, inputMode: 'numeric' })),
    SHARES.has(c) ? el('label', {}, el('span', { textContent: t('committee.criteria.threshold') }),
      el('input', { id: id(c, 'threshold'), type: 'number', min: 0, max: 100, step: 1, inputMode: 'numeric' })) : '',
    el('label', {}, el('span', { textContent: t('committee.criteria.cap') }),
      el('select', { id: id(c, 'cap') }, ...CAPS.map((g) => el('option', {
        value: g, textContent: g ? t(`oversight.grade.${g}`) : t('committee.criteria.no_cap'),
      })))));
}

/** Fill the form with a version (the one in force, or the defaults). */
function fill(set) {
  const byName = new Map(set.criteria.map((s) => [s.criterion, s]));
  for (const c of CRITERIA) {
    const spec = byName.get(c);
    $(id(c, 'on')).checked = !!spec;
    $(id(c, 'points')).value = spec ? String(spec.points) : '0';
    if (SHARES.has(c)) $(id(c, 'threshold')).value = String(Math.round((spec ? spec.threshold : 0) * 100));
    $(id(c, 'cap')).value = spec && spec.cap ? spec.cap : '';
  }
  for (const g of GRADES) $(`crit-${g}`).value = String(set[g]);
  $('crit-weak_periods').value = String(set.weak_periods);
}

/** The form as the API takes it, or null after a Vietnamese notice naming the bad field. */
function read() {
  const criteria = [];
  for (const c of CRITERIA) {
    if (!$(id(c, 'on')).checked) continue;
    const name = t(`oversight.criterion.${c}`);
    const points = $(id(c, 'points')).value;
    if (!whole(points)) return bad(t('committee.criteria.bad_points', { name }), id(c, 'points'));
    const spec = { criterion: c, points: Number(points), cap: $(id(c, 'cap')).value || null };
    if (SHARES.has(c)) {
      const share = $(id(c, 'threshold')).value;
      if (!whole(share)) return bad(t('committee.criteria.bad_threshold', { name }), id(c, 'threshold'));
      spec.threshold = Number(share) / 100;
    }
    criteria.push(spec);
  }
  if (!criteria.length) return bad(t('committee.criteria.none_chosen'), id(CRITERIA[0], 'on'));
  const out = { criteria };
  for (const g of GRADES) {
    if (!whole($(`crit-${g}`).value)) return bad(t('committee.criteria.bad_grade', { grade: t(`oversight.grade.${g}`) }), `crit-${g}`);
    out[g] = Number($(`crit-${g}`).value);
  }
  const periods = $('crit-weak_periods').value;
  if (!(Number.isInteger(Number(periods)) && Number(periods) >= 1 && Number(periods) <= 12)) {
    return bad(t('committee.criteria.bad_periods'), 'crit-weak_periods');
  }
  out.weak_periods = Number(periods);
  return out;
}

function bad(text, field) {
  notice(text, 'error', ['Q1']);
  $(field).focus();
  return null;
}

function showHistory() {
  const last = versions[versions.length - 1];
  $('criteria-history').replaceChildren(...[...versions].reverse().map((v) => el('li', { dataset: { version: String(v.version) } },
    el('strong', { textContent: t('committee.criteria.version', { version: v.version }) }), ' ',
    v.default ? t('committee.criteria.default') : t('committee.criteria.saved', { who: v.created_by, at: at(v.created_at) }),
    ` · ${t('committee.criteria.summary', {
      count: v.criteria.length, points: v.criteria.reduce((n, s) => n + s.points, 0), good: v.good, fair: v.fair, average: v.average,
    })}`,
    v === last ? el('span', { className: 'in-force', textContent: ` ${t('committee.criteria.in_force')}` }) : '')));
}

async function save(event, orgId) {
  event.preventDefault();
  const body = read();
  if (!body) return;
  $('criteria-save').disabled = true;
  try {
    const saved = await api('POST', `/api/organisations/${orgId}/quality/criteria`, body);
    notice(t('committee.criteria.done', { version: saved.version }));
    await showCriteria(orgId, true);
  } catch (err) {
    refused(err);
  } finally {
    $('criteria-save').disabled = false;
  }
}

/** Draw the section for the committee `orgId`; `manage`: may save a new version. */
export async function showCriteria(orgId, manage) {
  $('criteria-list').replaceChildren(...CRITERIA.map(row)); // in the language chosen
  [current, versions] = await Promise.all([
    api('GET', `/api/organisations/${orgId}/quality/criteria`),
    api('GET', `/api/organisations/${orgId}/quality/criteria/versions`),
  ]);
  fill(current);
  showHistory();
  for (const node of $('criteria-form').querySelectorAll('input, select')) node.disabled = !manage;
  $('criteria-actions').hidden = !manage;
  $('criteria-form').onsubmit = (e) => save(e, orgId);
  $('criteria-defaults').onclick = () => { fill(versions[0]); notice(t('committee.criteria.defaults_filled')); };
}

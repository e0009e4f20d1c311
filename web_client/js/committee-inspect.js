// Inspections on /committee (S2): the committee opens an inspection of one of its cells for a
// period, reads the cell's records for it — minutes, resolutions and conclusions, members' task
// reports, party-group assignments — and the notebooks members handed in (only those: a notebook
// is the member's own), then closes it. Every opening and every reading is audited server-side.
import { t } from './i18n.js';
import { api } from './auth.js';
import { $, el } from './dom.js';
import { at, dmy, notice, refused } from './oversight-ui.js';

let committeeId = null;
let cells = [];

const cellName = (id) => (cells.find((c) => c.cell_id === id) || {}).cell || String(id);

function part(title, items, draw) {
  return el('div', { className: 'inspected-part' }, el('h5', { textContent: title }),
    items.length ? el('ul', {}, ...items.map((x) => el('li', {}, ...draw(x)))) : el('p', { className: 'hint', textContent: t('committee.inspect.nothing') }));
}

function meeting(m) {
  const minutes = m.minutes.content
    ? el('details', {}, el('summary', { textContent: m.minutes.adopted_at ? t('committee.inspect.minutes_adopted', { at: at(m.minutes.adopted_at) }) : t('committee.inspect.minutes_draft') }),
      el('p', { className: 'minutes-text', textContent: m.minutes.content }))
    : el('p', { className: 'bad', textContent: t('committee.inspect.no_minutes') });
  return el('article', { className: 'inspected', dataset: { meeting: String(m.id) } },
    el('h4', { textContent: `${dmy(m.on)} · ${m.title}` }),
    el('p', { className: 'hint', textContent: `${t(`plan.mode.${m.mode}`)} · ${t(`plan.kind.${m.kind}`)}` }),
    el('div', { className: 'inspected-part', dataset: { part: 'minutes' } }, el('h5', { textContent: t('committee.inspect.minutes') }), minutes),
    part(t('committee.inspect.resolutions'), m.resolutions, (r) => [
      r.item ? el('strong', { textContent: `${r.item}: ` }) : '', r.conclusion || `${r.subject} — ${r.result}`]),
    part(t('committee.inspect.task_reports'), m.task_reports, (r) => [el('strong', { textContent: `${r.speaker}: ` }), r.text]),
    part(t('committee.inspect.groups'), m.group_assignments, (g) => [
      t('committee.inspect.group', { reported: g.reported_at ? at(g.reported_at) : t('committee.inspect.not_reported') })]));
}

function records(r) {
  const notebooks = r.notebooks.length
    ? el('ul', { id: 'inspection-notebooks' }, ...r.notebooks.map((n) => el('li', { dataset: { entry: String(n.id) } },
      el('strong', { textContent: t('committee.inspect.notebook_of', { date: dmy((r.meetings.find((m) => m.id === n.meeting_id) || {}).on), at: at(n.handed_in_at) }) }),
      el('p', { className: 'minutes-text', textContent: n.text }))))
    : el('p', { id: 'inspection-notebooks', className: 'hint', textContent: t('committee.inspect.no_notebooks') });
  return [
    el('h3', { textContent: t('committee.inspect.records_of', { cell: r.cell, from: dmy(r.period_from), to: dmy(r.period_to) }) }),
    ...(r.meetings.length ? r.meetings.map(meeting) : [el('p', { className: 'bad', textContent: t('committee.inspect.no_meetings') })]),
    el('h4', { textContent: t('committee.inspect.notebooks') }), notebooks,
  ];
}

async function read(inspection) {
  try {
    const r = await api('GET', `/api/inspections/${inspection.id}/records`);
    $('inspection-records').dataset.inspection = String(inspection.id);
    $('inspection-records').replaceChildren(...records(r));
    $('inspection-records').hidden = false;
  } catch (err) {
    refused(err);
  }
}

async function close(inspection) {
  try {
    await api('POST', `/api/inspections/${inspection.id}/close`);
    notice(t('committee.inspect.closed_done', { cell: cellName(inspection.cell_id) }));
    if ($('inspection-records').dataset.inspection === String(inspection.id)) $('inspection-records').hidden = true;
    await showInspections();
  } catch (err) {
    refused(err);
  }
}

function item(i) {
  const active = !i.closed_at;
  return el('li', { dataset: { inspection: String(i.id), open: String(active) } },
    el('strong', { textContent: cellName(i.cell_id) }),
    ` · ${dmy(i.period_from)}–${dmy(i.period_to)}`, i.subject ? ` · ${i.subject}` : '',
    ` · ${active ? t('committee.inspect.opened', { at: at(i.opened_at) }) : t('committee.inspect.closed', { at: at(i.closed_at) })} `,
    active ? el('button', { type: 'button', className: 'secondary', dataset: { action: 'read' }, textContent: t('committee.inspect.read'), onclick: () => read(i) }) : '',
    active ? el('button', { type: 'button', className: 'secondary', dataset: { action: 'close' }, textContent: t('committee.inspect.close'), onclick: () => close(i) }) : '');
}

async function showInspections() {
  const rows = await api('GET', `/api/organisations/${committeeId}/inspections`);
  rows.sort((a, b) => b.id - a.id);
  $('inspections').replaceChildren(...(rows.length ? rows.map(item) : [el('li', { textContent: t('committee.inspect.none') })]));
}

async function openInspection(event) {
  event.preventDefault();
  const [from, to] = [$('inspect-from').value, $('inspect-to').value];
  if (!$('inspect-cell').value || !from || !to) { notice(t('committee.inspect.incomplete'), 'error', ['S2']); return; }
  if (to < from) { notice(t('committee.inspect.bad_period'), 'error', ['S2']); return; }
  $('inspect-submit').disabled = true;
  try {
    const made = await api('POST', `/api/organisations/${committeeId}/inspections`, {
      cell_id: Number($('inspect-cell').value), period_from: from, period_to: to, subject: $('inspect-subject').value.trim(),
    });
    notice(t('committee.inspect.opened_done', { cell: cellName(made.cell_id) }));
    $('inspect-subject').value = '';
    await showInspections();
    await read(made);
  } catch (err) {
    refused(err);
  } finally {
    $('inspect-submit').disabled = false;
  }
}

/** Draw the section for the committee `orgId` over its `cellsNow` (the overview's cells) and
 * the month `ym` (the period proposed: that month). */
export async function showInspect(orgId, cellsNow, ym) {
  committeeId = orgId;
  cells = cellsNow;
  const chosen = $('inspect-cell').value;
  $('inspect-cell').replaceChildren(...cells.map((c) => el('option', { value: String(c.cell_id), textContent: c.cell })));
  if (cells.some((c) => String(c.cell_id) === chosen)) $('inspect-cell').value = chosen;
  const [y, m] = ym.split('-').map(Number);
  $('inspect-from').value = `${ym}-01`;
  $('inspect-to').value = `${ym}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
  $('inspect-form').onsubmit = openInspection;
  $('inspection-records').hidden = true;
  await showInspections();
}

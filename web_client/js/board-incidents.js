// Incidents and members' feedback of the pilot (V3), on /board (the organisation board records
// them for a unit under its committee) and on /committee (the committee's secretary and deputies
// record them for one of its cells); they are counted in the monitoring table and in the interim
// and final reviews.
import { t } from './i18n.js';
import { api } from './auth.js';
import { $, el } from './dom.js';
import { dmy, notice, refused, vnToday } from './oversight-ui.js';

const KINDS = ['technical', 'security', 'feedback'];

/** The incidents recorded for the units under `committeeId` from `from` to `to` (dates). */
export async function showIncidents(committeeId, [from, to]) {
  const q = `from=${from}&to=${to}`;
  const rows = await api('GET', `/api/organisations/${committeeId}/pilot-incidents?${q}`);
  $('incidents').replaceChildren(...(rows.length ? rows.map((r) => el('li', { dataset: { incident: String(r.id), kind: r.kind } },
    el('strong', { textContent: `${dmy(r.occurred_on)} · ${r.unit}` }), ` · ${t(`board.incident.kind.${r.kind}`)}`,
    r.description ? ` — ${r.description}` : ''))
    : [el('li', { textContent: t('board.incident.none') })]));
}

/** Fill the form's units and kinds and wire it for the committee `id` (shown when `canRecord`,
 * the listing over `range()`: [from, to]), calling `after()` once an incident is recorded. */
export function setupIncidents({ id, canRecord, range }, units, after) {
  $('incident-form').hidden = !canRecord;
  $('incident-unit').replaceChildren(...units.map((u) => el('option', { value: String(u.id), textContent: u.name })));
  $('incident-kind').replaceChildren(...KINDS.map((k) => el('option', { value: k, textContent: t(`board.incident.kind.${k}`) })));
  if (!$('incident-on').value) $('incident-on').value = vnToday();
  $('incident-form').onsubmit = async (event) => {
    event.preventDefault();
    const on = $('incident-on').value;
    const description = $('incident-description').value.trim();
    if (!$('incident-unit').value || !on) { notice(t('board.incident.incomplete'), 'error', ['V3']); return; }
    if (!description) { notice(t('board.incident.describe'), 'error', ['V3']); return; }
    if (on > vnToday()) { notice(t('board.incident.future'), 'error', ['V3']); return; }
    $('incident-submit').disabled = true;
    try {
      await api('POST', `/api/organisations/${$('incident-unit').value}/pilot-incidents`, {
        occurred_on: on, kind: $('incident-kind').value, description,
      });
      notice(t('board.incident.done', { unit: $('incident-unit').selectedOptions[0].textContent }));
      $('incident-description').value = '';
      await Promise.all([showIncidents(id, range()), after()]);
    } catch (err) {
      refused(err);
    } finally {
      $('incident-submit').disabled = false;
    }
  };
}

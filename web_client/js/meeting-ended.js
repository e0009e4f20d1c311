// A closed meeting's page: it says the meeting has ended (no Join button) and offers the adopted
// minutes (M1) to those who may read the meeting; the server checks the right again per download.

import { ApiError, api } from './auth.js';
import { $ } from './dom.js';
import { t } from './i18n.js';

const VN_TIME = { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'short' };

/** Vietnam time of an ISO instant, as the minutes print it. */
export function vnTime(iso) {
  return iso ? new Date(iso).toLocaleString('vi-VN', VN_TIME) : '';
}

/** Show the ended card for `meeting` (a MeetingOut); the join card stays hidden. */
export async function showEnded(meeting) {
  $('join-box').hidden = true;
  $('meeting').hidden = true;
  $('ended-box').hidden = false;
  $('ended-box').dataset.status = meeting.status;
  $('ended-at').textContent = meeting.status === 'cancelled' ? t('ui.ended.cancelled')
    : t('ui.ended.at', { time: vnTime(meeting.ended_at) });
  let minutes = null;
  try {
    minutes = await api('GET', `/api/meetings/${meeting.id}/minutes`);
  } catch (err) {
    console.warn('hopchibo: minutes', err instanceof ApiError ? err.code : err);
  }
  const adopted = Boolean(minutes && minutes.adopted);
  $('ended-box').dataset.minutes = adopted ? 'adopted' : 'none';
  $('ended-minutes').textContent = adopted ? t('ui.ended.minutes', { time: vnTime(minutes.adopted_at) })
    : t('ui.ended.no_minutes');
  $('ended-links').hidden = !adopted;
  $('minutes-docx').href = `/api/meetings/${meeting.id}/minutes.docx`;
  $('minutes-pdf').href = `/api/meetings/${meeting.id}/minutes.pdf`;
}

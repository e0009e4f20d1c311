// Home page: the signed-in person's meetings today and ahead, with where to go (join, chair).
import { init, lang, pick, t } from "./i18n.js";
import { api } from "./auth.js";
import { el } from "./dom.js";

const $ = (id) => document.getElementById(id);
const VN = "Asia/Ho_Chi_Minh";
const CHAIR_ROLES = new Set(["secretary", "deputy", "group_leader"]);
const ATTEND_ROLES = new Set([...CHAIR_ROLES, "committee", "member", "observer", "room_device"]);
const CELL_ROLES = new Set(["secretary", "deputy", "committee", "member"]); // read the cell's results (Q2)
const LEAD_ROLES = new Set(["secretary", "deputy", "committee"]); // a committee's leaders (S1, Q2)
const ROSTER_ROLES = new Set(["secretary", "deputy", "admin"]);
const SCOPE_ROLES = new Set(["secretary", "deputy"]);

/** The Vietnam calendar date of an instant, as YYYY-MM-DD ("today" itself comes from the server). */
function vnDate(iso) {
  return new Date(iso).toLocaleDateString("en-CA", { timeZone: VN });
}

function when(iso) {
  return new Date(iso).toLocaleString("vi-VN", { timeZone: VN, dateStyle: "full", timeStyle: "short" });
}

function link(href, key, extra = "") {
  return Object.assign(document.createElement("a"), { href, className: `action ${extra}`.trim(), textContent: t(key) });
}

function item(meeting, chair, attending = null, owed = false) {
  const li = document.createElement("li");
  li.dataset.meeting = String(meeting.id);
  const title = Object.assign(document.createElement("span"), { className: "meeting-title", textContent: meeting.title });
  li.append(title);
  if (owed) { // GM3: the leader's report is still owed, also once the meeting is past
    li.dataset.reportOwed = "true";
    li.append(Object.assign(document.createElement("span"), { className: "meeting-role", textContent: t("groups.home.report_owed") }));
  }
  if (attending) { // §II.4.2: a party group's meeting the person attends for the cell committee
    li.dataset.attending = String(attending.group_id);
    li.append(Object.assign(document.createElement("span"), {
      className: "meeting-role",
      textContent: t("groups.home.attending", { group: attending.group }),
    }));
  }
  const status = t(`pages.home.status.${meeting.status}`);
  const mode = t(`pages.home.mode.${meeting.mode}`);
  const info = Object.assign(document.createElement("span"), {
    className: "meeting-when",
    textContent: `${when(meeting.scheduled_start)} · ${mode} · ${status}`,
  });
  li.append(info);
  if (chair && meeting.kind === "group") { // a party group's meeting: its leader's console, also for the report (GM3)
    li.append(link(`/meetings/${meeting.id}/group`, "groups.home.console"));
    return li;
  }
  if (chair && meeting.mode === "group") li.append(link(`/meetings/${meeting.id}/groups`, "groups.home.committee", "secondary"));
  if (meeting.status === "scheduled" || meeting.status === "open") {
    li.append(link(`/meetings/${meeting.id}`, "pages.home.join"));
    if (chair) li.append(link(`/meetings/${meeting.id}/chair`, "pages.home.chair", "secondary"));
    if (chair && meeting.status === "scheduled") li.append(link(`/meetings/${meeting.id}/plan`, "plan.home.prepare", "secondary"));
  }
  return li;
}

function dmy(iso) {
  return iso ? iso.slice(0, 10).split("-").reverse().join("/") : "";
}

/** An instant's Vietnam calendar date, as dd/mm/yyyy. */
function vnDay(iso) {
  return dmy(vnDate(iso));
}

/** "12/2026" for a month, "Q4/2026" for a quarter. */
function periodText(label) {
  return `${label.slice(5)}/${label.slice(0, 4)}`;
}

/** Q2: the cell's latest published evaluation, with the evidence per criterion and meeting. */
function qualityResult(r) {
  const pickText = (x) => (lang() === "en" ? x.en : x.vi);
  const meetings = (r.result.months || []).flatMap((m) => m.meetings);
  const box = el("article", { className: "registration", dataset: { result: String(r.id), grade: r.grade } },
    el("p", {}, el("strong", { textContent: `${r.cell} · ${t("pages.home.quality.period", { period: periodText(r.period) })}: ` }),
      el("span", { className: `grade grade-${r.grade}`, textContent: pickText(r.grade_text) }), ` ${r.percent}%`),
    el("p", { className: "hint", textContent: t("pages.home.quality.published", { date: vnDay(r.published_at) }) }),
    el("ul", { className: "evidence" }, ...(r.result.reasons || []).map((x) => el("li", { textContent: pickText(x) }))));
  for (const m of meetings) {
    const details = el("details", { className: "evidence" },
      el("summary", { textContent: t("committee.evidence.meeting", { date: dmy(m.on), percent: m.percent }) }),
      el("ul", { className: "evidence" }, ...m.results.map((c) => el("li", {
        className: c.met === true ? "met" : c.met === false ? "unmet" : "na",
      }, el("strong", { textContent: `${t(`oversight.criterion.${c.criterion}`)}: ` }), `${pickText(c)} (${c.points}/${c.max_points})`))));
    box.append(details);
  }
  return box;
}

/** The published results of the person's cells (Q2); a failure here never hides the meetings. */
async function showQuality(roles) {
  const cells = [...new Set(roles.filter((r) => CELL_ROLES.has(r.role)).map((r) => r.org_id))];
  const latest = [];
  for (const id of cells) {
    const results = await api("GET", `/api/organisations/${id}/quality/results`).catch(() => []);
    const published = results.filter((r) => r.published_at).sort((a, b) => b.published_at.localeCompare(a.published_at));
    if (published.length) latest.push(published[0]);
  }
  $("quality").replaceChildren(...latest.map(qualityResult));
  $("quality-section").hidden = latest.length === 0;
}

/** Links to the committee's and the board's pages, and to the cell's pilot registrations. */
async function showLinks(roles) {
  $("board-link").hidden = !roles.some((r) => r.role === "org_board" || r.role === "standing_committee");
  const leads = [...new Set(roles.filter((r) => LEAD_ROLES.has(r.role)).map((r) => r.org_id))];
  const orgs = await Promise.all(leads.map((id) => api("GET", `/api/organisations/${id}`).catch(() => null)));
  const secretaryOf = new Set(roles.filter((r) => r.role === "secretary").map((r) => r.org_id));
  $("committee-link").hidden = !orgs.some((o) => o && o.level !== "cell" && o.level !== "group");
  $("pilot-link").hidden = !orgs.some((o) => o && o.level === "cell" && secretaryOf.has(o.id));
}

/** E1's figure today for each cell the person leads (secretary, deputy): it follows the
 * roster (exemptions, suspensions, E1a reasons within their periods). */
async function showScopes(roles) {
  const cells = [...new Set(roles.filter((r) => SCOPE_ROLES.has(r.role)).map((r) => r.org_id))];
  const items = [];
  for (const orgId of cells) {
    try {
      const scope = await api("GET", `/api/organisations/${orgId}/online-scope`);
      const li = document.createElement("li");
      li.dataset.org = String(orgId);
      li.dataset.unable = String(scope.unable);
      li.dataset.counted = String(scope.counted);
      li.textContent = `${pick(scope.text)} ${t(scope.more_than_half ? "roster.scope.more_than_half" : "roster.scope.not_half")}`;
      items.push(li);
    } catch (err) {
      console.warn("online scope", orgId, err); // a party group or a committee: no roster figure
    }
  }
  $("scopes").replaceChildren(...items);
  $("scope-section").hidden = items.length === 0;
}

function fill(list, entries) {
  list.replaceChildren(...(entries.length ? entries : [Object.assign(document.createElement("li"), { textContent: t("pages.home.none") })]));
}

async function main() {
  await init();
  const session = await api("GET", "/api/auth/session");
  if (!session.authenticated) {
    location.assign("/login?next=/home");
    return;
  }
  const name = session.account.display_name || session.account.username;
  $("greeting").textContent = t("pages.home.greeting", { name });
  const roles = session.roles || [];
  $("officer-link").hidden = !roles.some((r) => r.role === "security_officer");
  $("plan-link").hidden = !roles.some((r) => CHAIR_ROLES.has(r.role)); // who may schedule (/plan)
  $("roster-link").hidden = !roles.some((r) => ROSTER_ROLES.has(r.role));
  // the extras load beside the meetings: if one fails, the meetings still show
  const extras = Promise.all([
    showQuality(roles).catch((err) => console.warn("home: quality results", err)),
    showLinks(roles).catch((err) => console.warn("home: links", err)),
    showScopes(roles).catch((err) => console.warn("home: E1 figure", err)),
  ]);
  // the server's day (Vietnam, app clock) and the group meetings attended for the committee
  const home = await api("GET", "/api/home");
  const orgs = new Map();
  for (const r of roles) {
    if (!ATTEND_ROLES.has(r.role)) continue;
    orgs.set(r.org_id, (orgs.get(r.org_id) || false) || CHAIR_ROLES.has(r.role));
  }
  if (orgs.size === 0 && home.attending.length === 0 && home.reports_owed.length === 0) {
    fill($("today"), []);
    $("today").firstChild.textContent = t("pages.home.no_meeting_role");
    $("upcoming-section").hidden = true;
    await extras;
    return;
  }
  const today = home.today;
  const all = [];
  for (const [orgId, chair] of orgs) {
    // one organisation's meetings failing to load does not hide the others'
    const meetings = await api("GET", `/api/organisations/${orgId}/meetings`).catch((err) => {
      console.warn("home: meetings of", orgId, err);
      $("error").textContent = t("pages.home.load_failed");
      $("error").hidden = false;
      return [];
    });
    for (const m of meetings) all.push({ m, chair, attending: null });
  }
  for (const a of home.attending) { // §II.4.2: attending a party group's meeting for the committee
    const listed = all.find((e) => e.m.id === a.meeting.id);
    if (listed) listed.attending = a;
    else all.push({ m: a.meeting, chair: false, attending: a });
  }
  await extras;
  all.sort((a, b) => a.m.scheduled_start.localeCompare(b.m.scheduled_start));
  const owed = new Set(home.reports_owed.map((m) => m.id));
  for (const m of home.reports_owed) { // the leader's console: listed in today's even once past
    if (!all.some((e) => e.m.id === m.id)) all.push({ m, chair: true, attending: null });
  }
  const isToday = ({ m }) => vnDate(m.scheduled_start) === today;
  const isPastOwed = ({ m }) => owed.has(m.id) && vnDate(m.scheduled_start) < today;
  const show = ({ m, chair, attending }) => item(m, chair, attending, owed.has(m.id) && m.status === "closed");
  fill($("today"), all.filter((e) => isToday(e) || isPastOwed(e)).map(show));
  fill($("upcoming"), all.filter((e) => !isToday(e) && vnDate(e.m.scheduled_start) > today).map(show));
}

$("logout").addEventListener("click", async () => {
  await api("POST", "/api/auth/logout");
  location.assign("/login");
});

main()
  .catch((err) => {
    console.warn("home page failed", err);
    $("error").textContent = t("pages.home.load_failed");
    $("error").hidden = false;
  })
  .finally(() => {
    document.body.dataset.ready = "true"; // the lists are filled (tests wait for this)
  });

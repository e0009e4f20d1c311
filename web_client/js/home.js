// Home page: the signed-in person's meetings today and ahead, with where to go (join, chair).
import { init, t } from "./i18n.js";
import { api } from "./auth.js";

const $ = (id) => document.getElementById(id);
const VN = "Asia/Ho_Chi_Minh";
const CHAIR_ROLES = new Set(["secretary", "deputy", "group_leader"]);
const ATTEND_ROLES = new Set([...CHAIR_ROLES, "committee", "member", "observer", "room_device"]);

/** The Vietnam calendar date of an instant, as YYYY-MM-DD. */
function vnDate(iso) {
  return new Date(iso).toLocaleDateString("en-CA", { timeZone: VN });
}

function when(iso) {
  return new Date(iso).toLocaleString("vi-VN", { timeZone: VN, dateStyle: "full", timeStyle: "short" });
}

function link(href, key, extra = "") {
  return Object.assign(document.createElement("a"), { href, className: `action ${extra}`.trim(), textContent: t(key) });
}

function item(meeting, chair) {
  const li = document.createElement("li");
  li.dataset.meeting = String(meeting.id);
  const title = Object.assign(document.createElement("span"), { className: "meeting-title", textContent: meeting.title });
  const status = t(`pages.home.status.${meeting.status}`);
  const mode = t(`pages.home.mode.${meeting.mode}`);
  const info = Object.assign(document.createElement("span"), {
    className: "meeting-when",
    textContent: `${when(meeting.scheduled_start)} · ${mode} · ${status}`,
  });
  li.append(title, info);
  if (meeting.status === "scheduled" || meeting.status === "open") {
    li.append(link(`/meetings/${meeting.id}`, "pages.home.join"));
    if (chair) li.append(link(`/meetings/${meeting.id}/chair`, "pages.home.chair", "secondary"));
    if (chair && meeting.status === "scheduled") li.append(link(`/meetings/${meeting.id}/plan`, "plan.home.prepare", "secondary"));
  }
  return li;
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
  const orgs = new Map();
  for (const r of roles) {
    if (!ATTEND_ROLES.has(r.role)) continue;
    orgs.set(r.org_id, (orgs.get(r.org_id) || false) || CHAIR_ROLES.has(r.role));
  }
  if (orgs.size === 0) {
    fill($("today"), []);
    $("today").firstChild.textContent = t("pages.home.no_meeting_role");
    $("upcoming-section").hidden = true;
    return;
  }
  const today = vnDate(new Date().toISOString());
  const all = [];
  for (const [orgId, chair] of orgs) {
    const meetings = await api("GET", `/api/organisations/${orgId}/meetings`);
    for (const m of meetings) all.push({ m, chair });
  }
  all.sort((a, b) => a.m.scheduled_start.localeCompare(b.m.scheduled_start));
  const isToday = ({ m }) => vnDate(m.scheduled_start) === today;
  fill($("today"), all.filter(isToday).map(({ m, chair }) => item(m, chair)));
  fill($("upcoming"), all.filter((e) => !isToday(e) && vnDate(e.m.scheduled_start) > today).map(({ m, chair }) => item(m, chair)));
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

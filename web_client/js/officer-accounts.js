// Security officer console: the "Sự kiện tài khoản" tab (R7). Invitations to enrol, enrolments,
// second factors added, removed and reset (and resets refused without the administrator's
// step-up), locks, unlocks, sign-out everywhere: who did what to whom, in Vietnam time. The
// server sends named detail fields only; no secret ever reaches this page.

import { api } from "./auth.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const PAGE = 100;
let oldest = null;
let events = [];

function who(name, id) {
  if (name) return name;
  if (id === "anonymous") return t("records.officer.anonymous");
  if (id === "system") return t("records.officer.system");
  if (id === "cli") return t("records.officer.cli");
  return id;
}

function details(d) {
  return Object.entries(d).map(([k, v]) => `${t(`records.officer.detail.${k}`)}: ${v}`).join(" · ");
}

const HEADS = ["time", "actor", "event", "subject", "details"];

function row(e, vnTime) {
  const tr = document.createElement("tr");
  tr.dataset.seq = String(e.seq);
  tr.dataset.event = e.event;
  const cells = [
    vnTime(e.ts),
    who(e.actor_name, e.actor),
    t(`records.officer.event.${e.event}`),
    who(e.target_name, e.target),
    details(e.details),
  ];
  for (const [i, text] of cells.entries()) {
    const td = document.createElement("td");
    td.dataset.label = t(`records.officer.${HEADS[i]}`); // the heading, on a phone's card
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

function render(vnTime) {
  $("account-events").querySelector("tbody").replaceChildren(...events.map((e) => row(e, vnTime)));
  $("accounts-empty").hidden = events.length > 0;
}

/** Load the newest account events (or the next page, `more`). */
export async function loadAccountEvents(vnTime, more = false) {
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (more && oldest) params.set("before", String(oldest));
  const found = await api("GET", `/api/audit/accounts?${params}`);
  events = more ? [...events, ...found] : found;
  if (found.length) oldest = found[found.length - 1].seq;
  $("accounts-more").hidden = found.length < PAGE;
  render(vnTime);
}

/** Show one tab: "log" (the search) or "accounts". */
function show(tab) {
  const accounts = tab === "accounts";
  $("accounts-view").hidden = !accounts;
  $("log-view").hidden = accounts;
  $("tab-accounts").setAttribute("aria-selected", String(accounts));
  $("tab-log").setAttribute("aria-selected", String(!accounts));
}

/** Wire the tabs; `vnTime` formats an instant in Vietnam time; `fail` shows an error. */
export function wireAccounts(vnTime, fail) {
  $("tab-log").addEventListener("click", () => show("log"));
  $("tab-accounts").addEventListener("click", () => {
    show("accounts");
    loadAccountEvents(vnTime).catch(fail);
  });
  $("accounts-more").addEventListener("click", () => loadAccountEvents(vnTime, true).catch(fail));
  $("lang").addEventListener("click", () => render(vnTime));
}

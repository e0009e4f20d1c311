// Security officer console: step-up, integrity status, log search, signed extracts (R7).
// Every call here is audited by the server; no meeting content is reachable from this page.

import { api, ApiError, session } from "./auth.js";
import { apply, init, pick, t } from "./i18n.js";
import { wireAccounts } from "./officer-accounts.js";

const $ = (id) => document.getElementById(id);
let oldest = null; // seq of the last row shown, for "more"
let lastStatus = null;

function showError(err) {
  const box = $("error");
  box.textContent = err instanceof ApiError ? pick(err.body.message) : String(err);
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
}

// Times are Vietnam time everywhere, as in the minutes (UTC+7, no daylight saving).
const VN = "+07:00";
const VN_FORMAT = new Intl.DateTimeFormat("sv-SE", {
  timeZone: "Asia/Ho_Chi_Minh", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});

/** A datetime-local value read as Vietnam time, whatever the browser's own zone. */
function iso(value) {
  return value ? `${value.length === 16 ? `${value}:00` : value}${VN}` : "";
}

/** An instant from the API shown in Vietnam time ("2026-12-06 19:05:00"). */
export function vnTime(value) {
  return VN_FORMAT.format(new Date(value));
}

function query(before) {
  const params = new URLSearchParams();
  for (const name of ["member", "meeting", "action"]) {
    const value = $(`f-${name}`).value.trim();
    if (value) params.set(name, value);
  }
  for (const name of ["since", "until"]) {
    const value = $(`f-${name}`).value;
    if (value) params.set(name, iso(value));
  }
  if (before) params.set("before", String(before));
  params.set("limit", "100");
  return params.toString();
}

function row(record) {
  const tr = document.createElement("tr");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.value = String(record.seq);
  box.dataset.i18nLabel = "records.officer.select_row";
  box.setAttribute("aria-label", t("records.officer.select_row"));
  const cells = [
    box,
    String(record.seq),
    vnTime(record.ts),
    record.actor,
    record.action,
    record.target,
    JSON.stringify(record.details),
  ];
  for (const cell of cells) {
    const td = document.createElement("td");
    if (typeof cell === "string") td.textContent = cell;
    else td.append(cell);
    tr.append(td);
  }
  return tr;
}

let searches = 0; // only the latest search is shown (an earlier answer arriving late is dropped)

async function search(append) {
  clearError();
  const body = $("records").querySelector("tbody");
  const mine = ++searches;
  const records = await api("GET", `/api/audit?${query(append ? oldest : null)}`);
  if (mine !== searches) return;
  if (!append) body.replaceChildren();
  for (const record of records) body.append(row(record));
  if (records.length) oldest = records[records.length - 1].seq;
  $("empty").hidden = body.children.length > 0;
  $("more").hidden = records.length < 100;
}

async function status() {
  lastStatus = await api("GET", "/api/records/status");
  renderStatus();
}

function renderStatus() {
  const s = lastStatus;
  if (!s) return;
  const result = $("verify-result");
  result.className = s.ok ? "ok" : "bad";
  result.textContent = s.ok
    ? t("records.officer.verified", { rows: s.rows_checked })
    : t("records.officer.broken", { seq: s.first_bad_seq, kind: s.kind });
  $("checkpoint").textContent = s.checkpoint
    ? t("records.officer.checkpoint", { size: s.checkpoint.size, signer: s.checkpoint.signer })
    : t("records.officer.no_checkpoint");
  $("public-key").textContent = s.public_key;
}

async function exportExtract(event) {
  event.preventDefault();
  clearError();
  const seqs = [...document.querySelectorAll("#records tbody input:checked")].map((b) => Number(b.value));
  if (!seqs.length) return;
  const resp = await fetch("/api/records/extract", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": (await session()).csrf },
    body: JSON.stringify({ seqs, purpose: $("purpose").value }),
  });
  if (!resp.ok) throw new ApiError(resp.status, await resp.json());
  const url = URL.createObjectURL(await resp.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = "hopchibo-extract.json";
  link.click();
  URL.revokeObjectURL(url);
}

async function open() {
  $("step-up").hidden = true;
  $("console").hidden = false;
  await status();
  await search(false);
}

async function main() {
  await init();
  const current = await session().catch(() => null);
  if (!current || !current.authenticated) {
    location.assign("/login?next=/officer");
    return;
  }
  $("step-up-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearError();
    api("POST", "/api/auth/step-up", { code: $("step-up-code").value.trim() })
      .then(open)
      .catch(showError);
  });
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search(false).catch(showError);
  });
  $("more").addEventListener("click", () => search(true).catch(showError));
  $("select-all").addEventListener("change", (event) => {
    for (const box of document.querySelectorAll("#records tbody input")) box.checked = event.target.checked;
  });
  $("export-form").addEventListener("submit", (event) => exportExtract(event).catch(showError));
  wireAccounts(vnTime, showError);
  $("lang").addEventListener("click", () => {
    apply();
    renderStatus();
  });
  if (current.step_up_fresh) await open().catch(showError);
  else $("step-up").hidden = false;
}

main().catch(showError);

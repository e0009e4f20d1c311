// The roster and accounts page: the cell's members with flags (and their dates), E1a reasons
// with their periods, groups, roles and accounts; editing a record; import (preview, mapping,
// row errors, confirm) and export; the history; enrolment links and the administrator's
// account actions (reset a second factor after a step-up, lock, sign out everywhere).
import { $, el } from "./dom.js";
import { apply, init, pick, t } from "./i18n.js";
import { ApiError, api, session } from "./auth.js";

const VN = "Asia/Ho_Chi_Minh";
const FLAGS = ["exempted", "suspended", "temporarily_attached"];
const REASONS = ["abroad", "multi_province", "far_from_home", "student_break", "armed_forces",
  "health_duty", "forest_ranger", "seafarer", "offshore", "island"];
const SEASONAL = new Set(["student_break"]);
const READ_ROLES = new Set(["secretary", "deputy", "committee", "group_leader"]);

const state = { orgId: null, roster: null, file: null, kind: null, mapping: null, retry: null, editing: null, inviting: null };

/** "dd/mm/yyyy" of an ISO date. */
function vnDay(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

function vnTime(iso) {
  return new Date(iso).toLocaleString("vi-VN", { timeZone: VN, dateStyle: "short", timeStyle: "short" });
}

function periodText(p) {
  if (!p || (!p.from && !p.to)) return "";
  return [p.from ? t("roster.period.from", { date: vnDay(p.from) }) : "", p.to ? t("roster.period.to", { date: vnDay(p.to) }) : ""]
    .filter(Boolean).join(" ");
}

function say(text) {
  $("status").textContent = text;
  $("status").hidden = false;
  $("error").hidden = true;
}

function fail(err) {
  console.warn("roster action refused", err);
  $("error").textContent = err instanceof ApiError ? t("roster.refused", { message: pick(err.body.message) }) : t("roster.load_failed");
  $("error").hidden = false;
}

/** Run an action; a refusal for want of a fresh step-up shows the step-up form and retries. */
function guard(fn) {
  return async (event) => {
    event?.preventDefault();
    try {
      await fn();
    } catch (err) {
      if (err instanceof ApiError && err.code === "step_up_required") {
        state.retry = fn;
        $("stepup-form").hidden = false;
        $("stepup-code").focus();
      }
      fail(err);
    }
  };
}

function td(label, ...children) {
  return el("td", { dataset: { label: t(label) } }, ...children);
}

function flagCell(m, now) {
  const items = [];
  for (const flag of FLAGS) {
    if (!m[flag]) continue;
    const dates = periodText((m.flag_periods || {})[flag]);
    const holds = now.includes(flag);
    items.push(el("li", { dataset: { flag } },
      el("span", { className: "tag" }, t(`roster.flag.${flag}`)),
      dates ? el("span", { className: "dates" }, dates) : null,
      el("span", { className: `tag ${holds ? "now" : "off"}` }, t(holds ? "roster.period.now" : "roster.period.not_now"))));
  }
  return items.length ? el("ul", {}, ...items) : t("roster.none");
}

function reasonCell(m, now) {
  if (!m.e1a_reasons.length) return t("roster.none");
  return el("ul", {}, ...m.e1a_reasons.map((reason) => {
    const p = (m.e1a_periods || {})[reason];
    const dates = periodText(p) || t(SEASONAL.has(reason) ? "roster.period.season" : "roster.period.always");
    const holds = now.includes(reason);
    return el("li", { dataset: { reason } },
      el("span", {}, t(`roster.reason.${reason}`)),
      el("span", { className: "dates" }, dates),
      el("span", { className: `tag ${holds ? "now" : "off"}` }, t(holds ? "roster.period.now" : "roster.period.not_now")));
  }));
}

function accountCell(account) {
  if (!account) return el("span", { className: "tag off" }, t("roster.account.none"));
  const key = account.locked ? "locked" : account.factor_reset ? "reset" : account.enrolled ? "active" : "invited";
  return el("span", {},
    el("span", { className: "username" }, account.username), " ",
    el("span", { className: `tag ${key === "locked" ? "locked" : key === "active" ? "now" : "off"}`, dataset: { state: key } },
      t(`roster.account.${key}`)));
}

function button(key, action, fn, extra = "") {
  return el("button", { type: "button", className: `small ${extra}`.trim(), textContent: t(key), dataset: { action }, onclick: guard(fn) });
}

function actionsCell(entry, roster) {
  const a = entry.account;
  const out = [];
  if (roster.may_manage) out.push(button("roster.edit", "edit", async () => openEdit(entry)));
  if ((roster.may_manage || roster.may_manage_accounts) && (!a || !a.enrolled)) {
    out.push(button("roster.account.invite", "invite", async () => openInvite(entry), "secondary"));
  }
  if (roster.may_manage_accounts && a) {
    if (a.enrolled) {
      out.push(button("roster.account.reset_factor", "reset", async () => {
        await api("POST", `/api/accounts/${a.id}/factor-reset`);
        say(t("roster.account.done_reset"));
        await load();
      }, "secondary"));
    }
    out.push(button(a.locked ? "roster.account.unlock" : "roster.account.lock", a.locked ? "unlock" : "lock", async () => {
      await api("POST", `/api/accounts/${a.id}/lock`, { locked: !a.locked });
      say(t(a.locked ? "roster.account.done_unlock" : "roster.account.done_lock"));
      await load();
    }, "secondary"));
    out.push(button("roster.account.signout_all", "signout", async () => {
      const { count } = await api("POST", `/api/accounts/${a.id}/logout-all`);
      say(t("roster.account.done_signout", { count }));
    }, "secondary"));
  }
  return out;
}

function render() {
  const r = state.roster;
  const groups = new Map(r.groups.map((g) => [g.id, g.name]));
  const scope = r.scope;
  $("scope").textContent = `${pick(scope.text)} ${t(scope.more_than_half ? "roster.scope.more_than_half" : "roster.scope.not_half")}`;
  $("scope").className = `scope ${scope.more_than_half ? "ok" : "no"}`;
  $("scope").dataset.unable = String(scope.unable);
  $("scope").dataset.counted = String(scope.counted);
  $("count").textContent = t("roster.count", { count: r.entries.length });
  const orgs = new Set([r.org_id, ...r.groups.map((g) => g.id)]);
  $("members").tBodies[0].replaceChildren(...r.entries.map((entry) => {
    const m = entry.member;
    const roles = (entry.account?.roles || []).filter(([org]) => orgs.has(org)).map(([, role]) => t(`roster.role.${role}`));
    return el("tr", { dataset: { member: String(m.id) } },
      el("th", { scope: "row", dataset: { label: t("roster.col.name") } }, m.full_name),
      td("roster.col.status", t(`roster.status.${m.status}`)),
      td("roster.col.flags", flagCell(m, entry.flags_now)),
      td("roster.col.e1a", reasonCell(m, entry.reasons_now)),
      td("roster.col.location", m.location || t("roster.none")),
      td("roster.col.group", m.group_id ? groups.get(m.group_id) || "" : t("roster.no_group")),
      td("roster.col.roles", roles.join(", ") || t("roster.none")),
      td("roster.col.account", accountCell(entry.account)),
      td("roster.col.actions", ...actionsCell(entry, r)));
  }));
  $("import-section").hidden = !r.may_manage;
  $("export-csv").href = `/api/organisations/${r.org_id}/roster/export.csv`;
  $("export-xlsx").href = `/api/organisations/${r.org_id}/roster/export.xlsx`;
}

function fieldNames(changes) {
  return Object.keys(changes).map((k) => t(`roster.field.${k}`)).join(", ");
}

async function loadHistory() {
  const rows = await api("GET", `/api/organisations/${state.orgId}/roster/history`);
  const list = $("history");
  if (!rows.length) {
    list.replaceChildren(el("li", {}, t("roster.history.none")));
    return;
  }
  list.replaceChildren(...rows.slice(0, 100).map((c) => el("li", { dataset: { action: c.action, member: String(c.member_id) } },
    el("time", { dateTime: c.changed_at }, vnTime(c.changed_at)),
    t(`roster.history.${c.action}`, { who: c.actor_name || c.actor, name: c.member_name, fields: fieldNames(c.changes) }))));
}

async function load() {
  state.roster = await api("GET", `/api/organisations/${state.orgId}/roster`);
  render();
  await loadHistory();
}

// --- editing a record ---------------------------------------------------------------------

function periodRow(kind, key, checked, p) {
  const id = `edit-${kind}-${key}`;
  return el("div", { className: "row", dataset: { [kind]: key } },
    el("label", { className: "check" },
      el("input", { type: "checkbox", id, checked }),
      el("span", {}, t(kind === "flag" ? `roster.flag.${key}` : `roster.reason.${key}`))),
    el("label", { className: "date" }, el("span", {}, t("roster.from")), el("input", { type: "date", id: `${id}-from`, value: p?.from || "" })),
    el("label", { className: "date" }, el("span", {}, t("roster.to")), el("input", { type: "date", id: `${id}-to`, value: p?.to || "" })));
}

function openEdit(entry) {
  const m = entry.member;
  state.editing = m;
  $("edit-title").textContent = t("roster.edit_title", { name: m.full_name });
  $("edit-name").value = m.full_name;
  $("edit-status").value = m.status;
  $("edit-location").value = m.location;
  const legendFlags = $("edit-flags").querySelector("legend");
  $("edit-flags").replaceChildren(legendFlags, ...FLAGS.map((f) => periodRow("flag", f, m[f], (m.flag_periods || {})[f])));
  const reasonsBox = $("edit-reasons");
  const keep = [...reasonsBox.querySelectorAll("legend, p.help")];
  reasonsBox.replaceChildren(...keep, ...REASONS.map((r) => periodRow("reason", r, m.e1a_reasons.includes(r), (m.e1a_periods || {})[r])));
  $("edit-group").replaceChildren(
    el("option", { value: "" }, t("roster.no_group")),
    ...state.roster.groups.map((g) => el("option", { value: String(g.id), selected: g.id === m.group_id }, g.name)));
  $("edit-group").value = m.group_id ? String(m.group_id) : "";
  $("edit-error").hidden = true;
  $("edit").showModal();
}

function datesOf(kind, key) {
  const start = $(`edit-${kind}-${key}-from`).value || null;
  const end = $(`edit-${kind}-${key}-to`).value || null;
  return start || end ? { start, end } : null;
}

async function saveEdit() {
  const m = state.editing;
  const body = {
    full_name: $("edit-name").value.trim(),
    status: $("edit-status").value,
    location: $("edit-location").value.trim(),
    group_id: $("edit-group").value ? Number($("edit-group").value) : null,
    flag_periods: {},
    e1a_reasons: [],
    e1a_periods: {},
  };
  for (const f of FLAGS) {
    body[f] = $(`edit-flag-${f}`).checked;
    const p = datesOf("flag", f);
    if (body[f] && p) body.flag_periods[f] = p;
  }
  for (const r of REASONS) {
    if (!$(`edit-reason-${r}`).checked) continue;
    body.e1a_reasons.push(r);
    const p = datesOf("reason", r);
    if (p) body.e1a_periods[r] = p;
  }
  try {
    await api("PATCH", `/api/members/${m.id}`, body);
  } catch (err) {
    $("edit-error").textContent = err instanceof ApiError ? pick(err.body.message) : t("roster.load_failed");
    $("edit-error").hidden = false;
    return;
  }
  $("edit").close();
  say(t("roster.saved"));
  await load();
}

// --- enrolment links ----------------------------------------------------------------------

function openInvite(entry) {
  state.inviting = entry;
  $("invite-name").textContent = entry.member.full_name;
  $("invite-username-label").hidden = Boolean(entry.account);
  $("invite-username").value = entry.account ? entry.account.username : "";
  $("invite-result").hidden = true;
  $("invite-link").textContent = ""; // never the previous member's link
  $("invite-error").hidden = true;
  $("invite-send").hidden = false;
  $("invite").showModal();
}

async function sendInvite() {
  const entry = state.inviting;
  try {
    const out = await api("POST", "/api/enrolments", { member_id: entry.member.id, username: $("invite-username").value.trim() });
    $("invite-link").textContent = out.url;
    $("invite-help").textContent = t("roster.account.link", { expires: vnTime(out.expires_at) });
    $("invite-result").hidden = false;
    $("invite-send").hidden = true;
    $("invite-close").textContent = t("enrol.continue");
    await load();
  } catch (err) {
    $("invite-error").textContent = err instanceof ApiError ? pick(err.body.message) : t("roster.load_failed");
    $("invite-error").hidden = false;
  }
}

// --- import -------------------------------------------------------------------------------

function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let raw = "";
  for (let i = 0; i < bytes.length; i += 0x8000) raw += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(raw);
}

function renderMapping(result) {
  const box = $("mapping");
  box.replaceChildren(...result.fields.map((field) => {
    const select = el("select", { id: `map-${field}`, dataset: { field } },
      el("option", { value: "" }, t("roster.import_unmapped")),
      ...result.headers.map((h, i) => el("option", { value: String(i), selected: result.mapping[field] === i }, h || `#${i + 1}`)));
    select.addEventListener("change", guard(async () => {
      state.mapping = Object.fromEntries([...box.querySelectorAll("select")].map((s) => [s.dataset.field, s.value === "" ? null : Number(s.value)]));
      await preview();
    }));
    return el("label", {}, el("span", {}, t(importLabel(field))), select);
  }));
  $("mapping-box").hidden = false;
}

function importLabel(field) {
  return {
    full_name: "roster.col.name", status: "roster.col.status", group: "roster.col.group", location: "roster.col.location",
    exempted: "roster.flag.exempted", suspended: "roster.flag.suspended", temporarily_attached: "roster.flag.temporarily_attached",
    e1a_reasons: "roster.col.e1a", e1a_from: "roster.from", e1a_to: "roster.to",
  }[field];
}

function renderPreview(result) {
  $("preview").tBodies[0].replaceChildren(...result.rows.map((row) => el("tr", { className: row.errors.length ? "bad" : "", dataset: { line: String(row.line) } },
    el("td", {}, t("roster.import_row", { line: row.line })),
    el("td", {}, row.name || t("roster.none")),
    row.errors.length
      ? el("td", { className: "errors" }, el("ul", {}, ...row.errors.map((e) => el("li", {}, pick(e)))))
      : el("td", {}, t(`roster.import_${row.action}`)))));
  $("preview").hidden = false;
  $("import-result").textContent = pick(result.message);
  $("import-result").className = result.errors ? "error" : "notice";
  $("import-result").hidden = false;
  $("import-confirm").hidden = result.errors > 0;
  $("import-confirm").textContent = t("roster.import_confirm", { count: result.rows.length });
}

async function readFile() {
  const file = $("import-file").files[0];
  if (!file) throw new ApiError(422, { message: { vi: t("roster.err.file_kind"), en: t("roster.err.file_kind") } });
  state.kind = file.name.toLowerCase().endsWith(".xlsx") ? "xlsx" : "csv";
  state.file = base64(await file.arrayBuffer());
}

async function preview() {
  const result = await api("POST", `/api/organisations/${state.orgId}/roster/import/preview`, {
    kind: state.kind, content: state.file, mapping: state.mapping,
  });
  state.mapping = result.mapping;
  renderMapping(result);
  renderPreview(result);
}

async function confirmImport() {
  try {
    const result = await api("POST", `/api/organisations/${state.orgId}/roster/import`, {
      kind: state.kind, content: state.file, mapping: state.mapping,
    });
    say(pick(result.message));
    $("preview").hidden = true;
    $("import-confirm").hidden = true;
    $("import-result").hidden = true;
    $("mapping-box").hidden = true;
    $("import-file").value = "";
    state.file = null;
    await load();
  } catch (err) {
    if (err instanceof ApiError && err.body.rows) renderPreview(err.body);
    throw err;
  }
}

// --- the page -----------------------------------------------------------------------------

async function cells(current) {
  const roles = current.roles || [];
  const orgs = await api("GET", "/api/organisations?level=cell");
  const admin = roles.some((r) => r.role === "admin");
  const mine = new Set(roles.filter((r) => READ_ROLES.has(r.role)).map((r) => r.org_id));
  return orgs.filter((o) => admin || mine.has(o.id));
}

async function main() {
  await init();
  const current = await session();
  if (!current.authenticated) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    return;
  }
  const list = await cells(current);
  if (!list.length) {
    $("error").textContent = t("roster.no_role");
    $("error").hidden = false;
    return;
  }
  $("org").replaceChildren(...list.map((o) => el("option", { value: String(o.id) }, o.name)));
  const wanted = Number(new URLSearchParams(location.search).get("org"));
  state.orgId = list.some((o) => o.id === wanted) ? wanted : list[0].id;
  $("org").value = String(state.orgId);
  $("org").addEventListener("change", guard(async () => {
    state.orgId = Number($("org").value);
    await load();
  }));
  $("stepup-form").addEventListener("submit", guard(async () => {
    await api("POST", "/api/auth/step-up", { code: $("stepup-code").value.trim() });
    $("stepup-code").value = "";
    $("stepup-form").hidden = true;
    const retry = state.retry;
    state.retry = null;
    if (retry) await retry();
  }));
  $("edit-form").addEventListener("submit", (event) => {
    event.preventDefault();
    saveEdit();
  });
  $("edit-cancel").addEventListener("click", () => $("edit").close());
  $("invite-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sendInvite();
  });
  $("invite-close").addEventListener("click", () => {
    $("invite").close();
    $("invite-close").textContent = t("roster.cancel");
  });
  $("import-preview").addEventListener("click", guard(async () => {
    await readFile();
    state.mapping = null;
    await preview();
  }));
  $("import-confirm").addEventListener("click", guard(confirmImport));
  $("lang").addEventListener("click", () => {
    apply();
    if (state.roster) render();
    loadHistory().catch(fail);
  });
  await load();
}

main()
  .catch(fail)
  .finally(() => {
    document.body.dataset.ready = "true"; // every control is wired (tests wait for this)
  });

// The sign-in page: password, then a second factor (TOTP, passkey or recovery code), or a
// passkey alone; enrolment when the account has no factor yet; then the invitation or next page.
import { init, pick, t } from "./i18n.js";
import { ApiError, api, passkeysSupported, session, signInWithPasskey, registerPasskey } from "./auth.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const invite = params.get("invite");

function show(step) {
  for (const id of ["step-password", "step-factor", "step-enrol", "step-recovery"]) {
    $(id).hidden = id !== step;
  }
  $("error").hidden = true;
}

function fail(err) {
  console.warn("sign-in step refused", err);
  $("error").textContent = err instanceof ApiError ? pick(err.body.message) : t("auth.error_generic");
  $("error").hidden = false;
}

function safeNext() {
  const next = params.get("next") || "";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

async function signedIn() {
  if (invite) {
    const { url } = await api("POST", "/api/auth/invitations/redeem", { invitation: invite });
    location.assign(url);
    return;
  }
  location.assign(safeNext());
}

async function advance(result) {
  if (result.recovery_codes && result.recovery_codes.length) {
    $("recovery-list").replaceChildren(
      ...result.recovery_codes.map((code) => Object.assign(document.createElement("li"), { textContent: code })),
    );
    show("step-recovery");
    return;
  }
  if (result.stage === "full") return signedIn();
  show(result.stage === "enrol" ? "step-enrol" : "step-factor");
  // the administrator reset the second factor: the member is told so before enrolling anew
  $("factor-reset-notice").hidden = !(result.stage === "enrol" && result.factor_reset);
  if (result.stage === "mfa") $("totp-code").focus();
}

function guard(fn) {
  return async (event) => {
    event?.preventDefault();
    try {
      await fn();
    } catch (err) {
      fail(err);
    }
  };
}

async function main() {
  await init();
  $("invite-notice").hidden = !invite;
  if (!passkeysSupported()) {
    for (const id of ["passkey-signin", "factor-passkey", "enrol-passkey"]) $(id).hidden = true;
  }
  $("password-form").addEventListener("submit", guard(async () => {
    const result = await api("POST", "/api/auth/login", {
      username: $("username").value,
      password: $("password").value,
    });
    $("password").value = "";
    await advance(result);
  }));
  $("totp-form").addEventListener("submit", guard(async () => {
    await advance(await api("POST", "/api/auth/totp/verify", { code: $("totp-code").value.trim() }));
  }));
  $("recovery-form").addEventListener("submit", guard(async () => {
    await advance(await api("POST", "/api/auth/recovery/verify", { code: $("recovery-code").value }));
  }));
  $("show-recovery").addEventListener("click", () => {
    $("recovery-form").hidden = false;
    $("totp-form").hidden = true;
  });
  $("passkey-signin").addEventListener("click", guard(async () => advance(await signInWithPasskey())));
  $("factor-passkey").addEventListener("click", guard(async () => advance(await signInWithPasskey())));
  $("enrol-totp").addEventListener("click", guard(async () => {
    const setup = await api("POST", "/api/auth/totp/setup");
    $("enrol-qr").src = setup.qr;
    $("enrol-uri").textContent = new URL(setup.uri).searchParams.get("secret");
    $("enrol-totp-form").hidden = false;
  }));
  $("enrol-totp-form").addEventListener("submit", guard(async () => {
    await advance(await api("POST", "/api/auth/totp/confirm", { code: $("enrol-code").value.trim() }));
  }));
  $("enrol-passkey").addEventListener("click", guard(async () => advance(await registerPasskey("passkey"))));
  $("recovery-continue").addEventListener("click", guard(signedIn));

  const current = await session();
  document.body.dataset.ready = "true"; // every control is wired (tests wait for this)
  if (current.stage === "full") await signedIn();
  else if (current.stage) await advance(current);
}

main();

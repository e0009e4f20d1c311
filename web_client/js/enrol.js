// The enrolment page: a single-use link (its token in the URL fragment, never sent in a
// request line) → a password → a second factor (TOTP with a QR code, or a passkey) → the
// recovery codes, shown once.
import { $ } from "./dom.js";
import { init, pick, t } from "./i18n.js";
import { ApiError, api, passkeysSupported, registerPasskey } from "./auth.js";

const token = location.hash.slice(1);

function show(step) {
  for (const id of ["step-password", "step-factor", "step-done"]) $(id).hidden = id !== step;
  $("error").hidden = true;
}

function fail(err) {
  console.warn("enrolment step refused", err);
  $("error").textContent = err instanceof ApiError ? pick(err.body.message) : t("auth.error_generic");
  $("error").hidden = false;
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

function finished(result) {
  $("recovery-list").replaceChildren(
    ...(result.recovery_codes || []).map((code) => Object.assign(document.createElement("li"), { textContent: code })),
  );
  show("step-done");
}

async function main() {
  await init();
  $("enrol-passkey").hidden = !passkeysSupported();
  $("password-form").addEventListener("submit", guard(async () => {
    if ($("password").value !== $("password-again").value) {
      $("error").textContent = t("enrol.password_mismatch");
      $("error").hidden = false;
      return;
    }
    await api("POST", "/api/auth/enrolment/password", { token, password: $("password").value });
    $("password").value = "";
    $("password-again").value = "";
    history.replaceState(null, "", "/enrol"); // the spent link leaves the address bar
    show("step-factor");
  }));
  $("enrol-totp").addEventListener("click", guard(async () => {
    const setup = await api("POST", "/api/auth/totp/setup");
    $("enrol-qr").src = setup.qr;
    $("enrol-secret").textContent = new URL(setup.uri).searchParams.get("secret");
    $("totp-form").hidden = false;
    $("enrol-code").focus();
  }));
  $("totp-form").addEventListener("submit", guard(async () => {
    finished(await api("POST", "/api/auth/totp/confirm", { code: $("enrol-code").value.trim() }));
  }));
  $("enrol-passkey").addEventListener("click", guard(async () => finished(await registerPasskey("passkey"))));
  $("done").addEventListener("click", () => location.assign("/home"));
  if (!token) {
    $("error").textContent = t("enrol.invalid");
    $("error").hidden = false;
    return;
  }
  try {
    const link = await api("POST", "/api/auth/enrolment", { token });
    $("welcome").textContent = t("enrol.welcome", { name: link.display_name, username: link.username });
    $("username").value = link.username;
    show("step-password");
  } catch (err) {
    fail(err);
  }
}

main().finally(() => {
  document.body.dataset.ready = "true"; // every control is wired (tests wait for this)
});

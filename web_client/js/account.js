// Account and security: passkeys, TOTP, recovery codes, password, sign-out (everywhere).
import { init, pick, t } from "./i18n.js";
import { ApiError, api, passkeysSupported, registerPasskey, session } from "./auth.js";

const $ = (id) => document.getElementById(id);

function say(key) {
  $("status").textContent = t(key);
  $("status").hidden = false;
  $("error").hidden = true;
}

function guard(fn) {
  return async (event) => {
    event?.preventDefault();
    try {
      await fn();
    } catch (err) {
      console.warn("account action refused", err);
      $("error").textContent = err instanceof ApiError ? pick(err.body.message) : t("auth.error_generic");
      $("error").hidden = false;
      // changing factors long after sign-in: confirm the second factor, then try again
      $("stepup-form").hidden = !(err instanceof ApiError && err.code === "step_up_required");
    }
  };
}

async function listPasskeys() {
  const keys = await api("GET", "/api/auth/passkeys");
  $("passkeys").replaceChildren(...keys.map((key) => {
    const li = document.createElement("li");
    li.textContent = `${key.name} (${new Date(key.created_at).toLocaleDateString()}) `;
    const remove = Object.assign(document.createElement("button"), { type: "button", textContent: t("auth.remove") });
    remove.addEventListener("click", guard(async () => {
      await api("DELETE", `/api/auth/passkeys/${key.id}`);
      await listPasskeys();
    }));
    li.append(remove);
    return li;
  }));
}

async function main() {
  await init();
  const current = await session();
  if (current.stage !== "full") {
    location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    return;
  }
  $("whoami").textContent = t("auth.signed_in_as", { name: current.account.display_name });
  $("add-passkey").hidden = !passkeysSupported();
  await listPasskeys();
  $("stepup-form").addEventListener("submit", guard(async () => {
    await api("POST", "/api/auth/step-up", { code: $("stepup-code").value.trim() });
    $("stepup-form").hidden = true;
    say("auth.done");
  }));
  $("add-passkey").addEventListener("click", guard(async () => {
    await registerPasskey($("passkey-name").value || "passkey");
    say("auth.passkey_added");
    await listPasskeys();
  }));
  $("totp-start").addEventListener("click", guard(async () => {
    const setup = await api("POST", "/api/auth/totp/setup");
    $("totp-qr").src = setup.qr;
    $("totp-uri").textContent = new URL(setup.uri).searchParams.get("secret");
    $("totp-form").hidden = false;
  }));
  $("totp-form").addEventListener("submit", guard(async () => {
    await api("POST", "/api/auth/totp/confirm", { code: $("totp-code").value.trim() });
    $("totp-form").hidden = true;
    say("auth.totp_enrolled");
  }));
  $("recovery-new").addEventListener("click", guard(async () => {
    const { recovery_codes: codes } = await api("POST", "/api/auth/recovery-codes");
    $("recovery-list").replaceChildren(
      ...codes.map((code) => Object.assign(document.createElement("li"), { textContent: code })),
    );
  }));
  $("password-form").addEventListener("submit", guard(async () => {
    await api("POST", "/api/auth/password", {
      current_password: $("current-password").value,
      new_password: $("new-password").value,
    });
    $("current-password").value = "";
    $("new-password").value = "";
    say("auth.password_changed");
  }));
  $("signout").addEventListener("click", guard(async () => {
    await api("POST", "/api/auth/logout");
    location.assign("/login");
  }));
  $("signout-all").addEventListener("click", guard(async () => {
    await api("POST", "/api/auth/logout-all");
    location.assign("/login");
  }));
  document.body.dataset.ready = "true"; // every control is wired (tests wait for this)
}

main();

// Sign-in API calls and WebAuthn (passkey) helpers shared by the login and account pages.

let csrf = "";

/** Remember the CSRF token of the current session (returned by every sign-in step). */
export function setCsrf(token) {
  csrf = token || "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.code ? body.code : `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.body = body || {};
  }
}

/**
 * Call the JSON API; state-changing requests carry the X-CSRF-Token header.
 * @param {string} method
 * @param {string} path
 * @param {object} [body]
 */
export async function api(method, path, body) {
  const headers = {};
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const resp = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = resp.headers.get("Content-Type")?.includes("json") ? await resp.json() : null;
  if (!resp.ok) throw new ApiError(resp.status, data);
  if (data && typeof data.csrf === "string") setCsrf(data.csrf);
  return data;
}

/**
 * Send raw bytes (a file) with their media type; the answer is JSON as for `api`.
 * @param {string} path
 * @param {Blob} blob
 */
export async function upload(path, blob) {
  const resp = await fetch(path, {
    method: "POST",
    headers: { "X-CSRF-Token": csrf, "Content-Type": blob.type || "application/octet-stream" },
    credentials: "same-origin",
    body: blob,
  });
  const data = resp.headers.get("Content-Type")?.includes("json") ? await resp.json() : null;
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

/** The current session (stage, account, CSRF token). */
export async function session() {
  const data = await api("GET", "/api/auth/session");
  setCsrf(data.csrf);
  return data;
}

const b64 = {
  decode(text) {
    const pad = "=".repeat((4 - (text.length % 4)) % 4);
    const raw = atob((text + pad).replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0)).buffer;
  },
  encode(buffer) {
    const bytes = new Uint8Array(buffer);
    let raw = "";
    for (const b of bytes) raw += String.fromCharCode(b);
    return btoa(raw).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  },
};

function descriptors(list) {
  return (list || []).map((d) => ({ ...d, id: b64.decode(d.id) }));
}

/** Whether this browser can use passkeys. */
export function passkeysSupported() {
  return typeof window.PublicKeyCredential === "function";
}

/** Register a new passkey for the signed-in (or enrolling) account. */
export async function registerPasskey(name) {
  const { publicKey } = await api("POST", "/api/auth/passkeys/options");
  const credential = await navigator.credentials.create({
    publicKey: {
      ...publicKey,
      challenge: b64.decode(publicKey.challenge),
      user: { ...publicKey.user, id: b64.decode(publicKey.user.id) },
      excludeCredentials: descriptors(publicKey.excludeCredentials),
    },
  });
  const r = credential.response;
  return api("POST", "/api/auth/passkeys", {
    name,
    credential: {
      id: credential.id,
      rawId: b64.encode(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: b64.encode(r.clientDataJSON),
        attestationObject: b64.encode(r.attestationObject),
        transports: r.getTransports ? r.getTransports() : [],
      },
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment,
    },
  });
}

/** Sign in (or finish the second step) with a passkey; user verification is required. */
export async function signInWithPasskey() {
  const { publicKey } = await api("POST", "/api/auth/passkey/options");
  const credential = await navigator.credentials.get({
    publicKey: {
      ...publicKey,
      challenge: b64.decode(publicKey.challenge),
      allowCredentials: descriptors(publicKey.allowCredentials),
    },
  });
  const r = credential.response;
  return api("POST", "/api/auth/passkey/verify", {
    credential: {
      id: credential.id,
      rawId: b64.encode(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: b64.encode(r.clientDataJSON),
        authenticatorData: b64.encode(r.authenticatorData),
        signature: b64.encode(r.signature),
        userHandle: r.userHandle ? b64.encode(r.userHandle) : null,
      },
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment,
    },
  });
}

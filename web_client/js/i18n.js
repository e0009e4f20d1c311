// One translation table, served by the server at /api/i18n; Vietnamese first, English on request.

const STORE = "hopchibo.lang";
let table = {};

/** The chosen language: "vi" unless the member switched to English. */
export function lang() {
  return localStorage.getItem(STORE) === "en" ? "en" : "vi";
}

/**
 * Text for a key in the current language, with {placeholders} filled.
 * @param {string} key
 * @param {Record<string, string|number>} [params]
 */
export function t(key, params = {}) {
  const entry = table[key];
  let text = entry ? entry[lang()] : key;
  for (const [name, value] of Object.entries(params)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

/** A {vi, en} message from the API (errors) in the current language. */
export function pick(message) {
  if (!message) return t("auth.error_generic");
  return message[lang()] || message.vi;
}

/** Fill every element carrying data-i18n (text), data-i18n-placeholder or data-i18n-label (its
 * accessible name, for a control without a visible label). */
export function apply(root = document) {
  document.documentElement.lang = lang();
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
}

/** Load the table, apply it, and wire the language switch button (id "lang"). */
export async function init() {
  const resp = await fetch("/api/i18n", { credentials: "same-origin" });
  table = await resp.json();
  apply();
  const button = document.getElementById("lang");
  if (button) {
    button.addEventListener("click", () => {
      localStorage.setItem(STORE, lang() === "vi" ? "en" : "vi");
      apply();
    });
  }
}

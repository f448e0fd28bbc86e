// Sign up or sign in without leaving the room: when buying (or chatting, reacting) needs an
// account, api.js's signInFirst(then) opens the sheet (_sign_in_sheet.html, a modal <dialog>)
// over the page instead of going to /login. The video keeps playing behind it. Its forms post
// to /register and /login asking for JSON; once in, the page takes the new session's CSRF
// token (api.js setCsrf), the top bar shows the name, and `then` continues the purchase.
// Both forms repeat the `lb_form` cookie (web/pages/sign_in.py's double-submit check against
// cross-site posts); the sheet makes that cookie itself when the viewer has none yet.

import { onSignInNeeded, setCsrf } from "./api.js";
import { t } from "./i18n.js";

const FORM_COOKIE = "lb_form";
const sheet = document.getElementById("sign-in-sheet");
let continuation = null;

function formToken() {
  const prefix = `${FORM_COOKIE}=`;
  const found = document.cookie.split("; ").find((c) => c.startsWith(prefix));
  const value = found?.slice(prefix.length) ?? "";
  if (/^[A-Za-z0-9_-]{16,64}$/.test(value)) return value;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${prefix}${token}; path=/; SameSite=Strict${secure}`;
  return token;
}

function showPane(name) {
  for (const pane of sheet.querySelectorAll("[data-pane]")) pane.hidden = pane.dataset.pane !== name;
  sheet.setAttribute("aria-labelledby", `sheet-${name}-title`);
  sheet.querySelector(`[data-pane="${name}"] input:not([type=hidden])`)?.focus();
}

function clearErrors(form) {
  for (const node of form.querySelectorAll("[data-error-for]")) node.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

function showErrors(form, status, problem) {
  for (const [name, message] of Object.entries(problem?.fields ?? {})) {
    const slot = form.querySelector(`[data-error-for="${name}"]`);
    const input = form.elements[name];
    if (slot) slot.textContent = message;
    if (input instanceof HTMLInputElement) input.setAttribute("aria-invalid", "true");
  }
  const first = form.querySelector('input[aria-invalid="true"]');
  let message = "";
  if (status === 429) {
    const minutes = Math.max(1, Math.ceil((problem?.retry_after_s ?? 60) / 60));
    message = problem?.code === "sign_in_locked"
      ? t("Too many sign-in attempts for this account. Try again in {minutes} minutes.", { minutes })
      : t("Too many attempts from your network. Try again in {minutes} minutes.", { minutes });
  } else if (!first) {
    message = problem?.detail || problem?.title || t("The connection failed. Try again.");
  }
  form.querySelector('[data-error-for="form"]').textContent = message;
  first?.focus();
}

function showSignedIn(name) {
  const link = document.querySelector('.topbar .account a[href^="/login"]');
  if (!link) return;
  link.href = "/account";
  link.className = "who";
  link.textContent = name;
}

async function submit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  if (form.elements.form_token) form.elements.form_token.value = formToken();
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST", body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) return showErrors(form, response.status, data);
    setCsrf(data.csrf_token);
    showSignedIn(data.display_name);
    const then = continuation;
    continuation = null;
    form.reset();
    sheet.close();
    then?.();
  } catch {
    showErrors(form, 0, null);
  } finally {
    button.disabled = false;
  }
}

function open(then) {
  continuation = then ?? null;
  if (!sheet.open) sheet.showModal();
  showPane("up");
}

if (sheet) {
  for (const form of sheet.querySelectorAll("form")) form.addEventListener("submit", submit);
  for (const button of sheet.querySelectorAll("[data-pane-to]")) {
    button.addEventListener("click", () => showPane(button.dataset.paneTo));
  }
  sheet.querySelector("[data-close]").addEventListener("click", () => sheet.close());
  sheet.addEventListener("close", () => { continuation = null; });
  onSignInNeeded(open);
}

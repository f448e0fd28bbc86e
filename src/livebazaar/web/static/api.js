// Talking to /api/v1 from a page: the session cookie plus the page's CSRF token.

// A live binding: signing in over the page (sign_in_sheet.js) sets it with setCsrf.
export let csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? null;

export function setCsrf(token) {
  csrf = token;
  let meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta) {
    meta = document.createElement("meta");
    meta.name = "csrf-token";
    document.head.append(meta);
  }
  meta.content = token;
}

export async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) {
    const error = new Error(`${url}: HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

// A refusal throws an Error with the problem's `status`, `code` and whole body (`problem`).
// `idempotencyKey`: a retry with the same key gets the first answer, never a second effect.
export async function post(url, body, { idempotencyKey } = {}) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (csrf) headers["X-CSRF-Token"] = csrf;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const response = await fetch(url, {
    method: "POST", headers, body: JSON.stringify(body ?? {}), credentials: "same-origin",
  });
  const type = response.headers.get("content-type") ?? "";
  const data = type.includes("json") ? await response.json() : null;
  if (!response.ok) {
    const error = new Error(data?.detail || data?.title || `HTTP ${response.status}`);
    error.status = response.status;
    error.code = data?.code;
    error.problem = data;
    throw error;
  }
  return data;
}

// Who signs a viewer in when an action needs an account: the sheet over the page where the
// page has one (sign_in_sheet.js registers it), else the sign-in page, coming back here.
let signInOverPage = null;

export function onSignInNeeded(handler) {
  signInOverPage = handler;
}

// `then` runs once the viewer is signed in over the page (the page reloads otherwise).
export function signInFirst(then) {
  if (signInOverPage) return signInOverPage(then);
  location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
}

// Talking to /api/v1 from a page: the session cookie plus the page's CSRF token.

export const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? null;

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

export function signInFirst() {
  location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
}

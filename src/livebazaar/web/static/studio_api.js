// The studio's calls to /api/v1 (session cookie + the page's CSRF token, as in api.js) for
// every method, and the refusals' problem+json turned into one readable sentence.

import { csrf } from "./api.js";

// "Title: what failed" from an RFC 9457 problem body (its field errors when it has them).
export function problemText(problem, status) {
  if (!problem || typeof problem !== "object" || !problem.title) return `HTTP ${status}`;
  const fields = Array.isArray(problem.errors)
    ? problem.errors.map((e) => String(e.msg ?? "").replace(/^Value error, /, "")).filter(Boolean)
    : [];
  // A problem without its own detail repeats its title there: say it once.
  const detail = problem.detail && problem.detail !== problem.title ? problem.detail : null;
  const more = fields.length ? fields.join("; ") : detail;
  return more ? `${problem.title}: ${more}` : problem.title;
}

export class ApiError extends Error {
  constructor(problem, status) {
    super(problemText(problem, status));
    this.status = status;
    this.code = problem?.code ?? null;
    this.title = problem?.title ?? null;
  }
}

// The response's JSON body (or null), or throws an ApiError with the problem's title.
export async function readAnswer(response) {
  const type = response.headers.get("content-type") ?? "";
  const data = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiError(data, response.status);
  return data;
}

export async function send(method, url, body) {
  const headers = { Accept: "application/json" };
  if (csrf) headers["X-CSRF-Token"] = csrf;
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return readAnswer(await fetch(url, init));
}

export const showUrl = (showId, rest = "") => `/api/v1/shows/${encodeURIComponent(showId)}${rest}`;

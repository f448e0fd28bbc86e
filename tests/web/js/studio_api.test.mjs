// How the studio turns a refusal's problem+json into the one sentence it shows the host.
import assert from "node:assert/strict";
import { test } from "node:test";

// studio_api.js reaches api.js, which reads the page's CSRF meta tag when loaded.
globalThis.document ??= { querySelector: () => null };
const { problemText } = await import("../../../src/livebazaar/web/static/studio_api.js");

test("a problem whose detail only repeats its title is said once", () => {
  const problem = { title: "Ce live n’existe pas", detail: "Ce live n’existe pas", code: "not_found" };
  assert.equal(problemText(problem, 404), "Ce live n’existe pas");
});

test("a specific detail follows the title, and field errors replace it", () => {
  assert.equal(
    problemText({ title: "Sold out", detail: "All 3,000 bags are gone." }, 409),
    "Sold out: All 3,000 bags are gone.",
  );
  const invalid = {
    title: "The request is not valid",
    detail: "See `errors` for each field that failed.",
    errors: [{ msg: "Value error, price must be positive" }, { msg: "Field required" }],
  };
  assert.equal(problemText(invalid, 422), "The request is not valid: price must be positive; Field required");
});

test("anything that is not a problem body reads as its HTTP status", () => {
  assert.equal(problemText(null, 502), "HTTP 502");
  assert.equal(problemText({ detail: "no title" }, 500), "HTTP 500");
});

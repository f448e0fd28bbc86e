// The studio's "Muted or banned" list: one entry per person, what it says, and where Lift goes.
import assert from "node:assert/strict";
import { test } from "node:test";

// studio_sanctions.js reaches studio_api.js, which reads the page's CSRF meta tag when loaded.
globalThis.document ??= { querySelector: () => null };
const { liftUrl, sanctionText, withSanction, withoutUser } = await import(
  "../../../src/livebazaar/web/static/studio_sanctions.js"
);

const mute = (userId, until) => ({ id: `m-${until}`, user_id: userId, kind: "mute", until });
const ban = (userId) => ({ id: "b", user_id: userId, kind: "ban", until: null });

test("a mute, then a ban of the same person, make one banned entry", () => {
  let entries = withSanction([], mute("u1", "2026-01-01T10:10:00Z"), "Troll");
  assert.deepEqual(entries, [{ user_id: "u1", name: "Troll", banned: false, until: "2026-01-01T10:10:00Z" }]);
  entries = withSanction(entries, ban("u1"), "Troll");
  assert.equal(entries.length, 1);
  assert.equal(entries[0].banned, true);
  // a later mute does not unban them
  entries = withSanction(entries, mute("u1", "2026-01-01T11:00:00Z"), "Troll");
  assert.equal(entries[0].banned, true);
});

test("two mutes keep the later end, whatever the order", () => {
  const later = "2026-01-01T11:00:00Z";
  let entries = withSanction([], mute("u1", later), "A");
  entries = withSanction(entries, mute("u1", "2026-01-01T10:05:00Z"), "A");
  assert.equal(entries[0].until, later);
});

test("other people keep their entries and their order; lifting removes only that person", () => {
  let entries = withSanction([], ban("u1"), "A");
  entries = withSanction(entries, mute("u2", "2026-01-01T10:10:00Z"), "B");
  entries = withSanction(entries, ban("u1"), "A");
  assert.deepEqual(entries.map((e) => e.user_id), ["u1", "u2"]);
  assert.deepEqual(withoutUser(entries, "u1").map((e) => e.user_id), ["u2"]);
});

test("the entry says banned, or muted until when", () => {
  const time = () => "10:10";
  assert.equal(sanctionText({ name: "<b>A</b>", banned: true, until: null }, time), "<b>A</b>: banned");
  assert.equal(sanctionText({ name: "B", banned: false, until: "2026-01-01T10:10:00Z" }, time), "B: muted until 10:10");
  assert.equal(sanctionText({ name: "C", banned: false, until: null }, time), "C: muted");
});

test("Lift deletes the person's sanctions of the show, ids escaped", () => {
  assert.equal(liftUrl("s 1", "u/2"), "/api/v1/shows/s%201/sanctions/u%2F2");
});

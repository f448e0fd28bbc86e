// The studio's "Muted or banned" list: one entry per person, newest first, the loaded list
// merged with the page's own actions, what it says, and where the GET and Lift go.
import assert from "node:assert/strict";
import { test } from "node:test";

// studio_sanctions.js reaches studio_api.js, which reads the page's CSRF meta tag when loaded.
globalThis.document ??= { querySelector: () => null };
const { fromListed, liftUrl, listUrl, mayLift, sanctionText, withLoaded, withSanction, withoutUser } = await import(
  "../../../src/livebazaar/web/static/studio_sanctions.js"
);

const mute = (userId, until, showId = null) =>
  ({ id: `m-${until}`, user_id: userId, kind: "mute", until, show_id: showId });
const ban = (userId) => ({ id: "b", user_id: userId, kind: "ban", until: null, show_id: null });

test("a mute, then a ban of the same person, make one banned entry", () => {
  let entries = withSanction([], mute("u1", "2026-01-01T10:10:00Z"), "Troll");
  assert.deepEqual(entries, [{ user_id: "u1", name: "Troll", banned: false, until: "2026-01-01T10:10:00Z", shopWide: true }]);
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

test("the person sanctioned last comes first; lifting removes only that person", () => {
  let entries = withSanction([], ban("u1"), "A");
  entries = withSanction(entries, mute("u2", "2026-01-01T10:10:00Z"), "B");
  entries = withSanction(entries, mute("u3", "2026-01-01T10:10:00Z"), "C");
  assert.deepEqual(entries.map((e) => e.user_id), ["u3", "u2", "u1"]);
  entries = withSanction(entries, ban("u1"), "A");
  assert.deepEqual(entries.map((e) => e.user_id), ["u1", "u3", "u2"]);
  assert.deepEqual(withoutUser(entries, "u3").map((e) => e.user_id), ["u1", "u2"]);
});

const listed = (userId, name, banned, mutedUntil, shopWide = true) =>
  ({ user_id: userId, display_name: name, banned, shop_wide: shopWide, muted_until: mutedUntil });

test("the GET's answer becomes entries in its order", () => {
  const answer = [listed("u2", "B", false, "2026-01-01T10:10:00Z", false), listed("u1", "A", true, null)];
  assert.deepEqual(fromListed(answer), [
    { user_id: "u2", name: "B", banned: false, until: "2026-01-01T10:10:00Z", shopWide: false },
    { user_id: "u1", name: "A", banned: true, until: null, shopWide: true },
  ]);
});

test("what the page did while the list loaded stays on top of it, merged", () => {
  // the page banned u1 (listed as muted) and muted u3 before the answer came
  let local = withSanction([], ban("u1"), "A");
  local = withSanction(local, mute("u3", "2026-01-01T10:20:00Z"), "C");
  const answer = [listed("u2", "B", true, null), listed("u1", "A", false, "2026-01-01T10:10:00Z")];
  assert.deepEqual(withLoaded(local, answer), [
    { user_id: "u3", name: "C", banned: false, until: "2026-01-01T10:20:00Z", shopWide: true },
    { user_id: "u1", name: "A", banned: true, until: "2026-01-01T10:10:00Z", shopWide: true },
    { user_id: "u2", name: "B", banned: true, until: null, shopWide: true },
  ]);
});

test("someone the page lifted while the list loaded is not brought back", () => {
  const answer = [listed("u2", "B", true, null), listed("u1", "A", true, null)];
  assert.deepEqual(withLoaded([], answer, new Set(["u1"])).map((e) => e.user_id), ["u2"]);
  assert.deepEqual(withLoaded([], []), []);
});

test("the entry says banned, or muted until when", () => {
  const time = () => "10:10";
  assert.equal(sanctionText({ name: "<b>A</b>", banned: true, until: null }, time), "<b>A</b>: banned");
  assert.equal(sanctionText({ name: "B", banned: false, until: "2026-01-01T10:10:00Z" }, time), "B: muted until 10:10");
  assert.equal(sanctionText({ name: "C", banned: false, until: null }, time), "C: muted");
});

test("the list is read from, and Lift deletes, the show's sanctions, ids escaped", () => {
  assert.equal(listUrl("s 1"), "/api/v1/shows/s%201/sanctions");
  assert.equal(liftUrl("s 1", "u/2"), "/api/v1/shows/s%201/sanctions/u%2F2");
});

test("a co-host's mute holds in the show; they may lift it, not what the shop sanctioned", () => {
  let entries = withSanction([], mute("u1", "2026-01-01T10:10:00Z", "s1"), "Loud");
  assert.equal(entries[0].shopWide, false);
  assert.equal(mayLift(entries[0], false), true);
  // the owner's ban of the same person makes the entry the shop's: no Lift for the co-host
  entries = withSanction(entries, ban("u1"), "Loud");
  assert.equal(entries[0].shopWide, true);
  assert.equal(mayLift(entries[0], false), false);
  assert.equal(mayLift(entries[0], true), true);
  const [listedEntry] = fromListed([listed("u2", "B", false, "2026-01-01T10:10:00Z", false)]);
  assert.equal(mayLift(listedEntry, false), true);
});

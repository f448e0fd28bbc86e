// The replay's moments: what was pinned and which drop ran at a time, and their labels.
import assert from "node:assert/strict";
import { test } from "node:test";

import { byTime, clock, momentAt, momentLabel } from "../../../src/livebazaar/web/static/moments.js";

const coffee = { product_id: "p-coffee", title: "Akagera honey coffee" };
const drop = { id: "d1", product_id: "p-coffee", quantity: 3000, sold: 3000, status: "sold_out" };
const moments = byTime([
  { kind: "drop", at_s: 940, until_s: 1000, drop },
  { kind: "pin", at_s: 723, product: coffee },
  { kind: "pin", at_s: 1200, product: null },
]);

test("clock reads minutes and seconds, and hours when there are some", () => {
  assert.equal(clock(0), "0:00");
  assert.equal(clock(723.9), "12:03");
  assert.equal(clock(3725), "1:02:05");
});

test("the card follows the latest pin at or before the time", () => {
  assert.equal(momentAt(moments, 10).pin, null);
  assert.equal(momentAt(moments, 723).pin.product, coffee);
  assert.equal(momentAt(moments, 1199).pin.product, coffee);
  assert.equal(momentAt(moments, 1300).pin.product, null, "the pin was cleared");
});

test("a drop is current from its start until it ended", () => {
  assert.equal(momentAt(moments, 939).drop, null);
  assert.equal(momentAt(moments, 940).drop.drop, drop);
  assert.equal(momentAt(moments, 1000).drop, null);
});

test("labels name what happened, counts written in the page's language", () => {
  const titleOf = (id) => (id === "p-coffee" ? "Akagera honey coffee" : "");
  globalThis.document = { documentElement: { lang: "en" } };  // <html lang>
  try {
    assert.equal(momentLabel(moments[0], titleOf), "pinned: Akagera honey coffee");
    assert.equal(momentLabel(moments[1], titleOf), "drop: 3,000 × Akagera honey coffee");
    assert.equal(momentLabel(moments[2], titleOf), "pin cleared");
    globalThis.document.documentElement.lang = "es";
    assert.equal(momentLabel(moments[1], titleOf), "drop: 3000 × Akagera honey coffee");
  } finally {
    delete globalThis.document;
  }
});

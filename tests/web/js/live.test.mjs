// The show feed's frames: envelopes and batches, omissions told from losses (docs/realtime.md).
import assert from "node:assert/strict";
import { test } from "node:test";

import { applyEvent, readFrame, ShowFeed } from "../../../src/livebazaar/web/static/live.js";

const chat = (seq, text) => ({ seq, type: "chat.message", data: { id: `m${seq}`, text } });
const batch = (first, last, events) => ({ type: "batch", first_seq: first, last_seq: last, events });

test("an envelope applies when it is next, is skipped when seen, and a jump is a loss", () => {
  assert.deepEqual(readFrame(4, chat(5, "a")), { events: [chat(5, "a")], upTo: 5 });
  assert.deepEqual(readFrame(5, chat(5, "a")), { events: [], upTo: 5 });
  assert.equal(readFrame(4, chat(6, "a")), null);
});

test("a batch brings the client to its last_seq; what it leaves out was left out on purpose", () => {
  const frame = batch(5, 9, [chat(6, "b"), chat(9, "c")]);
  assert.deepEqual(readFrame(4, frame), { events: [chat(6, "b"), chat(9, "c")], upTo: 9 });
  assert.deepEqual(readFrame(7, frame), { events: [chat(9, "c")], upTo: 9 });  // overlap: skipped
  assert.deepEqual(readFrame(3, batch(5, 9, [])), null);  // seq 4 lost before it
  assert.deepEqual(readFrame(4, batch(5, 9, [])), { events: [], upTo: 9 });
});

test("frames that are not events change nothing", () => {
  assert.deepEqual(readFrame(4, { type: "error", code: "chat_empty" }), { events: [], upTo: 4 });
});

test("the feed applies a batch event by event, then refetches on a loss", () => {
  const seen = [];
  const feed = new ShowFeed("s1", { onState: (state, type) => seen.push([type, state.last_seq]) });
  let refetched = 0;
  feed.refetch = async () => { refetched += 1; };
  feed.state = { last_seq: 5, recent_chat: [] };
  feed.receive(JSON.stringify(batch(6, 10, [chat(6, "x"), chat(9, "y")])));
  assert.deepEqual(seen, [["chat.message", 6], ["chat.message", 9]]);
  assert.equal(feed.state.last_seq, 10);
  assert.deepEqual(feed.state.recent_chat.map((m) => m.text), ["x", "y"]);
  feed.receive(JSON.stringify(chat(11, "z")));
  assert.equal(feed.state.last_seq, 11);
  assert.equal(refetched, 0);
  feed.receive(JSON.stringify(chat(13, "lost 12")));
  assert.equal(refetched, 1);
  assert.equal(feed.state.last_seq, 11);
});

test("applyEvent ignores an event already applied", () => {
  const state = { last_seq: 3, recent_chat: [] };
  assert.equal(applyEvent(state, chat(3, "again")), state);
});

test("a price change reprices the lineup item that shows that variant", () => {
  const price = (n) => ({ amount_minor: n, currency: "CNY", display: `${n / 100} CNY` });
  const state = {
    last_seq: 1,
    lineup: [
      { product_id: "p1", variant_id: "v1", price: price(19900) },
      { product_id: "p2", variant_id: "v2", price: price(5000) },
    ],
  };
  const event = (variant) => ({
    seq: 2, type: "product.price_changed", data: { product_id: "p1", variant_id: variant, price: price(17500) },
  });
  const next = applyEvent(state, event("v1"));
  assert.deepEqual(next.lineup.map((i) => i.price.amount_minor), [17500, 5000]);
  assert.equal(state.lineup[0].price.amount_minor, 19900);  // the input is not changed
  const other = applyEvent(state, event("v9"));  // another variant: the lineup shows v1's price
  assert.deepEqual(other.lineup.map((i) => i.price.amount_minor), [19900, 5000]);
});

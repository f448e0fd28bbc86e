// PictureGate: shop events wait for the picture, in seq order; chat passes. Time is simulated.
import assert from "node:assert/strict";
import { test } from "node:test";

import { MAX_HOLD_MS, PictureGate, parseTime } from "../../../src/livebazaar/web/static/picture_gate.js";

const T0 = Date.parse("2026-05-01T12:00:00Z");
const at = (ms) => new Date(T0 + ms).toISOString();

// A gate over a fake clock and fake timers; `picture` is the video's program date-time (ms since
// T0), or null when no live picture plays. advance(ms) moves both clocks and fires due timers.
function harness({ picture = 0 } = {}) {
  const h = { now: 0, picture, applied: [], timers: [] };
  h.gate = new PictureGate({
    apply: (frame) => h.applied.push(frame.seq),
    pictureTime: () => (h.picture === null ? null : T0 + h.picture),
    now: () => h.now,
    setTimer: (fn, ms) => { const t = { fn, due: h.now + ms }; h.timers.push(t); return t; },
    clearTimer: (t) => { h.timers = h.timers.filter((x) => x !== t); },
  });
  h.advance = (ms) => {
    const end = h.now + ms;
    for (;;) {
      const due = h.timers.filter((t) => t.due <= end).sort((a, b) => a.due - b.due)[0];
      if (!due) break;
      if (h.picture !== null) h.picture += due.due - h.now;
      h.now = due.due;
      h.timers = h.timers.filter((t) => t !== due);
      due.fn();
    }
    if (h.picture !== null) h.picture += end - h.now;
    h.now = end;
  };
  return h;
}

test("a pin waits until the picture reaches its media_time", () => {
  const h = harness({ picture: 0 });
  h.gate.push({ seq: 1, type: "product.pinned", media_time: at(3000), data: {} });
  assert.deepEqual(h.applied, []);
  h.advance(2900);
  assert.deepEqual(h.applied, []);
  h.advance(200);
  assert.deepEqual(h.applied, [1]);
});

test("chat, reactions and the viewer count pass a held shop event", () => {
  const h = harness();
  h.gate.push({ seq: 1, type: "drop.started", media_time: at(4000), data: {} });
  h.gate.push({ seq: 2, type: "chat.message", media_time: at(4100), data: {} });
  h.gate.push({ seq: 3, type: "reaction", media_time: at(4100), data: {} });
  h.gate.push({ seq: 4, type: "viewers.count", data: {} });
  assert.deepEqual(h.applied, [2, 3, 4]);
  h.advance(4000);
  assert.deepEqual(h.applied, [2, 3, 4, 1]);
});

test("events behind a held shop event keep their order, show.ended included", () => {
  const h = harness();
  h.gate.push({ seq: 1, type: "product.pinned", media_time: at(5000), data: {} });
  h.gate.push({ seq: 2, type: "drop.stock_changed", media_time: at(1000), data: {} });
  h.gate.push({ seq: 3, type: "show.ended", media_time: at(1000), data: {} });
  h.advance(1000);
  assert.deepEqual(h.applied, [], "nothing overtakes the held pin");
  h.advance(4000);
  assert.deepEqual(h.applied, [1, 2, 3]);
});

test("a hold never lasts longer than MAX_HOLD_MS", () => {
  const h = harness({ picture: 0 });
  h.gate.pictureTime = () => T0;  // buffering: the picture's date stays put
  h.gate.push({ seq: 1, type: "drop.sold_out", media_time: at(60_000), data: {} });
  h.gate.push({ seq: 2, type: "drop.ended", media_time: at(60_000), data: {} });
  h.advance(MAX_HOLD_MS - 1);
  assert.deepEqual(h.applied, []);
  h.advance(1);
  assert.deepEqual(h.applied, [1, 2], "each held up to its own cap, both received at once");
});

test("without a live picture or a media_time, events apply at once", () => {
  const none = harness({ picture: null });
  none.gate.push({ seq: 1, type: "product.pinned", media_time: at(5000), data: {} });
  assert.deepEqual(none.applied, [1]);
  const untimed = harness({ picture: 0 });
  untimed.gate.push({ seq: 1, type: "drop.ended", data: {} });
  untimed.gate.push({ seq: 2, type: "product.pinned", media_time: null, data: {} });
  assert.deepEqual(untimed.applied, [1, 2]);
});

test("an event already on screen applies at once", () => {
  const h = harness({ picture: 8000 });
  h.gate.push({ seq: 1, type: "drop.started", media_time: at(5000), data: {} });
  assert.deepEqual(h.applied, [1]);
});

test("when the picture goes away (paused), held events are released", () => {
  const h = harness({ picture: 0 });
  h.gate.push({ seq: 1, type: "product.pinned", media_time: at(9000), data: {} });
  h.advance(500);
  h.picture = null;
  h.advance(500);
  assert.deepEqual(h.applied, [1]);
});

test("reset forgets what was held (a fresh state already has it)", () => {
  const h = harness({ picture: 0 });
  h.gate.push({ seq: 1, type: "product.pinned", media_time: at(3000), data: {} });
  h.gate.reset();
  h.advance(MAX_HOLD_MS);
  assert.deepEqual(h.applied, []);
  h.gate.push({ seq: 2, type: "product.pinned", media_time: at(0), data: {} });
  assert.deepEqual(h.applied, [2]);
});

test("media_time with microseconds parses", () => {
  assert.equal(parseTime("2026-05-01T12:00:03.250123+00:00"), T0 + 3250);
});

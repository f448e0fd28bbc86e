// Shop events wait for the picture. The video reaches a viewer seconds after the host lives it,
// so a pin or a drop would show up before the host says so on screen. Each event carries
// `media_time`, the program date-time (EXT-X-PROGRAM-DATE-TIME) of the picture when it
// happened; while the live player plays and knows the date of what it shows, a shop event is
// held until the picture reaches that time (never longer than MAX_HOLD_MS).
//
// Events are applied in seq order: whatever is not chat, reactions, the viewer count or a price
// queues behind a held shop event (show.ended must not overtake a pin); those pass at once. A
// price change is not held for the picture: a purchase is charged the new price at once, so
// the page must never show the old one for longer than it takes to arrive.
// No DOM here, and time and timers come in from outside, so node can test it.

export const SHOP_EVENTS = new Set([
  "product.pinned", "drop.started", "drop.stock_changed", "drop.sold_out", "drop.ended",
]);
const PASSING = new Set([
  "chat.message", "chat.deleted", "chat.slow_mode", "reaction", "viewers.count", "product.price_changed",
]);
export const MAX_HOLD_MS = 10_000;
const RECHECK_MS = 250;  // the picture's clock can stall (buffering) or slow down: look again

export class PictureGate {
  // apply(frame): show the event. pictureTime(): ms since the epoch of the picture playing
  // live now, or null (no video, paused, not live, date unknown): then nothing is held.
  constructor({
    apply, pictureTime, now = () => Date.now(),
    setTimer = (fn, ms) => setTimeout(fn, ms), clearTimer = (timer) => clearTimeout(timer),
  }) {
    Object.assign(this, { apply, pictureTime, now, setTimer, clearTimer });
    this.queue = [];
    this.timer = null;
  }

  push(frame) {
    if (PASSING.has(frame.type)) {
      this.apply(frame);
      return;
    }
    this.queue.push({ frame, deadline: this.now() + MAX_HOLD_MS });
    if (this.timer === null) this.pump();
  }

  // A fresh state replaces everything still queued (it already holds those events).
  reset() {
    this.queue = [];
    this.cancel();
  }

  get held() {
    return this.queue.length;
  }

  pump() {
    this.cancel();
    while (this.queue.length) {
      const wait = this.waitFor(this.queue[0]);
      if (wait > 0) {
        this.timer = this.setTimer(() => this.pump(), Math.min(wait, RECHECK_MS));
        return;
      }
      this.apply(this.queue.shift().frame);
    }
  }

  cancel() {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  waitFor({ frame, deadline }) {
    if (!SHOP_EVENTS.has(frame.type) || !frame.media_time) return 0;
    const at = parseTime(frame.media_time);
    const picture = this.pictureTime();
    if (!Number.isFinite(at) || picture === null || picture === undefined) return 0;
    return Math.min(at - picture, deadline - this.now());
  }
}

// ISO 8601 with any number of fraction digits (the server sends microseconds; some engines
// parse only milliseconds).
export function parseTime(iso) {
  return Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1"));
}

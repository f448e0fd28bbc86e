// A show's live state: GET /api/v1/shows/{id}, then the WebSocket from last_seq.
// applyEvent and readFrame mirror livebazaar/live/client_state.py (the server's reference
// client model): an event whose seq is not above state.last_seq changes nothing, so replays
// are harmless. A frame is one event's envelope or a batch (docs/realtime.md): a batch's
// events, then the client is up to its last_seq; seqs in its range that it does not carry
// were left out on purpose (chat sampled for viewers), not lost.

const RECENT_CHAT = 50;

// The drop, if this stock event is not older than the counts the page has (two nodes may
// publish theirs in the other order than they committed them); null otherwise.
function newerStock(s, d) {
  const drop = s.drops.find((x) => x.id === d.drop_id);
  if (!drop || d.stock_version < (drop.stock_version ?? 0)) return null;
  drop.stock_version = d.stock_version;
  return drop;
}

const handlers = {
  "show.started": (s, d) => { s.status = "live"; s.started_at = d.started_at; },
  "show.ended": (s, d) => { s.status = "ended"; s.ended_at = d.ended_at; s.pinned_product_id = null; },
  "product.pinned": (s, d) => { s.pinned_product_id = d.product_id; },
  "product.price_changed": (s, d) => {
    for (const item of s.lineup) {
      if (item.product_id === d.product_id && item.variant_id === d.variant_id) item.price = { ...d.price };
    }
  },
  "chat.message": (s, d) => {
    const chat = s.recent_chat.filter((m) => m.id !== d.id);
    chat.push({ ...d });
    s.recent_chat = chat.slice(-RECENT_CHAT);
  },
  "chat.deleted": (s, d) => { s.recent_chat = s.recent_chat.filter((m) => m.id !== d.message_id); },
  "chat.slow_mode": (s, d) => { s.slow_mode_s = d.seconds; },
  "viewers.count": (s, d) => { s.viewer_count = d.count; },
  "reaction": () => {},  // fleeting: animated, not kept
  "drop.started": (s, d) => {
    s.drops = s.drops.filter((x) => x.id !== d.drop.id);
    s.drops.push({ ...d.drop });
  },
  "drop.stock_changed": (s, d) => {
    const drop = newerStock(s, d);
    if (drop) Object.assign(drop, { remaining: d.remaining, reserved: d.reserved, sold: d.sold, status: d.status });
  },
  "drop.sold_out": (s, d) => {
    const drop = newerStock(s, d);
    if (drop) Object.assign(drop, { status: "sold_out", remaining: 0 });
  },
  "drop.ended": (s, d) => {
    const drop = s.drops.find((x) => x.id === d.drop_id);
    if (drop) Object.assign(drop, { status: d.status, sold: d.sold });
  },
};

export function applyEvent(state, frame) {
  if (Number.isInteger(frame.seq) && frame.seq <= (state.last_seq ?? 0)) return state;
  const next = structuredClone(state);
  const handler = handlers[frame.type];
  if (handler) handler(next, frame.data);  // unknown types are skipped
  if (Number.isInteger(frame.seq)) next.last_seq = frame.seq;
  return next;
}

// What a frame does to a client that is up to `lastSeq`: { events, upTo } (the events to
// apply, in order, and the seq it is up to after them), or null when something was lost
// before it (refetch the state). Frames that are not events (an error answer) bring nothing.
export function readFrame(lastSeq, frame) {
  if (frame.type === "batch") {
    if (!(frame.first_seq <= lastSeq + 1)) return null;
    return {
      events: frame.events.filter((event) => event.seq > lastSeq),
      upTo: Math.max(lastSeq, frame.last_seq),
    };
  }
  if (!Number.isInteger(frame.seq)) return { events: [], upTo: lastSeq };
  if (frame.seq > lastSeq + 1) return null;
  return { events: frame.seq > lastSeq ? [frame] : [], upTo: Math.max(lastSeq, frame.seq) };
}

export class ShowFeed {
  // onState(state, type, frame): type is "all" after a fetch (no frame), else the type of the
  // event just applied, and its frame.
  constructor(showId, { onState, onReaction, onConnection }) {
    this.showId = showId;
    this.state = null;
    this.onState = onState;
    this.onReaction = onReaction ?? (() => {});
    this.onConnection = onConnection ?? (() => {});
    this.attempt = 0;
    this.socket = null;
  }

  async start() {
    await this.refetch();
    this.connect();
  }

  async refetch() {
    const response = await fetch(`/api/v1/shows/${encodeURIComponent(this.showId)}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`show state: HTTP ${response.status}`);
    this.state = await response.json();
    this.onState(this.state, "all");
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const after = this.state?.last_seq ?? 0;
    const url = `${scheme}://${location.host}/api/v1/shows/${encodeURIComponent(this.showId)}/events?after=${after}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener("open", () => { this.attempt = 0; this.onConnection(true); });
    socket.addEventListener("message", (message) => this.receive(message.data));
    socket.addEventListener("close", () => {
      this.onConnection(false);
      this.reconnectLater();
    });
  }

  receive(raw) {
    let frame;
    try { frame = JSON.parse(raw); } catch { return; }
    if (frame.type === "resync") { this.refetch().catch(() => this.socket?.close()); return; }
    if (!this.state) return;
    const read = readFrame(this.state.last_seq ?? 0, frame);
    if (read === null) {
      this.refetch().catch(() => {});  // a gap: the fresh state is the truth
      return;
    }
    for (const event of read.events) this.apply(event);
    if (read.upTo > this.state.last_seq) this.state = { ...this.state, last_seq: read.upTo };
  }

  apply(event) {
    const next = applyEvent(this.state, event);
    if (next === this.state) return;
    this.state = next;
    if (event.type === "reaction") this.onReaction(event.data.kind);
    this.onState(this.state, event.type, event);
  }

  reconnectLater() {
    // Exponential backoff with jitter, capped at 30 s; resumes from the last seq seen.
    const base = Math.min(30000, 500 * 2 ** this.attempt);
    this.attempt += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    setTimeout(() => {
      if (this.state) this.connect();
      else this.start().catch(() => this.reconnectLater());
    }, delay);
  }
}

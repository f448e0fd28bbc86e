// The host studio (templates/studio.html): the show's state from the API, kept live over its
// WebSocket (live.js's ShowFeed), spread over the panels: what viewers see (studio_stream.js),
// going live (studio_golive.js), the
// lineup and drops (studio_shop.js), the chat and its moderation (studio_chat.js; who is muted
// or banned is read once at opening: studio_sanctions.js) and the live figures
// (studio_stats.js). Every call uses the session cookie and the page's CSRF token.

import { $ } from "./dom.js";
import { t } from "./i18n.js";
import { ShowFeed } from "./live.js";
import { ChatPanel } from "./studio_chat.js";
import { CohostPanel } from "./studio_cohost.js";
import { GoLivePanel } from "./studio_golive.js";
import { ShopPanel } from "./studio_shop.js";
import { StatsPanel } from "./studio_stats.js";
import { StreamPanel } from "./studio_stream.js";

const root = $("studio");
const { showId, shopId, currency, me } = root.dataset;
// What this person may do in the show (live/powers.py's Power values): the page leaves out the
// rest, and the server refuses it anyway.
const powers = new Set((root.dataset.powers ?? "").split(" ").filter(Boolean));
let status = root.dataset.status;

const stream = new StreamPanel(showId);
const goLive = new GoLivePanel(showId, () => status, () => stream.refresh());
const shop = new ShopPanel(showId, { currency, exponent: Number(root.dataset.exponent), powers });
const chat = new ChatPanel(showId, { me, shopId, powers });
const stats = new StatsPanel(showId);
new CohostPanel(showId);

function renderHead(state) {
  const badge = $("show-status");
  badge.textContent = t({ live: "Live", ended: "Ended" }[state.status] ?? "Scheduled");
  badge.classList.toggle("live", state.status === "live");
  $("show-title").textContent = state.title;
  root.dataset.status = state.status;
}

function onState(state, type) {
  status = state.status;
  if (type === "all" || type.startsWith("show.")) renderHead(state);
  if (type === "all" || type === "viewers.count") stats.viewersNow(state.viewer_count);
  if (state.status === "ended" && (type === "all" || type === "show.ended")) goLive.showEnded();
  if (type === "all" || type.startsWith("show.")) stream.refresh();
  shop.render(state, type);
  chat.render(state, type);
}

const feed = new ShowFeed(showId, {
  onState,
  onConnection: (up) => {
    const text = up ? "" : t("Reconnecting to the show…");
    if ($("feed-state").textContent !== text) $("feed-state").textContent = text;
  },
});
feed.start().catch(() => feed.reconnectLater());
stats.start();
chat.sanctions.load();

// The viewer page: the live video, the live state, and chat, reactions and purchases.
// `feed` holds the show's state as the server knows it; the page shows `view`, the same state
// with shop events applied only once the video shows them (see picture_gate.js).
// Every piece of user or seller text goes in with textContent, never innerHTML.

import { csrf, post, signInFirst } from "./api.js";
import { buyingSomethingElse, purchaseDone, wireBuyForms } from "./buy.js";
import { ChatList } from "./chat_list.js";
import { $, el } from "./dom.js";
import { priceNodes, showCharged, viewerCurrency } from "./fx.js";
import { applyEvent, ShowFeed } from "./live.js";
import { PictureGate } from "./picture_gate.js";
import { LivePlayer } from "./player.js";
import { ProductCard } from "./product_card.js";
import { formatCount, localizeTimes, t, tn } from "./i18n.js";

const root = document.getElementById("show");
const showId = root.dataset.showId;
const EMOJI = { heart: "❤️", fire: "🔥", clap: "👏", laugh: "😂", wow: "😮" };
const card = new ProductCard();
const chat = new ChatList($("chat-list"), $("chat-new"));
let view = null;

// --- rendering -----------------------------------------------------------------------------

function render(state, type) {
  if (type === "all" || type.startsWith("show.") || type === "viewers.count") renderStage(state);
  if (type === "all" || type.startsWith("chat.")) renderChat(state);
  if (type === "all" || type.startsWith("drop.")) renderDrop(state);
  if (type === "all" || type === "product.pinned" || type === "show.ended" || type === "product.price_changed") {
    renderLineup(state);
  }
  if (type === "all" || type === "product.pinned") showPinned(state);
}

function renderStage(state) {
  const badge = $("status-badge");
  badge.textContent = t({ live: "Live", ended: "Ended" }[state.status] ?? "Upcoming");
  badge.classList.toggle("live", state.status === "live");
  const n = state.viewer_count;
  $("viewers").textContent = tn("{n} watching", "{n} watching", n, { n: formatCount(n) });
  $("hosts").textContent = state.hosts
    .map((h) => (h.role === "cohost" ? t("{name} (co-host)", { name: h.display_name }) : h.display_name))
    .join(", ");
}

function renderChat(state) {
  chat.render(state.recent_chat);
  renderChatOverlay(state);
}

const OVERLAY_LINES = 4;

// The last few lines over the video (textContent only, like the list).
function renderChatOverlay(state) {
  const overlay = $("chat-overlay");
  if (!overlay) return;
  overlay.replaceChildren(
    ...state.recent_chat.slice(-OVERLAY_LINES).map((m) => {
      const item = el("li");
      item.append(el("span", "name", m.display_name), " ", el("span", "text", m.text));
      return item;
    }),
  );
}

// Every live drop can be claimed: the card shows one, and when several are live a row of
// choices above it lets the viewer pick which. The card keeps the drop the viewer chose, or
// last touched (so a new drop never swaps the form under someone paying), while it is live;
// otherwise it shows the newest live drop, else the newest drop.
let chosenDrop = null;

function currentDrop(state) {
  const live = state.drops.filter((d) => d.status === "live");
  const chosen = state.drops.find((d) => d.id === chosenDrop);
  if (chosen && (chosen.status === "live" || live.length === 0)) return chosen;
  return (live.length ? live : state.drops).at(-1) ?? null;
}

function renderDropChoices(state, shown) {
  const live = state.drops.filter((d) => d.status === "live");
  const choices = live.some((d) => d.id === shown.id) ? live : [shown, ...live];
  $("drop-choices").hidden = choices.length < 2;
  const titles = new Map(state.lineup.map((i) => [i.product_id, i.title]));
  const list = $("drop-choice-list");
  const focused = list.contains(document.activeElement) ? document.activeElement.dataset.dropId : null;
  list.replaceChildren(...(choices.length < 2 ? [] : choices.map((drop) => {
    const button = el("button", "drop-choice");
    button.type = "button";
    button.dataset.dropId = drop.id;
    button.setAttribute("aria-pressed", String(drop.id === shown.id));
    const price = el("span", "price");
    price.append(...priceNodes(drop.price));
    button.append(el("span", "title", titles.get(drop.product_id) ?? ""), " ", price, " ",
      el("span", "left", t("{left} left", { left: formatCount(drop.remaining) })));
    return button;
  })));
  if (focused) list.querySelector(`[data-drop-id="${CSS.escape(focused)}"]`)?.focus();
}

function renderDrop(state) {
  const drop = currentDrop(state);
  const card = $("drop");
  card.hidden = !drop;
  if (!drop) return;
  renderDropChoices(state, drop);
  const item = state.lineup.find((i) => i.product_id === drop.product_id);
  $("drop-product").textContent = item ? item.title : "";
  $("drop-price").replaceChildren(...priceNodes(drop.price));
  showCharged($("drop-buy"), drop.price.currency);
  $("drop-remaining").textContent = formatCount(drop.remaining);
  $("drop-quantity").textContent = formatCount(drop.quantity);
  $("drop-status").textContent = t(drop.status.replace("_", " "));
  $("drop-limit").textContent = String(drop.per_buyer_limit);
  $("drop-meter").max = drop.quantity;
  $("drop-meter").value = drop.remaining;
  $("drop-qty").max = drop.per_buyer_limit;
  $("drop-countdown").dateTime = drop.ends_at;
  const form = card.querySelector("form");
  if (card.dataset.dropId && card.dataset.dropId !== drop.id) buyingSomethingElse(form);
  card.dataset.dropId = drop.id;
  if (form.getAttribute("aria-busy") !== "true") {
    form.querySelector("button[type=submit]").disabled = drop.status !== "live" || purchaseDone(form);
  }
  tick();
}

function renderLineup(state) {
  const list = $("lineup");
  list.replaceChildren(
    ...state.lineup.map((i) => {
      const li = el("li", i.product_id === state.pinned_product_id ? "pinned" : "");
      if (i.image_url) {
        const img = el("img");
        Object.assign(img, { src: i.image_url, alt: "", width: 64, height: 48 });
        li.append(img);
      }
      const price = el("span", "price");
      price.append(...priceNodes(i.price));
      li.append(el("span", "title", i.title), " ", price);
      return li;
    }),
  );
}

function showPinned(state) {
  const id = state.pinned_product_id ?? state.lineup[0]?.product_id ?? null;
  card.show(id, t(state.pinned_product_id ? "Pinned" : "First up")).catch(() => {});
}

function tick() {
  const time = $("drop-countdown");
  if (!time.dateTime) return;
  const left = Math.max(0, Math.round((Date.parse(time.dateTime) - Date.now()) / 1000));
  const minutes = Math.floor(left / 60);
  time.textContent = `${minutes}:${String(left % 60).padStart(2, "0")}`;
}

function floatReaction(kind) {
  const floats = $("floats");
  if (floats.childElementCount > 24) floats.firstElementChild.remove();
  const bubble = el("span", "float", EMOJI[kind] ?? "✨");
  bubble.style.left = `${10 + Math.random() * 80}%`;
  bubble.addEventListener("animationend", () => bubble.remove());
  floats.append(bubble);
}

// --- actions -------------------------------------------------------------------------------

function wireDropChoices() {
  $("drop-choice-list").addEventListener("click", (event) => {
    const button = event.target.closest("button.drop-choice");
    if (!button || !view) return;
    chosenDrop = button.dataset.dropId;
    renderDrop(view);
  });
  // Whoever starts filling the claim form keeps its drop on the card.
  $("drop").querySelector("form").addEventListener("focusin", () => {
    chosenDrop = $("drop").dataset.dropId ?? null;
  });
}

function wireForms() {
  wireDropChoices();
  const dropId = () => $("drop").dataset.dropId;
  wireBuyForms(document.querySelectorAll("form.buy"), (form, quantity) => (
    form.dataset.kind === "drop"
      ? { url: `/api/v1/drops/${encodeURIComponent(dropId())}/claims`, body: { quantity, display_currency: viewerCurrency() } }
      : { url: `/api/v1/shows/${encodeURIComponent(showId)}/purchases`, body: { product_id: card.productId, quantity, display_currency: viewerCurrency() } }
  ));
  $("chat-form")?.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("chat-text");
    const result = event.target.querySelector(".result");
    post(`/api/v1/shows/${encodeURIComponent(showId)}/chat`, { text: input.value })
      .then(() => { input.value = ""; result.textContent = ""; chat.follow(); })
      .catch((error) => { result.textContent = error.message; });
  });
  for (const button of document.querySelectorAll("button.react")) {
    button.addEventListener("click", () => {
      if (!csrf) return signInFirst();
      post(`/api/v1/shows/${encodeURIComponent(showId)}/reactions`, { kind: button.dataset.kind })
        .catch(() => {});
    });
  }
}

// --- the video and the feed ---------------------------------------------------------------

const video = new LivePlayer(showId, {
  video: $("video"),
  waiting: $("video-wait"),
  waitingText: $("video-wait-text"),
  replayLink: $("replay-link"),
});
const gate = new PictureGate({
  pictureTime: () => video.pictureTime(),
  apply: (frame) => {
    view = applyEvent(view, { type: frame.type, data: frame.data });  // no seq: gate's order
    render(view, frame.type);
    if (frame.type === "product.price_changed") card.priceChanged(frame.data);
  },
});

function onState(state, type, frame) {
  if (type === "all") {
    gate.reset();  // a fresh state already holds whatever was waiting
    view = structuredClone(state);
    render(view, "all");
    return;
  }
  gate.push(frame);
  if (type === "show.started") video.refresh();
  if (type === "show.ended") video.showEnded();
}

// An upcoming show's start, written by the server in UTC: in the viewer's zone instead.
localizeTimes(document, ".starts time[datetime]");
wireForms();
setInterval(tick, 1000);
tick();
video.refresh();
const feed = new ShowFeed(showId, {
  onState,
  onReaction: floatReaction,
  onConnection: (up) => root.classList.toggle("offline", !up),
});
feed.start().catch(() => feed.reconnectLater());

// The viewer page: renders the live state, and posts chat, reactions and purchases.
// Every piece of user or seller text goes in with textContent, never innerHTML.

import { ShowFeed } from "./live.js";

const root = document.getElementById("show");
const showId = root.dataset.showId;
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? null;
const $ = (id) => document.getElementById(id);
const EMOJI = { heart: "❤️", fire: "🔥", clap: "👏", laugh: "😂", wow: "😮" };
let pinnedShown = null;
const pending = new Map();  // form id -> reserved order waiting for a payment

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

async function post(url, body) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (csrf) headers["X-CSRF-Token"] = csrf;
  const response = await fetch(url, {
    method: "POST", headers, body: JSON.stringify(body ?? {}), credentials: "same-origin",
  });
  const type = response.headers.get("content-type") ?? "";
  const data = type.includes("json") ? await response.json() : null;
  if (!response.ok) {
    const error = new Error(data?.detail || data?.title || `HTTP ${response.status}`);
    error.status = response.status;
    error.code = data?.code;
    throw error;
  }
  return data;
}

function signInFirst() {
  location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
}

// --- rendering -----------------------------------------------------------------------------

function render(state, type) {
  if (type === "all" || type.startsWith("show.") || type === "viewers.count") renderStage(state);
  if (type === "all" || type.startsWith("chat.")) renderChat(state);
  if (type === "all" || type.startsWith("drop.")) renderDrop(state);
  if (type === "all" || type === "product.pinned" || type === "show.ended") renderLineup(state);
  if (type === "all" || type === "product.pinned") loadPinned(state).catch(() => {});
}

function renderStage(state) {
  const badge = $("status-badge");
  badge.textContent = { live: "Live", ended: "Ended" }[state.status] ?? "Upcoming";
  badge.classList.toggle("live", state.status === "live");
  $("viewer-count").textContent = String(state.viewer_count);
  $("hosts").textContent = state.hosts
    .map((h) => (h.role === "cohost" ? `${h.display_name} (co-host)` : h.display_name))
    .join(", ");
}

function renderChat(state) {
  const list = $("chat-list");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren(
    ...state.recent_chat.map((m) => {
      const item = el("li");
      item.append(el("span", "name", m.display_name), " ", el("span", "text", m.text));
      return item;
    }),
  );
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function currentDrop(state) {
  const live = state.drops.filter((d) => d.status === "live");
  return (live.length ? live : state.drops).at(-1) ?? null;
}

function renderDrop(state) {
  const drop = currentDrop(state);
  const card = $("drop");
  card.hidden = !drop;
  if (!drop) return;
  const item = state.lineup.find((i) => i.product_id === drop.product_id);
  $("drop-product").textContent = item ? item.title : "";
  $("drop-price").textContent = drop.price.display;
  $("drop-remaining").textContent = drop.remaining.toLocaleString();
  $("drop-quantity").textContent = drop.quantity.toLocaleString();
  $("drop-status").textContent = drop.status.replace("_", " ");
  $("drop-limit").textContent = String(drop.per_buyer_limit);
  $("drop-meter").max = drop.quantity;
  $("drop-meter").value = drop.remaining;
  $("drop-qty").max = drop.per_buyer_limit;
  $("drop-countdown").dateTime = drop.ends_at;
  card.dataset.dropId = drop.id;
  card.querySelector("button[type=submit]").disabled = drop.status !== "live";
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
      li.append(el("span", "title", i.title), " ", el("span", "price", i.price.display));
      return li;
    }),
  );
}

async function loadPinned(state) {
  const id = state.pinned_product_id ?? state.lineup[0]?.product_id ?? null;
  if (id === pinnedShown) return;
  pinnedShown = id;
  $("pinned").hidden = !id;
  if (!id) return;
  const response = await fetch(`/api/v1/products/${encodeURIComponent(id)}`);
  if (!response.ok || pinnedShown !== id) return;
  renderPinned(await response.json(), Boolean(state.pinned_product_id));
}

function renderPinned(product, isPinned) {
  $("pinned-label").textContent = isPinned ? "Pinned" : "First up";
  $("pinned-title").textContent = product.title;
  $("pinned-description").textContent = product.description;
  const origin = product.origin;
  $("pinned-origin").textContent = [origin.place, origin.region].filter(Boolean).join(", ");
  $("pinned-steps").replaceChildren(...origin.steps.map((s) => el("li", "", s)));
  $("pinned-slides").replaceChildren(
    ...product.images.map((image) => {
      const img = el("img");
      Object.assign(img, { src: image.url, alt: image.alt, width: 320, height: 240 });
      const figure = el("figure");
      figure.append(img, el("figcaption", "", image.alt));
      const li = el("li");
      li.append(figure);
      return li;
    }),
  );
  $("pinned-variants").replaceChildren(
    ...product.variants.map((v) => {
      const li = el("li", "", `${v.name}: `);
      li.append(el("strong", "", v.price.display));
      return li;
    }),
  );
  $("pinned-producers").replaceChildren(
    ...product.producers.map((p) => {
      const li = el("li");
      li.append(el("span", "", p.name), " ", el("span", "muted", p.village), " ",
        el("span", "share", `${(p.bps / 100).toFixed(1)}%`));
      return li;
    }),
  );
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

async function checkout(form) {
  const result = form.querySelector(".result");
  const quantity = Number(form.elements.quantity.value);
  const card = form.elements.card.value.replace(/\D/g, "");
  let order = pending.get(form.id);
  if (!order) {
    result.textContent = "Reserving…";
    order = form.dataset.kind === "drop"
      ? await post(`/api/v1/drops/${encodeURIComponent($("drop").dataset.dropId)}/claims`, { quantity })
      : await post(`/api/v1/shows/${encodeURIComponent(showId)}/purchases`, { product_id: pinnedShown, quantity });
    pending.set(form.id, order);
  }
  result.textContent = `Reserved ${order.total?.display ?? ""}. Paying…`;
  const paid = await post(`/api/v1/orders/${encodeURIComponent(order.order_id)}/pay`, {
    provider: "test", card_number: card,
  });
  pending.delete(form.id);
  result.textContent = paid.status === "paid"
    ? `Paid ✓ ${order.total?.display ?? ""}. Thank you! Order ${order.order_id.slice(-8)}`
    : `Payment ${paid.status}. Order ${order.order_id.slice(-8)}`;
}

function wireForms() {
  for (const form of document.querySelectorAll("form.buy")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!csrf) return signInFirst();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      checkout(form)
        .catch((error) => {
          const held = pending.get(form.id);
          form.querySelector(".result").textContent = held
            ? `${error.message}. Your units stay reserved for a few minutes: try another card.`
            : error.message;
        })
        .finally(() => { button.disabled = false; });
    });
  }
  $("chat-form")?.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("chat-text");
    const result = event.target.querySelector(".result");
    post(`/api/v1/shows/${encodeURIComponent(showId)}/chat`, { text: input.value })
      .then(() => { input.value = ""; result.textContent = ""; })
      .catch((error) => { result.textContent = error.message; });
  });
  for (const button of document.querySelectorAll("button.react")) {
    button.addEventListener("click", () => {
      if (!csrf) return signInFirst();
      post(`/api/v1/shows/${encodeURIComponent(showId)}/reactions`, { kind: button.dataset.kind })
        .catch(() => {});
    });
  }
  const slides = $("pinned-slides");
  $("slide-prev").addEventListener("click", () => slides.scrollBy({ left: -slides.clientWidth, behavior: "smooth" }));
  $("slide-next").addEventListener("click", () => slides.scrollBy({ left: slides.clientWidth, behavior: "smooth" }));
}

wireForms();
setInterval(tick, 1000);
tick();
const feed = new ShowFeed(showId, {
  onState: render,
  onReaction: floatReaction,
  onConnection: (up) => root.classList.toggle("offline", !up),
});
feed.start().catch(() => feed.reconnectLater());

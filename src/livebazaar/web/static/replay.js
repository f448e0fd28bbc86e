// The replay page: the show's recording, its moments (click one to jump there), and a product
// card that follows the video: what was pinned at the current time, buyable at list price
// through the same buy sheet as the live page (drops are over, so they only show as ended).

import { getJson } from "./api.js";
import { wireBuyForms } from "./buy.js";
import { $, el } from "./dom.js";
import { priceNodes, viewerCurrency } from "./fx.js";
import { byTime, clock, momentAt, momentLabel, productIdOf } from "./moments.js";
import { Player } from "./player.js";
import { ProductCard } from "./product_card.js";
import { formatCount, t } from "./i18n.js";

const showId = $("replay").dataset.showId;
const video = $("video");
const card = new ProductCard();
const player = new Player(video, { onFailure: () => { wait(t("The recording stopped playing. Trying again…")); setTimeout(load, 3000); } });
let vodUrl = null;
let moments = [];
let lineup = [];
let shown = { pin: undefined, drop: undefined };

function wait(message) {
  video.hidden = message !== null;
  $("video-wait").hidden = message === null;
  if (message !== null) $("video-wait-text").textContent = message;
}

function load() {
  if (player.load(vodUrl)) wait(null);
  else wait(t("This browser cannot play the recording."));
}

const titleOf = (productId) => lineup.find((i) => i.product_id === productId)?.title ?? "";

function renderMoments() {
  const list = $("moments");
  list.replaceChildren(...moments.map((moment) => {
    const button = el("button", "moment");
    button.type = "button";
    const time = el("time", "", clock(moment.at_s));
    time.dateTime = `PT${Math.floor(moment.at_s)}S`;
    button.append(time, ` — ${momentLabel(moment, titleOf)}`);
    button.addEventListener("click", () => { player.seek(moment.at_s); follow(); });
    const li = el("li");
    li.append(button);
    return li;
  }));
  if (!moments.length) $("moments-hint").textContent = t("Nothing was pinned or dropped in this show.");
}

// Puts the card (and the drop) in step with the video's current time.
function follow() {
  const { pin, drop } = momentAt(moments, video.currentTime);
  if (pin !== shown.pin) {
    const id = productIdOf(pin?.product) ?? lineup[0]?.product_id ?? null;
    const label = pin?.product ? t("Pinned at {time}", { time: clock(pin.at_s) }) : t("In this show");
    card.show(id, label).catch(() => {});
  }
  if (drop !== shown.drop) renderDrop(drop);
  shown = { pin, drop };
  const buttons = $("moments").querySelectorAll("button.moment");
  moments.forEach((moment, i) => {
    if (moment === pin || moment === drop) buttons[i].setAttribute("aria-current", "true");
    else buttons[i].removeAttribute("aria-current");
  });
}

function renderDrop(moment) {
  $("drop").hidden = !moment;
  if (!moment) return;
  const d = moment.drop;
  $("drop-product").textContent = titleOf(d.product_id);
  $("drop-price").replaceChildren(...priceNodes(d.price));
  $("drop-sold").textContent = formatCount(d.sold);
  $("drop-quantity").textContent = formatCount(d.quantity);
  $("drop-status").textContent = t(d.status === "sold_out" ? "sold out" : "ended");
}

async function start() {
  let replay;
  try {
    [replay, { lineup }] = await Promise.all([
      getJson(`/api/v1/shows/${encodeURIComponent(showId)}/replay`),
      getJson(`/api/v1/shows/${encodeURIComponent(showId)}`),
    ]);
  } catch (error) {
    wait(t(error.status === 404 ? "This show has no recording." : "The recording could not be loaded. Reload the page to try again."));
    return;
  }
  vodUrl = replay.vod_url;
  moments = byTime(replay.moments ?? []);
  renderMoments();
  for (const type of ["timeupdate", "seeked", "loadedmetadata"]) video.addEventListener(type, follow);
  follow();
  load();
}

wireBuyForms(document.querySelectorAll("form.buy"), (form, quantity) => ({
  url: `/api/v1/shows/${encodeURIComponent(showId)}/purchases`,
  body: { product_id: card.productId, quantity, display_currency: viewerCurrency() },
}));
start();

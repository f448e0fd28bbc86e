// The studio's shop side: the lineup with a Pin button each, the flash-drop form (a price typed
// in the shop currency's major units, sent as integer minor units) and the show's drops with
// their live stock from the show's events. The form and End now are there for those who may
// run drops; the price is the list price, read-only, for a co-host who may not name one.

import { $, el } from "./dom.js";
import { formatCount, t } from "./i18n.js";
import { say, syncList, whileBusy } from "./studio_dom.js";
import { formatMoney, fromMinorUnits, toMinorUnits } from "./minor_units.js";
import { send, showUrl } from "./studio_api.js";

export class ShopPanel {
  constructor(showId, { currency, exponent, powers }) {
    Object.assign(this, { showId, currency, exponent });
    this.canRun = powers.has("run_drops");
    this.canPrice = powers.has("price_drops");
    this.state = null;
    $("lineup").addEventListener("click", (event) => this.pinClicked(event));
    $("drop-product")?.addEventListener("change", () => this.prefillPrice());
    $("drop-form")?.addEventListener("submit", (event) => this.startDrop(event));
    $("drops").addEventListener("click", (event) => this.endDropClicked(event));
    setInterval(() => this.tick(), 1000);
  }

  render(state, type) {
    this.state = state;
    if (type === "all") this.renderProducts(state);
    else if (!this.canPrice && type.startsWith("product.")) this.prefillPrice();  // a new list price
    if (type === "all" || type.startsWith("product.") || type.startsWith("show.")) this.renderLineup(state);
    if (type === "all" || type.startsWith("drop.") || type.startsWith("show.")) this.renderDrops(state);
  }

  // -- lineup and pin -----------------------------------------------------------------------

  renderLineup(state) {
    const ended = state.status === "ended";
    syncList($("lineup"), state.lineup, {
      key: (item) => item.product_id,
      empty: t("This show has no products yet."),
      make: (item) => {
        const li = el("li");
        if (item.image_url) {
          const img = el("img");
          Object.assign(img, { src: item.image_url, alt: "", width: 56, height: 42 });
          li.append(img);
        }
        const button = el("button", "pin secondary");
        button.type = "button";
        button.dataset.productId = item.product_id;
        const what = el("span", "what");
        what.append(el("span", "title", item.title), " ", el("span", "price", formatMoney(item.price)));
        li.append(what, button);
        return li;
      },
      update: (li, item) => {
        li.querySelector(".price").textContent = formatMoney(item.price);
        const pinned = item.product_id === state.pinned_product_id;
        li.classList.toggle("pinned", pinned);
        const button = li.querySelector("button.pin");
        button.textContent = pinned ? t("Unpin") : t("Pin");
        button.setAttribute("aria-label", pinned ? t("Unpin {title}", { title: item.title }) : t("Pin {title}", { title: item.title }));
        button.disabled = ended;
      },
    });
  }

  async pinClicked(event) {
    const button = event.target.closest("button.pin");
    if (!button) return;
    const productId = button.dataset.productId;
    const unpin = productId === this.state?.pinned_product_id;
    await whileBusy(button, async () => {
      try {
        await send("POST", showUrl(this.showId, "/pin"), { product_id: unpin ? null : productId });
        say($("pin-result"), unpin ? t("Unpinned.") : t("Pinned: viewers see it under the video."));
      } catch (error) {
        say($("pin-result"), error.message, true);
      }
    });
  }

  // -- the drop form ------------------------------------------------------------------------

  renderProducts(state) {
    const select = $("drop-product");
    if (!select) return;  // no drop form: this person may not run drops
    const chosen = select.value;
    select.replaceChildren(...state.lineup.map((item) => {
      const option = el("option", null, item.title);
      option.value = item.product_id;
      return option;
    }));
    if (state.lineup.some((item) => item.product_id === chosen)) select.value = chosen;
    $("drop-form").querySelector("button[type=submit]").disabled = state.lineup.length === 0;
    if (!$("drop-price").value || !this.canPrice) this.prefillPrice();
  }

  // The chosen product's list price: a starting point, or the price (may not name another).
  prefillPrice() {
    if (!$("drop-product")) return;
    const item = this.state?.lineup.find((i) => i.product_id === $("drop-product").value);
    if (item && item.price.currency === this.currency) {
      $("drop-price").value = fromMinorUnits(item.price.amount_minor, this.exponent);
    }
  }

  // The POST body, or throws with what to fix (and focuses that field).
  dropBody(form) {
    const whole = (name, refusal) => {
      const input = form.elements[name];
      const value = Number(input.value);
      if (!Number.isInteger(value) || value < 1 || value > 1_000_000) {
        input.focus();
        throw new RangeError(refusal);
      }
      return value;
    };
    const quantity = whole("quantity", t("Units: a whole number from 1 to 1,000,000"));
    const limit = whole("per_buyer_limit", t("Limit per buyer: a whole number from 1 to 1,000,000"));
    if (limit > quantity) {
      form.elements.per_buyer_limit.focus();
      throw new RangeError(t("The limit per buyer cannot be more than the units"));
    }
    let amount;
    try {
      amount = toMinorUnits(form.elements.price.value, this.exponent, this.currency);
    } catch (error) {
      form.elements.price.focus();
      throw error;
    }
    const body = {
      product_id: form.elements.product_id.value,
      quantity,
      per_buyer_limit: limit,
      price: { amount_minor: amount, currency: this.currency },
      duration_s: Number(form.elements.duration_s.value),
    };
    if (form.elements.hold_s.value) body.hold_s = Number(form.elements.hold_s.value);
    return body;
  }

  async startDrop(event) {
    event.preventDefault();
    const form = event.target;
    const result = $("drop-result");
    let body;
    try {
      body = this.dropBody(form);
    } catch (error) {
      say(result, error.message, true);
      return;
    }
    await whileBusy(form.querySelector("button[type=submit]"), async () => {
      say(result, t("Starting the drop…"));
      try {
        const drop = await send("POST", showUrl(this.showId, "/drops"), body);
        say(result, t("Drop started: {quantity} at {price}.", { quantity: formatCount(drop.quantity), price: formatMoney(drop.price) }));
      } catch (error) {
        say(result, error.message, true);
      }
    });
  }

  // -- the drops and their stock ------------------------------------------------------------

  renderDrops(state) {
    const titles = new Map(state.lineup.map((i) => [i.product_id, i.title]));
    syncList($("drops"), [...state.drops].reverse(), {
      key: (drop) => drop.id,
      empty: t("No drop yet."),
      make: (drop) => {
        const title = titles.get(drop.product_id);
        const li = el("li", "drop-item");
        const head = el("p", "drop-head");
        const name = el("strong", "drop-title", title ?? t("Product"));
        name.id = `drop-title-${drop.id}`;
        head.append(name, " ", el("span", "price", formatMoney(drop.price)), " ",
          el("span", "badge drop-status"));
        const meter = el("progress");
        meter.setAttribute("aria-label", t("Units left: {title}", { title: title ?? "" }));
        li.append(head, el("p", "stock"), meter, el("p", "drop-foot small"));
        if (this.canRun) {
          const end = el("button", "secondary end-drop", t("End now"));
          end.type = "button";
          end.id = `end-drop-${drop.id}`;
          end.dataset.dropId = drop.id;
          // Named "End now <product>": its visible words first, in every language, so a voice
          // user who says what they see ("click End now") reaches it (WCAG 2.5.3).
          end.setAttribute("aria-labelledby", `${end.id} ${name.id}`);
          li.append(end);
        }
        return li;
      },
      update: (li, drop) => {
        const live = drop.status === "live";
        const open = drop.status !== "ended";  // a sold-out drop may reopen as holds expire
        const status = li.querySelector(".drop-status");
        status.textContent = t(drop.status.replace("_", " "));
        status.classList.toggle("live", live);
        li.querySelector(".stock").textContent =
          t("{left} of {total} left", { left: formatCount(drop.remaining), total: formatCount(drop.quantity) });
        const meter = li.querySelector("progress");
        meter.max = drop.quantity;
        meter.value = drop.remaining;
        const foot = li.querySelector(".drop-foot");
        foot.dataset.endsAt = open ? drop.ends_at : "";
        foot.dataset.sold = t("{sold} sold · {waiting} waiting for payment", {
          sold: formatCount(drop.sold), waiting: formatCount(drop.reserved),
        });
        const end = li.querySelector(".end-drop");
        if (end) end.hidden = !open;
      },
    });
    this.tick();
  }

  tick() {
    for (const foot of $("drops").querySelectorAll(".drop-foot")) {
      const endsAt = foot.dataset.endsAt ? Date.parse(foot.dataset.endsAt) : NaN;
      const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      foot.textContent = Number.isFinite(endsAt) ? t("{sales} · ends in {clock}", { sales: foot.dataset.sold, clock }) : foot.dataset.sold;
    }
  }

  async endDropClicked(event) {
    const button = event.target.closest("button.end-drop");
    if (!button || !confirm(t("End this drop now? Units not sold go back to the shelf."))) return;
    await whileBusy(button, async () => {
      try {
        await send("POST", `/api/v1/drops/${encodeURIComponent(button.dataset.dropId)}/end`);
        say($("drop-result"), t("Drop ended."));
      } catch (error) {
        say($("drop-result"), error.message, true);
      }
    });
  }
}

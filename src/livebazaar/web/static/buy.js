// The buy sheet (form.buy): choose the variant, reserve units (a drop claim, or a purchase at
// list price), choose where they go (a saved address, or a new one saved on the way), then
// pay with a test card; the viewer and replay pages share this.
//
// One purchase is one attempt: its reservation and its payments carry Idempotency-Keys made
// for the attempt, and the button is off while it is in flight, so taps in quick succession
// (or a retry after a lost answer) make one order and one charge. A reservation whose payment
// was declined is kept, so another card can pay it, as long as the sheet still asks for the
// same thing. Once paid, the button stays off: a second one takes "Buy another", on purpose.

import { csrf, getJson, post, signInFirst } from "./api.js";
import { formatCount, formatTime, t } from "./i18n.js";
import { formatMoney } from "./minor_units.js";

const attempts = new Map();  // form id -> { what, url, body, key, order, pays, done }
const NEW_ADDRESS = ["name", "line1", "city", "country", "postal_code", "phone"];
const REQUIRED = ["name", "line1", "city", "country"];
// The server's answers after which the reservation is gone: the next tap starts afresh.
const HOLD_GONE = new Set(["reservation_expired", "order_not_payable", "order_not_found"]);
// Refusals of a purchase after which what the buyer may take is worth asking again.
const LIMITS = new Set(["per_buyer_limit_exceeded", "too_many_open_holds"]);

function newKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));  // pages served over plain http
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function addressLabel(a) {
  return [a.name, a.line1, [a.postal_code, a.city].filter(Boolean).join(" ")].join(", ") + ` (${a.country})`;
}

// Does a new address in this country need a postal code? (accounts/postal.py has the table.)
function needsPostalCode(form) {
  const input = form.elements.ship_country;
  const country = input.value.trim().toUpperCase();
  const free = (input.dataset.postalCodeFree ?? "").split(" ");
  return country.length === 2 && !free.includes(country);
}

// The buyer's saved addresses in every form's select; the new-address fields show only when
// "A new address…" is chosen (and are required then; the postal code where it is used).
async function loadAddresses(forms) {
  let saved = [];
  if (csrf) {
    try { saved = await getJson("/api/v1/me/addresses"); } catch { saved = []; }
  }
  for (const form of forms) {
    const select = form.elements.address_id;
    if (!select) continue;
    for (const a of saved) {
      const option = document.createElement("option");
      option.value = a.id;
      option.textContent = addressLabel(a);
      select.insertBefore(option, select.firstChild);
    }
    select.selectedIndex = 0;
    const fields = form.querySelector("[data-new-address]");
    const sync = () => {
      const fresh = select.value === "";
      fields.hidden = !fresh;
      for (const name of REQUIRED) form.elements[`ship_${name}`].required = fresh;
      form.elements.ship_postal_code.required = fresh && needsPostalCode(form);
    };
    select.addEventListener("change", sync);
    form.elements.ship_country.addEventListener("input", sync);
    sync();
  }
}

function markField(form, name, invalid) {
  const input = form.elements[`ship_${name}`];
  if (!input) return;
  if (invalid) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

async function addressFor(form) {
  const select = form.elements.address_id;
  if (!select) return null;
  if (select.value) return select.value;
  const body = {};
  for (const name of NEW_ADDRESS) body[name] = form.elements[`ship_${name}`].value.trim();
  body.country = body.country.toUpperCase();
  for (const name of NEW_ADDRESS) markField(form, name, false);
  let saved;
  try {
    saved = await post("/api/v1/me/addresses", body);
  } catch (error) {
    const fields = (error.problem?.errors ?? []).map((e) => e.loc?.at(-1)).filter(Boolean);
    for (const name of fields) markField(form, name, true);
    if (fields.includes("postal_code")) throw new Error(t("Addresses in this country need a postal code."));
    throw error;
  }
  const option = document.createElement("option");
  option.value = saved.id;
  option.textContent = addressLabel(saved);
  select.insertBefore(option, select.firstChild);
  select.value = saved.id;
  select.dispatchEvent(new Event("change"));
  return saved.id;
}

// The attempt the sheet currently asks for: the one under way if it asks for the same thing,
// else a new one (a reservation the buyer turned away from is cancelled, not left to expire).
function attemptFor(form, target) {
  const quantity = Number(form.elements.quantity.value);
  const { url, body } = target(form, quantity);
  const variant = form.elements.variant_id?.value;
  if (variant) body.variant_id = variant;
  const what = JSON.stringify([url, body]);
  const current = attempts.get(form.id);
  if (current?.what === what || current?.done) return current;
  if (current?.order) {
    post(`/api/v1/orders/${encodeURIComponent(current.order.order_id)}/cancel`).catch(() => {});
  }
  const attempt = { what, url, body, key: newKey(), order: null, pays: new Map(), done: false };
  attempts.set(form.id, attempt);
  return attempt;
}

function say(form, text) {
  form.querySelector(".result").textContent = text;
}

function refuse(form, text) {
  const refusal = form.querySelector(".refusal");
  refusal.textContent = text;
  refusal.hidden = !text;
}

async function checkout(form, attempt) {
  const card = (form.elements.card?.value ?? "").replace(/\D/g, "");
  const addressId = await addressFor(form);  // first: a refused address holds nothing
  if (!attempt.order) {
    say(form, t("Reserving…"));
    attempt.order = await post(attempt.url, attempt.body, { idempotencyKey: `${attempt.key}-hold` });
  }
  const { order } = attempt;
  const pay = { provider: "test", card_number: card, ...(addressId ? { address_id: addressId } : {}) };
  const payWhat = JSON.stringify(pay);  // the same card and address again: the same payment
  if (!attempt.pays.has(payWhat)) attempt.pays.set(payWhat, `${attempt.key}-pay-${attempt.pays.size}`);
  say(form, t("Reserved {total}. Paying…", { total: order.total ? formatMoney(order.total) : "" }));
  const paid = await post(`/api/v1/orders/${encodeURIComponent(order.order_id)}/pay`, pay, {
    idempotencyKey: attempt.pays.get(payWhat),
  });
  attempt.done = true;  // paid, or pending (the provider settles it): not to be bought again
  variantBought(form, attempt.body.quantity);
  say(form, paid.status === "paid"
    ? t("Paid ✓ {total}. Thank you! Order {order}", { total: order.total ? formatMoney(order.total) : "", order: order.order_id.slice(-8) })
    : t("Payment {status}. Order {order}", { status: paid.status, order: order.order_id.slice(-8) }));
}

function refusalText(form, error) {
  if (error.code === "per_buyer_limit_exceeded") {
    const more = Number(error.problem?.may_take ?? 0);
    capQuantity(form, more);
    return more > 0
      ? t("That is past the limit per buyer: you may take {count} more.", { count: formatCount(more) })
      : t("You already hold as many as one buyer may take.");
  }
  if (error.code === "too_many_open_holds") {
    const wait = Number(error.problem?.retry_after_s ?? 60);
    const time = formatTime(new Date(Date.now() + wait * 1000).toISOString(), { timeStyle: "short" });
    return t("You hold too many unpaid reservations: pay for one, or try again at {time}.", { time });
  }
  if (attempts.get(form.id)?.order) {
    return t("{error}. Your units stay reserved for a few minutes: try another card.", { error: error.message });
  }
  return error.message;
}

// What the buyer may still take of the product in a purchase sheet, from the shop's limit
// per buyer (GET …/allowance: what they hold, and paid for today): the quantity stops there,
// and a line under it says so. The server decides again; its refusals cap it too.
export async function showAllowance(form, productId) {
  if (form?.dataset.kind !== "purchase" || !productId) return;
  form.dataset.productId = productId;
  if (!csrf) return;  // signed out: the sheet asks them to sign in first
  let allowance;
  try {
    allowance = await getJson(`/api/v1/products/${encodeURIComponent(productId)}/allowance`);
  } catch {
    return;  // the server still decides
  }
  if (form.dataset.productId !== productId) return;  // another product came meanwhile
  capQuantity(form, allowance.may_take);
  const hint = form.querySelector("[data-allowance]");
  const count = formatCount(allowance.may_take);
  if (allowance.open_holds >= allowance.max_open_holds) {
    hint.textContent = t("You hold too many unpaid reservations: pay for one first.");
  } else if (allowance.may_take <= 0) {
    hint.textContent = t("You already hold as many as one buyer may take.");
  } else if (allowance.may_take < allowance.per_buyer_limit) {
    hint.textContent = t("You may take {count} more.", { count });
  } else {
    hint.textContent = t("Up to {count} per buyer.", { count });
  }
  hint.hidden = false;
}

// The quantity input stops at what the buyer may take (at least 1: it asks for something).
function capQuantity(form, mayTake) {
  if (form.dataset.kind !== "purchase") return;  // a drop's sheet follows the drop (show.js)
  const input = form.elements.quantity;
  const most = Math.max(1, mayTake);
  input.max = String(most);
  if (Number(input.value) > most) input.value = String(most);
}

// The variants of the product in a purchase sheet (its name, price and what is left), as the
// template renders them; the field shows only when there is a choice.
export function showVariants(form, variants) {
  const select = form?.elements.variant_id;
  if (!select) return;
  select.replaceChildren(...variants.map((v) => {
    const option = document.createElement("option");
    option.value = v.id;
    option.dataset.name = v.name;
    option.dataset.available = String(v.available);
    option.dataset.price = formatMoney(v.price);
    option.disabled = v.available <= 0;
    option.textContent = variantText(v.name, option.dataset.price, v.available);
    return option;
  }));
  const open = [...select.options].find((o) => !o.disabled);
  if (open) select.value = open.value;
  form.querySelector("[data-variant-field]").hidden = variants.length < 2;
  if (attempts.get(form.id)?.done) startAgain(form, { focus: false });  // another product
}

// A variant's new list price (product.price_changed) in its choice.
export function variantPriceChanged(form, variantId, price) {
  const option = [...(form?.elements.variant_id?.options ?? [])].find((o) => o.value === variantId);
  if (!option) return;
  option.dataset.price = formatMoney(price);
  option.textContent = variantText(option.dataset.name, option.dataset.price, Number(option.dataset.available));
}

// What is left of the variant just bought, as far as this page knows.
function variantBought(form, quantity) {
  const option = form.elements.variant_id?.selectedOptions[0];
  if (!option) return;
  const available = Math.max(0, Number(option.dataset.available) - quantity);
  option.dataset.available = String(available);
  option.textContent = variantText(option.dataset.name, option.dataset.price, available);
}

function variantText(name, price, available) {
  const left = available > 0 ? t("{num} left", { num: formatCount(available) }) : t("sold out");
  return `${name} · ${price} · ${left}`;
}

function startAgain(form, { focus = true } = {}) {
  attempts.delete(form.id);
  say(form, "");
  refuse(form, "");
  form.querySelector("[data-again]").hidden = true;
  const button = form.querySelector("button[type=submit]");
  button.disabled = false;
  if (focus) button.focus();
}

// The form now buys something else (the card shows another drop): a purchase made is over,
// so the next tap is a new purchase of the other thing, not a no-op.
export function buyingSomethingElse(form) {
  if (attempts.get(form.id)?.done) startAgain(form, { focus: false });
}

export function purchaseDone(form) {
  return Boolean(attempts.get(form.id)?.done);
}

export function wireBuyForms(forms, target) {
  loadAddresses(forms);
  for (const form of forms) {
    const button = form.querySelector("button[type=submit]");
    const again = form.querySelector("[data-again]");
    again.addEventListener("click", () => startAgain(form));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const noPayments = form.querySelector("[data-no-payments]");
      if (noPayments) return noPayments.focus();  // nothing to pay with: reserve nothing
      if (!csrf) return signInFirst(() => form.requestSubmit());
      if (form.getAttribute("aria-busy") === "true") return;  // the attempt is in flight
      const attempt = attemptFor(form, target);
      if (attempt.done) return;  // bought: a second one takes "Buy another"
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
      refuse(form, "");
      checkout(form, attempt)
        .then(() => {
          again.hidden = false;
          showAllowance(form, form.dataset.productId);  // what is left to take after this one
        })
        .catch((error) => {
          if (HOLD_GONE.has(error.code)) attempts.delete(form.id);
          say(form, "");
          refuse(form, refusalText(form, error));
          if (LIMITS.has(error.code)) showAllowance(form, form.dataset.productId);
          button.disabled = false;
        })
        .finally(() => { form.removeAttribute("aria-busy"); });
    });
  }
}

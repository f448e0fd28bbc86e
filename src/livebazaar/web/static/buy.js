// The buy sheet (form.buy): reserve units (a drop claim, or a purchase at list price), choose
// where they go (a saved address, or a new one saved on the way), then pay with a test card. A reservation whose payment failed is kept, so another card can pay it, as
// long as the form still points at the same thing; the viewer and replay pages share this.

import { csrf, getJson, post, signInFirst } from "./api.js";
import { t } from "./i18n.js";

const pending = new Map();  // form id -> { key, order } reserved, waiting for a payment
const NEW_ADDRESS = ["name", "line1", "city", "country", "phone"];

// The buyer's saved addresses in every form's select; the new-address fields show only when
// "A new address…" is chosen (and are required then).
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
      option.textContent = `${a.name}, ${a.line1}, ${a.city} (${a.country})`;
      select.insertBefore(option, select.firstChild);
    }
    select.selectedIndex = 0;
    const fields = form.querySelector("[data-new-address]");
    const sync = () => {
      const fresh = select.value === "";
      fields.hidden = !fresh;
      for (const name of ["name", "line1", "city", "country"]) form.elements[`ship_${name}`].required = fresh;
    };
    select.addEventListener("change", sync);
    sync();
  }
}

async function addressFor(form) {
  const select = form.elements.address_id;
  if (!select) return null;
  if (select.value) return select.value;
  const body = {};
  for (const name of NEW_ADDRESS) body[name] = form.elements[`ship_${name}`].value.trim();
  body.country = body.country.toUpperCase();
  const saved = await post("/api/v1/me/addresses", body);
  const option = document.createElement("option");
  option.value = saved.id;
  option.textContent = `${saved.name}, ${saved.line1}, ${saved.city} (${saved.country})`;
  select.insertBefore(option, select.firstChild);
  select.value = saved.id;
  select.dispatchEvent(new Event("change"));
  return saved.id;
}

// target(form, quantity) -> { url, body }: where to reserve what the form currently shows.
async function checkout(form, target) {
  const result = form.querySelector(".result");
  const noPayments = form.querySelector("[data-no-payments]");
  if (noPayments) {  // nothing to pay with: reserve nothing; the notice says why
    noPayments.focus();
    return;
  }
  const quantity = Number(form.elements.quantity.value);
  const card = (form.elements.card?.value ?? "").replace(/\D/g, "");
  const { url, body } = target(form, quantity);
  const key = `${url} ${body.product_id ?? ""}`;
  let held = pending.get(form.id);
  if (held?.key !== key) {
    result.textContent = t("Reserving…");
    held = { key, order: await post(url, body) };
    pending.set(form.id, held);
  }
  const { order } = held;
  const addressId = await addressFor(form);
  result.textContent = t("Reserved {total}. Paying…", { total: order.total?.display ?? "" });
  const paid = await post(`/api/v1/orders/${encodeURIComponent(order.order_id)}/pay`, {
    provider: "test", card_number: card, ...(addressId ? { address_id: addressId } : {}),
  });
  pending.delete(form.id);
  result.textContent = paid.status === "paid"
    ? t("Paid ✓ {total}. Thank you! Order {order}", { total: order.total?.display ?? "", order: order.order_id.slice(-8) })
    : t("Payment {status}. Order {order}", { status: paid.status, order: order.order_id.slice(-8) });
}

export function wireBuyForms(forms, target) {
  loadAddresses(forms);
  for (const form of forms) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!csrf) return signInFirst(() => form.requestSubmit());
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      checkout(form, target)
        .catch((error) => {
          form.querySelector(".result").textContent = pending.has(form.id)
            ? t("{error}. Your units stay reserved for a few minutes: try another card.", { error: error.message })
            : error.message;
        })
        .finally(() => { button.disabled = false; });
    });
  }
}

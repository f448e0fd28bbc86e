// The buy sheet (form.buy): reserve units (a drop claim, or a purchase at list price), then pay
// with a test card. A reservation whose payment failed is kept, so another card can pay it, as
// long as the form still points at the same thing; the viewer and replay pages share this.

import { csrf, post, signInFirst } from "./api.js";

const pending = new Map();  // form id -> { key, order } reserved, waiting for a payment

// target(form, quantity) -> { url, body }: where to reserve what the form currently shows.
async function checkout(form, target) {
  const result = form.querySelector(".result");
  const quantity = Number(form.elements.quantity.value);
  const card = form.elements.card.value.replace(/\D/g, "");
  const { url, body } = target(form, quantity);
  const key = `${url} ${body.product_id ?? ""}`;
  let held = pending.get(form.id);
  if (held?.key !== key) {
    result.textContent = "Reserving…";
    held = { key, order: await post(url, body) };
    pending.set(form.id, held);
  }
  const { order } = held;
  result.textContent = `Reserved ${order.total?.display ?? ""}. Paying…`;
  const paid = await post(`/api/v1/orders/${encodeURIComponent(order.order_id)}/pay`, {
    provider: "test", card_number: card,
  });
  pending.delete(form.id);
  result.textContent = paid.status === "paid"
    ? `Paid ✓ ${order.total?.display ?? ""}. Thank you! Order ${order.order_id.slice(-8)}`
    : `Payment ${paid.status}. Order ${order.order_id.slice(-8)}`;
}

export function wireBuyForms(forms, target) {
  for (const form of forms) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!csrf) return signInFirst();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      checkout(form, target)
        .catch((error) => {
          form.querySelector(".result").textContent = pending.has(form.id)
            ? `${error.message}. Your units stay reserved for a few minutes: try another card.`
            : error.message;
        })
        .finally(() => { button.disabled = false; });
    });
  }
}

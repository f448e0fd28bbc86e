// The seller dashboard (templates/seller_*.html, web/seller.py). Each form with a
// `data-action` goes to /api/v1 through seller_forms.js; then the sections named in its
// `data-refresh` are fetched again as server-rendered fragments (/sell/shops/{id}/sections/…,
// the same templates as the page, escaped by Jinja) and swapped in, keeping the keyboard focus
// and the open <details>. Results and refusals are announced in the section's aria-live line.

import { $ } from "./dom.js";
import { t } from "./i18n.js";
import { say, whileBusy } from "./studio_dom.js";
import { ACTIONS } from "./seller_forms.js";

const root = $("seller");
const shop = {
  shopId: root.dataset.shopId ?? null,
  currency: root.dataset.currency ?? "",
  exponent: Number(root.dataset.exponent ?? 0),
};

// Dates come from the server in UTC; show them in the device's time zone.
function localTimes(scope) {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  for (const node of scope.querySelectorAll("time.local-time")) {
    const when = new Date(node.dateTime);
    if (!Number.isNaN(when.getTime())) node.textContent = format.format(when);
  }
}

function prepare(scope) {
  localTimes(scope);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const hint = scope.querySelector("#show-when-hint");
  if (hint && zone) hint.textContent = t("In your time zone: {zone}", { zone });
}

async function fetchSection(name, query) {
  const url = `/sell/shops/${encodeURIComponent(shop.shopId)}/sections/${name}${query}`;
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!response.ok) throw new Error(t("Could not reload this section (HTTP {status}). Reload the page.", { status: response.status }));
  return new DOMParser().parseFromString(await response.text(), "text/html").body;
}

// Swap in a fresh copy of each section; `focusId`: the element to give the focus back to.
async function refresh(names, { query = "", focusId = null } = {}) {
  for (const name of names) {
    const body = document.querySelector(`.section-body[data-section="${name}"]`);
    if (!body) continue;
    const fresh = await fetchSection(name, name === "orders" ? query : "");
    const open = [...body.querySelectorAll("details[open][id]")].map((node) => node.id);
    body.replaceChildren(...[...fresh.childNodes].map((node) => document.importNode(node, true)));
    for (const id of open) body.querySelector(`details[id="${CSS.escape(id)}"]`)?.setAttribute("open", "");
    prepare(body);
  }
  const target = focusId ? document.getElementById(focusId) : null;
  if (target) target.focus();
}

function resultLine(form) {
  const section = form.closest(".seller-section");
  return section ? $(`${section.id}-result`) : form.querySelector(".result");
}

async function submitted(event) {
  const form = event.target;
  const action = ACTIONS[form.dataset?.action];
  if (form.dataset?.action === "filter-orders") return filterOrders(event, form);
  if (!action) return;
  event.preventDefault();
  const button = event.submitter ?? form.querySelector('button[type="submit"]');
  const line = resultLine(form);
  const active = document.activeElement;
  const focusId = (active && form.contains(active) && active.id) || form.querySelector("[id]")?.id || null;
  await whileBusy(button, async () => {
    try {
      const message = await action(form, shop);
      const names = (form.dataset.refresh ?? "").split(" ").filter(Boolean);
      if (names.length) await refresh(names, { focusId });
      say(line, message);
    } catch (error) {
      if (error.status === 401) say(line, t("You were signed out: sign in again, then retry."), true);
      else say(line, error.message || String(error), true);
      if (form.dataset.action === "upload-image") say(form.querySelector(".result"), "", false);
    }
  });
}

async function filterOrders(event, form) {
  event.preventDefault();
  const value = form.elements.status.value;
  const query = value ? `?status=${encodeURIComponent(value)}` : "";
  try {
    await refresh(["orders"], { query, focusId: "orders-status" });
    history.replaceState(null, "", `${location.pathname}${query}#orders`);
    say($("orders-result"), t("Orders shown: {status}.", { status: form.elements.status.selectedOptions[0]?.textContent ?? value }));
  } catch (error) {
    say($("orders-result"), error.message, true);
  }
}

document.addEventListener("submit", (event) => { submitted(event); });
prepare(document);

// The seller dashboard (templates/seller_*.html, web/pages/seller.py). Its forms are htmx forms
// (static/vendor/htmx.min.js, loaded before this module): each posts to a /sell/shops/{id}/…
// route, with the CSRF header from the dashboard's `hx-headers`, and the server answers the
// re-rendered section (escaped by Jinja), its result line and any other section the change
// touched (out of band). What is left here: htmx's settings (swap a refused form's answer too,
// say when the network or the session failed), the local time zone (shown, and sent with a
// show's local date and time), the dates in local time, and the shop creation and picture
// upload (seller_forms.js: a fetch, and an XHR for its progress bar). Editing an item needs
// nothing here: its Edit link, form and Cancel are htmx attributes, and the server marks the
// field to focus (`autofocus`, which htmx honours after a swap).

import { $ } from "./dom.js";
import { t } from "./i18n.js";
import { say, whileBusy } from "./studio_dom.js";
import { ACTIONS } from "./seller_forms.js";

const root = $("seller");
const shopId = root.dataset.shopId ?? null;
const htmx = globalThis.htmx;

if (htmx) {
  // htmx 2 swaps no 4xx by default: the server answers a refused form (422, or a domain
  // error's 404/409) with the section, its error and the seller's input, so swap those. 401
  // and 403 (signed out, not allowed, CSRF) are not sections: they are only announced.
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "40[13]", swap: false, error: true },
    { code: "4..", swap: true, error: false },
    { code: "...", swap: false, error: true },
  ];
}

// Dates come from the server in UTC; show them in the device's time zone, in the page's
// language (base.html sets <html lang> from the chosen one), not the browser's.
function localTimes(scope) {
  const lang = document.documentElement.lang || undefined;
  const format = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  for (const node of scope.querySelectorAll("time.local-time")) {
    const when = new Date(node.dateTime);
    if (!Number.isNaN(when.getTime())) node.textContent = format.format(when);
  }
}

// A show's `datetime-local` is in the device's zone: the hidden `time_zone` field tells the
// server which (an IANA name, e.g. Africa/Kigali), and the hint tells the seller.
function prepare(scope) {
  localTimes(scope);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const field of scope.querySelectorAll("input.time-zone")) if (zone) field.value = zone;
  const hint = scope.querySelector("#show-when-hint");
  if (hint && zone) hint.textContent = t("In your time zone: {zone}", { zone });
}

function resultLine(node) {
  const section = node.closest(".seller-section");
  return section ? $(`${section.id}-result`) : node.querySelector(".result");
}

document.addEventListener("htmx:afterSettle", () => {
  for (const body of document.querySelectorAll(".section-body")) prepare(body);
});

document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const line = resultLine(event.detail.elt);
  if (!line) return;
  if (status === 401) say(line, t("You were signed out: sign in again, then retry."), true);
  else say(line, t("Not saved (HTTP {status}). Reload the page and try again.", { status }), true);
});

document.addEventListener("htmx:sendError", (event) => {
  const line = resultLine(event.detail.elt);
  if (line) say(line, t("Not saved: check the connection and try again."), true);
});

// The forms htmx does not take: the shop creation (/sell) and the picture upload.
async function submitted(event) {
  const form = event.target;
  const action = ACTIONS[form.dataset?.action];
  if (!action) return;
  event.preventDefault();
  const button = event.submitter ?? form.querySelector('button[type="submit"]');
  const line = resultLine(form);
  const upload = form.dataset.action === "upload-image";
  await whileBusy(button, async () => {
    try {
      const message = await action(form);
      if (upload) await uploaded(form.dataset.productId, message);
      say(line, message);
    } catch (error) {
      const text = error.status === 401 ? t("You were signed out: sign in again, then retry.") : error.message || String(error);
      say(line, text, true);
      // Said beside the form too: on a phone the section's line is screens away.
      if (upload) say(form.querySelector(".result"), text, true);
    }
  });
}

// A picture went up: the products come again (with its thumbnail); the sentence goes beside
// the product's new upload form too, and the keyboard back to its Upload button (the old
// one was swapped away, which would leave the focus nowhere).
async function uploaded(productId, message) {
  await reloadProducts();
  const fresh = document.querySelector(`form.upload-form[data-product-id="${CSS.escape(productId)}"]`);
  if (!fresh) return;
  say(fresh.querySelector(".result"), message);
  fresh.querySelector("button[type=submit]").focus();
}

async function reloadProducts() {
  const url = `/sell/shops/${encodeURIComponent(shopId)}/sections/products`;
  await htmx.ajax("GET", url, { target: "#products-body", swap: "innerHTML" });
}

document.addEventListener("submit", (event) => { submitted(event); });
prepare(document);

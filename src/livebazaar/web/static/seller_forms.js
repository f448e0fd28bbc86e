// The seller dashboard's forms turned into /api/v1 calls (static/seller.js wires them): each
// action reads its form, calls the API with the session cookie and CSRF header (studio_api.js),
// and answers the sentence to announce. Prices typed in the shop currency's major units become
// integer minor units (minor_units.js); a revenue share typed in percent ("12.5") becomes basis
// points the same way (two decimals: 1250). Refusals throw, with the problem's title.

import { csrf } from "./api.js";
import { t } from "./i18n.js";
import { toMinorUnits } from "./minor_units.js";
import { ApiError, send } from "./studio_api.js";

export const MAX_PICTURE_BYTES = 8 * 1024 * 1024;  // catalog/pictures.py's MAX_UPLOAD_BYTES

const api = (path) => `/api/v1${path}`;
const enc = encodeURIComponent;
const text = (form, name) => (form.elements[name]?.value ?? "").trim();

function count(form, name) {
  const value = text(form, name);
  if (!/^\d+$/.test(value)) throw new RangeError(t("Type a whole number of units, 0 or more"));
  return Number(value);
}

function checked(form) {
  return [...form.querySelectorAll('input[name="lineup"]:checked')].map((box) => box.value);
}

async function createShop(form) {
  const body = {
    name: text(form, "name"), country: text(form, "country").toUpperCase(),
    currency: text(form, "currency"), description: text(form, "description"),
  };
  const shop = await send("POST", api("/shops"), body);
  location.assign(`/sell/shops/${enc(shop.id)}`);
  return t("Shop created. Opening it…");
}

async function addProducer(form, { shopId }) {
  const body = {
    name: text(form, "name"), village: text(form, "village"), region: text(form, "region"),
    bio: text(form, "bio"),
  };
  const producer = await send("POST", api(`/shops/${enc(shopId)}/producers`), body);
  return t("Producer added: {name}.", { name: producer.name });
}

function shares(form) {
  return [...form.querySelectorAll("input.share")]
    .filter((input) => input.value.trim() !== "")
    .map((input) => ({ producer_id: input.dataset.producerId, bps: toMinorUnits(input.value, 2) }))
    .filter((share) => share.bps > 0);
}

async function addProduct(form, { shopId, currency, exponent }) {
  const body = {
    title: text(form, "title"), description: text(form, "description"),
    price: { amount_minor: toMinorUnits(text(form, "price"), exponent, currency), currency },
    stock: count(form, "stock"),
  };
  const given = shares(form);
  if (given.length) body.revenue_shares = given;
  const product = await send("POST", api(`/shops/${enc(shopId)}/products`), body);
  return t("Product added: {title}. Now add its picture.", { title: product.title });
}

async function setStock(form) {
  const quantity = count(form, "quantity");
  await send("PUT", api(`/variants/${enc(form.dataset.variantId)}/stock`), { quantity });
  return t("Stock set to {n}.", { n: quantity });
}

async function scheduleShow(form, { shopId }) {
  const local = text(form, "scheduled_at");  // "2025-06-01T18:30", the device's local time
  const when = new Date(local);
  if (!local || Number.isNaN(when.getTime())) throw new RangeError(t("Choose the date and time of the show"));
  const body = {
    shop_id: shopId, title: text(form, "title"), description: text(form, "description"),
    scheduled_at: when.toISOString(), lineup: checked(form),
  };
  const show = await send("POST", api("/shows"), body);
  return t("Show scheduled: {title}.", { title: show.title });
}

async function setLineup(form) {
  const lineup = checked(form);
  await send("PUT", api(`/shows/${enc(form.dataset.showId)}/lineup`), lineup);
  return t("Lineup saved: {n} products.", { n: lineup.length });
}

// A multipart POST with upload progress (fetch reports none): resolves with the JSON answer.
function postFile(url, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    if (csrf) xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = null; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(data, xhr.status));
    });
    xhr.addEventListener("error", () => reject(new Error(t("The upload failed: check the connection and try again."))));
    const body = new FormData();
    body.append("file", file);
    xhr.send(body);
  });
}

async function uploadImage(form) {
  const file = form.elements.file.files?.[0];
  if (!file) throw new RangeError(t("Choose or take a picture first"));
  if (file.size > MAX_PICTURE_BYTES) throw new RangeError(t("The picture is larger than 8 MB"));
  const bar = form.querySelector("progress");
  const status = form.querySelector(".result");
  bar.hidden = false;
  bar.value = 0;
  status.textContent = t("Uploading…");
  try {
    await postFile(api(`/products/${enc(form.dataset.productId)}/images/upload`), file, (done) => {
      bar.value = Math.round(done * 100);
      if (done >= 1) status.textContent = t("Preparing the picture…");
    });
  } finally {
    bar.hidden = true;
  }
  return t("Picture added.");
}

export const ACTIONS = {
  "create-shop": createShop,
  "add-producer": addProducer,
  "add-product": addProduct,
  "set-stock": setStock,
  "schedule-show": scheduleShow,
  "set-lineup": setLineup,
  "upload-image": uploadImage,
};

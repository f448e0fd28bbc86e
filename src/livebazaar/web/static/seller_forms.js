// The two seller forms htmx does not take (static/seller.js wires them): the shop creation on
// /sell, and a product's picture upload (an XHR, for its progress bar; a phone's big picture is
// shrunk first, static/seller_picture.js). Each calls /api/v1 with the session cookie and CSRF
// header and answers the sentence to announce; refusals throw, with the problem's title. The
// other forms post to web/pages/seller.py's routes through htmx.

import { csrf } from "./api.js";
import { t } from "./i18n.js";
import { MAX_PICTURE_BYTES, shrunk } from "./seller_picture.js";
import { ApiError, send } from "./studio_api.js";

const api = (path) => `/api/v1${path}`;
const enc = encodeURIComponent;
const text = (form, name) => (form.elements[name]?.value ?? "").trim();

async function createShop(form) {
  const body = {
    name: text(form, "name"), country: text(form, "country").toUpperCase(),
    currency: text(form, "currency"), description: text(form, "description"),
  };
  const shop = await send("POST", api("/shops"), body);
  location.assign(`/sell/shops/${enc(shop.id)}`);
  return t("Shop created. Opening it…");
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
  const chosen = form.elements.file.files?.[0];
  if (!chosen) throw new RangeError(t("Choose or take a picture first"));
  const status = form.querySelector(".result");
  status.textContent = t("Preparing the picture…");
  const file = await shrunk(chosen);
  // Only a picture this browser cannot decode is still too large: the server would refuse it
  // with the same sentence, after the seller paid for the upload.
  if (file.size > MAX_PICTURE_BYTES) throw new RangeError(t("The picture is larger than 8 MB"));
  const bar = form.querySelector("progress");
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
  "upload-image": uploadImage,
};

// A recording's moments (GET /api/v1/shows/{id}/replay): what was pinned, and which drop ran,
// at each second of the video. No DOM here, so node can test it.

import { formatCount, t } from "./i18n.js";

// 725 -> "12:05"; 3725 -> "1:02:05".
export function clock(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function byTime(moments) {
  return [...moments].sort((a, b) => a.at_s - b.at_s);
}

export function productIdOf(product) {
  return product ? (product.product_id ?? product.id ?? null) : null;
}

// At `t` seconds: the latest pin moment at or before t (null before the first), and the drop
// moment running at t (null when none; the latest started when several overlap).
export function momentAt(sorted, t) {
  let pin = null;
  let drop = null;
  for (const moment of sorted) {
    if (moment.at_s > t) break;
    if (moment.kind === "pin") pin = moment;
    else if (moment.kind === "drop" && t < moment.until_s) drop = moment;
  }
  return { pin, drop };
}

// "12:03 — pinned: Akagera honey coffee", "15:40 — drop: 3,000 × Akagera honey coffee".
// titleOf(productId) names a drop's product (from the show's lineup).
export function momentLabel(moment, titleOf) {
  if (moment.kind === "pin") {
    return moment.product
      ? t("pinned: {title}", { title: moment.product.title ?? titleOf(productIdOf(moment.product)) })
      : t("pin cleared");
  }
  const title = titleOf(moment.drop.product_id);
  const count = formatCount(moment.drop.quantity);
  return title ? t("drop: {count} × {title}", { count, title }) : t("drop: {count}", { count });
}

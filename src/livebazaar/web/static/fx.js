// Prices in the viewer's currency, "≈ 27.30 USD", beside the shop's: the same text the server
// renders (web/pages/viewer_currency.py), in the page's language ("≈ 27,30 EUR" in French). The page
// embeds the fresh rates as exact fractions (<script type="application/json" id="fx">:
// {currency, exponents, rates: {CNY: [num, den]}}); conversion is BigInt arithmetic rounded half to even, never a float. Display only: what is
// charged stays in the shop's currency.

import { formatMajor, formatMoney } from "./minor_units.js";

function load() {
  if (typeof document === "undefined") return null;  // node's tests pass their own
  try {
    return JSON.parse(document.getElementById("fx")?.textContent || "null");
  } catch {
    return null;
  }
}

const pageRates = load();

// round(n / d) with ties to even; d > 0.
function divideHalfEven(n, d) {
  const negative = n < 0n;
  const a = negative ? -n : n;
  let q = a / d;
  const twice = 2n * (a % d);
  if (twice > d || (twice === d && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

// The converted amount in the viewer's minor units (a BigInt), or null without a rate.
export function convertMinor(price, fx) {
  if (!fx || !price || price.currency === fx.currency) return null;
  const rate = fx.rates?.[price.currency];
  const from = fx.exponents?.[price.currency];
  const to = fx.exponents?.[fx.currency];
  if (!rate || from === undefined || to === undefined) return null;
  let n = BigInt(price.amount_minor) * BigInt(rate[0]);
  let d = BigInt(rate[1]);
  if (to >= from) n *= 10n ** BigInt(to - from);
  else d *= 10n ** BigInt(from - to);
  return divideHalfEven(n, d);
}

// "≈ 27.30 USD", or "" when the viewer's currency is the shop's or no fresh rate is known.
export function approxText(price, fx = pageRates) {
  const minor = convertMinor(price, fx);
  return minor === null ? "" : `≈ ${formatMajor(minor, fx.exponents[fx.currency])}\u00a0${fx.currency}`;
}

// The nodes for a price: it in the page's language, then the "≈" span when there is one.
export function priceNodes(price) {
  const text = approxText(price);
  if (!text) return [formatMoney(price)];
  const span = document.createElement("span");
  span.className = "approx";
  span.textContent = text;
  return [formatMoney(price), " ", span];
}

// The currency this page shows prices in: claims and purchases send it, so the order keeps its
// total as the buyer saw it (undefined without the page's rates: the server reads the cookie).
export function viewerCurrency(fx = pageRates) {
  return fx?.currency || undefined;
}

// The buy sheet's "Charged in CNY" line: the currency the order is really charged in.
export function showCharged(form, currency) {
  const line = form?.querySelector("[data-charged]");
  if (!line) return;
  line.querySelector("[data-charged-currency]").textContent = currency ?? "";
  line.hidden = !currency;
}

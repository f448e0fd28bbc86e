// The live cards' "≈ 27.94\u00a0USD": the same exact, half-even conversion as the server's.
import assert from "node:assert/strict";
import { test } from "node:test";

import { approxText, convertMinor, viewerCurrency } from "../../../src/livebazaar/web/static/fx.js";

const USD_VIEWER = {
  currency: "USD",
  exponents: { USD: 2, CNY: 2, RWF: 0, KWD: 3 },
  rates: { CNY: ["5000", "35617"], RWF: ["1", "1350"], KWD: ["13", "4"] },
};

test("a CNY price in dollars, as the server renders it", () => {
  assert.equal(approxText({ amount_minor: 19900, currency: "CNY" }, USD_VIEWER), "≈ 27.94\u00a0USD");
  assert.equal(approxText({ amount_minor: 71234, currency: "CNY" }, USD_VIEWER), "≈ 100.00\u00a0USD");
  assert.equal(approxText({ amount_minor: 7123400000, currency: "CNY" }, USD_VIEWER), "≈ 10,000,000.00\u00a0USD");
});

test("zero- and three-decimal currencies", () => {
  assert.equal(approxText({ amount_minor: 13505, currency: "RWF" }, USD_VIEWER), "≈ 10.00\u00a0USD");
  assert.equal(approxText({ amount_minor: 1234, currency: "KWD" }, USD_VIEWER), "≈ 4.01\u00a0USD");
  const rwf = { currency: "RWF", exponents: { RWF: 0, USD: 2 }, rates: { USD: ["1350", "1"] } };
  assert.equal(approxText({ amount_minor: 1000, currency: "USD" }, rwf), "≈ 13,500\u00a0RWF");
});

test("ties round half to even, like the server", () => {
  const eur = { currency: "EUR", exponents: { EUR: 2, USD: 2 }, rates: { USD: ["1", "8"] } };
  assert.equal(convertMinor({ amount_minor: 4, currency: "USD" }, eur), 0n);   // 0.5 -> 0
  assert.equal(convertMinor({ amount_minor: 12, currency: "USD" }, eur), 2n);  // 1.5 -> 2
  assert.equal(convertMinor({ amount_minor: 20, currency: "USD" }, eur), 2n);  // 2.5 -> 2
  assert.equal(convertMinor({ amount_minor: 28, currency: "USD" }, eur), 4n);  // 3.5 -> 4
});

test("nothing without a rate, or in the viewer's own currency", () => {
  assert.equal(approxText({ amount_minor: 100, currency: "GBP" }, USD_VIEWER), "");
  assert.equal(approxText({ amount_minor: 100, currency: "USD" }, USD_VIEWER), "");
  assert.equal(approxText({ amount_minor: 100, currency: "CNY" }, null), "");
});

test("claims and purchases send the currency the page shows prices in", () => {
  assert.equal(viewerCurrency(USD_VIEWER), "USD");
  assert.equal(viewerCurrency(null), undefined);  // no rates on the page: the server reads the cookie
  assert.equal(JSON.stringify({ quantity: 1, display_currency: viewerCurrency(null) }), '{"quantity":1}');
});

// Numbers and dates follow the page's language (<html lang>), not the browser's or node's.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { formatCount, formatTime, pageLocale, regionName } from "../../../src/livebazaar/web/static/i18n.js";

// The page's <html lang>, as base.html writes it.
function pageIn(lang) {
  globalThis.document = { documentElement: { lang } };
}

afterEach(() => {
  delete globalThis.document;
});

// Which space (no-break, narrow no-break) goes between groups or before "PM" changes with the
// ICU version; the tests read every such space as a plain one.
const spaces = (text) => text?.replace(/[\s\u00a0\u202f]/g, " ");

test("the locale is the page's language, or none without a page", () => {
  assert.equal(pageLocale(), undefined);
  pageIn("zh-Hans");
  assert.equal(pageLocale(), "zh-Hans");
  pageIn("");
  assert.equal(pageLocale(), undefined);
  pageIn("not a tag!");
  assert.equal(pageLocale(), undefined, "a tag Intl refuses falls back to the default");
});

test("counts are grouped the way the page's language writes them", () => {
  const cases = {
    en: "1,234.5",
    fr: "1 234,5",
    es: "1234,5", // Spanish groups from five digits on
    "zh-Hans": "1,234.5",
  };
  for (const [lang, expected] of Object.entries(cases)) {
    pageIn(lang);
    assert.equal(spaces(formatCount(1234.5)), expected, lang);
  }
  pageIn("es");
  assert.equal(formatCount(12345.5), "12.345,5");
  pageIn("fr");
  assert.equal(formatCount(2.25, { maximumFractionDigits: 1 }), "2,3");
});

test("times are written in the page's language, in the zone asked for", () => {
  const at = "2031-05-01T16:30:00+00:00";
  const options = { dateStyle: "long", timeStyle: "short", timeZone: "Africa/Kigali" };
  // The words between the parts change with the ICU version: check the parts.
  const cases = {
    en: ["May 1, 2031", "6:30 PM"],
    fr: ["1 mai 2031", "18:30"],
    es: ["1 de mayo de 2031", "18:30"],
    "zh-Hans": ["2031年5月1日", "18:30"],
  };
  for (const [lang, parts] of Object.entries(cases)) {
    pageIn(lang);
    const text = spaces(formatTime(at, options));
    for (const part of parts) assert.ok(text.includes(part), `${lang}: ${text}`);
  }
  pageIn("fr");
  assert.ok(spaces(formatTime(at)).startsWith("1 mai 2031"), "medium date and short time");
  assert.equal(formatTime("not a time"), null);
});

test("a short date names its year when it is not this year's", () => {
  pageIn("en");
  const short = { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" };
  assert.ok(formatTime("2020-01-01T10:00:00Z", short).includes("2020"), "a past year is shown");
  const soon = new Date(Date.UTC(new Date().getUTCFullYear(), 6, 1, 12)).toISOString();
  assert.ok(!/\d{4}/.test(formatTime(soon, short)), "this year's is left out");
});

test("country names are in the page's language", () => {
  pageIn("fr");
  assert.equal(regionName("CN"), "Chine");
  pageIn("zh-Hans");
  assert.equal(regionName("RW"), "卢旺达");
  assert.equal(regionName("??"), "??", "a code Intl refuses stays as it is");
});

test("prices are exact from minor units and written in the page's language", async () => {
  const { formatMoney, amountExample } = await import("../../../src/livebazaar/web/static/minor_units.js");
  pageIn("fr");
  assert.equal(spaces(formatMoney({ amount_minor: 4900, currency: "CNY" })), "49,00 CNY");
  assert.equal(spaces(formatMoney({ amount_minor: 263100, currency: "EUR" })), "2 631,00 EUR");
  assert.equal(spaces(formatMoney({ amount_minor: 590000n, currency: "RWF" })), "590 000 RWF");
  pageIn("es");
  assert.equal(amountExample(2), "12,55");
  pageIn("en");
  // past 2**53: a float would round the cents
  assert.equal(formatMoney({ amount_minor: 999999999999999, currency: "USD" }), "9,999,999,999,999.99\u00a0USD");
  assert.equal(formatMoney({ amount_minor: 1234, currency: "KWD" }), "1.234\u00a0KWD");
});

test("tn: English's own rule without a catalog", async () => {
  const { tn } = await import("../../../src/livebazaar/web/static/i18n.js");
  assert.equal(tn("{n} watching", "{n} watching", 1, { n: "1" }), "1 watching");
  assert.equal(tn("{n} bag", "{n} bags", 2, { n: "2" }), "2 bags");
  assert.equal(tn("{n} bag", "{n} bags", 1, { n: "1" }), "1 bag");
});

test("a producer's share is a percentage in the page's language, ties to even", async () => {
  const { formatShare } = await import("../../../src/livebazaar/web/static/i18n.js");
  pageIn("en");
  assert.equal(formatShare(5000), "50.0%");
  assert.equal(formatShare(3325), "33.2%");  // 33.25: to even, as Babel does on the server
  assert.equal(formatShare(10000), "100.0%");
  pageIn("fr");
  assert.equal(spaces(formatShare(5000)), "50,0 %");
});

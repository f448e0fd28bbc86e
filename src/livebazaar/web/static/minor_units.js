// A price the host types in the shop currency's major units ("12.50", "12,50", "1 234.5")
// becomes the integer minor units the API takes (1250 for CNY, 12 for RWF): by string and
// BigInt, never through a float. The exponent (2 for CNY, 0 for RWF, 3 for KWD) comes from
// the server (kernel/money.py's CURRENCY_EXPONENTS).

import { pageLocale, t } from "./i18n.js";

export const MAX_PRICE_MINOR = 10n ** 10n;  // kernel/money.py's MAX_PRICE_MINOR

// kernel/money.py's CURRENCY_EXPONENTS where they are not 2 (tests/web/test_numbers.py
// checks the two agree).
const EXPONENT_0 = new Set([
  "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
  "VND", "VUV", "XAF", "XOF", "XPF",
]);
const EXPONENT_3 = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);

export function currencyExponent(currency) {
  if (EXPONENT_0.has(currency)) return 0;
  return EXPONENT_3.has(currency) ? 3 : 2;
}

// "1,234.50" and "1.234,50" and "12,5": the last separator is the decimal one, unless it is
// a lone comma grouping thousands ("1,234", "1,234,567").
function normalise(text) {
  const s = text.replace(/[\s\u00a0\u202f_']/g, "");
  const comma = s.lastIndexOf(",");
  const dot = s.lastIndexOf(".");
  if (comma > dot) {
    if (dot === -1 && /^\d{1,3}(,\d{3})+$/.test(s)) return s.replaceAll(",", "");
    if (s.indexOf(",") !== comma) return null;  // "1,2,3.4"-like: unreadable
    return s.replaceAll(".", "").replace(",", ".");
  }
  if (comma !== -1 && !/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(s)) return null;
  return s.replaceAll(",", "");
}

// Integer minor units (a Number), or throws a RangeError saying what to type instead.
export function toMinorUnits(text, exponent, currency = "") {
  const raw = String(text ?? "").trim();
  if (!raw) throw new RangeError(t("Type a price, e.g. {example}", { example: amountExample(exponent) }));
  const s = normalise(raw);
  const match = s === null ? null : /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!match || (match[1] === "" && !match[2])) throw new RangeError(t("A price is digits with at most one decimal point"));
  const whole = match[1] || "0";
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (fraction.length > exponent) {
    if (exponent === 0) {
      throw new RangeError(currency
        ? t("Prices in {currency} have no decimals", { currency })
        : t("Prices in this currency have no decimals"));
    }
    throw new RangeError(currency
      ? t("Prices in {currency} have at most {n} decimals", { currency, n: exponent })
      : t("Prices in this currency have at most {n} decimals", { n: exponent }));
  }
  const minor = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, "0") || "0");
  if (minor === 0n) throw new RangeError(t("A price is more than zero"));
  if (minor > MAX_PRICE_MINOR) {
    const ceiling = `${fromMinorUnits(Number(MAX_PRICE_MINOR), exponent)} ${currency}`.trim();
    throw new RangeError(t("That price is too large: at most {ceiling}", { ceiling }));
  }
  return Number(minor);
}

// 1250 with exponent 2 -> "12.50": what a price field shows (no grouping, a decimal point).
export function fromMinorUnits(minor, exponent) {
  const digits = String(Math.abs(minor)).padStart(exponent + 1, "0");
  const sign = minor < 0 ? "-" : "";
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

// 1250 with exponent 2 -> "12,50" in French: a number in the page's language with exactly
// `exponent` decimals. Intl.NumberFormat reads the decimal string exactly (no float between).
export function formatMajor(minor, exponent) {
  const n = BigInt(minor);
  const digits = (n < 0n ? -n : n).toString().padStart(exponent + 1, "0");
  const decimal = exponent ? `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` : digits;
  const options = { minimumFractionDigits: exponent, maximumFractionDigits: exponent };
  return new Intl.NumberFormat(pageLocale(), options).format(`${n < 0n ? "-" : ""}${decimal}`);
}

// A price, {amount_minor, currency}, as the server's `money` filter writes it (web/numbers.py):
// "49,00 CNY" in French, "49.00 CNY" in English. `amount_minor` may be a Number or a BigInt.
export function formatMoney(price) {
  return `${formatMajor(price.amount_minor, currencyExponent(price.currency))}\u00a0${price.currency}`;
}

// What a typed price looks like in the page's language: "12,55", "12.55"; "1200" (no decimals).
export function amountExample(exponent) {
  return exponent ? formatMajor(`12${"5".repeat(exponent)}`, exponent) : "1200";
}

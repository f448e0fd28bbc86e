// The pages' strings in the viewer's language: base.html embeds the page's catalog as JSON
// (<script type="application/json" id="i18n">, msgid -> translation, built by web/i18n.py from
// the gettext catalogs); a msgid missing from it (English, or not translated) shows as is.
// Placeholders are `{name}`: t("Reserved {total}. Paying…", { total: "RWF 3,000" }).

function load() {
  if (typeof document === "undefined") return {};  // node's tests: English
  try {
    return JSON.parse(document.getElementById("i18n")?.textContent || "{}");
  } catch {
    return {};
  }
}

const catalog = load();

function fill(text, params) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

export function t(msgid, params = {}) {
  const text = Object.hasOwn(catalog, msgid) && typeof catalog[msgid] === "string" ? catalog[msgid] : msgid;
  return fill(text, params);
}

// A plural from the catalogs: tn("{n} watching", "{n} watching", 2, { n: "2" }). The page's
// catalog holds, for the singular msgid, the translation per CLDR plural category (web/i18n.py
// `js_catalog`), picked with Intl.PluralRules in the page's language: French "1 spectateur",
// "2 spectateurs". Untranslated, English's rule picks the msgid or its plural. The pairs are
// listed in web/js_messages.py's JS_PLURALS.
export function tn(singular, plural, n, params = {}) {
  const forms = Object.hasOwn(catalog, singular) ? catalog[singular] : null;
  if (forms && typeof forms === "object") {
    const category = new Intl.PluralRules(pageLocale()).select(Number(n));
    return fill(forms[category] ?? forms.other ?? plural, params);
  }
  return fill(Number(n) === 1 ? singular : plural, params);
}

// Numbers and dates in the page's language (<html lang>, which web/i18n.py chose), not the
// browser's: a French page says "1 234,5" and "1 mai 2031, 18:30" even in an English browser.
// The time zone stays the device's. Without a document (node) or with a tag Intl does not
// take, `undefined`: the runtime's default locale.
export function pageLocale() {
  const lang = typeof document === "undefined" ? "" : document.documentElement?.lang;
  if (!lang) return undefined;
  try {
    return Intl.getCanonicalLocales(lang)[0];
  } catch {
    return undefined;
  }
}

// 1234.5 -> "1,234.5" (en), "1 234,5" (fr); `options` are Intl.NumberFormat's.
export function formatCount(n, options = {}) {
  return Number(n).toLocaleString(pageLocale(), options);
}

// A share in basis points as a percentage: 5000 -> "50.0%", "50,0 %" (fr); like the server's
// `share` filter (web/numbers.py): exact from the integer, ties to even.
export function formatShare(bps) {
  const digits = String(Math.abs(Math.trunc(Number(bps)))).padStart(5, "0");
  const options = {
    style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1, roundingMode: "halfEven",
  };
  return new Intl.NumberFormat(pageLocale(), options).format(`${digits.slice(0, -4)}.${digits.slice(-4)}`);
}

// An ISO 8601 time in the device's zone: "May 1, 2031, 6:30 PM"; `options` are
// Intl.DateTimeFormat's (medium date and short time by default). null if it is no time.
export function formatTime(iso, options = { dateStyle: "medium", timeStyle: "short" }) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return null;
  // A short form without the year ("Wed, Jan 1") names it when it is not this year's.
  const year = options.month && !options.year && when.getFullYear() !== new Date().getFullYear();
  return new Intl.DateTimeFormat(pageLocale(), year ? { ...options, year: "numeric" } : options).format(when);
}

// Rewrite the server's UTC reading of `<time datetime>` elements (`selector` in `scope`)
// into the device's zone, in the page's language.
export function localizeTimes(scope, selector = "time[data-local]", options = undefined) {
  for (const node of scope.querySelectorAll(selector)) {
    const text = formatTime(node.getAttribute("datetime"), options);
    if (text) node.textContent = text;
  }
}

// A country's name in the page's language ("Chine" for CN in French); the code if unknown.
export function regionName(code) {
  try {
    return new Intl.DisplayNames(pageLocale(), { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

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

export function t(msgid, params = {}) {
  const text = Object.hasOwn(catalog, msgid) ? catalog[msgid] : msgid;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

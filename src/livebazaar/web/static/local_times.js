// Pages without a module of their own (the account, the studio's list of shows) write times in
// UTC on the server; this rewrites each `time[data-local]` in the viewer's time zone and the
// page's language, on load and in every section htmx swaps in.
import { localizeTimes } from "./i18n.js";

localizeTimes(document);
document.body.addEventListener("htmx:afterSwap", (event) => localizeTimes(event.target));

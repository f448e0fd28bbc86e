// The chat's "Muted or banned" list: who may not chat in the show now, each with a Lift button
// (DELETE /api/v1/shows/{id}/sanctions/{user_id}, which lifts all their mutes and bans in the
// shop, or, for a co-host who may not sanction shop-wide, their mutes in this show: such a
// co-host gets no Lift for someone the shop sanctioned). The studio loads it once when it opens
// (GET /api/v1/shows/{id}/sanctions: bans and mutes not yet over, the most recently sanctioned
// first, at most 200 people), then keeps it up to date with this page's own Mute, Ban and
// Lift; what other moderators do elsewhere shows at the next opening. Names go in as
// textContent.

import { $, el } from "./dom.js";
import { t } from "./i18n.js";
import { say, syncList, whileBusy } from "./studio_dom.js";
import { send, showUrl } from "./studio_api.js";

// The list's entries, one per person ({user_id, name, banned, until, shopWide}), the most
// recently sanctioned first, as the API orders them. Adding someone already listed merges the
// two and moves them to the top: a ban outlasts any mute; two mutes keep the later end; one
// sanction of the shop's makes the entry the shop's.
export function withEntry(entries, entry) {
  const old = entries.find((e) => e.user_id === entry.user_id);
  const untils = [old?.until, entry.until].filter(Boolean);
  const until = untils.length ? untils.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : null;
  const merged = {
    user_id: entry.user_id, name: entry.name, banned: entry.banned || Boolean(old?.banned), until,
    shopWide: entry.shopWide || Boolean(old?.shopWide),
  };
  return [merged, ...entries.filter((e) => e !== old)];
}

// `sanction` is the API's answer to a mute or a ban ({user_id, kind, until, show_id}; a
// show_id says it holds in this show only).
export function withSanction(entries, sanction, name) {
  const banned = sanction.kind === "ban";
  const shopWide = !sanction.show_id;
  return withEntry(entries, { user_id: sanction.user_id, name, banned, until: banned ? null : sanction.until, shopWide });
}

// The GET's answer ({user_id, display_name, banned, shop_wide, muted_until}, newest first) as
// entries.
export const fromListed = (listed) =>
  listed.map((s) => ({
    user_id: s.user_id, name: s.display_name, banned: Boolean(s.banned), until: s.muted_until ?? null,
    shopWide: Boolean(s.shop_wide),
  }));

// Whether this page may lift the entry: those who sanction shop-wide lift anything; other
// co-hosts only what holds in their show alone.
export const mayLift = (entry, canLiftShop) => canLiftShop || !entry.shopWide;

// The loaded list, with what this page did while it was on its way: its mutes and bans
// (`local`, newer than the answer) on top, and the people it lifted meanwhile left out.
export function withLoaded(local, listed, liftedMeanwhile = new Set()) {
  const loaded = fromListed(listed).filter((e) => !liftedMeanwhile.has(e.user_id));
  return [...local].reverse().reduce(withEntry, loaded);
}

export const withoutUser = (entries, userId) => entries.filter((e) => e.user_id !== userId);

export function liftUrl(showId, userId) {
  return showUrl(showId, `/sanctions/${encodeURIComponent(userId)}`);
}

// A mute's end as the page's language writes a time of day.
function timeOfDay(iso) {
  const lang = document.documentElement?.lang || undefined;
  return new Date(iso).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
}

// What the list says of an entry; `time` formats a mute's end.
export function sanctionText(entry, time = timeOfDay) {
  if (entry.banned) return t("{name}: banned", { name: entry.name });
  if (entry.until) return t("{name}: muted until {time}", { name: entry.name, time: time(entry.until) });
  return t("{name}: muted", { name: entry.name });
}

export function listUrl(showId) {
  return showUrl(showId, "/sanctions");
}

export class SanctionList {
  // result: the status line that says what a Lift did; canLiftShop: whether this person may
  // lift the shop's sanctions (live.Power.SANCTION_SHOP).
  constructor(showId, result, { canLiftShop = true } = {}) {
    Object.assign(this, { showId, result, canLiftShop });
    this.entries = [];
    this.liftedMeanwhile = new Set();  // while the list loads; null once loaded
    this.empty = t("Loading…");
    $("sanction-list").addEventListener("click", (event) => this.liftClicked(event));
    this.render();
  }

  // Once, when the studio opens; a failure leaves what the page adds from then on.
  async load() {
    try {
      const listed = await send("GET", listUrl(this.showId));
      this.entries = withLoaded(this.entries, listed, this.liftedMeanwhile);
      this.empty = this.canLiftShop
        ? t("Nobody is muted or banned in this shop.")
        : t("Nobody is muted or banned in this show.");
    } catch (error) {
      this.empty = t("Could not load who is muted or banned: {error}", { error: error.message });
    }
    this.liftedMeanwhile = null;
    this.render();
  }

  add(sanction, name) {
    this.entries = withSanction(this.entries, sanction, name);
    this.render();
  }

  render() {
    syncList($("sanction-list"), this.entries, {
      key: (entry) => entry.user_id,
      empty: this.empty,
      make: (entry) => {
        const li = el("li", "sanction");
        const button = el("button", "secondary small lift", t("Lift"));
        button.type = "button";
        button.dataset.userId = entry.user_id;
        li.append(el("span", "who"), " ", button);
        return li;
      },
      update: (li, entry) => {
        li.querySelector(".who").textContent = sanctionText(entry);
        const lift = li.querySelector("button.lift");
        lift.setAttribute("aria-label", t("Lift the mute or ban of {name}", { name: entry.name }));
        lift.hidden = !mayLift(entry, this.canLiftShop);
      },
    });
  }

  async liftClicked(event) {
    const button = event.target.closest("button.lift");
    const entry = button && this.entries.find((e) => e.user_id === button.dataset.userId);
    if (!entry) return;
    await whileBusy(button, async () => {
      try {
        const answer = await send("DELETE", liftUrl(this.showId, entry.user_id));
        this.entries = withoutUser(this.entries, entry.user_id);
        this.liftedMeanwhile?.add(entry.user_id);
        this.render();
        say(this.result, answer?.lifted
          ? t("{name} may chat again.", { name: entry.name })
          : t("{name} had no mute or ban left to lift.", { name: entry.name }));
      } catch (error) {
        say(this.result, error.message, true);
      }
    });
  }
}

// The chat's "Muted or banned" list: the people muted or banned from this page, each with a
// Lift button (DELETE /api/v1/shows/{id}/sanctions/{user_id}, which lifts all their mutes and
// bans in the show's shop). The API has no GET for a shop's sanctions, so the list holds what
// this page did since it was opened: a reload starts it empty. Names go in as textContent.

import { $, el } from "./dom.js";
import { t } from "./i18n.js";
import { say, syncList, whileBusy } from "./studio_dom.js";
import { send, showUrl } from "./studio_api.js";

// The list's entries, one per person: `sanction` is the API's answer to a mute or a ban
// ({user_id, kind, until}). A ban outlasts any mute; two mutes keep the later end.
export function withSanction(entries, sanction, name) {
  const old = entries.find((e) => e.user_id === sanction.user_id);
  const banned = sanction.kind === "ban" || Boolean(old?.banned);
  const untils = [old?.until, sanction.kind === "mute" ? sanction.until : null].filter(Boolean);
  const until = untils.length ? untils.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : null;
  const entry = { user_id: sanction.user_id, name, banned, until };
  return old ? entries.map((e) => (e === old ? entry : e)) : [...entries, entry];
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

export class SanctionList {
  // result: the status line that says what a Lift did.
  constructor(showId, result) {
    Object.assign(this, { showId, result });
    this.entries = [];
    $("sanction-list").addEventListener("click", (event) => this.liftClicked(event));
    this.render();
  }

  add(sanction, name) {
    this.entries = withSanction(this.entries, sanction, name);
    this.render();
  }

  render() {
    syncList($("sanction-list"), this.entries, {
      key: (entry) => entry.user_id,
      empty: t("Nobody muted or banned from this page."),
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
        li.querySelector("button.lift").setAttribute("aria-label", t("Lift the mute or ban of {name}", { name: entry.name }));
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

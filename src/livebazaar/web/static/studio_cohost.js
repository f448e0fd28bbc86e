// The studio's co-host panel: invite by email, and each invitation's state (pending, accepted,
// declined) with a Withdraw button. The list is read when the panel opens, after each change,
// and every POLL_MS while it is open (an invitee answers from their own studio).

import { $, el } from "./dom.js";
import { t } from "./i18n.js";
import { say, syncList, whileBusy } from "./studio_dom.js";
import { send, showUrl } from "./studio_api.js";

const POLL_MS = 15_000;
const STATES = { pending: "Waiting for an answer", accepted: "Accepted", declined: "Declined" };

export class CohostPanel {
  constructor(showId) {
    this.showId = showId;
    this.form = $("cohost-form");
    if (!this.form) return;  // not the shop's host: nothing to run
    this.result = this.form.querySelector(".result");
    this.form.addEventListener("submit", (event) => this.invite(event));
    $("cohost-list").addEventListener("click", (event) => this.withdrawClicked(event));
    $("cohost").addEventListener("toggle", () => { if ($("cohost").open) this.load(); });
    setInterval(() => { if ($("cohost").open && !document.hidden) this.load(); }, POLL_MS);
    this.load();
  }

  async load() {
    try {
      this.render(await send("GET", showUrl(this.showId, "/cohosts")));
    } catch (error) {
      say(this.result, error.message, true);
    }
  }

  render(invites) {
    syncList($("cohost-list"), invites, {
      key: (invite) => invite.invitee_id,
      empty: t("No one invited yet."),
      make: (invite) => {
        const li = el("li", "cohost-item");
        const name = el("strong", "who", invite.display_name);
        name.id = `cohost-name-${invite.invitee_id}`;
        const button = el("button", "secondary withdraw", t("Withdraw"));
        button.type = "button";
        button.id = `cohost-withdraw-${invite.invitee_id}`;
        button.dataset.userId = invite.invitee_id;
        button.setAttribute("aria-labelledby", `${button.id} ${name.id}`);
        li.append(name, " ", el("span", "email small muted", invite.email), " ",
          el("span", "badge cohost-state"), button);
        return li;
      },
      update: (li, invite) => {
        const badge = li.querySelector(".cohost-state");
        badge.textContent = t(STATES[invite.status]);
        badge.dataset.state = invite.status;
        badge.classList.toggle("live", invite.status === "accepted");
      },
    });
  }

  async invite(event) {
    event.preventDefault();
    const input = $("cohost-email");
    const email = input.value.trim();
    if (!email || !input.checkValidity()) {
      say(this.result, t("Type the email of their Livebazaar account."), true);
      input.focus();
      return;
    }
    await whileBusy(this.form.querySelector("button[type=submit]"), async () => {
      say(this.result, t("Inviting…"));
      try {
        await send("POST", showUrl(this.showId, "/cohosts"), { email });
        input.value = "";
        say(this.result, t("Invited {email}: they answer from their studio.", { email }));
        await this.load();
      } catch (error) {
        say(this.result, error.message, true);
        input.focus();
      }
    });
  }

  async withdrawClicked(event) {
    const button = event.target.closest("button.withdraw");
    if (!button) return;
    const name = button.closest("li").querySelector(".who").textContent;
    if (!confirm(t("Withdraw the invitation of {name}? If they accepted, they no longer co-host this show.", { name }))) return;
    await whileBusy(button, async () => {
      try {
        await send("DELETE", showUrl(this.showId, `/cohosts/${encodeURIComponent(button.dataset.userId)}`));
        say(this.result, t("Invitation of {name} withdrawn.", { name }));
        await this.load();
      } catch (error) {
        say(this.result, error.message, true);
      }
    });
  }
}

// The studio's co-host panel: invite by email, and each invitation's state (pending, accepted,
// declined) with a Withdraw button; an accepted co-host's grants as checkboxes, which the
// shop's owners tick (PUT .../cohosts/{user_id}/grants, the whole set at each change) and its
// hosts only read. The list is read when the panel opens, after each change, and every
// POLL_MS while it is open (an invitee answers from their own studio).

import { $, el } from "./dom.js";
import { t } from "./i18n.js";
import { say, syncList, whileBusy } from "./studio_dom.js";
import { send, showUrl } from "./studio_api.js";

const POLL_MS = 15_000;
const STATES = { pending: "Waiting for an answer", accepted: "Accepted", declined: "Declined" };
// live.Grant, in the role table's order (docs/roles.md), and what each checkbox says.
export const GRANTS = [
  ["drops", "Start and end drops"],
  ["prices", "Choose drop prices"],
  ["stream_key", "Stream key (OBS)"],
  ["shop_sanctions", "Ban across the shop"],
  ["end_show", "End the show"],
];

// The grants ticked in a co-host's fieldset, in the table's order.
export const tickedGrants = (boxes) => boxes.filter((box) => box.checked).map((box) => box.value);

export class CohostPanel {
  constructor(showId) {
    this.showId = showId;
    this.form = $("cohost-form");
    if (!this.form) return;  // not the shop's host: nothing to run
    this.result = this.form.querySelector(".result");
    this.canGrant = $("cohost-list").dataset.canGrant === "true";
    this.form.addEventListener("submit", (event) => this.invite(event));
    $("cohost-list").addEventListener("click", (event) => this.withdrawClicked(event));
    $("cohost-list").addEventListener("change", (event) => this.grantChanged(event));
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
          el("span", "badge cohost-state"), button, this.grantBoxes(invite));
        return li;
      },
      update: (li, invite) => {
        const badge = li.querySelector(".cohost-state");
        badge.textContent = t(STATES[invite.status]);
        badge.dataset.state = invite.status;
        badge.classList.toggle("live", invite.status === "accepted");
        const grants = li.querySelector("fieldset.grants");
        grants.hidden = invite.status !== "accepted";
        if (grants.getAttribute("aria-busy") === "true") return;  // a change is on its way
        for (const box of grants.querySelectorAll("input")) box.checked = invite.grants.includes(box.value);
      },
    });
  }

  // One checkbox per grant, for the owner to tick (read-only for the shop's hosts).
  grantBoxes(invite) {
    const fieldset = el("fieldset", "grants");
    fieldset.dataset.userId = invite.invitee_id;
    fieldset.dataset.name = invite.display_name;
    fieldset.append(el("legend", "small", t("What {name} may also do", { name: invite.display_name })));
    for (const [grant, text] of GRANTS) {
      const label = el("label", "check small");
      const box = el("input");
      Object.assign(box, { type: "checkbox", value: grant, disabled: !this.canGrant });
      box.id = `grant-${invite.invitee_id}-${grant}`;
      label.htmlFor = box.id;
      label.append(box, " ", t(text));
      fieldset.append(label);
    }
    return fieldset;
  }

  async grantChanged(event) {
    const fieldset = event.target.closest("fieldset.grants");
    if (!fieldset || !this.canGrant) return;
    const boxes = [...fieldset.querySelectorAll("input")];
    const name = fieldset.dataset.name;
    fieldset.setAttribute("aria-busy", "true");
    try {
      const url = showUrl(this.showId, `/cohosts/${encodeURIComponent(fieldset.dataset.userId)}/grants`);
      const answer = await send("PUT", url, { grants: tickedGrants(boxes) });
      for (const box of boxes) box.checked = answer.grants.includes(box.value);
      say(this.result, t("Saved what {name} may do.", { name }));
    } catch (error) {
      say(this.result, error.message, true);
      await this.load();
    } finally {
      fieldset.removeAttribute("aria-busy");
    }
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

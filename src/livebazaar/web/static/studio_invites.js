// The studio's list of shows (templates/studio_list.html): the signed-in person's invitations
// to co-host, each accepted (then its studio opens) or declined (then it leaves the list).

import { $ } from "./dom.js";
import { t } from "./i18n.js";
import { say, whileBusy } from "./studio_dom.js";
import { send, showUrl } from "./studio_api.js";

async function answer(button, accept) {
  const item = button.closest("li.invite-item");
  const showId = item.dataset.showId;
  const title = item.querySelector("strong").textContent;
  await whileBusy(button, async () => {
    try {
      await send("POST", showUrl(showId, accept ? "/cohosts/accept" : "/cohosts/decline"));
    } catch (error) {
      say($("invite-result"), error.message, true);
      return;
    }
    if (accept) {
      location.href = `/studio/shows/${encodeURIComponent(showId)}`;
      return;
    }
    const next = item.nextElementSibling ?? item.previousElementSibling;
    item.remove();
    say($("invite-result"), t("Declined: {title}.", { title }));
    (next?.querySelector("button") ?? $("invitations-title")).focus?.();
  });
}

$("invite-list").addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (button?.classList.contains("accept-invite")) answer(button, true);
  else if (button?.classList.contains("decline-invite")) answer(button, false);
});

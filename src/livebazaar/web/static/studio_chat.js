// The studio's chat: the show's messages from its events, each with Delete, and Mute and Ban
// for other people's (Ban for those who may sanction shop-wide: a co-host's Mute holds in
// their show only); the host's own messages; slow mode and the shop's blocked words.
// Names and messages go in with textContent only: chat text is whatever viewers typed. Who
// was muted or banned here is listed with a Lift button (studio_sanctions.js).

import { $, el } from "./dom.js";
import { t } from "./i18n.js";
import { say, syncList, whileBusy } from "./studio_dom.js";
import { send, showUrl } from "./studio_api.js";
import { SanctionList } from "./studio_sanctions.js";

const MINUTES = { 5: "5 minutes", 10: "10 minutes", 60: "1 hour", 1440: "1 day" };

function slowModeText(seconds) {
  if (seconds === 0) return t("Slow mode off.");
  return seconds < 60
    ? t("Slow mode: one message every {n} s.", { n: seconds })
    : t("Slow mode: one message every {n} min.", { n: seconds / 60 });
}

export class ChatPanel {
  constructor(showId, { me, shopId, powers }) {
    Object.assign(this, { showId, me, shopId });
    this.canBan = powers.has("sanction_shop");
    this.messages = new Map();  // id -> message, for the buttons
    this.sanctions = new SanctionList(showId, $("chat-result"), { canLiftShop: this.canBan });
    $("chat-list").addEventListener("click", (event) => this.moderate(event));
    $("chat-form").addEventListener("submit", (event) => this.sendMessage(event));
    $("slow-form").addEventListener("submit", (event) => this.setSlowMode(event));
    $("words-form")?.addEventListener("submit", (event) => this.setBlockedWords(event));
  }

  render(state, type) {
    if (type === "all" || type === "chat.message" || type === "chat.deleted") this.renderMessages(state);
    if (type === "all" || type === "chat.slow_mode") this.renderSlowMode(state.slow_mode_s);
  }

  renderMessages(state) {
    const list = $("chat-list");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    this.messages = new Map(state.recent_chat.map((m) => [m.id, m]));
    syncList(list, state.recent_chat, {
      key: (m) => m.id,
      empty: t("No messages yet."),
      make: (m) => this.messageItem(m),
    });
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  messageItem(m) {
    const li = el("li");
    const line = el("p", "chat-line");
    line.append(el("span", "name", m.display_name), " ", el("span", "text", m.text));
    const actions = el("div", "chat-actions");
    const name = { name: m.display_name };
    actions.append(this.button("delete", m, t("Delete"), t("Delete the message from {name}", name)));
    if (m.user_id !== this.me) {
      actions.append(this.button("mute", m, t("Mute"), t("Mute {name}", name)));
      if (this.canBan) actions.append(this.button("ban", m, t("Ban"), t("Ban {name} from the shop's chats", name)));
    }
    li.append(line, actions);
    return li;
  }

  button(action, message, text, label) {
    const button = el("button", `secondary small ${action}`, text);
    button.type = "button";
    button.dataset.action = action;
    button.dataset.messageId = message.id;
    button.setAttribute("aria-label", label);
    return button;
  }

  async moderate(event) {
    const button = event.target.closest("button[data-action]");
    const message = button && this.messages.get(button.dataset.messageId);
    if (!message) return;
    const who = message.display_name;
    const result = $("chat-result");
    const action = button.dataset.action;
    if (action === "ban" && !confirm(t("Ban {name} from the chat of every show of this shop?", { name: who }))) return;
    await whileBusy(button, () => this.apply(action, message, result));
  }

  async apply(action, message, result) {
    const who = message.display_name;
    try {
      if (action === "delete") {
        await send("DELETE", showUrl(this.showId, `/chat/${encodeURIComponent(message.id)}`));
        say(result, t("Deleted the message from {name}.", { name: who }));
      } else if (action === "mute") {
        const minutes = Number($("mute-minutes").value);
        const sanction = await send("POST", showUrl(this.showId, "/mutes"), { user_id: message.user_id, minutes });
        this.sanctions.add(sanction, who);
        const duration = MINUTES[minutes] ? t(MINUTES[minutes]) : t("{n} minutes", { n: minutes });
        say(result, t("{name} is muted for {duration}.", { name: who, duration }));
      } else {
        const sanction = await send("POST", showUrl(this.showId, "/bans"), { user_id: message.user_id });
        this.sanctions.add(sanction, who);
        say(result, t("{name} is banned from the shop's chats.", { name: who }));
      }
    } catch (error) {
      say(result, error.message, true);
    }
  }

  async sendMessage(event) {
    event.preventDefault();
    const input = $("chat-text");
    try {
      await send("POST", showUrl(this.showId, "/chat"), { text: input.value });
      input.value = "";
      say($("chat-result"), "");
    } catch (error) {
      say($("chat-result"), error.message, true);
    }
  }

  renderSlowMode(seconds) {
    const select = $("slow-mode");
    if (![...select.options].some((o) => Number(o.value) === seconds)) {
      const option = el("option", null, t("{n} seconds", { n: seconds }));
      option.value = String(seconds);
      select.append(option);
    }
    select.value = String(seconds);
  }

  async setSlowMode(event) {
    event.preventDefault();
    const result = event.target.querySelector(".result");
    const seconds = Number($("slow-mode").value);
    try {
      const answer = await send("PUT", showUrl(this.showId, "/slow-mode"), { seconds });
      say(result, slowModeText(answer.seconds));
    } catch (error) {
      say(result, error.message, true);
    }
  }

  async setBlockedWords(event) {
    event.preventDefault();
    const result = event.target.querySelector(".result");
    const area = $("blocked-words");
    const words = [...new Set(area.value.split(/[\n,]/).map((w) => w.trim()).filter(Boolean))];
    try {
      const answer = await send("PUT", `/api/v1/shops/${encodeURIComponent(this.shopId)}/blocked-words`, words);
      area.value = answer.words.join("\n");
      const n = answer.words.length;
      say(result, n === 0 ? t("No word is blocked.") : n === 1 ? t("Saved 1 blocked word.") : t("Saved {n} blocked words.", { n }));
    } catch (error) {
      say(result, error.message, true);
    }
  }
}

// The studio's chat: the show's messages from its events, each with Delete, and Mute and Ban
// for other people's; the host's own messages; slow mode and the shop's blocked words.
// Names and messages go in with textContent only: chat text is whatever viewers typed.

import { $, el } from "./dom.js";
import { say, syncList, whileBusy } from "./studio_dom.js";
import { send, showUrl } from "./studio_api.js";

const MINUTES = { 5: "5 minutes", 10: "10 minutes", 60: "1 hour", 1440: "1 day" };

function duration(seconds) {
  if (seconds === 0) return "off";
  return seconds < 60 ? `one message every ${seconds} s` : `one message every ${seconds / 60} min`;
}

export class ChatPanel {
  constructor(showId, { me, shopId }) {
    Object.assign(this, { showId, me, shopId });
    this.messages = new Map();  // id -> message, for the buttons
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
      empty: "No messages yet.",
      make: (m) => this.messageItem(m),
    });
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  messageItem(m) {
    const li = el("li");
    const line = el("p", "chat-line");
    line.append(el("span", "name", m.display_name), " ", el("span", "text", m.text));
    const actions = el("div", "chat-actions");
    actions.append(this.button("delete", m, "Delete", `Delete the message from ${m.display_name}`));
    if (m.user_id !== this.me) {
      actions.append(
        this.button("mute", m, "Mute", `Mute ${m.display_name}`),
        this.button("ban", m, "Ban", `Ban ${m.display_name} from the shop's chats`),
      );
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
    if (action === "ban" && !confirm(`Ban ${who} from the chat of every show of this shop?`)) return;
    await whileBusy(button, () => this.apply(action, message, result));
  }

  async apply(action, message, result) {
    const who = message.display_name;
    try {
      if (action === "delete") {
        await send("DELETE", showUrl(this.showId, `/chat/${encodeURIComponent(message.id)}`));
        say(result, `Deleted the message from ${who}.`);
      } else if (action === "mute") {
        const minutes = Number($("mute-minutes").value);
        await send("POST", showUrl(this.showId, "/mutes"), { user_id: message.user_id, minutes });
        say(result, `${who} is muted for ${MINUTES[minutes] ?? `${minutes} minutes`}.`);
      } else {
        await send("POST", showUrl(this.showId, "/bans"), { user_id: message.user_id });
        say(result, `${who} is banned from the shop's chats.`);
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
      const option = el("option", null, `${seconds} seconds`);
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
      say(result, `Slow mode: ${duration(answer.seconds)}.`);
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
      say(result, answer.words.length ? `Saved ${answer.words.length} blocked words.` : "No word is blocked.");
    } catch (error) {
      say(result, error.message, true);
    }
  }
}

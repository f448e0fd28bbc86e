// The viewer's chat list: it follows the newest message, as chats do, unless the viewer has
// scrolled up to read; then it stays where they are and a "New messages" button appears,
// which jumps to the newest and follows again. Items are kept by message id, so a new
// message adds one line and the oldest dropping off does not move what the viewer reads.
// Names and messages go in with textContent only.

import { el } from "./dom.js";

const NEAR_BOTTOM_PX = 24;  // within this of the end counts as "at the newest"

function messageItem(m) {
  const item = el("li");
  item.dataset.id = m.id;
  item.append(el("span", "name", m.display_name), " ", el("span", "text", m.text));
  return item;
}

export class ChatList {
  constructor(list, jump) {
    Object.assign(this, { list, jump, following: true });
    list.addEventListener("scroll", () => {
      this.following = this.atBottom();
      if (this.following) this.jump.hidden = true;
    }, { passive: true });
    jump.addEventListener("click", () => this.follow());
    this.scrollToNewest();  // the server-rendered list opens on the newest
  }

  atBottom() {
    const { scrollHeight, scrollTop, clientHeight } = this.list;
    return scrollHeight - scrollTop - clientHeight <= NEAR_BOTTOM_PX;
  }

  scrollToNewest() {
    this.list.scrollTop = this.list.scrollHeight;
  }

  // Back to the newest, following again (the button, or the viewer sending a message).
  follow() {
    this.following = true;
    this.jump.hidden = true;
    this.scrollToNewest();
  }

  render(messages) {
    const items = new Map([...this.list.children].map((li) => [li.dataset.id, li]));
    const wanted = new Set(messages.map((m) => m.id));
    // The first line still in view, to keep it where it is when lines above it go.
    const anchor = this.following ? null : [...this.list.children]
      .find((li) => wanted.has(li.dataset.id) && li.offsetTop + li.offsetHeight > this.list.scrollTop);
    const anchorTop = anchor ? anchor.offsetTop : 0;
    let added = false;
    for (const [id, li] of items) if (!wanted.has(id)) li.remove();
    let next = this.list.firstElementChild;
    for (const m of messages) {
      const known = items.get(m.id);
      if (known && known === next) { next = next.nextElementSibling; continue; }
      const item = known ?? messageItem(m);
      if (!known) added = true;
      this.list.insertBefore(item, next);
    }
    if (this.following) {
      this.scrollToNewest();
    } else {
      if (anchor) this.keepInPlace(anchor.offsetTop - anchorTop);
      if (added) this.jump.hidden = false;
    }
  }

  keepInPlace(shift) {
    if (shift) this.list.scrollTop += shift;
  }
}

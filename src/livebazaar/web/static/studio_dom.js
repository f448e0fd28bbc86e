// The studio's DOM updates. Lists are updated in place: an item keeps its element (and so the
// keyboard focus and the screen reader's place) from one state to the next; only new ones are
// made, gone ones removed. Callers put every text in with textContent.

const FOCUSABLE = "button:not([disabled]), a[href], input, select, textarea";

// make(item) -> a new <li>; update(node, item) refreshes it. `empty`: the text of the single
// placeholder shown when there is nothing. When the focused element's item goes away, the
// focus moves to its neighbour, so a keyboard user keeps their place.
export function syncList(list, items, { key, make, update = () => {}, empty = null }) {
  const focused = document.activeElement;
  const focusedItem = focused && focused !== list && list.contains(focused)
    ? [...list.children].find((node) => node.contains(focused)) : null;
  const neighbours = focusedItem
    ? [focusedItem.nextElementSibling, focusedItem.previousElementSibling] : [];
  render(list, items, { key, make, update, empty });
  if (focusedItem && !focusedItem.isConnected) {
    const next = neighbours.find((node) => node?.isConnected)?.querySelector(FOCUSABLE);
    if (next) next.focus();
    else { list.tabIndex = -1; list.focus(); }
  }
}

function render(list, items, { key, make, update, empty }) {
  if (items.length === 0 && empty !== null) {
    const placeholder = document.createElement("li");
    placeholder.className = "muted";
    placeholder.textContent = empty;
    list.replaceChildren(placeholder);
    return;
  }
  const existing = new Map();
  for (const node of list.children) if (node.dataset.key) existing.set(node.dataset.key, node);
  const wanted = items.map((item) => {
    const k = String(key(item));
    let node = existing.get(k);
    if (!node) {
      node = make(item);
      node.dataset.key = k;
    }
    update(node, item);
    return node;
  });
  const keep = new Set(wanted);
  for (const node of [...list.children]) if (!keep.has(node)) node.remove();
  wanted.forEach((node, i) => {
    if (list.children[i] !== node) list.insertBefore(node, list.children[i] ?? null);
  });
}

// A status line: `bad` marks a refusal (styled apart, still only text).
export function say(node, text, bad = false) {
  node.textContent = text;
  node.classList.toggle("bad", bad);
}

// Runs work() once at a time per button. aria-disabled rather than disabled: a disabled
// button drops the keyboard focus.
export async function whileBusy(button, work) {
  if (button.getAttribute("aria-disabled") === "true") return undefined;
  button.setAttribute("aria-disabled", "true");
  try {
    return await work();
  } finally {
    button.removeAttribute("aria-disabled");
  }
}
